//! A company's name and postcode changed from its page: by an administrator, a facilitateur or a
//! buyer officer, for a company holding a lot of one of their buyers and tied to none but their
//! buyers (a shared record); a wrong value is shown again with what to change, nothing written;
//! the audit log says what changed.

use reqwest::header::LOCATION;
use serde_json::json;
use suivi_clauses::domain::{Labelled, Role, Siret};
use suivi_clauses::storage::StorageError;
use suivi_clauses::storage::companies::{self, Company};

use crate::authorization::walk_lot;
use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Session, TestApp, USER_PASSWORD, siret, spawn_app,
};
use crate::indicators::json_of;
use crate::pages::{page, post_form};

/// Buyer 1 and buyer 2; the walk's company (999) holds a lot of each; company 7 holds one of
/// buyer 1 only, company 8 one of buyer 2 only.
pub async fn two_buyers() -> TestApp {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    app.add_buyer(2, "Métropole").await;
    app.database.run(walk_lot).await.unwrap();
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    for (buyer, holders) in [(2, vec![999, 8]), (1, vec![7])] {
        let awards: Vec<_> = holders
            .iter()
            .map(|n| {
                let role = if *n == 8 { "co_contractor" } else { "holder" };
                json!({"siret": siret(*n).as_str(), "name": format!("Entreprise {n}"), "role": role, "amount_cents": 100_000})
            })
            .collect();
        let body = json!({
            "buyer_siret": siret(buyer).as_str(),
            "reference": format!("E-{buyer}"),
            "object": "Entretien des bâtiments",
            "notification_date": "2025-03-14",
            "duration_months": 12,
            "lots": [{"number": 1, "awards": awards}],
        });
        let response = app
            .client
            .post(app.url("/api/contracts"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }
    app
}

async fn signed_in(app: &TestApp, role: Role, buyers: Vec<Siret>) -> Session {
    let user = app.create_user(role, buyers).await;
    app.session(&user.email, USER_PASSWORD).await
}

async fn stored(app: &TestApp, n: u64) -> Company {
    let siret = siret(n).as_str().to_owned();
    let all = app
        .database
        .run(|conn| companies::list(conn).map_err(StorageError::from))
        .await
        .unwrap();
    all.into_iter()
        .find(|c| c.identifier == siret)
        .expect("known")
}

/// Posts the company's form as `session`.
async fn change(
    app: &TestApp,
    session: &Session,
    n: u64,
    name: &str,
    postal_code: &str,
) -> reqwest::Response {
    post_form(
        app,
        Some(session),
        &format!("/entreprises/{}/modifier", siret(n).as_str()),
        &[
            ("csrf_token", session.csrf.as_str()),
            ("name", name),
            ("postal_code", postal_code),
        ],
    )
    .await
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_officer_changes_the_name_and_postcode_of_its_buyers_company_and_the_log_says_what() {
    let app = two_buyers().await;
    let officer = signed_in(&app, Role::BuyerOfficer, vec![siret(1)]).await;
    let path = format!("/entreprises/{}", siret(7).as_str());

    let (status, html) = page(&app, &officer, &path).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("action=\"{path}/modifier\"")),
        "{html}"
    );
    assert!(html.contains("value=\"Entreprise 7\""), "{html}");
    assert!(html.contains("<label for=\"postal_code\">"), "{html}");

    let saved = change(&app, &officer, 7, "  Menuiserie   du Lauragais ", "31 400").await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), format!("{path}?message=entreprise"));
    let (_, html) = page(&app, &officer, &location(&saved)).await;
    assert!(
        html.contains("La raison sociale et le code postal sont enregistrés"),
        "{html}"
    );
    assert!(html.contains("value=\"Menuiserie du Lauragais\""), "{html}");
    let company = stored(&app, 7).await;
    assert_eq!(company.name, "Menuiserie du Lauragais");
    assert_eq!(
        (
            company.postal_code.as_deref(),
            company.departement.as_deref()
        ),
        (Some("31400"), Some("31"))
    );

    // Blank clears the postcode, and its département with it.
    let cleared = change(&app, &officer, 7, "Menuiserie du Lauragais", "").await;
    assert_eq!(cleared.status(), 303);
    let company = stored(&app, 7).await;
    assert_eq!((company.postal_code, company.departement), (None, None));

    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let audit = json_of(&app, "/api/audit", &admin).await;
    let lines: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "company.changed")
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["target"], siret(7).as_str());
    assert_eq!(lines[0]["details"], "code postal : 31400 → —");
    assert_eq!(
        lines[1]["details"],
        "raison sociale : Entreprise 7 → Menuiserie du Lauragais ; code postal : — → 31400"
    );
}

#[tokio::test]
async fn a_wrong_name_or_postcode_is_shown_again_with_what_to_change_and_nothing_written() {
    let app = two_buyers().await;
    let facilitator = signed_in(&app, Role::Facilitator, vec![siret(1)]).await;
    let before = stored(&app, 7).await;

    for (name, postal_code, field, message) in [
        ("   ", "31400", "name", "Le nom est vide : indiquez-le."),
        (
            "Menuiserie du Lauragais",
            "3140A",
            "postal_code",
            "« 3140A » n&#39;est pas un code postal",
        ),
    ] {
        let refused = change(&app, &facilitator, 7, name, postal_code).await;
        assert_eq!(refused.status(), 422, "{field}");
        let html = refused.text().await.unwrap();
        for text in [
            "Rien n'a été enregistré",
            &format!("aria-invalid=\"true\" aria-describedby=\"{field}-erreur\""),
            &format!("<span id=\"{field}-erreur\" class=\"field-error\">"),
            message,
            &format!("value=\"{postal_code}\""),
        ] {
            assert!(html.contains(text), "{text}: {html}");
        }
    }
    assert_eq!(stored(&app, 7).await, before);
}

#[tokio::test]
async fn only_those_who_answer_for_every_buyer_of_a_company_change_it() {
    let app = two_buyers().await;
    let facilitator = signed_in(&app, Role::Facilitator, vec![siret(1)]).await;
    let officer = signed_in(&app, Role::BuyerOfficer, vec![siret(1)]).await;
    let (shared, elsewhere) = (stored(&app, 999).await, stored(&app, 8).await);

    // A company of buyer 2 only: as unknown as a SIRET nobody has.
    for session in [&facilitator, &officer] {
        let refused = change(&app, session, 8, "Reprise", "75008").await;
        assert_eq!(refused.status(), 404);
        let html = refused.text().await.unwrap();
        assert!(
            html.contains("Aucune entreprise n&#39;a ce SIRET"),
            "{html}"
        );
    }
    assert_eq!(stored(&app, 8).await, elsewhere);

    // A company of buyers 1 and 2: no form, and a post is refused saying who may.
    let path = format!("/entreprises/{}", siret(999).as_str());
    let (status, html) = page(&app, &officer, &path).await;
    assert_eq!(status, 200);
    assert!(!html.contains("/modifier\""), "{html}");
    assert!(html.contains("travaille aussi pour des acheteurs hors de votre périmètre"));
    let refused = change(&app, &facilitator, 999, "Reprise", "75008").await;
    assert_eq!(refused.status(), 403);
    let html = refused.text().await.unwrap();
    assert!(html.contains("seul un administrateur, ou un facilitateur de tous ses acheteurs"));
    assert!(html.contains("Rien n'a été enregistré"), "{html}");
    assert_eq!(stored(&app, 999).await, shared);

    // Roles that do not change companies, and a form without the session's token.
    for role in [Role::Elected, Role::Company] {
        let session = signed_in(&app, role, vec![]).await;
        let refused = change(&app, &session, 7, "Reprise", "75008").await;
        assert_eq!(refused.status(), 403, "{}", role.code());
    }
    let forged = post_form(
        &app,
        Some(&facilitator),
        &format!("/entreprises/{}/modifier", siret(7).as_str()),
        &[
            ("csrf_token", "faux"),
            ("name", "Reprise"),
            ("postal_code", "75008"),
        ],
    )
    .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(stored(&app, 7).await.name, "Entreprise 7");

    // A facilitateur of both buyers, and an administrator, answer for it.
    let both = signed_in(&app, Role::Facilitator, vec![siret(1), siret(2)]).await;
    assert_eq!(
        change(&app, &both, 999, "Reprise", "75008").await.status(),
        303
    );
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        change(&app, &admin, 8, "Autre", "31000").await.status(),
        303
    );
    assert_eq!(
        stored(&app, 999).await.postal_code.as_deref(),
        Some("75008")
    );
    assert_eq!(stored(&app, 8).await.name, "Autre");
}
