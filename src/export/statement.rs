//! The statement of one contract or one company: what the clauses owe, what was done, month
//! by month, with the cumulative hours against the expected line.

use rust_xlsxwriter::{Chart, ChartType, DocProperties, Workbook, XlsxError};

use super::clause_table;
use super::sheet::{self, Styles, Value, column};
use crate::indicators::statement::Statement;

pub const SUMMARY: &str = "Relevé";
pub const MONTHS: &str = "Mois par mois";

/// At most this many lots get a chart (the table holds them all).
const MAX_CHARTS: usize = 20;

pub fn workbook(statement: &Statement) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::default();
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "Relevé des clauses d'insertion — {}",
                statement.subject
            ))
            .set_author("suivi-clauses")
            .set_comment(statement.method.clone()),
    );
    summary(&mut book, &styles, statement)?;
    months(&mut book, &styles, statement)?;
    book.save_to_buffer()
}

fn summary(book: &mut Workbook, styles: &Styles, statement: &Statement) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name(SUMMARY)?;
    let lines = vec![
        format!("Situation au {}", statement.at.format("%d/%m/%Y")),
        statement.method.clone(),
    ];
    let top = sheet::heading(
        sheet,
        styles,
        &format!("Relevé des clauses d'insertion — {}", statement.subject),
        &lines,
    )? + 1;
    let clauses: Vec<_> = statement.lots.iter().map(|l| l.clause.clone()).collect();
    let count = clause_table::write(sheet, styles, top, &clauses)?;
    if count == 0 {
        sheet::note(
            sheet,
            styles,
            top + 1,
            clause_table::COLUMNS,
            "Aucun lot avec une clause d'insertion.",
        )?;
    }
    Ok(())
}

fn months(book: &mut Workbook, styles: &Styles, statement: &Statement) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name(MONTHS)?;
    let columns = [
        column("Référence marché", 16.0),
        column("Lot", 6.0),
        column("Mois", 12.0),
        column("Heures déclarées (h)", 14.0),
        column("dont formation (h)", 14.0),
        column("Cumul déclaré (h)", 14.0),
        column("Attendu cumulé (h)", 14.0),
    ];
    let rows: Vec<Vec<Value>> = statement
        .lots
        .iter()
        .flat_map(|l| {
            l.months.iter().map(|m| {
                vec![
                    Value::text(&l.clause.reference),
                    clause_table::lot_value(l.clause.lot),
                    Value::Month(m.month),
                    Value::Hours(m.hours),
                    Value::Hours(m.training),
                    Value::Hours(m.cumulative),
                    Value::or_empty(m.expected, Value::Hours),
                ]
            })
        })
        .collect();
    sheet::table(sheet, styles, 0, &columns, rows)?;
    // One chart per lot, beside the table: cumulative hours against the expected line.
    let mut first = 1u32;
    for (i, lot) in statement.lots.iter().enumerate() {
        let n = lot.months.len() as u32;
        if n == 0 {
            continue;
        }
        let last = first + n - 1;
        if i < MAX_CHARTS {
            let mut chart = Chart::new(ChartType::Line);
            let name = match lot.clause.lot {
                0 => format!("Marché {}", lot.clause.reference),
                n => format!("Marché {}, lot {n}", lot.clause.reference),
            };
            chart
                .title()
                .set_name(format!("{name} : heures cumulées et attendu").as_str());
            chart
                .add_series()
                .set_name("Cumul déclaré")
                .set_categories((MONTHS, first, 2, last, 2))
                .set_values((MONTHS, first, 5, last, 5));
            chart
                .add_series()
                .set_name("Attendu cumulé")
                .set_categories((MONTHS, first, 2, last, 2))
                .set_values((MONTHS, first, 6, last, 6));
            chart.set_alt_text(format!(
                "{name} : heures cumulées déclarées et attendues, mois par mois ; les valeurs sont dans le tableau, lignes {} à {}.",
                first + 1,
                last + 1
            ));
            sheet.insert_chart(i as u32 * 17, 8, &chart)?;
        }
        first = last + 1;
    }
    Ok(())
}
