//! Every route × every role, and anonymous: exactly the status the authorization table gives.

use suivi_clauses::domain::authorization::{is_allowed, may_import};
use suivi_clauses::domain::{ImportKind, Labelled, Role};
use suivi_clauses::web::routes::{Access, ROUTES, Route};

use crate::helpers::{TestApp, USER_PASSWORD, siret, spawn_app};

/// A request that succeeds on the route for an allowed caller, and the status it then gets.
struct Sample {
    path: String,
    body: Option<serde_json::Value>,
    /// A structures file sent as multipart form data.
    file: Option<Vec<u8>>,
    success: u16,
}

/// A new contract of buyer 1 without hours, another on every call (to be deleted).
pub fn spare_contract(
    conn: &mut suivi_clauses::storage::DbConnection,
) -> Result<suivi_clauses::storage::ContractId, suivi_clauses::storage::StorageError> {
    use suivi_clauses::storage::{buyers, contracts};
    let buyer = buyers::id_by_siret(conn, &siret(1))?.expect("buyer 1");
    let reference = format!("SPARE-{}", rand::random::<u32>());
    Ok(contracts::upsert_contract(
        conn,
        &contracts::ContractFields {
            buyer_id: buyer,
            reference: &reference,
            object: "Marché à supprimer",
            procedure: None,
            cpv: None,
            notification_date: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            duration_months: None,
            end_date: None,
            social_criterion: false,
            import_id: None,
            register: &Default::default(),
        },
    )?)
}

/// A participant who left on 15 January 2025, the same on every call, with no hours (so that
/// every facilitateur reaches it, whatever its buyers).
pub fn walk_participant(
    conn: &mut suivi_clauses::storage::DbConnection,
) -> Result<suivi_clauses::storage::ParticipantId, suivi_clauses::storage::StorageError> {
    use suivi_clauses::domain::{EligibilityCriterion, ExitOutcome, Update};
    use suivi_clauses::storage::participants::{self, ParticipantFields};
    Ok(participants::upsert(
        conn,
        &ParticipantFields {
            pseudonym: "WALK-P1",
            criterion: EligibilityCriterion::Rsa,
            validated_on: Update::Keep,
            prescriber: Update::Keep,
            birth_year: Update::Keep,
            sex: Update::Keep,
            qpv: Update::Keep,
            exit_outcome: Update::Set(ExitOutcome::PositiveExit),
            exit_date: Update::Set(chrono::NaiveDate::from_ymd_opt(2025, 1, 15).unwrap()),
            six_month: Default::default(),
        },
    )?)
}

/// A contract of buyer 1 and its lot, the same on every call, held by the company of the
/// walk's company accounts (SIRET 999), with a clause.
pub fn walk_lot(
    conn: &mut suivi_clauses::storage::DbConnection,
) -> Result<
    (
        suivi_clauses::storage::ContractId,
        suivi_clauses::storage::LotId,
    ),
    suivi_clauses::storage::StorageError,
> {
    use suivi_clauses::domain::{AwardRole, Hours, Money, Reservation};
    use suivi_clauses::storage::{buyers, companies, contracts};
    let buyer = buyers::id_by_siret(conn, &siret(1))?.expect("buyer 1");
    let contract = contracts::upsert_contract(
        conn,
        &contracts::ContractFields {
            buyer_id: buyer,
            reference: "WALK-1",
            object: "Marché de la tournée des rôles",
            procedure: None,
            cpv: None,
            notification_date: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            duration_months: Some(12),
            end_date: None,
            social_criterion: false,
            import_id: None,
            register: &Default::default(),
        },
    )?;
    let lot = contracts::upsert_lot(
        conn,
        contract,
        0,
        None,
        Money::from_euros(100_000).unwrap(),
        Reservation::None,
    )?;
    let company = companies::upsert(
        conn,
        &companies::CompanyUpsert {
            identifier: &siret(999).into(),
            name: Some(&suivi_clauses::domain::Name::parse("Entreprise de la tournée").unwrap()),
            kind: None,
            postal_code: suivi_clauses::domain::Update::Keep,
            size_class: suivi_clauses::domain::Update::Keep,
        },
    )?;
    contracts::replace_awards(
        conn,
        lot,
        &[(
            company,
            AwardRole::Holder,
            Money::from_euros(100_000).unwrap(),
        )],
    )?;
    contracts::set_clause(conn, lot, Some(Hours::from_whole(500).unwrap()))?;
    Ok((contract, lot))
}

/// A fresh statement awaiting validation on the walk's lot in March 2025 (a new participant
/// and a new import each time); returns its import and the lot.
pub fn walk_pending(
    conn: &mut suivi_clauses::storage::DbConnection,
) -> Result<(i64, i64), suivi_clauses::storage::StorageError> {
    use suivi_clauses::domain::{Hours, Modality, Month, ReviewState};
    use suivi_clauses::storage::companies;
    use suivi_clauses::storage::hour_entries::{self, HourEntry};
    let (_, lot) = walk_lot(conn)?;
    let company = companies::id_of(conn, siret(999).as_str())?.expect("the walk's company");
    let pseudonym = format!("WALK-{}", rand::random::<u32>());
    let participant = crate::helpers::rsa_participant(conn, &pseudonym)?;
    let import = crate::helpers::hours_import(conn)?;
    let entry = HourEntry {
        lot_id: lot,
        company_id: company,
        participant_id: participant,
        month: Month::new(2025, 3).unwrap(),
        modality: Modality::DirectHire,
        insertion_employer_id: None,
        hours: Hours::from_whole(7).unwrap(),
        employment_contract: None,
        review: ReviewState::Declared,
    };
    hour_entries::upsert(conn, &entry, import)?;
    Ok((import.get(), lot.get()))
}

/// The same fresh statement, its import recorded as succeeded: one that may be undone.
pub fn walk_undoable(
    conn: &mut suivi_clauses::storage::DbConnection,
) -> Result<i64, suivi_clauses::storage::StorageError> {
    use suivi_clauses::storage::imports::{self, Outcome};
    let (import, _) = walk_pending(conn)?;
    imports::finish(
        conn,
        import.into(),
        &Outcome {
            status: suivi_clauses::domain::ImportStatus::Succeeded,
            rows_total: 1,
            rows_written: 1,
            error_count: 0,
            report: "",
            error_workbook: None,
        },
    )?;
    Ok(import)
}

/// A fresh lot of buyer 1 held by the walk's company (SIRET 999), whose execution ended in
/// 2023, with a 500 h clause and no hours: one that may be closed.
pub fn walk_closable(
    conn: &mut suivi_clauses::storage::DbConnection,
) -> Result<
    (
        suivi_clauses::storage::ContractId,
        suivi_clauses::storage::LotId,
    ),
    suivi_clauses::storage::StorageError,
> {
    use suivi_clauses::domain::{AwardRole, Hours, Money, Reservation};
    use suivi_clauses::storage::{buyers, companies, contracts};
    walk_lot(conn)?;
    let buyer = buyers::id_by_siret(conn, &siret(1))?.expect("buyer 1");
    let reference = format!("CL-{:08}", rand::random::<u32>() % 100_000_000);
    let contract = contracts::upsert_contract(
        conn,
        &contracts::ContractFields {
            buyer_id: buyer,
            reference: &reference,
            object: "Marché terminé de la tournée",
            procedure: None,
            cpv: None,
            notification_date: chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
            duration_months: Some(12),
            end_date: None,
            social_criterion: false,
            import_id: None,
            register: &Default::default(),
        },
    )?;
    let money = Money::from_euros(100_000).unwrap();
    let lot = contracts::upsert_lot(conn, contract, 0, None, money, Reservation::None)?;
    let company = companies::id_of(conn, siret(999).as_str())?.expect("the walk's company");
    contracts::replace_awards(conn, lot, &[(company, AwardRole::Holder, money)])?;
    contracts::set_clause(conn, lot, Some(Hours::from_whole(500).unwrap()))?;
    Ok((contract, lot))
}

/// The same lot, its clause closed.
pub fn walk_closed(
    conn: &mut suivi_clauses::storage::DbConnection,
) -> Result<i64, suivi_clauses::app::AppError> {
    use suivi_clauses::app::closures::{CloseRequest, close};
    let (_, lot) = walk_closable(conn)?;
    let request = CloseRequest {
        signatory_name: "Jeanne Émery".to_owned(),
        signatory_role: "Directrice de la commande publique".to_owned(),
        ..CloseRequest::default()
    };
    let caller = suivi_clauses::app::Caller::command_line();
    close(
        conn,
        &caller,
        lot,
        &request,
        chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
    )?;
    Ok(lot.get())
}

/// A request to close a clause, as the form and the API send it.
pub fn closing_body() -> serde_json::Value {
    serde_json::json!({
        "signatory_name": "Jeanne Émery",
        "signatory_role": "Directrice de la commande publique",
    })
}

async fn sample(app: &TestApp, route: &Route, token: Option<&str>) -> Sample {
    let plain = |success| Sample {
        path: route.path.to_owned(),
        body: None,
        file: None,
        success,
    };
    match (route.method, route.path) {
        (
            "get",
            "/api/health" | "/api/openapi.json" | "/api/me" | "/api/buyers" | "/api/users"
            | "/api/audit",
        ) => plain(200),
        ("post", "/api/logout") => plain(200),
        ("post", "/api/me/password") => Sample {
            body: Some(serde_json::json!({
                "current_password": USER_PASSWORD,
                "new_password": "une toute nouvelle phrase",
            })),
            ..plain(200)
        },
        ("post", "/api/users") => Sample {
            body: Some(serde_json::json!({
                "email": format!("nouveau-{}@test.local", rand::random::<u32>()),
                "display_name": "Nouvel élu",
                "role": "elected",
                "all_buyers": true,
            })),
            ..plain(201)
        },
        (
            "post",
            "/api/users/{id}/deactivate"
            | "/api/users/{id}/reactivate"
            | "/api/users/{id}/password",
        ) => {
            let target = app.create_user(Role::Elected, vec![]).await;
            Sample {
                path: route.path.replace("{id}", &target.id.to_string()),
                ..plain(200)
            }
        }
        ("patch", "/api/users/{id}") => {
            let target = app.create_user(Role::Elected, vec![]).await;
            Sample {
                path: format!("/api/users/{}", target.id),
                body: Some(serde_json::json!({ "role": "facilitator", "all_buyers": true })),
                ..plain(200)
            }
        }
        (
            "get",
            "/api/imports" | "/api/reviews" | "/api/followup" | "/api/followup.xlsx"
            | "/api/reminders",
        ) => plain(200),
        ("post", "/api/reminders") => Sample {
            body: Some(serde_json::json!({ "dry_run": true })),
            ..plain(200)
        },
        ("patch", "/api/companies/{siret}") => {
            app.database.run(walk_lot).await.unwrap();
            Sample {
                path: route.path.replace("{siret}", siret(999).as_str()),
                body: Some(serde_json::json!({ "contact_email": "contact@exemple.fr" })),
                ..plain(200)
            }
        }
        ("post", "/api/imports/{id}/review") => {
            let (import, _) = app.database.run(walk_pending).await.unwrap();
            Sample {
                path: format!("/api/imports/{import}/review"),
                body: Some(serde_json::json!({ "decision": "validate" })),
                ..plain(200)
            }
        }
        ("post", "/api/imports/{id}/undo") => {
            let import = app.database.run(walk_undoable).await.unwrap();
            Sample {
                path: format!("/api/imports/{import}/undo"),
                ..plain(200)
            }
        }
        ("post", "/api/lots/{id}/months/{month}/review") => {
            let (_, lot) = app.database.run(walk_pending).await.unwrap();
            Sample {
                path: format!("/api/lots/{lot}/months/2025-03/review"),
                body: Some(serde_json::json!({ "decision": "validate" })),
                ..plain(200)
            }
        }
        ("get", "/api/indicators") => Sample {
            path: "/api/indicators?year=2025".to_owned(),
            ..plain(200)
        },
        ("get", "/api/indicators/series") => Sample {
            path: "/api/indicators/series?from_year=2024&to_year=2025".to_owned(),
            ..plain(200)
        },
        ("get", "/api/clauses" | "/api/contracts" | "/api/companies" | "/api/participants") => {
            plain(200)
        }
        ("post", "/api/calibrations") => Sample {
            body: Some(serde_json::json!({
                "base_amount_cents": 100_000_000, "labour_share_basis_points": 5_000,
                "insertion_rate_basis_points": 500, "hourly_cost_cents": 3_000,
            })),
            ..plain(200)
        },
        ("post", "/api/contracts") => {
            // The walk's company, known: the body names only the new one.
            app.database.run(walk_lot).await.unwrap();
            let reference = format!("W-{}", rand::random::<u32>());
            Sample {
                body: Some(crate::contract_forms::contract_body(1, &reference)),
                ..plain(201)
            }
        }
        ("patch", "/api/contracts/{id}") => {
            let (contract, _) = app.database.run(walk_lot).await.unwrap();
            Sample {
                path: format!("/api/contracts/{contract}"),
                // Its lot 0 kept: the walk may have declared hours on it.
                body: Some({
                    let mut body = crate::contract_forms::contract_body(1, "WALK-1");
                    body["lots"][0]["number"] = serde_json::json!(0);
                    body
                }),
                ..plain(200)
            }
        }
        ("delete", "/api/contracts/{id}") => {
            let contract = app.database.run(spare_contract).await.unwrap();
            Sample {
                path: format!("/api/contracts/{contract}"),
                ..plain(204)
            }
        }
        ("put", "/api/lots/{id}/clause") => {
            let (_, lot) = app.database.run(walk_lot).await.unwrap();
            Sample {
                path: format!("/api/lots/{lot}/clause"),
                body: Some(serde_json::json!({ "target_hours_hundredths": 50_000 })),
                ..plain(200)
            }
        }
        ("post", "/api/lots/{id}/closure") => {
            let (_, lot) = app.database.run(walk_closable).await.unwrap();
            Sample {
                path: format!("/api/lots/{lot}/closure"),
                body: Some(closing_body()),
                ..plain(201)
            }
        }
        ("get", "/api/lots/{id}/closure" | "/api/lots/{id}/attestation.pdf") => {
            let lot = app.database.run(walk_closed).await.unwrap();
            Sample {
                path: route.path.replace("{id}", &lot.to_string()),
                ..plain(200)
            }
        }
        ("post", "/api/lots/{id}/closure/reopen") => {
            let lot = app.database.run(walk_closed).await.unwrap();
            Sample {
                path: format!("/api/lots/{lot}/closure/reopen"),
                body: Some(serde_json::json!({ "reason": "Relevé oublié de décembre" })),
                ..plain(204)
            }
        }
        (
            "get",
            "/api/contracts/{id}"
            | "/api/contracts/{id}/statement"
            | "/api/contracts/{id}/statement.xlsx",
        ) => {
            let (contract, _) = app.database.run(walk_lot).await.unwrap();
            Sample {
                path: route.path.replace("{id}", &contract.to_string()),
                ..plain(200)
            }
        }
        ("get", "/api/companies/{siret}/statement" | "/api/companies/{siret}/statement.xlsx") => {
            app.database.run(walk_lot).await.unwrap();
            Sample {
                path: route.path.replace("{siret}", siret(999).as_str()),
                ..plain(200)
            }
        }
        ("get", "/api/exports/compliance.xlsx") => Sample {
            path: "/api/exports/compliance.xlsx?year=2025".to_owned(),
            ..plain(200)
        },
        ("get", "/api/exports/annual-report.xlsx") => Sample {
            path: "/api/exports/annual-report.xlsx?year=2025".to_owned(),
            ..plain(200)
        },
        ("get", "/api/exports/hours.xlsx" | "/api/exports/hours.csv") => plain(200),
        ("get", "/api/exports/spaser.xlsx" | "/api/exports/spaser.csv") => Sample {
            path: format!("{}?year=2025", route.path),
            ..plain(200)
        },
        ("get", "/api/obligations") => Sample {
            path: "/api/obligations?year=2025".to_owned(),
            ..plain(200)
        },
        ("get", "/api/exports/decp.json") => Sample {
            // Buyer 1 with no contract of 2020: an empty, valid document.
            path: format!(
                "/api/exports/decp.json?buyer={}&year=2020",
                siret(1).as_str()
            ),
            ..plain(200)
        },
        ("get", "/api/imports/{id}" | "/api/imports/{id}/errors.xlsx") => {
            // An import of the caller's own: a statement refused (no such contract), which
            // leaves a report and an error workbook.
            let statement = "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n\
                             X-1;44306184100047;03/2025;P-1;Embauche directe;1\n";
            let id = match token {
                Some(token) => {
                    let (_, body) = app
                        .import(
                            token,
                            "hours",
                            "heures.csv",
                            statement.as_bytes().to_vec(),
                            false,
                        )
                        .await;
                    body["report"]["import_id"].as_i64().unwrap_or(999_999)
                }
                None => 999_999,
            };
            Sample {
                path: route.path.replace("{id}", &id.to_string()),
                ..plain(200)
            }
        }
        ("get", "/api/imports/templates/{kind}") => Sample {
            path: "/api/imports/templates/structures".to_owned(),
            ..plain(200)
        },
        ("post", "/api/imports") => {
            // A different file each time, so that no upload is refused as a duplicate.
            let csv = format!(
                "SIRET;Raison sociale\n44306184100047;Structure {}\n",
                rand::random::<u32>()
            );
            Sample {
                file: Some(csv.into_bytes()),
                ..plain(201)
            }
        }
        (method, path) => {
            panic!("no sample request for {method} {path}: add one when adding a route")
        }
    }
}

/// A fresh account of `role`, signed in: buyer officers of buyer 1, companies of SIRET 999.
pub async fn walk_session(app: &TestApp, role: Role) -> crate::helpers::Session {
    let scope = if role == Role::BuyerOfficer {
        vec![siret(1)]
    } else {
        vec![]
    };
    let user = app.create_user(role, scope).await;
    app.session(&user.email, USER_PASSWORD).await
}

async fn send(app: &TestApp, method: &str, sample: &Sample, token: Option<&str>) -> u16 {
    let url = app.url(&sample.path);
    let mut request = match method {
        "get" => app.client.get(url),
        "post" => app.client.post(url),
        "put" => app.client.put(url),
        "patch" => app.client.patch(url),
        "delete" => app.client.delete(url),
        other => panic!("method {other} not covered by the walk"),
    };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = &sample.body {
        request = request.json(body);
    }
    if let Some(file) = &sample.file {
        let form = reqwest::multipart::Form::new()
            .text("kind", "structures")
            .part(
                "file",
                reqwest::multipart::Part::bytes(file.clone()).file_name("structures.csv"),
            );
        request = request.multipart(form);
    }
    request
        .send()
        .await
        .expect("request sent")
        .status()
        .as_u16()
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_table_says() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    let mut checked = 0;

    for route in ROUTES {
        let Access::Requires(action) = route.access else {
            continue;
        };
        let anonymous = send(&app, route.method, &sample(&app, route, None).await, None).await;
        assert_eq!(anonymous, 401, "anonymous {} {}", route.method, route.path);

        for &role in Role::ALL {
            // A fresh account per request: some routes (password, logout) end the session.
            let session = walk_session(&app, role).await;
            let request = sample(&app, route, Some(&session.token)).await;
            // Uploads are allowed per kind of file too (the walk sends structures).
            let allowed = is_allowed(role, action)
                && (!(route.path.starts_with("/api/imports/templates")
                    || (route.path == "/api/imports" && route.method == "post"))
                    || may_import(role, ImportKind::Structures));
            let expected = if allowed { request.success } else { 403 };

            let status = send(&app, route.method, &request, Some(&session.token)).await;

            assert_eq!(
                status,
                expected,
                "{} {} as {}",
                route.method,
                route.path,
                role.code()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, (ROUTES.len() - 3) * Role::ALL.len());
}

#[test]
fn only_health_the_api_description_and_login_are_public() {
    let public: Vec<&str> = ROUTES
        .iter()
        .filter(|r| r.access == Access::Public)
        .map(|r| r.path)
        .collect();
    assert_eq!(public, ["/api/health", "/api/openapi.json", "/api/login"]);
}

#[tokio::test]
async fn elected_officials_and_companies_never_receive_participant_identifiers() {
    let app = spawn_app().await;
    app.database
        .run(|conn| {
            crate::seed::insertion_hours(conn, crate::seed::PEOPLE);
            Ok::<_, suivi_clauses::storage::StorageError>(())
        })
        .await
        .unwrap();
    let mut fetched = 0;

    for role in [Role::Elected, Role::Company] {
        let user = app.create_user(role, vec![]).await;
        let session = app.session(&user.email, USER_PASSWORD).await;
        for route in ROUTES.iter().filter(|r| r.method == "get") {
            if let Access::Requires(action) = route.access
                && !is_allowed(role, action)
            {
                continue;
            }
            let request = sample(&app, route, Some(&session.token)).await;
            let body = app
                .get_with(&request.path, &session.token)
                .await
                .text()
                .await
                .unwrap();
            for person in crate::seed::PEOPLE {
                assert!(
                    !body.contains(person.pseudonym),
                    "{} shows a participant to {}",
                    route.path,
                    role.code()
                );
            }
            fetched += 1;
        }
    }
    assert!(fetched >= 4, "the guard read {fetched} answers");
}
