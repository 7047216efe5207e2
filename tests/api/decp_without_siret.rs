//! DECP titulaires identified otherwise than by a SIRET (an intra-community VAT number, a
//! foreign identifier): imported as companies without SIRET, in both formats, counted as not
//! local, a wrong VAT number told as a problem of its record.

use serde_json::{Value, json};

use crate::decp_import::{app_with_companies, register, send, text};
use crate::helpers::{TestApp, siret};
use crate::indicators::{json_of, local_sme};

const GERMAN_VAT: &str = "DE123456789";
const BRITISH_ID: &str = "GB-7654321";
/// A French VAT number whose key matches its SIREN (443061841), of no known establishment.
const FRENCH_VAT: &str = "FR64443061841";
/// Its key is wrong: 12 where 70 is due.
const WRONG_VAT: &str = "FR12552045999";

/// A titulaire as the 2024 format writes it: its kind of identifier, no name.
fn titulaire_2024(kind: &str, id: &str) -> Value {
    json!({"titulaire": {"typeIdentifiant": kind, "id": id}})
}

/// The same in the 2019 format: flat, with its name (`HORS_UE` as some publishers write it).
fn titulaire_2019(kind: &str, id: &str, name: &str) -> Value {
    let kind = kind.replace('-', "_");
    json!({"typeIdentifiant": kind, "id": id, "denominationSociale": name})
}

/// Three contracts of buyer 1: a German firm with the local PME, a British one alone, a French
/// VAT number replacing the PME by a modification; and, when `with_wrong` is set, a fourth
/// whose VAT number is wrong.
fn records(format_2019: bool, with_wrong: bool) -> Vec<Value> {
    let b1 = siret(1);
    let holder = |kind: &str, id: &str, name: &str| {
        if format_2019 {
            titulaire_2019(kind, id, name)
        } else {
            titulaire_2024(kind, id)
        }
    };
    let sme = holder("SIRET", &local_sme(), "Nom publié");
    let mut records = vec![
        json!({"id": "2025-201", "acheteur": {"id": b1.as_str()}, "objet": "Collège",
            "procedure": "Procédure adaptée", "codeCPV": "45214200-2",
            "dateNotification": "2025-02-01", "dureeMois": 12, "montant": 100000,
            "titulaires": [holder("TVA", GERMAN_VAT, "Bau GmbH"), sme.clone()]}),
        json!({"id": "2025-202", "acheteur": {"id": b1.as_str()}, "objet": "Pont",
            "procedure": "Appel d'offres ouvert", "codeCPV": "45221111-3",
            "dateNotification": "2025-03-01", "dureeMois": 24, "montant": 200000,
            "titulaires": [holder("HORS-UE", BRITISH_ID, "Bridges Ltd")]}),
        json!({"id": "2025-203", "acheteur": {"id": b1.as_str()}, "objet": "Cantine",
            "procedure": "Procédure adaptée", "codeCPV": "55523100-3",
            "dateNotification": "2025-04-01", "dureeMois": 6, "montant": 60000,
            "titulaires": [sme],
            "modifications": [{"modification": {"id": 1,
                "titulaires": [holder("TVA", FRENCH_VAT, "Restauration Sud")],
                "dateNotificationModification": "2025-05-01"}}]}),
    ];
    if with_wrong {
        records.push(
            json!({"id": "2025-204", "acheteur": {"id": b1.as_str()}, "objet": "Toiture",
                "dateNotification": "2025-05-01", "montant": 10000,
                "titulaires": [holder("TVA", WRONG_VAT, "Toits")]}),
        );
    }
    if format_2019 {
        for record in &mut records {
            // 2019 modifications are flat, their titulaires too.
            if let Some(changes) = record.get_mut("modifications") {
                let flat: Vec<Value> = changes
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["modification"].clone())
                    .collect();
                *changes = Value::Array(flat);
            }
        }
    }
    records
}

fn file_2024(with_wrong: bool) -> String {
    text(&json!({"marches": {"marche": records(false, with_wrong)}}))
}

fn file_2019(with_wrong: bool) -> String {
    text(&json!({"marches": records(true, with_wrong)}))
}

/// The awards of the register's contract `reference`, as (identifier kind, identifier, SIRET).
fn awards_of(register: &[Value], reference: &str) -> Vec<(String, String, Value)> {
    let contract = register
        .iter()
        .find(|c| c["reference"] == reference)
        .unwrap_or_else(|| panic!("no contract {reference}"));
    contract["lots"][0]["awards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["identifier_kind"].as_str().unwrap().to_owned(),
                a["identifier"].as_str().unwrap().to_owned(),
                a["siret"].clone(),
            )
        })
        .collect()
}

/// The register without the names of companies that have no SIRET: the 2024 format does not
/// publish names, so such a company is named by its identifier there, by its published name
/// from a 2019 file.
fn without_foreign_names(mut register: Vec<Value>) -> Vec<Value> {
    for contract in &mut register {
        for lot in contract["lots"].as_array_mut().unwrap() {
            for award in lot["awards"].as_array_mut().unwrap() {
                if award["siret"].is_null() {
                    award["name"] = Value::Null;
                }
            }
        }
    }
    register
}

#[tokio::test]
async fn a_wrong_vat_number_is_a_problem_of_its_record_in_both_formats() {
    let (app, token) = app_with_companies().await;
    for file in [file_2024(true), file_2019(true)] {
        let (status, body) = send(&app, &token, file, false).await;
        assert_eq!(status, 422, "{body}");
        let problems = body["report"]["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 1, "{body}");
        assert_eq!(problems[0]["record"], "2025-204");
        assert_eq!(problems[0]["row"], 4);
        let column = problems[0]["column"].as_str().unwrap();
        assert!(column.starts_with("titulaires[0]"), "{column}");
        assert!(column.ends_with(".id"), "{column}");
        let message = problems[0]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("Le numéro de TVA « {WRONG_VAT} » est faux")),
            "{message}"
        );
    }
    let listing = json_of(&app, "/api/contracts", &token).await;
    assert_eq!(listing["total"], 0, "nothing written");

    let (status, body) = send(&app, &token, file_2024(true), true).await;
    assert_eq!(status, 201, "{body}");
    let report = &body["report"];
    assert_eq!(report["records_written"], 3, "{report}");
    assert_eq!(report["records_skipped"].as_array().unwrap().len(), 1);
    assert_eq!(report["records_skipped"][0]["id"], "2025-204");
}

#[tokio::test]
async fn titulaires_without_siret_become_companies_without_siret_and_count_as_not_local() {
    let (newer, token_newer) = app_with_companies().await;
    let (status, body) = send(&newer, &token_newer, file_2024(false), false).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["report"]["records_written"], 3, "{body}");
    assert_eq!(body["report"]["records_skipped"], json!([]));
    assert_eq!(body["report"]["problems"], json!([]));

    let register_2024 = register(&newer, &token_newer).await;
    let sme = Value::String(local_sme());
    assert_eq!(
        awards_of(&register_2024, "2025-201"),
        [
            ("TVA".to_owned(), format!("TVA:{GERMAN_VAT}"), Value::Null),
            ("SIRET".to_owned(), local_sme(), sme.clone()),
        ]
    );
    assert_eq!(
        awards_of(&register_2024, "2025-202"),
        [(
            "HORS-UE".to_owned(),
            format!("HORS-UE:{BRITISH_ID}"),
            Value::Null
        )]
    );
    assert_eq!(
        awards_of(&register_2024, "2025-203"),
        [("TVA".to_owned(), format!("TVA:{FRENCH_VAT}"), Value::Null)]
    );
    let collège = &register_2024[0]["lots"][0]["awards"];
    assert_eq!(
        collège[0]["name"],
        format!("TVA intracommunautaire {GERMAN_VAT}")
    );
    assert_eq!(collège[1]["name"], "Bâtiments du Sud", "known name kept");

    // The companies themselves: no SIRET, their kind and identifier.
    let companies = json_of(&newer, "/api/companies?per_page=100", &token_newer).await;
    let british: Vec<&Value> = companies["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["identifier_kind"] == "HORS-UE")
        .collect();
    assert_eq!(british.len(), 1, "{companies}");
    assert_eq!(british[0]["siret"], Value::Null);
    assert_eq!(british[0]["identifier"], format!("HORS-UE:{BRITISH_ID}"));
    assert_eq!(british[0]["departement"], Value::Null);

    // Local share: only the PME's 50 000 € of 360 000 €, 1 award of 4; none of unknown place.
    let figures = json_of(
        &newer,
        &format!("/api/indicators?year=2025&buyer={}", siret(1).as_str()),
        &token_newer,
    )
    .await;
    let local = &figures["charter"]["local_by_value"];
    assert_eq!(local["part_cents"], 5_000_000, "{local}");
    assert_eq!(local["whole_cents"], 36_000_000, "{local}");
    let by_count = &figures["charter"]["local_by_count"];
    assert_eq!(
        (&by_count["part"], &by_count["whole"]),
        (&json!(1), &json!(4))
    );
    let method = local["method"].as_str().unwrap();
    assert!(method.contains("sans SIRET"), "{method}");
    assert!(
        method.contains("0 attribution(s) sans code postal"),
        "{method}"
    );

    shown_and_published_by_their_identifier(&newer, &token_newer).await;

    // The 2019 version of the same contracts gives the same register, names aside.
    let (older, token_older) = app_with_companies().await;
    let (status, body) = send(&older, &token_older, file_2019(false), false).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["report"]["records_written"], 3, "{body}");
    let register_2019 = register(&older, &token_older).await;
    assert_eq!(
        without_foreign_names(register_2019.clone()),
        without_foreign_names(register_2024.clone())
    );
    assert_eq!(
        register_2019[1]["lots"][0]["awards"][0]["name"],
        "Bridges Ltd"
    );

    // Imported again in the other format, nothing changes: the companies are found by their
    // identifier, not created twice, and their stored names stay.
    let (status, body) = send(&newer, &token_newer, file_2019(false), false).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(register(&newer, &token_newer).await, register_2024);
}

/// The contract's page and the company's page name the company by its identifier, its page
/// and statement are reached by its key, and the DECP export gives its kind of identifier.
async fn shown_and_published_by_their_identifier(app: &TestApp, token: &str) {
    let listing = json_of(app, "/api/contracts?per_page=100", token).await;
    let pont = listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["reference"] == "2025-202")
        .unwrap();
    let page = app
        .get_with(&format!("/marches/{}", pont["id"]), token)
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("Identifiant étranger (HORS-UE) {BRITISH_ID}")),
        "{html}"
    );

    let key = format!("HORS-UE:{BRITISH_ID}");
    let page = app.get_with(&format!("/entreprises/{key}"), token).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Identifiant étranger (HORS-UE)"), "{html}");
    assert!(
        html.contains("Non (sans SIRET ni code postal en France)"),
        "{html}"
    );
    let statement = app
        .get_with(&format!("/api/companies/{key}/statement"), token)
        .await;
    assert_eq!(statement.status(), 200);
    let wrong = app
        .get_with("/api/companies/TVA:FR12552045999/statement", token)
        .await;
    assert_eq!(wrong.status(), 422);

    let published = json_of(
        app,
        &format!(
            "/api/exports/decp.json?buyer={}&year=2025",
            siret(1).as_str()
        ),
        token,
    )
    .await;
    let titulaires: Vec<&Value> = published["marches"]["marche"]
        .as_array()
        .unwrap_or_else(|| panic!("{published}"))
        .iter()
        .flat_map(|m| m["titulaires"].as_array().unwrap())
        .map(|t| &t["titulaire"])
        .collect();
    assert!(titulaires.contains(&&json!({"typeIdentifiant": "TVA", "id": GERMAN_VAT})));
    assert!(titulaires.contains(&&json!({"typeIdentifiant": "HORS-UE", "id": BRITISH_ID})));
    assert!(titulaires.contains(&&json!({"typeIdentifiant": "SIRET", "id": local_sme()})));
}
