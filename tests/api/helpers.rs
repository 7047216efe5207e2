//! Test databases and a running application.

use std::path::PathBuf;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use rand::Rng;
use secrecy::SecretString;
use suivi_clauses::configuration::{
    BootstrapSettings, DatabaseSettings, LogFormat, LogSettings, ServerSettings, Settings,
};
use suivi_clauses::domain::Siret;
use suivi_clauses::startup::Application;
use suivi_clauses::storage::{Backend, Database, DatabaseUrl, PoolOptions};
use tempfile::TempDir;

pub const ADMIN_EMAIL: &str = "admin@test.local";
pub const ADMIN_PASSWORD: &str = "mot de passe de test";

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The backend the suite runs against.
pub fn backend_under_test() -> Backend {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// Where PostgreSQL tests create their schemas.
pub fn postgres_base_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres"))
        .or_else(|| std::env::var("TEST_POSTGRES_URL").ok())
        .unwrap_or_else(|| DEFAULT_POSTGRES_URL.to_owned())
}

/// A database of its own for one test: a SQLite file in a temporary folder, or a fresh
/// PostgreSQL schema dropped when the test ends.
pub struct TestDatabase {
    url: String,
    dir: TempDir,
    schema: Option<(String, String)>,
}

impl TestDatabase {
    pub fn new() -> TestDatabase {
        Self::for_backend(backend_under_test())
    }

    pub fn for_backend(backend: Backend) -> TestDatabase {
        let dir = tempfile::tempdir().expect("temporary folder");
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                TestDatabase {
                    url,
                    dir,
                    schema: None,
                }
            }
            Backend::Postgres => {
                let base = postgres_base_url();
                let name = format!("t_{:016x}", rand::rng().random::<u64>());
                let mut admin = PgConnection::establish(&base).unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is needed for this test, at {base} (set TEST_POSTGRES_URL): {e}"
                    )
                });
                admin
                    .batch_execute(&format!("CREATE SCHEMA {name}"))
                    .expect("create test schema");
                let separator = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{separator}options=-csearch_path%3D{name}");
                TestDatabase {
                    url,
                    dir,
                    schema: Some((base, name)),
                }
            }
        }
    }

    /// Usable as `DATABASE_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A folder for data files, removed with the database.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    /// A pool on this database, schema migrated.
    pub fn connect(&self) -> Database {
        let database = Database::connect(DatabaseUrl::parse(&self.url).unwrap(), &pool_options())
            .expect("connect");
        database.migrate().expect("migrate");
        database
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((base, name)) = &self.schema
            && let Ok(mut admin) = PgConnection::establish(base)
        {
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
        }
    }
}

pub fn pool_options() -> PoolOptions {
    PoolOptions {
        max_size: 8,
        connect_timeout: std::time::Duration::from_secs(10),
        sqlite_busy_timeout: std::time::Duration::from_secs(10),
    }
}

/// Settings for an application on `database`, on a free port of 127.0.0.1.
pub fn test_settings(database: &TestDatabase) -> Settings {
    Settings {
        data_dir: database.data_dir(),
        server: ServerSettings {
            host: "127.0.0.1".to_owned(),
            port: 0,
            workers: Some(2),
            shutdown_timeout_secs: 1,
            json_limit_bytes: 1_048_576,
        },
        database: DatabaseSettings {
            url: Some(SecretString::from(database.url().to_owned())),
            pool_size: 8,
            connect_timeout_secs: 10,
            sqlite_busy_timeout_ms: 10_000,
        },
        log: LogSettings {
            format: LogFormat::Pretty,
            filter: "warn".to_owned(),
        },
        bootstrap: BootstrapSettings {
            admin_email: ADMIN_EMAIL.to_owned(),
            admin_password: Some(SecretString::from(ADMIN_PASSWORD.to_owned())),
        },
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// Held so the database outlives the application using it.
    _database: TestDatabase,
}

/// Builds the real application on its own database and serves it in the background.
pub async fn spawn_app() -> TestApp {
    let database = TestDatabase::new();
    let application = Application::build(test_settings(&database))
        .await
        .expect("application builds");
    let address = application.base_url();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        _database: database,
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request sent")
    }
}

/// A valid SIRET built from a number, for test data.
pub fn siret(n: u64) -> Siret {
    Siret::with_check_digit(&format!("{:013}", 2_000_000_000_000 + n)).expect("13 digits")
}
