//! Writing the statements: staged a chunk at a time, each chunk committed on its own, then
//! published by the import's final transaction.

use std::collections::{BTreeSet, HashSet};

use super::statement::Statement;
use crate::domain::{Role, review};
use crate::import::progress::Progress;
use crate::storage::staged_hours::{self, StagedEntry};
use crate::storage::{DbConnection, ImportId, LotId, buyers, work_contracts, write_transaction};

/// Stages every statement of the import, `chunk_rows` to a transaction: a large file neither
/// holds one transaction open while it is written nor has all its entries copied at once.
/// The hours wait for validation, unless a facilitateur sent them on lots whose buyer
/// validates those at import.
pub fn stage(
    conn: &mut DbConnection,
    statements: &[Statement],
    import_id: ImportId,
    uploader: Role,
    chunk_rows: usize,
    progress: &mut dyn Progress,
) -> diesel::QueryResult<()> {
    let validating = lots_validated_at_import(conn, statements, uploader)?;
    for chunk in statements.chunks(chunk_rows.max(1)) {
        let entries: Vec<StagedEntry> = chunk
            .iter()
            .map(|s| StagedEntry {
                import_id,
                row_number: i32::try_from(s.row).unwrap_or(i32::MAX),
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
        write_transaction(conn, |conn| staged_hours::stage(conn, &entries))?;
        chunk.iter().for_each(|_| progress.row_written());
    }
    Ok(())
}

fn lots_validated_at_import(
    conn: &mut DbConnection,
    statements: &[Statement],
    uploader: Role,
) -> diesel::QueryResult<HashSet<LotId>> {
    if !review::may_review(uploader) {
        return Ok(HashSet::new());
    }
    let lot_ids: Vec<LotId> = statements.iter().map(|s| s.entry.lot_id).collect();
    buyers::lots_validating_reviewers_imports(conn, &lot_ids)
}

/// What a statement's publication changed.
pub struct Published {
    /// One French line per value replaced with other hours, for the report.
    pub replaced: Vec<String>,
    /// The lots whose figures moved: the file's, and those the derived contracts of its
    /// participants serve (derived again from all their hours, for any buyer).
    pub lots: BTreeSet<LotId>,
}

/// Publishes what `stage` wrote, replacing earlier values of the same key, and derives again
/// the contracts of the file's participants. The caller provides the transaction.
pub fn publish(
    conn: &mut DbConnection,
    statements: &[Statement],
    import_id: ImportId,
) -> diesel::QueryResult<Published> {
    let replaced = staged_hours::publish(conn, import_id, statements.len())?;
    let participants: Vec<_> = statements.iter().map(|s| s.entry.participant_id).collect();
    let mut lots = work_contracts::rederive(conn, &participants)?;
    lots.extend(statements.iter().map(|s| s.entry.lot_id));
    let replaced = replaced
        .iter()
        .map(|r| {
            format!(
                "Ligne {} : {} remplacent {} déclarées auparavant.",
                r.row_number, r.hours, r.previous
            )
        })
        .collect();
    Ok(Published { replaced, lots })
}
