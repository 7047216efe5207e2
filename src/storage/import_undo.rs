//! Undoing an hours import: the entries it created are removed, the values it replaced (kept in
//! `replaced_hour_entries` as they were) come back. The caller provides the transaction.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::located::located;
use super::rollups::{self, Entries};
use super::schema::{hour_entries, imports, replaced_hour_entries};
use super::{CompanyId, DbConnection, HourEntryId, ImportId, LotId, UserId, now};
use crate::domain::{EmploymentContract, Hours, ImportKind, ImportStatus, Labelled, ReviewState};

/// An import as undoing it needs it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = imports)]
pub struct UndoSubject {
    pub id: ImportId,
    pub kind: ImportKind,
    pub file_name: String,
    pub status: ImportStatus,
    pub uploaded_by: Option<UserId>,
    pub replaced_kept: bool,
}

pub fn subject(conn: &mut DbConnection, id: ImportId) -> QueryResult<Option<UndoSubject>> {
    located(conn, &["imports"], |conn| {
        imports::table
            .find(id)
            .select(UndoSubject::as_select())
            .first(conn)
            .optional()
    })
}

/// The lots the import's values lie on: those it wrote and still holds, and those it replaced.
pub fn lots_touched(conn: &mut DbConnection, id: ImportId) -> QueryResult<Vec<LotId>> {
    let replaced = replaced_hour_entries::table
        .filter(replaced_hour_entries::import_id.eq(id))
        .select(replaced_hour_entries::hour_entry_id);
    let mut lots: Vec<LotId> = hour_entries::table
        .filter(
            hour_entries::import_id
                .eq(id)
                .or(hour_entries::id.eq_any(replaced)),
        )
        .select(hour_entries::lot_id)
        .distinct()
        .load(conn)?;
    lots.sort_unstable();
    Ok(lots)
}

/// The imports, still standing, that have since replaced values this one wrote.
pub fn later_corrections(conn: &mut DbConnection, id: ImportId) -> QueryResult<Vec<ImportId>> {
    replaced_hour_entries::table
        .filter(replaced_hour_entries::previous_import_id.eq(id))
        .select(replaced_hour_entries::import_id)
        .distinct()
        .order(replaced_hour_entries::import_id)
        .load(conn)
}

/// What undoing changed: entries removed (the import created them) and restored (it had
/// replaced them), with the hours the import held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Undone {
    pub removed: usize,
    pub restored: usize,
    pub hours: Hours,
}

/// A kept value, as it was before the import replaced it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = replaced_hour_entries)]
struct Kept {
    hour_entry_id: HourEntryId,
    previous_import_id: Option<ImportId>,
    insertion_employer_id: Option<CompanyId>,
    hours: Hours,
    employment_contract: Option<EmploymentContract>,
    review: ReviewState,
    review_reason: Option<String>,
    updated_at: chrono::NaiveDateTime,
}

/// Records the import undone by `by_label`, if it still stands as imported: the first of two
/// undoings at once takes its row, the other then finds it undone. Returns whether it stood.
pub fn claim(conn: &mut DbConnection, id: ImportId, by_label: &str) -> QueryResult<bool> {
    let changed = diesel::update(
        imports::table
            .find(id)
            .filter(imports::status.eq(ImportStatus::Succeeded.code())),
    )
    .set((
        imports::status.eq(ImportStatus::Undone.code()),
        imports::undone_at.eq(Some(now())),
        imports::undone_by.eq(Some(by_label)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Removes what the import created and restores what it replaced. Refusals (scope, closed
/// clauses, later corrections) are the caller's to check first, in the same transaction.
pub fn undo(conn: &mut DbConnection, id: ImportId) -> QueryResult<Undone> {
    let hours: Hours = hour_entries::table
        .filter(hour_entries::import_id.eq(id))
        .select(sql::<BigInt>("COALESCE(CAST(SUM(hours) AS BIGINT), 0)"))
        .first(conn)?;
    let participants: Vec<super::ParticipantId> = hour_entries::table
        .filter(hour_entries::import_id.eq(id))
        .select(hour_entries::participant_id)
        .distinct()
        .load(conn)?;
    let kept: Vec<Kept> = located(conn, &["replaced_hour_entries"], |conn| {
        replaced_hour_entries::table
            .filter(replaced_hour_entries::import_id.eq(id))
            .select(Kept::as_select())
            .load(conn)
    })?;
    // Out of the roll-ups as they stand; the entries restored come back in below.
    rollups::remove_rows(conn, Entries::OfImport(id))?;
    let replaced = replaced_hour_entries::table
        .filter(replaced_hour_entries::import_id.eq(id))
        .select(replaced_hour_entries::hour_entry_id);
    let removed = diesel::delete(
        hour_entries::table
            .filter(hour_entries::import_id.eq(id))
            .filter(hour_entries::id.ne_all(replaced)),
    )
    .execute(conn)?;
    for value in &kept {
        restore(conn, value)?;
    }
    rollups::add_rows(conn, Entries::ReplacedBy(id))?;
    diesel::delete(replaced_hour_entries::table.filter(replaced_hour_entries::import_id.eq(id)))
        .execute(conn)?;
    // The contracts derived from these participants' hours follow the hours restored.
    super::work_contracts::rederive(conn, &participants)?;
    Ok(Undone {
        removed,
        restored: kept.len(),
        hours,
    })
}

fn restore(conn: &mut DbConnection, value: &Kept) -> QueryResult<()> {
    diesel::update(hour_entries::table.find(value.hour_entry_id))
        .set((
            hour_entries::import_id.eq(value.previous_import_id),
            hour_entries::insertion_employer_id.eq(value.insertion_employer_id),
            hour_entries::hours.eq(value.hours),
            hour_entries::employment_contract.eq(value.employment_contract),
            hour_entries::review.eq(value.review),
            hour_entries::review_reason.eq(&value.review_reason),
            hour_entries::updated_at.eq(value.updated_at),
        ))
        .execute(conn)
        .map(drop)
}
