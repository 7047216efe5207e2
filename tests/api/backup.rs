//! `suivi-clauses backup` and `restore` on SQLite, as an operator runs them beside the service.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output};
use std::time::Instant;

use diesel::connection::SimpleConnection;
use diesel::sql_types::BigInt;
use diesel::{Connection, QueryableByName, RunQueryDsl, sql_query};
use suivi_clauses::generator;
use suivi_clauses::import::examples::{self, Dataset};
use suivi_clauses::storage::Backend;

use crate::cli::{Served, stdout_of, suivi};
use crate::helpers::{TestDatabase, test_settings};

/// Hour rows of the statement imported while backups are taken: enough for the import to last.
const ROWS: u64 = 40_000;

fn sqlite_database() -> TestDatabase {
    TestDatabase::for_backend(Backend::Sqlite)
}

fn run(database: &TestDatabase, command: &str, file: &Path) -> Output {
    suivi(database).arg(command).arg(file).output().unwrap()
}

fn refused_with(output: &Output, message: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "accepted: {stderr}");
    assert!(stderr.contains(message), "{stderr}");
}

#[derive(QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
struct Figures {
    #[diesel(sql_type = BigInt)]
    rows: i64,
    #[diesel(sql_type = BigInt)]
    hundredths: i64,
}

/// The figures a torn copy would get wrong: hour rows and their total.
fn figures(database: &TestDatabase) -> Figures {
    let pool = database.connect();
    let mut conn = pool.connection().unwrap();
    sql_query(
        "SELECT COUNT(*) AS rows, CAST(COALESCE(SUM(hours), 0) AS BIGINT) AS hundredths \
         FROM hour_entries",
    )
    .get_result(&mut conn)
    .unwrap()
}

/// A generated dataset's buyers and files loaded, and its hour statement split in two halves.
fn load_dataset(database: &TestDatabase) -> (PathBuf, PathBuf) {
    let dir = database.data_dir().join("jeu");
    let generated = generator::generate(&dir, ROWS).unwrap();
    let importer = test_settings(database).importer().unwrap();
    let pool = database.connect();
    let dataset = Dataset::read_dir(&dir).unwrap();
    examples::load(&mut pool.connection().unwrap(), &importer, &dataset).unwrap();
    let text = std::fs::read_to_string(&generated.hours_csv).unwrap();
    let (header, rows) = text.split_once('\n').unwrap();
    let rows: Vec<&str> = rows.lines().collect();
    let (first, second) = rows.split_at(rows.len() / 2);
    let halves = [("heures-1.csv", first), ("heures-2.csv", second)].map(|(name, half)| {
        let path = dir.join(name);
        std::fs::write(&path, format!("{header}\n{}\n", half.join("\n"))).unwrap();
        path
    });
    let [first, second] = halves;
    (first, second)
}

#[test]
fn a_backup_taken_during_an_import_restores_to_before_or_after_it() {
    let database = sqlite_database();
    let (first, second) = load_dataset(&database);
    stdout_of(
        suivi(&database)
            .args(["import", "--kind", "hours"])
            .arg(&first),
    );
    let before = figures(&database);

    let mut import = StdCommand::new(env!("CARGO_BIN_EXE_suivi-clauses"))
        .args(["import", "--kind", "hours"])
        .arg(&second)
        .current_dir(database.data_dir())
        .env_clear()
        .env("DATABASE_URL", database.url())
        .env("SUIVI_LOG__FILTER", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut copies = Vec::new();
    let mut during = 0;
    while import.try_wait().unwrap().is_none() {
        let copy = database
            .data_dir()
            .join(format!("copie-{}.db", copies.len()));
        stdout_of(suivi(&database).arg("backup").arg(&copy));
        copies.push(copy);
        during += usize::from(import.try_wait().unwrap().is_none());
    }
    let import_time = started.elapsed();
    assert!(import.wait().unwrap().success());
    let after = figures(&database);

    assert_ne!(before, after);
    assert!(
        during >= 2,
        "only {during} backup(s) while the import ran ({import_time:?}): raise ROWS"
    );
    for copy in &copies {
        let restored = sqlite_database();
        stdout_of(suivi(&restored).arg("restore").arg(copy));
        let found = figures(&restored);
        assert!(
            found == before || found == after,
            "{copy:?}: {found:?}, neither {before:?} nor {after:?}"
        );
    }
}

#[test]
fn a_backup_never_replaces_a_file_and_postgres_is_sent_to_pg_dump() {
    let database = sqlite_database();
    stdout_of(suivi(&database).arg("migrate"));
    let existing = database.data_dir().join("existe.db");
    std::fs::write(&existing, "à garder").unwrap();

    let refused = run(&database, "backup", &existing);
    let on_postgres = suivi(&database)
        .env("DATABASE_URL", "postgres://suivi@127.0.0.1:1/suivi")
        .args(["backup", "copie.dump"])
        .output()
        .unwrap();

    refused_with(&refused, "existe déjà");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "à garder");
    refused_with(&on_postgres, "pg_dump");
}

#[test]
fn restore_refuses_a_database_in_use() {
    let database = sqlite_database();
    let served = Served::start(&database, "warn");
    let copy = database.data_dir().join("copie.db");
    let backed_up = run(&database, "backup", &copy);

    let while_served = run(&database, "restore", &copy);
    let (status, _) = served.stop();
    let once_stopped = run(&database, "restore", &copy);

    assert!(backed_up.status.success(), "{backed_up:?}");
    refused_with(&while_served, "en cours d'utilisation");
    assert!(status.expect("stopped").success());
    assert!(once_stopped.status.success(), "{once_stopped:?}");
}

/// A copy of `good` with `change` made to its bytes.
fn altered(good: &Path, name: &str, change: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(good).unwrap();
    change(&mut bytes);
    let path = good.with_file_name(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn sqlite_file(path: &Path, sql: &str) {
    let mut conn = diesel::sqlite::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.batch_execute(sql).unwrap();
}

#[test]
fn restore_refuses_a_damaged_foreign_or_newer_copy_and_keeps_the_database() {
    let database = sqlite_database();
    stdout_of(suivi(&database).args([
        "buyer",
        "add",
        "--siret",
        "213 105 554 00017",
        "--name",
        "Ville de Toulouse",
        "--territory",
        "31",
    ]));
    let good = database.data_dir().join("bonne.db");
    stdout_of(suivi(&database).arg("backup").arg(&good));
    // The second page, a table's, overwritten: its b-tree no longer reads.
    let damaged = altered(&good, "abimee.db", |bytes| {
        bytes[4096..4196].fill(0xFF);
    });
    let not_a_database = altered(&good, "texte.db", |bytes| {
        *bytes = b"ceci n'est pas une base".to_vec();
    });
    let foreign = database.data_dir().join("autre.db");
    sqlite_file(&foreign, "CREATE TABLE notes (texte TEXT);");
    let newer = altered(&good, "future.db", |_| {});
    sqlite_file(
        &newer,
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000000');",
    );

    refused_with(&run(&database, "restore", &damaged), "endommagée");
    refused_with(
        &run(&database, "restore", &not_a_database),
        "n'est pas une base SQLite lisible",
    );
    refused_with(
        &run(&database, "restore", &foreign),
        "n'est pas une sauvegarde de suivi-clauses",
    );
    refused_with(
        &run(&database, "restore", &newer),
        "version plus récente de suivi-clauses (migration 29991231000000",
    );
    let listed = stdout_of(suivi(&database).args(["buyer", "list"]));
    assert!(listed.contains("Ville de Toulouse"), "{listed}");
}
