//! Test databases and a running application.

use std::io::Write;
use std::path::PathBuf;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use rand::Rng;
use secrecy::SecretString;
use suivi_clauses::accounts::{self, NewAccount};
use suivi_clauses::configuration::Settings;
use suivi_clauses::domain::{Email, Labelled, Name, Role, Siret, Territory, UserScope};
use suivi_clauses::startup::Application;
use suivi_clauses::storage::audit::Actor;
use suivi_clauses::storage::buyers;
use suivi_clauses::storage::{Backend, Database, DatabaseUrl, PoolOptions};
use tempfile::TempDir;

pub const ADMIN_EMAIL: &str = "admin@test.local";
pub const USER_PASSWORD: &str = "phrase de passe des tests";
pub const ADMIN_PASSWORD: &str = "mot de passe de test";
/// The key the test application signs its tokens with, so tests can forge tokens of their own.
pub const SIGNING_KEY: &str = "clé de signature des tests, assez longue pour HS256";

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

/// Whether tests that compare both backends must fail, rather than be skipped, when PostgreSQL
/// cannot be reached.
fn postgres_required() -> bool {
    std::env::var("SUIVI_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
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
                let admin = PgConnection::establish(&base).unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is needed for this test, at {base} (set TEST_POSTGRES_URL): {e}"
                    )
                });
                Self::postgres_schema(admin, base, dir)
            }
        }
    }

    /// A PostgreSQL schema for a test that compares both backends. When the server cannot be
    /// reached, the test is skipped with one line on standard error, so that `cargo test` passes
    /// on a machine with only the Rust toolchain; `SUIVI_REQUIRE_POSTGRES=1` (set by CI) makes
    /// it fail instead.
    pub fn postgres_or_skip() -> Option<TestDatabase> {
        let base = postgres_base_url();
        match PgConnection::establish(&base) {
            Ok(admin) => {
                let dir = tempfile::tempdir().expect("temporary folder");
                Some(Self::postgres_schema(admin, base, dir))
            }
            Err(e) if postgres_required() => {
                panic!("PostgreSQL is unreachable at {base} and SUIVI_REQUIRE_POSTGRES=1: {e}")
            }
            Err(_) => {
                // Written to the process's standard error, which the test harness does not
                // capture (eprintln! would be shown only for failing tests).
                let thread = std::thread::current();
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED {}: PostgreSQL unreachable at {base}; set SUIVI_REQUIRE_POSTGRES=1 to fail instead",
                    thread.name().unwrap_or("a test")
                );
                None
            }
        }
    }

    fn postgres_schema(mut admin: PgConnection, base: String, dir: TempDir) -> TestDatabase {
        let name = format!("t_{:016x}", rand::rng().random::<u64>());
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

    /// The same database for a second instance: only this one drops it at its end.
    pub fn shared(&self) -> TestDatabase {
        TestDatabase {
            url: self.url.clone(),
            dir: tempfile::tempdir().expect("temporary folder"),
            schema: None,
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
        slow_statement: None,
        import_pool_size: 2,
    }
}

/// Settings for an application on `database`, on a free port of 127.0.0.1: the defaults, with
/// the test accounts' credentials and smaller limits.
pub fn test_settings(database: &TestDatabase) -> Settings {
    let mut settings = Settings {
        data_dir: database.data_dir(),
        ..Settings::default()
    };
    settings.server.port = 0;
    settings.server.workers = Some(2);
    settings.server.shutdown_timeout_secs = 1;
    settings.database.url = Some(SecretString::from(database.url().to_owned()));
    settings.log.filter = "warn".to_owned();
    settings.bootstrap.admin_email = ADMIN_EMAIL.to_owned();
    settings.bootstrap.admin_password = Some(SecretString::from(ADMIN_PASSWORD.to_owned()));
    settings.auth.jwt_secret = Some(SecretString::from(SIGNING_KEY.to_owned()));
    settings.imports.profiles_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("imports");
    settings.imports.max_file_mb = 2;
    settings.imports.max_rows = 100_000;
    settings.imports.max_uncompressed_mb = 64;
    // Readers wait for the figures of each write, as tests expect them; those of stale figures
    // set 0.
    settings.figures.wait_ms = 10_000;
    settings
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database: Database,
    /// Held so the database outlives the application using it.
    _test_database: TestDatabase,
}

/// Builds the real application on its own database and serves it in the background.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// `spawn_app` with some settings changed.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_on(TestDatabase::new(), configure).await
}

/// `spawn_app` on a given database (one another process also uses).
pub async fn spawn_app_on(
    database: TestDatabase,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = test_settings(&database);
    configure(&mut settings);
    let application = Application::build(settings)
        .await
        .expect("application builds");
    let address = application.base_url();
    let pool = application.database().clone();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: test_client(),
        database: pool,
        _test_database: database,
    }
}

pub struct TestUser {
    pub id: i64,
    pub email: String,
}

/// A signed-in session: the bearer token and the cookie-side anti-CSRF token.
pub struct Session {
    pub token: String,
    pub csrf: String,
}

impl TestApp {
    /// The database the application runs on, for a command run beside it.
    pub fn test_database(&self) -> &TestDatabase {
        &self._test_database
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/login"))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn session(&self, email: &str, password: &str) -> Session {
        let response = self.login(email, password).await;
        assert_eq!(response.status(), 200, "login of {email}");
        let body: serde_json::Value = response.json().await.unwrap();
        Session {
            token: body["token"].as_str().unwrap().to_owned(),
            csrf: body["csrf_token"].as_str().unwrap().to_owned(),
        }
    }

    /// Creates an account of `role` straight in the database (scope: the given buyers, or all,
    /// or a company); its password is [`USER_PASSWORD`].
    pub async fn create_user(&self, role: Role, buyer_sirets: Vec<Siret>) -> TestUser {
        let email = format!(
            "{}-{:08x}@test.local",
            role.code(),
            rand::rng().random::<u32>()
        );
        let scope = match role {
            Role::Company => {
                UserScope::Company(buyer_sirets.first().cloned().unwrap_or_else(|| siret(999)))
            }
            Role::Admin => UserScope::AllBuyers,
            _ if buyer_sirets.is_empty() => UserScope::AllBuyers,
            _ => UserScope::Buyers(buyer_sirets),
        };
        let account = NewAccount {
            email: Email::parse(&email).unwrap(),
            display_name: Name::parse("Personne de test").unwrap(),
            role,
            scope,
            password: SecretString::from(USER_PASSWORD.to_owned()),
        };
        let id = self
            .database
            .run(move |conn| accounts::create(conn, account, &Actor::command_line()))
            .await
            .expect("account created");
        TestUser {
            id: id.get(),
            email,
        }
    }

    /// Registers buyer number `n` (see [`siret`]) with the territory 31.
    pub async fn add_buyer(&self, n: u64, name: &'static str) {
        self.database
            .run(move |conn| {
                buyers::insert(
                    conn,
                    &siret(n),
                    &Name::parse(name).unwrap(),
                    &Territory::parse("31").unwrap(),
                )
            })
            .await
            .expect("buyer added");
    }

    pub async fn get_with(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent")
    }

    /// `POST /api/imports` with a file, as the upload page sends it.
    pub async fn upload(
        &self,
        token: &str,
        kind: &str,
        file_name: &str,
        bytes: Vec<u8>,
        replace: bool,
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new()
            .text("kind", kind.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
            );
        if replace {
            form = form.text("replace", "true");
        }
        self.client
            .post(self.url("/api/imports"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("request sent")
    }

    /// The same, returning the status and the JSON answer.
    pub async fn import(
        &self,
        token: &str,
        kind: &str,
        file_name: &str,
        bytes: Vec<u8>,
        replace: bool,
    ) -> (u16, serde_json::Value) {
        let response = self.upload(token, kind, file_name, bytes, replace).await;
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON answer"))
    }

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

/// The problems of a refused import's report, as (row, message).
pub fn problems_by_row(body: &serde_json::Value) -> Vec<(u64, String)> {
    body["report"]["problems"]
        .as_array()
        .expect("a report with problems")
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The message reported on `row`, or "" when none.
pub fn message_at(problems: &[(u64, String)], row: u64) -> &str {
    problems
        .iter()
        .find(|(r, _)| *r == row)
        .map_or("", |(_, m)| m.as_str())
}

/// A participant eligible as a recipient of the RSA, nothing else said.
pub fn rsa_participant(
    conn: &mut suivi_clauses::storage::DbConnection,
    pseudonym: &str,
) -> diesel::QueryResult<suivi_clauses::storage::ParticipantId> {
    use suivi_clauses::domain::{EligibilityCriterion, Update};
    use suivi_clauses::storage::participants::{self, ParticipantFields};
    participants::upsert(
        conn,
        &ParticipantFields {
            pseudonym,
            criterion: EligibilityCriterion::Rsa,
            validated_on: Update::Keep,
            prescriber: Update::Keep,
            birth_year: Update::Keep,
            sex: Update::Keep,
            qpv: Update::Keep,
            exit_outcome: Update::Keep,
            exit_date: Update::Keep,
            six_month: Default::default(),
        },
    )
}

/// An hour-statement import recorded as started, for entries written straight to storage.
pub fn hours_import(
    conn: &mut suivi_clauses::storage::DbConnection,
) -> diesel::QueryResult<suivi_clauses::storage::ImportId> {
    use suivi_clauses::storage::imports;
    imports::start(
        conn,
        &imports::NewImport {
            kind: suivi_clauses::domain::ImportKind::Hours,
            buyer_id: None,
            file_name: "heures.xlsx",
            sha256: &"0".repeat(64),
            uploaded_by: None,
        },
    )
}

/// The client the tests speak to the service with. An idle connection is dropped long before
/// the server's keep-alive (5 s) ends, so that on a loaded machine a request is never sent on a
/// connection the server is closing at that very moment ("error sending request").
pub fn test_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_idle_timeout(std::time::Duration::from_secs(1))
        .build()
        .expect("the test client builds")
}
