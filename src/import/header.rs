//! Finding the header row: anywhere in the first 20 rows of the first sheet that has every
//! required column, below title blocks, merged cells and notes.

use super::problem::{FileProblem, shorten};
use super::profile::Profile;
use super::reader::{Row, Sheet};

/// How far down a header row may be.
pub const HEADER_SEARCH_ROWS: u32 = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub sheet: usize,
    /// Row number as the user sees it.
    pub row: u32,
    /// (column index in the file, column index in the profile, header as written).
    pub columns: Vec<(u32, usize, String)>,
    /// Headers of the row that match no column of the profile: ignored, with a warning.
    pub unknown: Vec<String>,
}

/// The header row: the first row, within `HEADER_SEARCH_ROWS` of the top of a sheet, that has
/// every required column. Without one, the closest row says which columns are missing.
pub fn locate(sheets: &[Sheet], profile: &Profile) -> Result<Header, FileProblem> {
    let mut best: Option<(usize, Header)> = None;
    for (sheet_index, sheet) in sheets.iter().enumerate() {
        let first = match sheet.rows.first() {
            Some(row) => row.number,
            None => continue,
        };
        for row in sheet
            .rows
            .iter()
            .take_while(|r| r.number < first + HEADER_SEARCH_ROWS)
        {
            let header = read_header(sheet_index, row, profile);
            if has_required_columns(&header, profile) {
                return Ok(header);
            }
            if best
                .as_ref()
                .is_none_or(|(score, _)| header.columns.len() > *score)
            {
                best = Some((header.columns.len(), header));
            }
        }
    }
    let Some((_, closest)) = best else {
        return Err(FileProblem::Empty);
    };
    Err(missing_columns(&closest, sheets, profile))
}

/// The row read as a header: each cell matched to a profile column, once, or unknown.
fn read_header(sheet: usize, row: &Row, profile: &Profile) -> Header {
    let mut header = Header {
        sheet,
        row: row.number,
        columns: Vec::new(),
        unknown: Vec::new(),
    };
    for (column, cell) in &row.cells {
        let written = cell.display();
        match profile.column_for_header(&written) {
            Some(spec) if !header.columns.iter().any(|(_, s, _)| *s == spec) => {
                header.columns.push((*column, spec, written))
            }
            _ => header.unknown.push(written),
        }
    }
    header
}

fn has_required_columns(header: &Header, profile: &Profile) -> bool {
    profile
        .columns
        .iter()
        .enumerate()
        .all(|(i, spec)| !spec.required || header.columns.iter().any(|(_, s, _)| *s == i))
}

/// What the closest row lacks, and what it has, for the person to fix their headers.
fn missing_columns(closest: &Header, sheets: &[Sheet], profile: &Profile) -> FileProblem {
    let missing: Vec<String> = profile
        .columns
        .iter()
        .enumerate()
        .filter(|(i, spec)| spec.required && !closest.columns.iter().any(|(_, s, _)| s == i))
        .map(|(_, spec)| format!("« {} »", spec.header))
        .collect();
    let found: Vec<String> = closest
        .columns
        .iter()
        .map(|(_, _, written)| written.clone())
        .chain(closest.unknown.iter().cloned())
        .map(|h| format!("« {} »", shorten(&h)))
        .collect();
    FileProblem::MissingColumns {
        missing: missing.join(", "),
        location: format!(
            "feuille « {} », ligne {}",
            sheets[closest.sheet].name, closest.row
        ),
        found: if found.is_empty() {
            "aucun".to_owned()
        } else {
            found.join(", ")
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::profile::ValueType;
    use crate::import::reader::Cell;

    fn profile() -> Profile {
        let text = r#"
            kind = "structures"
            [[columns]]
            key = "siret"
            header = "SIRET"
            type = "siret"
            required = true
            [[columns]]
            key = "name"
            header = "Raison sociale"
            type = "text"
            required = true
        "#;
        let expected = [("siret", ValueType::Siret), ("name", ValueType::Text)];
        Profile::parse("test.toml", text, &expected).unwrap()
    }

    fn row(number: u32, cells: &[&str]) -> Row {
        Row {
            number,
            cells: cells
                .iter()
                .enumerate()
                .map(|(c, text)| (c as u32, Cell::Text((*text).to_owned())))
                .collect(),
        }
    }

    fn sheet(rows: Vec<Row>) -> Sheet {
        Sheet {
            name: "Feuil1".to_owned(),
            rows,
        }
    }

    #[test]
    fn the_header_is_found_under_a_title_with_unknown_columns_noted() {
        let sheets = [sheet(vec![
            row(1, &["Structures 2025"]),
            row(3, &["N°", "SIRET", "Raison sociale", "SIRET"]),
        ])];
        let header = locate(&sheets, &profile()).unwrap();
        assert_eq!(header.row, 3);
        assert_eq!(header.columns.len(), 2);
        assert_eq!(header.unknown, ["N°", "SIRET"]);
    }

    #[test]
    fn without_a_header_the_closest_row_says_what_is_missing() {
        let sheets = [sheet(vec![row(2, &["SIRET", "Ville"])])];
        let problem = locate(&sheets, &profile()).unwrap_err();
        assert_eq!(
            problem,
            FileProblem::MissingColumns {
                missing: "« Raison sociale »".to_owned(),
                location: "feuille « Feuil1 », ligne 2".to_owned(),
                found: "« SIRET », « Ville »".to_owned(),
            }
        );
        let far = [sheet(vec![
            row(1, &["Titre"]),
            row(1 + HEADER_SEARCH_ROWS, &["SIRET", "Raison sociale"]),
        ])];
        assert!(locate(&far, &profile()).is_err());
        assert_eq!(
            locate(&[sheet(Vec::new())], &profile()),
            Err(FileProblem::Empty)
        );
    }
}
