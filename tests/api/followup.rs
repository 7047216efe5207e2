//! « À faire »: on a dataset built for it (contracts with known dates, hours in known months,
//! statements awaiting validation written on known days), the list the API, the page, the
//! workbook and the command line give is exactly the one this file computes from the rules,
//! in the order of urgency; each account sees only its scope.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::Value;
use suivi_clauses::domain::{
    AwardRole, ContractType, Hours, Modality, Money, Month, Name, Reservation, ReviewState, Role,
    Siret, Update,
};
use suivi_clauses::storage::contracts::{self, ClauseSettings, ContractFields, RegisterFacts};
use suivi_clauses::storage::hour_entries::{self, HourEntry};
use suivi_clauses::storage::participants::{self, ParticipantFields};
use suivi_clauses::storage::schema::hour_entries as entries;
use suivi_clauses::storage::{
    CompanyId, ContractId, DbConnection, ImportId, LotId, ParticipantId, StorageError, buyers,
    companies, figures_transaction,
};

use crate::exports::{download, open, rows, scaled, text as cell_text};
use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, TestDatabase, USER_PASSWORD, siret, spawn_app,
};
use crate::pages::page;

/// The date every rule is applied at.
const AS_OF: &str = "2025-10-15";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

/// Company number 500 + n.
fn firm(n: u64) -> Siret {
    siret(500 + n)
}

/// What the dataset holds, by name.
struct Dataset {
    /// (contract, lot) of each contract, by reference.
    lots: Vec<(&'static str, ContractId, LotId)>,
    /// The imports of the two statements awaiting validation: F2's on 2025-SV-002, F1's on
    /// 2024-TX-001.
    pending_sv: ImportId,
    pending_tx: ImportId,
}

impl Dataset {
    fn of(&self, reference: &str) -> (i64, i64) {
        let (_, contract, lot) = self.lots.iter().find(|l| l.0 == reference).unwrap();
        (contract.get(), lot.get())
    }
}

/// A contract of `buyer` with one lot held by `holder`, and its clause.
struct Contract {
    buyer: u64,
    reference: &'static str,
    notified: &'static str,
    months: i32,
    holder: CompanyId,
    target: i64,
    penalty_euros: Option<i64>,
}

fn contract(conn: &mut DbConnection, c: &Contract) -> Result<(ContractId, LotId), StorageError> {
    let buyer_id = buyers::id_by_siret(conn, &siret(c.buyer))?.expect("buyer");
    let contract = contracts::upsert_contract(
        conn,
        &ContractFields {
            buyer_id,
            reference: c.reference,
            object: "Travaux",
            procedure: None,
            cpv: None,
            notification_date: day(c.notified),
            duration_months: Some(c.months),
            end_date: None,
            social_criterion: false,
            import_id: None,
            register: &Default::default(),
        },
    )?;
    let amount = Money::from_euros(500_000).unwrap();
    let lot = contracts::upsert_lot(conn, contract, 0, None, amount, Reservation::None)?;
    contracts::replace_awards(conn, lot, &[(c.holder, AwardRole::Holder, amount)])?;
    contracts::save_clause(
        conn,
        lot,
        &ClauseSettings {
            target: Hours::from_whole(c.target).unwrap(),
            calibration: None,
            penalty_per_hour: c.penalty_euros.map(|e| Money::from_euros(e).unwrap()),
            training_counts: false,
            cap_per_participant: None,
            qpv_share: None,
        },
        "Facilitateur de test",
    )?;
    Ok((contract, lot))
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

fn person(
    conn: &mut DbConnection,
    pseudonym: &str,
    validated: Option<&str>,
) -> Result<ParticipantId, StorageError> {
    Ok(participants::upsert(
        conn,
        &ParticipantFields {
            pseudonym,
            criterion: suivi_clauses::domain::EligibilityCriterion::Rsa,
            validated_on: validated.map_or(Update::Keep, |d| Update::Set(day(d))),
            prescriber: Update::Keep,
            birth_year: Update::Keep,
            sex: Update::Keep,
            qpv: Update::Keep,
            exit_outcome: Update::Keep,
            exit_date: Update::Keep,
            six_month: Default::default(),
        },
    )?)
}

/// One statement: `hours` worked by `pseudonym` on `lot` in `worked`, declared by `company`.
struct Statement<'a> {
    lot: LotId,
    company: CompanyId,
    pseudonym: &'a str,
    validated: Option<&'a str>,
    worked: &'a str,
    hours: i64,
    review: ReviewState,
}

fn statement(
    conn: &mut DbConnection,
    s: &Statement<'_>,
    import: ImportId,
) -> Result<(), StorageError> {
    let participant = person(conn, s.pseudonym, s.validated)?;
    let entry = HourEntry {
        lot_id: s.lot,
        company_id: s.company,
        participant_id: participant,
        month: month(s.worked),
        modality: Modality::DirectHire,
        insertion_employer_id: None,
        hours: Hours::from_whole(s.hours).unwrap(),
        employment_contract: None,
        review: s.review,
    };
    hour_entries::upsert(conn, &entry, import)?;
    Ok(())
}

/// The statements of an import written on `written` (so that « since » is known).
fn import_written(
    conn: &mut DbConnection,
    statements: &[Statement<'_>],
    written: &str,
) -> Result<ImportId, StorageError> {
    let import = crate::helpers::hours_import(conn)?;
    for s in statements {
        statement(conn, s, import)?;
    }
    let at = NaiveDateTime::parse_from_str(written, "%Y-%m-%d %H:%M:%S").unwrap();
    diesel::update(entries::table.filter(entries::import_id.eq(import)))
        .set(entries::updated_at.eq(at))
        .execute(conn)?;
    Ok(import)
}

/// Two buyers; companies F1 and F2; four contracts (2024-TX-001 behind pace, 2025-SV-002 with
/// no hours since July, 2024-TX-003 ended short, 2025-TX-004 of buyer 2 with no hours at
/// all); statements validated, awaiting validation and rejected; one participant whose
/// eligibility has no validation date.
fn dataset(conn: &mut DbConnection) -> Result<Dataset, StorageError> {
    figures_transaction(conn, |conn, _| {
        let f1 = company(conn, 1, "Bâtiments du Sud")?;
        let f2 = company(conn, 2, "Propreté Toulousaine")?;
        let plan = [
            Contract {
                buyer: 1,
                reference: "2024-TX-001",
                notified: "2025-01-01",
                months: 12,
                holder: f1,
                target: 1_000,
                penalty_euros: Some(30),
            },
            Contract {
                buyer: 1,
                reference: "2025-SV-002",
                notified: "2025-02-01",
                months: 24,
                holder: f2,
                target: 2_000,
                penalty_euros: None,
            },
            Contract {
                buyer: 1,
                reference: "2024-TX-003",
                notified: "2024-03-01",
                months: 12,
                holder: f1,
                target: 800,
                penalty_euros: Some(20),
            },
            Contract {
                buyer: 2,
                reference: "2025-TX-004",
                notified: "2025-01-01",
                months: 12,
                holder: f2,
                target: 600,
                penalty_euros: None,
            },
        ];
        let mut lots = Vec::new();
        for c in &plan {
            let (contract, lot) = contract(conn, c)?;
            lots.push((c.reference, contract, lot));
        }
        let lot = |i: usize| lots[i].2;
        let s = |lot, company, pseudonym, validated, worked, hours, review| Statement {
            lot,
            company,
            pseudonym,
            validated,
            worked,
            hours,
            review,
        };
        let ok = Some("2024-12-01");
        let validated = [
            s(
                lot(0),
                f1,
                "P-001",
                ok,
                "2025-09",
                150,
                ReviewState::Validated,
            ),
            s(
                lot(0),
                f1,
                "P-002",
                ok,
                "2025-10",
                150,
                ReviewState::Validated,
            ),
            // Eligibility not validated: counted all the same, and listed.
            s(
                lot(0),
                f1,
                "P-NV",
                None,
                "2025-09",
                40,
                ReviewState::Validated,
            ),
            s(
                lot(1),
                f2,
                "P-005",
                ok,
                "2025-06",
                100,
                ReviewState::Validated,
            ),
            s(
                lot(2),
                f1,
                "P-003",
                ok,
                "2024-06",
                150,
                ReviewState::Validated,
            ),
            s(
                lot(2),
                f1,
                "P-004",
                ok,
                "2024-07",
                150,
                ReviewState::Validated,
            ),
            // Rejected: no statement, counted nowhere, no eligibility to validate.
            s(
                lot(3),
                f2,
                "P-REJ",
                None,
                "2025-09",
                60,
                ReviewState::Rejected,
            ),
        ];
        import_written(conn, &validated, "2025-10-01 08:00:00")?;
        let pending_sv = import_written(
            conn,
            &[s(
                lot(1),
                f2,
                "P-006",
                ok,
                "2025-07",
                80,
                ReviewState::Declared,
            )],
            "2025-08-05 10:00:00",
        )?;
        let pending_tx = import_written(
            conn,
            &[s(
                lot(0),
                f1,
                "P-007",
                ok,
                "2025-10",
                20,
                ReviewState::Declared,
            )],
            "2025-10-10 09:30:00",
        )?;
        Ok::<_, StorageError>(Dataset {
            lots,
            pending_sv,
            pending_tx,
        })
    })
}

/// The shortfall of a clause at its end if its pace so far goes on, computed here from the
/// rule as the documentation states it: elapsed share of its days in basis points, projected
/// hours = counted ÷ share, both rounded half up; penalty = missing × the penalty per hour.
fn projected(counted: i64, start: &str, end: &str, at: &str) -> i64 {
    let days = |a: &str, b: &str| (day(b) - day(a)).num_days();
    let (total, done) = (days(start, end), days(start, at));
    let basis_points = (done * 10_000 + total / 2) / total;
    (counted * 10_000 + basis_points / 2) / basis_points
}

fn penalty(missing_hundredths: i64, euros_per_hour: i64) -> i64 {
    (missing_hundredths * euros_per_hour * 100 + 50) / 100
}

/// An item as compared: kind, since, buyer, contract, lot, company, link, and the figures.
type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    Vec<(&'static str, Value)>,
);

const FIGURES: [&str; 11] = [
    "last_month_declared",
    "end_date",
    "target_hours_hundredths",
    "hours_at_end_hundredths",
    "missing_hours_hundredths",
    "penalty_cents",
    "import_id",
    "month",
    "entries",
    "hours_hundredths",
    "pseudonym",
];

fn row_of(item: &Value) -> Row {
    let text = |key: &str| item[key].as_str().unwrap_or_default().to_owned();
    (
        text("kind"),
        text("since"),
        text("buyer_siret"),
        format!("{} lot {}", text("reference"), item["lot"]),
        text("company_siret"),
        text("link"),
        FIGURES
            .iter()
            .filter(|f| !item[**f].is_null())
            .map(|f| (*f, item[*f].clone()))
            .collect(),
    )
}

/// What the rules give on the dataset at 15 October 2025, in the order of urgency, computed
/// here: which items, their dates and figures.
fn expected(data: &Dataset) -> Vec<Row> {
    let b1 = siret(1).as_str().to_owned();
    let b2 = siret(2).as_str().to_owned();
    let (f1, f2) = (firm(1).as_str().to_owned(), firm(2).as_str().to_owned());
    let link = |reference: &str| {
        let (contract, _) = data.of(reference);
        format!("/marches/{contract}#lot-0")
    };
    let s = |t: &str| Value::from(t);
    let n = Value::from;
    // 2024-TX-001: 340 h validated over 2025 (P-007's 20 h still await validation).
    let tx1 = projected(34_000, "2025-01-01", "2025-12-31", AS_OF);
    let tx1_missing = 100_000 - tx1;
    let item = |kind: &str, since: &str, buyer: &str, reference: &str, company: &str, link| {
        (
            kind.to_owned(),
            since.to_owned(),
            buyer.to_owned(),
            format!("{reference} lot 0"),
            company.to_owned(),
            link,
        )
    };
    let with = |(k, s, b, r, c, l): (String, String, String, String, String, String),
                figures: Vec<(&'static str, Value)>| (k, s, b, r, c, l, figures);
    vec![
        // Both clauses end on 31 December: listed from 2 October, 90 days before.
        with(
            item(
                "behind_pace",
                "2025-10-02",
                &b1,
                "2024-TX-001",
                &f1,
                link("2024-TX-001"),
            ),
            vec![
                ("end_date", s("2025-12-31")),
                ("target_hours_hundredths", n(100_000)),
                ("hours_at_end_hundredths", n(tx1)),
                ("missing_hours_hundredths", n(tx1_missing)),
                ("penalty_cents", n(penalty(tx1_missing, 30))),
            ],
        ),
        with(
            item(
                "behind_pace",
                "2025-10-02",
                &b2,
                "2025-TX-004",
                &f2,
                link("2025-TX-004"),
            ),
            vec![
                ("end_date", s("2025-12-31")),
                ("target_hours_hundredths", n(60_000)),
                ("hours_at_end_hundredths", n(0)),
                ("missing_hours_hundredths", n(60_000)),
            ],
        ),
        // Ended on 28 February 2025 with 300 h of 800.
        with(
            item(
                "ended_short",
                "2025-02-28",
                &b1,
                "2024-TX-003",
                &f1,
                link("2024-TX-003"),
            ),
            vec![
                ("end_date", s("2025-02-28")),
                ("target_hours_hundredths", n(80_000)),
                ("hours_at_end_hundredths", n(30_000)),
                ("missing_hours_hundredths", n(50_000)),
                ("penalty_cents", n(penalty(50_000, 20))),
            ],
        ),
        // No hours ever (the rejected ones do not count): missing since the start.
        with(
            item(
                "missing_statement",
                "2025-01-01",
                &b2,
                "2025-TX-004",
                &f2,
                link("2025-TX-004"),
            ),
            vec![("end_date", s("2025-12-31"))],
        ),
        // July declared (awaiting validation), nothing in August or September.
        with(
            item(
                "missing_statement",
                "2025-08-01",
                &b1,
                "2025-SV-002",
                &f2,
                link("2025-SV-002"),
            ),
            vec![
                ("last_month_declared", s("2025-07")),
                ("end_date", s("2027-01-31")),
            ],
        ),
        with(
            item(
                "pending_validation",
                "2025-08-05",
                &b1,
                "2025-SV-002",
                &f2,
                format!("/releves?import={}", data.pending_sv),
            ),
            vec![
                ("import_id", n(data.pending_sv.get())),
                ("month", s("2025-07")),
                ("entries", n(1)),
                ("hours_hundredths", n(8_000)),
            ],
        ),
        with(
            item(
                "pending_validation",
                "2025-10-10",
                &b1,
                "2024-TX-001",
                &f1,
                format!("/releves?import={}", data.pending_tx),
            ),
            vec![
                ("import_id", n(data.pending_tx.get())),
                ("month", s("2025-10")),
                ("entries", n(1)),
                ("hours_hundredths", n(2_000)),
            ],
        ),
        with(
            item(
                "eligibility_pending",
                "2025-09-01",
                &b1,
                "2024-TX-001",
                &f1,
                "/participants?q=P-NV".to_owned(),
            ),
            vec![
                ("month", s("2025-09")),
                ("hours_hundredths", n(4_000)),
                ("pseudonym", s("P-NV")),
            ],
        ),
    ]
}

async fn territory(app: &TestApp) -> Dataset {
    app.add_buyer(1, "Département").await;
    app.add_buyer(2, "Commune").await;
    app.database.run(dataset).await.unwrap()
}

async fn list(app: &TestApp, token: &str, filters: &str) -> (u16, Value) {
    let response = app
        .get_with(&format!("/api/followup?as_of={AS_OF}{filters}"), token)
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn rows_of(app: &TestApp, token: &str, filters: &str) -> Vec<Row> {
    let (status, body) = list(app, token, filters).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().iter().map(row_of).collect()
}

async fn token_of(app: &TestApp, role: Role, scope: Vec<Siret>) -> String {
    let user = app.create_user(role, scope).await;
    app.session(&user.email, USER_PASSWORD).await.token
}

#[tokio::test]
async fn the_list_is_what_the_rules_give_in_the_order_of_urgency() {
    let app = spawn_app().await;
    let data = territory(&app).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let all = expected(&data);

    assert_eq!(rows_of(&app, &admin, "").await, all);

    let kind = |k: &str| all.iter().filter(|r| r.0 == k).cloned().collect::<Vec<_>>();
    assert_eq!(
        rows_of(&app, &admin, "&kind=missing_statement").await,
        kind("missing_statement")
    );
    // The kinds not built yet are known, and empty.
    assert_eq!(rows_of(&app, &admin, "&kind=qpv_share_short").await, []);
    assert_eq!(rows_of(&app, &admin, "&kind=exit_followup_due").await, []);
    let of_company = all
        .iter()
        .filter(|r| r.4 == firm(2).as_str())
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(of_company.len(), 4);
    assert_eq!(
        rows_of(&app, &admin, &format!("&company={}", firm(2).as_str())).await,
        of_company
    );
    let of_buyer_2 = all
        .iter()
        .filter(|r| r.2 == siret(2).as_str())
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(
        rows_of(&app, &admin, &format!("&buyer={}", siret(2).as_str())).await,
        of_buyer_2
    );

    // Validating a statement takes it off the list.
    let validated = app
        .client
        .post(app.url(&format!("/api/imports/{}/review", data.pending_tx)))
        .bearer_auth(&admin)
        .json(&serde_json::json!({ "decision": "validate" }))
        .send()
        .await
        .unwrap();
    assert_eq!(validated.status(), 200);
    let pending = rows_of(&app, &admin, "&kind=pending_validation").await;
    assert_eq!(pending, kind("pending_validation")[..1]);
}

#[tokio::test]
async fn each_account_sees_its_scope_and_the_kinds_its_role_may_see() {
    let app = spawn_app().await;
    let data = territory(&app).await;
    let all = expected(&data);
    let officer = token_of(&app, Role::BuyerOfficer, vec![siret(1)]).await;
    let company = token_of(&app, Role::Company, vec![firm(2)]).await;
    let elected = token_of(&app, Role::Elected, vec![]).await;

    // A buyer officer: its buyer's items, no participant.
    let of_officer: Vec<Row> = all
        .iter()
        .filter(|r| r.2 == siret(1).as_str() && r.0 != "eligibility_pending")
        .cloned()
        .collect();
    assert_eq!(of_officer.len(), 5);
    assert_eq!(rows_of(&app, &officer, "").await, of_officer);
    let (status, body) = list(&app, &officer, &format!("&buyer={}", siret(2).as_str())).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("out_of_scope"))
    );

    // A company: its own missing statements (to send from the upload page) and its own
    // statements awaiting validation; no clause figures, no participant.
    let of_company: Vec<Row> = all
        .iter()
        .filter(|r| r.4 == firm(2).as_str())
        .filter(|r| ["missing_statement", "pending_validation"].contains(&r.0.as_str()))
        .map(|r| {
            let mut r = r.clone();
            if r.0 == "missing_statement" {
                r.5 = "/imports".to_owned();
            }
            r
        })
        .collect();
    assert_eq!(of_company.len(), 3);
    assert_eq!(rows_of(&app, &company, "").await, of_company);

    // Elected officials have no such list.
    assert_eq!(list(&app, &elected, "").await.0, 403);
}

#[tokio::test]
async fn malformed_filters_are_refused_with_what_to_write() {
    let app = spawn_app().await;
    territory(&app).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    for (filters, code) in [
        ("&kind=urgent", "invalid_followup_kind"),
        ("&company=12345678901234", "invalid_company"),
        ("&buyer=123", "invalid_buyer"),
    ] {
        let (status, body) = list(&app, &admin, filters).await;
        assert_eq!((status, body["error"]["code"].as_str()), (422, Some(code)));
    }
    let response = app.get_with("/api/followup?as_of=15/10/2025", &admin).await;
    assert_eq!(response.status(), 400);
}

/// The `href` of each row's « Agir » link, in the page's order.
fn action_links(html: &str) -> Vec<String> {
    html.split("<td data-label=\"Agir\"><a href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_page_shows_fifty_items_at_a_time_in_the_order_of_the_list() {
    let app = spawn_app().await;
    let data = territory(&app).await;
    let lot = data.lots.iter().find(|l| l.0 == "2024-TX-001").unwrap().2;
    // 52 more people whose eligibility waits for its validation: more than a page.
    app.database
        .run(move |conn| {
            figures_transaction(conn, |conn, _| {
                let f1 = company(conn, 1, "Bâtiments du Sud")?;
                let names: Vec<String> = (1..=52).map(|n| format!("P-PAGE-{n:02}")).collect();
                let statements: Vec<Statement<'_>> = names
                    .iter()
                    .map(|pseudonym| Statement {
                        lot,
                        company: f1,
                        pseudonym,
                        validated: None,
                        worked: "2025-08",
                        hours: 10,
                        review: ReviewState::Validated,
                    })
                    .collect();
                import_written(conn, &statements, "2025-09-01 08:00:00")
            })
        })
        .await
        .unwrap();
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, listed) = list(&app, &admin.token, "").await;
    let listed: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["link"].as_str().unwrap().to_owned())
        .collect();
    let total = listed.len();
    assert!((53..=100).contains(&total), "{total}");
    let said = format!("{total} élément(s) à traiter.");

    let (status, first) = page(&app, &admin, &format!("/a-faire?as_of={AS_OF}")).await;
    assert_eq!(status, 200, "{first}");
    assert!(first.contains(&said), "{first}");
    assert!(first.contains("Page 1 sur 2"), "{first}");
    assert!(
        first.contains(&format!("href=\"/a-faire?as_of={AS_OF}&#38;page=2\"")),
        "{first}"
    );
    let (status, second) = page(&app, &admin, &format!("/a-faire?as_of={AS_OF}&page=2")).await;
    assert_eq!(status, 200, "{second}");
    assert!(second.contains(&said), "{second}");
    assert!(second.contains("← Page précédente") && !second.contains("Page suivante"));
    let (first, second) = (action_links(&first), action_links(&second));
    assert_eq!((first.len(), second.len()), (50, total - 50));
    assert_eq!([first, second].concat(), listed);

    // A filter is kept from page to page; past the last page, nothing is listed.
    let (_, eligibility) = page(
        &app,
        &admin,
        &format!("/a-faire?as_of={AS_OF}&kind=eligibility_pending&page=2"),
    )
    .await;
    assert!(
        eligibility.contains("53 élément(s) à traiter."),
        "{eligibility}"
    );
    assert_eq!(action_links(&eligibility).len(), 3);
    assert!(eligibility.contains(&format!(
        "href=\"/a-faire?kind=eligibility_pending&#38;as_of={AS_OF}&#38;page=1\""
    )));
    // Past the last page: nothing listed, and the way back to the last page.
    let (status, beyond) = page(&app, &admin, &format!("/a-faire?as_of={AS_OF}&page=9")).await;
    assert_eq!(status, 200);
    assert!(
        beyond.contains("Rien à faire pour ces filtres."),
        "{beyond}"
    );
    assert!(
        beyond.contains(&format!("href=\"/a-faire?as_of={AS_OF}&#38;page=2\"")),
        "{beyond}"
    );
}

#[tokio::test]
async fn the_page_lists_filters_and_links_each_item_and_the_menu_counts_them() {
    let app = spawn_app().await;
    let data = territory(&app).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let (status, html) = page(&app, &admin, &format!("/a-faire?as_of={AS_OF}")).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(html.matches("<tr data-kind=").count(), 8, "{html}");
    for text in [
        "Clause en retard, fin proche",
        "Clause terminée sous l&#39;objectif",
        "Relevé d&#39;heures manquant",
        "Relevé à valider",
        "Éligibilité à valider",
        "2024-TX-003, marché sans lots",
        "Propreté Toulousaine",
    ] {
        assert!(html.contains(text), "{text}: {html}");
    }
    let (sv_contract, _) = data.of("2025-SV-002");
    assert!(html.contains(&format!("href=\"/marches/{sv_contract}#lot-0\"")));
    assert!(html.contains(&format!("href=\"/releves?import={}\"", data.pending_sv)));
    assert!(html.contains(&format!("href=\"/api/followup.xlsx?as_of={AS_OF}\"")));

    let (_, pending) = page(
        &app,
        &admin,
        &format!("/a-faire?as_of={AS_OF}&kind=pending_validation"),
    )
    .await;
    assert_eq!(pending.matches("<tr data-kind=").count(), 2);
    assert_eq!(
        pending
            .matches("<tr data-kind=\"pending_validation\"")
            .count(),
        2
    );

    // A filter the service refuses: the page says why beside the field (422); an address
    // that does not parse: the page's frame with what to write (400).
    let (status, refused) = page(&app, &admin, "/a-faire?kind=urgent").await;
    assert_eq!(status, 422);
    assert!(refused.contains("role=\"alert\" id=\"refus\""), "{refused}");
    assert!(refused.contains("aria-describedby=\"refus\""), "{refused}");
    let (status, malformed) = page(&app, &admin, "/a-faire?as_of=demain").await;
    assert_eq!(status, 400);
    assert!(malformed.trim_start().starts_with("<!DOCTYPE html>"));
    assert!(malformed.contains("role=\"alert\""));

    // The menu counts today's items, as the API lists them today.
    let today: Value = app
        .get_with("/api/followup", &admin.token)
        .await
        .json()
        .await
        .unwrap();
    let count = today.as_array().unwrap().len();
    let (_, any_page) = page(&app, &admin, "/marches").await;
    assert!(
        any_page.contains(&format!("<span class=\"menu-count\">{count}<")),
        "{count}: {any_page}"
    );
}

#[tokio::test]
async fn the_workbook_holds_the_same_list() {
    let app = spawn_app().await;
    let data = territory(&app).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let all = expected(&data);

    let bytes = download(&app, &format!("/api/followup.xlsx?as_of={AS_OF}"), &admin).await;
    let mut book = open(bytes);
    let sheet = rows(&mut book, "À faire");
    let header = sheet
        .iter()
        .position(|r| cell_text(&r[0]) == "Type")
        .expect("a header row");
    let body: Vec<&Vec<calamine::Data>> = sheet[header + 1..]
        .iter()
        .filter(|r| !cell_text(&r[0]).is_empty())
        .collect();
    assert_eq!(body.len(), all.len());
    // Type, reference and lot, company, and the missing hours of each row, in order.
    for (row, item) in body.iter().zip(&all) {
        assert_eq!(cell_text(&row[4]), item.3.trim_end_matches(" lot 0"));
        assert_eq!(cell_text(&row[6]), item.4);
        let missing = item
            .6
            .iter()
            .find(|(f, _)| *f == "missing_hours_hundredths")
            .map(|(_, v)| v.as_i64().unwrap());
        match missing {
            Some(hundredths) => assert_eq!(scaled(&row[11], 100.0), hundredths),
            None => assert_eq!(cell_text(&row[11]), ""),
        }
    }
    assert_eq!(cell_text(&body[0][0]), "Clause en retard, fin proche");
}

/// The schema, the two buyers and what `fill` writes, through the binary's own database.
fn with_two_buyers<T>(
    database: &TestDatabase,
    fill: impl FnOnce(&mut DbConnection) -> Result<T, StorageError>,
) -> T {
    crate::cli::stdout_of(crate::cli::suivi(database).arg("migrate"));
    let connection = database.connect();
    let mut conn = connection.connection().unwrap();
    for (n, name) in [(1, "Département"), (2, "Commune")] {
        buyers::insert(
            &mut conn,
            &siret(n),
            &Name::parse(name).unwrap(),
            &suivi_clauses::domain::Territory::parse("31").unwrap(),
        )
        .unwrap();
    }
    fill(&mut conn).unwrap()
}

#[test]
fn the_command_line_lists_the_same_items_as_the_api() {
    let database = TestDatabase::new();
    let json = |args: &[&str]| -> Value {
        let mut command = crate::cli::suivi(&database);
        command.args(["followup", "--json"]).args(args);
        serde_json::from_str(&crate::cli::stdout_of(&mut command)).unwrap()
    };
    let data = with_two_buyers(&database, dataset);

    let listed = json(&["--as-of", AS_OF]);
    let rows: Vec<Row> = listed.as_array().unwrap().iter().map(row_of).collect();
    assert_eq!(rows, expected(&data));
    let of_buyer_2 = json(&["--as-of", AS_OF, "--buyer", siret(2).as_str()]);
    assert_eq!(of_buyer_2.as_array().unwrap().len(), 2);
}

/// The example dataset, as `serve --example-data` loads it, on the test database.
fn with_example_data(database: &TestDatabase) {
    use suivi_clauses::import::examples::{self, Dataset, Loaded};
    let importer = crate::helpers::test_settings(database).importer().unwrap();
    let connection = database.connect();
    let mut conn = connection.connection().unwrap();
    let loaded = examples::load(&mut conn, &importer, &Dataset::embedded()).unwrap();
    assert!(matches!(loaded, Loaded::Loaded { .. }), "{loaded:?}");
}

/// The company of the example dataset that sends its November statement itself.
const EXAMPLE_SENDER: &str = "40000000160004";

#[test]
fn on_the_example_data_the_command_line_lists_statements_and_clauses_to_follow() {
    let database = TestDatabase::new();
    with_example_data(&database);
    let mut command = crate::cli::suivi(&database);
    command.args(["followup", "--json", "--as-of", "2026-11-30"]);
    let listed: Value = serde_json::from_str(&crate::cli::stdout_of(&mut command)).unwrap();
    let items = listed.as_array().unwrap();

    let of_kind = |kind: &str| items.iter().filter(|i| i["kind"] == kind).count();
    assert!(of_kind("missing_statement") > 0, "{listed}");
    assert!(
        of_kind("behind_pace") + of_kind("ended_short") > 0,
        "{listed}"
    );
    for item in items {
        assert!(item["lot_id"].as_i64().is_some(), "{item}");
        assert!(
            item["reference"]
                .as_str()
                .is_some_and(|r| r.starts_with("2025-"))
        );
        assert_eq!(
            item["company_siret"].as_str().map(str::len),
            Some(14),
            "{item}"
        );
    }
    // The statement the company sent itself: one line per lot, awaiting validation.
    let pending: Vec<(&str, &str, i64)> = items
        .iter()
        .filter(|i| i["kind"] == "pending_validation")
        .map(|i| {
            (
                i["company_siret"].as_str().unwrap(),
                i["month"].as_str().unwrap(),
                i["hours_hundredths"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(pending, vec![(EXAMPLE_SENDER, "2025-11", 7_000); 3]);
}

/// The settings reach the list: three months without hours, and 30 days before the end.
#[tokio::test]
async fn the_settings_move_the_date_rules() {
    let app = crate::helpers::spawn_app_with(|settings| {
        settings.followup.missing_months = 3;
        settings.followup.ending_within_days = 30;
    })
    .await;
    let data = territory(&app).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let all = expected(&data);

    let listed = rows_of(&app, &admin, "").await;
    // July declared on 2025-SV-002 covers the three months before October; both clauses end
    // on 31 December, more than 30 days after 15 October.
    let kept: Vec<Row> = all
        .into_iter()
        .filter(|r| r.0 != "behind_pace")
        .filter(|r| !(r.0 == "missing_statement" && r.3.starts_with("2025-SV-002")))
        .collect();
    assert_eq!(listed, kept);
}

/// The day the obligation items are listed at: after the entry into force of 22 August 2026.
const OBLIGATIONS_AS_OF: &str = "2026-12-15";

/// A contract of the obligations register: (reference, buyer, nature, launch, estimated value
/// in euros, social condition, environmental condition, ground and its text, notified).
struct Registered {
    reference: &'static str,
    buyer: u64,
    nature: ContractType,
    launch: &'static str,
    value: Option<i64>,
    social: bool,
    environmental: bool,
    ground: Option<(&'static str, &'static str)>,
    notified: &'static str,
}

/// Buyers 1 and 2 are local authorities (the default type): in 2026, 216 000 € for supplies
/// and services, 5 404 000 € for works.
const REGISTER: &[Registered] = &[
    // Services above the threshold, an environmental condition, no social one and no ground.
    Registered {
        reference: "OB-SOC",
        buyer: 1,
        nature: ContractType::Services,
        launch: "2026-09-01",
        value: Some(300_000),
        social: false,
        environmental: true,
        ground: None,
        notified: "2026-11-02",
    },
    // A ground named without its justification is no ground.
    Registered {
        reference: "OB-NOTEXT",
        buyer: 1,
        nature: ContractType::Supplies,
        launch: "2026-09-10",
        value: Some(216_000),
        social: false,
        environmental: true,
        ground: Some(("immediately_available", "  ")),
        notified: "2026-11-03",
    },
    // Works below their threshold: only the environmental condition is required, and missing.
    Registered {
        reference: "OB-ENV",
        buyer: 1,
        nature: ContractType::Works,
        launch: "2026-09-15",
        value: Some(1_000_000),
        social: false,
        environmental: false,
        ground: None,
        notified: "2026-11-04",
    },
    // Buyer 2: neither condition.
    Registered {
        reference: "OB-BOTH",
        buyer: 2,
        nature: ContractType::Services,
        launch: "2026-10-01",
        value: Some(250_000),
        social: false,
        environmental: false,
        ground: None,
        notified: "2026-11-05",
    },
    // Not listed: a ground with its justification; both conditions; launched the day before
    // the entry into force; an unknown estimated value (incomplete, not missing); notified
    // after the day asked.
    Registered {
        reference: "OB-GROUND",
        buyer: 1,
        nature: ContractType::Services,
        launch: "2026-09-01",
        value: Some(300_000),
        social: false,
        environmental: true,
        ground: Some(("no_link_with_object", "Fourniture de licences logicielles")),
        notified: "2026-11-06",
    },
    Registered {
        reference: "OB-OK",
        buyer: 2,
        nature: ContractType::Works,
        launch: "2026-09-01",
        value: Some(6_000_000),
        social: true,
        environmental: true,
        ground: None,
        notified: "2026-11-07",
    },
    Registered {
        reference: "OB-BEFORE",
        buyer: 1,
        nature: ContractType::Services,
        launch: "2026-08-21",
        value: Some(300_000),
        social: false,
        environmental: false,
        ground: None,
        notified: "2026-11-08",
    },
    Registered {
        reference: "OB-NOVALUE",
        buyer: 1,
        nature: ContractType::Services,
        launch: "2026-09-01",
        value: None,
        social: false,
        environmental: true,
        ground: None,
        notified: "2026-11-09",
    },
    Registered {
        reference: "OB-LATER",
        buyer: 2,
        nature: ContractType::Services,
        launch: "2026-10-01",
        value: Some(250_000),
        social: false,
        environmental: false,
        ground: None,
        notified: "2027-01-04",
    },
];

/// The register above, each contract by reference.
fn register(conn: &mut DbConnection) -> Result<Vec<(&'static str, ContractId)>, StorageError> {
    figures_transaction(conn, |conn, _| {
        // The company whose account must not see the buyer's obligations.
        company(conn, 1, "Bâtiments du Sud")?;
        let mut ids = Vec::new();
        for r in REGISTER {
            let buyer_id = buyers::id_by_siret(conn, &siret(r.buyer))?.expect("buyer");
            let facts = RegisterFacts {
                launch_date: Some(day(r.launch)),
                contract_type: Some(r.nature),
                estimated_value: r.value.map(|e| Money::from_euros(e).unwrap()),
                social_condition: r.social,
                environmental_condition: r.environmental,
                environmental_criterion: false,
                exemption_ground: r.ground.map(|g| g.0.to_owned()),
                exemption_text: r.ground.map(|g| g.1.to_owned()),
            };
            let id = contracts::upsert_contract(
                conn,
                &ContractFields {
                    buyer_id,
                    reference: r.reference,
                    object: "Prestations",
                    procedure: None,
                    cpv: None,
                    notification_date: day(r.notified),
                    duration_months: Some(12),
                    end_date: None,
                    social_criterion: false,
                    import_id: None,
                    register: &facts,
                },
            )?;
            ids.push((r.reference, id));
        }
        Ok::<_, StorageError>(ids)
    })
}

/// What the law gives on the register at 15 December 2026, computed here: (reference, buyer,
/// launch, parts missing), the oldest launch first.
fn expected_obligations() -> Vec<(&'static str, u64, &'static str, Vec<&'static str>)> {
    vec![
        ("OB-SOC", 1, "2026-09-01", vec!["social"]),
        ("OB-NOTEXT", 1, "2026-09-10", vec!["social"]),
        ("OB-ENV", 1, "2026-09-15", vec!["environmental"]),
        ("OB-BOTH", 2, "2026-10-01", vec!["social", "environmental"]),
    ]
}

/// An obligation item as compared: kind, since, buyer, reference, lot, lot id, company, link,
/// launch date and the parts missing.
fn obligation_row(item: &Value) -> Vec<Value> {
    [
        "kind",
        "since",
        "buyer_siret",
        "reference",
        "lot",
        "lot_id",
        "company_siret",
        "link",
        "launch_date",
        "missing_conditions",
    ]
    .iter()
    .map(|k| item[*k].clone())
    .collect()
}

fn expected_obligation_rows(ids: &[(&str, ContractId)], buyer: Option<u64>) -> Vec<Vec<Value>> {
    expected_obligations()
        .into_iter()
        .filter(|e| buyer.is_none_or(|b| b == e.1))
        .map(|(reference, b, launch, missing)| {
            let id = ids.iter().find(|i| i.0 == reference).unwrap().1;
            vec![
                Value::from("obligation_missing"),
                Value::from(launch),
                Value::from(siret(b).as_str()),
                Value::from(reference),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::from(format!("/marches/{id}#obligations")),
                Value::from(launch),
                Value::from(missing),
            ]
        })
        .collect()
}

async fn obligation_rows(app: &TestApp, token: &str, filters: &str) -> (u16, Vec<Vec<Value>>) {
    let response = app
        .get_with(
            &format!("/api/followup?as_of={OBLIGATIONS_AS_OF}{filters}"),
            token,
        )
        .await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    let rows = body
        .as_array()
        .map(|items| items.iter().map(obligation_row).collect())
        .unwrap_or_default();
    (status, rows)
}

#[tokio::test]
async fn contracts_lacking_a_required_condition_are_listed_once_each_to_those_who_read_obligations()
{
    let app = spawn_app().await;
    app.add_buyer(1, "Département").await;
    app.add_buyer(2, "Commune").await;
    let ids = app.database.run(register).await.unwrap();
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let all = expected_obligation_rows(&ids, None);

    // The register has no lot with a clause and no hours: the whole list is these items.
    assert_eq!(
        obligation_rows(&app, &admin.token, "").await,
        (200, all.clone())
    );
    assert_eq!(
        obligation_rows(&app, &admin.token, "&kind=obligation_missing").await,
        (200, all.clone())
    );
    // Before the consultations were launched, and before any was notified: nothing.
    let response = app
        .get_with(
            "/api/followup?as_of=2026-10-31&kind=obligation_missing",
            &admin.token,
        )
        .await;
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        Value::Array(vec![])
    );

    // A buyer officer: its buyer's contracts. A facilitator: all of its buyers'.
    let officer = token_of(&app, Role::BuyerOfficer, vec![siret(1)]).await;
    assert_eq!(
        obligation_rows(&app, &officer, "").await,
        (200, expected_obligation_rows(&ids, Some(1)))
    );
    let facilitator = token_of(&app, Role::Facilitator, vec![siret(2)]).await;
    assert_eq!(
        obligation_rows(&app, &facilitator, "").await,
        (200, expected_obligation_rows(&ids, Some(2)))
    );
    // A company is never shown the buyer's obligations; elected officials have no list.
    let company = token_of(&app, Role::Company, vec![firm(1)]).await;
    assert_eq!(obligation_rows(&app, &company, "").await, (200, vec![]));
    assert_eq!(
        obligation_rows(&app, &company, "&kind=obligation_missing").await,
        (200, vec![])
    );
    let elected = token_of(&app, Role::Elected, vec![]).await;
    assert_eq!(obligation_rows(&app, &elected, "").await.0, 403);

    // The page: one row per contract, for the whole contract, linked to its obligations.
    let (status, html) = page(
        &app,
        &admin,
        &format!("/a-faire?as_of={OBLIGATIONS_AS_OF}&kind=obligation_missing"),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(
        html.matches("<tr data-kind=\"obligation_missing\"").count(),
        4,
        "{html}"
    );
    assert_eq!(html.matches("<tr data-kind=").count(), 4);
    let (both, _) = ids
        .iter()
        .find(|i| i.0 == "OB-BOTH")
        .map(|i| (i.1, ()))
        .unwrap();
    for text in [
        "Condition sociale ou environnementale manquante",
        "OB-BOTH, tout le marché",
        &format!("href=\"/marches/{both}#obligations\""),
        "Consultation lancée le 01/10/2026 : ni condition sociale d&#39;exécution ni motif d&#39;absence justifié, et pas de condition environnementale d&#39;exécution.",
    ] {
        assert!(html.contains(text), "{text}: {html}");
    }
    // The contract's page has the place the link points at.
    let (_, contract_page) = page(&app, &admin, &format!("/marches/{both}")).await;
    assert!(
        contract_page.contains("id=\"obligations\""),
        "{contract_page}"
    );

    // The workbook: the same contracts, in the same order, with no lot.
    let bytes = download(
        &app,
        &format!("/api/followup.xlsx?as_of={OBLIGATIONS_AS_OF}"),
        &admin.token,
    )
    .await;
    let mut book = open(bytes);
    let sheet = rows(&mut book, "À faire");
    let header = sheet
        .iter()
        .position(|r| cell_text(&r[0]) == "Type")
        .expect("a header row");
    let body: Vec<(String, String, String)> = sheet[header + 1..]
        .iter()
        .filter(|r| !cell_text(&r[0]).is_empty())
        .map(|r| (cell_text(&r[0]), cell_text(&r[4]), cell_text(&r[5])))
        .collect();
    let wanted: Vec<(String, String, String)> = expected_obligations()
        .iter()
        .map(|e| {
            (
                "Condition sociale ou environnementale manquante".to_owned(),
                e.0.to_owned(),
                String::new(),
            )
        })
        .collect();
    assert_eq!(body, wanted);
}

#[test]
fn the_command_line_lists_the_contracts_lacking_a_required_condition() {
    let database = TestDatabase::new();
    let ids = with_two_buyers(&database, register);

    let mut command = crate::cli::suivi(&database);
    command.args([
        "followup",
        "--json",
        "--kind",
        "obligation_missing",
        "--as-of",
        OBLIGATIONS_AS_OF,
    ]);
    let listed: Value = serde_json::from_str(&crate::cli::stdout_of(&mut command)).unwrap();
    let rows: Vec<Vec<Value>> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(obligation_row)
        .collect();
    assert_eq!(rows, expected_obligation_rows(&ids, None));

    let mut text = crate::cli::suivi(&database);
    text.args([
        "followup",
        "--kind",
        "obligation_missing",
        "--as-of",
        OBLIGATIONS_AS_OF,
    ]);
    let printed = crate::cli::stdout_of(&mut text);
    assert!(printed.contains("4 élément(s)"), "{printed}");
    assert!(printed.contains("marché OB-ENV  —"), "{printed}");
}
