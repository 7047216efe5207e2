//! The record of every import: fingerprint, who, when, outcome and report.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::imports;
use super::{DbConnection, now};
use crate::domain::{ImportKind, ImportStatus, Labelled};

pub struct ImportRecord<'a> {
    pub kind: ImportKind,
    pub buyer_id: Option<i64>,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub uploaded_by: Option<i64>,
    pub status: ImportStatus,
    pub rows_total: usize,
    pub rows_written: usize,
    pub error_count: usize,
    pub report: &'a str,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub fn insert(conn: &mut DbConnection, record: &ImportRecord<'_>) -> QueryResult<i64> {
    let at = now();
    diesel::insert_into(imports::table)
        .values((
            imports::kind.eq(record.kind.code()),
            imports::buyer_id.eq(record.buyer_id),
            imports::file_name.eq(record.file_name),
            imports::sha256.eq(record.sha256),
            imports::uploaded_by.eq(record.uploaded_by),
            imports::status.eq(record.status.code()),
            imports::rows_total.eq(count(record.rows_total)),
            imports::rows_done.eq(count(record.rows_total)),
            imports::rows_written.eq(count(record.rows_written)),
            imports::error_count.eq(count(record.error_count)),
            imports::report.eq(record.report),
            imports::created_at.eq(at),
            imports::started_at.eq(at),
            imports::finished_at.eq(at),
        ))
        .returning(imports::id)
        .get_result(conn)
}

/// The earlier successful import of the very same file (same kind, buyer and SHA-256), if any.
pub fn find_same_file(
    conn: &mut DbConnection,
    kind: ImportKind,
    buyer_id: Option<i64>,
    sha256: &str,
) -> QueryResult<Option<(i64, NaiveDateTime)>> {
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

/// Stores the final report of an import, and the annotated workbook of a refused one.
pub fn set_report(
    conn: &mut DbConnection,
    id: i64,
    report: &str,
    error_workbook: Option<&[u8]>,
) -> QueryResult<()> {
    diesel::update(imports::table.find(id))
        .set((
            imports::report.eq(report),
            imports::error_workbook.eq(error_workbook),
        ))
        .execute(conn)
        .map(drop)
}

/// An import as its history lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Queryable, Selectable)]
#[diesel(table_name = imports)]
pub struct ImportSummary {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub status: String,
    pub rows_total: i32,
    pub rows_written: i32,
    pub error_count: i32,
    pub uploaded_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// The most recent imports, all or those of one account.
pub fn history(
    conn: &mut DbConnection,
    uploaded_by: Option<i64>,
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

/// Who sent an import, its JSON report and its annotated workbook, if any.
pub type StoredReport = (Option<i64>, Option<String>, Option<Vec<u8>>);

pub fn report_of(conn: &mut DbConnection, id: i64) -> QueryResult<Option<StoredReport>> {
    imports::table
        .find(id)
        .select((
            imports::uploaded_by,
            imports::report,
            imports::error_workbook,
        ))
        .first(conn)
        .optional()
}
