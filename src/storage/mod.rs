//! Storage: diesel over SQLite (embedded default) or PostgreSQL, chosen by the URL's scheme.
//!
//! Repositories (`buyers`, `users`, `audit`) turn rows into domain types; nothing outside this
//! module writes SQL.

pub mod audit;
pub mod backup;
pub mod buyers;
pub mod closures;
pub mod codecs;
pub mod companies;
mod connection;
pub mod contracts;
pub mod data_version;
pub mod followup;
pub mod hour_entries;
pub mod ids;
pub mod import_undo;
pub mod imports;
pub mod indicators;
pub mod located;
pub mod login_failures;
pub mod migrations;
pub mod obligations;
pub mod participants;
mod pool;
pub mod reminders;
pub mod reviews;
pub mod rollups;
pub mod schema;
pub mod shared_records;
mod slow_statements;
pub mod staged_hours;
mod transaction;
mod url;
pub mod users;
pub mod work_contracts;

use std::time::Duration;

use diesel::r2d2;

pub use connection::{DbConnection, MultiBackend};
pub use data_version::{Touched, figures_transaction};
pub use ids::{
    AuditEntryId, AwardId, BuyerId, ClauseId, ClosureId, CompanyId, ContractId, HourEntryId,
    ImportId, LoginFailureId, LotId, ParticipantId, ReminderId, UserId, WorkContractId,
};
pub use migrations::MigrationError;
pub use pool::{ConnectionManager, DbPool, PooledConnection};
pub use transaction::write_transaction;
pub use url::{Backend, DatabaseUrl, DatabaseUrlError};

/// The one bridge from diesel's error, for `?` on a query: through [`StorageError`] into an
/// error type that can hold one (`From<StorageError>`), or through an error type that has this
/// bridge (`Outer, via Inner`).
macro_rules! query_error_through_storage {
    ($error:ty, via $through:ty) => {
        impl From<diesel::result::Error> for $error {
            fn from(error: diesel::result::Error) -> Self {
                <$through>::from(error).into()
            }
        }
    };
    ($($error:ty),+ $(,)?) => {
        $(impl From<diesel::result::Error> for $error {
            fn from(error: diesel::result::Error) -> Self {
                $crate::storage::StorageError::from(error).into()
            }
        })+
    };
}
pub(crate) use query_error_through_storage;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("La base de données ne répond pas : {0}")]
    Unavailable(String),
    #[error("Erreur de la base de données : {0}")]
    Query(#[from] diesel::result::Error),
    #[error(transparent)]
    Migration(#[from] MigrationError),
    #[error("Le traitement en base a été interrompu.")]
    Interrupted,
}

/// How the pool is sized and how long it waits.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connect_timeout: Duration,
    pub sqlite_busy_timeout: Duration,
    /// Statements lasting this long or more are logged (`None`: none are).
    pub slow_statement: Option<Duration>,
    /// Connections of the imports' own pool: an import holds one for as long as it runs, so
    /// imports never take those of sign-ins and reads.
    pub import_pool_size: u32,
}

/// The application's handle on its database: a pool, and the means to use it from async code.
#[derive(Clone)]
pub struct Database {
    pool: DbPool,
    imports: DbPool,
    backend: Backend,
    description: String,
}

impl Database {
    /// Opens the pool; fails if the database cannot be reached within the connect timeout.
    pub fn connect(url: DatabaseUrl, options: &PoolOptions) -> Result<Self, StorageError> {
        let backend = url.backend();
        let description = url.describe();
        let manager = || ConnectionManager::new(url.clone(), options);
        let pool = r2d2::Pool::builder()
            .max_size(options.max_size)
            .connection_timeout(options.connect_timeout)
            .build(manager())
            .map_err(|e| StorageError::Unavailable(format!("{description} : {e}")))?;
        // Opened as imports need them: most commands never import.
        let imports = r2d2::Pool::builder()
            .max_size(options.import_pool_size.max(1))
            .min_idle(Some(0))
            .connection_timeout(options.connect_timeout)
            .build_unchecked(manager());
        Ok(Database {
            pool,
            imports,
            backend,
            description,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Where the data lives, without credentials.
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// A pooled connection, for blocking callers (the command line, background jobs).
    pub fn connection(&self) -> Result<PooledConnection, StorageError> {
        self.pool
            .get()
            .map_err(|e| StorageError::Unavailable(e.to_string()))
    }

    /// A connection of the imports' own pool, for an import's whole run.
    pub fn import_connection(&self) -> Result<PooledConnection, StorageError> {
        self.imports
            .get()
            .map_err(|e| StorageError::Unavailable(e.to_string()))
    }

    pub fn migrate(&self) -> Result<Vec<String>, StorageError> {
        let mut conn = self.connection()?;
        Ok(migrations::run_pending(&mut conn)?)
    }

    /// Whether the database answers a trivial query, for the health check.
    pub async fn ping(&self) -> Result<(), StorageError> {
        use diesel::connection::SimpleConnection;
        self.run(|conn| conn.batch_execute("SELECT 1").map_err(StorageError::from))
            .await
    }

    /// Runs blocking database work on tokio's blocking pool, off the async workers.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool
                .get()
                .map_err(|e| StorageError::Unavailable(e.to_string()))?;
            work(&mut conn)
        })
        .await
        .map_err(|_| StorageError::Interrupted)?
    }
}

/// A stored value that no longer parses into its domain type: the database was changed
/// outside this program. Reported as a query error rather than silently accepted.
pub(crate) fn corrupt(what: &str, error: impl std::fmt::Display) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(format!("{what} : {error}").into())
}

/// Most values bound in one `IN (…)` list: SQLite allows 32 766 variables in a statement,
/// PostgreSQL 65 535; a large file easily names more participants or lots than that.
const MAX_IN_LIST: usize = 10_000;

/// Runs `query` over sorted, distinct `values` in slices both backends accept, and gathers
/// the rows.
pub(crate) fn in_slices<T: Ord + Clone, R>(
    values: &[T],
    mut query: impl FnMut(Vec<T>) -> diesel::QueryResult<Vec<R>>,
) -> diesel::QueryResult<Vec<R>> {
    let mut values = values.to_vec();
    values.sort();
    values.dedup();
    let mut rows = Vec::new();
    for slice in values.chunks(MAX_IN_LIST) {
        rows.extend(query(slice.to_vec())?);
    }
    Ok(rows)
}

pub(crate) fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Which page of a listing: 1-based, with at most `per_page` items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    pub const MAX_PER_PAGE: i64 = 500;

    /// Out-of-range values are brought back in range: page 1 at least, 1 to 500 per page.
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> PageRequest {
        PageRequest {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, Self::MAX_PER_PAGE),
        }
    }

    pub fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

diesel::define_sql_function! {
    /// [`crate::domain::search::fold`] in SQL: what searches compare, so that they ignore case
    /// and accents on both backends.
    fn fold(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// [`crate::domain::search::sort_key`] in SQL: what names sort by, in French order.
    fn sort_key(text: diesel::sql_types::Text) -> diesel::sql_types::Binary;
}

/// The LIKE pattern of a search box, to compare with a `fold`ed column: `%text%`, folded, with
/// LIKE's own wildcards and the escape character taken literally (use it with `.escape('\\')`).
pub fn contains_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in crate::domain::search::fold(search.trim()).chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
