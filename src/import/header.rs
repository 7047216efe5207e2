//! Finding the header row: anywhere in the first 20 rows of the first sheet that has every
//! required column, below title blocks, merged cells and notes.

use super::problem::FileProblem;
use super::profile::Profile;
use super::reader::Sheet;

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
            let mut header = Header {
                sheet: sheet_index,
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
            let complete =
                profile.columns.iter().enumerate().all(|(i, spec)| {
                    !spec.required || header.columns.iter().any(|(_, s, _)| *s == i)
                });
            if complete {
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
        .map(|h| format!("« {h} »"))
        .collect();
    Err(FileProblem::MissingColumns {
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
    })
}
