//! Writing the statements, a batch at a time, in the import's transaction.

use std::collections::HashSet;

use super::statement::Statement;
use crate::domain::{Role, review};
use crate::import::progress::Progress;
use crate::storage::ImportId;
use crate::storage::hour_entries::{self, HourEntry};
use crate::storage::{DbConnection, LotId, buyers, work_contracts};

/// Writes every statement, replacing earlier values of the same key; returns one French line per
/// value replaced, for the report. The caller provides the transaction. The hours wait for
/// validation, unless a facilitateur sent them on lots whose buyer validates those at import.
/// The contracts derived from the hours of the file's participants are derived again.
pub fn write(
    conn: &mut DbConnection,
    statements: &[Statement],
    import_id: ImportId,
    uploader: Role,
    progress: &mut dyn Progress,
) -> diesel::QueryResult<Vec<String>> {
    let validating = if review::may_review(uploader) {
        let lot_ids: Vec<LotId> = statements.iter().map(|s| s.entry.lot_id).collect();
        buyers::lots_validating_reviewers_imports(conn, &lot_ids)?
    } else {
        HashSet::new()
    };
    let mut replaced = Vec::new();
    // A batch at a time: the entries are never all copied at once.
    for batch in statements.chunks(hour_entries::BATCH) {
        let entries: Vec<HourEntry> = batch
            .iter()
            .map(|s| HourEntry {
                lot_id: s.entry.lot_id,
                company_id: s.entry.company_id,
                participant_id: s.entry.participant_id,
                month: s.entry.month,
                modality: s.entry.modality,
                insertion_employer_id: s.insertion_employer_id,
                hours: s.hours,
                employment_contract: s.employment_contract,
                review: review::state_at_import(uploader, validating.contains(&s.entry.lot_id)),
            })
            .collect();
        let previous =
            hour_entries::upsert_all(conn, &entries, import_id, || progress.row_written())?;
        replaced.extend(batch.iter().zip(previous).filter_map(|(s, previous)| {
            previous.filter(|p| *p != s.hours).map(|previous| {
                format!(
                    "Ligne {} : {} remplacent {} déclarées auparavant.",
                    s.row, s.hours, previous
                )
            })
        }));
    }
    let participants: Vec<_> = statements.iter().map(|s| s.entry.participant_id).collect();
    work_contracts::rederive(conn, &participants)?;
    Ok(replaced)
}
