//! Hostile uploads: huge cells, files with thousands of problems, many imports at once, and
//! the personal columns of a refused file. None may exhaust the service or outlive their use.

use std::io::{Read, Write};
use std::time::Duration;

use diesel::prelude::*;
use suivi_clauses::domain::Role;
use suivi_clauses::storage::schema::imports;

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, TestDatabase, USER_PASSWORD, spawn_app, spawn_app_on,
    spawn_app_with,
};

const PLACEHOLDER: &str = "VALEUR-A-REMPLACER";

/// Text that compresses badly, as a hostile file would hold to stay under the ratio limit.
fn noise(chars: usize) -> String {
    let mut state: u32 = 0x2545_F491;
    (0..chars)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect()
}

/// A participants workbook whose cells are given row by row; `PLACEHOLDER` cells are then
/// replaced by `huge` in the archive itself, past what a spreadsheet program would write.
fn participants_xlsx(rows: &[[&str; 4]], huge: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "Identifiant participant",
        "Critère d'éligibilité",
        "Prescripteur",
        "Année de naissance",
    ];
    for (c, header) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *header).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *value).unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    replace_in_archive(&bytes, PLACEHOLDER, huge)
}

fn replace_in_archive(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if let Ok(text) = String::from_utf8(content.clone()) {
            content = text.replace(from, to).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

async fn admin_token(app: &TestApp) -> String {
    app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token
}

#[tokio::test]
async fn a_huge_cell_is_a_row_problem_and_no_report_keeps_it() {
    let app = spawn_app_with(|s| {
        s.imports.max_file_mb = 4;
        s.imports.background_from_kb = 8192;
    })
    .await;
    let token = admin_token(&app).await;
    let long = noise(5_000);
    let file = participants_xlsx(
        &[
            ["P-1", "RSA", PLACEHOLDER, "1980"],
            ["P-2", &long, "France Travail", "1981"],
        ],
        &noise(1_500_000),
    );

    let (status, body) = app
        .import(&token, "participants", "enorme.xlsx", file, false)
        .await;

    assert_eq!(
        status,
        422,
        "{}",
        body.to_string().chars().take(300).collect::<String>()
    );
    let problems = body["report"]["problems"].as_array().unwrap();
    let huge = problems
        .iter()
        .find(|p| p["row"] == 2)
        .expect("the huge cell is a problem of its row");
    assert_eq!(huge["column"], "Prescripteur");
    let message = huge["message"].as_str().unwrap();
    assert!(message.contains("32 767"), "{message}");
    for problem in problems {
        let value = problem["value"].as_str().unwrap_or_default();
        assert!(value.chars().count() <= 201, "{} chars kept", value.len());
        assert!(problem["message"].as_str().unwrap().chars().count() < 1_000);
    }
    let shown = problems.iter().find(|p| p["row"] == 3).unwrap();
    assert!(shown["value"].as_str().unwrap().ends_with('…'), "{shown}");
    let id = body["report"]["import_id"].as_i64().unwrap();
    let state = app
        .get_with(&format!("/api/imports/{id}"), &token)
        .await
        .text()
        .await
        .unwrap();
    assert!(state.len() < 20_000, "{} bytes of report", state.len());
    let workbook = app
        .get_with(&format!("/api/imports/{id}/errors.xlsx"), &token)
        .await
        .bytes()
        .await
        .unwrap();
    assert!(
        workbook.len() < 50_000,
        "{} bytes of workbook",
        workbook.len()
    );
    let stored: i64 = imports::table
        .find(id)
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "CAST(LENGTH(report) AS BIGINT)",
        ))
        .first(&mut *app.database.connection().unwrap())
        .unwrap();
    assert!(stored < 20_000, "{stored} bytes stored");
}

#[tokio::test]
async fn a_report_keeps_a_bounded_number_of_problems_and_counts_the_others() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let mut csv = String::from("Identifiant participant;Critère d'éligibilité\n");
    for n in 0..1_500 {
        csv.push_str(&format!("P-{n};Inconnu\n"));
    }

    let (status, body) = app
        .import(
            &token,
            "participants",
            "erreurs.csv",
            csv.into_bytes(),
            false,
        )
        .await;

    assert_eq!(status, 422);
    let report = &body["report"];
    assert_eq!(report["problems"].as_array().unwrap().len(), 1_000);
    assert_eq!(report["problems_left_out"], 500);
    assert_eq!(report["problems"][0]["row"], 2);
    let said = body["error"]["message"].as_str().unwrap();
    assert!(said.contains("1 500 problèmes"), "{said}");
    assert!(said.contains("500 autres"), "{said}");
}

/// A valid participants file of `rows` rows, large enough to import in the background.
fn many_participants(prefix: &str, rows: usize) -> Vec<u8> {
    let mut csv =
        String::from("Identifiant participant;Critère d'éligibilité;Année de naissance\n");
    for n in 0..rows {
        csv.push_str(&format!("{prefix}-{n:07};RSA;1980\n"));
    }
    csv.into_bytes()
}

#[tokio::test]
async fn imports_at_once_are_bounded_and_leave_connections_for_sign_ins_and_reads() {
    let app = spawn_app_with(|s| {
        s.imports.max_file_mb = 16;
        s.imports.max_rows = 400_000;
        s.imports.max_running = 2;
        s.imports.max_running_per_account = 1;
        s.database.pool_size = 2;
        s.database.connect_timeout_secs = 3;
    })
    .await;
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let user = app.create_user(Role::Facilitator, vec![]).await;
        tokens.push(app.session(&user.email, USER_PASSWORD).await.token);
    }

    let mut running = Vec::new();
    for (n, token) in tokens[..2].iter().enumerate() {
        let (status, body) = app
            .import(
                token,
                "participants",
                "gros.csv",
                many_participants(&format!("G{n}"), 100_000),
                false,
            )
            .await;
        assert_eq!(status, 202, "{body}");
        running.push((token.clone(), body["import"]["id"].as_i64().unwrap()));
    }
    let small = || many_participants("S", 3);
    let (again, mine) = app
        .import(&tokens[0], "participants", "petit.csv", small(), false)
        .await;
    let (full, anyone) = app
        .import(&tokens[2], "participants", "petit.csv", small(), false)
        .await;
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status();
    let read = app.get_with("/api/imports", &tokens[2]).await.status();
    let states = states_of(&app, &running).await;

    assert!(
        states.iter().all(|s| s == "running"),
        "the large imports still ran: {states:?}"
    );
    assert_eq!(again, 429, "{mine}");
    assert!(
        mine["error"]["message"]
            .as_str()
            .unwrap()
            .contains("attendez"),
        "{mine}"
    );
    assert_eq!(full, 429, "{anyone}");
    assert_eq!(login, 200);
    assert_eq!(read, 200);

    for _ in 0..600 {
        if states_of(&app, &running)
            .await
            .iter()
            .all(|s| s != "running")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(states_of(&app, &running).await, ["succeeded", "succeeded"]);
    let (status, body) = app
        .import(&tokens[2], "participants", "petit.csv", small(), false)
        .await;
    assert_eq!(status, 201, "{body}");
}

async fn states_of(app: &TestApp, imports: &[(String, i64)]) -> Vec<String> {
    let mut states = Vec::new();
    for (token, id) in imports {
        let state: serde_json::Value = app
            .get_with(&format!("/api/imports/{id}"), token)
            .await
            .json()
            .await
            .unwrap();
        states.push(state["status"].as_str().unwrap_or_default().to_owned());
    }
    states
}

/// Every text cell of every sheet of a workbook.
fn texts_of(bytes: &[u8]) -> Vec<(String, String)> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut texts = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for cell in range.used_cells() {
            texts.push((name.clone(), cell.2.to_string()));
        }
    }
    texts
}

#[tokio::test]
async fn a_refused_file_keeps_no_names_and_its_error_workbook_expires() {
    let database = TestDatabase::new();
    let url = database.url().to_owned();
    let folder = database.data_dir();
    let app = spawn_app_on(database, |_| {}).await;
    let token = admin_token(&app).await;
    let csv = "Nom;Prénom;Identifiant participant;Téléphone;Critère d'éligibilité\n\
               Dupont;Marie;P-1;0601020304;RSA\n\
               Martin;Paul;P-2;0605060708;Inconnu\n";

    let (status, body) = app
        .import(&token, "participants", "noms.csv", csv.into(), false)
        .await;
    assert_eq!(status, 422, "{body}");
    let id = body["report"]["import_id"].as_i64().unwrap();
    let path = format!("/api/imports/{id}/errors.xlsx");
    let workbook = app.get_with(&path, &token).await;
    assert_eq!(workbook.status(), 200);
    let texts = texts_of(&workbook.bytes().await.unwrap());

    for personal in [
        "Dupont",
        "Marie",
        "Martin",
        "Paul",
        "0601020304",
        "0605060708",
    ] {
        assert!(
            !texts.iter().any(|(_, t)| t.contains(personal)),
            "{personal} kept: {texts:?}"
        );
    }
    assert!(texts.iter().any(|(_, t)| t == "P-2"), "{texts:?}");
    let note = texts
        .iter()
        .find(|(_, t)| t.contains("ignorée"))
        .map(|(_, t)| t.clone())
        .unwrap_or_else(|| panic!("a note on the ignored columns: {texts:?}"));
    for header in ["« Nom »", "« Prénom »", "« Téléphone »"] {
        assert!(note.contains(header), "{note}");
    }

    // Thirty-one days later, past the default of 30.
    let old = (chrono::Utc::now() - chrono::Duration::days(31)).naive_utc();
    diesel::update(imports::table.find(id))
        .set((imports::created_at.eq(old), imports::finished_at.eq(old)))
        .execute(&mut *app.database.connection().unwrap())
        .unwrap();
    let expired = app.get_with(&path, &token).await;
    assert_eq!(expired.status(), 410);
    let said: serde_json::Value = expired.json().await.unwrap();
    assert!(
        said["error"]["message"]
            .as_str()
            .unwrap()
            .contains("30 jours"),
        "{said}"
    );

    let output = assert_cmd::Command::cargo_bin("suivi-clauses")
        .unwrap()
        .current_dir(&folder)
        .env_clear()
        .env("DATABASE_URL", &url)
        .env("SUIVI_LOG__FILTER", "warn")
        .args(["purge", "--before", "2000-01-01"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("1 fichier(s) d'erreurs"), "{stdout}");
    let kept: Option<Vec<u8>> = imports::table
        .find(id)
        .select(imports::error_workbook)
        .first(&mut *app.database.connection().unwrap())
        .unwrap();
    assert_eq!(kept, None);
}

#[tokio::test]
async fn uploads_left_on_disk_by_a_crash_are_removed_at_startup() {
    let database = TestDatabase::new();
    let spool = database.data_dir().join("envois");
    std::fs::create_dir_all(&spool).unwrap();
    // As the upload form names them, half written when the process stopped.
    std::fs::write(spool.join(".tmpA1b2C3"), noise(10_000)).unwrap();
    std::fs::write(spool.join(".tmpZ9y8X7"), "{\"marches\": [").unwrap();

    let _app = spawn_app_on(database, |_| {}).await;

    let left: Vec<_> = std::fs::read_dir(&spool)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
