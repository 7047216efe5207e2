//! Reading a file into sheets of cells. Only cells that hold something are kept, so memory
//! follows the data, never the sheet's bounding box: a stray value at XFD1048576 costs one cell.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, DataRef, Reader};
use chrono::NaiveDateTime;

use super::format::FileFormat;
use super::limits::ImportLimits;
use super::problem::FileProblem;

/// Reads every sheet of a workbook through calamine's cell-by-cell reader (xlsx and xlsb have
/// one, with the same shape but different types).
macro_rules! stream_sheets {
    ($book:expr, $limits:expr) => {{
        let mut book = $book;
        let names = book.sheet_names();
        names
            .into_iter()
            .map(|name| {
                let mut reader = book.worksheet_cells_reader(&name).map_err(damaged)?;
                let mut rows = RowCollector::new($limits);
                while let Some(cell) = reader.next_cell().map_err(damaged)? {
                    rows.push(cell.get_position(), from_ref(cell.get_value()))?;
                }
                Ok(Sheet {
                    name,
                    rows: rows.finish(),
                })
            })
            .collect()
    }};
}

/// A cell as read: formulas by their cached value, dates as dates when the file says so.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Integer(i64),
    /// A spreadsheet number; turned into exact decimals by the column's parser, never stored.
    Number(f64),
    Bool(bool),
    DateTime(NaiveDateTime),
    Error(String),
}

impl Cell {
    /// The cell as the user sees it, for messages and text columns.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Error(s) => s.trim().to_owned(),
            Cell::Integer(i) => i.to_string(),
            Cell::Number(f) => format!("{f}"),
            Cell::Bool(true) => "VRAI".to_owned(),
            Cell::Bool(false) => "FAUX".to_owned(),
            Cell::DateTime(dt) if dt.time() == chrono::NaiveTime::MIN => {
                dt.format("%d/%m/%Y").to_string()
            }
            Cell::DateTime(dt) => dt.format("%d/%m/%Y %H:%M").to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// As the spreadsheet numbers it: 1 for the first row.
    pub number: u32,
    /// (column index from 0, cell), by column.
    pub cells: Vec<(u32, Cell)>,
}

impl Row {
    pub fn cell(&self, column: u32) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, cell)| cell)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
}

pub fn read(
    bytes: &[u8],
    format: FileFormat,
    limits: &ImportLimits,
) -> Result<Vec<Sheet>, FileProblem> {
    match format {
        FileFormat::Csv => read_csv(bytes, limits).map(|sheet| vec![sheet]),
        // Read against the register's profile by `decp::read`, never as a sheet of its own.
        FileFormat::Json => Err(FileProblem::NotARegister),
        FileFormat::Xlsx => stream_sheets!(
            calamine::Xlsx::new(Cursor::new(bytes)).map_err(damaged)?,
            limits
        ),
        FileFormat::Xlsb => stream_sheets!(
            calamine::Xlsb::new(Cursor::new(bytes)).map_err(damaged)?,
            limits
        ),
        // No streaming reader for these: calamine bounds them itself (xls by the format's 65 536
        // rows × 256 columns, ods by a cell cap).
        FileFormat::Xls => read_ranges(
            calamine::Xls::new(Cursor::new(bytes)).map_err(damaged)?,
            limits,
        ),
        FileFormat::Ods => read_ranges(
            calamine::Ods::new(Cursor::new(bytes)).map_err(damaged)?,
            limits,
        ),
    }
}

fn damaged(error: impl std::fmt::Display) -> FileProblem {
    FileProblem::Damaged(error.to_string())
}

fn read_ranges<RS, R>(mut book: R, limits: &ImportLimits) -> Result<Vec<Sheet>, FileProblem>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).map_err(damaged)?;
            let (top, left) = range.start().unwrap_or((0, 0));
            let mut rows = RowCollector::new(limits);
            for (row, column, value) in range.used_cells() {
                rows.push((top + row as u32, left + column as u32), from_data(value))?;
            }
            Ok(Sheet {
                name,
                rows: rows.finish(),
            })
        })
        .collect()
}

fn from_ref(value: &DataRef<'_>) -> Option<Cell> {
    match value {
        DataRef::Empty => None,
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Int(i) => Some(Cell::Integer(*i)),
        DataRef::Float(f) => Some(Cell::Number(*f)),
        DataRef::Bool(b) => Some(Cell::Bool(*b)),
        DataRef::DateTime(dt) => Some(
            dt.as_datetime()
                .map_or(Cell::Number(dt.as_f64()), Cell::DateTime),
        ),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s),
        DataRef::Error(e) => Some(Cell::Error(format!("#{e:?}"))),
    }
}

fn from_data(value: &Data) -> Option<Cell> {
    match value {
        Data::Empty => None,
        Data::String(s) => text(s),
        Data::Int(i) => Some(Cell::Integer(*i)),
        Data::Float(f) => Some(Cell::Number(*f)),
        Data::Bool(b) => Some(Cell::Bool(*b)),
        Data::DateTime(dt) => Some(
            dt.as_datetime()
                .map_or(Cell::Number(dt.as_f64()), Cell::DateTime),
        ),
        Data::DateTimeIso(s) | Data::DurationIso(s) => text(s),
        Data::Error(e) => Some(Cell::Error(format!("#{e:?}"))),
    }
}

/// Blank text is no value: a cell of spaces counts as empty.
fn text(s: &str) -> Option<Cell> {
    (!s.trim().is_empty()).then(|| Cell::Text(s.to_owned()))
}

/// Gathers cells into rows, refusing files with more filled rows than allowed.
struct RowCollector {
    rows: BTreeMap<u32, Vec<(u32, Cell)>>,
    max_rows: usize,
    /// Most cells met in one row: a new row reserves that many, since the rows of a table are
    /// alike (growing each row by doubling left a third of a large sheet's memory unused).
    widest: usize,
}

impl RowCollector {
    fn new(limits: &ImportLimits) -> Self {
        RowCollector {
            rows: BTreeMap::new(),
            max_rows: limits.max_rows,
            widest: 0,
        }
    }

    fn push(&mut self, (row, column): (u32, u32), cell: Option<Cell>) -> Result<(), FileProblem> {
        let Some(cell) = cell else { return Ok(()) };
        if !self.rows.contains_key(&row) && self.rows.len() >= self.max_rows {
            return Err(FileProblem::TooManyRows { max: self.max_rows });
        }
        let widest = self.widest;
        let cells = self
            .rows
            .entry(row)
            .or_insert_with(|| Vec::with_capacity(widest));
        cells.push((column, cell));
        self.widest = widest.max(cells.len());
        Ok(())
    }

    fn finish(self) -> Vec<Row> {
        self.rows
            .into_iter()
            .map(|(row, mut cells)| {
                cells.sort_by_key(|(c, _)| *c);
                Row {
                    number: row + 1,
                    cells,
                }
            })
            .collect()
    }
}

/// CSV from payroll or accounting exports: UTF-8 (with or without BOM) or Windows-1252, with
/// `;`, `,` or tab between fields, whichever the first lines use most.
fn read_csv(bytes: &[u8], limits: &ImportLimits) -> Result<Sheet, FileProblem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let decoded = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    };
    let delimiter = guess_delimiter(&decoded);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(decoded.as_bytes());
    let mut rows = RowCollector::new(limits);
    let bytes = decoded.as_bytes();
    let mut line_starts = LineCounter::default();
    for record in reader.records() {
        let record = record.map_err(damaged)?;
        // The record's own line: csv reports the blank lines it skipped as the record's start.
        let offset = record.position().map_or(0, |p| p.byte() as usize);
        let line = line_starts.line_of(bytes, offset);
        for (column, field) in record.iter().enumerate() {
            rows.push((line, column as u32), text(field))?;
        }
    }
    Ok(Sheet {
        name: "CSV".to_owned(),
        rows: rows.finish(),
    })
}

/// Line numbers (from 0) of byte offsets met in increasing order, counted once over the text.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: u32,
}

impl LineCounter {
    fn line_of(&mut self, bytes: &[u8], offset: usize) -> u32 {
        let mut start = offset.min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        let from = self.offset.min(start);
        self.line += bytes[from..start].iter().filter(|b| **b == b'\n').count() as u32;
        self.offset = start;
        self.line
    }
}

fn guess_delimiter(text: &str) -> u8 {
    let sample: Vec<&str> = text.lines().take(10).collect();
    [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|d| {
            let per_line: Vec<usize> = sample
                .iter()
                .map(|l| l.bytes().filter(|b| b == d).count())
                .collect();
            // The delimiter appears on most lines; a decimal comma appears here and there.
            (
                per_line.iter().filter(|n| **n > 0).count(),
                per_line.iter().sum::<usize>(),
            )
        })
        .unwrap_or(b';')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
        let sheet = read_csv(bytes, &ImportLimits::default()).unwrap();
        sheet
            .rows
            .iter()
            .map(|r| r.cells.iter().map(|(_, c)| c.display()).collect())
            .collect()
    }

    #[test]
    fn reads_csv_in_the_usual_encodings_and_separators() {
        assert_eq!(
            csv_rows(b"SIRET;Nom\n443;Caf\xc3\xa9\n"),
            [["SIRET", "Nom"], ["443", "Café"]]
        );
        assert_eq!(
            csv_rows(b"\xEF\xBB\xBFSIRET,Nom\n443,Caf\xc3\xa9\n")[0],
            ["SIRET", "Nom"]
        );
        assert_eq!(csv_rows(b"SIRET\tNom\n443\tCaf\xe9\n")[1], ["443", "Café"]);
        assert_eq!(
            csv_rows(b"Heures;Nom\n35,5;\"Dupont; fils\"\n")[1],
            ["35,5", "Dupont; fils"]
        );
    }

    #[test]
    fn keeps_row_numbers_as_the_user_sees_them_and_skips_blank_cells() {
        let sheet = read_csv(b"Titre\n\n;;\nSIRET;Nom\n", &ImportLimits::default()).unwrap();
        let numbers: Vec<u32> = sheet.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 4]);
    }

    #[test]
    fn a_row_after_blank_lines_keeps_its_own_number() {
        let sheet = read_csv(b"Liste\n\n\r\nSIRET;Nom\n1;a\n", &ImportLimits::default()).unwrap();
        let numbers: Vec<u32> = sheet.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 4, 5]);
    }

    #[test]
    fn refuses_too_many_rows() {
        let limits = ImportLimits {
            max_rows: 2,
            ..ImportLimits::default()
        };
        assert_eq!(
            read_csv(b"a\nb\nc\n", &limits),
            Err(FileProblem::TooManyRows { max: 2 })
        );
    }
}
