//! The « À faire » list as a workbook: one row per item, the most urgent first, with the
//! figures of its kind in their own columns.

use chrono::NaiveDate;
use rust_xlsxwriter::{DocProperties, Workbook, XlsxError};

use super::clause_table::lot_value;
use super::sheet::{self, Column, Styles, Value, column};
use crate::domain::Labelled;
use crate::indicators::followup::{Figures, FollowupItem};

pub const SHEET: &str = "À faire";

const COLUMNS: &[Column] = &[
    column("Type", 26.0),
    column("Depuis le", 12.0),
    column("SIRET acheteur", 19.0),
    column("Acheteur", 28.0),
    column("Référence marché", 16.0),
    column("Lot", 6.0),
    column("SIRET entreprise", 19.0),
    column("Entreprise", 28.0),
    column("Mois", 11.0),
    column("Fin", 12.0),
    column("Heures (h)", 12.0),
    column("Heures manquantes (h)", 14.0),
    column("Pénalité", 14.0),
    column("Détail", 60.0),
];

/// The figures of each kind in the columns Mois, Fin, Heures, Heures manquantes, Pénalité.
fn figures(item: &FollowupItem) -> [Value; 5] {
    match &item.figures {
        Figures::MissingStatement { end, last_month } => [
            Value::or_empty(*last_month, Value::Month),
            Value::Date(*end),
            Value::Empty,
            Value::Empty,
            Value::Empty,
        ],
        Figures::Clause { end, shortfall, .. } => [
            Value::Empty,
            Value::Date(*end),
            Value::Hours(shortfall.hours),
            Value::Hours(shortfall.missing),
            Value::or_empty(shortfall.penalty, Value::Money),
        ],
        Figures::PendingValidation { month, hours, .. } => [
            Value::Month(*month),
            Value::Empty,
            Value::Hours(*hours),
            Value::Empty,
            Value::Empty,
        ],
        Figures::EligibilityPending {
            first_month, hours, ..
        } => [
            Value::Month(*first_month),
            Value::Empty,
            Value::Hours(*hours),
            Value::Empty,
            Value::Empty,
        ],
        // The launch date is the row's « Depuis le »; the detail names the conditions.
        Figures::ObligationMissing { .. } => [
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
        ],
        Figures::QpvShare { end, shortfall } => [
            Value::Empty,
            Value::or_empty(*end, Value::Date),
            Value::Hours(shortfall.qpv),
            Value::Hours(shortfall.missing),
            Value::Empty,
        ],
        Figures::ExitFollowupDue { last_month, .. } => [
            Value::Month(*last_month),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
        ],
    }
}

fn row(item: &FollowupItem) -> Vec<Value> {
    let company = item.company.as_ref();
    let mut values = vec![
        Value::text(item.kind.label()),
        Value::Date(item.since),
        Value::text(&item.buyer_siret),
        Value::text(&item.buyer_name),
        Value::text(&item.reference),
        // The whole contract: no lot.
        item.lot.map_or(Value::Empty, lot_value),
        Value::or_empty(company.map(|c| c.siret.clone()), Value::Text),
        Value::or_empty(company.map(|c| c.name.clone()), Value::Text),
    ];
    values.extend(figures(item));
    values.push(Value::Long(item.detail()));
    values
}

/// The items of `scope` at `today`, in the order given.
pub fn workbook<'a>(
    items: impl IntoIterator<Item = &'a FollowupItem>,
    scope: &str,
    today: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::default();
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title("À faire — suivi des clauses d'insertion")
            .set_author("suivi-clauses"),
    );
    let sheet = book.add_worksheet().set_name(SHEET)?;
    let lines = vec![
        format!("Au {} — {scope}", today.format("%d/%m/%Y")),
        "Du plus urgent au moins urgent : clauses en retard à moins de 90 jours de leur fin, clauses terminées sous l'objectif, relevés manquants, relevés à valider, éligibilités à valider, marchés sans la condition sociale ou environnementale requise.".to_owned(),
    ];
    let top = sheet::heading(sheet, &styles, "À faire", &lines)? + 1;
    let count = sheet::table(sheet, &styles, top, COLUMNS, items.into_iter().map(row))?;
    if count == 0 {
        sheet::note(sheet, &styles, top + 1, COLUMNS, "Rien à faire.")?;
    }
    book.save_to_buffer()
}
