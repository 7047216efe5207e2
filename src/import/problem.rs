//! What an import reports: whole-file problems and row problems, each worded in French for the
//! person who will fix the file.

use serde::{Deserialize, Serialize};

/// A problem that makes the whole file unreadable or unusable, in one sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileProblem {
    #[error(
        "Ce fichier n'est pas un tableur{hint} : envoyez un fichier .xlsx, .xls, .ods ou .csv."
    )]
    NotASpreadsheet { hint: String },
    #[error(
        "Le fichier est endommagé et ne peut pas être lu ({0}) : ouvrez-le dans votre tableur, enregistrez-le à nouveau puis renvoyez-le."
    )]
    Damaged(String),
    #[error(
        "Le fichier pèse {size_mb} Mo, au-delà de la limite de {max_mb} Mo : découpez-le en plusieurs fichiers."
    )]
    TooLarge { size_mb: u64, max_mb: u64 },
    #[error(
        "Le fichier annonce un contenu décompressé anormalement volumineux et a été refusé par sécurité : enregistrez-le à nouveau depuis votre tableur."
    )]
    CompressionBomb,
    #[error("Le fichier compte plus de {max} lignes remplies : découpez-le en plusieurs fichiers.")]
    TooManyRows { max: usize },
    #[error("Le fichier ne contient aucune donnée : vérifiez que vous envoyez le bon fichier.")]
    Empty,
    #[error(
        "Colonnes obligatoires absentes : {missing}. En-têtes trouvés ({location}) : {found}. Ajoutez ces colonnes ou renommez les en-têtes, comme dans le modèle."
    )]
    MissingColumns {
        missing: String,
        location: String,
        found: String,
    },
    #[error(
        "L'en-tête n'est suivi d'aucune ligne de données : remplissez le fichier sous les en-têtes."
    )]
    NoDataRows,
    #[error(
        "Ce fichier JSON au format DECP décrit des marchés : importez-le comme registre des marchés."
    )]
    NotARegister,
    #[error(
        "Le fichier JSON ne peut pas être lu ({0}) : vérifiez qu'il est complet (un téléchargement interrompu le coupe) et qu'il s'agit bien des données DECP telles que publiées, puis renvoyez-le."
    )]
    JsonUnreadable(String),
    #[error(
        "Ce fichier JSON n'est pas au format DECP : il n'a ni liste « marches » ni liste de marchés. Envoyez le fichier DECP tel que publié (format 2019 ou 2024)."
    )]
    NotDecp,
    #[error(
        "Ce fichier DECP ne contient aucun marché d'un acheteur de votre périmètre ({others} marché(s) d'autres acheteurs ignoré(s)) : vérifiez l'acheteur choisi ou le fichier envoyé."
    )]
    NoDecpRecord { others: String },
}

/// A problem on one cell or row, located as the user sees it in their spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowProblem {
    pub sheet: String,
    /// The row number shown by the spreadsheet (1 for the first row).
    pub row: u32,
    /// The column's header as written in the file.
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
    /// The record's `id`, for a problem of a DECP file (whose `row` is then the record's
    /// position and `column` the field's JSON path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

/// Characters of a value kept in a report or an error workbook; the rest becomes "…". A value
/// is shown so the user finds the cell, not kept whole: a hostile cell would fill the database.
pub const KEPT_CHARS: usize = 200;

/// Problems kept in a report; the others are counted.
pub const KEPT_PROBLEMS: usize = 1_000;

/// `text` cut to [`KEPT_CHARS`] characters, "…" marking the cut.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(KEPT_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// `message` with every value quoted in it (« … ») cut as [`shorten`] does: messages repeat
/// the cell they are about, and the advice after the quote must stay.
fn shorten_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4 * KEPT_CHARS));
    let mut rest = message;
    while let Some(open) = rest.find('«') {
        let (before, quoted) = rest.split_at(open + '«'.len_utf8());
        out.push_str(before);
        let close = quoted.find('»').unwrap_or(quoted.len());
        out.push_str(&shorten(&quoted[..close]));
        rest = &quoted[close..];
    }
    out.push_str(rest);
    out
}

impl RowProblem {
    /// A problem with the values it shows cut to what locates them.
    pub fn new(
        sheet: &str,
        row: u32,
        column: Option<&str>,
        value: Option<&str>,
        message: &str,
    ) -> RowProblem {
        RowProblem {
            sheet: shorten(sheet),
            row,
            column: column.map(shorten),
            value: value.map(shorten),
            message: shorten_quotes(message),
            record: None,
        }
    }
}

/// The problems of one file: the first [`KEPT_PROBLEMS`] found, and how many others there are,
/// so that a file wrong on every row costs a bounded report.
#[derive(Debug, Default)]
pub struct Problems {
    kept: Vec<RowProblem>,
    left_out: usize,
}

impl Problems {
    /// Problems found so far, kept and counted.
    pub fn resume(kept: Vec<RowProblem>, left_out: usize) -> Problems {
        Problems { kept, left_out }
    }

    pub fn push(&mut self, problem: RowProblem) {
        if self.kept.len() < KEPT_PROBLEMS {
            self.kept.push(problem);
        } else {
            self.left_out += 1;
        }
    }

    /// Adds the problems of `other`.
    pub fn append(&mut self, other: Problems) {
        for problem in other.kept {
            self.push(problem);
        }
        self.left_out += other.left_out;
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The problems kept, in the order found, and the count of the others.
    pub fn into_parts(self) -> (Vec<RowProblem>, usize) {
        (self.kept, self.left_out)
    }

    pub fn kept(&self) -> &[RowProblem] {
        &self.kept
    }
}

/// A count with its thousands apart, as French writes it: 12 345.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_and_the_advice_stays() {
        let long = "9".repeat(5_000);
        let problem = RowProblem::new(
            "Feuille",
            3,
            Some("SIRET"),
            Some(&long),
            &format!("Le SIRET « {long} » n'a pas 14 chiffres : corrigez-le."),
        );
        assert_eq!(
            problem.value.as_ref().unwrap().chars().count(),
            KEPT_CHARS + 1
        );
        assert!(
            problem
                .message
                .ends_with("» n'a pas 14 chiffres : corrigez-le.")
        );
        assert!(problem.message.chars().count() < 2 * KEPT_CHARS);
        assert_eq!(shorten("court"), "court");
    }

    #[test]
    fn problems_past_the_bound_are_counted() {
        let mut problems = Problems::default();
        for row in 0..(KEPT_PROBLEMS as u32 + 5) {
            problems.push(RowProblem::new("F", row, None, None, "x"));
        }
        let (kept, left_out) = problems.into_parts();
        assert_eq!((kept.len(), left_out), (KEPT_PROBLEMS, 5));
    }
}
