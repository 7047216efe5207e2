//! How every exported sheet looks: one set of formats, tables with a bold frozen header,
//! autofilter, widths and print set-up, and values written by type so that text is always text.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, IntoExcelData, Worksheet, XlsxError,
};

use crate::domain::{Hours, Money, Month, Rate};

/// A4, in Excel's paper numbering.
const PAPER_A4: u8 = 9;

/// The formats of every workbook. Number formats use Excel's invariant notation; Excel and
/// LibreOffice show them with the reader's French separators ("1 234,50").
pub struct Styles {
    pub title: Format,
    pub subtitle: Format,
    pub header: Format,
    pub text: Format,
    pub wrapped: Format,
    pub hours: Format,
    pub money: Format,
    pub rate: Format,
    pub count: Format,
    pub date: Format,
    pub month: Format,
    pub note: Format,
}

impl Default for Styles {
    fn default() -> Styles {
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color(Color::RGB(0x00_00_91))
            .set_font_color(Color::White)
            .set_border(FormatBorder::Thin);
        Styles {
            title: Format::new().set_bold().set_font_size(16),
            subtitle: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x3A_3A_3A)),
            header,
            text: top(),
            wrapped: top().set_text_wrap(),
            hours: top().set_num_format("#,##0.00"),
            money: top().set_num_format("#,##0.00\\ \"€\""),
            rate: top().set_num_format("0.0%"),
            count: top().set_num_format("#,##0"),
            date: top().set_num_format("dd/mm/yyyy"),
            month: top().set_num_format("mmm yyyy"),
            note: Format::new()
                .set_italic()
                .set_text_wrap()
                .set_align(FormatAlign::Top),
        }
    }
}

/// Values sit at the top of their cell: in a row made high by one cell's wrapped text, the
/// others stay beside its first line.
fn top() -> Format {
    Format::new().set_align(FormatAlign::Top)
}

/// One cell's value, by what it means.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    /// Wrapped text (methods, messages).
    Long(String),
    Hours(Hours),
    /// A count in hundredths that is not hours (full-time equivalents), shown like hours.
    Hundredths(i64),
    Money(Money),
    /// An amount worked out in cents (the part or whole of a share), shown like money.
    Cents(i64),
    Rate(Rate),
    Count(i64),
    Date(NaiveDate),
    Month(Month),
    Empty,
}

impl Value {
    pub fn text(text: impl Into<String>) -> Value {
        Value::Text(text.into())
    }

    pub fn or_empty<T>(value: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
        value.map_or(Value::Empty, f)
    }
}

pub fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(
        u16::try_from(date.year()).unwrap_or(1900),
        date.month() as u8,
        date.day() as u8,
    )
}

/// Writes one value with the format of its kind. Text is written as a string: a company name
/// starting with "=" is shown as typed, never evaluated.
pub fn write(
    sheet: &mut Worksheet,
    styles: &Styles,
    row: u32,
    column: u16,
    value: &Value,
) -> Result<(), XlsxError> {
    let format = match value {
        Value::Text(_) | Value::Empty => &styles.text,
        Value::Long(_) => &styles.wrapped,
        Value::Hours(_) | Value::Hundredths(_) => &styles.hours,
        Value::Money(_) | Value::Cents(_) => &styles.money,
        Value::Rate(_) => &styles.rate,
        Value::Count(_) => &styles.count,
        Value::Date(_) => &styles.date,
        Value::Month(_) => &styles.month,
    };
    put(sheet, row, column, value, Some(format))
}

/// Writes one value without a format of its own: the cell shows with its column's
/// (`set_column_format`). Each cell format is found by hashing the whole `Format`, which took
/// a tenth of a million-row export (benchmarks); a sheet whose columns each hold one kind sets
/// them once instead.
pub fn write_in_column(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: &Value,
) -> Result<(), XlsxError> {
    put(sheet, row, column, value, None)
}

fn put(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: &Value,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    fn cell(
        sheet: &mut Worksheet,
        row: u32,
        column: u16,
        data: impl IntoExcelData,
        format: Option<&Format>,
    ) -> Result<(), XlsxError> {
        match format {
            Some(format) => sheet.write_with_format(row, column, data, format)?,
            None => sheet.write(row, column, data)?,
        };
        Ok(())
    }
    match value {
        Value::Text(text) | Value::Long(text) => cell(sheet, row, column, text.as_str(), format),
        Value::Hours(h) => cell(sheet, row, column, h.hundredths() as f64 / 100.0, format),
        Value::Money(m) => cell(sheet, row, column, m.cents() as f64 / 100.0, format),
        Value::Hundredths(n) | Value::Cents(n) => {
            cell(sheet, row, column, *n as f64 / 100.0, format)
        }
        Value::Rate(r) => cell(
            sheet,
            row,
            column,
            r.basis_points() as f64 / 10_000.0,
            format,
        ),
        Value::Count(n) => cell(sheet, row, column, *n as f64, format),
        Value::Date(d) => cell(sheet, row, column, excel_date(*d)?, format),
        Value::Month(m) => cell(sheet, row, column, excel_date(m.first_day())?, format),
        Value::Empty => Ok(()),
    }
}

/// A column of a table: its French header and width in characters.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub width: f64,
}

pub const fn column(header: &'static str, width: f64) -> Column {
    Column { header, width }
}

/// Landscape A4, one page wide, the rows up to `header_row` repeated on every printed page,
/// page numbers in the footer.
pub fn print_setup(sheet: &mut Worksheet, header_row: u32) -> Result<(), XlsxError> {
    sheet
        .set_landscape()
        .set_paper_size(PAPER_A4)
        .set_print_fit_to_pages(1, 0)
        .set_footer("&L&A&RPage &P / &N");
    sheet.set_repeat_rows(0, header_row)?;
    Ok(())
}

/// Points of one line of text in the workbooks' font (Calibri 11): Excel's default row height.
pub const LINE_HEIGHT: f64 = 15.0;

/// Characters of text on one line per unit of column width (the width of a digit in Calibri),
/// with room for the wider font LibreOffice draws where Calibri is not installed (DejaVu Sans)
/// and for bold headers.
const CHARACTERS_PER_WIDTH: f64 = 0.8;

/// The lines `text` takes once wrapped at spaces in a column `width` characters wide; a word
/// longer than a line is broken where it reaches the edge, as Excel and LibreOffice do.
pub fn wrapped_lines(text: &str, width: f64) -> u32 {
    let per_line = ((width * CHARACTERS_PER_WIDTH).floor() as usize).max(1);
    text.split('\n')
        .map(|paragraph| paragraph_lines(paragraph, per_line))
        .sum()
}

fn paragraph_lines(paragraph: &str, per_line: usize) -> u32 {
    let (mut lines, mut used) = (1, 0);
    for word in paragraph.split_whitespace() {
        let length = word.chars().count();
        if used > 0 && used + 1 + length <= per_line {
            used += 1 + length;
            continue;
        }
        if used > 0 {
            lines += 1;
        }
        lines += ((length - 1) / per_line) as u32;
        used = (length - 1) % per_line + 1;
    }
    lines
}

/// Gives `row` the height of `lines` lines of text: neither Excel nor LibreOffice fits a row
/// to wrapped text when printing, and a row left at one line draws its text over the next
/// (the one rule for every row of wrapped text).
pub fn set_lines(sheet: &mut Worksheet, row: u32, lines: u32) -> Result<(), XlsxError> {
    if lines > 1 {
        sheet.set_row_height(row, f64::from(lines) * LINE_HEIGHT)?;
    }
    Ok(())
}

/// `set_lines` for the tallest of these wrapped texts, each given with its width.
pub fn fit_row<'a>(
    sheet: &mut Worksheet,
    row: u32,
    texts: impl IntoIterator<Item = (&'a str, f64)>,
    at_least: u32,
) -> Result<(), XlsxError> {
    let lines = texts
        .into_iter()
        .map(|(text, width)| wrapped_lines(text, width))
        .fold(at_least, u32::max);
    set_lines(sheet, row, lines)
}

/// Writes a value in a cell `width` characters wide, wrapping text that does not fit (cut
/// short by the next cell otherwise); returns the lines it takes.
fn write_fitted(
    sheet: &mut Worksheet,
    styles: &Styles,
    (row, column): (u32, u16),
    value: &Value,
    width: f64,
) -> Result<u32, XlsxError> {
    let text = match value {
        Value::Text(text) | Value::Long(text) => text,
        _ => return write(sheet, styles, row, column, value).map(|()| 1),
    };
    let lines = wrapped_lines(text, width);
    if lines > 1 || matches!(value, Value::Long(_)) {
        put(sheet, row, column, value, Some(&styles.wrapped))?;
    } else {
        write(sheet, styles, row, column, value)?;
    }
    Ok(lines)
}

/// A note in italics under a table, across its columns, its row as high as its text.
pub fn note(
    sheet: &mut Worksheet,
    styles: &Styles,
    row: u32,
    columns: &[Column],
    text: &str,
) -> Result<(), XlsxError> {
    let last = columns.len().saturating_sub(1) as u16;
    if last == 0 {
        sheet.write_string_with_format(row, 0, text, &styles.note)?;
    } else {
        sheet.merge_range(row, 0, row, last, text, &styles.note)?;
    }
    let width = columns.iter().map(|c| c.width).sum();
    fit_row(sheet, row, [(text, width)], 1)
}

/// Writes a table with its header at `header_row`: frozen below the header, filterable, with
/// its column widths and print set-up, text too long for its column wrapped and each row as
/// high as its text. Returns the number of data rows.
pub fn table(
    sheet: &mut Worksheet,
    styles: &Styles,
    header_row: u32,
    columns: &[Column],
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> Result<u32, XlsxError> {
    header(sheet, styles, header_row, columns)?;
    let mut count = 0;
    for values in rows {
        count += 1;
        let row = header_row + count;
        let mut lines = 1;
        for (c, value) in values.iter().enumerate() {
            let width = columns.get(c).map_or(f64::INFINITY, |column| column.width);
            lines = lines.max(write_fitted(sheet, styles, (row, c as u16), value, width)?);
        }
        set_lines(sheet, row, lines)?;
    }
    let last_column = columns.len().saturating_sub(1) as u16;
    sheet.autofilter(header_row, 0, header_row + count.max(1), last_column)?;
    sheet.set_freeze_panes(header_row + 1, 0)?;
    print_setup(sheet, header_row)?;
    Ok(count)
}

/// The header row and column widths of a table.
pub fn header(
    sheet: &mut Worksheet,
    styles: &Styles,
    row: u32,
    columns: &[Column],
) -> Result<(), XlsxError> {
    for (c, column) in columns.iter().enumerate() {
        sheet.set_column_width(c as u16, column.width)?;
        sheet.write_string_with_format(row, c as u16, column.header, &styles.header)?;
    }
    // Two lines at least, so that headers line up from one table to the next.
    let texts = columns.iter().map(|c| (c.header, c.width));
    fit_row(sheet, row, texts, 2)
}

/// A title line and the lines under it (scope, period, date).
pub fn heading(
    sheet: &mut Worksheet,
    styles: &Styles,
    title: &str,
    lines: &[String],
) -> Result<u32, XlsxError> {
    sheet.write_string_with_format(0, 0, title, &styles.title)?;
    sheet.set_row_height(0, 24)?;
    for (i, line) in lines.iter().enumerate() {
        sheet.write_string_with_format(1 + i as u32, 0, line, &styles.subtitle)?;
    }
    Ok(1 + lines.len() as u32)
}
