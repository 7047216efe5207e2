//! Imports as jobs: large uploads run in the background and are followed to their end; an
//! import cut off by a killed process leaves the database as it was and shows as interrupted.

use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use diesel::prelude::*;
use suivi_clauses::domain::{ImportKind, ImportPhase, ImportStatus, Labelled};
use suivi_clauses::import::progress::{LiveJobs, Progress, job_state};
use suivi_clauses::storage::schema::{companies, hour_entries, imports};

use crate::cli::{stdout_of, suivi};
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, TestDatabase, spawn_app_with};

const HOLDER: &str = "44306184100047";
const BUYER: &str = "21310555400017";

/// Polls the import's state until it is no longer running: up to 2 minutes, as a machine loaded
/// by parallel builds may need.
pub(crate) async fn followed_to_its_end(app: &TestApp, token: &str, id: i64) -> serde_json::Value {
    for _ in 0..2_400 {
        let state: serde_json::Value = app
            .get_with(&format!("/api/imports/{id}"), token)
            .await
            .json()
            .await
            .unwrap();
        if state["status"] != "running" {
            return state;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import {id} still running after 2 minutes");
}

#[tokio::test]
async fn a_large_upload_runs_in_the_background_and_is_followed_to_its_end() {
    // Every upload counts as large here.
    let app = spawn_app_with(|settings| settings.imports.background_from_kb = 0).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let file = format!(
        "SIRET;Raison sociale;Type de structure\n{HOLDER};Bâtiments du Sud;Entreprise\n{BUYER};Chantier du Lauragais;ACI\n"
    );

    let response = app
        .upload(
            &admin,
            "structures",
            "structures.csv",
            file.into_bytes(),
            false,
        )
        .await;

    assert_eq!(response.status().as_u16(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let accepted: serde_json::Value = response.json().await.unwrap();
    let id = accepted["import"]["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/imports/{id}"));
    let state = followed_to_its_end(&app, &admin, id).await;
    assert_eq!(state["status"], "succeeded", "{state}");
    assert_eq!(state["status_label"], "Importé");
    assert_eq!(state["report"]["rows_written"], 2, "{state}");
    assert_eq!(
        (state["rows_done"].clone(), state["rows_total"].clone()),
        (2.into(), 2.into())
    );
    let stored: i64 = app
        .database
        .run(|conn| {
            companies::table
                .count()
                .get_result(conn)
                .map_err(suivi_clauses::storage::StorageError::from)
        })
        .await
        .unwrap();
    assert_eq!(stored, 2);

    // A refused file ends refused, with its report, just the same.
    let bad =
        "SIRET;Raison sociale;Type de structure\n44306184100048;Bâtiments du Sud;Entreprise\n";
    let response = app
        .upload(
            &admin,
            "structures",
            "faux.csv",
            bad.as_bytes().to_vec(),
            false,
        )
        .await;
    assert_eq!(response.status().as_u16(), 202);
    let accepted: serde_json::Value = response.json().await.unwrap();
    let id = accepted["import"]["id"].as_i64().unwrap();
    let state = followed_to_its_end(&app, &admin, id).await;
    assert_eq!(state["status"], "refused", "{state}");
    assert_eq!(state["report"]["problems"][0]["row"], 2, "{state}");
}

/// Records what an import tells as it goes.
#[derive(Default)]
struct Recorded {
    phases: Vec<(ImportPhase, usize)>,
    rows: usize,
}

impl Progress for Recorded {
    fn phase(&mut self, phase: ImportPhase, rows_total: usize) {
        self.phases.push((phase, rows_total));
    }
    fn row_written(&mut self) {
        self.rows += 1;
    }
}

#[test]
fn an_import_reports_its_phases_and_every_row_written() {
    use suivi_clauses::import::limits::ImportLimits;
    use suivi_clauses::import::profiles::Profiles;
    use suivi_clauses::import::{Importer, Upload};
    use suivi_clauses::storage::audit::Actor;
    use suivi_clauses::storage::users::BuyerScope;
    let test_db = TestDatabase::new();
    let database = test_db.connect();
    let mut conn = database.connection().unwrap();
    let importer = Importer::new(Profiles::load(None).unwrap(), ImportLimits::default());
    let upload = Upload {
        kind: ImportKind::Structures,
        buyer: None,
        file_name: "structures.csv".to_owned(),
        bytes: format!("SIRET;Raison sociale\n{HOLDER};Bâtiments du Sud\n{BUYER};Commune\n")
            .into_bytes(),
        replace: false,
        scope: BuyerScope::AllBuyers,
        skip_invalid: false,
        departement: None,
        file: None,
        role: suivi_clauses::domain::Role::Admin,
        spool: None,
    };
    let actor = Actor::command_line();

    let job = importer.start(&mut conn, &upload, &actor).unwrap();
    let running = job_state(
        &mut conn,
        job.id,
        &LiveJobs::default(),
        Duration::from_secs(60),
    )
    .unwrap()
    .unwrap();
    let mut recorded = Recorded::default();
    let report = importer
        .complete(&mut conn, &job, upload, &actor, &mut recorded)
        .unwrap();

    assert_eq!(running.status, ImportStatus::Running);
    assert_eq!(running.phase, Some(ImportPhase::Reading));
    assert_eq!(report.status, ImportStatus::Succeeded);
    assert_eq!(
        recorded.phases,
        [(ImportPhase::Reading, 0), (ImportPhase::Writing, 2)]
    );
    assert_eq!(recorded.rows, 2);
}

/// A register with one contract held by HOLDER for 24 months from January 2025, `people`
/// participants, and an hour statement of 10 hours for each of them every month.
fn territory_files(dir: &std::path::Path, people: usize) {
    let register = format!(
        "Référence marché;Objet;SIRET acheteur;Date de notification;Durée (mois);Montant HT;SIRET titulaire;Raison sociale titulaire;Clause d'insertion;Heures d'insertion prévues\n\
         2025-NET-01;Entretien des collèges;{BUYER};01/01/2025;24;900000;{HOLDER};Propreté du Sud;Oui;20000\n"
    );
    let mut participants = String::from("Identifiant participant;Critère d'éligibilité\n");
    let mut hours = String::from(
        "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n",
    );
    for person in 0..people {
        participants.push_str(&format!("P-{person:05};RSA\n"));
        for month in 1..=24 {
            let (year, month) = (2025 + (month - 1) / 12, (month - 1) % 12 + 1);
            hours.push_str(&format!(
                "2025-NET-01;{HOLDER};{month:02}/{year};P-{person:05};Embauche directe;10\n"
            ));
        }
    }
    std::fs::write(dir.join("register.csv"), register).unwrap();
    std::fs::write(dir.join("participants.csv"), participants).unwrap();
    std::fs::write(dir.join("hours.csv"), hours).unwrap();
}

fn hours_import_record(
    conn: &mut suivi_clauses::storage::DbConnection,
) -> Option<(i64, Option<String>)> {
    imports::table
        .filter(imports::kind.eq("hours"))
        .select((imports::id, imports::phase))
        .order(imports::id.desc())
        .first(conn)
        .optional()
        .unwrap()
}

fn id_of(conn: &mut suivi_clauses::storage::DbConnection) -> i64 {
    hours_import_record(conn).expect("an hours import").0
}

#[test]
fn killing_the_process_while_it_writes_leaves_the_database_as_it_was() {
    let database = TestDatabase::new();
    let dir = database.data_dir();
    // 48 000 rows: enough for the write to last, batched as it is, on a fast machine; four
    // times more on PostgreSQL, whose progress is seen from another connection only once
    // recorded, and whose COPY stages rows quickly.
    let people = if database.url().starts_with("postgres") {
        8_000
    } else {
        2_000
    };
    territory_files(&dir, people);
    stdout_of(suivi(&database).args([
        "buyer",
        "add",
        "--siret",
        BUYER,
        "--name",
        "Département",
        "--territory",
        "31",
    ]));
    stdout_of(suivi(&database).args(["import", "--kind", "contracts", "register.csv"]));
    stdout_of(suivi(&database).args(["import", "--kind", "participants", "participants.csv"]));
    let pool = database.connect();
    let mut conn = pool.connection().unwrap();

    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("suivi-clauses"))
        .current_dir(&dir)
        .env_clear()
        .env("DATABASE_URL", database.url())
        .env("SUIVI_LOG__FILTER", "warn")
        // Staged a few hundred rows per transaction: the write lasts long enough to be cut
        // off, even where COPY stages the whole file in one go.
        .env("SUIVI_IMPORTS__STAGING_CHUNK_ROWS", "500")
        .args(["import", "--kind", "hours", "hours.csv"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The import records its write phase just before the transaction that writes the rows.
    let mut writing = false;
    for _ in 0..1_200 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it could be killed"
        );
        if let Some((_, Some(phase))) = hours_import_record(&mut conn)
            && phase == ImportPhase::Writing.code()
        {
            writing = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(writing, "the import never reached its write phase");
    if database.url().starts_with("postgres") {
        // Another instance on the same PostgreSQL sees the rows written so far.
        let mut seen = 0;
        for _ in 0..200 {
            seen = imports::table
                .find(id_of(&mut conn))
                .select(imports::rows_done)
                .first::<i32>(&mut conn)
                .unwrap();
            if seen > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        assert!(seen > 0, "no progress recorded while writing");
    }
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the import ended before it could be killed: give it more rows"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    let written: i64 = hour_entries::table.count().get_result(&mut conn).unwrap();
    assert_eq!(written, 0, "nothing of the killed import remains");
    let id = id_of(&mut conn);
    let state = job_state(&mut conn, id.into(), &LiveJobs::default(), Duration::ZERO)
        .unwrap()
        .unwrap();
    assert_eq!(state.status, ImportStatus::Interrupted);
    let report = state.report.unwrap();
    assert!(
        report.summary().contains("interrompu"),
        "{}",
        report.summary()
    );

    // Sent again, the file imports whole.
    stdout_of(suivi(&database).args(["import", "--kind", "hours", "hours.csv"]));
    let written: i64 = hour_entries::table.count().get_result(&mut conn).unwrap();
    assert_eq!(written, i64::try_from(people * 24).unwrap());
}
