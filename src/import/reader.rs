//! Reading a file into sheets of cells. Only cells that hold something are kept, so memory
//! follows the data, never the sheet's bounding box: a stray value at XFD1048576 costs one cell.
//! A large statement is never held whole: the importer looks for its header in the first rows
//! of each sheet (`heads`), then takes the rows of one sheet as they are read (`with_rows`).

use std::io::Cursor;
use std::ops::ControlFlow;

use calamine::{Data, DataRef, ExcelDateTime, Reader};
use chrono::NaiveDateTime;

use super::duration;
use super::format::FileFormat;
use super::limits::ImportLimits;
use super::problem::FileProblem;

/// Rows handed over from the reading thread at a time, and batches waiting at most.
const BATCH_ROWS: usize = 1_024;
const BATCHES_AHEAD: usize = 4;

/// Called with each row of each sheet read (sheet index, row); `Break` leaves that sheet.
type Visit<'v> = dyn FnMut(usize, Row) -> ControlFlow<()> + 'v;

/// Reads the sheets `wanted` of a workbook through calamine's cell-by-cell reader (xlsx and xlsb
/// have one, with the same shape but different types); returns every sheet's name.
macro_rules! scan_cells {
    ($book:expr, $limits:expr, $wanted:expr, $visit:expr) => {{
        let mut book = $book;
        let names = book.sheet_names();
        for (index, name) in names.iter().enumerate().filter(|(i, _)| $wanted(*i)) {
            let mut reader = book.worksheet_cells_reader(name).map_err(damaged)?;
            let mut rows = RowBuilder::new($limits);
            loop {
                let Some(cell) = reader.next_cell().map_err(damaged)? else {
                    if let Some(row) = rows.finish() {
                        let _ = $visit(index, row);
                    }
                    break;
                };
                if let Some(row) = rows.push(cell.get_position(), from_ref(cell.get_value()))?
                    && $visit(index, row).is_break()
                {
                    break;
                }
            }
        }
        Ok(names)
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
    /// A duration in seconds: a `[h]:mm` cell, or a time of day without a date, which in a
    /// statement is hours worked ("7:30").
    Duration(i64),
    Error(String),
    /// Text longer than a spreadsheet cell may hold: only its start is kept, to show where it
    /// is; its column refuses it.
    TooLong {
        start: String,
        chars: usize,
    },
}

/// The most characters a cell may hold: Excel's own limit, so no spreadsheet program writes
/// more and a longer cell is a hostile or damaged file.
pub const MAX_CELL_CHARS: usize = 32_767;

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
            Cell::Duration(seconds) => duration::display(*seconds),
            Cell::TooLong { start, .. } => format!("{start}…"),
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

/// Every sheet, whole: for files kept small by their format, and for the error workbook, which
/// shows the file as it was sent.
pub fn read(
    bytes: &[u8],
    format: FileFormat,
    limits: &ImportLimits,
) -> Result<Vec<Sheet>, FileProblem> {
    let mut rows: Vec<Vec<Row>> = Vec::new();
    let names = scan(bytes, format, limits, &|_| true, &mut |index, row| {
        if rows.len() <= index {
            rows.resize_with(index + 1, Vec::new);
        }
        rows[index].push(row);
        ControlFlow::Continue(())
    })?;
    Ok(sheets(names, rows))
}

/// The first rows of every sheet: those numbered below the sheet's first filled row plus
/// `depth`, where a header may be. The rest of each sheet is not read.
pub fn heads(
    bytes: &[u8],
    format: FileFormat,
    limits: &ImportLimits,
    depth: u32,
) -> Result<Vec<Sheet>, FileProblem> {
    let mut rows: Vec<Vec<Row>> = Vec::new();
    let names = scan(bytes, format, limits, &|_| true, &mut |index, row| {
        if rows.len() <= index {
            rows.resize_with(index + 1, Vec::new);
        }
        let first = rows[index].first().map_or(row.number, |r| r.number);
        if row.number >= first.saturating_add(depth) {
            return ControlFlow::Break(());
        }
        rows[index].push(row);
        ControlFlow::Continue(())
    })?;
    Ok(sheets(names, rows))
}

fn sheets(names: Vec<String>, rows: Vec<Vec<Row>>) -> Vec<Sheet> {
    let mut rows = rows.into_iter();
    names
        .into_iter()
        .map(|name| Sheet {
            name,
            rows: rows.next().unwrap_or_default(),
        })
        .collect()
}

/// The rows of sheet `index`, given to `consume` as they are read: the file is read on a thread
/// of its own, a batch of rows ahead, so that a large statement is never held whole and reading
/// overlaps the checks. A problem met while reading is the result, whatever `consume` made of
/// the rows before it.
pub fn with_rows<T>(
    bytes: &[u8],
    format: FileFormat,
    limits: &ImportLimits,
    index: usize,
    consume: impl FnOnce(&mut dyn Iterator<Item = Row>) -> T,
) -> Result<T, FileProblem> {
    let (sender, batches) = std::sync::mpsc::sync_channel::<Vec<Row>>(BATCHES_AHEAD);
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH_ROWS);
            let read = scan(bytes, format, limits, &|i| i == index, &mut |_, row| {
                batch.push(row);
                if batch.len() < BATCH_ROWS {
                    return ControlFlow::Continue(());
                }
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
                // Sending fails only once the consumer has stopped: nothing left to read for.
                match sender.send(full) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(_) => ControlFlow::Break(()),
                }
            });
            if !batch.is_empty() {
                let _ = sender.send(batch);
            }
            read.map(|_| ())
        });
        let value = consume(&mut batches.iter().flatten());
        // Unblocks the reader if `consume` stopped before the end.
        drop(batches);
        match reading.join() {
            Ok(read) => read.map(|()| value),
            Err(_) => Err(FileProblem::Damaged(
                "la lecture s'est interrompue".to_owned(),
            )),
        }
    })
}

/// Reads the sheets `wanted`, each row to `visit`; returns every sheet's name.
fn scan(
    bytes: &[u8],
    format: FileFormat,
    limits: &ImportLimits,
    wanted: &dyn Fn(usize) -> bool,
    visit: &mut Visit<'_>,
) -> Result<Vec<String>, FileProblem> {
    match format {
        FileFormat::Csv => {
            if wanted(0) {
                scan_csv(bytes, limits, &mut |row| visit(0, row))?;
            }
            Ok(vec!["CSV".to_owned()])
        }
        // Read against the register's profile by `decp::read`, never as a sheet of its own.
        FileFormat::Json => Err(FileProblem::NotARegister),
        FileFormat::Xlsx => scan_cells!(
            calamine::Xlsx::new(Cursor::new(bytes)).map_err(damaged)?,
            limits,
            wanted,
            visit
        ),
        FileFormat::Xlsb => scan_cells!(
            calamine::Xlsb::new(Cursor::new(bytes)).map_err(damaged)?,
            limits,
            wanted,
            visit
        ),
        // No streaming reader for these: calamine bounds them itself (xls by the format's 65 536
        // rows × 256 columns, ods by a cell cap).
        FileFormat::Xls => scan_ranges(
            calamine::Xls::new(Cursor::new(bytes)).map_err(damaged)?,
            limits,
            wanted,
            visit,
        ),
        FileFormat::Ods => scan_ranges(
            calamine::Ods::new(Cursor::new(bytes)).map_err(damaged)?,
            limits,
            wanted,
            visit,
        ),
    }
}

fn damaged(error: impl std::fmt::Display) -> FileProblem {
    FileProblem::Damaged(error.to_string())
}

fn scan_ranges<RS, R>(
    mut book: R,
    limits: &ImportLimits,
    wanted: &dyn Fn(usize) -> bool,
    visit: &mut Visit<'_>,
) -> Result<Vec<String>, FileProblem>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let names = book.sheet_names();
    for (index, name) in names.iter().enumerate().filter(|(i, _)| wanted(*i)) {
        let range = book.worksheet_range(name).map_err(damaged)?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows = RowBuilder::new(limits);
        let mut cells = range.used_cells();
        loop {
            let Some((row, column, value)) = cells.next() else {
                if let Some(row) = rows.finish() {
                    let _ = visit(index, row);
                }
                break;
            };
            let position = (top + row as u32, left + column as u32);
            if let Some(row) = rows.push(position, from_data(value))?
                && visit(index, row).is_break()
            {
                break;
            }
        }
    }
    Ok(names)
}

fn from_ref(value: &DataRef<'_>) -> Option<Cell> {
    match value {
        DataRef::Empty => None,
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Int(i) => Some(Cell::Integer(*i)),
        DataRef::Float(f) => Some(Cell::Number(*f)),
        DataRef::Bool(b) => Some(Cell::Bool(*b)),
        DataRef::DateTime(dt) => Some(date_time(dt)),
        DataRef::DateTimeIso(s) => text(s),
        DataRef::DurationIso(s) => iso_duration(s),
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
        Data::DateTime(dt) => Some(date_time(dt)),
        Data::DateTimeIso(s) => text(s),
        Data::DurationIso(s) => iso_duration(s),
        Data::Error(e) => Some(Cell::Error(format!("#{e:?}"))),
    }
}

/// A cell formatted as a date, a time or a duration. A duration format (`[h]:mm`), or a value
/// under one day (a time with no date), is a duration; anything else a date and time.
fn date_time(dt: &ExcelDateTime) -> Cell {
    let days = dt.as_f64();
    if (dt.is_duration() || (0.0..1.0).contains(&days))
        && let Some(seconds) = duration::from_days(days)
    {
        return Cell::Duration(seconds);
    }
    dt.as_datetime().map_or(Cell::Number(days), Cell::DateTime)
}

/// OpenDocument's time cells, durations and times of day alike ("PT151H30M00S").
fn iso_duration(s: &str) -> Option<Cell> {
    match duration::from_iso(s) {
        Some(seconds) => Some(Cell::Duration(seconds)),
        None => text(s),
    }
}

/// Blank text is no value: a cell of spaces counts as empty. Text past [`MAX_CELL_CHARS`] is
/// not copied: its start and length are all that is kept of it.
fn text(s: &str) -> Option<Cell> {
    if s.trim().is_empty() {
        return None;
    }
    // Bytes bound characters from above: most cells are decided without counting.
    if s.len() <= MAX_CELL_CHARS {
        return Some(Cell::Text(s.to_owned()));
    }
    let chars = s.chars().count();
    if chars <= MAX_CELL_CHARS {
        return Some(Cell::Text(s.to_owned()));
    }
    let start = crate::import::problem::shorten(s.trim_start());
    Some(Cell::TooLong {
        start: start.trim_end_matches('…').to_owned(),
        chars,
    })
}

/// Gathers cells, met row after row, into rows; refuses files with more filled rows than
/// allowed.
struct RowBuilder {
    current: Option<Row>,
    rows: usize,
    max_rows: usize,
    /// Most cells met in one row: a new row reserves that many, since the rows of a table are
    /// alike.
    widest: usize,
}

impl RowBuilder {
    fn new(limits: &ImportLimits) -> Self {
        RowBuilder {
            current: None,
            rows: 0,
            max_rows: limits.max_rows,
            widest: 0,
        }
    }

    /// Adds a cell (row and column from 0); returns the row before it once a new row begins.
    fn push(
        &mut self,
        (row, column): (u32, u32),
        cell: Option<Cell>,
    ) -> Result<Option<Row>, FileProblem> {
        let Some(cell) = cell else { return Ok(None) };
        let number = row + 1;
        match &mut self.current {
            Some(current) if current.number == number => {
                current.cells.push((column, cell));
                return Ok(None);
            }
            // Spreadsheets write their rows in order; the format requires it.
            Some(current) if number < current.number => {
                return Err(FileProblem::Damaged(format!(
                    "la ligne {number} vient après la ligne {}",
                    current.number
                )));
            }
            _ => {}
        }
        if self.rows >= self.max_rows {
            return Err(FileProblem::TooManyRows { max: self.max_rows });
        }
        self.rows += 1;
        let mut cells = Vec::with_capacity(self.widest.max(1));
        cells.push((column, cell));
        let done = self.current.replace(Row { number, cells });
        Ok(done.map(|row| self.seal(row)))
    }

    /// The last row, once every cell is read.
    fn finish(&mut self) -> Option<Row> {
        self.current.take().map(|row| self.seal(row))
    }

    fn seal(&mut self, mut row: Row) -> Row {
        row.cells.sort_by_key(|(c, _)| *c);
        self.widest = self.widest.max(row.cells.len());
        row
    }
}

/// The text of a CSV export: UTF-16 after its byte-order mark (Excel's « Texte Unicode »),
/// else UTF-8 (with or without BOM), else Windows-1252.
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Some(encoding) = super::format::utf16_encoding(bytes) {
        return encoding.decode_with_bom_removal(bytes).0;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// CSV from payroll or accounting exports, in the encodings `decode` reads, with `;`, `,` or
/// tab between fields, whichever the first lines use most.
fn scan_csv(
    bytes: &[u8],
    limits: &ImportLimits,
    visit: &mut dyn FnMut(Row) -> ControlFlow<()>,
) -> Result<(), FileProblem> {
    let decoded = decode(bytes);
    let delimiter = guess_delimiter(&decoded);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(decoded.as_bytes());
    let mut rows = RowBuilder::new(limits);
    let bytes = decoded.as_bytes();
    let mut line_starts = LineCounter::default();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(damaged)? {
        // The record's own line: csv reports the blank lines it skipped as the record's start.
        let offset = record.position().map_or(0, |p| p.byte() as usize);
        let line = line_starts.line_of(bytes, offset);
        for (column, field) in record.iter().enumerate() {
            if let Some(row) = rows.push((line, column as u32), text(field))?
                && visit(row).is_break()
            {
                return Ok(());
            }
        }
    }
    if let Some(row) = rows.finish() {
        let _ = visit(row);
    }
    Ok(())
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

    fn read_csv(bytes: &[u8], limits: &ImportLimits) -> Result<Sheet, FileProblem> {
        read(bytes, FileFormat::Csv, limits).map(|mut sheets| sheets.remove(0))
    }

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
        let unicode_text = |big_endian: bool| -> Vec<u8> {
            let text = "SIRET\tNom\r\n443\tCafé\r\n";
            let units = text.encode_utf16().flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            });
            let bom: &[u8] = if big_endian { b"\xFE\xFF" } else { b"\xFF\xFE" };
            bom.iter().copied().chain(units).collect()
        };
        assert_eq!(csv_rows(&unicode_text(false))[1], ["443", "Café"]);
        assert_eq!(csv_rows(&unicode_text(true))[1], ["443", "Café"]);
    }

    #[test]
    fn durations_and_times_without_a_date_are_durations() {
        use calamine::ExcelDateTimeType::{DateTime, TimeDelta};
        let cell = |days, kind| date_time(&ExcelDateTime::new(days, kind, false));
        assert_eq!(cell(6.3125, TimeDelta), Cell::Duration(545_400));
        assert_eq!(cell(0.3125, DateTime), Cell::Duration(27_000));
        let march = NaiveDateTime::parse_from_str("2025-03-01 00:00", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(cell(45_717.0, DateTime), Cell::DateTime(march));
        assert_eq!(
            from_data(&Data::DurationIso("PT151H30M00S".into())),
            Some(Cell::Duration(545_400))
        );
        assert_eq!(
            from_data(&Data::DurationIso("bientôt".into())),
            Some(Cell::Text("bientôt".into()))
        );
        assert_eq!(Cell::Duration(545_400).display(), "151:30");
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

    fn numbered_csv(rows: u32) -> Vec<u8> {
        let mut text = String::from("Titre\n\nSIRET;Heures\n");
        for n in 0..rows {
            text.push_str(&format!("{n};7\n"));
        }
        text.into_bytes()
    }

    #[test]
    fn heads_stop_where_a_header_can_no_longer_be() {
        let bytes = numbered_csv(5_000);
        let heads = heads(&bytes, FileFormat::Csv, &ImportLimits::default(), 20).unwrap();
        let numbers: Vec<u32> = heads[0].rows.iter().map(|r| r.number).collect();
        // The title on line 1: rows 1 to 20, the blank line 2 not being a row.
        assert_eq!(numbers.first(), Some(&1));
        assert_eq!(numbers.last(), Some(&20));
        assert_eq!(numbers.len(), 19);
    }

    #[test]
    fn rows_come_in_order_across_batches() {
        let bytes = numbered_csv(3 * BATCH_ROWS as u32 + 7);
        let numbers = with_rows(
            &bytes,
            FileFormat::Csv,
            &ImportLimits::default(),
            0,
            |rows| rows.map(|r| r.number).collect::<Vec<u32>>(),
        )
        .unwrap();
        let expected: Vec<u32> = std::iter::once(1)
            .chain(3..=3 * BATCH_ROWS as u32 + 7 + 3)
            .collect();
        assert_eq!(numbers, expected);
    }

    #[test]
    fn a_reading_problem_met_late_is_the_result() {
        let bytes = numbered_csv(3 * BATCH_ROWS as u32);
        let limits = ImportLimits {
            max_rows: 2 * BATCH_ROWS + 10,
            ..ImportLimits::default()
        };
        let mut seen = 0;
        let read = with_rows(&bytes, FileFormat::Csv, &limits, 0, |rows| {
            seen = rows.count();
        });
        assert_eq!(
            read,
            Err(FileProblem::TooManyRows {
                max: limits.max_rows
            })
        );
        assert!(
            seen >= 2 * BATCH_ROWS,
            "rows were checked before the problem: {seen}"
        );
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
