//! The record of every import: fingerprint, who, when, outcome and report.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::imports;
use super::{BuyerId, DbConnection, ImportId, UserId, now};
use crate::domain::{ImportKind, ImportPhase, ImportStatus, Labelled};

/// A file about to be imported, as its job record starts.
pub struct NewImport<'a> {
    pub kind: ImportKind,
    pub buyer_id: Option<BuyerId>,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub uploaded_by: Option<UserId>,
}

/// How an import ended, written with its rows in the import's transaction.
pub struct Outcome<'a> {
    pub status: ImportStatus,
    pub rows_total: usize,
    pub rows_written: usize,
    pub error_count: usize,
    pub report: &'a str,
    pub error_workbook: Option<&'a [u8]>,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Records an import as running, committed on its own so that its progress can be followed
/// (from any instance) while the rows are checked and written.
pub fn start(conn: &mut DbConnection, new: &NewImport<'_>) -> QueryResult<ImportId> {
    let at = now();
    diesel::insert_into(imports::table)
        .values((
            imports::kind.eq(new.kind.code()),
            imports::buyer_id.eq(new.buyer_id),
            imports::file_name.eq(new.file_name),
            imports::sha256.eq(new.sha256),
            imports::uploaded_by.eq(new.uploaded_by),
            imports::status.eq(ImportStatus::Running.code()),
            imports::phase.eq(Some(ImportPhase::Reading.code())),
            imports::rows_total.eq(0),
            imports::rows_done.eq(0),
            imports::rows_written.eq(0),
            imports::error_count.eq(0),
            imports::created_at.eq(at),
            imports::started_at.eq(at),
            imports::heartbeat_at.eq(at),
            // The hour entries it replaces are kept (`staged_hours::publish`): it can be undone.
            imports::replaced_kept.eq(true),
        ))
        .returning(imports::id)
        .get_result(conn)
}

/// Where a running import stands; also its heartbeat. Ignored once the import has ended.
pub fn set_progress(
    conn: &mut DbConnection,
    id: ImportId,
    phase: ImportPhase,
    rows_done: usize,
    rows_total: usize,
) -> QueryResult<()> {
    diesel::update(
        imports::table
            .find(id)
            .filter(imports::status.eq(ImportStatus::Running.code())),
    )
    .set((
        imports::phase.eq(Some(phase.code())),
        imports::rows_done.eq(count(rows_done)),
        imports::rows_total.eq(count(rows_total)),
        imports::heartbeat_at.eq(now()),
    ))
    .execute(conn)
    .map(drop)
}

/// The end of an import: its outcome, report and, for a refused file, the annotated workbook.
pub fn finish(conn: &mut DbConnection, id: ImportId, outcome: &Outcome<'_>) -> QueryResult<()> {
    diesel::update(imports::table.find(id))
        .set((
            imports::status.eq(outcome.status.code()),
            imports::phase.eq(None::<&str>),
            imports::rows_total.eq(count(outcome.rows_total)),
            imports::rows_done.eq(count(outcome.rows_written)),
            imports::rows_written.eq(count(outcome.rows_written)),
            imports::error_count.eq(count(outcome.error_count)),
            imports::report.eq(outcome.report),
            imports::error_workbook.eq(outcome.error_workbook),
            imports::finished_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

/// Ends a running import that could not complete (its transaction was rolled back). With
/// `stale_before`, only if its heartbeat stopped before then: the process running it is gone.
/// Returns whether the import was still running.
pub fn abandon(
    conn: &mut DbConnection,
    id: ImportId,
    status: ImportStatus,
    report: &str,
    stale_before: Option<NaiveDateTime>,
) -> QueryResult<bool> {
    let running = imports::table
        .filter(imports::id.eq(id))
        .filter(imports::status.eq(ImportStatus::Running.code()));
    let changes = (
        imports::status.eq(status.code()),
        imports::phase.eq(None::<&str>),
        imports::error_count.eq(1),
        imports::report.eq(report),
        imports::finished_at.eq(now()),
    );
    // The heartbeat is tested in the update itself, so a job that just reported is left alone.
    let changed = match stale_before {
        Some(cutoff) => diesel::update(running.filter(imports::heartbeat_at.lt(cutoff)))
            .set(changes)
            .execute(conn)?,
        None => diesel::update(running).set(changes).execute(conn)?,
    };
    Ok(changed > 0)
}

/// An import as a job: where it stands and, once ended, its report.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = imports)]
pub struct JobRecord {
    pub id: ImportId,
    pub kind: ImportKind,
    pub file_name: String,
    pub uploaded_by: Option<UserId>,
    pub status: ImportStatus,
    pub phase: Option<ImportPhase>,
    pub rows_done: i32,
    pub rows_total: i32,
    pub rows_written: i32,
    pub error_count: i32,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub heartbeat_at: Option<NaiveDateTime>,
    pub report: Option<String>,
    pub undone_at: Option<NaiveDateTime>,
    pub undone_by: Option<String>,
}

pub fn job(conn: &mut DbConnection, id: ImportId) -> QueryResult<Option<JobRecord>> {
    super::located::located(conn, &["imports"], |conn| {
        imports::table
            .find(id)
            .select(JobRecord::as_select())
            .first(conn)
            .optional()
    })
}

/// The earlier successful import of the very same file (same kind, buyer and SHA-256), if any.
pub fn find_same_file(
    conn: &mut DbConnection,
    kind: ImportKind,
    buyer_id: Option<BuyerId>,
    sha256: &str,
) -> QueryResult<Option<(ImportId, NaiveDateTime)>> {
    let mut query = imports::table
        .filter(imports::kind.eq(kind.code()))
        .filter(imports::sha256.eq(sha256))
        .filter(imports::status.eq(ImportStatus::Succeeded.code()))
        .select((imports::id, imports::created_at))
        .order(imports::id.desc())
        .into_boxed();
    query = match buyer_id {
        Some(id) => query.filter(imports::buyer_id.eq(id)),
        None => query.filter(imports::buyer_id.is_null()),
    };
    query.first(conn).optional()
}

/// An import as its history lists it.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, Queryable, Selectable, utoipa::ToSchema,
)]
#[diesel(table_name = imports)]
pub struct ImportSummary {
    #[schema(value_type = i64)]
    pub id: ImportId,
    pub kind: String,
    pub file_name: String,
    pub status: String,
    pub rows_total: i32,
    pub rows_written: i32,
    pub error_count: i32,
    #[schema(value_type = Option<i64>)]
    pub uploaded_by: Option<UserId>,
    pub created_at: NaiveDateTime,
}

/// The most recent imports, all or those of one account.
pub fn history(
    conn: &mut DbConnection,
    uploaded_by: Option<UserId>,
    limit: i64,
) -> QueryResult<Vec<ImportSummary>> {
    let mut query = imports::table
        .select(ImportSummary::as_select())
        .order(imports::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(user) = uploaded_by {
        query = query.filter(imports::uploaded_by.eq(user));
    }
    query.load(conn)
}

/// Who sent an import, when, and the annotated workbook of a refused one.
pub type StoredWorkbook = (Option<UserId>, NaiveDateTime, Option<Vec<u8>>);

pub fn error_workbook_of(
    conn: &mut DbConnection,
    id: ImportId,
) -> QueryResult<Option<StoredWorkbook>> {
    imports::table
        .find(id)
        .select((
            imports::uploaded_by,
            imports::created_at,
            imports::error_workbook,
        ))
        .first(conn)
        .optional()
}

/// Removes the error workbooks of imports sent before `before`; returns how many.
pub fn drop_error_workbooks(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        imports::table
            .filter(imports::created_at.lt(before))
            .filter(imports::error_workbook.is_not_null()),
    )
    .set(imports::error_workbook.eq(None::<Vec<u8>>))
    .execute(conn)
}
