//! What lies outside a scoped account's buyers never reaches it through a side door (issue 24,
//! finding 10): a company's statement, the problems of a refused hours file, a participant's
//! hours.

use serde_json::Value;
use suivi_clauses::domain::{Role, Siret};

use crate::helpers::{TestApp, USER_PASSWORD, problems_by_row, siret, spawn_app};
use crate::indicators::{far_large, local_sme, territory};

async fn token(app: &TestApp, role: Role, sirets: Vec<Siret>) -> String {
    let user = app.create_user(role, sirets).await;
    app.session(&user.email, USER_PASSWORD).await.token
}

/// Status and body, the SIRET asked replaced by a placeholder.
async fn answer(app: &TestApp, path: &str, siret: &str, token: &str) -> (u16, String) {
    let response = app.get_with(&path.replace("{siret}", siret), token).await;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    let shown = Siret::parse(siret).unwrap().to_string();
    (
        status,
        body.replace(siret, "SIRET").replace(&shown, "SIRET"),
    )
}

#[tokio::test]
async fn a_company_outside_the_scope_answers_like_one_that_does_not_exist() {
    let app = spawn_app().await;
    territory(&app).await;
    // Buyer 2's officer: the local PME works only for buyer 1; the Paris firm for both.
    let officer = token(&app, Role::BuyerOfficer, vec![siret(2)]).await;
    let company = token(
        &app,
        Role::Company,
        vec![Siret::parse(&far_large()).unwrap()],
    )
    .await;
    let nobody = siret(99);

    for path in [
        "/api/companies/{siret}/statement",
        "/api/companies/{siret}/statement.xlsx",
    ] {
        let outside = answer(&app, path, &local_sme(), &officer).await;
        let unknown = answer(&app, path, nobody.as_str(), &officer).await;
        assert_eq!(outside, unknown, "{path}");
        assert_eq!(outside.0, 404, "{path}");
        assert!(!outside.1.contains("Bâtiments du Sud"), "{}", outside.1);
        // A company account asking for another company: the same whether it exists or not.
        let other = answer(&app, path, &local_sme(), &company).await;
        let none = answer(&app, path, nobody.as_str(), &company).await;
        assert_eq!(other, none, "{path}");
    }
    // Within the scope, the statement is there.
    let (status, body) = answer(
        &app,
        "/api/companies/{siret}/statement",
        &far_large(),
        &officer,
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_company_s_refused_hours_never_name_lots_it_does_not_hold() {
    let app = spawn_app().await;
    territory(&app).await;
    // The local PME holds 2025-01 and 2025-03 of buyer 1; 2025-02 (lots 1 and 2, buyer 1) and
    // 2025-B2 (buyer 2) are others'.
    let company = token(
        &app,
        Role::Company,
        vec![Siret::parse(&local_sme()).unwrap()],
    )
    .await;
    let sme = local_sme();
    let file = format!(
        "Référence marché;Lot;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n\
         2025-02;7;{sme};03/2025;P1;Embauche directe;10\n\
         2025-B2;3;{sme};03/2025;P1;Embauche directe;10\n\
         2025-01;4;{sme};03/2025;P1;Embauche directe;10\n"
    );

    let (status, body) = app
        .import(&company, "hours", "heures.csv", file.into_bytes(), false)
        .await;

    assert_eq!(status, 422, "{body}");
    let problems = problems_by_row(&body);
    let at = |row: u64| -> Vec<&str> {
        problems
            .iter()
            .filter(|(r, _)| *r == row)
            .map(|(_, m)| m.as_str())
            .collect()
    };
    // Other contracts, of the same buyer or another: not known to this company.
    for row in [2, 3] {
        let messages = at(row);
        assert!(!messages.is_empty(), "{body}");
        for message in messages {
            assert!(
                message.starts_with("Aucun marché de votre périmètre"),
                "row {row}: {message}"
            );
        }
    }
    // Its own contract: the lots it may declare, and only those.
    let own = at(4).join(" ");
    assert!(own.contains("Lot 4 inconnu pour vos marchés"), "{own}");
    // Nothing in the whole answer names another contract's lots.
    let text = body.to_string();
    assert!(
        !text.contains("lots : 1, 2") && !text.contains("sont 1, 2"),
        "{text}"
    );
}

#[tokio::test]
async fn a_scoped_facilitateur_reads_only_the_hours_worked_for_its_buyers() {
    let app = spawn_app().await;
    let admin = territory(&app).await;
    // P2 worked 20 h for buyer 1 (2025-01) and 80 h for buyer 2 (2025-B2).
    let first = token(&app, Role::Facilitator, vec![siret(1)]).await;
    let second = token(&app, Role::Facilitator, vec![siret(2)]).await;

    let hours_of = |token: String| {
        let app = &app;
        async move {
            let body: Value = app
                .get_with("/api/participants?q=P2", &token)
                .await
                .json()
                .await
                .unwrap();
            let found = body["items"].as_array().unwrap_or_else(|| panic!("{body}"));
            let p2 = found.iter().find(|p| p["pseudonym"] == "P2").unwrap();
            p2["hours_hundredths"].as_i64().unwrap()
        }
    };

    assert_eq!(hours_of(first).await, 2_000);
    assert_eq!(hours_of(second).await, 8_000);
    assert_eq!(hours_of(admin).await, 10_000);
}
