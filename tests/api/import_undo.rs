//! Undoing an hours import: the figures come back exactly as before it, on SQLite and on
//! PostgreSQL; an import built upon by a later one, another buyer's import and an import on a
//! closed clause are refused whole, with nothing written. On the territory of the closing
//! tests: buyer 1 with a running and an ended contract, buyer 2 with one; three participants.

use serde_json::{Value, json};
use suivi_clauses::storage::Backend;

use crate::closures::{close, lot_of, territory};
use crate::helpers::{TestApp, TestDatabase, spawn_app, spawn_app_on};
use crate::pages::{page, post_form};

const HOLDER: &str = "44306184100047";
const OTHER: &str = "73282932000074";

const HEADER: &str = "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;SIRET structure d'insertion;Heures travaillées;Type de contrat\n";

/// The facilitateur's statement of March and April (validated as it is imported).
fn first_statement() -> String {
    format!(
        "{HEADER}2025-TX-014;{HOLDER};03/2025;P-001;Embauche directe;;35h30;CDI\n\
         2025-TX-014;{HOLDER};04/2025;P-002;Embauche directe;;120;CDI\n"
    )
}

/// The company's statement of the same period sent again: March corrected, April repeated,
/// May added (all awaiting validation).
fn second_statement() -> String {
    format!(
        "{HEADER}2025-TX-014;{HOLDER};03/2025;P-001;Embauche directe;;40;CDI\n\
         2025-TX-014;{HOLDER};04/2025;P-002;Embauche directe;;120;CDI\n\
         2025-TX-014;{HOLDER};05/2025;P-003;Embauche directe;;80,5;CDD\n"
    )
}

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, String) {
    let response = app.get_with(path, token).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Every figure the hours feed, as the API answers them: the indicators (validated, and with
/// the hours awaiting validation), each contract's per-lot statement, the clauses' follow-up,
/// the detail of hours entry by entry and the compliance workbook's cells.
async fn figures(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let contracts: Value =
        serde_json::from_str(&get(app, "/api/contracts?per_page=100", token).await.1).unwrap();
    let mut paths: Vec<String> = [
        "/api/indicators?year=2025",
        "/api/indicators?year=2025&pending=true",
        "/api/indicators?year=2023",
        "/api/clauses?year=2025",
        "/api/exports/hours.csv?year=2025",
        "/api/exports/hours.csv?year=2023",
    ]
    .map(str::to_owned)
    .to_vec();
    for contract in contracts["items"].as_array().unwrap() {
        paths.push(format!("/api/contracts/{}/statement", contract["id"]));
    }
    let mut figures = Vec::new();
    for path in paths {
        let (status, body) = get(app, &path, token).await;
        assert_eq!(status, 200, "{path}: {body}");
        figures.push((path, without_computed_at(body)));
    }
    figures.push((
        "compliance.xlsx".to_owned(),
        workbook_cells(app, token).await,
    ));
    figures
}

/// An indicators answer without the time its figures were computed, which differs for the same
/// figures computed again; any other answer as it is.
fn without_computed_at(body: String) -> String {
    match serde_json::from_str::<Value>(&body) {
        Ok(Value::Object(mut fields)) => match fields.remove("computed_at") {
            Some(_) => Value::Object(fields).to_string(),
            None => body,
        },
        _ => body,
    }
}

/// The compliance workbook of 2025, read back cell by cell (its bytes carry a creation time,
/// and its heading the time it was made).
async fn workbook_cells(app: &TestApp, token: &str) -> String {
    use calamine::Reader;
    let bytes = app
        .get_with("/api/exports/compliance.xlsx?year=2025", token)
        .await
        .bytes()
        .await
        .unwrap();
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let mut cells = String::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).unwrap();
        for cell in range.rows().flatten() {
            let text = format!("{cell:?}");
            // The time the workbook was made, which changes with the minute: in the heading,
            // and in a cell of its own in the method sheet.
            let text = text.split(" ; édité le ").next().unwrap_or_default();
            let shape: String = text
                .chars()
                .map(|c| if c.is_ascii_digit() { 'd' } else { c })
                .collect();
            let text = if shape == r#"String("dd/dd/dddd à dd:dd")"# {
                "l'heure d'édition"
            } else {
                text
            };
            cells.push_str(&format!("{name}: {text}\n"));
        }
    }
    cells
}

/// Each figure equal to the one expected, told by its address.
fn same(figures: &[(String, String)], expected: &[(String, String)], when: &str) {
    assert_eq!(figures.len(), expected.len(), "{when}");
    for ((path, is), (_, was)) in figures.iter().zip(expected) {
        // Where they part, in characters, shown with what surrounds it.
        let from = is
            .chars()
            .zip(was.chars())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        let around = |text: &str| -> String {
            text.chars()
                .skip(from.saturating_sub(200))
                .take(400)
                .collect()
        };
        assert!(
            is == was,
            "{path} {when}: is …{}…, was …{}…",
            around(is),
            around(was)
        );
    }
}

/// The refusal expected: its status and code, and words of its message.
fn refused(answer: &(u16, Value), (status, code): (u16, &str), words: &str) {
    let (got, body) = answer;
    assert_eq!(
        (*got, body["error"]["code"].as_str()),
        (status, Some(code)),
        "{body}"
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(words), "{message}");
}

async fn undo(app: &TestApp, token: &str, import: i64) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/imports/{import}/undo")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn import_hours(app: &TestApp, token: &str, name: &str, csv: &str) -> i64 {
    let (status, body) = app
        .import(token, "hours", name, csv.as_bytes().to_vec(), false)
        .await;
    assert_eq!(status, 201, "{body}");
    body["report"]["import_id"].as_i64().unwrap()
}

/// Figures before an import, after it, and after undoing it: the last equal the first.
async fn undoing_restores_the_figures(app: &TestApp) {
    let t = territory(app).await;
    let empty = figures(app, &t.admin).await;
    let first = import_hours(
        app,
        &t.facilitator.token,
        "heures-mars-avril.csv",
        &first_statement(),
    )
    .await;
    let before = figures(app, &t.admin).await;
    assert_ne!(before, empty, "the first statement counts");

    // The company sends the period again, corrected: two values replaced, one added.
    let second = import_hours(app, &t.company, "heures-corrigees.csv", &second_statement()).await;
    let after = figures(app, &t.admin).await;
    assert_ne!(after, before, "the corrected statement changes the figures");

    // Undone: the values it replaced come back as they were, validated; its May entry goes.
    let (status, body) = undo(app, &t.facilitator.token, second).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({
            "import": second,
            "removed_entries": 1,
            "restored_entries": 2,
            "hours_hundredths": 24_050,
        })
    );
    same(&figures(app, &t.admin).await, &before, "after undoing");

    // The import is shown undone, by whom; the audit log says what changed.
    let (_, state) = get(app, &format!("/api/imports/{second}"), &t.admin).await;
    let state: Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["status"], "undone");
    assert!(
        state["undone_by"]
            .as_str()
            .unwrap()
            .starts_with("facilitator-")
    );
    let (_, audit) = get(app, "/api/audit", &t.admin).await;
    let audit: Value = serde_json::from_str(&audit).unwrap();
    let line = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["action"] == "import.undone")
        .expect("an audit line");
    assert!(
        line.to_string()
            .contains("1 relevé(s) retiré(s), 2 rétabli(s)"),
        "{line}"
    );

    // Undone twice: refused, nothing changes (with no entry left, the import is its
    // uploader's or an administrator's only).
    refused(
        &undo(app, &t.admin, second).await,
        (409, "import_not_undoable"),
        "déjà été annulé",
    );
    same(&figures(app, &t.admin).await, &before, "after a refusal");

    // The first one, undone in turn: back to no hours at all.
    let (status, body) = undo(app, &t.admin, first).await;
    assert_eq!(status, 200, "{body}");
    same(
        &figures(app, &t.admin).await,
        &empty,
        "once both are undone",
    );
}

#[tokio::test]
async fn undoing_an_hours_import_restores_the_figures_exactly_on_sqlite() {
    let app = spawn_app_on(TestDatabase::for_backend(Backend::Sqlite), |_| {}).await;
    undoing_restores_the_figures(&app).await;
}

#[tokio::test]
async fn undoing_an_hours_import_restores_the_figures_exactly_on_postgres() {
    let Some(database) = TestDatabase::postgres_or_skip() else {
        return;
    };
    let app = spawn_app_on(database, |_| {}).await;
    undoing_restores_the_figures(&app).await;
}

#[tokio::test]
async fn an_import_corrected_since_is_undone_only_after_the_later_one() {
    let app = spawn_app().await;
    let t = territory(&app).await;
    let first = import_hours(&app, &t.facilitator.token, "heures.csv", &first_statement()).await;
    let before = figures(&app, &t.admin).await;
    let second = import_hours(&app, &t.company, "corrige.csv", &second_statement()).await;
    let after = figures(&app, &t.admin).await;

    refused(
        &undo(&app, &t.facilitator.token, first).await,
        (409, "import_not_undoable"),
        &format!(
            "des heures qu'il a enregistrées ont été corrigées depuis par l'import n° {second}. Annulez d'abord celui-là, puis celui-ci."
        ),
    );
    same(&figures(&app, &t.admin).await, &after, "nothing written");

    assert_eq!(undo(&app, &t.facilitator.token, second).await.0, 200);
    same(&figures(&app, &t.admin).await, &before, "after undoing");
    assert_eq!(undo(&app, &t.facilitator.token, first).await.0, 200);
}

#[tokio::test]
async fn another_buyer_s_import_and_a_company_are_refused_and_nothing_changes() {
    let app = spawn_app().await;
    let t = territory(&app).await;
    let import = import_hours(&app, &t.facilitator.token, "heures.csv", &first_statement()).await;
    let before = figures(&app, &t.admin).await;

    // An officer of another buyer: as if the import did not exist.
    let answer = undo(&app, &t.other_officer, import).await;
    refused(&answer, (404, "not_found"), "");
    let unknown = undo(&app, &t.other_officer, import + 1000).await;
    assert_eq!(unknown, answer, "an unknown import answers the same");
    // An import also on another buyer's lot: only someone answering for both undoes it.
    let both = import_hours(
        &app,
        &t.admin,
        "deux-acheteurs.csv",
        &format!(
            "{HEADER}2025-TX-014;{HOLDER};07/2025;P-001;Embauche directe;;12;CDI\n\
             2023-MU-002;{OTHER};03/2023;P-003;Embauche directe;;12;CDD\n"
        ),
    )
    .await;
    let with_both = figures(&app, &t.admin).await;
    refused(
        &undo(&app, &t.facilitator.token, both).await,
        (403, "out_of_scope"),
        "lots d'acheteurs hors de votre périmètre",
    );
    same(
        &figures(&app, &t.admin).await,
        &with_both,
        "after a refusal",
    );
    assert_eq!(undo(&app, &t.admin, both).await.0, 200);
    same(&figures(&app, &t.admin).await, &before, "after undoing");
    // A company may not undo, not even its own statements.
    let own = import_hours(
        &app,
        &t.company,
        "entreprise.csv",
        &format!("{HEADER}2025-TX-014;{HOLDER};06/2025;P-003;Embauche directe;;10;CDD\n"),
    )
    .await;
    let with_own = figures(&app, &t.admin).await;
    refused(&undo(&app, &t.company, own).await, (403, "forbidden"), "");
    same(&figures(&app, &t.admin).await, &with_own, "after a refusal");

    // Not an hours statement: refused, saying what to do instead.
    let (_, history) = get(&app, "/api/imports", &t.admin).await;
    let history: Value = serde_json::from_str(&history).unwrap();
    let register = history
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "contracts")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    refused(
        &undo(&app, &t.admin, register).await,
        (409, "import_not_undoable"),
        "seuls les relevés d'heures s'annulent",
    );
    assert_eq!(undo(&app, &t.admin, own).await.0, 200);
    same(&figures(&app, &t.admin).await, &before, "after undoing");
}

#[tokio::test]
async fn an_import_on_a_closed_clause_is_refused_whole() {
    let app = spawn_app().await;
    let t = territory(&app).await;
    // One file on both contracts: the ended one's clause is then closed.
    let statement = format!(
        "{HEADER}2023-CL-001;{HOLDER};03/2023;P-001;Embauche directe;;120;CDI\n\
         2025-TX-014;{HOLDER};03/2025;P-002;Embauche directe;;35;CDI\n"
    );
    let import = import_hours(&app, &t.facilitator.token, "heures.csv", &statement).await;
    let lot = lot_of(&app, &t.admin, "2023-CL-001").await;
    let (status, closure) = close(&app, &t.facilitator.token, lot).await;
    assert_eq!(status, 201, "{closure}");
    let before = figures(&app, &t.admin).await;

    refused(
        &undo(&app, &t.facilitator.token, import).await,
        (409, "clause_closed"),
        &format!(
            "L'import n° {import} ne peut pas être annulé, rien n'a changé : La clause d'insertion du marché 2023-CL-001 est close"
        ),
    );
    same(&figures(&app, &t.admin).await, &before, "nothing written");
    let (_, state) = get(&app, &format!("/api/imports/{import}"), &t.admin).await;
    assert!(state.contains("\"status\":\"succeeded\""), "{state}");
}

#[tokio::test]
async fn the_import_page_undoes_once_confirmed_and_says_why_not_inside_the_form() {
    let app = spawn_app().await;
    let t = territory(&app).await;
    let session = &t.facilitator;
    let import = import_hours(&app, &session.token, "heures.csv", &first_statement()).await;
    let path = format!("/imports/{import}");
    let (status, body) = page(&app, session, &path).await;
    assert_eq!(status, 200);
    assert!(body.contains("Annuler cet import"), "{body}");

    // The box left unticked: the page again, the box marked and the reason beside it.
    let action = format!("{path}/annulation");
    let response = post_form(
        &app,
        Some(session),
        &action,
        &[("csrf_token", &session.csrf)],
    )
    .await;
    assert_eq!(response.status(), 400);
    let body = response.text().await.unwrap();
    assert!(body.contains("Cochez la case de confirmation"), "{body}");
    assert!(
        body.contains(
            r#"aria-invalid="true" aria-describedby="annulation-erreur annulation-aide""#
        ),
        "{body}"
    );
    let (_, state) = get(&app, &format!("/api/imports/{import}"), &t.admin).await;
    assert!(
        state.contains("\"status\":\"succeeded\""),
        "nothing undone: {state}"
    );

    // Confirmed: back to the import's page, which says who undid it; the history shows it.
    let fields = [("csrf_token", session.csrf.as_str()), ("confirm", "true")];
    let response = post_form(&app, Some(session), &action, &fields).await;
    assert_eq!(response.status(), 303);
    let (_, body) = page(&app, session, &path).await;
    assert!(body.contains("Import annulé le"), "{body}");
    assert!(body.contains("par facilitator-"), "{body}");
    assert!(
        !body.contains(r#"id="annulation""#),
        "no form once undone: {body}"
    );
    let (_, history) = page(&app, session, "/imports").await;
    assert!(history.contains("badge-undone"), "{history}");

    // Posted again (a second tab): refused, saying so in the page.
    let response = post_form(&app, Some(session), &action, &fields).await;
    assert_eq!(response.status(), 409);
    let body = response.text().await.unwrap();
    assert!(body.contains("déjà été annulé"), "{body}");
}

#[tokio::test]
async fn the_command_line_undoes_an_import_and_says_why_not_the_second_time() {
    let app = spawn_app().await;
    let t = territory(&app).await;
    let before = figures(&app, &t.admin).await;
    let import = import_hours(&app, &t.facilitator.token, "heures.csv", &first_statement()).await;

    let out = crate::cli::stdout_of(
        crate::cli::suivi(app.test_database()).args(["undo-import", &import.to_string()]),
    );
    assert!(
        out.contains(&format!(
            "Import n° {import} (« heures.csv ») annulé : 2 relevé(s) retiré(s), 0 rétabli(s)"
        )),
        "{out}"
    );
    same(&figures(&app, &t.admin).await, &before, "after undoing");

    let again = crate::cli::suivi(app.test_database())
        .args(["undo-import", &import.to_string()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    let said = String::from_utf8(again.stderr).unwrap();
    assert!(said.contains("déjà été annulé"), "{said}");
}
