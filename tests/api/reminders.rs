//! Reminders by e-mail, delivered to a real SMTP server on 127.0.0.1 (`smtp.rs`): each company
//! with missing statements gets one French message listing its lots and months, with the links
//! to act; a dry run sends and records nothing; the same items are not sent twice within the
//! quiet period, even by runs racing on one database; a refused delivery is recorded failed
//! and sent by the next run; without a relay, reminders wait « à envoyer ».

use std::sync::{Arc, Barrier};

use chrono::NaiveDate;
use serde_json::{Value, json};
use suivi_clauses::app::Caller;
use suivi_clauses::app::reminders::{self, Outcome, RemindRequest};
use suivi_clauses::configuration::Settings;
use suivi_clauses::domain::{
    AwardRole, FollowupRules, Hours, Modality, Money, Month, Name, Reservation, ReviewState, Role,
    Siret, Update,
};
use suivi_clauses::indicators::FigureCache;
use suivi_clauses::mail::SmtpTls;
use suivi_clauses::storage::contracts::{self, ClauseSettings, ContractFields};
use suivi_clauses::storage::hour_entries::{self, HourEntry};
use suivi_clauses::storage::{
    CompanyId, Database, DatabaseUrl, DbConnection, StorageError, buyers, companies,
    figures_transaction,
};

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, TestDatabase, USER_PASSWORD, pool_options, siret,
    spawn_app_on,
};
use crate::pages::{page, post_form};
use crate::smtp::SmtpServer;

const AS_OF: &str = "2025-10-15";
const PUBLIC_URL: &str = "https://clauses.exemple.fr";
const BUYER_NAME: &str = "Département de la Haute-Garonne";
const F1_EMAIL: &str = "contact@batiments-sud.fr";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Company number 600 + n.
fn firm(n: u64) -> Siret {
    siret(600 + n)
}

fn company(conn: &mut DbConnection, n: u64, name: &str) -> Result<CompanyId, StorageError> {
    Ok(companies::upsert(
        conn,
        &companies::CompanyUpsert {
            identifier: &firm(n).into(),
            name: Some(&Name::parse(name).unwrap()),
            kind: None,
            postal_code: Update::Keep,
            size_class: Update::Keep,
        },
    )?)
}

/// A contract of buyer 1 with lot 1 held by `holder` under a clause; its lot's id.
fn contract(
    conn: &mut DbConnection,
    reference: &str,
    notified: &str,
    holder: CompanyId,
) -> Result<suivi_clauses::storage::LotId, StorageError> {
    let buyer_id = buyers::id_by_siret(conn, &siret(1))?.expect("buyer");
    let contract = contracts::upsert_contract(
        conn,
        &ContractFields {
            buyer_id,
            reference,
            object: "Travaux",
            procedure: None,
            cpv: None,
            notification_date: day(notified),
            duration_months: Some(24),
            end_date: None,
            social_criterion: false,
            import_id: None,
            register: &Default::default(),
        },
    )?;
    let amount = Money::from_euros(400_000).unwrap();
    let lot = contracts::upsert_lot(conn, contract, 1, None, amount, Reservation::None)?;
    contracts::replace_awards(conn, lot, &[(holder, AwardRole::Holder, amount)])?;
    contracts::save_clause(
        conn,
        lot,
        &ClauseSettings {
            target: Hours::from_whole(1_000).unwrap(),
            calibration: None,
            penalty_per_hour: None,
            training_counts: false,
            cap_per_participant: None,
            qpv_share: None,
        },
        "Facilitateur de test",
    )?;
    Ok(lot)
}

/// Buyer 1; F1 « Bâtiments du Sud » holds 2025-SV-002 (hours up to July: August and September
/// missing on 15 October) and 2025-TX-004 (notified in June, no hours: June to September
/// missing); F2 « Propreté Toulousaine », with no contact address, holds 2025-NT-005 (no hours
/// since its start in May).
fn dataset(conn: &mut DbConnection) -> Result<(), StorageError> {
    figures_transaction(conn, |conn, _| {
        let f1 = company(conn, 1, "Bâtiments du Sud")?;
        let f2 = company(conn, 2, "Propreté Toulousaine")?;
        let sv = contract(conn, "2025-SV-002", "2025-02-01", f1)?;
        contract(conn, "2025-TX-004", "2025-06-01", f1)?;
        contract(conn, "2025-NT-005", "2025-05-01", f2)?;
        let import = crate::helpers::hours_import(conn)?;
        let participant = crate::helpers::rsa_participant(conn, "P-001")?;
        hour_entries::upsert(
            conn,
            &HourEntry {
                lot_id: sv,
                company_id: f1,
                participant_id: participant,
                month: Month::parse("2025-07").unwrap(),
                modality: Modality::DirectHire,
                insertion_employer_id: None,
                hours: Hours::from_whole(70).unwrap(),
                employment_contract: None,
                review: ReviewState::Validated,
            },
            import,
        )?;
        Ok(())
    })
}

/// The settings of an instance sending through `smtp` (none: no relay set up).
fn configure(settings: &mut Settings, smtp: Option<u16>) {
    settings.server.public_url = Some(format!("{PUBLIC_URL}/"));
    if let Some(port) = smtp {
        settings.mail.smtp_host = Some("127.0.0.1".to_owned());
        settings.mail.smtp_port = port;
        settings.mail.tls = SmtpTls::None;
        settings.mail.timeout_secs = 20;
    }
}

/// The application on the dataset, with buyer 1 and its facilitateur's token.
async fn spawn(database: TestDatabase, smtp: Option<u16>) -> (TestApp, String) {
    let app = spawn_app_on(database, |s| configure(s, smtp)).await;
    app.add_buyer(1, BUYER_NAME).await;
    app.database.run(dataset).await.unwrap();
    let facilitator = app.create_user(Role::Facilitator, vec![siret(1)]).await;
    let token = app.session(&facilitator.email, USER_PASSWORD).await.token;
    (app, token)
}

async fn set_contact(app: &TestApp, token: &str, n: u64, email: Value) -> (u16, Value) {
    let response = app
        .client
        .patch(app.url(&format!("/api/companies/{}", firm(n).as_str())))
        .bearer_auth(token)
        .json(&json!({ "contact_email": email }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn remind(app: &TestApp, token: &str, dry_run: bool) -> Value {
    let response = app
        .client
        .post(app.url("/api/reminders"))
        .bearer_auth(token)
        .json(&json!({ "as_of": AS_OF, "dry_run": dry_run }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn recorded(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.get_with("/api/reminders", token).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// (SIRET, outcome) of each company of a run, by name.
fn outcomes(run: &Value) -> Vec<(String, String)> {
    run["companies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["company_siret"].as_str().unwrap().to_owned(),
                c["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(n: u64, outcome: &str) -> (String, String) {
    (firm(n).as_str().to_owned(), outcome.to_owned())
}

/// The lines the message lists, computed from the dataset: the lot missing statements for the
/// longest first, as « À faire » orders them.
fn expected_lines() -> [String; 2] {
    [
        format!(
            "- Marché 2025-TX-004, lot 1 ({BUYER_NAME}) : juin 2025, juillet 2025, août 2025, septembre 2025"
        ),
        format!("- Marché 2025-SV-002, lot 1 ({BUYER_NAME}) : août 2025, septembre 2025"),
    ]
}

#[tokio::test]
async fn each_company_gets_one_french_message_with_its_lots_and_links_and_not_twice() {
    let smtp = SmtpServer::start();
    let (app, token) = spawn(TestDatabase::new(), Some(smtp.port)).await;

    // The contact address: checked, then set.
    let (status, body) = set_contact(&app, &token, 1, json!("pas une adresse")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_contact_email"))
    );
    let (status, body) = set_contact(&app, &token, 1, json!(" Contact@Batiments-Sud.fr ")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["contact_email"], F1_EMAIL);

    // A dry run: what would be sent, and nothing sent nor recorded.
    let dry = remind(&app, &token, true).await;
    assert_eq!(
        outcomes(&dry),
        [pair(1, "would_send"), pair(2, "no_address")]
    );
    assert_eq!(
        dry["companies"][0]["lots"][0]["months"],
        json!(["2025-06", "2025-07", "2025-08", "2025-09"])
    );
    assert!(smtp.received().is_empty());
    assert!(recorded(&app, &token).await.is_empty());

    let run = remind(&app, &token, false).await;
    assert_eq!(outcomes(&run), [pair(1, "sent"), pair(2, "no_address")]);
    assert_eq!(run["relay_configured"], true);
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let message = &received[0];
    assert_eq!(message.recipients, [F1_EMAIL]);
    assert_eq!(message.mail_from, "ne-pas-repondre@suivi-clauses.local");
    assert_eq!(
        message.header("Subject").as_deref(),
        Some("Relevés d'heures d'insertion à envoyer — Bâtiments du Sud")
    );
    let from = message.header("From").unwrap();
    assert!(from.contains(BUYER_NAME), "{from}");
    let body = message.body();
    for line in expected_lines() {
        assert!(body.contains(&line), "{line} absent de :\n{body}");
    }
    assert!(!body.contains("2025-NT-005"), "{body}");
    let siret = firm(1);
    assert!(body.contains(&format!(
        "{PUBLIC_URL}/api/imports/templates/hours?company={}\n",
        siret.as_str()
    )));
    assert!(body.contains(&format!("{PUBLIC_URL}/imports\n")));
    assert!(
        body.contains("Nous n'avons reçu aucun relevé d'heures d'insertion de Bâtiments du Sud")
    );

    // Within the quiet period, the same items are not sent again.
    let again = remind(&app, &token, false).await;
    assert_eq!(
        outcomes(&again),
        [pair(1, "already_reminded"), pair(2, "no_address")]
    );
    assert_eq!(smtp.received().len(), 1);

    let rows = recorded(&app, &token).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            &rows[0]["state"],
            &rows[0]["recipient"],
            &rows[0]["attempts"]
        ),
        (&json!("sent"), &json!(F1_EMAIL), &json!(1))
    );
    let items = rows[0]["items"].as_str().unwrap();
    assert_eq!(
        items,
        expected_lines().map(|l| l[2..].to_owned()).join("\n")
    );

    // Audited, with what the message listed.
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let audit: Value = app
        .get_with("/api/audit", &admin.token)
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"reminder.sent"), "{actions:?}");
    assert!(actions.contains(&"company.contact_set"), "{actions:?}");
}

#[tokio::test]
async fn a_refused_delivery_is_recorded_failed_and_sent_by_the_next_run() {
    let smtp = SmtpServer::start();
    smtp.refuse(F1_EMAIL);
    let (app, token) = spawn(TestDatabase::new(), Some(smtp.port)).await;
    set_contact(&app, &token, 1, json!(F1_EMAIL)).await;

    let run = remind(&app, &token, false).await;
    assert_eq!(outcomes(&run)[0], pair(1, "failed"));
    let error = run["companies"][0]["error"].as_str().unwrap();
    assert!(error.contains("550"), "{error}");
    assert!(smtp.received().is_empty());
    let rows = recorded(&app, &token).await;
    assert_eq!(
        (&rows[0]["state"], &rows[0]["attempts"]),
        (&json!("failed"), &json!(1))
    );
    assert!(rows[0]["error"].as_str().unwrap().contains("550"));

    smtp.accept_all();
    let retried = remind(&app, &token, false).await;
    assert_eq!(outcomes(&retried)[0], pair(1, "sent"));
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].recipients, [F1_EMAIL]);
    let rows = recorded(&app, &token).await;
    assert_eq!(rows.len(), 1, "the same reminder, retried");
    assert_eq!(
        (&rows[0]["state"], &rows[0]["attempts"], &rows[0]["error"]),
        (&json!("sent"), &json!(2), &Value::Null)
    );
}

#[tokio::test]
async fn without_a_relay_reminders_are_recorded_to_send_and_the_page_says_why() {
    let (app, token) = spawn(TestDatabase::new(), None).await;
    set_contact(&app, &token, 1, json!(F1_EMAIL)).await;

    let run = remind(&app, &token, false).await;
    assert_eq!(outcomes(&run), [pair(1, "to_send"), pair(2, "no_address")]);
    assert_eq!(run["relay_configured"], false);
    assert!(
        run["summary"]
            .as_str()
            .unwrap()
            .contains("Aucun relais SMTP n'est configuré")
    );
    remind(&app, &token, false).await;
    let rows = recorded(&app, &token).await;
    assert_eq!(rows.len(), 1, "one reminder waiting, not one per run");
    assert_eq!(
        (&rows[0]["state"], &rows[0]["state_label"]),
        (&json!("to_send"), &json!("À envoyer"))
    );

    // The page: reached from « À faire », its button runs the same reminders.
    let facilitator = app.create_user(Role::Facilitator, vec![siret(1)]).await;
    let session = app.session(&facilitator.email, USER_PASSWORD).await;
    let (status, html) = page(&app, &session, &format!("/a-faire?as_of={AS_OF}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("action=\"/relances\""), "{html}");
    let response = post_form(
        &app,
        Some(&session),
        "/relances",
        &[("csrf_token", &session.csrf), ("as_of", AS_OF)],
    )
    .await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Aucun relais SMTP n"), "{html}");
    assert!(html.contains("À envoyer"), "{html}");
    assert!(html.contains("Bâtiments du Sud"));
    // Without the session's anti-forgery token, nothing runs.
    let forged = post_form(
        &app,
        Some(&session),
        "/relances",
        &[("csrf_token", "forge"), ("as_of", AS_OF)],
    )
    .await;
    assert_eq!(forged.status(), 403);
}

/// Six runs at once, each with its own pool on the one database, as six instances would: the
/// company's message arrives once.
#[tokio::test]
async fn runs_racing_on_one_database_send_one_message() {
    let smtp = SmtpServer::start();
    let database = TestDatabase::new();
    let url = database.url().to_owned();
    let (app, token) = spawn(database, Some(smtp.port)).await;
    set_contact(&app, &token, 1, json!(F1_EMAIL)).await;
    let mut settings = Settings::default();
    configure(&mut settings, Some(smtp.port));
    let outbox = settings.outbox();
    let runs = 6;
    let barrier = Arc::new(Barrier::new(runs));
    let threads: Vec<_> = (0..runs)
        .map(|_| {
            let (url, outbox, barrier) = (url.clone(), outbox.clone(), barrier.clone());
            std::thread::spawn(move || {
                let pool =
                    Database::connect(DatabaseUrl::parse(&url).unwrap(), &pool_options()).unwrap();
                let mut conn = pool.connection().unwrap();
                barrier.wait();
                reminders::remind(
                    &mut conn,
                    &FigureCache::default(),
                    &Caller::command_line(),
                    &FollowupRules::default(),
                    &outbox,
                    RemindRequest {
                        today: day(AS_OF),
                        dry_run: false,
                    },
                )
                .unwrap()
            })
        })
        .collect();
    let reports: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let sent = reports
        .iter()
        .flat_map(|r| &r.companies)
        .filter(|c| c.outcome == Outcome::Sent)
        .count();
    assert_eq!(sent, 1);
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(recorded(&app, &token).await.len(), 1);
}

#[tokio::test]
async fn the_command_line_reminds_and_its_dry_run_sends_nothing() {
    let smtp = SmtpServer::start();
    let database = TestDatabase::new();
    let pool = database.connect();
    pool.run(|conn| -> Result<(), StorageError> {
        buyers::insert(
            conn,
            &siret(1),
            &Name::parse(BUYER_NAME).unwrap(),
            &suivi_clauses::domain::Territory::parse("31").unwrap(),
        )
        .expect("buyer added");
        dataset(conn)?;
        companies::set_contact_email(
            conn,
            &firm(1).into(),
            Some(&suivi_clauses::domain::Email::parse(F1_EMAIL).unwrap()),
        )?;
        Ok(())
    })
    .await
    .unwrap();
    let command = |extra: &[&str]| {
        let mut command = crate::cli::suivi(&database);
        command
            .env("SUIVI_MAIL__SMTP_HOST", "127.0.0.1")
            .env("SUIVI_MAIL__SMTP_PORT", smtp.port.to_string())
            .env("SUIVI_MAIL__TLS", "none")
            .env("SUIVI_SERVER__PUBLIC_URL", PUBLIC_URL)
            .args(["remind", "--as-of", AS_OF])
            .args(extra);
        command
    };
    let dry = crate::cli::stdout_of(&mut command(&["--dry-run"]));
    assert!(
        dry.contains("Simulation : 1 relance(s) seraient envoyées"),
        "{dry}"
    );
    assert!(dry.contains("Marché 2025-SV-002, lot 1"), "{dry}");
    assert!(smtp.received().is_empty());
    let out = crate::cli::stdout_of(&mut command(&[]));
    assert!(
        out.contains(&format!(
            "Bâtiments du Sud ({})  {F1_EMAIL}  Envoyée",
            firm(1).as_str()
        )),
        "{out}"
    );
    assert_eq!(smtp.received().len(), 1);
    assert!(smtp.received()[0].body().contains(PUBLIC_URL));
}

#[tokio::test]
async fn the_structures_import_reads_the_contact_address() {
    let (app, token) = spawn(TestDatabase::new(), None).await;
    let csv = format!(
        "SIRET;Raison sociale;Courriel de contact\n{};Bâtiments du Sud;Relances@Batiments-Sud.fr\n{};Propreté Toulousaine;\n",
        firm(1).as_str(),
        firm(2).as_str()
    );
    let (status, body) = app
        .import(
            &token,
            "structures",
            "structures.csv",
            csv.into_bytes(),
            false,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let listed: Value = app
        .get_with("/api/companies?q=Bâtiments", &token)
        .await
        .json()
        .await
        .unwrap();
    let found = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["siret"] == firm(1).as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        found["contact_email"], "relances@batiments-sud.fr",
        "{listed}"
    );
    // A wrong address is refused, naming the column.
    let bad = format!(
        "SIRET;Raison sociale;Courriel contact\n{};Bâtiments du Sud;pas-une-adresse\n",
        firm(1).as_str()
    );
    let (status, body) = app
        .import(
            &token,
            "structures",
            "structures.csv",
            bad.into_bytes(),
            false,
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("adresse électronique"), "{body}");
}
