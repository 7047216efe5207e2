//! Workbooks read back with calamine: every figure equals the API's; text stays text; the
//! detail lists every entry with pseudonyms; CSV cells cannot run as formulas. The LibreOffice
//! round trip (files open without repair) needs `soffice` and is run by `.ci/run`.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use serde_json::Value;
use suivi_clauses::domain::Role;

use crate::helpers::{TestApp, TestDatabase, USER_PASSWORD, siret, spawn_app_on};
use crate::indicators::{
    breakdown, command_line, far_large, json_of, local_sme, structures_csv, territory,
};

pub(crate) type Book = Xlsx<Cursor<Vec<u8>>>;

pub(crate) async fn download(app: &TestApp, path: &str, token: &str) -> Vec<u8> {
    let response = app.get_with(path, token).await;
    assert_eq!(response.status(), 200, "{path}");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    response.bytes().await.unwrap().to_vec()
}

pub(crate) fn open(bytes: Vec<u8>) -> Book {
    open_workbook_from_rs(Cursor::new(bytes)).expect("a workbook calamine reads")
}

pub(crate) fn rows(book: &mut Book, sheet: &str) -> Vec<Vec<Data>> {
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("{sheet}: {e}"));
    range.rows().map(<[Data]>::to_vec).collect()
}

pub(crate) fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// A number cell, in hundredths (hours, euros) or basis points (rates) as the API gives them.
pub(crate) fn scaled(cell: &Data, scale: f64) -> i64 {
    match cell {
        Data::Float(f) => (f * scale).round() as i64,
        Data::Int(i) => i * scale as i64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The rows below the header whose first cell is not empty, by the text of `key` column.
fn by_key(rows: &[Vec<Data>], header_row: usize, key: usize) -> HashMap<String, Vec<Data>> {
    rows.iter()
        .skip(header_row + 1)
        .filter(|r| !matches!(r.get(key), None | Some(Data::Empty)))
        .map(|r| (text(&r[key]), r.clone()))
        .collect()
}

async fn elected(app: &TestApp) -> String {
    let user = app.create_user(Role::Elected, vec![]).await;
    app.session(&user.email, USER_PASSWORD).await.token
}

async fn facilitator(app: &TestApp) -> String {
    let user = app.create_user(Role::Facilitator, vec![]).await;
    app.session(&user.email, USER_PASSWORD).await.token
}

#[tokio::test]
async fn the_compliance_workbook_holds_the_figures_of_the_api() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    territory(&app).await;
    let token = elected(&app).await;
    let figures = json_of(&app, "/api/indicators?year=2025&breakdowns=all", &token).await;
    let clauses = json_of(&app, "/api/clauses?at=2025-12-31", &token).await;
    let mut book = open(download(&app, "/api/exports/compliance.xlsx?year=2025", &token).await);

    assert_eq!(
        book.sheet_names(),
        [
            "Synthèse",
            "Marchés",
            "Entreprises",
            "Structures d'insertion",
            "Publics",
            "Charte",
            "Obligations",
            "Méthode"
        ]
    );

    // Key figures, label by label.
    let synthesis = rows(&mut book, "Synthèse");
    let figure = |label: &str| {
        synthesis
            .iter()
            .find(|r| text(&r[0]) == label)
            .unwrap_or_else(|| panic!("no line {label}"))[1]
            .clone()
    };
    let (charter, insertion) = (&figures["charter"], &figures["insertion"]);
    // Three participants: too few for an elected official to be shown their number or exits.
    assert_eq!(insertion["participants"]["count"], Value::Null);
    assert!(text(&figure("Participants")).contains("masqué"));
    assert!(text(&figure("Sorties vers l'emploi (part des sorties)")).contains("masqué"));
    let checks: [(&str, f64, &Value); 9] = [
        (
            "Heures d'insertion",
            100.0,
            &insertion["hours"]["hours_hundredths"],
        ),
        (
            "Équivalents temps plein (ETP)",
            100.0,
            &insertion["fte"]["fte_hundredths"],
        ),
        ("Marchés notifiés", 1.0, &charter["contracts"]),
        (
            "Marchés avec clause d'insertion",
            1.0,
            &charter["with_clause"]["part"],
        ),
        (
            "Marchés avec critère social",
            1.0,
            &charter["with_social_criterion"]["part"],
        ),
        (
            "Marchés réservés",
            1.0,
            &charter["reserved_contracts"]["part"],
        ),
        (
            "Montant notifié HT",
            100.0,
            &charter["awarded"]["amount_cents"],
        ),
        (
            "Part des entreprises locales (en valeur)",
            10_000.0,
            &charter["local_by_value"]["rate_basis_points"],
        ),
        (
            "Part des TPE et PME (en valeur)",
            10_000.0,
            &charter["small_firms_by_value"]["rate_basis_points"],
        ),
    ];
    for (label, scale, expected) in checks {
        assert_eq!(
            scaled(&figure(label), scale),
            expected.as_i64().unwrap(),
            "{label}"
        );
    }
    assert_eq!(scaled(&figure("Heures d'insertion"), 100.0), 37_000);
    // The chart data: hours by month, as the API's month breakdown.
    for group in breakdown(&figures, "month") {
        let label = group["label"].as_str().unwrap();
        let line = synthesis
            .iter()
            .find(|r| text(&r[0]) == label)
            .unwrap_or_else(|| panic!("no month {label}"));
        assert_eq!(
            scaled(&line[1], 100.0),
            group["hours_hundredths"].as_i64().unwrap(),
            "{label}"
        );
    }

    // One line per clause, as /api/clauses at the period's end.
    let contracts = rows(&mut book, "Marchés");
    assert_eq!(text(&contracts[0][1]), "Référence marché");
    let lines = by_key(&contracts, 0, 1);
    let clauses = clauses.as_array().unwrap();
    assert_eq!(lines.len(), clauses.len());
    for clause in clauses {
        let line = &lines[clause["reference"].as_str().unwrap()];
        assert_eq!(
            scaled(&line[7], 100.0),
            clause["target_hours_hundredths"].as_i64().unwrap()
        );
        assert_eq!(
            scaled(&line[8], 100.0),
            clause["counted_hours_hundredths"].as_i64().unwrap()
        );
        assert_eq!(text(&line[10]), clause["status_label"].as_str().unwrap());
        assert_eq!(
            scaled(&line[13], 100.0),
            clause["assessment"]["missing_hours_hundredths"]
                .as_i64()
                .unwrap()
        );
        assert_eq!(
            scaled(&line[9], 10_000.0),
            clause["assessment"]["realisation_basis_points"]
                .as_i64()
                .unwrap()
        );
    }

    // Companies and insertion structures, as the breakdowns.
    let companies = rows(&mut book, "Entreprises");
    let companies = by_key(&companies, 0, 0);
    for group in breakdown(&figures, "company") {
        let line = &companies[group["key"].as_str().unwrap()];
        assert_eq!(
            scaled(&line[5], 100.0),
            group["hours_hundredths"].as_i64().unwrap()
        );
        match group["participants"].as_i64() {
            Some(participants) => assert_eq!(scaled(&line[6], 1.0), participants),
            None => assert!(text(&line[6]).contains("masqué")),
        }
    }
    assert_eq!(text(&companies[&local_sme()][1]), "Bâtiments du Sud");
    let structures = rows(&mut book, "Structures d'insertion");
    let structures = by_key(&structures, 0, 0);
    let employers: Vec<&Value> = breakdown(&figures, "insertion_employer")
        .iter()
        .filter(|g| !g["key"].is_null())
        .collect();
    assert_eq!(structures.len(), employers.len());
    for group in employers {
        let line = &structures[group["key"].as_str().unwrap()];
        assert_eq!(
            scaled(&line[3], 100.0),
            group["hours_hundredths"].as_i64().unwrap()
        );
        assert_eq!(text(&line[2]), "ETTI");
    }

    // Publics: the elected official's suppression, cell by cell.
    let publics = rows(&mut book, "Publics");
    for group in breakdown(&figures, "criterion") {
        let line = publics
            .iter()
            .find(|r| {
                text(&r[0]) == "Par critère d'éligibilité"
                    && text(&r[1]) == group["label"].as_str().unwrap()
            })
            .unwrap();
        if group["suppressed"] == true {
            assert!(text(&line[2]).contains("masqué") && text(&line[3]).contains("masqué"));
        } else {
            assert_eq!(
                scaled(&line[2], 100.0),
                group["hours_hundredths"].as_i64().unwrap()
            );
        }
    }
    assert!(
        publics.iter().any(|r| text(&r[2]).contains("masqué")),
        "small groups hidden"
    );

    // Charter: shares with their numerator, denominator and method.
    let charter_rows = rows(&mut book, "Charte");
    let local = charter_rows
        .iter()
        .find(|r| text(&r[0]) == "Entreprises locales, en valeur")
        .unwrap();
    assert_eq!(
        scaled(&local[1], 10_000.0),
        charter["local_by_value"]["rate_basis_points"]
            .as_i64()
            .unwrap()
    );
    assert_eq!(
        scaled(&local[2], 100.0),
        charter["local_by_value"]["part_cents"].as_i64().unwrap()
    );
    assert_eq!(
        scaled(&local[3], 100.0),
        charter["local_by_value"]["whole_cents"].as_i64().unwrap()
    );
    assert_eq!(
        text(&local[4]),
        charter["local_by_value"]["method"].as_str().unwrap()
    );
    let l2113_13 = charter_rows
        .iter()
        .find(|r| text(&r[0]) == "Lots réservés L2113-13")
        .unwrap();
    assert_eq!(scaled(&l2113_13[2], 100.0), 6_000_000);

    // Method: period, scope and each figure's method.
    let method = rows(&mut book, "Méthode");
    let value_of = |name: &str| text(&method.iter().find(|r| text(&r[0]) == name).unwrap()[1]);
    assert_eq!(value_of("Période"), "Période du 01/01/2025 au 31/12/2025");
    assert_eq!(value_of("Périmètre"), figures["scope"].as_str().unwrap());
    assert_eq!(
        value_of("Heures d'insertion"),
        insertion["hours"]["method"].as_str().unwrap()
    );
}

#[tokio::test]
async fn text_that_looks_like_a_formula_stays_text_in_workbooks_and_csv() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = territory(&app).await;
    // The local firm renames itself with a formula.
    let name = "=1+2 Bâtiments du Sud";
    let renamed = structures_csv().replace("Bâtiments du Sud", name);
    let (status, body) = app
        .import(
            &admin,
            "structures",
            "renommage.csv",
            renamed.into_bytes(),
            false,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let token = facilitator(&app).await;

    let mut book = open(download(&app, "/api/exports/compliance.xlsx?year=2025", &token).await);
    let companies = rows(&mut book, "Entreprises");
    assert_eq!(text(&by_key(&companies, 0, 0)[&local_sme()][1]), name);
    let formulas = book.worksheet_formula("Entreprises").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula written"
    );

    let mut detail = open(download(&app, "/api/exports/hours.xlsx?year=2025", &token).await);
    let lines = rows(&mut detail, "Heures");
    assert!(lines.iter().any(|r| text(&r[4]) == name));
    assert!(
        detail
            .worksheet_formula("Heures")
            .unwrap()
            .used_cells()
            .all(|(_, _, f)| f.is_empty())
    );

    let csv = download(&app, "/api/exports/hours.csv?year=2025", &token).await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains(&format!(";'{name};")), "{csv}");
    assert!(!csv.contains(&format!(";{name};")));
}

#[tokio::test]
async fn the_detail_lists_every_entry_with_pseudonyms_only() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    territory(&app).await;
    let token = facilitator(&app).await;

    let mut book = open(download(&app, "/api/exports/hours.xlsx", &token).await);
    let lines = rows(&mut book, "Heures");
    assert_eq!(text(&lines[0][6]), "Identifiant participant");
    // Six entries in the whole history (one of them in 2024): 400 h.
    assert_eq!(lines.len(), 7);
    let total: i64 = lines.iter().skip(1).map(|r| scaled(&r[9], 100.0)).sum();
    assert_eq!(total, 40_000);
    // Months are dates ("mmm yyyy" from their column's format), not bare serial numbers.
    assert!(
        lines
            .iter()
            .skip(1)
            .all(|r| matches!(r[5], Data::DateTime(_))),
        "{:?}",
        lines[1]
    );
    let mut people: Vec<String> = lines.iter().skip(1).map(|r| text(&r[6])).collect();
    people.sort();
    people.dedup();
    assert_eq!(people, ["P1", "P2", "P3"]);
    assert!(lines.iter().any(|r| text(&r[7]) == "Mise à disposition"));

    // A year only, as CSV for a French spreadsheet.
    let csv = download(&app, "/api/exports/hours.csv?year=2025", &token).await;
    assert!(csv.starts_with("\u{feff}".as_bytes()), "BOM for Excel");
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .contains("Référence marché;Lot;SIRET entreprise")
    );
    let lines: Vec<&str> = lines.collect();
    assert_eq!(lines.len(), 5);
    assert!(
        lines
            .iter()
            .any(|l| l.contains(";04/2025;P2;Formation;;20,00;")),
        "{csv}"
    );

    // Elected officials never get it.
    let elected = elected(&app).await;
    assert_eq!(
        app.get_with("/api/exports/hours.csv", &elected)
            .await
            .status(),
        403
    );
}

fn contract_id(listing: &Value, reference: &str) -> i64 {
    listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["reference"] == reference)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn statements_give_the_same_figures_as_their_json() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    territory(&app).await;
    let token = facilitator(&app).await;
    let listing = json_of(&app, "/api/contracts?per_page=50", &token).await;
    let id = contract_id(&listing, "2025-01");

    let statement = json_of(
        &app,
        &format!("/api/contracts/{id}/statement?at=2025-12-31"),
        &token,
    )
    .await;
    let lot = &statement["lots"][0];
    assert_eq!(lot["clause"]["reference"], "2025-01");
    // January to December 2025, every month listed; 290 h declared.
    let months = lot["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[3]["month"], "2025-04");
    assert_eq!(months[3]["hours_hundredths"], 14_000);
    assert_eq!(months[3]["training_hours_hundredths"], 2_000);
    assert_eq!(months[11]["cumulative_hours_hundredths"], 29_000);
    // At the end, the even pace reaches the target.
    assert_eq!(months[11]["expected_hours_hundredths"], 100_000);

    let mut book = open(
        download(
            &app,
            &format!("/api/contracts/{id}/statement.xlsx?at=2025-12-31"),
            &token,
        )
        .await,
    );
    let summary = rows(&mut book, "Relevé");
    let line = summary.iter().find(|r| text(&r[1]) == "2025-01").unwrap();
    assert_eq!(
        scaled(&line[7], 100.0),
        lot["clause"]["target_hours_hundredths"].as_i64().unwrap()
    );
    assert_eq!(
        scaled(&line[8], 100.0),
        lot["clause"]["counted_hours_hundredths"].as_i64().unwrap()
    );
    assert_eq!(
        text(&line[10]),
        lot["clause"]["status_label"].as_str().unwrap()
    );
    let month_rows = rows(&mut book, "Mois par mois");
    assert_eq!(month_rows.len(), 13);
    for (row, month) in month_rows.iter().skip(1).zip(months) {
        assert_eq!(
            scaled(&row[3], 100.0),
            month["hours_hundredths"].as_i64().unwrap()
        );
        assert_eq!(
            scaled(&row[5], 100.0),
            month["cumulative_hours_hundredths"].as_i64().unwrap()
        );
        assert_eq!(
            scaled(&row[6], 100.0),
            month["expected_hours_hundredths"].as_i64().unwrap()
        );
    }

    // A company's statement: its lots with a clause and its own hours; for itself only.
    let path = format!("/api/companies/{}/statement?at=2025-12-31", far_large());
    let large = json_of(&app, &path, &token).await;
    assert_eq!(large["lots"].as_array().unwrap().len(), 1);
    assert_eq!(large["lots"][0]["clause"]["reference"], "2025-B2");
    assert_eq!(large["lots"][0]["clause"]["worked_hours_hundredths"], 8_000);
    let own = app.create_user(Role::Company, vec![siret(11)]).await;
    let own = app.session(&own.email, USER_PASSWORD).await.token;
    assert_eq!(json_of(&app, &path, &own).await, large);
    let other = format!("/api/companies/{}/statement", local_sme());
    let refused = app.get_with(&other, &own).await;
    assert_eq!(refused.status(), 403);
    let mut book = open(
        download(
            &app,
            &format!(
                "/api/companies/{}/statement.xlsx?at=2025-12-31",
                far_large()
            ),
            &own,
        )
        .await,
    );
    let summary = rows(&mut book, "Relevé");
    assert!(summary.iter().any(|r| text(&r[1]) == "2025-B2"));
    // A contract the company does not hold is not found.
    let foreign = app
        .get_with(&format!("/api/contracts/{id}/statement"), &own)
        .await;
    assert_eq!(foreign.status(), 404);
}

/// Converts `xlsx` to PDF with LibreOffice (beside it) and gives the PDF's text as
/// `pdftotext` reads it with `options`. Off the test's runtime: the application serving the
/// downloads runs on it, and a runtime blocked for the conversion would let its keep-alive
/// connections go stale. Each conversion has a LibreOffice profile of its own, so that tests
/// converting at the same time do not meet in one running instance.
pub(crate) async fn pdf_text(xlsx: &std::path::Path, options: &[&'static str]) -> String {
    let (folder, file) = (xlsx.parent().unwrap().to_owned(), xlsx.to_owned());
    let options = options.to_vec();
    let output = tokio::task::spawn_blocking(move || {
        let status = std::process::Command::new("soffice")
            .args([
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(&folder)
            .arg(format!(
                "-env:UserInstallation=file://{}",
                folder.join("libreoffice-profile").display()
            ))
            .arg(&file)
            .env("HOME", &folder)
            .status()
            .expect("soffice (Debian package libreoffice-calc-nogui)");
        assert!(status.success(), "soffice failed on {}", file.display());
        std::process::Command::new("pdftotext")
            .args(options)
            .arg(file.with_extension("pdf"))
            .arg("-")
            .output()
            .expect("pdftotext (Debian package poppler-utils)")
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Converts each workbook with LibreOffice: a file that needed repair would not convert.
#[tokio::test]
#[ignore = "needs LibreOffice"]
async fn every_workbook_opens_in_libreoffice() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    territory(&app).await;
    let token = facilitator(&app).await;
    let listing = json_of(&app, "/api/contracts?per_page=50", &token).await;
    let id = contract_id(&listing, "2025-01");
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "classeur",
            "/api/exports/compliance.xlsx?year=2025".to_owned(),
            "Synthèse",
        ),
        (
            "releve-marche",
            format!("/api/contracts/{id}/statement.xlsx?at=2025-12-31"),
            "Relevé",
        ),
        (
            "releve-entreprise",
            format!("/api/companies/{}/statement.xlsx", far_large()),
            "Relevé",
        ),
        (
            "detail",
            "/api/exports/hours.xlsx".to_owned(),
            "Identifiant participant",
        ),
        (
            "spaser",
            "/api/exports/spaser.xlsx?year=2025".to_owned(),
            "Marchés notifiés",
        ),
        (
            "rapport-annuel",
            "/api/exports/annual-report.xlsx?year=2025".to_owned(),
            "Rapport annuel",
        ),
    ];
    for (name, path, expected) in files {
        let xlsx = dir.path().join(format!("{name}.xlsx"));
        std::fs::write(&xlsx, download(&app, &path, &token).await).unwrap();
        let text = pdf_text(&xlsx, &[]).await;
        assert!(
            text.contains(expected),
            "{name}: the PDF lacks « {expected} »:\n{text}"
        );
    }
}

#[tokio::test]
async fn the_command_line_writes_the_same_workbook() {
    let database = TestDatabase::new();
    let (url, dir) = (database.url().to_owned(), database.data_dir());
    let app = spawn_app_on(database, |_| {}).await;
    territory(&app).await;
    let token = elected(&app).await;
    let from_api = open(download(&app, "/api/exports/compliance.xlsx?year=2025", &token).await);

    let file = dir.join("classeur.xlsx");
    let args = ["export", "--kind", "compliance", "--year", "2025"];
    command_line(&url, &dir, &[&args[..], &[file.to_str().unwrap()]].concat());
    let from_cli = open(std::fs::read(&file).unwrap());

    let (mut api, mut cli) = (from_api, from_cli);
    for sheet in [
        "Marchés",
        "Entreprises",
        "Structures d'insertion",
        "Publics",
        "Charte",
    ] {
        assert_eq!(rows(&mut api, sheet), rows(&mut cli, sheet), "{sheet}");
    }
    let key = |rows: Vec<Vec<Data>>| rows.into_iter().skip(4).take(13).collect::<Vec<_>>();
    assert_eq!(
        key(rows(&mut api, "Synthèse")),
        key(rows(&mut cli, "Synthèse"))
    );
}
