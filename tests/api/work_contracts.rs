//! Work contracts: a register built from the downloaded template imports; a faulty row refuses
//! the file naming its row and column; contracts derived from hour statements stand in for a
//! participant no register names, until one does; the indicators count them as the database
//! holds them.

use std::collections::BTreeMap;

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl, sql_query};
use suivi_clauses::domain::Role;
use suivi_clauses::storage::StorageError;

use crate::helpers::{TestApp, USER_PASSWORD, problems_by_row, spawn_app};
use crate::hours_import::{ACI, ETTI, HOLDER, send, territory};
use crate::imports::{filled, template_headers};

#[derive(QueryableByName, Debug)]
struct TypeCount {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = BigInt)]
    contracts: i64,
}

#[derive(QueryableByName, Debug)]
struct People {
    #[diesel(sql_type = BigInt)]
    people: i64,
}

const RUNNING_IN_2025: &str = "FROM work_contracts w WHERE w.start_date <= '2025-12-31' AND (w.end_date IS NULL OR w.end_date >= '2025-01-01')";

/// Contracts running in 2025 by type, and the people holding them, counted straight from the
/// tables.
async fn counted_in_database(app: &TestApp) -> (BTreeMap<String, i64>, i64) {
    app.database
        .run(|conn| {
            let types: Vec<TypeCount> = sql_query(format!(
                "SELECT w.contract_type AS kind, COUNT(*) AS contracts {RUNNING_IN_2025} GROUP BY w.contract_type"
            ))
            .load(conn)?;
            let people: People = sql_query(format!(
                "SELECT COUNT(DISTINCT w.participant_id) AS people {RUNNING_IN_2025}"
            ))
            .get_result(conn)?;
            Ok::<_, StorageError>((
                types.into_iter().map(|t| (t.kind, t.contracts)).collect(),
                people.people,
            ))
        })
        .await
        .unwrap()
}

/// The work contracts of 2025 as `/api/indicators` answers them to `token`.
async fn indicated(app: &TestApp, token: &str) -> serde_json::Value {
    let response = app.get_with("/api/indicators?year=2025", token).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    body["work_contracts"].clone()
}

fn by_type(work: &serde_json::Value) -> BTreeMap<String, i64> {
    work["by_type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap().to_owned(),
                g["contracts"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The figures answered equal the count of the tables: by type, people, and their ratio.
async fn assert_indicators_match_database(app: &TestApp, token: &str) -> BTreeMap<String, i64> {
    let (types, people) = counted_in_database(app).await;
    let work = indicated(app, token).await;
    let contracts: i64 = types.values().sum();
    assert_eq!(by_type(&work), types, "{work}");
    assert_eq!(work["contracts"], contracts, "{work}");
    assert_eq!(work["people"], people, "{work}");
    assert_eq!(
        work["per_person_hundredths"],
        (contracts * 100 + people / 2) / people,
        "{work}"
    );
    types
}

/// Sends a work-contracts register as a workbook.
async fn register(
    app: &TestApp,
    token: &str,
    name: &str,
    workbook: Vec<u8>,
    replace: bool,
) -> (u16, serde_json::Value) {
    app.import(token, "work_contracts", name, workbook, replace)
        .await
}

fn counts(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
}

#[tokio::test]
async fn a_register_from_the_template_imports_and_the_indicators_count_it() {
    let app = spawn_app().await;
    let company = territory(&app).await;
    let facilitator = app.create_user(Role::Facilitator, vec![]).await;
    let facilitator = app.session(&facilitator.email, USER_PASSWORD).await.token;
    let people = "Identifiant participant;Critère d'éligibilité;Année de naissance;Sexe\nP-004;DELD;1979;H\n";
    assert_eq!(
        send(&app, &facilitator, "participants", people).await.0,
        201
    );

    // P-004 has no register: its hours of March, April and June stand for two CDD.
    let statement = format!(
        "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées;Type de contrat\n\
         2025-TX-014;{HOLDER};03/2025;P-004;Embauche directe;70;CDD\n\
         2025-TX-014;{HOLDER};04/2025;P-004;Embauche directe;70;CDD\n\
         2025-TX-014;{HOLDER};06/2025;P-004;Embauche directe;35;CDD\n"
    );
    let (status, body) = send(&app, &company, "hours", &statement).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        assert_indicators_match_database(&app, &facilitator).await,
        counts(&[("fixed_term", 2)])
    );

    let response = app
        .get_with("/api/imports/templates/work_contracts", &facilitator)
        .await;
    assert_eq!(response.status(), 200);
    let (headers, sheets) = template_headers(&response.bytes().await.unwrap());
    assert_eq!(sheets, ["Données", "Aide", "Listes"]);
    assert_eq!(headers[0], "Identifiant participant *");
    let row = |cells: [&str; 9]| cells.map(str::to_owned).to_vec();
    let rows = [
        row([
            "P-001",
            HOLDER,
            "",
            "CDI",
            "01/03/2025",
            "",
            "35",
            "2025-TX-014",
            "",
        ]),
        row([
            "P-002",
            ETTI,
            ETTI,
            "CTTI",
            "01/04/2025",
            "30/06/2025",
            "35",
            "2025-TX-014",
            "",
        ]),
        row([
            "P-002",
            ETTI,
            ETTI,
            "CTTI",
            "01/09/2025",
            "31/10/2025",
            "20h30",
            "2025-TX-014",
            "",
        ]),
        row([
            "P-003",
            ACI,
            ACI,
            "CDDI",
            "01/05/2025",
            "31/12/2025",
            "26",
            "2025-TX-014",
            "",
        ]),
        // Ended before the year: imported, not counted in 2025.
        row([
            "P-003",
            ACI,
            ACI,
            "CDDI",
            "01/05/2024",
            "31/12/2024",
            "26",
            "2025-TX-014",
            "",
        ]),
    ];
    let file = |rows: &[Vec<String>]| {
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        filled(&headers, &slices)
    };

    // One faulty row: the file is refused whole, the row and column named.
    let mut faulty = rows.to_vec();
    faulty[2][5] = "31/08/2025".to_owned();
    let (status, body) = register(&app, &facilitator, "contrats.xlsx", file(&faulty), false).await;
    assert_eq!(status, 422, "{body}");
    let problems = problems_by_row(&body);
    assert_eq!(problems.len(), 1, "{body}");
    assert_eq!(problems[0].0, 4, "{body}");
    assert!(problems[0].1.contains("précède la date de début"), "{body}");
    assert_eq!(
        body["report"]["problems"][0]["column"], "Date de fin",
        "{body}"
    );
    assert_eq!(
        counted_in_database(&app).await.0,
        counts(&[("fixed_term", 2)]),
        "nothing written"
    );

    let (status, body) = register(&app, &facilitator, "contrats.xlsx", file(&rows), false).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["report"]["rows_written"], 5, "{body}");
    // Sent again, the register updates its contracts instead of adding to them.
    let (status, body) = register(&app, &facilitator, "contrats.xlsx", file(&rows), true).await;
    assert_eq!(status, 201, "{body}");
    let work = indicated(&app, &facilitator).await;
    assert_eq!(
        assert_indicators_match_database(&app, &facilitator).await,
        counts(&[
            ("fixed_term", 2),
            ("insertion_fixed_term", 1),
            ("insertion_temporary", 2),
            ("permanent", 1),
        ])
    );
    assert_eq!(
        (&work["contracts"], &work["people"]),
        (&6.into(), &4.into())
    );
    assert_eq!(work["per_person_hundredths"], 150);
    assert_eq!(work["derived"], 2);

    // A register naming P-004 replaces the contracts derived from its hours.
    let p4 = [row([
        "P-004",
        HOLDER,
        "",
        "CDD",
        "01/03/2025",
        "30/06/2025",
        "35",
        "2025-TX-014",
        "",
    ])];
    let (status, body) = register(&app, &facilitator, "p4.xlsx", file(&p4), false).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        assert_indicators_match_database(&app, &facilitator).await["fixed_term"],
        1
    );
    assert_eq!(indicated(&app, &facilitator).await["derived"], 0);

    // An officer of the buyer sees no count of four people.
    let officer = app
        .create_user(Role::BuyerOfficer, vec![crate::helpers::siret(1)])
        .await;
    let officer = app.session(&officer.email, USER_PASSWORD).await.token;
    let outside = indicated(&app, &officer).await;
    assert!(outside["contracts"].is_null(), "{outside}");
    assert!(
        outside["by_type"].as_array().unwrap().is_empty(),
        "{outside}"
    );
}

#[tokio::test]
async fn a_company_account_may_not_send_a_register() {
    let app = spawn_app().await;
    let company = territory(&app).await;
    let csv = format!(
        "Identifiant participant;SIRET employeur;Type de contrat;Date de début;Référence marché\nP-001;{HOLDER};CDI;01/03/2025;2025-TX-014\n"
    );
    let response = app
        .upload(&company, "work_contracts", "c.csv", csv.into_bytes(), false)
        .await;
    assert_eq!(response.status(), 403);
}

/// Six people with validated hours on the Département's contract in 2025, contracts for some.
async fn six_people(app: &TestApp) -> String {
    territory(app).await;
    let admin = app
        .session(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD)
        .await
        .token;
    let people = "Identifiant participant;Critère d'éligibilité;Année de naissance;Sexe;Sortie;Date de sortie\n\
                  P-004;DELD;1979;H;Emploi durable;30/11/2025\n\
                  P-005;RSA;1990;F;;\n\
                  P-006;RSA;1961;F;Autre sortie;15/12/2025\n";
    assert_eq!(send(app, &admin, "participants", people).await.0, 201);
    let mut statement = String::from(
        "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;SIRET structure d'insertion;Heures travaillées;Type de contrat\n",
    );
    for (n, month) in [(1, 3), (2, 4), (3, 5), (4, 3), (4, 4), (5, 9), (6, 10)] {
        let (modality, structure, kind) = match n {
            2 => ("Mise à disposition", ETTI, "CTTI"),
            3 => ("Sous-traitance", ACI, "CDDI"),
            _ => ("Embauche directe", "", "CDD"),
        };
        statement.push_str(&format!(
            "2025-TX-014;{HOLDER};{month:02}/2025;P-00{n};{modality};{structure};35;{kind}\n"
        ));
    }
    let (status, body) = send(app, &admin, "hours", &statement).await;
    assert_eq!(status, 201, "{body}");
    let register = format!(
        "Identifiant participant;SIRET employeur;Type de contrat;Date de début;Date de fin;Référence marché\n\
         P-001;{HOLDER};CDI;01/03/2025;;2025-TX-014\n\
         P-001;{HOLDER};CDD;01/01/2025;28/02/2025;2025-TX-014\n"
    );
    let (status, body) = send(app, &admin, "work_contracts", &register).await;
    assert_eq!(status, 201, "{body}");
    admin
}

#[tokio::test]
async fn the_annual_report_gives_the_totals_of_the_indicators() {
    use calamine::Reader;

    use crate::exports::{download, open, rows, scaled, text};

    let database = crate::helpers::TestDatabase::new();
    let (url, dir) = (database.url().to_owned(), database.data_dir());
    let app = crate::helpers::spawn_app_on(database, |_| {}).await;
    six_people(&app).await;
    let elected = app.create_user(Role::Elected, vec![]).await;
    let elected = app.session(&elected.email, USER_PASSWORD).await.token;
    let figures: serde_json::Value = app
        .get_with("/api/indicators?year=2025&breakdowns=all", &elected)
        .await
        .json()
        .await
        .unwrap();
    let bytes = download(&app, "/api/exports/annual-report.xlsx?year=2025", &elected).await;
    let mut book = open(bytes);
    assert_eq!(
        book.sheet_names(),
        [
            "Synthèse",
            "Heures",
            "Participants",
            "Contrats de travail",
            "Entreprises",
            "Sorties",
            "Méthode"
        ]
    );

    let synthesis = rows(&mut book, "Synthèse");
    let total = |reference: &str| {
        synthesis
            .iter()
            .find(|r| text(&r[0]) == reference)
            .unwrap_or_else(|| panic!("no line {reference}"))[2]
            .clone()
    };
    let (insertion, work) = (&figures["insertion"], &figures["work_contracts"]);
    assert_eq!(
        scaled(&total("H1"), 100.0),
        insertion["hours"]["hours_hundredths"].as_i64().unwrap()
    );
    assert_eq!(
        scaled(&total("H2"), 100.0),
        insertion["fte"]["fte_hundredths"].as_i64().unwrap()
    );
    assert_eq!(scaled(&total("P1"), 1.0), 6);
    assert_eq!(insertion["participants"]["count"], 6);
    // P-001: a CDI and a CDD; P-002 to P-006 one each, derived from their hours (P-004's
    // March and April one contract).
    assert_eq!(
        (&work["contracts"], &work["people"]),
        (&7.into(), &6.into())
    );
    assert_eq!(scaled(&total("C1"), 1.0), 7);
    assert_eq!(scaled(&total("C2"), 1.0), 6);
    assert_eq!(
        scaled(&total("C3"), 100.0),
        work["per_person_hundredths"].as_i64().unwrap()
    );
    assert_eq!(work["per_person_hundredths"], 117);
    let companies = crate::indicators::breakdown(&figures, "company")
        .iter()
        .filter(|g| !g["key"].is_null())
        .count() as i64;
    assert_eq!(scaled(&total("E1"), 1.0), companies);
    let exits = &insertion["exits_to_employment"];
    if exits.is_null() {
        assert!(text(&total("S1")).contains("masqué"));
    } else {
        assert_eq!(scaled(&total("S1"), 1.0), exits["whole"].as_i64().unwrap());
        assert_eq!(scaled(&total("S2"), 1.0), exits["part"].as_i64().unwrap());
    }

    // The hours of each sheet add up to the total; every line's reference has its method.
    let by_modality: i64 = rows(&mut book, "Heures")
        .iter()
        .filter(|r| text(&r[0]) == "H3")
        .map(|r| scaled(&r[3], 100.0))
        .sum();
    assert_eq!(
        by_modality,
        insertion["hours"]["hours_hundredths"].as_i64().unwrap()
    );
    let by_sector: i64 = rows(&mut book, "Heures")
        .iter()
        .filter(|r| text(&r[0]) == "H4")
        .map(|r| scaled(&r[3], 100.0))
        .sum();
    assert_eq!(
        by_sector,
        insertion["hours"]["hours_hundredths"].as_i64().unwrap()
    );
    let explained: Vec<String> = rows(&mut book, "Méthode")
        .iter()
        .map(|r| text(&r[0]))
        .filter(|r| !r.is_empty())
        .collect();
    for sheet in [
        "Heures",
        "Participants",
        "Contrats de travail",
        "Entreprises",
        "Sorties",
    ] {
        // Lines of the table (a note under it fills its first cell only).
        let lines = rows(&mut book, sheet);
        let table = lines.iter().skip(1).filter(|r| !text(&r[1]).is_empty());
        for row in table {
            let reference = text(&row[0]);
            assert!(
                explained.contains(&reference),
                "{sheet}: « {reference} » has no method"
            );
        }
    }
    for row in synthesis.iter().skip(5) {
        let reference = text(&row[0]);
        assert!(explained.contains(&reference), "Synthèse: {reference}");
    }
    // Exits, then the situations six months after them.
    let exits = rows(&mut book, "Sorties");
    for reference in ["S3", "S4"] {
        assert!(
            exits.iter().any(|r| text(&r[0]) == reference),
            "{reference}: {exits:?}"
        );
    }

    // The command line writes the same figures.
    let file = dir.join("rapport.xlsx");
    let args = ["export", "--kind", "annual-report", "--year", "2025"];
    crate::indicators::command_line(&url, &dir, &[&args[..], &[file.to_str().unwrap()]].concat());
    let mut cli = open(std::fs::read(&file).unwrap());
    for sheet in [
        "Heures",
        "Participants",
        "Contrats de travail",
        "Entreprises",
        "Sorties",
    ] {
        assert_eq!(rows(&mut book, sheet), rows(&mut cli, sheet), "{sheet}");
    }
}
