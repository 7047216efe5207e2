//! Participants and hour statements: a company declares the hours of its lots month by month;
//! a corrected statement replaces values; anything inconsistent is refused, nothing written.

use diesel::prelude::*;
use suivi_clauses::domain::{Role, Siret};
use suivi_clauses::storage::StorageError;
use suivi_clauses::storage::schema::{hour_entries, participants};

use crate::helpers::{TestApp, USER_PASSWORD, message_at, problems_by_row, siret, spawn_app};

pub const HOLDER: &str = "44306184100047";
pub const ETTI: &str = "73282932000074";
pub const ACI: &str = "21310555400017";

pub(crate) async fn send(
    app: &TestApp,
    token: &str,
    kind: &str,
    csv: &str,
) -> (u16, serde_json::Value) {
    app.import(
        token,
        kind,
        &format!("{kind}.csv"),
        csv.as_bytes().to_vec(),
        false,
    )
    .await
}

/// A buyer, its register (one contract without lots, notified 14/03/2025 for 24 months, held by
/// HOLDER with the ACI as declared subcontractor), the insertion structures and three
/// participants. Returns a company session for HOLDER.
pub async fn territory(app: &TestApp) -> String {
    app.add_buyer(1, "Département").await;
    let buyer = siret(1);
    let officer = app
        .create_user(Role::BuyerOfficer, vec![buyer.clone()])
        .await;
    let officer = app.session(&officer.email, USER_PASSWORD).await.token;
    let register = format!(
        "Référence marché;Objet;SIRET acheteur;Date de notification;Durée (mois);Montant HT;SIRET titulaire;Raison sociale titulaire;Rôle;Clause d'insertion;Heures d'insertion prévues\n\
         2025-TX-014;Réhabilitation du collège;{b};14/03/2025;24;600000;{HOLDER};Bâtiments du Sud;Titulaire;Oui;2500\n\
         2025-TX-014;Réhabilitation du collège;{b};14/03/2025;24;80000;{ACI};Chantier du Lauragais;Sous-traitant;Oui;\n",
        b = buyer.as_str()
    );
    let structures = format!(
        "SIRET;Raison sociale;Type de structure\n{ETTI};Intérim Insertion Garonne;ETTI\n{ACI};Chantier du Lauragais;ACI\n"
    );
    assert_eq!(send(app, &officer, "contracts", &register).await.0, 201);
    assert_eq!(send(app, &officer, "structures", &structures).await.0, 201);

    let facilitator = app.create_user(Role::Facilitator, vec![]).await;
    let facilitator = app.session(&facilitator.email, USER_PASSWORD).await.token;
    let people = "Identifiant participant;Nom;Critère d'éligibilité;Date de validation;Année de naissance;Sexe;Résident QPV\n\
                  P-001;Martin;RSA;02/03/2025;1984;F;Oui\n\
                  P-002;Durand;RQTH;10/03/2025;1991;H;Non\n\
                  P-003;Petit;JEUNE;10/03/2025;2004;F;\n";
    let (status, body) = send(app, &facilitator, "participants", people).await;
    assert_eq!(status, 201, "{body}");
    assert!(
        body["report"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("« Nom »"),
        "{body}"
    );

    let company = app
        .create_user(Role::Company, vec![Siret::parse(HOLDER).unwrap()])
        .await;
    app.session(&company.email, USER_PASSWORD).await.token
}

pub const STATEMENT: &str = "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;SIRET structure d'insertion;Heures travaillées;Type de contrat\n\
     2025-TX-014;44306184100047;03/2025;P-001;Embauche directe;;35h30;CDI\n\
     2025-TX-014;44306184100047;avril 2025;P-002;Mise à disposition;73282932000074;120;Intérim\n\
     2025-TX-014;44306184100047;2025-05;P-003;Sous-traitance;21310555400017;80,5;CDDI\n";

pub async fn hours_by_participant(app: &TestApp) -> Vec<(String, i32, String, i64)> {
    app.database
        .run(|conn| {
            hour_entries::table
                .inner_join(participants::table)
                .select((
                    participants::pseudonym,
                    hour_entries::month,
                    hour_entries::modality,
                    hour_entries::hours,
                ))
                .order((participants::pseudonym, hour_entries::month))
                .load(conn)
                .map_err(StorageError::from)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_company_declares_its_hours_and_a_correction_replaces_them() {
    let app = spawn_app().await;
    let company = territory(&app).await;

    let (first, body) = send(&app, &company, "hours", STATEMENT).await;
    let corrected = STATEMENT.replace("35h30", "40");
    let (second, corrected_body) = send(&app, &company, "hours", &corrected).await;

    assert_eq!(first, 201, "{body}");
    assert_eq!(second, 201, "{corrected_body}");
    assert_eq!(
        hours_by_participant(&app).await,
        [
            ("P-001".to_owned(), 202_503, "direct_hire".to_owned(), 4_000),
            ("P-002".to_owned(), 202_504, "secondment".to_owned(), 12_000),
            (
                "P-003".to_owned(),
                202_505,
                "subcontracting".to_owned(),
                8_050
            ),
        ]
    );
    let replaced = corrected_body["report"]["replaced"].as_array().unwrap();
    assert_eq!(replaced.len(), 1);
    assert!(
        replaced[0].as_str().unwrap().starts_with("Ligne 2 : 40,00"),
        "{replaced:?}"
    );
}

#[tokio::test]
async fn an_inconsistent_statement_is_refused_row_by_row_and_nothing_is_written() {
    let app = spawn_app().await;
    let company = territory(&app).await;
    let statement = "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;SIRET structure d'insertion;Heures travaillées\n\
         2025-TX-999;44306184100047;03/2025;P-001;Embauche directe;;35\n\
         2025-TX-014;44306184100047;01/2025;P-001;Embauche directe;;35\n\
         2025-TX-014;44306184100047;04/2025;P-404;Embauche directe;;35\n\
         2025-TX-014;44306184100047;04/2025;P-001;Mise à disposition;21310555400017;35\n\
         2025-TX-014;44306184100047;04/2025;P-002;Sous-traitance;;35\n\
         2025-TX-014;73282932000074;04/2025;P-002;Embauche directe;;35\n\
         2025-TX-014;44306184100047;06/2025;P-003;Embauche directe;;150\n\
         2025-TX-014;44306184100047;06/2025;P-003;Formation;;60\n\
         2025-TX-014;44306184100047;07/2025;P-003;Embauche directe;;20\n\
         2025-TX-014;44306184100047;07/2025;P-003;Embauche directe;;20\n\
         2025-TX-014;44306184100047;08/2025;P-003;Embauche directe;;-4\n";

    let (status, body) = send(&app, &company, "hours", statement).await;

    assert_eq!(status, 422, "{body}");
    let problems = problems_by_row(&body);
    let at = |row| message_at(&problems, row);
    assert!(at(2).contains("Aucun marché"), "{problems:?}");
    assert!(
        at(3).contains("hors de la période du marché (de mars 2025 à mars 2027)"),
        "{problems:?}"
    );
    assert!(at(4).contains("participant inconnu"), "{problems:?}");
    assert!(
        at(5).contains("mise à disposition se fait par une ETTI"),
        "{problems:?}"
    );
    assert!(
        at(6).contains("« Sous-traitance » se déclare avec le SIRET"),
        "{problems:?}"
    );
    assert!(at(7).contains("propres heures"), "{problems:?}");
    assert!(at(9).contains("dépasse 200,00"), "{problems:?}");
    assert!(at(11).contains("répète la ligne 10"), "{problems:?}");
    assert!(at(12).contains("négatif"), "{problems:?}");
    assert_eq!(problems.len(), 9, "{problems:?}");
    assert!(hours_by_participant(&app).await.is_empty());
}

#[tokio::test]
async fn formulas_count_by_their_cached_value() {
    let app = spawn_app().await;
    let company = territory(&app).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "Référence marché",
        "SIRET entreprise",
        "Mois",
        "Identifiant participant",
        "Modalité",
        "Heures travaillées",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in [
        "2025-TX-014",
        HOLDER,
        "03/2025",
        "P-001",
        "Embauche directe",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(1, c as u16, *v).unwrap();
    }
    // Hours as a formula (weekly hours × weeks), saved with its result as Excel does.
    sheet.write_formula(1, 5, "=7*5").unwrap();
    sheet.set_formula_result(1, 5, "35");

    let (status, body) = app
        .import(
            &company,
            "hours",
            "releve.xlsx",
            book.save_to_buffer().unwrap(),
            false,
        )
        .await;

    assert_eq!(status, 201, "{body}");
    assert_eq!(hours_by_participant(&app).await[0].3, 3_500);
}

#[tokio::test]
async fn stored_hours_count_toward_the_monthly_ceiling_except_those_replaced() {
    let app = spawn_app().await;
    let company = territory(&app).await;
    assert_eq!(send(&app, &company, "hours", STATEMENT).await.0, 201);
    let header = "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;SIRET structure d'insertion;Heures travaillées\n";
    // P-002 already has 120 h in April 2025 (secondment).
    let more = format!("{header}2025-TX-014;{HOLDER};04/2025;P-002;Embauche directe;;100\n");
    let corrected =
        format!("{header}2025-TX-014;{HOLDER};04/2025;P-002;Mise à disposition;{ETTI};190\n");

    let (refused, body) = send(&app, &company, "hours", &more).await;
    let (accepted, _) = send(&app, &company, "hours", &corrected).await;

    assert_eq!(refused, 422, "{body}");
    let problems = problems_by_row(&body);
    assert!(
        message_at(&problems, 2).contains("Avec les 120,00"),
        "{problems:?}"
    );
    assert_eq!(accepted, 201);
    let april: Vec<i64> = hours_by_participant(&app)
        .await
        .into_iter()
        .filter(|(p, month, _, _)| p == "P-002" && *month == 202_504)
        .map(|(_, _, _, hours)| hours)
        .collect();
    assert_eq!(april, [19_000]);
}

#[tokio::test]
async fn a_company_gets_its_lots_prefilled_in_the_hours_template() {
    use calamine::{Data, Reader};
    let app = spawn_app().await;
    let company = territory(&app).await;

    let response = app.get_with("/api/imports/templates/hours", &company).await;

    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("Données").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 2, "one lot with a clause: {rows:?}");
    assert_eq!(
        rows[1][..3],
        ["2025-TX-014".to_owned(), String::new(), HOLDER.to_owned()]
    );
    // The company completes the row and sends it back.
    let mut filled = rust_xlsxwriter::Workbook::new();
    let sheet = filled.add_worksheet();
    for (r, row) in range.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if let Data::String(text) = cell {
                sheet.write_string(r as u32, c as u16, text).unwrap();
            }
        }
    }
    for (c, value) in [
        (3, "03/2025"),
        (4, "P-001"),
        (5, "Embauche directe"),
        (7, "35"),
    ] {
        sheet.write_string(1, c, value).unwrap();
    }
    let (status, body) = app
        .import(
            &company,
            "hours",
            "modele-heures.xlsx",
            filled.save_to_buffer().unwrap(),
            false,
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

/// Typed cells as spreadsheet programs store them, read through the old and the binary Excel
/// formats: months as dates, SIRETs and hours as numbers.
#[tokio::test]
async fn excel_97_and_excel_binary_statements_import_like_any_other() {
    use crate::xlsb::Cell::{Empty, Number, Text};
    let app = spawn_app().await;
    let company = territory(&app).await;
    // Saved by LibreOffice as "Excel 97–2003" from a French CSV (tests/fixtures/README.md): a
    // title above the header at row 3, dates and decimal numbers typed, a total row at the end.
    let excel_97 = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/releve-heures-excel97.xls"),
    )
    .unwrap();
    let header = [
        "Référence marché",
        "SIRET entreprise",
        "Mois",
        "Identifiant participant",
        "Modalité",
        "SIRET structure d'insertion",
        "Heures travaillées",
    ]
    .map(Text);
    // March 2025 as an Excel serial date (1 March 2025 = 45717).
    let binary = crate::xlsb::workbook(
        "Heures",
        &[
            &header,
            &[
                Text("2025-TX-014"),
                Number(44306184100047.0),
                Number(45717.0),
                Text("P-001"),
                Text("Embauche directe"),
                Empty,
                Number(40.25),
            ],
            &[
                Text("2025-TX-014"),
                Number(44306184100047.0),
                Text("Juin-25"),
                Text("P-003"),
                Text("Sous-traitance"),
                Number(21310555400017.0),
                Text("12h30"),
            ],
        ],
    );

    let (old_status, old_body) = app
        .import(&company, "hours", "releve.xls", excel_97, false)
        .await;
    let (binary_status, binary_body) = app
        .import(&company, "hours", "releve.xlsb", binary, false)
        .await;

    assert_eq!(old_status, 201, "{old_body}");
    assert_eq!(old_body["report"]["format"], "xls", "{old_body}");
    assert_eq!(old_body["report"]["header_row"], 3, "{old_body}");
    assert_eq!(old_body["report"]["rows_written"], 3, "{old_body}");
    assert_eq!(binary_status, 201, "{binary_body}");
    assert_eq!(binary_body["report"]["format"], "xlsb", "{binary_body}");
    assert_eq!(binary_body["report"]["sheet"], "Heures");
    assert_eq!(
        hours_by_participant(&app).await,
        [
            ("P-001".to_owned(), 202_503, "direct_hire".to_owned(), 4_025),
            ("P-002".to_owned(), 202_504, "secondment".to_owned(), 12_000),
            (
                "P-003".to_owned(),
                202_505,
                "subcontracting".to_owned(),
                8_050
            ),
            (
                "P-003".to_owned(),
                202_506,
                "subcontracting".to_owned(),
                1_250
            ),
        ]
    );
}
