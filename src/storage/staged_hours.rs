//! Hour entries staged by an import: written in chunks, each committed on its own, then
//! published into `hour_entries` by the import's final transaction. Nothing else reads them,
//! so a failure or a crash before the publication leaves nothing visible; what an unfinished
//! import staged is discarded.

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use super::schema::{hour_entries, imports, staged_hour_entries};
use super::{Backend, CompanyId, DbConnection, ImportId, LotId, ParticipantId, now};
use crate::domain::{
    EmploymentContract, Hours, ImportStatus, Labelled, Modality, Month, ReviewState,
};

/// An entry as the import will write it, with the row of the file it comes from.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = staged_hour_entries, treat_none_as_default_value = false)]
pub struct StagedEntry {
    pub import_id: ImportId,
    pub row_number: i32,
    pub lot_id: LotId,
    pub company_id: CompanyId,
    pub participant_id: ParticipantId,
    pub month: Month,
    pub modality: Modality,
    pub insertion_employer_id: Option<CompanyId>,
    pub hours: Hours,
    pub employment_contract: Option<EmploymentContract>,
    pub review: ReviewState,
}

/// Rows per INSERT on SQLite: 11 values each, under its 32 766 bound variables. The statement,
/// always of this many rows, is prepared once per connection; the remainder is one more.
const SQLITE_ROWS: usize = 500;

/// Adds entries to the staging table; the caller provides the transaction. PostgreSQL takes
/// them in one `COPY` (binary), SQLite in multi-row INSERTs of a fixed size.
pub fn stage(conn: &mut DbConnection, entries: &[StagedEntry]) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(pg) => {
            diesel::copy_from(staged_hour_entries::table)
                .from_insertable(entries)
                .execute(pg)?;
        }
        DbConnection::Sqlite(sqlite) => {
            let mut full = entries.chunks_exact(SQLITE_ROWS);
            for rows in &mut full {
                let rows: &[StagedEntry; SQLITE_ROWS] = rows.try_into().expect("an exact chunk");
                diesel::insert_into(staged_hour_entries::table)
                    .values(rows)
                    .execute(sqlite)?;
            }
            if !full.remainder().is_empty() {
                diesel::insert_into(staged_hour_entries::table)
                    .values(full.remainder())
                    .execute(sqlite)?;
            }
        }
    }
    Ok(())
}

/// A stored value a staged entry replaces with other hours: the file's row, the hours it
/// brings and those it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct Replacement {
    pub row_number: i32,
    pub hours: Hours,
    pub previous: Hours,
}

/// Moves the import's staged entries into `hour_entries`, as `hour_entries::upsert` does one
/// by one: a stored entry of the same key is kept as it was (for undoing) and replaced, the
/// others are added. Returns, in the file's order, the values replaced with other hours. The
/// caller provides the transaction.
pub fn publish(
    conn: &mut DbConnection,
    import_id: ImportId,
    rows: usize,
) -> QueryResult<Vec<Replacement>> {
    let replacements = replacements(conn, import_id)?;
    let at = now();
    keep_replaced(conn, import_id)?;
    let mut written = 0;
    match (conn.backend(), at_least_doubles(conn, rows)?) {
        (Backend::Sqlite, true) => with_only_the_key_index(conn, |conn| {
            written = upsert(conn, import_id, at)?;
            Ok(())
        })?,
        (Backend::Postgres, true) => {
            written = upsert(conn, import_id, at)?;
            // The planner's statistics still describe the table before: read by participant
            // next (derived contracts), a table ten times as large was scanned whole for each
            // thousand participants (docs/benchmarks.md). ANALYZE sees this transaction's rows
            // and blocks neither reads nor writes, only another ANALYZE or VACUUM of the table
            // until the commit; small publications leave it to autovacuum.
            if rows >= ANALYZED_FROM_ROWS {
                conn.batch_execute("ANALYZE hour_entries")?;
            }
        }
        (_, false) => written = upsert(conn, import_id, at)?,
    }
    // Another instance starting meanwhile may have taken a long publication for abandoned and
    // cleared its rows: the import then fails whole rather than succeed with entries missing.
    if written != rows {
        return Err(diesel::result::Error::QueryBuilderError(
            format!(
                "{written} entrées publiées sur les {rows} préparées par l'import {}",
                import_id.get()
            )
            .into(),
        ));
    }
    discard(conn, import_id)?;
    Ok(replacements)
}

/// Entries from which a publication that doubles the table analyzes it on PostgreSQL.
const ANALYZED_FROM_ROWS: usize = 100_000;

/// Whether `rows` entries at least double those stored (on PostgreSQL, ids that corrections
/// used up count as stored too: the test then errs on the side of doing nothing).
fn at_least_doubles(conn: &mut DbConnection, rows: usize) -> QueryResult<bool> {
    // The highest id, read from the end of the table, bounds the entries stored.
    let highest: Option<i64> = hour_entries::table
        .select(diesel::dsl::max(hour_entries::id))
        .first::<Option<super::HourEntryId>>(conn)?
        .map(super::HourEntryId::get);
    Ok(i64::try_from(rows).unwrap_or(i64::MAX) >= highest.unwrap_or(0))
}

#[derive(QueryableByName)]
struct IndexDefinition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    sql: String,
}

/// Runs `work` on SQLite with only the unique key's index on `hour_entries` (the one the
/// upsert needs): the others are dropped, then built again from the whole table, in the
/// caller's transaction, so that readers keep them until it commits. Building an index sorts
/// its rows once; adding a million rows to six indexes went through each a row at a time, and
/// once the changed pages outgrew the cache, through the WAL (docs/benchmarks.md).
fn with_only_the_key_index(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> QueryResult<()>,
) -> QueryResult<()> {
    // Those named in the migrations: the unique key's own index has no SQL.
    let indexes: Vec<IndexDefinition> = diesel::sql_query(
        "SELECT name, sql FROM sqlite_master
         WHERE type = 'index' AND tbl_name = 'hour_entries' AND sql IS NOT NULL",
    )
    .load(conn)?;
    for index in &indexes {
        conn.batch_execute(&format!("DROP INDEX \"{}\"", index.name))?;
    }
    work(conn)?;
    for index in &indexes {
        conn.batch_execute(&index.sql)?;
    }
    Ok(())
}

fn replacements(conn: &mut DbConnection, import_id: ImportId) -> QueryResult<Vec<Replacement>> {
    staged_hour_entries::table
        .inner_join(
            hour_entries::table.on(hour_entries::lot_id
                .eq(staged_hour_entries::lot_id)
                .and(hour_entries::company_id.eq(staged_hour_entries::company_id))
                .and(hour_entries::participant_id.eq(staged_hour_entries::participant_id))
                .and(hour_entries::month.eq(staged_hour_entries::month))
                .and(hour_entries::modality.eq(staged_hour_entries::modality))),
        )
        .filter(staged_hour_entries::import_id.eq(import_id))
        .filter(hour_entries::hours.ne(staged_hour_entries::hours))
        .select((
            staged_hour_entries::row_number,
            staged_hour_entries::hours,
            hour_entries::hours,
        ))
        .order(staged_hour_entries::row_number)
        .load(conn)
}

/// The stored entries the import replaces, kept as they were, once per import (as
/// `hour_entries::keep_replaced`).
const KEEP_REPLACED: &str = "
    INSERT INTO replaced_hour_entries (import_id, hour_entry_id, previous_import_id,
        insertion_employer_id, hours, employment_contract, review, review_reason, updated_at)
    SELECT s.import_id, h.id, h.import_id, h.insertion_employer_id, h.hours,
        h.employment_contract, h.review, h.review_reason, h.updated_at
    FROM staged_hour_entries s
    JOIN hour_entries h ON h.lot_id = s.lot_id AND h.company_id = s.company_id
        AND h.participant_id = s.participant_id AND h.month = s.month AND h.modality = s.modality
    WHERE s.import_id = $1 AND (h.import_id IS NULL OR h.import_id <> s.import_id)";

/// Every staged entry written: added, or replacing the stored one of its key (its creation
/// kept; a corrected statement is reviewed afresh, an earlier rejection's reason goes). The
/// SELECT reads only the staging table, so that SQLite need not copy it aside first, and in the
/// unique key's order: sorted once, the entries go into the key's index one page after the
/// other instead of at random places of an index larger than the cache (at 10 M rows the
/// write took 30 times as long as at 1 M, docs/benchmarks.md).
const UPSERT: &str = "
    INSERT INTO hour_entries (lot_id, company_id, participant_id, month, modality,
        insertion_employer_id, hours, employment_contract, import_id, created_at, updated_at,
        review, review_reason)
    SELECT lot_id, company_id, participant_id, month, modality, insertion_employer_id, hours,
        employment_contract, import_id, $2, $2, review, NULL
    FROM staged_hour_entries WHERE import_id = $1
    ORDER BY lot_id, company_id, participant_id, month, modality
    ON CONFLICT (lot_id, company_id, participant_id, month, modality) DO UPDATE SET
        insertion_employer_id = excluded.insertion_employer_id, hours = excluded.hours,
        employment_contract = excluded.employment_contract, import_id = excluded.import_id,
        updated_at = excluded.updated_at, review = excluded.review, review_reason = NULL";

/// The stored entries the import replaces, kept as they were.
fn keep_replaced(conn: &mut DbConnection, import_id: ImportId) -> QueryResult<()> {
    diesel::sql_query(spelled_for(conn, KEEP_REPLACED))
        .bind::<BigInt, _>(import_id.get())
        .execute(conn)
        .map(drop)
}

/// Every staged entry written, at `at`.
/// Returns how many entries were added or replaced.
fn upsert(conn: &mut DbConnection, import_id: ImportId, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::sql_query(spelled_for(conn, UPSERT))
        .bind::<BigInt, _>(import_id.get())
        .bind::<Timestamp, _>(at)
        .execute(conn)
}

/// The statements above are written with PostgreSQL's bind markers `$n`, which SQLite spells
/// `?n`.
fn spelled_for(conn: &DbConnection, sql: &str) -> String {
    match conn {
        DbConnection::Postgres(_) => sql.to_owned(),
        DbConnection::Sqlite(_) => sql.replace('$', "?"),
    }
}

/// Removes what the import staged: after its publication, or when it failed.
pub fn discard(conn: &mut DbConnection, import_id: ImportId) -> QueryResult<usize> {
    diesel::delete(staged_hour_entries::table.filter(staged_hour_entries::import_id.eq(import_id)))
        .execute(conn)
}

/// Removes what imports no longer running staged, and what those silent since `stale_before`
/// staged: their process is gone (an instance that crashed, or stopped while importing).
pub fn discard_abandoned(
    conn: &mut DbConnection,
    stale_before: NaiveDateTime,
) -> QueryResult<usize> {
    let live = imports::table
        .filter(imports::status.eq(ImportStatus::Running.code()))
        .filter(imports::heartbeat_at.ge(stale_before))
        .select(imports::id);
    diesel::delete(staged_hour_entries::table.filter(staged_hour_entries::import_id.ne_all(live)))
        .execute(conn)
}
