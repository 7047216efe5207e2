//! The statements of a file: each row through its checks as it is read, then the checks across
//! rows.

use super::across_rows;
use super::checks;
use super::context::Context;
use super::row::StatementRow;
use super::statement::{EntryKey, Statement};
use crate::import::kinds::lots::{LotCell, LotsByReference, lot_of_row};
use crate::import::problem::Problems;
use crate::import::profile::Profile;
use crate::import::refusal::Refusal;
use crate::import::reporter::Reporter;
use crate::import::rows::ParsedRow;

/// The statements of the rows that pass every check, in the file's order. Rows are taken as
/// they come: a large statement is never held but as checked statements.
pub fn validate(
    profile: &Profile,
    sheet: &str,
    rows: impl IntoIterator<Item = ParsedRow>,
    context: &Context,
    problems: &mut Problems,
) -> Vec<Statement> {
    let mut report = Reporter::new(sheet, profile, problems);
    let lots = LotsByReference::new(&context.lots);
    let mut statements = Vec::new();
    for row in rows {
        let Some(row) = StatementRow::read(profile, &row) else {
            continue; // its empty required cells are already reported
        };
        match statement_of(&row, &lots, context) {
            Ok(statement) => statements.push(statement),
            Err(refusal) => report.refuse(row.number, refusal),
        }
    }
    let mut refused = across_rows::refuse_repeated(&mut statements, &mut report);
    refused.extend(across_rows::refuse_past_ceiling(
        &mut statements,
        context.max_hours_per_month,
        &refused,
        &mut report,
    ));
    statements.retain(|s| !refused.contains(&s.row));
    statements.sort_unstable_by_key(|s| s.row);
    statements
}

/// The row's statement, once it passes each check in turn.
fn statement_of(
    row: &StatementRow,
    lots: &LotsByReference<'_>,
    context: &Context,
) -> Result<Statement, Refusal> {
    let cell = LotCell {
        reference: &row.reference,
        lot: row.lot,
    };
    let lot = lot_of_row(&cell, lots.get(&row.reference))?;
    checks::clause_not_closed(row, lot, context)?;
    checks::company_is_own(row, context)?;
    let company_id = checks::company_known(row, context)?;
    checks::company_holds_lot(row, lot, company_id, context)?;
    checks::month_within_contract(row, lot)?;
    let participant_id = checks::participant_known(row, context)?;
    let insertion_employer_id = checks::insertion_employer(row, context)?;
    Ok(Statement {
        row: row.number,
        entry: EntryKey {
            lot_id: lot.lot_id,
            company_id,
            participant_id,
            month: row.month,
            modality: row.modality,
        },
        insertion_employer_id,
        hours: row.hours,
        employment_contract: row.employment_contract,
    })
}
