//! Writing the statements, a batch at a time, in the import's transaction.

use super::statement::Statement;
use crate::import::progress::Progress;
use crate::storage::DbConnection;
use crate::storage::ImportId;
use crate::storage::hour_entries::{self, HourEntry};

/// Writes every statement, replacing earlier values of the same key; returns one French line per
/// value replaced, for the report. The caller provides the transaction.
pub fn write(
    conn: &mut DbConnection,
    statements: &[Statement],
    import_id: ImportId,
    progress: &mut dyn Progress,
) -> diesel::QueryResult<Vec<String>> {
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
    Ok(replaced)
}
