//! DECP files as they are published, imported as the contracts register: both formats (2019
//! and 2022/2024, wrapped or as a flat list), their usual oddities, record-by-record problems,
//! skipping invalid records on request, other buyers' records counted, newer versions updating
//! the contracts they know.

use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, TestDatabase, siret, spawn_app_on};
use crate::indicators::{aci, far_large, json_of, local_sme, structures_csv};

/// A buyer with the territory's companies known, and the administrator's token.
pub async fn app_with_companies() -> (TestApp, String) {
    app_with_companies_on(TestDatabase::new()).await
}

/// The same, on `database`.
async fn app_with_companies_on(database: TestDatabase) -> (TestApp, String) {
    let app = spawn_app_on(database, |_| {}).await;
    app.add_buyer(1, "Département").await;
    app.add_buyer(2, "Commune").await;
    let token = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let (status, body) = app
        .import(
            &token,
            "structures",
            "structures.csv",
            structures_csv().into_bytes(),
            false,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    (app, token)
}

/// Sends a DECP file, asking to skip invalid records or not.
pub async fn send(app: &TestApp, token: &str, file: String, skip_invalid: bool) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new()
        .text("kind", "contracts")
        .part(
            "file",
            reqwest::multipart::Part::bytes(file.into_bytes()).file_name("decp.json"),
        );
    if skip_invalid {
        form = form.text("skip_invalid", "true");
    }
    let response = app
        .client
        .post(format!("{}/api/imports", app.address))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The register as the API shows it, without the ids of this instance, by reference.
pub async fn register(app: &TestApp, token: &str) -> Vec<Value> {
    let listing = json_of(app, "/api/contracts?per_page=100", token).await;
    let mut contracts = Vec::new();
    for item in listing["items"].as_array().unwrap() {
        let mut detail = json_of(app, &format!("/api/contracts/{}", item["id"]), token).await;
        detail.as_object_mut().unwrap().remove("id");
        for lot in detail["lots"].as_array_mut().unwrap() {
            lot.as_object_mut().unwrap().remove("id");
        }
        contracts.push(detail);
    }
    contracts.sort_by_key(|c| c["reference"].as_str().unwrap().to_owned());
    contracts
}

/// A titulaire as each format writes it.
fn holder_2024(id: &str) -> Value {
    json!({"titulaire": {"typeIdentifiant": "SIRET", "id": id}})
}
fn holder_2019(id: &str) -> Value {
    json!({"typeIdentifiant": "SIRET", "id": id, "denominationSociale": "Nom publié"})
}

/// The same three contracts of buyer 1 (and one of an unknown buyer), in the 2024 format:
/// a duration "NC", a time zone after a date, an amount as text, modifications.
fn contracts_2024() -> Vec<Value> {
    let b1 = siret(1);
    let (sme, large, aci) = (local_sme(), far_large(), aci());
    vec![
        json!({"id": "2025-101", "acheteur": {"id": b1.as_str()}, "objet": "Collège",
            "procedure": "Procédure adaptée", "codeCPV": "45214200-2",
            "dateNotification": "2025-01-15T00:00:00+01:00", "dureeMois": "NC",
            "montant": "100 000,00", "titulaires": [holder_2024(&sme)]}),
        json!({"id": "2025-102", "acheteur": {"id": b1.as_str()}, "objet": "Voirie",
            "procedure": "Appel d'offres ouvert", "codeCPV": "45233140-2",
            "dateNotification": "2025-02-01", "dureeMois": 12, "montant": 300000,
            "titulaires": [holder_2024(&sme), holder_2024(&large)],
            "modifications": [{"modification": {"id": 1, "montant": 360000, "dureeMois": 18,
                "dateNotificationModification": "2025-06-01"}}]}),
        json!({"id": "2025-103", "acheteur": {"id": b1.as_str()}, "objet": "Espaces verts",
            "dateNotification": "2025-03-01+01:00", "dureeMois": 6, "montant": 50000.0,
            "titulaires": [holder_2024(&aci)],
            "modifications": [{"modification": {"id": 1, "titulaires": [holder_2024(&large)],
                "dateNotificationModification": "2025-04-01"}}]}),
        json!({"id": "X-1", "acheteur": {"id": siret(3).as_str()}, "objet": "Ailleurs",
            "dateNotification": "2025-01-01", "montant": 1, "titulaires": [holder_2024(&sme)]}),
    ]
}

/// The same contracts in the 2019 format: titulaires flat with their names, modifications
/// flat, `NaN` for the unknown duration, and a concession beside.
fn contracts_2019() -> Vec<Value> {
    let b1 = siret(1);
    let (sme, large, aci) = (local_sme(), far_large(), aci());
    vec![
        json!({"_type": "Marché", "id": "2025-101", "acheteur": {"id": b1.as_str()},
            "objet": "Collège", "procedure": "Procédure adaptée", "codeCPV": "45214200-2",
            "dateNotification": "2025-01-15+01:00", "dureeMois": "__NAN__",
            "montant": 100000, "titulaires": [holder_2019(&sme)]}),
        json!({"_type": "Marché", "id": "2025-102", "acheteur": {"id": b1.as_str()},
            "objet": "Voirie", "procedure": "Appel d'offres ouvert", "codeCPV": "45233140-2",
            "dateNotification": "2025-02-01", "dureeMois": 12, "montant": "300000",
            "titulaires": [holder_2019(&sme), holder_2019(&large)],
            "modifications": [{"objetModification": "Avenant 1", "montant": 360000,
                "dureeMois": 18, "dateNotificationModification": "2025-06-01",
                "titulaires": []}]}),
        json!({"_type": "Marché", "id": "2025-103", "acheteur": {"id": b1.as_str()},
            "objet": "Espaces verts", "dateNotification": "2025-03-01T10:30:00",
            "dureeMois": 6, "montant": 50000, "titulaires": [holder_2019(&aci)],
            "modifications": [{"objetModification": "Changement de titulaire",
                "titulaires": [holder_2019(&large)],
                "dateNotificationModification": "2025-04-01"}]}),
        json!({"_type": "Contrat de concession", "id": "C-1",
            "autoriteConcedante": {"id": b1.as_str()}, "objet": "Piscine",
            "concessionnaires": [holder_2019(&sme)], "valeurGlobale": 1000}),
        json!({"_type": "Marché", "id": "X-1", "acheteur": {"id": siret(3).as_str()},
            "objet": "Ailleurs", "dateNotification": "2025-01-01", "montant": 1,
            "titulaires": [holder_2019(&sme)]}),
    ]
}

pub fn text(document: &Value) -> String {
    serde_json::to_string_pretty(document)
        .unwrap()
        .replace("\"__NAN__\"", "NaN")
}

#[tokio::test]
async fn the_2019_and_2024_versions_of_the_same_contracts_give_the_same_register() {
    let (newer, token_newer) = app_with_companies().await;
    let nested = json!({"marches": {"marche": contracts_2024()}});
    let (status, body) = send(&newer, &token_newer, text(&nested), false).await;
    assert_eq!(status, 201, "{body}");
    let report = &body["report"];
    assert_eq!(report["records_written"], 3, "{report}");
    assert_eq!(report["records_other_buyers"], 1);
    assert_eq!(report["records_skipped"], json!([]));
    assert!(
        report["amendments"][0]
            .as_str()
            .unwrap()
            .contains("montant 300000 → 360000 ; durée 12 → 18 mois"),
        "{report}"
    );

    let (older, token_older) = app_with_companies().await;
    let wrapped = json!({"marches": contracts_2019()});
    let (status, body) = send(&older, &token_older, text(&wrapped), false).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["report"]["records_written"], 3, "{body}");
    let warnings = body["report"]["warnings"].to_string();
    assert!(
        warnings.contains("1 contrat(s) de concession ignoré(s)"),
        "{warnings}"
    );
    assert!(warnings.contains("format 2019"), "{warnings}");

    let register_2024 = register(&newer, &token_newer).await;
    assert_eq!(register_2024, register(&older, &token_older).await);
    // What the register holds: the last values of each contract, known names kept.
    let voirie = &register_2024[1];
    assert_eq!(voirie["duration_months"], 18);
    assert_eq!(voirie["lots"][0]["amount_cents"], 36_000_000);
    assert_eq!(voirie["lots"][0]["awards"].as_array().unwrap().len(), 2);
    assert_eq!(register_2024[0]["duration_months"], Value::Null);
    assert_eq!(register_2024[0]["notification_date"], "2025-01-15");
    assert_eq!(
        register_2024[0]["lots"][0]["awards"][0]["name"],
        "Bâtiments du Sud"
    );
    let espaces_verts = &register_2024[2]["lots"][0]["awards"];
    assert_eq!(espaces_verts[0]["siret"], far_large());

    // The flat lists of either format read the same: imported again, nothing changes.
    let flat_2024 = Value::Array(contracts_2024());
    let (status, body) = send(&older, &token_older, text(&flat_2024), false).await;
    assert_eq!(status, 201, "{body}");
    let flat_2019 = Value::Array(contracts_2019());
    let (status, body) = send(&newer, &token_newer, text(&flat_2019), false).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(register(&older, &token_older).await, register_2024);
    assert_eq!(register(&newer, &token_newer).await, register_2024);
}

/// Four records of buyer 1: the second names a titulaire by a TVA number whose key is wrong,
/// the fourth's SIRET is not one.
fn with_bad_records() -> String {
    let mut records = contracts_2024();
    records.truncate(3);
    records[1]["titulaires"][1] =
        json!({"titulaire": {"typeIdentifiant": "TVA", "id": "FR12552045999"}});
    let mut fourth = records[0].clone();
    fourth["id"] = json!("2025-104");
    fourth["titulaires"][0]["titulaire"]["id"] = json!("12345678901234");
    records.push(fourth);
    text(&json!({"marches": {"marche": records}}))
}

/// Each problem's record, position and field, under the names `keys` gives them.
fn located(problems: &Value, keys: [&str; 3]) -> Vec<(String, u64, String)> {
    let [id, position, path] = keys;
    problems
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[id].as_str().unwrap().to_owned(),
                p[position].as_u64().unwrap(),
                p[path].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_bad_record_refuses_the_file_unless_invalid_records_are_skipped() {
    let (app, token) = app_with_companies().await;
    let (status, body) = send(&app, &token, with_bad_records(), false).await;
    assert_eq!(status, 422, "{body}");
    let report = &body["report"];
    assert_eq!(report["file_problem"], Value::Null);
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(
        located(&report["problems"], ["record", "row", "column"]),
        [
            (
                "2025-102".to_owned(),
                2,
                "titulaires[1].titulaire.id".to_owned()
            ),
            (
                "2025-104".to_owned(),
                4,
                "titulaires[0].titulaire.id".to_owned()
            ),
        ],
        "{report}"
    );
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .contains("Le numéro de TVA « FR12552045999 » est faux")
    );
    assert_eq!(problems[1]["value"], "12345678901234");
    assert!(!body.to_string().contains("tableur"), "{body}");
    let listing = json_of(&app, "/api/contracts", &token).await;
    assert_eq!(listing["total"], 0, "nothing written");

    let (status, body) = send(&app, &token, with_bad_records(), true).await;
    assert_eq!(status, 201, "{body}");
    let report = &body["report"];
    assert_eq!(report["records_written"], 2);
    assert_eq!(
        located(&report["records_skipped"], ["id", "position", "path"]),
        [
            (
                "2025-102".to_owned(),
                2,
                "titulaires[1].titulaire.id".to_owned()
            ),
            (
                "2025-104".to_owned(),
                4,
                "titulaires[0].titulaire.id".to_owned()
            ),
        ]
    );
    let references: Vec<Value> = register(&app, &token)
        .await
        .iter()
        .map(|c| c["reference"].clone())
        .collect();
    assert_eq!(references, [json!("2025-101"), json!("2025-103")]);
}

#[tokio::test]
async fn a_newer_version_updates_the_contracts_it_knows() {
    let (app, token) = app_with_companies().await;
    let mut records = contracts_2024();
    records.truncate(2);
    let first = text(&json!({"marches": {"marche": records.clone()}}));
    let (status, body) = send(&app, &token, first, false).await;
    assert_eq!(status, 201, "{body}");

    // Republished after a second modification, and listed twice in the same file: the most
    // recent version counts, once.
    let mut newer = records[1].clone();
    newer["datePublicationDonnees"] = json!("2025-10-01");
    newer["modifications"].as_array_mut().unwrap().push(
        json!({"modification": {"id": 2, "montant": "400 000", "dureeMois": 24,
            "titulaires": [holder_2024(&far_large())],
            "dateNotificationModification": "2025-09-01"}}),
    );
    let mut older = records[1].clone();
    older["datePublicationDonnees"] = json!("2025-07-01");
    let second = text(&json!({"marches": {"marche": [newer, records[0].clone(), older]}}));
    let (status, body) = send(&app, &token, second, false).await;
    assert_eq!(status, 201, "{body}");
    let amendments = body["report"]["amendments"].to_string();
    assert!(
        amendments.contains("Le marché « 2025-102 » figure 2 fois dans le fichier"),
        "{amendments}"
    );
    assert!(amendments.contains("montant 360000 → 400 000 ; durée 18 → 24 mois"));

    let contracts = register(&app, &token).await;
    assert_eq!(contracts.len(), 2, "no twin");
    let voirie = &contracts[1];
    assert_eq!(voirie["duration_months"], 24);
    assert_eq!(voirie["lots"][0]["amount_cents"], 40_000_000);
    let awards = voirie["lots"][0]["awards"].as_array().unwrap();
    assert_eq!(awards.len(), 1);
    assert_eq!(awards[0]["siret"], far_large());
}

#[tokio::test]
async fn other_buyers_records_are_counted_and_a_broken_file_is_called_json() {
    let (app, token) = app_with_companies().await;
    // An officer of buyer 2: buyer 1's records are someone else's, like unknown buyers'.
    let officer = app
        .create_user(suivi_clauses::domain::Role::BuyerOfficer, vec![siret(2)])
        .await;
    let officer = app
        .session(&officer.email, crate::helpers::USER_PASSWORD)
        .await
        .token;
    let mut records = contracts_2024();
    let mut own = records[0].clone();
    own["acheteur"]["id"] = json!(siret(2).as_str());
    records.push(own);
    let file = text(&json!({"marches": {"marche": records}}));
    let (status, body) = send(&app, &officer, file, false).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["report"]["records_written"], 1);
    assert_eq!(body["report"]["records_other_buyers"], 4);

    // Nothing of the uploader's: refused, saying so.
    let others = text(&json!({"marches": {"marche": contracts_2024()}}));
    let (status, body) = send(&app, &officer, others, false).await;
    assert_eq!(status, 422, "{body}");
    let problem = body["report"]["file_problem"].as_str().unwrap();
    assert!(
        problem.contains("aucun marché d'un acheteur de votre périmètre (4 marché(s)"),
        "{problem}"
    );

    // A file cut short is unreadable JSON, not a damaged spreadsheet.
    let (status, body) = send(
        &app,
        &token,
        r#"{"marches": {"marche": [{"id": "A""#.to_owned(),
        false,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let problem = body["report"]["file_problem"].as_str().unwrap();
    assert!(
        problem.starts_with("Le fichier JSON ne peut pas être lu"),
        "{problem}"
    );
    assert!(!problem.contains("tableur"), "{problem}");
}

#[tokio::test]
async fn the_command_line_reads_a_national_file_from_disk_with_its_filters() {
    let database = TestDatabase::new();
    let (url, dir) = (database.url().to_owned(), database.data_dir());
    let (app, token) = app_with_companies_on(database).await;
    // In the Haute-Garonne: one valid, one naming its titulaire by TVA; one in Paris.
    let mut records = contracts_2024();
    records.truncate(3);
    for (record, place) in records.iter_mut().zip(["31000", "31100", "75001"]) {
        record["lieuExecution"] = json!({"code": place, "typeCode": "Code postal"});
    }
    records[1]["titulaires"][1] =
        json!({"titulaire": {"typeIdentifiant": "TVA", "id": "FR12552045999"}});
    let file = dir.join("decp-national.json");
    std::fs::write(&file, text(&Value::Array(records))).unwrap();

    let args = [
        "import",
        "--kind",
        "contracts",
        "--departement",
        "31",
        "--skip-invalid",
    ];
    let output = crate::indicators::command_line(
        &url,
        &dir,
        &[&args[..], &["--json", file.to_str().unwrap()]].concat(),
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["records_written"], 1, "{report}");
    assert_eq!(report["records_other_buyers"], 1);
    assert_eq!(
        located(&report["records_skipped"], ["id", "position", "path"]),
        [(
            "2025-102".to_owned(),
            2,
            "titulaires[1].titulaire.id".to_owned()
        )]
    );
    let references: Vec<Value> = register(&app, &token)
        .await
        .iter()
        .map(|c| c["reference"].clone())
        .collect();
    assert_eq!(references, [json!("2025-101")]);
}

/// Records of a buyer the service does not know, `count` of them: the bulk of a national file.
fn others(count: usize) -> Vec<Value> {
    (0..count)
        .map(|n| {
            json!({"id": format!("N-{n:06}"), "acheteur": {"id": siret(3).as_str()},
                "objet": "Travaux ailleurs", "dateNotification": "2025-01-01", "montant": 1000,
                "titulaires": [holder_2024(&local_sme())]})
        })
        .collect()
}

/// The files received but not yet imported, written as they arrived.
fn spooled(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(folder.join("envois"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect()
}

#[tokio::test]
async fn a_large_upload_is_written_to_disk_imported_from_there_and_removed() {
    let database = TestDatabase::new();
    let folder = database.data_dir();
    let (app, token) = app_with_companies_on(database).await;
    let mut records = contracts_2024();
    records.extend(others(9_000));
    let file = json!({"marches": {"marche": records}}).to_string();
    assert!(
        (1_500_000..2_000_000).contains(&file.len()),
        "{}",
        file.len()
    );

    // Past 512 Kio the import runs in the background, from the file written to disk.
    let (status, body) = send(&app, &token, file, false).await;
    assert_eq!(status, 202, "{body}");
    let id = body["import"]["id"].as_i64().unwrap();
    let state = crate::import_jobs::followed_to_its_end(&app, &token, id).await;
    assert_eq!(state["status"], "succeeded", "{state}");
    assert_eq!(state["report"]["records_written"], 3, "{state}");
    assert_eq!(state["report"]["records_other_buyers"], 9_001, "{state}");
    assert_eq!(register(&app, &token).await.len(), 3);
    assert_eq!(spooled(&folder), Vec::<std::path::PathBuf>::new());

    // Past the limit (2 Mo here), refused in French, nothing left on disk.
    let mut records = contracts_2024();
    records.extend(others(12_000));
    let file = json!({"marches": {"marche": records}}).to_string();
    assert!(file.len() > 2 * 1024 * 1024, "{}", file.len());
    let (status, body) = send(&app, &token, file, false).await;
    assert_eq!(status, 413, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert_eq!(
        message,
        "Le fichier dépasse la limite de 2 Mo : découpez-le en plusieurs fichiers."
    );
    assert_eq!(spooled(&folder), Vec::<std::path::PathBuf>::new());
}
