//! The table of clauses, the same in the compliance workbook and in statements: one row per
//! lot with a clause, its target, what was counted, its status coloured, the expected, the
//! projected and the missing hours, the penalty.

use rust_xlsxwriter::{
    Color, ConditionalFormatDataBar, ConditionalFormatText, ConditionalFormatTextRule, Format,
    Worksheet, XlsxError,
};

use super::sheet::{self, Column, Styles, Value, column};
use crate::domain::{ClauseStatus, Labelled};
use crate::indicators::clauses::ClauseView;

pub const COLUMNS: &[Column] = &[
    column("SIRET acheteur", 19.0),
    column("Référence marché", 16.0),
    column("Objet", 40.0),
    column("Lot", 6.0),
    column("Intitulé du lot", 28.0),
    column("Notification", 13.0),
    column("Fin", 13.0),
    column("Objectif (h)", 13.0),
    column("Réalisé retenu (h)", 14.0),
    column("Réalisation", 12.0),
    column("Statut", 20.0),
    column("Attendu à date (h)", 14.0),
    column("Projeté en fin (h)", 14.0),
    column("Heures manquantes", 14.0),
    column("Pénalité encourue", 15.0),
    column("Heures déclarées (h)", 14.0),
    column("Origine de l'objectif", 14.0),
    column("En attente de validation (h)", 14.0),
];

/// Where the realisation rate and the status are (J and K).
const REALISATION_COLUMN: u16 = 9;
const STATUS_COLUMN: u16 = 10;

/// A lot's number, or "Unique" for a contract without lots.
pub fn lot_value(lot: i32) -> Value {
    if lot == 0 {
        Value::text("Unique")
    } else {
        Value::Count(lot.into())
    }
}

fn row(c: &ClauseView) -> Vec<Value> {
    let a = c.assessment.as_ref();
    vec![
        Value::text(&c.buyer_siret),
        Value::text(&c.reference),
        Value::text(&c.object),
        lot_value(c.lot),
        Value::or_empty(c.lot_title.clone(), Value::Text),
        Value::Date(c.start),
        Value::or_empty(c.end, Value::Date),
        Value::Hours(c.target),
        Value::Hours(c.counted),
        Value::or_empty(a.and_then(|a| a.realisation), Value::Rate),
        Value::text(c.status_label.unwrap_or("Sans date de fin")),
        Value::or_empty(a.map(|a| a.expected), Value::Hours),
        Value::or_empty(a.and_then(|a| a.projected), Value::Hours),
        Value::or_empty(a.map(|a| a.missing), Value::Hours),
        Value::or_empty(a.and_then(|a| a.penalty), Value::Money),
        Value::Hours(c.worked),
        Value::text(c.target_source_label()),
        Value::Hours(c.pending),
    ]
}

/// Writes the table with its header at `header_row`; returns the number of clauses.
pub fn write(
    sheet: &mut Worksheet,
    styles: &Styles,
    header_row: u32,
    clauses: &[ClauseView],
) -> Result<u32, XlsxError> {
    let count = sheet::table(sheet, styles, header_row, COLUMNS, clauses.iter().map(row))?;
    if count == 0 {
        return Ok(0);
    }
    let (first, last) = (header_row + 1, header_row + count);
    let colours = [
        (ClauseStatus::Behind, 0xFF_C7_CE, 0x9C_00_06),
        (ClauseStatus::EndedShort, 0xFF_C7_CE, 0x9C_00_06),
        (ClauseStatus::OnTrack, 0xC6_EF_CE, 0x00_61_00),
        (ClauseStatus::Fulfilled, 0xC6_EF_CE, 0x00_61_00),
        (ClauseStatus::NotStarted, 0xFF_EB_9C, 0x9C_57_00),
    ];
    for (status, fill, font) in colours {
        sheet.add_conditional_format(
            first,
            STATUS_COLUMN,
            last,
            STATUS_COLUMN,
            &ConditionalFormatText::new()
                .set_rule(ConditionalFormatTextRule::BeginsWith(
                    status.label().to_owned(),
                ))
                .set_format(
                    Format::new()
                        .set_background_color(Color::RGB(fill))
                        .set_font_color(Color::RGB(font)),
                ),
        )?;
    }
    sheet.add_conditional_format(
        first,
        REALISATION_COLUMN,
        last,
        REALISATION_COLUMN,
        &ConditionalFormatDataBar::new(),
    )?;
    Ok(count)
}
