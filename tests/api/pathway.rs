//! A participant's pathway: the page with its hours month by month, the situation six months
//! after exit (imported, or recorded from the page), and the « À faire » item while it is due.

use chrono::Months;
use serde_json::Value;
use suivi_clauses::domain::Role;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, USER_PASSWORD, siret, spawn_app};
use crate::pages::{page, post_form};

const BUYER: u64 = 61;
const OTHER_BUYER: u64 = 62;

async fn send(app: &TestApp, token: &str, kind: &str, csv: String) -> (u16, Value) {
    app.import(token, kind, &format!("{kind}.csv"), csv.into_bytes(), false)
        .await
}

/// Imports a CSV file of this kind, which must be accepted.
pub async fn sent(app: &TestApp, token: &str, kind: &str, csv: String) {
    let (status, body) = send(app, token, kind, csv).await;
    assert_eq!(status, 201, "{kind}: {body}");
}

fn day(date: chrono::NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// Two buyers, one contract each (the first with two lots, held by two companies); P-1 worked
/// January 2025 on both lots of the first (7 h of training among them), March 2025 on the
/// second buyer's contract, and left eight months ago; P-2 left two months ago; P-3 never
/// left. Returns the administrator's token.
async fn pathway(app: &TestApp) -> String {
    app.add_buyer(BUYER, "Commune de Muret").await;
    app.add_buyer(OTHER_BUYER, "Commune de Blagnac").await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let (b1, b2, c1, c2) = (siret(BUYER), siret(OTHER_BUYER), siret(71), siret(72));
    let (b1, b2, c1, c2) = (b1.as_str(), b2.as_str(), c1.as_str(), c2.as_str());
    sent(
        app,
        &admin,
        "contracts",
        format!(
            "Référence marché;Objet;SIRET acheteur;Date de notification;Durée (mois);Lot;Montant HT;SIRET titulaire;Raison sociale titulaire;Code postal titulaire;Clause d'insertion;Heures d'insertion prévues\n\
             2025-MU;Travaux;{b1};01/01/2025;24;1;300000;{c1};Bâtiments du Sud;31600;Oui;500\n\
             2025-MU;Travaux;{b1};01/01/2025;24;2;200000;{c2};Peintures Garonne;31600;Oui;300\n\
             2025-BL;Entretien;{b2};01/01/2025;24;;100000;{c1};Bâtiments du Sud;31600;Oui;200\n"
        ),
    )
    .await;
    let today = suivi_clauses::app::today();
    let long_ago = today - Months::new(8);
    let recently = today - Months::new(2);
    sent(
        app,
        &admin,
        "participants",
        format!(
            "Identifiant participant;Critère d'éligibilité;Date de validation;Année de naissance;Sexe;Sortie;Date de sortie\n\
             P-1;RSA;02/01/2025;1990;F;Emploi de transition;{}\n\
             P-2;DELD;02/01/2025;1985;H;Sortie positive;{}\n\
             P-3;JEUNE;02/01/2025;2003;H;;\n",
            day(long_ago),
            day(recently)
        ),
    )
    .await;
    sent(
        app,
        &admin,
        "hours",
        format!(
            "Référence marché;Lot;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n\
             2025-MU;1;{c1};01/2025;P-1;Embauche directe;35\n\
             2025-MU;2;{c2};01/2025;P-1;Formation;7\n\
             2025-MU;2;{c2};01/2025;P-1;Embauche directe;14,5\n\
             2025-BL;;{c1};03/2025;P-1;Embauche directe;20\n\
             2025-MU;1;{c1};02/2025;P-2;Embauche directe;10\n\
             2025-MU;1;{c1};02/2025;P-3;Embauche directe;12\n"
        ),
    )
    .await;
    admin
}

async fn participant_id(app: &TestApp, token: &str, pseudonym: &str) -> i64 {
    let response = app
        .get_with(&format!("/api/participants?q={pseudonym}"), token)
        .await;
    let body: Value = response.json().await.unwrap();
    body["items"][0]["id"].as_i64().unwrap()
}

/// The text of the page's main part, tags dropped and spaces collapsed.
fn main_text(html: &str) -> String {
    let main = html.split("<main").nth(1).unwrap_or(html);
    let mut text = String::new();
    let mut in_tag = false;
    for c in main.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace('\u{a0}', " ")
        .replace("&#39;", "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn the_participant_page_shows_the_hours_month_by_month_by_lot_and_company() {
    let app = spawn_app().await;
    let admin = pathway(&app).await;
    let facilitator = app.create_user(Role::Facilitator, vec![]).await;
    let facilitator = app.session(&facilitator.email, USER_PASSWORD).await;
    let id = participant_id(&app, &facilitator.token, "P-1").await;

    let (status, html) = page(&app, &facilitator, &format!("/participants/{id}")).await;
    assert_eq!(status, 200);
    let text = main_text(&html);
    // The months in order, each with its lots and companies and exact hours.
    let january = text.find("janvier 2025 : 56,50 h").expect(&text);
    let march = text.find("mars 2025 : 20,00 h").expect(&text);
    assert!(january < march, "{text}");
    for line in [
        "2025-MU , Lot 1 — Bâtiments du Sud : 35,00 h",
        "2025-MU , Lot 2 — Peintures Garonne : 21,50 h (dont 7,00 h de formation)",
        "2025-BL , Marché sans lots — Bâtiments du Sud : 20,00 h",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    assert!(!text.contains("février 2025"), "{text}");
    assert!(text.contains("Heures déclarées 76,50 h"), "{text}");
    assert!(text.contains("Dont heures de formation 7,00 h"), "{text}");
    assert!(text.contains("Emploi de transition"), "{text}");
    assert!(html.contains(&format!("action=\"/participants/{id}/situation\"")));
    // The pseudonym only: no other participant on the page.
    assert!(text.contains("P-1") && !text.contains("P-2"), "{text}");

    // The list links to the page.
    let (_, list) = page(&app, &facilitator, "/participants").await;
    assert!(
        list.contains(&format!("href=\"/participants/{id}\"")),
        "{list}"
    );

    // A facilitateur of the second buyer sees its lot only; an officer is refused.
    let blagnac = app
        .create_user(Role::Facilitator, vec![siret(OTHER_BUYER)])
        .await;
    let blagnac = app.session(&blagnac.email, USER_PASSWORD).await;
    let (status, html) = page(&app, &blagnac, &format!("/participants/{id}")).await;
    assert_eq!(status, 200);
    let text = main_text(&html);
    assert!(text.contains("mars 2025 : 20,00 h"), "{text}");
    assert!(
        !text.contains("janvier 2025") && !text.contains("2025-MU"),
        "{text}"
    );
    let p2 = participant_id(&app, &admin, "P-2").await;
    let (status, _) = page(&app, &blagnac, &format!("/participants/{p2}")).await;
    assert_eq!(status, 404);
    let officer = app
        .create_user(Role::BuyerOfficer, vec![siret(BUYER)])
        .await;
    let officer = app.session(&officer.email, USER_PASSWORD).await;
    let (status, _) = page(&app, &officer, &format!("/participants/{id}")).await;
    assert_eq!(status, 403);
}

async fn due_pseudonyms(app: &TestApp, token: &str) -> Vec<(String, String, String)> {
    let response = app
        .get_with("/api/followup?kind=exit_followup_due", token)
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body.as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["pseudonym"].as_str().unwrap().to_owned(),
                i["since"].as_str().unwrap().to_owned(),
                i["link"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_situation_due_is_listed_then_recorded_from_the_page() {
    let app = spawn_app().await;
    let admin = pathway(&app).await;
    let session = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let id = participant_id(&app, &admin, "P-1").await;
    let today = suivi_clauses::app::today();
    let exit = today - Months::new(8);
    let due = exit + Months::new(6);

    // P-1 left eight months ago: due for two months. P-2 (two months ago) and P-3 (no exit)
    // are not.
    assert_eq!(
        due_pseudonyms(&app, &admin).await,
        [(
            "P-1".to_owned(),
            due.to_string(),
            format!("/participants/{id}#situation")
        )]
    );

    // Dated before the exit: refused in French, the field marked, nothing recorded.
    let path = format!("/participants/{id}/situation");
    let before_exit = day(exit - chrono::Days::new(1));
    let refused = post_form(
        &app,
        Some(&session),
        &path,
        &[
            ("csrf_token", &session.csrf),
            ("situation", "sustainable_employment"),
            ("on", &before_exit),
            ("source", "Employeur"),
        ],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("La date de la situation doit être entre la sortie"),
        "{html}"
    );
    assert!(html.contains("id=\"on\"") && html.contains("aria-invalid=\"true\""));
    assert_eq!(due_pseudonyms(&app, &admin).await.len(), 1);

    let recorded = post_form(
        &app,
        Some(&session),
        &path,
        &[
            ("csrf_token", &session.csrf),
            ("situation", "sustainable_employment"),
            ("on", &day(today)),
            ("source", "Employeur"),
        ],
    )
    .await;
    assert_eq!(recorded.status(), 303);
    assert!(due_pseudonyms(&app, &admin).await.is_empty());
    let listed: Value = app
        .get_with("/api/participants?q=P-1", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["items"][0]["six_month_situation"],
        "sustainable_employment"
    );
    assert_eq!(listed["items"][0]["six_month_on"], today.to_string());
    let (_, html) = page(&app, &session, &format!("/participants/{id}")).await;
    assert!(
        main_text(&html).contains(&format!(
            "Emploi durable, le {} (source : Employeur)",
            day(today)
        )),
        "{html}"
    );
}

#[tokio::test]
async fn the_participants_file_carries_the_six_month_situation_and_refuses_it_without_its_date() {
    let app = spawn_app().await;
    let admin = pathway(&app).await;
    let today = suivi_clauses::app::today();
    let exit = day(today - Months::new(8));
    let header = "Identifiant participant;Critère d'éligibilité;Sortie;Date de sortie;Situation à six mois;Date situation à 6 mois;Source situation à 6 mois\n";

    // A faulty row refuses the whole file, naming the row and the column.
    let (status, body) = send(
        &app,
        &admin,
        "participants",
        format!(
            "{header}P-1;RSA;Emploi de transition;{exit};Sans nouvelles;{};Appel\n\
             P-2;DELD;Sortie positive;{exit};Emploi durable;;Employeur\n",
            day(today)
        ),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let problems = body["report"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{body}");
    assert_eq!(problems[0]["row"], 3);
    assert_eq!(problems[0]["column"], "Situation à 6 mois");
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .contains("s'indique avec sa date"),
        "{body}"
    );
    assert_eq!(due_pseudonyms(&app, &admin).await.len(), 1);

    // The same file with the date: both recorded, nothing left due.
    sent(
        &app,
        &admin,
        "participants",
        format!(
            "{header}P-1;RSA;Emploi de transition;{exit};Sans nouvelles;{today};Appel\n\
             P-2;DELD;Sortie positive;{exit};Emploi durable;{today};Employeur\n",
            today = day(today)
        ),
    )
    .await;
    assert!(due_pseudonyms(&app, &admin).await.is_empty());
    let listed: Value = app
        .get_with("/api/participants?q=P-", &admin)
        .await
        .json()
        .await
        .unwrap();
    let situations: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["six_month_situation"].as_str())
        .collect();
    assert_eq!(situations, ["no_news", "sustainable_employment"]);
}

#[tokio::test]
async fn the_participant_page_lists_the_work_contracts_of_the_viewers_lots() {
    let app = spawn_app().await;
    let admin = pathway(&app).await;
    let session = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let id = participant_id(&app, &admin, "P-1").await;
    let path = format!("/participants/{id}");

    // No register: one contract derived per employer and run of continuous months.
    let (status, html) = page(&app, &session, &path).await;
    assert_eq!(status, 200);
    let text = main_text(&html);
    let derived = [
        "Autre contrat Bâtiments du Sud — du 01/03/2025 au 31/03/2025 non précisée 2025-BL, Marché sans lots Déduit des relevés d'heures",
        "Autre contrat Bâtiments du Sud — du 01/01/2025 au 31/01/2025 non précisée 2025-MU, Lot 1 Déduit des relevés d'heures",
        "Autre contrat Peintures Garonne — du 01/01/2025 au 31/01/2025 non précisée 2025-MU, Lot 2 Déduit des relevés d'heures",
    ];
    let mut at = 0;
    for line in derived {
        let found = text[at..]
            .find(line)
            .unwrap_or_else(|| panic!("{line} in {text}"));
        at += found + line.len();
    }

    // A facilitateur of the second buyer sees the contract of its lot only.
    let blagnac = app
        .create_user(Role::Facilitator, vec![siret(OTHER_BUYER)])
        .await;
    let blagnac = app.session(&blagnac.email, USER_PASSWORD).await;
    let text = main_text(&page(&app, &blagnac, &path).await.1);
    assert!(text.contains(derived[0]), "{text}");
    assert!(!text.contains("Peintures Garonne"), "{text}");

    // A register replaces the derived contracts of the people it names.
    let c2 = siret(72);
    sent(
        &app,
        &admin,
        "work_contracts",
        format!(
            "Identifiant participant;SIRET employeur;Type de contrat;Date de début;Date de fin;Durée hebdomadaire;Référence marché;Lot\n\
             P-1;{c2};CDDI;05/01/2025;30/04/2025;24;2025-MU;2\n"
        ),
    )
    .await;
    let text = main_text(&page(&app, &session, &path).await.1);
    assert!(
        text.contains("CDDI Peintures Garonne — du 05/01/2025 au 30/04/2025 24,00 h 2025-MU, Lot 2 Registre des contrats"),
        "{text}"
    );
    assert!(!text.contains("Déduit des relevés d'heures"), "{text}");
    let text = main_text(&page(&app, &blagnac, &path).await.1);
    assert!(
        text.contains(
            "Aucun contrat de travail connu pour ce participant sur les lots de votre périmètre."
        ),
        "{text}"
    );
}

#[tokio::test]
async fn a_participant_tied_to_a_buyer_by_a_work_contract_alone_is_out_of_the_others_reach() {
    let app = spawn_app().await;
    let admin = pathway(&app).await;
    sent(
        &app,
        &admin,
        "participants",
        "Identifiant participant;Critère d'éligibilité\nP-4;RSA\n".to_owned(),
    )
    .await;
    // No hours yet: only a contract of the register on the second buyer's contract.
    let c1 = siret(71);
    sent(
        &app,
        &admin,
        "work_contracts",
        format!(
            "Identifiant participant;SIRET employeur;Type de contrat;Date de début;Référence marché\n\
             P-4;{c1};CDI;01/06/2025;2025-BL\n"
        ),
    )
    .await;
    let id = participant_id(&app, &admin, "P-4").await;
    let muret = app.create_user(Role::Facilitator, vec![siret(BUYER)]).await;
    let muret = app.session(&muret.email, USER_PASSWORD).await;
    let blagnac = app
        .create_user(Role::Facilitator, vec![siret(OTHER_BUYER)])
        .await;
    let blagnac = app.session(&blagnac.email, USER_PASSWORD).await;
    for path in [
        format!("/participants/{id}"),
        format!("/participants/{id}/modifier"),
    ] {
        assert_eq!(page(&app, &muret, &path).await.0, 404, "{path}");
        assert_eq!(page(&app, &blagnac, &path).await.0, 200, "{path}");
    }
}
