//! The r2d2 pool over [`DbConnection`].

use std::time::Duration;

use diesel::Connection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};

use super::PoolOptions;
use super::connection::DbConnection;
use super::slow_statements::SlowStatements;
use super::url::DatabaseUrl;

pub type DbPool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// Opens connections through [`DbConnection::open`], so every pooled SQLite connection gets
/// its PRAGMAs, and every connection the log of its slow statements.
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    sqlite_busy_timeout: Duration,
    slow_statement: Option<Duration>,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl, options: &PoolOptions) -> Self {
        ConnectionManager {
            url,
            sqlite_busy_timeout: options.sqlite_busy_timeout,
            slow_statement: options.slow_statement,
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        let mut conn = DbConnection::open(&self.url, self.sqlite_busy_timeout)
            .map_err(r2d2::Error::ConnectionError)?;
        if let Some(threshold) = self.slow_statement {
            conn.set_instrumentation(SlowStatements::new(threshold));
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}
