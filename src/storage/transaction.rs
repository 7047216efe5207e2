//! Write transactions that never fail with "database is locked".
//!
//! SQLite's default deferred transaction starts as a reader and upgrades to a writer at its first
//! write; when another connection wrote in between, the upgrade fails at once with SQLITE_BUSY,
//! whatever the busy timeout. `BEGIN IMMEDIATE` takes the write lock up front, so a concurrent
//! writer waits (up to busy_timeout) instead of failing. PostgreSQL needs nothing special.

use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::Error;

use super::connection::DbConnection;

type Manager = <DbConnection as Connection>::TransactionManager;

/// Runs `f` in a transaction that holds the write lock from its start; commits on `Ok`, rolls
/// back on `Err`. Inside another transaction it becomes a savepoint, as diesel's own do.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<Error>,
{
    match conn {
        DbConnection::Sqlite(inner) => {
            if outermost(inner)? {
                AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?
            } else {
                Manager::begin_transaction(conn)?
            }
        }
        DbConnection::Postgres(_) => Manager::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match Manager::rollback_transaction(conn) {
            Ok(()) | Err(Error::BrokenTransactionManager) => Err(error),
            Err(rollback_error) => Err(rollback_error.into()),
        },
    }
}

fn outermost(conn: &mut diesel::sqlite::SqliteConnection) -> Result<bool, Error> {
    Ok(AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_none())
}
