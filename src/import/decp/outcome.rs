//! The register's problems told per DECP record: the record's id, its position in the file,
//! the JSON path of the field and what is wrong. By default a file with problems imports
//! nothing; asked to skip invalid records, the others are imported and the skipped listed.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::record::{FieldProblem, shown};
use crate::import::parsed::Parsed;
use crate::import::problem::{RowProblem, shorten};
use crate::import::profile::Profile;
use crate::import::report::ImportReport;

/// A problem of one record of a DECP file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordProblem {
    /// The record's `id` as written.
    pub id: String,
    /// Its position among the file's records (1 for the first).
    pub position: usize,
    /// The field at fault, as a JSON path within the record (`titulaires[1].titulaire.id`).
    pub path: String,
    pub value: Option<String>,
    pub message: String,
}

/// Where each row of the register came from in the DECP file.
pub struct Origins {
    /// Each record read: position and id.
    records: Vec<(usize, String)>,
    /// Row `n` of the register is `lines[n - 2]`: its record and each column's path.
    lines: Vec<(usize, HashMap<&'static str, String>)>,
    /// Problems found reading records, before the register's checks.
    problems: Vec<RecordProblem>,
    /// Modifications applied and versions replaced, one line each.
    pub history: Vec<String>,
    other_buyers: usize,
}

impl Origins {
    pub fn new(other_buyers: usize) -> Origins {
        Origins {
            records: Vec::new(),
            lines: Vec::new(),
            problems: Vec::new(),
            history: Vec::new(),
            other_buyers,
        }
    }

    /// Notes a record read, and returns its index.
    pub fn record(&mut self, position: usize, value: &Value) -> usize {
        let id = value.get("id").map(shown).unwrap_or_default();
        self.records.push((position, shorten(&id)));
        self.records.len() - 1
    }

    /// Notes the next row of the register, from the record `index`.
    pub fn line(&mut self, index: usize, paths: HashMap<&'static str, String>) {
        self.lines.push((index, paths));
    }

    /// Notes the problems that keep the record `index` out of the register.
    pub fn refused(&mut self, index: usize, problems: Vec<FieldProblem>) {
        let (position, id) = self.records[index].clone();
        self.problems
            .extend(problems.into_iter().map(|p| RecordProblem {
                id: id.clone(),
                position,
                path: p.path,
                value: p.value.map(|v| shorten(&v)),
                message: p.message,
            }));
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The record of row `row`, as (position, id).
    fn of_row(&self, row: u32) -> Option<&(usize, String)> {
        let line = self.lines.get((row as usize).checked_sub(2)?)?;
        self.records.get(line.0)
    }

    /// A register problem, told of its record.
    fn told(&self, problem: RowProblem, profile: &Profile) -> RecordProblem {
        let (position, id) = self.of_row(problem.row).cloned().unwrap_or_default();
        let key = problem.column.as_deref().and_then(|header| {
            profile
                .columns
                .iter()
                .find(|c| c.header == header)
                .map(|c| c.key.as_str())
        });
        let path = (problem.row as usize)
            .checked_sub(2)
            .and_then(|i| self.lines.get(i))
            .zip(key)
            .and_then(|((_, paths), key)| paths.get(key).cloned())
            .unwrap_or_default();
        let message = if problem.message.contains("est obligatoire") {
            "Cette valeur manque : complétez la donnée publiée.".to_owned()
        } else {
            problem.message
        };
        RecordProblem {
            id,
            position,
            path,
            value: problem.value,
            message,
        }
    }
}

/// Tells the register's problems per record; then either leaves them to refuse the file, or,
/// with `skip_invalid`, takes the records at fault out of `parsed` and lists them as skipped.
pub fn settle(
    origins: Origins,
    parsed: &mut Parsed,
    report: &mut ImportReport,
    profile: &Profile,
    skip_invalid: bool,
) {
    let mut problems = origins.problems.clone();
    for problem in std::mem::take(&mut report.problems) {
        problems.push(origins.told(problem, profile));
    }
    problems.sort_by_key(|p| p.position);
    report.records_other_buyers = Some(origins.other_buyers);
    report.amendments = origins.history.clone();
    let bad: HashSet<usize> = problems.iter().map(|p| p.position).collect();
    let Parsed::Contracts(contracts) = parsed else {
        return;
    };
    // Problems past those kept are only counted: their records are unknown, so nothing is
    // skipped then.
    let skip = skip_invalid && bad.len() < origins.records.len() && report.problems_left_out == 0;
    if problems.is_empty() || skip {
        contracts.retain(|c| {
            origins
                .of_row(c.first_row)
                .is_none_or(|(position, _)| !bad.contains(position))
        });
        report.records_written = Some(contracts.len());
        report.records_skipped = Some(problems);
        return;
    }
    report.records_written = Some(0);
    report.records_skipped = Some(Vec::new());
    report.problems = problems
        .into_iter()
        .map(|p| {
            let mut row = RowProblem::new(
                super::SHEET,
                p.position as u32,
                Some(&p.path),
                p.value.as_deref(),
                &format!("Marché « {} » : {}", p.id, p.message),
            );
            row.record = Some(p.id);
            row
        })
        .collect();
}
