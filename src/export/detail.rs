//! The detail of hour entries, for facilitateurs: one row per participant × month × modality,
//! pseudonyms only. Read from the database page by page and written as it comes (xlsx in
//! constant-memory mode, or CSV), so a territory's whole history never sits in memory.

use std::io::{Seek, Write};

use rust_xlsxwriter::{DocProperties, Workbook};

use super::ExportError;
use super::csv_safe;
use super::sheet::{self, Column, Styles, Value, column};
use crate::domain::Labelled;
use crate::domain::decimal::format_fixed;
use crate::storage::DbConnection;
use crate::storage::indicators::{self as sums, DetailRow, HoursFilter};

/// Rows read from the database at a time.
const PAGE: i64 = 10_000;

pub const SHEET: &str = "Heures";

const COLUMNS: &[Column] = &[
    column("SIRET acheteur", 17.0),
    column("Référence marché", 16.0),
    column("Lot", 6.0),
    column("SIRET entreprise", 17.0),
    column("Entreprise", 30.0),
    column("Mois", 11.0),
    column("Identifiant participant", 20.0),
    column("Modalité", 20.0),
    column("SIRET structure d'insertion", 19.0),
    column("Heures travaillées", 12.0),
    column("Type de contrat", 22.0),
];

/// Calls `each` on every entry of the filter, in id order. The pages are read on a thread of
/// their own, one page ahead, so that reading the database and writing the file overlap: taking
/// turns, the export took 1.7 × a bare write of the same cells (benchmarks).
fn each_row(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    mut each: impl FnMut(&DetailRow) -> Result<(), ExportError>,
) -> Result<u64, ExportError> {
    let (sender, pages) = std::sync::mpsc::sync_channel::<Vec<DetailRow>>(1);
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || -> diesel::QueryResult<()> {
            // Ids start at 1 on both backends.
            let mut after = crate::storage::HourEntryId::from(0);
            loop {
                let page = sums::detail_page(conn, filter, after, PAGE)?;
                let next = match page.last() {
                    Some(last) if page.len() as i64 == PAGE => Some(last.id),
                    _ => None,
                };
                // Sending fails only once the writer has stopped on an error of its own.
                if sender.send(page).is_err() {
                    return Ok(());
                }
                match next {
                    Some(id) => after = id,
                    None => return Ok(()),
                }
            }
        });
        let mut count = 0;
        let written = pages.iter().try_for_each(|page| {
            page.iter().try_for_each(|row| {
                count += 1;
                each(row)
            })
        });
        drop(pages);
        let read = reading
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written?;
        read?;
        Ok(count)
    })
}

/// Writes the detail workbook to `out`; returns the number of entries.
pub fn xlsx(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    out: impl Write + Seek + Send,
) -> Result<u64, ExportError> {
    let styles = Styles::default();
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title("Détail des heures d'insertion")
            .set_author("suivi-clauses")
            .set_comment("Identifiants pseudonymes : données sur des personnes vulnérables, à ne pas diffuser."),
    );
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(SHEET)?;
    // Constant memory: rows go out in order, so the header, widths and set-up come first.
    sheet::header(sheet, &styles, 0, COLUMNS)?;
    // Each column holds one kind: its format is set once, not on each of a million cells.
    for (c, format) in [(2, &styles.count), (5, &styles.month), (9, &styles.hours)] {
        sheet.set_column_format(c, format)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet::print_setup(sheet, 0)?;
    let mut r = 0u32;
    let count = each_row(conn, filter, |row| {
        r += 1;
        let values = [
            Value::text(&row.buyer_siret),
            Value::text(&row.reference),
            if row.lot == 0 {
                Value::Empty
            } else {
                Value::Count(row.lot.into())
            },
            Value::text(&row.company_siret),
            Value::text(&row.company_name),
            Value::Month(row.month),
            Value::text(&row.pseudonym),
            Value::text(row.modality.label()),
            Value::or_empty(row.employer_siret.clone(), Value::Text),
            Value::Hours(row.hours),
            Value::or_empty(row.employment_contract, |c| Value::text(c.label())),
        ];
        for (c, value) in values.iter().enumerate() {
            sheet::write_in_column(sheet, r, c as u16, value)?;
        }
        Ok(())
    })?;
    sheet.autofilter(0, 0, r.max(1), COLUMNS.len() as u16 - 1)?;
    book.save_to_writer(out)?;
    Ok(count)
}

/// Writes the detail as CSV for a French spreadsheet: `;`, decimal comma, UTF-8 with a BOM so
/// that Excel reads the accents; cells that a spreadsheet would run as formulas neutralised.
pub fn csv(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    mut out: impl Write,
) -> Result<u64, ExportError> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut writer = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    writer.write_record(COLUMNS.iter().map(|c| c.header))?;
    let count = each_row(conn, filter, |row| {
        let month = format!("{:02}/{}", row.month.month(), row.month.year());
        let lot = if row.lot == 0 {
            String::new()
        } else {
            row.lot.to_string()
        };
        let record = [
            row.buyer_siret.as_str(),
            &row.reference,
            &lot,
            &row.company_siret,
            &row.company_name,
            &month,
            &row.pseudonym,
            row.modality.label(),
            row.employer_siret.as_deref().unwrap_or(""),
            &format_fixed(row.hours.hundredths(), 2).replace('.', ","),
            row.employment_contract.map_or("", Labelled::label),
        ];
        writer.write_record(record.iter().map(|v| csv_safe::cell(v).into_owned()))?;
        Ok(())
    })?;
    writer.flush()?;
    Ok(count)
}
