//! The r2d2 pool over [`DbConnection`].

use std::time::Duration;

use diesel::r2d2::{self, ManageConnection, R2D2Connection};

use super::connection::DbConnection;
use super::url::DatabaseUrl;

pub type DbPool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// Opens connections through [`DbConnection::open`], so every pooled SQLite connection gets
/// its PRAGMAs.
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    sqlite_busy_timeout: Duration,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl, sqlite_busy_timeout: Duration) -> Self {
        ConnectionManager {
            url,
            sqlite_busy_timeout,
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        DbConnection::open(&self.url, self.sqlite_busy_timeout)
            .map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}
