//! The version of the data the figures are computed from.
//!
//! Computed indicators are kept in memory under the version they were computed at
//! (`indicators::cache`). Every write that can change a figure goes through
//! `figures_transaction`, which raises the version as the last statement of its transaction:
//! readers see the new data and the new version together, on every instance sharing the
//! database, and nothing computed before is served again.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::data_version;
use super::transaction::write_transaction;

/// The version now committed.
pub fn current(conn: &mut DbConnection) -> QueryResult<i64> {
    data_version::table
        .select(data_version::version)
        .first(conn)
}

/// Runs `f` in a write transaction that, when `f` succeeds, also raises the data version. Last,
/// so that on PostgreSQL the counter's row stays locked only for the commit.
pub fn figures_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    write_transaction(conn, |conn| {
        let value = f(conn)?;
        diesel::update(data_version::table)
            .set(data_version::version.eq(data_version::version + 1))
            .execute(conn)?;
        Ok(value)
    })
}
