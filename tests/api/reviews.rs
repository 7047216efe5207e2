//! Statements are reviewed before they count: a company's hours wait for a facilitateur's
//! validation; until then they move no validated figure (API, dashboard, workbook), and once
//! validated they move them by exactly their hours. Rejections keep their reason for the
//! company; every decision is bounded by the reviewer's buyers and written to the audit log.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{Value, json};
use suivi_clauses::domain::{Hours, Role, Siret};
use suivi_clauses::storage::migrations::{known_versions, run_next};
use suivi_clauses::storage::schema::hour_entries;
use suivi_clauses::storage::{StorageError, buyers};
use suivi_clauses::web::pages::text;

use crate::exports::{download, open, rows, scaled, text as cell_text};
use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Session, TestApp, TestDatabase, USER_PASSWORD, siret, spawn_app,
};
use crate::hours_import::send;
use crate::indicators::json_of;
use crate::pages::{figure, page, post_form};

const HOLDER: &str = "44306184100047";
const ETTI: &str = "73282932000074";
const ACI: &str = "21310555400017";

/// Two buyers, each with a contract held by HOLDER (buyer 1: 2025-TX-014, buyer 2:
/// 2025-SV-002), the insertion structures, three participants.
struct Territory {
    admin: String,
    /// Facilitateurs of buyer 1 only and of buyer 2 only.
    facilitator: Session,
    other_facilitator: String,
    officer: String,
    company: Session,
}

async fn territory(app: &TestApp) -> Territory {
    app.add_buyer(1, "Département").await;
    app.add_buyer(2, "Commune").await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let register = format!(
        "Référence marché;Objet;SIRET acheteur;Date de notification;Durée (mois);Montant HT;SIRET titulaire;Raison sociale titulaire;Rôle;Clause d'insertion;Heures d'insertion prévues\n\
         2025-TX-014;Réhabilitation du collège;{b1};14/01/2025;24;600000;{HOLDER};Bâtiments du Sud;Titulaire;Oui;2500\n\
         2025-SV-002;Entretien des espaces verts;{b2};14/01/2025;24;300000;{HOLDER};Bâtiments du Sud;Titulaire;Oui;1200\n",
        b1 = siret(1).as_str(),
        b2 = siret(2).as_str(),
    );
    let structures = format!(
        "SIRET;Raison sociale;Type de structure\n{ETTI};Intérim Insertion Garonne;ETTI\n{ACI};Chantier du Lauragais;ACI\n"
    );
    let people = "Identifiant participant;Critère d'éligibilité;Date de validation;Année de naissance;Sexe\n\
                  P-001;RSA;02/01/2025;1984;F\n\
                  P-002;RQTH;10/01/2025;1991;H\n\
                  P-003;JEUNE;10/01/2025;2004;F\n";
    for (kind, file) in [
        ("structures", structures.as_str()),
        ("contracts", register.as_str()),
        ("participants", people),
    ] {
        let (status, body) = send(app, &admin, kind, file).await;
        assert_eq!(status, 201, "{kind}: {body}");
    }
    let user = |role, buyers| async move {
        let user = app.create_user(role, buyers).await;
        app.session(&user.email, USER_PASSWORD).await
    };
    Territory {
        facilitator: user(Role::Facilitator, vec![siret(1)]).await,
        other_facilitator: user(Role::Facilitator, vec![siret(2)]).await.token,
        officer: user(Role::BuyerOfficer, vec![siret(1)]).await.token,
        company: user(Role::Company, vec![Siret::parse(HOLDER).unwrap()]).await,
        admin,
    }
}

/// The company's statement on buyer 1's contract: 35,5 + 120 + 80,5 = 236 h in March–May.
const STATEMENT: &str = "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;SIRET structure d'insertion;Heures travaillées;Type de contrat\n\
     2025-TX-014;44306184100047;03/2025;P-001;Embauche directe;;35h30;CDI\n\
     2025-TX-014;44306184100047;04/2025;P-002;Mise à disposition;73282932000074;120;Intérim\n\
     2025-TX-014;44306184100047;05/2025;P-003;Sous-traitance;21310555400017;80,5;CDDI\n";

/// A facilitateur's own statement: 50 h in June on buyer 1's contract.
const FACILITATOR_STATEMENT: &str = "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;SIRET structure d'insertion;Heures travaillées;Type de contrat\n\
     2025-TX-014;44306184100047;06/2025;P-001;Embauche directe;;50;CDI\n";

async fn import_id(app: &TestApp, token: &str, file: &str) -> i64 {
    let (status, body) = send(app, token, "hours", file).await;
    assert_eq!(status, 201, "{body}");
    body["report"]["import_id"].as_i64().unwrap()
}

/// Hours (hundredths) and pending hours (hundredths) of 2025, as the API gives them.
async fn api_hours(app: &TestApp, token: &str, pending: bool) -> (i64, i64) {
    let path = format!("/api/indicators?year=2025&breakdowns=none&pending={pending}");
    let figures = json_of(app, &path, token).await;
    let insertion = &figures["insertion"];
    assert_eq!(insertion["pending_included"], pending, "{figures}");
    (
        insertion["hours"]["hours_hundredths"].as_i64().unwrap(),
        insertion["pending_hours_hundredths"].as_i64().unwrap(),
    )
}

/// The dashboard's hours and what it says of the pending ones.
async fn dashboard_hours(app: &TestApp, session: &Session) -> (String, String) {
    let (status, html) = page(app, session, "/tableau-de-bord?year=2025").await;
    assert_eq!(status, 200);
    let marker = "data-pending=\"Heures d&#39;insertion\">";
    let note = html
        .find(marker)
        .map(|at| {
            html[at + marker.len()..]
                .split('<')
                .next()
                .unwrap()
                .to_owned()
        })
        .unwrap_or_default();
    (figure(&html, "Heures d'insertion"), note)
}

/// The compliance workbook's hours and pending hours, in hundredths.
async fn workbook_hours(app: &TestApp, token: &str) -> (i64, i64) {
    let bytes = download(app, "/api/exports/compliance.xlsx?year=2025", token).await;
    let synthesis = rows(&mut open(bytes), "Synthèse");
    let value = |label: &str| {
        let line = synthesis
            .iter()
            .find(|r| cell_text(&r[0]) == label)
            .unwrap_or_else(|| panic!("no line {label}"));
        scaled(&line[1], 100.0)
    };
    (
        value("Heures d'insertion"),
        value("Heures en attente de validation"),
    )
}

async fn post_json(app: &TestApp, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn reviews(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let answer = json_of(app, &format!("/api/reviews{query}"), token).await;
    answer
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .clone()
}

fn hours(hundredths: i64) -> String {
    text::hours(Hours::from_hundredths(hundredths).unwrap())
}

#[tokio::test]
async fn a_company_import_is_pending_moves_nothing_then_moves_the_figures_by_its_hours_once_validated()
 {
    let app = spawn_app().await;
    let t = territory(&app).await;
    let facilitator = &t.facilitator.token;
    // The facilitateur's own statement is validated as it is imported (the buyer's default).
    import_id(&app, facilitator, FACILITATOR_STATEMENT).await;
    let before = api_hours(&app, facilitator, false).await;
    assert_eq!(before, (5_000, 0));

    let import = import_id(&app, &t.company.token, STATEMENT).await;

    // Pending: listed for the company and the facilitateur, counted nowhere validated.
    // The company sees its statements whoever sent them: the facilitateur's, validated, too.
    assert_eq!(reviews(&app, &t.company.token, "").await.len(), 4);
    let own = reviews(&app, &t.company.token, "?state=declared").await;
    assert_eq!(own.len(), 3, "{own:?}");
    assert!(
        own.iter()
            .all(|l| l["state"] == "declared" && l["import_id"] == import)
    );
    let pending = reviews(&app, facilitator, "").await;
    let total: i64 = pending
        .iter()
        .map(|l| l["hours_hundredths"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 23_600);
    assert_eq!(api_hours(&app, facilitator, false).await, (5_000, 23_600));
    assert_eq!(api_hours(&app, facilitator, true).await, (28_600, 23_600));
    let (shown, note) = dashboard_hours(&app, &t.facilitator).await;
    assert_eq!(shown, hours(5_000));
    assert!(note.contains(&hours(23_600)), "{note}");
    assert_eq!(workbook_hours(&app, facilitator).await, (5_000, 23_600));
    let clauses = json_of(&app, "/api/clauses?at=2025-12-31", facilitator).await;
    let clause = clauses
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["reference"] == "2025-TX-014")
        .unwrap();
    assert_eq!(clause["worked_hours_hundredths"], 5_000);
    assert_eq!(clause["pending_hours_hundredths"], 23_600);
    let (status, html) = page(&app, &t.facilitator, "/releves").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("data-import=\"{import}\"")),
        "{html}"
    );
    assert!(!html.contains("Seuls les relevés de l'import"), "{html}");
    // Narrowed to the import, the page says so and leads back to all of them.
    let (_, html) = page(&app, &t.facilitator, &format!("/releves?import={import}")).await;
    assert!(
        html.contains(&format!(
            "Seuls les relevés de l'import n° {import} sont affichés."
        )),
        "{html}"
    );
    assert!(html.contains("<a href=\"/releves\">Voir les relevés de tous les imports</a>"));

    let (status, decided) = post_json(
        &app,
        &format!("/api/imports/{import}/review"),
        facilitator,
        &json!({"decision": "validate"}),
    )
    .await;

    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["entries"], 3);
    assert_eq!(decided["hours_hundredths"], 23_600);
    assert_eq!(api_hours(&app, facilitator, false).await, (28_600, 0));
    assert_eq!(api_hours(&app, facilitator, true).await, (28_600, 0));
    let (shown, note) = dashboard_hours(&app, &t.facilitator).await;
    assert_eq!((shown, note), (hours(28_600), String::new()));
    assert_eq!(workbook_hours(&app, facilitator).await, (28_600, 0));
    assert!(reviews(&app, facilitator, "").await.is_empty());
    let (_, html) = page(&app, &t.facilitator, "/releves").await;
    assert!(!html.contains(&format!("data-import=\"{import}\"")));
    // Validated once: a second decision finds nothing waiting.
    let (status, again) = post_json(
        &app,
        &format!("/api/imports/{import}/review"),
        facilitator,
        &json!({"decision": "validate"}),
    )
    .await;
    assert_eq!(
        (status, again["error"]["code"].clone()),
        (409, json!("nothing_to_review"))
    );
    // The audit log says who validated what.
    let audit = json_of(&app, "/api/audit", &t.admin).await;
    let line = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "hours.validated")
        .expect("the validation in the audit log");
    let target = line["target"].as_str().unwrap();
    assert!(
        target.contains(&format!("import n° {import}")) && target.contains("3 relevé(s)"),
        "{target}"
    );
    assert!(line["actor"].as_str().unwrap().starts_with("facilitator-"));
}

#[tokio::test]
async fn a_rejection_keeps_its_reason_for_the_company_counts_nowhere_and_a_corrected_file_is_reviewed_afresh()
 {
    let app = spawn_app().await;
    let t = territory(&app).await;
    import_id(&app, &t.company.token, STATEMENT).await;
    let lot = reviews(&app, &t.facilitator.token, "").await[0]["lot_id"]
        .as_i64()
        .unwrap();
    let march = format!("/api/lots/{lot}/months/2025-03/review");

    let (status, refused) = post_json(
        &app,
        &march,
        &t.facilitator.token,
        &json!({"decision": "reject"}),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["code"].clone()),
        (422, json!("invalid_reason"))
    );
    // Through the page's form, with its anti-forgery token.
    let response = post_form(
        &app,
        Some(&t.facilitator),
        "/releves",
        &[
            ("csrf_token", &t.facilitator.csrf),
            ("lot", &lot.to_string()),
            ("month", "2025-03"),
            ("decision", "reject"),
            ("reason", "Heures déjà déclarées par le sous-traitant"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let forged = post_form(
        &app,
        Some(&t.facilitator),
        "/releves",
        &[
            ("csrf_token", "pas le bon jeton"),
            ("lot", &lot.to_string()),
            ("month", "2025-04"),
            ("decision", "validate"),
        ],
    )
    .await;
    assert_eq!(forged.status(), 403);

    // The company sees the rejection and its reason, on the API and on its page.
    let rejected = reviews(&app, &t.company.token, "?state=rejected").await;
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0]["month"], "2025-03");
    assert_eq!(
        rejected[0]["reason"],
        "Heures déjà déclarées par le sous-traitant"
    );
    let (_, html) = page(&app, &t.company, "/releves").await;
    assert!(html.contains("Heures déjà déclarées par le sous-traitant"));
    assert!(
        !html.contains("name=\"decision\""),
        "a company decides nothing"
    );
    // Rejected hours count nowhere, not even with the pending ones.
    assert_eq!(
        api_hours(&app, &t.facilitator.token, true).await,
        (20_050, 20_050)
    );

    // A corrected file replaces the rejected line, which waits for validation again.
    let corrected = STATEMENT.replace("35h30", "30");
    let (status, body) = send(&app, &t.company.token, "hours", &corrected).await;
    assert_eq!(status, 201, "{body}");
    assert!(
        reviews(&app, &t.company.token, "?state=rejected")
            .await
            .is_empty()
    );
    assert_eq!(
        api_hours(&app, &t.facilitator.token, true).await,
        (23_050, 23_050)
    );

    // April validated, then reopened with a reason: back to pending, out of the figures.
    let april = format!("/api/lots/{lot}/months/2025-04/review");
    let (status, _) = post_json(
        &app,
        &april,
        &t.facilitator.token,
        &json!({"decision": "validate"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        api_hours(&app, &t.facilitator.token, false).await,
        (12_000, 11_050)
    );
    let (status, refused) = post_json(
        &app,
        &april,
        &t.facilitator.token,
        &json!({"decision": "reopen"}),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["code"].clone()),
        (422, json!("invalid_reason"))
    );
    let (status, reopened) = post_json(
        &app,
        &april,
        &t.facilitator.token,
        &json!({"decision": "reopen", "reason": "Contrat de mise à disposition à vérifier"}),
    )
    .await;
    assert_eq!(status, 200, "{reopened}");
    assert_eq!(reopened["state"], "declared");
    assert_eq!(
        api_hours(&app, &t.facilitator.token, false).await,
        (0, 23_050)
    );
    let audit = json_of(&app, "/api/audit", &t.admin).await;
    let reopening = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "hours.reopened")
        .unwrap();
    assert_eq!(
        reopening["details"],
        "motif : Contrat de mise à disposition à vérifier"
    );
    assert!(
        reopening["target"]
            .as_str()
            .unwrap()
            .contains("2025-TX-014, lot")
    );
}

#[tokio::test]
async fn a_decision_touches_only_statements_of_the_reviewers_buyers_and_only_reviewers_decide() {
    let app = spawn_app().await;
    let t = territory(&app).await;
    let header = STATEMENT.lines().next().unwrap();
    let both = format!(
        "{header}\n2025-TX-014;{HOLDER};07/2025;P-001;Embauche directe;;20;CDI\n\
         2025-SV-002;{HOLDER};03/2025;P-002;Embauche directe;;40;CDI\n"
    );
    let on_buyer_one = import_id(&app, &t.company.token, STATEMENT).await;
    let on_both = import_id(&app, &t.company.token, &both).await;
    let validate = json!({"decision": "validate"});
    let path = |id: i64| format!("/api/imports/{id}/review");

    // Another buyer's facilitateur does not even learn the import exists.
    let (status, _) = post_json(&app, &path(on_buyer_one), &t.other_facilitator, &validate).await;
    assert_eq!(status, 404);
    // An import reaching beyond the facilitateur's buyers is refused whole.
    let pending_before = reviews(&app, &t.admin, "").await;
    let (status, refused) = post_json(&app, &path(on_both), &t.facilitator.token, &validate).await;
    assert_eq!(
        (status, refused["error"]["code"].clone()),
        (403, json!("out_of_scope"))
    );
    assert_eq!(reviews(&app, &t.admin, "").await, pending_before);
    // Neither the company nor an officer decides; the officer reads the list of its buyer.
    for token in [&t.company.token, &t.officer] {
        let (status, _) = post_json(&app, &path(on_both), token, &validate).await;
        assert_eq!(status, 403);
    }
    let seen = reviews(&app, &t.officer, "").await;
    assert!(!seen.is_empty() && seen.iter().all(|l| l["reference"] == "2025-TX-014"));
    let others = reviews(&app, &t.other_facilitator, "").await;
    assert!(
        others.iter().all(|l| l["reference"] == "2025-SV-002"),
        "{others:?}"
    );
    // An administrator answers for every buyer.
    let (status, decided) = post_json(&app, &path(on_both), &t.admin, &validate).await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["entries"], 2);
    assert_eq!(decided["hours_hundredths"], 6_000);
    // Wrong words are said as such.
    let (status, body) = post_json(
        &app,
        &path(on_buyer_one),
        &t.admin,
        &json!({"decision": "approuver"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (422, json!("invalid_decision"))
    );
    let (status, body) = post_json(
        &app,
        "/api/lots/1/months/treize/review",
        &t.admin,
        &validate,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (422, json!("invalid_month"))
    );
}

#[tokio::test]
async fn a_facilitators_own_statement_waits_for_validation_where_the_buyer_says_so() {
    let app = spawn_app().await;
    let t = territory(&app).await;
    app.database
        .run(|conn| {
            let id = buyers::id_by_siret(conn, &siret(1))?.unwrap();
            buyers::set_reviewers_imports_validated(conn, id, false).map_err(StorageError::from)
        })
        .await
        .unwrap();
    import_id(&app, &t.facilitator.token, FACILITATOR_STATEMENT).await;
    assert_eq!(
        api_hours(&app, &t.facilitator.token, false).await,
        (0, 5_000)
    );
}

/// Hours stored before statements were reviewed were already counted: the migration validates
/// them.
#[test]
fn the_migration_validates_the_hours_stored_before_it() {
    let database = TestDatabase::new();
    let pool = crate::migrations::unmigrated(&database);
    let mut conn = pool.connection().unwrap();
    let versions = known_versions(&conn);
    let reviews_at = versions
        .iter()
        .position(|v| v.contains("000400"))
        .expect("the reviews migration");
    for _ in 0..reviews_at {
        run_next(&mut conn).unwrap();
    }
    conn.batch_execute(
        "INSERT INTO buyers (siret, name, created_at) VALUES ('21310555400017', 'Département', '2025-01-01 00:00:00');
         INSERT INTO contracts (buyer_id, reference, object, nature, notification_date, social_criterion, created_at, updated_at)
           SELECT id, '2025-TX-014', 'Travaux', 'Marché', '2025-01-14', FALSE, '2025-01-01 00:00:00', '2025-01-01 00:00:00' FROM buyers;
         INSERT INTO lots (contract_id, number, amount_cents, reservation, created_at, updated_at)
           SELECT id, 0, 100, 'none', '2025-01-01 00:00:00', '2025-01-01 00:00:00' FROM contracts;
         INSERT INTO companies (siret, name, structure_kind, created_at, updated_at)
           VALUES ('44306184100047', 'Bâtiments du Sud', 'company', '2025-01-01 00:00:00', '2025-01-01 00:00:00');
         INSERT INTO participants (pseudonym, criterion, created_at, updated_at)
           VALUES ('P-001', 'RSA', '2025-01-01 00:00:00', '2025-01-01 00:00:00');
         INSERT INTO hour_entries (lot_id, company_id, participant_id, month, modality, hours, created_at, updated_at)
           SELECT lots.id, companies.id, participants.id, 202503, 'direct_hire', 3550, '2025-01-01 00:00:00', '2025-01-01 00:00:00'
           FROM lots, companies, participants;",
    )
    .unwrap();

    run_next(&mut conn).unwrap();

    let states: Vec<String> = hour_entries::table
        .select(hour_entries::review)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(states, ["validated"]);
}
