//! The DECP 2024 export validates against the official schema, carries the social and
//! environmental considerations, and refuses, with what to add, a register that lacks a required field.

use serde_json::Value;

use crate::helpers::{TestApp, TestDatabase, siret, spawn_app_on};
use crate::indicators::{register_csv, territory};

const SCHEMA: &str = include_str!("../fixtures/decp/schema_decp_v2.0.3.json");
const EXAMPLE: &str = include_str!("../fixtures/decp/exemple_marches.json");

fn validate(document: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("the official schema compiles");
    validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

#[test]
fn the_official_example_passes_the_validator() {
    let example: Value = serde_json::from_str(EXAMPLE).unwrap();
    assert_eq!(validate(&example), Vec::<String>::new());
    // And a record without its required fields does not: the validator is not a formality.
    let broken = serde_json::json!({ "marches": { "marche": [{ "id": "X" }] } });
    assert!(!validate(&broken).is_empty());
}

/// The territory's register with what DECP requires: CPV codes and procedures; 2025-01 has an
/// environmental condition of execution, 2025-03 an environmental award criterion.
fn complete_register() -> String {
    let mut lines = register_csv()
        .lines()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    lines[0].push_str(
        ";Code CPV;Procédure;Condition environnementale d'exécution;Critère environnemental d'attribution",
    );
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        let cpv = if i == 5 { "77310000-6" } else { "45214200-2" };
        let green = match i {
            1 => "Oui;Non",
            5 => "Non;Oui",
            _ => "Non;Non",
        };
        line.push_str(&format!(";{cpv};Procédure adaptée;{green}"));
    }
    lines.join("\n") + "\n"
}

async fn decp(app: &TestApp, token: &str, query: &str) -> (u16, Value) {
    let response = app
        .get_with(&format!("/api/exports/decp.json?{query}"), token)
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn record<'a>(document: &'a Value, id: &str) -> &'a Value {
    document["marches"]["marche"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no record {id}"))
}

#[tokio::test]
async fn a_buyers_contracts_are_published_in_the_decp_format() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = territory(&app).await;
    let buyer = siret(1);
    let query = format!("buyer={}&year=2025", buyer.as_str());

    // The territory's register has no CPV code nor procedure: refused, with what to add.
    let (status, refused) = decp(&app, &admin, &query).await;
    assert_eq!(status, 422);
    assert_eq!(refused["error"]["code"], "decp_incomplete");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("marché 2025-01 : code CPV manquant (colonne « Code CPV »)"),
        "{message}"
    );
    assert!(message.contains("procédure manquante"), "{message}");

    import_complete_register(&app, &admin).await;
    let (status, document) = decp(&app, &admin, &query).await;
    assert_eq!(status, 200, "{document}");
    assert_eq!(validate(&document), Vec::<String>::new());

    // Buyer 1's 2025 contracts: 2025-01, 2025-02 (two lots) and 2025-03.
    let records = document["marches"]["marche"].as_array().unwrap();
    assert_eq!(records.len(), 4);
    let clause = record(&document, "2025-01");
    assert_eq!(clause["acheteur"]["id"], buyer.as_str());
    assert_eq!(
        clause["considerationsSociales"]["considerationSociale"],
        serde_json::json!(["Clause sociale"])
    );
    assert_eq!(
        clause["considerationsEnvironnementales"]["considerationEnvironnementale"],
        serde_json::json!(["Clause environnementale"])
    );
    assert_eq!(clause["montant"], 100_000.0);
    assert_eq!(clause["dureeMois"], 12);
    // Stored and published without the check digit, as the format prefers.
    assert_eq!(clause["codeCPV"], "45214200");
    assert_eq!(clause["ccag"], "Travaux");
    assert_eq!(clause["procedure"], "Procédure adaptée");
    assert_eq!(clause["lieuExecution"]["code"], "31");
    // Lot 1: a holder and a declared subcontractor (who is not a titulaire).
    let lot1 = record(&document, "2025-02-L1");
    assert_eq!(lot1["titulaires"].as_array().unwrap().len(), 1);
    assert_eq!(lot1["sousTraitanceDeclaree"], true);
    assert_eq!(
        lot1["considerationsSociales"]["considerationSociale"],
        serde_json::json!(["Pas de considération sociale"])
    );
    assert_eq!(
        lot1["considerationsEnvironnementales"]["considerationEnvironnementale"],
        serde_json::json!(["Pas de considération environnementale"])
    );
    let reserved = record(&document, "2025-02-L2");
    assert_eq!(
        reserved["considerationsSociales"]["considerationSociale"],
        serde_json::json!(["Marché réservé"])
    );
    let criterion = record(&document, "2025-03");
    assert_eq!(
        criterion["considerationsSociales"]["considerationSociale"],
        serde_json::json!(["Critère social"])
    );
    assert_eq!(criterion["ccag"], "Fournitures courantes et services");
    assert_eq!(
        criterion["considerationsEnvironnementales"]["considerationEnvironnementale"],
        serde_json::json!(["Critère environnemental"])
    );

    // Another buyer's officer may not publish buyer 1's contracts.
    let officer = app
        .create_user(suivi_clauses::domain::Role::BuyerOfficer, vec![siret(2)])
        .await;
    let officer = app
        .session(&officer.email, crate::helpers::USER_PASSWORD)
        .await
        .token;
    let (status, _) = decp(&app, &officer, &query).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn published_contracts_come_back_as_a_register() {
    // The contracts published by one instance…
    let source = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = territory(&source).await;
    import_complete_register(&source, &admin).await;
    let buyer = siret(1);
    let (_, published) = decp(
        &source,
        &admin,
        &format!("buyer={}&year=2025", buyer.as_str()),
    )
    .await;

    // …imported into another, which knows the buyer and the companies but no contract.
    let target = spawn_app_on(TestDatabase::new(), |_| {}).await;
    target.add_buyer(1, "Département").await;
    let token = target
        .session(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD)
        .await
        .token;
    let (status, body) = target
        .import(
            &token,
            "structures",
            "structures.csv",
            crate::indicators::structures_csv().into_bytes(),
            false,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let file = serde_json::to_vec_pretty(&published).unwrap();
    let (status, report) = target
        .import(&token, "contracts", "decp.json", file, false)
        .await;
    assert_eq!(status, 201, "{report}");
    assert_eq!(report["report"]["format"], "json");
    let warnings = report["report"]["warnings"].to_string();
    assert!(
        warnings.contains("2025-02-L2 est réservé selon la DECP"),
        "{warnings}"
    );

    // Published again, it says the same, but for the reservation DECP does not qualify.
    let (status, again) = decp(
        &target,
        &token,
        &format!("buyer={}&year=2025", buyer.as_str()),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(validate(&again), Vec::<String>::new());
    for id in ["2025-01", "2025-02-L1", "2025-03"] {
        let (before, after) = (record(&published, id), record(&again, id));
        for field in [
            "objet",
            "codeCPV",
            "procedure",
            "dureeMois",
            "dateNotification",
            "montant",
            "titulaires",
            "considerationsSociales",
            "considerationsEnvironnementales",
        ] {
            assert_eq!(before[field], after[field], "{id} {field}");
        }
    }
    assert_eq!(
        record(&again, "2025-02-L2")["considerationsSociales"]["considerationSociale"],
        serde_json::json!(["Pas de considération sociale"])
    );
}

#[tokio::test]
async fn a_decp_file_with_a_bad_identifier_is_refused_whole_with_the_record_named() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    app.add_buyer(1, "Département").await;
    let token = app
        .session(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD)
        .await
        .token;
    // The official example, for buyer 1: its subcontractor "214356" is not a SIRET.
    let example = EXAMPLE.replace("21750001630066", siret(1).as_str());
    let (status, body) = app
        .import(
            &token,
            "contracts",
            "exemple.json",
            example.into_bytes(),
            false,
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let problems = body["report"]["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["sheet"] == "DECP" && p["value"] == "214356"),
        "{body}"
    );
    let listing = crate::indicators::json_of(&app, "/api/contracts", &token).await;
    assert_eq!(listing["total"], 0, "nothing written");

    // A DECP file sent as hour statements is pointed to the right door.
    let (status, body) = app
        .import(
            &token,
            "hours",
            "decp.json",
            EXAMPLE.as_bytes().to_vec(),
            false,
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body["report"]["file_problem"]
            .as_str()
            .unwrap()
            .contains("registre des marchés"),
        "{body}"
    );
}

async fn import_complete_register(app: &crate::helpers::TestApp, token: &str) {
    let (status, body) = app
        .import(
            token,
            "contracts",
            "registre-complet.csv",
            complete_register().into_bytes(),
            false,
        )
        .await;
    assert_eq!(status, 201, "{body}");
}
