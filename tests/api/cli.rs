//! The `suivi-clauses` binary, as an operator runs it.

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use assert_cmd::Command;

use crate::helpers::{ADMIN_PASSWORD, TestDatabase};

/// How long the service may take to say something or to stop: generous, for a machine loaded by
/// parallel builds and tests (a hung service still fails, only later). Longer than the 30 s the
/// service gives in-flight requests to drain.
const PATIENCE: Duration = Duration::from_secs(120);

/// The binary, on the test database, in an empty folder: no stray configuration file is read.
pub(crate) fn suivi(database: &TestDatabase) -> Command {
    let mut command = Command::cargo_bin("suivi-clauses").unwrap();
    command
        .current_dir(database.data_dir())
        .env_clear()
        .env("DATABASE_URL", database.url())
        .env("SUIVI_LOG__FILTER", "warn");
    command
}

pub(crate) fn stdout_of(command: &mut Command) -> String {
    succeeded(command.output().unwrap())
}

fn succeeded(output: std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

const BUYER_SIRET: &str = "213 105 554 00017";

/// `suivi-clauses buyer add` with the territory 31.
fn add_buyer(database: &TestDatabase, siret: &str, name: &str) -> std::process::Output {
    suivi(database)
        .args([
            "buyer",
            "add",
            "--siret",
            siret,
            "--name",
            name,
            "--territory",
            "31",
        ])
        .output()
        .unwrap()
}

/// The migrations shipped, one folder each.
fn migration_count() -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    std::fs::read_dir(dir).unwrap().count()
}

#[test]
fn migrate_applies_the_schema_once() {
    let database = TestDatabase::new();

    let first = stdout_of(suivi(&database).arg("migrate"));
    let second = stdout_of(suivi(&database).arg("migrate"));

    let expected = format!("{} migration(s) appliquée(s)", migration_count());
    assert!(first.contains(&expected), "{first}");
    assert!(second.contains("déjà à jour"), "{second}");
}

#[test]
fn buyers_are_added_and_listed() {
    let database = TestDatabase::new();

    let added = succeeded(add_buyer(&database, BUYER_SIRET, "Ville de Toulouse"));
    let listed = stdout_of(suivi(&database).args(["buyer", "list"]));

    assert!(
        added.contains("Acheteur enregistré : Ville de Toulouse"),
        "{added}"
    );
    assert!(
        listed.contains(
            "213 105 554 00017  Ville de Toulouse  (Collectivité territoriale, territoire : 31)"
        ),
        "{listed}"
    );
}

#[test]
fn a_bad_siret_is_refused_in_french_and_nothing_is_written() {
    let database = TestDatabase::new();

    let output = add_buyer(&database, "12345678901234", "X");

    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("Erreur : Le SIRET « 12345678901234 » n'existe pas"),
        "{stderr}"
    );
    let listed = stdout_of(suivi(&database).args(["buyer", "list"]));
    assert!(listed.contains("Aucun acheteur"), "{listed}");
}

#[test]
fn a_duplicate_buyer_is_refused() {
    let database = TestDatabase::new();
    assert!(
        add_buyer(&database, BUYER_SIRET, "Toulouse")
            .status
            .success()
    );
    let second = add_buyer(&database, BUYER_SIRET, "Toulouse");

    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("existe déjà"));
}

#[test]
fn users_get_a_generated_password_shown_once_or_their_own() {
    let database = TestDatabase::new();
    succeeded(add_buyer(&database, BUYER_SIRET, "Toulouse"));

    let generated = stdout_of(suivi(&database).args([
        "user",
        "add",
        "--email",
        "claire@toulouse.fr",
        "--name",
        "Claire",
        "--role",
        "agent acheteur",
        "--buyer",
        BUYER_SIRET,
    ]));
    let chosen = stdout_of(
        suivi(&database)
            .args([
                "user",
                "add",
                "--email",
                "elu@toulouse.fr",
                "--name",
                "Paul",
                "--role",
                "elected",
                "--all-buyers",
                "--password-stdin",
            ])
            .write_stdin("une phrase de passe solide\n"),
    );

    assert!(
        generated.contains("Compte créé : claire@toulouse.fr (Agent acheteur)"),
        "{generated}"
    );
    let password_line = generated
        .lines()
        .find(|l| l.starts_with("Mot de passe"))
        .expect("password shown");
    assert_eq!(password_line.rsplit(' ').next().unwrap().len(), 20);
    assert!(
        chosen.contains("Compte créé : elu@toulouse.fr (Élu)") && !chosen.contains("Mot de passe"),
        "{chosen}"
    );
}

#[test]
fn a_scope_that_does_not_fit_the_role_is_explained() {
    let database = TestDatabase::new();

    let output = suivi(&database)
        .args([
            "user",
            "add",
            "--email",
            "a@b.fr",
            "--name",
            "A",
            "--role",
            "buyer_officer",
            "--all-buyers",
        ])
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("exactement un SIRET d'acheteur"),
        "{stderr}"
    );
}

#[test]
fn a_bad_database_url_is_explained_without_its_password() {
    let database = TestDatabase::new();

    let output = suivi(&database)
        .env("DATABASE_URL", "mysql://root:hunter2@db/x")
        .arg("migrate")
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("sqlite://") && !stderr.contains("hunter2"),
        "{stderr}"
    );
}

/// `suivi-clauses serve` running as a process, its standard error kept in a file.
pub(crate) struct Served {
    child: std::process::Child,
    pub(crate) url: String,
    /// The line saying where it answers, and the one after it (the administrator's).
    first_lines: Vec<String>,
    stderr_path: std::path::PathBuf,
}

impl Served {
    pub(crate) fn start(database: &TestDatabase, log_filter: &str) -> Served {
        let mut command = StdCommand::new(assert_cmd::cargo::cargo_bin("suivi-clauses"));
        command
            .arg("serve")
            .current_dir(database.data_dir())
            .env_clear()
            .env("DATABASE_URL", database.url())
            .env("SUIVI_SERVER__PORT", "0")
            .env("SUIVI_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("SUIVI_LOG__FILTER", log_filter);
        Served::spawn(command, database.data_dir().join("stderr.log"))
    }

    /// Runs `command` (a `serve`) until it says where it answers.
    pub(crate) fn spawn(mut command: StdCommand, stderr_path: std::path::PathBuf) -> Served {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_path).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let ready = std::iter::from_fn(|| received.recv_timeout(PATIENCE).ok())
            .find(|line| line.contains("est prêt"))
            .unwrap_or_else(|| {
                panic!(
                    "the service never said it was ready: {}",
                    std::fs::read_to_string(&stderr_path).unwrap_or_default()
                )
            });
        let admin = received
            .recv_timeout(PATIENCE)
            .expect("the line after the one saying it is ready");
        let url = ready
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("an address")
            .to_owned();
        Served {
            child,
            url,
            first_lines: vec![ready, admin],
            stderr_path,
        }
    }

    /// SIGTERM, as a service manager stops it; the exit status once it has drained.
    pub(crate) fn stop(mut self) -> (Option<std::process::ExitStatus>, String) {
        StdCommand::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = std::time::Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break Some(status);
            }
            if std::time::Instant::now() > deadline {
                self.child.kill().unwrap();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        (
            status,
            std::fs::read_to_string(&self.stderr_path).unwrap_or_default(),
        )
    }
}

#[tokio::test]
async fn serve_answers_on_the_port_it_prints_and_stops_cleanly() {
    let database = TestDatabase::new();
    let served = Served::start(&database, "warn");

    let health = reqwest::get(format!("{}/api/health", served.url)).await;
    let [ready, admin] = served.first_lines.clone().try_into().unwrap();
    let (status, _) = served.stop();

    assert!(
        ready.starts_with("suivi-clauses est prêt : http://127.0.0.1:"),
        "{ready}"
    );
    assert_eq!(health.unwrap().status(), 200);
    assert!(admin.contains("admin@suivi-clauses.local"), "{admin}");
    assert!(status.expect("stopped on SIGTERM").success());
}

#[tokio::test]
async fn logs_hold_no_password_token_or_csrf_token() {
    let database = TestDatabase::new();
    let served = Served::start(&database, "debug");
    let client = reqwest::Client::new();
    let login = |password: &'static str| {
        client
            .post(format!("{}/api/login", served.url))
            .json(
                &serde_json::json!({ "email": "admin@suivi-clauses.local", "password": password }),
            )
            .send()
    };

    let failed = login("essai-errone-tres-reconnaissable").await.unwrap();
    let session: serde_json::Value = login(ADMIN_PASSWORD).await.unwrap().json().await.unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    let me = client
        .get(format!("{}/api/me", served.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (_, logs) = served.stop();

    assert_eq!((failed.status().as_u16(), me.status().as_u16()), (401, 200));
    assert!(logs.contains("/api/login"), "request logging is on: {logs}");
    for secret in [
        ADMIN_PASSWORD,
        "essai-errone-tres-reconnaissable",
        token.as_str(),
        csrf.as_str(),
    ] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}

#[tokio::test]
async fn logs_name_routes_not_query_strings_and_no_line_can_be_forged() {
    let database = TestDatabase::new();
    let served = Served::start(&database, "info");
    let client = reqwest::Client::new();
    let session: serde_json::Value = client
        .post(format!("{}/api/login", served.url))
        .json(&serde_json::json!({ "email": "admin@suivi-clauses.local", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap();
    let forged = "%0AINFO%20faux%3A%20ligne%20forgee%0D%0A";
    for path in [
        format!("/api/participants?q=pseudo-P4242{forged}"),
        format!("/api/contracts/123{forged}"),
        format!("/marches/77?q={forged}"),
    ] {
        client
            .get(format!("{}{path}", served.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
    }
    let (_, logs) = served.stop();

    assert!(
        logs.contains("/api/participants"),
        "the route is logged: {logs}"
    );
    assert!(logs.contains("/marches/{id}"), "as its pattern: {logs}");
    assert!(!logs.contains("pseudo-P4242"), "no query string: {logs}");
    assert!(
        !logs.lines().any(|line| line.starts_with("INFO faux")),
        "a line was forged: {logs}"
    );
}

#[test]
fn a_configuration_file_is_read_and_a_missing_one_is_reported() {
    let database = TestDatabase::new();
    let file = database.data_dir().join("reglages.toml");
    std::fs::write(&file, format!("[database]\nurl = \"{}\"\n", database.url())).unwrap();

    let applied = stdout_of(suivi(&database).env_remove("DATABASE_URL").args([
        "--config",
        file.to_str().unwrap(),
        "migrate",
    ]));
    let missing = suivi(&database)
        .args(["--config", "absent.toml", "migrate"])
        .output()
        .unwrap();

    let expected = format!("{} migration(s) appliquée(s)", migration_count());
    assert!(applied.contains(&expected), "{applied}");
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("absent.toml n'existe pas"), "{stderr}");
}

#[test]
fn an_unknown_key_in_the_configuration_file_stops_the_start() {
    let database = TestDatabase::new();
    let file = database.data_dir().join("suivi-clauses.toml");
    std::fs::write(&file, "[server]\nprot = 8080\n").unwrap();

    let output = suivi(&database).arg("serve").output().unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("clé inconnue « server.prot » ; clés permises dans [server] : host, port"),
        "{stderr}"
    );
}

#[test]
fn a_bad_value_in_the_environment_stops_the_start() {
    let database = TestDatabase::new();

    let output = suivi(&database)
        .env("SUIVI_SERVER__PORT", "abc")
        .arg("serve")
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "variable d'environnement SUIVI_SERVER__PORT) : « server.port » vaut « abc » ; \
             attendu : un nombre entier de 0 à 65535."
        ),
        "{stderr}"
    );
}

#[test]
fn import_reports_in_french_and_fails_when_the_file_is_refused() {
    let database = TestDatabase::new();
    let good = database.data_dir().join("structures.csv");
    std::fs::write(
        &good,
        "SIRET;Raison sociale;Type de structure\n443 061 841 00047;Intérim Insertion;ETTI\n",
    )
    .unwrap();
    let bad = database.data_dir().join("erreurs.csv");
    std::fs::write(&bad, "SIRET;Raison sociale\n12345678901234;Mauvais\n").unwrap();

    let imported = stdout_of(suivi(&database).args([
        "import",
        "--kind",
        "structures",
        good.to_str().unwrap(),
    ]));
    let refused = suivi(&database)
        .args(["import", "--kind", "structures", bad.to_str().unwrap()])
        .output()
        .unwrap();
    let as_json = suivi(&database)
        .args([
            "import",
            "--kind",
            "structures",
            "--json",
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();

    assert!(
        imported.starts_with("Fichier « structures.csv » importé : 1 ligne(s) enregistrée(s)."),
        "{imported}"
    );
    assert!(!refused.status.success());
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert!(
        stdout.contains("Feuille « CSV », ligne 2, colonne « SIRET » (valeur « 12345678901234 »)"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("1 problème(s) à corriger"));
    let report: serde_json::Value = serde_json::from_slice(&as_json.stdout).unwrap();
    assert_eq!(report["status"], "refused");
    assert_eq!(report["problems"][0]["row"], 2);
}

#[test]
fn a_territory_adds_its_own_header_synonyms_without_a_rebuild() {
    let database = TestDatabase::new();
    let profiles = database.data_dir().join("profils");
    std::fs::create_dir_all(&profiles).unwrap();
    let built_in = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/imports/structures.toml"
    ))
    .unwrap();
    let extended = built_in.replace(
        "synonyms = [\"Nom\",",
        "synonyms = [\"Libellé employeur\", \"Nom\",",
    );
    assert_ne!(extended, built_in);
    std::fs::write(profiles.join("structures.toml"), extended).unwrap();
    let file = database.data_dir().join("maison.csv");
    std::fs::write(
        &file,
        "SIRET;Libellé employeur\n44306184100047;Intérim Insertion\n",
    )
    .unwrap();
    let import = |with_profiles: bool| {
        let mut command = suivi(&database);
        if with_profiles {
            command.env("SUIVI_IMPORTS__PROFILES_DIR", &profiles);
        }
        command
            .args(["import", "--kind", "structures", file.to_str().unwrap()])
            .output()
            .unwrap()
    };

    let with_built_in = import(false);
    let with_territory_profile = import(true);

    assert!(!with_built_in.status.success());
    assert!(String::from_utf8_lossy(&with_built_in.stderr).contains("« Raison sociale »"));
    assert!(
        with_territory_profile.status.success(),
        "{}",
        String::from_utf8_lossy(&with_territory_profile.stderr)
    );
}

#[test]
fn gen_writes_a_dataset_that_loads_through_the_import() {
    let database = TestDatabase::new();
    let dir = database.data_dir().join("jeu");
    let out = stdout_of(
        suivi(&database)
            .args(["gen", "--rows", "400", "--load"])
            .arg(&dir),
    );
    assert!(out.contains("400 lignes d'heures"), "{out}");
    assert!(out.contains("Jeu importé"), "{out}");
    for file in [
        "buyers.toml",
        "1-structures.csv",
        "2-registre.csv",
        "3-participants.csv",
        "heures.csv",
        "heures.xlsx",
    ] {
        assert!(dir.join(file).exists(), "{file}");
    }
    let stored: i64 = {
        use diesel::prelude::*;
        let pool = database.connect();
        let mut conn = pool.connection().unwrap();
        suivi_clauses::storage::schema::hour_entries::table
            .count()
            .get_result(&mut conn)
            .unwrap()
    };
    assert_eq!(stored, 400);
    // Written again identically; loaded once only.
    let first = std::fs::read(dir.join("heures.csv")).unwrap();
    let again = stdout_of(
        suivi(&database)
            .args(["gen", "--rows", "400", "--load"])
            .arg(&dir),
    );
    assert!(again.contains("déjà des acheteurs"), "{again}");
    assert_eq!(std::fs::read(dir.join("heures.csv")).unwrap(), first);
}
