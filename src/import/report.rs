//! The import report, returned as JSON and kept with the import's record.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::decp::RecordProblem;
use super::format::FileFormat;
use super::problem::{RowProblem, grouped};
use crate::domain::{ImportKind, ImportStatus};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub import_id: Option<i64>,
    pub kind: ImportKind,
    pub file_name: String,
    pub format: Option<FileFormat>,
    pub status: ImportStatus,
    pub sheet: Option<String>,
    pub header_row: Option<u32>,
    /// Data rows read under the header (blank and total rows left out).
    pub rows_read: usize,
    pub rows_written: usize,
    /// Set when the whole file was refused, in one sentence.
    pub file_problem: Option<String>,
    /// The problems found, each located, the first 1 000 at most; none written when there is
    /// any.
    pub problems: Vec<RowProblem>,
    /// Problems found beyond those listed, counted only: a report stays small whatever the file.
    #[serde(default)]
    pub problems_left_out: usize,
    pub warnings: Vec<String>,
    /// Earlier values a corrected statement replaced, one line each.
    #[serde(default)]
    pub replaced: Vec<String>,
    /// DECP files: contracts (records) written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records_written: Option<usize>,
    /// DECP files: records left out for their problems (with « ignorer les marchés
    /// invalides »), each problem with the record's id, position and field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records_skipped: Option<Vec<RecordProblem>>,
    /// DECP files: records of buyers outside the uploader's scope (or the filter given),
    /// counted and not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records_other_buyers: Option<usize>,
    /// DECP files: modifications applied and versions replaced, one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<String>,
}

impl ImportReport {
    /// The report of an import that has not read anything yet.
    pub fn new(kind: ImportKind, file_name: &str, import_id: Option<i64>) -> ImportReport {
        ImportReport {
            import_id,
            kind,
            file_name: file_name.to_owned(),
            format: None,
            status: ImportStatus::Refused,
            sheet: None,
            header_row: None,
            rows_read: 0,
            rows_written: 0,
            file_problem: None,
            problems: Vec::new(),
            problems_left_out: 0,
            warnings: Vec::new(),
            replaced: Vec::new(),
            records_written: None,
            records_skipped: None,
            records_other_buyers: None,
            amendments: Vec::new(),
        }
    }

    /// The report of an import that ended before writing anything, for the reason given.
    pub fn cut_short(
        kind: ImportKind,
        file_name: &str,
        import_id: i64,
        status: ImportStatus,
        reason: String,
    ) -> ImportReport {
        ImportReport {
            status,
            file_problem: Some(reason),
            ..ImportReport::new(kind, file_name, Some(import_id))
        }
    }

    /// Every problem found, listed or only counted.
    pub fn problem_count(&self) -> usize {
        self.problems.len() + self.problems_left_out
    }

    /// A short French summary for the command line and page headings.
    pub fn summary(&self) -> String {
        match (&self.status, &self.file_problem) {
            (ImportStatus::Succeeded, _) if self.records_written.is_some() => self.decp_summary(),
            (ImportStatus::Succeeded, _) => format!(
                "Fichier « {} » importé : {} ligne(s) enregistrée(s).",
                self.file_name, self.rows_written
            ),
            (ImportStatus::Interrupted, problem) => format!(
                "Import du fichier « {} » interrompu{} : rien n'a été enregistré, envoyez-le à nouveau.",
                self.file_name,
                problem
                    .as_deref()
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default()
            ),
            (ImportStatus::Running, _) => {
                format!("Import du fichier « {} » en cours.", self.file_name)
            }
            (_, Some(problem)) => format!("Fichier « {} » refusé : {problem}", self.file_name),
            _ if self.problems_left_out > 0 => format!(
                "Fichier « {} » refusé : {} problèmes à corriger, rien n'a été enregistré. Les {} premiers sont détaillés ; corrigez-les, puis renvoyez le fichier pour voir les {} autres.",
                self.file_name,
                grouped(self.problem_count()),
                grouped(self.problems.len()),
                grouped(self.problems_left_out)
            ),
            _ => format!(
                "Fichier « {} » refusé : {} problème(s) à corriger, rien n'a été enregistré.",
                self.file_name,
                self.problems.len()
            ),
        }
    }

    /// What a DECP import wrote and left aside.
    fn decp_summary(&self) -> String {
        let mut said = format!(
            "Fichier « {} » importé : {} marché(s) enregistré(s) ({} ligne(s))",
            self.file_name,
            grouped(self.records_written.unwrap_or_default()),
            grouped(self.rows_written)
        );
        let skipped: HashSet<usize> = self
            .records_skipped
            .iter()
            .flatten()
            .map(|p| p.position)
            .collect();
        if !skipped.is_empty() {
            said.push_str(&format!(
                " ; {} marché(s) invalide(s) laissé(s) de côté",
                grouped(skipped.len())
            ));
        }
        if let Some(others) = self.records_other_buyers.filter(|n| *n > 0) {
            said.push_str(&format!(
                " ; {} marchés d'autres acheteurs ignorés",
                grouped(others)
            ));
        }
        said + "."
    }
}
