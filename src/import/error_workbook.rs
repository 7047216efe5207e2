//! The refused file given back to fix: the user's own rows at their own row numbers, an
//! "Erreurs" column saying what to change, and each faulty cell highlighted. Only the kind's
//! own columns are kept: a column the import ignores (names, phone numbers) is named in a
//! note, its values dropped, so that a refused file keeps no more than an accepted one.

use std::collections::HashMap;

use rust_xlsxwriter::{Color, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::header::Header;
use super::problem::{RowProblem, shorten};
use super::profile::Profile;
use super::reader::{Cell, Row, Sheet};

/// The file column a problem points at: by the header as written, or as the profile names it.
fn column_of(problem: &RowProblem, header: &Header, profile: &Profile) -> Option<u32> {
    let named = problem.column.as_deref()?;
    header
        .columns
        .iter()
        .find(|(_, spec, written)| written == named || profile.columns[*spec].header == named)
        .map(|(column, _, _)| *column)
}

/// The formats of the error workbook.
struct Formats {
    faulty: Format,
    bold: Format,
    errors: Format,
    date: Format,
    duration: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            faulty: Format::new()
                .set_background_color(Color::RGB(0xF8_C9_C4))
                .set_border(rust_xlsxwriter::FormatBorder::Thin),
            bold: Format::new().set_bold(),
            errors: Format::new()
                .set_font_color(Color::RGB(0x9C_00_06))
                .set_text_wrap(),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            duration: Format::new().set_num_format("[h]:mm:ss"),
        }
    }
}

pub fn write(
    sheet: &Sheet,
    header: &Header,
    profile: &Profile,
    problems: &[RowProblem],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let out = book.add_worksheet().set_name("À corriger")?;
    let formats = Formats::new();
    let last_column = header.columns.iter().map(|(c, _, _)| *c).max().unwrap_or(0);
    let errors_column = u16::try_from(last_column + 1)
        .unwrap_or(u16::MAX)
        .min(16_383);
    // Grouped once: a large refused file has many rows and many problems.
    let mut by_row: HashMap<u32, Vec<&RowProblem>> = HashMap::new();
    for problem in problems {
        by_row.entry(problem.row).or_default().push(problem);
    }
    for row in sheet.rows.iter().filter(|r| r.number >= header.row) {
        let row = own_columns(row, header);
        let row = &row;
        let row_problems = by_row.get(&row.number).map_or(&[][..], Vec::as_slice);
        let marked: Vec<u32> = row_problems
            .iter()
            .filter_map(|p| column_of(p, header, profile))
            .collect();
        write_row(out, row, row.number == header.row, &marked, &formats)?;
        let r = row.number - 1;
        if row.number == header.row {
            out.write_string_with_format(r, errors_column, "Erreurs", &formats.bold)?;
        } else if !row_problems.is_empty() {
            let text = errors_text(row_problems);
            out.write_string_with_format(r, errors_column, text, &formats.errors)?;
        }
    }
    out.set_column_width(errors_column, 80)?;
    out.set_freeze_panes(header.row, 0)?;
    if !header.unknown.is_empty() {
        write_note(book.add_worksheet(), &header.unknown)?;
    }
    book.save_to_buffer()
}

/// The row's cells under the kind's own columns.
fn own_columns(row: &Row, header: &Header) -> Row {
    Row {
        number: row.number,
        cells: row
            .cells
            .iter()
            .filter(|(c, _)| header.columns.iter().any(|(own, _, _)| own == c))
            .cloned()
            .collect(),
    }
}

/// The columns left out, by name.
fn write_note(note: &mut Worksheet, ignored: &[String]) -> Result<(), XlsxError> {
    let names: Vec<String> = ignored
        .iter()
        .map(|name| format!("« {} »", shorten(name)))
        .collect();
    note.set_name("Note")?;
    note.write_string(
        0,
        0,
        format!(
            "Colonnes ignorées par l'import, dont les valeurs n'ont pas été conservées : {}.",
            names.join(", ")
        ),
    )?;
    note.set_column_width(0, 120)?;
    Ok(())
}

/// The row's cells as sent, the `marked` ones highlighted (empty ones too), the header bold.
fn write_row(
    out: &mut Worksheet,
    row: &Row,
    is_header: bool,
    marked: &[u32],
    formats: &Formats,
) -> Result<(), XlsxError> {
    let r = row.number - 1;
    for (column, cell) in &row.cells {
        let Ok(c) = u16::try_from(*column) else {
            continue;
        };
        let mut format = if marked.contains(column) {
            formats.faulty.clone()
        } else {
            Format::new()
        };
        if is_header {
            format = format.set_bold();
        }
        write_cell(out, (r, c), cell, &format, formats)?;
    }
    // Problems pointing at an empty cell: highlight the cell itself.
    for column in marked.iter().filter(|c| row.cell(**c).is_none()) {
        if let Ok(c) = u16::try_from(*column) {
            out.write_blank(r, c, &formats.faulty)?;
        }
    }
    Ok(())
}

fn write_cell(
    out: &mut Worksheet,
    (r, c): (u32, u16),
    cell: &Cell,
    format: &Format,
    formats: &Formats,
) -> Result<(), XlsxError> {
    // Text is always written as text: a value starting with "=" never becomes a formula.
    match cell {
        Cell::Text(t) | Cell::Error(t) => out.write_string_with_format(r, c, shorten(t), format)?,
        Cell::TooLong { .. } => out.write_string_with_format(r, c, cell.display(), format)?,
        Cell::Integer(i) => out.write_number_with_format(r, c, *i as f64, format)?,
        Cell::Number(f) => out.write_number_with_format(r, c, *f, format)?,
        Cell::Bool(b) => out.write_boolean_with_format(r, c, *b, format)?,
        Cell::DateTime(dt) => {
            match ExcelDateTime::parse_from_str(&dt.format("%Y-%m-%dT%H:%M:%S").to_string()) {
                Ok(date) => out.write_datetime_with_format(r, c, &date, &formats.date)?,
                Err(_) => out.write_string_with_format(r, c, dt.to_string(), format)?,
            }
        }
        // As the spreadsheet held it: a fraction of a day.
        Cell::Duration(seconds) => {
            let days = *seconds as f64 / 86_400.0;
            out.write_number_with_format(r, c, days, &formats.duration)?
        }
    };
    Ok(())
}

/// What to change on a row, one line per problem, each after its column's header.
fn errors_text(problems: &[&RowProblem]) -> String {
    problems
        .iter()
        .map(|p| match &p.column {
            Some(column) => format!("{column} : {}", p.message),
            None => p.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
