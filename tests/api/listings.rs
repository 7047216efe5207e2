//! Listings of contracts, companies and participants: filtered, paginated, scoped.

use serde_json::Value;
use suivi_clauses::domain::{Role, Siret};

use crate::helpers::{TestDatabase, USER_PASSWORD, siret, spawn_app_on};
use crate::indicators::{json_of, local_sme, territory};

fn references(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn contracts_are_listed_with_their_lots_by_scope_and_page() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = territory(&app).await;
    let company = app
        .create_user(Role::Company, vec![Siret::parse(&local_sme()).unwrap()])
        .await;
    let company = app.session(&company.email, USER_PASSWORD).await.token;
    let officer = app.create_user(Role::BuyerOfficer, vec![siret(2)]).await;
    let officer = app.session(&officer.email, USER_PASSWORD).await.token;

    let year = json_of(&app, "/api/contracts?year=2025", &admin).await;
    let second_page = json_of(&app, "/api/contracts?year=2025&per_page=3&page=2", &admin).await;
    let held = json_of(&app, "/api/contracts", &company).await;
    let own_buyer = json_of(&app, "/api/contracts", &officer).await;

    // Most recently notified first.
    assert_eq!(
        references(&year),
        ["2025-03", "2025-B2", "2025-02", "2025-01"]
    );
    assert_eq!(year["total"], 4);
    let roads = &year["items"][2];
    assert_eq!(roads["lots"].as_array().unwrap().len(), 2);
    assert_eq!(roads["lots"][0]["awards"].as_array().unwrap().len(), 2);
    assert_eq!(roads["lots"][1]["reservation"], "l2113_13");
    assert_eq!(
        year["items"][3]["lots"][0]["target_hours_hundredths"],
        100_000
    );
    assert_eq!(references(&second_page), ["2025-01"]);
    assert_eq!(
        (second_page["page"].clone(), second_page["total"].clone()),
        (2.into(), 4.into())
    );
    assert_eq!(references(&held), ["2025-03", "2025-01"]);
    assert_eq!(references(&own_buyer), ["2025-B2"]);

    // Searched by object or reference, whatever the case; LIKE's wildcards are plain text.
    let found = json_of(&app, "/api/contracts?q=VOIRIE", &admin).await;
    assert_eq!(references(&found), ["2025-02"]);
    let found = json_of(&app, "/api/contracts?q=2025-0", &admin).await;
    assert_eq!(references(&found), ["2025-03", "2025-02", "2025-01"]);
    let found = json_of(&app, "/api/contracts?q=%25", &admin).await;
    assert_eq!(found["total"], 0);

    // One contract by its id; outside the caller's scope it does not exist.
    let id = year["items"][0]["id"].as_i64().unwrap();
    let one = json_of(&app, &format!("/api/contracts/{id}"), &admin).await;
    assert_eq!(one, year["items"][0]);
    let hidden = app
        .get_with(&format!("/api/contracts/{id}"), &officer)
        .await;
    assert_eq!(hidden.status().as_u16(), 404);
}

#[tokio::test]
async fn companies_and_structures_are_listed_and_searched() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = territory(&app).await;

    let all = json_of(&app, "/api/companies", &admin).await;
    let structures = json_of(&app, "/api/companies?structures=true", &admin).await;
    let searched = json_of(&app, "/api/companies?q=grands", &admin).await;
    let paris = json_of(&app, "/api/companies?departement=75", &admin).await;

    assert_eq!(all["total"], 4);
    let kinds: Vec<&str> = structures["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["structure_kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["aci", "etti"]);
    assert_eq!(searched["items"][0]["name"], "Grands Travaux de Paris");
    assert_eq!(searched["total"], 1);
    assert_eq!(paris["total"], 1);
}

#[tokio::test]
async fn participants_are_listed_for_facilitators_only() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    territory(&app).await;
    let facilitator = app.create_user(Role::Facilitator, vec![]).await;
    let facilitator = app.session(&facilitator.email, USER_PASSWORD).await.token;
    let elected = app.create_user(Role::Elected, vec![]).await;
    let elected = app.session(&elected.email, USER_PASSWORD).await.token;

    let all = json_of(&app, "/api/participants", &facilitator).await;
    let disabled = json_of(&app, "/api/participants?criterion=TH", &facilitator).await;
    let refused = app.get_with("/api/participants", &elected).await;

    assert_eq!(all["total"], 3);
    // P1: 100 + 120 h in 2025.
    assert_eq!(all["items"][0]["pseudonym"], "P1");
    assert_eq!(all["items"][0]["hours_hundredths"], 22_000);
    assert_eq!(disabled["total"], 1);
    assert_eq!(disabled["items"][0]["pseudonym"], "P2");
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn listings_and_indicators_narrow_to_a_buyer_or_a_territory_within_scope() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = territory(&app).await;
    let officer = app.create_user(Role::BuyerOfficer, vec![siret(2)]).await;
    let officer = app.session(&officer.email, USER_PASSWORD).await.token;
    let b2 = siret(2);

    let one_buyer = json_of(
        &app,
        &format!("/api/contracts?buyer={}", b2.as_str()),
        &admin,
    )
    .await;
    let elsewhere = json_of(&app, "/api/indicators?year=2025&departement=75", &admin).await;
    let haute_garonne = json_of(&app, "/api/indicators?year=2025&departement=31", &admin).await;
    let other_buyer = app
        .get_with(
            &format!("/api/contracts?buyer={}", siret(1).as_str()),
            &officer,
        )
        .await;
    let bad_departement = app.get_with("/api/contracts?departement=99", &admin).await;

    assert_eq!(references(&one_buyer), ["2025-B2"]);
    // No buyer's territory holds Paris: nothing is counted, and the scope says so.
    assert_eq!(elsewhere["scope"], "aucun acheteur");
    assert_eq!(elsewhere["charter"]["awarded"]["amount_cents"], 0);
    assert_eq!(
        haute_garonne["charter"]["awarded"]["amount_cents"],
        70_000_000
    );
    assert_eq!(other_buyer.status(), 403);
    let body: Value = bad_departement.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_departement");
}

#[tokio::test]
async fn overlong_searches_and_years_out_of_range_are_refused_with_what_to_change() {
    let app = spawn_app_on(TestDatabase::new(), |_| {}).await;
    let admin = territory(&app).await;
    let long = "a".repeat(64_000);
    let buyer = siret(1);

    for (path, field) in [
        (format!("/api/contracts?q={long}"), "recherche"),
        (format!("/api/companies?q={long}"), "recherche"),
        (format!("/api/participants?q={long}"), "recherche"),
        ("/api/contracts?year=99999".to_owned(), "année"),
        ("/api/indicators?year=99999".to_owned(), "année"),
        ("/api/exports/hours.csv?year=99999".to_owned(), "année"),
        ("/api/exports/compliance.xlsx?year=-4".to_owned(), "année"),
        (
            format!("/api/exports/decp.json?buyer={}&year=99999", buyer.as_str()),
            "année",
        ),
        (
            "/api/indicators/series?from_year=99990&to_year=99999".to_owned(),
            "année",
        ),
    ] {
        let response = app.get_with(&path, &admin).await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert_eq!(status, 422, "{}: {body}", &path[..40.min(path.len())]);
        assert!(
            message.to_lowercase().contains(field),
            "{}: {message}",
            &path[..40.min(path.len())]
        );
    }

    for listing in ["/marches", "/entreprises", "/participants"] {
        let page = crate::pages::browser()
            .get(app.url(&format!("{listing}?q={long}")))
            .header("Cookie", format!("suivi_session={admin}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 422, "{listing}");
        let html = page.text().await.unwrap();
        let filter = html.find(r#"name="q""#).expect("the filter is shown again");
        let refusal = html
            .find("caractères au plus")
            .expect("the refusal is shown");
        assert!(refusal > filter, "{listing}: beside the filter");
    }
}

/// The contracts page assesses the clauses of the lots it shows, not of the whole scope: each
/// page's statuses are those of its own lots, the same as the whole scope's assessment gives
/// them, and the pages together give every status.
#[tokio::test]
async fn a_page_of_contracts_assesses_only_its_own_lots_with_the_same_statuses() {
    use std::collections::HashMap;

    use suivi_clauses::app::contracts::{ContractQuery, with_statuses};
    use suivi_clauses::app::{Caller, Narrowing, today};
    use suivi_clauses::domain::ObligationRules;
    use suivi_clauses::indicators::clauses::assess;
    use suivi_clauses::storage::PageRequest;

    let app = crate::helpers::spawn_app().await;
    crate::phone::example_data(&app).await;
    let (pages, whole) = app
        .database
        .run(|conn| -> anyhow::Result<_> {
            let (caller, rules) = (Caller::command_line(), ObligationRules::built_in());
            let scope = caller.data_scope(conn, &Narrowing::default())?;
            let whole: HashMap<_, _> = assess(conn, &scope, today())?
                .into_iter()
                .filter_map(|c| Some((c.lot_id, c.status?)))
                .collect();
            let mut pages = Vec::new();
            for page in 1.. {
                let query = ContractQuery {
                    year: None,
                    from: None,
                    to: None,
                    narrowing: Narrowing::default(),
                    search: None,
                    gap: None,
                    page: PageRequest::new(Some(page), Some(4)),
                };
                let (listed, statuses) = with_statuses(conn, &caller, &rules, &query)?;
                if listed.items.is_empty() {
                    break;
                }
                let lots: Vec<_> = listed
                    .items
                    .iter()
                    .flat_map(|c| c.lots.iter().map(|l| l.id))
                    .collect();
                pages.push((lots, statuses));
            }
            Ok((pages, whole))
        })
        .await
        .unwrap();
    assert!(pages.len() > 2 && whole.len() > 4, "{} pages", pages.len());
    let mut seen = HashMap::new();
    for (lots, statuses) in pages {
        assert!(
            statuses.keys().all(|lot| lots.contains(lot)),
            "{statuses:?}"
        );
        let expected: HashMap<_, _> = whole
            .iter()
            .filter(|(lot, _)| lots.contains(lot))
            .map(|(lot, status)| (*lot, *status))
            .collect();
        assert_eq!(statuses, expected);
        seen.extend(statuses);
    }
    assert_eq!(seen, whole);
}
