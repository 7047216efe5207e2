//! Embedded migrations, one set per backend, applied at start-up and by `suivi-clauses migrate`.

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::connection::DbConnection;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Instances starting together on one PostgreSQL take turns to migrate.
const POSTGRES_MIGRATION_LOCK: i64 = 0x5355_4956_4900; // "SUIVI"

#[derive(Debug, thiserror::Error)]
#[error("La mise à jour du schéma de la base a échoué : {0}")]
pub struct MigrationError(String);

/// Runs `$body` with `$harness` bound to the inner connection and `$source` to its migrations.
macro_rules! with_harness {
    ($conn:expr, |$harness:ident, $source:ident| $body:expr) => {
        match $conn {
            DbConnection::Sqlite($harness) => {
                let $source = SQLITE_MIGRATIONS;
                $body
            }
            DbConnection::Postgres($harness) => {
                let $source = POSTGRES_MIGRATIONS;
                $body
            }
        }
    };
}

fn versions(applied: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    applied.into_iter().map(|v| v.to_string()).collect()
}

/// Applies every pending migration; returns the versions applied, oldest first.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let lock = |conn: &mut DbConnection, sql: &str| {
        conn.batch_execute(&format!("{sql}({POSTGRES_MIGRATION_LOCK})"))
            .map_err(|e| MigrationError(e.to_string()))
    };
    if postgres {
        lock(conn, "SELECT pg_advisory_lock")?;
    }
    let result = with_harness!(conn, |harness, source| harness
        .run_pending_migrations(source)
        .map(versions)
        .map_err(|e| MigrationError(e.to_string())));
    if postgres {
        lock(conn, "SELECT pg_advisory_unlock")?;
    }
    result
}

/// Applies the next pending migration, if any; returns its version.
pub fn run_next(conn: &mut DbConnection) -> Result<Option<String>, MigrationError> {
    with_harness!(conn, |harness, source| {
        let pending = harness
            .pending_migrations(source)
            .map_err(|e| MigrationError(e.to_string()))?;
        match pending.first() {
            None => Ok(None),
            Some(next) => harness
                .run_migration(next.as_ref())
                .map(|v| Some(v.to_string()))
                .map_err(|e| MigrationError(e.to_string())),
        }
    })
}

/// Reverts the most recent migration; returns its version.
pub fn revert_last(conn: &mut DbConnection) -> Result<String, MigrationError> {
    with_harness!(conn, |harness, source| harness
        .revert_last_migration(source)
        .map(|v| v.to_string())
        .map_err(|e| MigrationError(e.to_string())))
}

/// Every migration this binary carries for the connection's backend, oldest first.
pub fn known_versions(conn: &DbConnection) -> Vec<String> {
    use diesel::migration::MigrationSource;
    let source = match conn {
        DbConnection::Sqlite(_) => SQLITE_MIGRATIONS,
        DbConnection::Postgres(_) => POSTGRES_MIGRATIONS,
    };
    let mut versions: Vec<String> = MigrationSource::<diesel::sqlite::Sqlite>::migrations(&source)
        .map(|all| all.iter().map(|m| m.name().version().to_string()).collect())
        .unwrap_or_default();
    versions.sort();
    versions
}
