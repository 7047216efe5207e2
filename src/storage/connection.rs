//! One connection type over both backends, and how each connection is prepared.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError, ConnectionResult};
use secrecy::ExposeSecret;

use super::url::{Backend, DatabaseUrl};

/// SQLite's page cache, in KiB: its default, and while an import writes.
const DEFAULT_CACHE_KIB: u32 = 2_000;
const BULK_WRITE_CACHE_KIB: u32 = 64 * 1024;

/// A connection to either backend. Queries written once against `MultiBackend` run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// SQLite's `fold` and `sort_key`, which PostgreSQL has from a migration.
fn register_search_functions(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
    use crate::domain::search;
    super::fold_utils::register_impl(conn, |text: String| search::fold(&text))?;
    super::sort_key_utils::register_impl(conn, |text: String| search::sort_key(&text))
}

impl DbConnection {
    /// Opens the backend the URL names. The variant is chosen here rather than by trying each
    /// backend in turn, which could create a stray SQLite file named like a PostgreSQL URL.
    pub fn open(url: &DatabaseUrl, sqlite_busy_timeout: Duration) -> ConnectionResult<Self> {
        match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        ConnectionError::BadConnection(format!(
                            "impossible de créer le dossier {} : {e}",
                            parent.display()
                        ))
                    })?;
                }
                let path = path.to_str().ok_or_else(|| {
                    ConnectionError::BadConnection(
                        "le chemin de la base SQLite n'est pas en UTF-8".into(),
                    )
                })?;
                let mut conn = SqliteConnection::establish(path)?;
                // busy_timeout first: switching to WAL itself may wait for another connection.
                // WAL lets readers work while one writer writes; foreign keys are off by default.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;",
                    sqlite_busy_timeout.as_millis()
                ))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                register_search_functions(&mut conn)
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(url.expose_secret())?;
                // Timestamps are stored without time zone, always in UTC.
                conn.batch_execute("SET TIME ZONE 'UTC'")
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Postgres(conn))
            }
        }
    }

    /// Runs `work` with a page cache large enough for a bulk write on SQLite, then gives the
    /// memory back. With SQLite's default 2 MB, a large import's transaction spilled its pages
    /// to the WAL and read them back: a quarter of a 1 M-row import's time (benchmarks).
    /// PostgreSQL's buffers are the server's: nothing to do there.
    pub fn with_bulk_write_cache<T, E: From<diesel::result::Error>>(
        &mut self,
        work: impl FnOnce(&mut Self) -> Result<T, E>,
    ) -> Result<T, E> {
        if let DbConnection::Sqlite(conn) = self {
            conn.batch_execute(&format!("PRAGMA cache_size = -{BULK_WRITE_CACHE_KIB}"))?;
        }
        let result = work(self);
        let restored = match self {
            DbConnection::Sqlite(conn) => {
                conn.batch_execute(&format!("PRAGMA cache_size = -{DEFAULT_CACHE_KIB}"))
            }
            DbConnection::Postgres(_) => Ok(()),
        };
        // The work's own error first: it is what the user needs to know.
        let value = result?;
        restored?;
        Ok(value)
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Sqlite(_) => Backend::Sqlite,
            DbConnection::Postgres(_) => Backend::Postgres,
        }
    }
}
