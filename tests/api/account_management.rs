//! Accounts managed by an administrator, through the API and through the pages' forms: create,
//! sign in as the new account, change its scope, deactivate (it cannot sign in), reactivate,
//! give a new password (the old one refused, the new one works); refused to anyone else; each
//! change in the audit log with its before and after.

use reqwest::header::{CACHE_CONTROL, LOCATION};
use serde_json::{Value, json};
use suivi_clauses::domain::Role;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, USER_PASSWORD, siret, spawn_app};
use crate::indicators::json_of;
use crate::pages::{page, post_form};

async fn send(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> (u16, Value) {
    let url = app.url(path);
    let request = match method {
        "post" => app.client.post(url),
        "patch" => app.client.patch(url),
        other => panic!("{other}"),
    };
    let response = request.bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn login_status(app: &TestApp, email: &str, password: &str) -> u16 {
    app.login(email, password).await.status().as_u16()
}

/// The audit lines of an action about an account, oldest first, as (target, details).
async fn audit_of(app: &TestApp, token: &str, action: &str) -> Vec<(String, String)> {
    let mut lines: Vec<(String, String)> = json_of(app, "/api/audit", token)
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .map(|e| {
            (
                e["target"].as_str().unwrap_or_default().to_owned(),
                e["details"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    lines.reverse();
    lines
}

async fn emails(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    json_of(app, &format!("/api/users{query}"), token)
        .await
        .as_array()
        .unwrap_or_else(|| panic!("a list for {query}"))
        .iter()
        .map(|a| a["email"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_administrator_manages_an_account_through_the_api() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune A").await;
    app.add_buyer(2, "Commune B").await;
    let (one, two) = (siret(1).as_str().to_owned(), siret(2).as_str().to_owned());
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let email = "lea.facilitatrice@test.local";

    // Created with a generated password, it signs in.
    let (status, created) = send(
        &app,
        "post",
        "/api/users",
        &admin,
        json!({ "email": email, "display_name": "Léa", "role": "facilitator", "buyers": [one] }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["account"]["id"].as_i64().unwrap();
    let first = created["generated_password"].as_str().unwrap().to_owned();
    let session = app.session(email, &first).await.token;
    assert_eq!(
        json_of(&app, "/api/buyers", &session)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Filters: by role, buyer, state and last sign-in.
    assert_eq!(emails(&app, &admin, "?role=facilitator").await, [email]);
    assert_eq!(
        emails(&app, &admin, &format!("?buyer={one}")).await,
        [email]
    );
    assert!(
        emails(&app, &admin, &format!("?buyer={two}"))
            .await
            .is_empty()
    );
    assert_eq!(
        emails(&app, &admin, "?last_sign_in=within_30_days").await,
        [ADMIN_EMAIL, email]
    );
    assert!(emails(&app, &admin, "?last_sign_in=never").await.is_empty());
    assert!(emails(&app, &admin, "?active=false").await.is_empty());
    let refused = app.get_with("/api/users?active=peut-etre", &admin).await;
    assert_eq!(refused.status(), 400);

    // A scope that does not fit the role is refused; one that does applies at once.
    let (status, body) = send(
        &app,
        "patch",
        &format!("/api/users/{id}"),
        &admin,
        json!({ "role": "buyer_officer", "buyers": [one, two] }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("exactement un SIRET")
    );
    let (status, body) = send(
        &app,
        "patch",
        &format!("/api/users/{id}"),
        &admin,
        json!({ "role": "facilitator", "buyers": [one, two] }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"]["buyer_ids"].as_array().unwrap().len(), 2);
    assert_eq!(
        json_of(&app, "/api/buyers", &session)
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Deactivated: its session ends and it cannot sign in; reactivated: it can again.
    let (status, _) = send(
        &app,
        "post",
        &format!("/api/users/{id}/deactivate"),
        &admin,
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(app.get_with("/api/me", &session).await.status(), 401);
    assert_eq!(login_status(&app, email, &first).await, 401);
    assert_eq!(emails(&app, &admin, "?active=false").await, [email]);
    let (status, _) = send(
        &app,
        "post",
        &format!("/api/users/{id}/reactivate"),
        &admin,
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(login_status(&app, email, &first).await, 200);

    // A new password: the old one is refused, the new one works.
    let (status, body) = send(
        &app,
        "post",
        &format!("/api/users/{id}/password"),
        &admin,
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let second = body["generated_password"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(login_status(&app, email, &first).await, 401);
    assert_eq!(login_status(&app, email, &second).await, 200);

    // Nobody else manages accounts; an administrator does not change their own.
    let other = app.create_user(Role::Facilitator, vec![]).await;
    let facilitator = app.session(&other.email, USER_PASSWORD).await.token;
    for (method, path) in [
        ("patch", format!("/api/users/{id}")),
        ("post", format!("/api/users/{id}/reactivate")),
        ("post", format!("/api/users/{id}/password")),
    ] {
        let (status, _) = send(
            &app,
            method,
            &path,
            &facilitator,
            json!({ "role": "admin" }),
        )
        .await;
        assert_eq!(status, 403, "{method} {path}");
    }
    let me = json_of(&app, "/api/me", &admin).await["id"]
        .as_i64()
        .unwrap();
    let (status, body) = send(
        &app,
        "patch",
        &format!("/api/users/{me}"),
        &admin,
        json!({ "role": "elected", "all_buyers": true }),
    )
    .await;
    assert_eq!(status, 422, "{body}");

    // The audit log: each change with the account before and after, never a password.
    let scope_one = format!("Facilitateur de clauses ; acheteurs : {one} ; actif");
    let scope_both = format!("Facilitateur de clauses ; acheteurs : {one}, {two} ; actif");
    let inactive = format!("Facilitateur de clauses ; acheteurs : {one}, {two} ; désactivé");
    let created_lines = audit_of(&app, &admin, "user.created").await;
    assert!(created_lines.contains(&(email.to_owned(), scope_one.clone())));
    assert_eq!(
        audit_of(&app, &admin, "user.updated").await,
        [(
            email.to_owned(),
            format!("avant : {scope_one} → après : {scope_both}")
        )]
    );
    assert_eq!(
        audit_of(&app, &admin, "user.deactivated").await,
        [(
            email.to_owned(),
            format!("avant : {scope_both} → après : {inactive}")
        )]
    );
    assert_eq!(
        audit_of(&app, &admin, "user.reactivated").await,
        [(
            email.to_owned(),
            format!("avant : {inactive} → après : {scope_both}")
        )]
    );
    assert_eq!(
        audit_of(&app, &admin, "user.password_reset").await,
        [(email.to_owned(), String::new())]
    );
    let log = app
        .get_with("/api/audit", &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(!log.contains(&first) && !log.contains(&second));
}

/// The password a page shows once.
fn shown_password(body: &str) -> String {
    let start = body
        .find(r#"id="mot-de-passe">"#)
        .unwrap_or_else(|| panic!("no password shown in {body}"))
        + r#"id="mot-de-passe">"#.len();
    body[start..].split('<').next().unwrap().to_owned()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_administrator_manages_an_account_through_the_pages() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune A").await;
    app.add_buyer(2, "Commune B").await;
    let (one, two) = (siret(1).as_str().to_owned(), siret(2).as_str().to_owned());
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let email = "marc.agent@test.local";
    let creation = |address: &'static str| {
        [
            ("csrf_token", admin.csrf.clone()),
            ("email", address.to_owned()),
            ("display_name", "Marc".to_owned()),
            ("role", "buyer_officer".to_owned()),
            ("buyers", one.clone()),
        ]
    };
    let create = |address: &'static str| {
        let fields = creation(address);
        let app = &app;
        let admin = &admin;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, Some(admin), "/utilisateurs", &pairs).await
        }
    };

    // A wrong address: refused inside the form, the input kept, the field marked.
    let refused = create("pas-une-adresse").await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(body.contains(r#"value="pas-une-adresse""#), "{body}");
    assert!(
        body.contains(r#"aria-invalid="true" aria-describedby="email-erreur""#),
        "{body}"
    );
    assert!(body.contains(r#"<span id="email-erreur" class="field-error">« pas-une-adresse » n&#39;est pas une adresse électronique"#), "{body}");
    assert!(
        body.contains(&format!(r#"value="{one}" checked"#)),
        "{body}"
    );
    assert!(
        emails(&app, &admin.token, "?role=buyer_officer")
            .await
            .is_empty()
    );

    // Created: the password shown once, not kept by a cache; the account signs in with it.
    let created = create(email).await;
    assert_eq!(created.status(), 200);
    assert_eq!(created.headers()[CACHE_CONTROL], "no-store");
    let first = shown_password(&created.text().await.unwrap());
    assert_eq!(login_status(&app, email, &first).await, 200);
    let id = json_of(&app, "/api/users?role=buyer_officer", &admin.token).await[0]["id"]
        .as_i64()
        .unwrap();
    let (status, listed) = page(&app, &admin, "/utilisateurs?role=buyer_officer").await;
    assert_eq!(status, 200);
    assert!(
        listed.contains(&format!(r#"href="/utilisateurs/{id}">Marc</a>"#)),
        "{listed}"
    );
    assert!(listed.contains("Commune A"));

    // Two buyers for an officer: refused, both boxes still checked, the group described.
    let account = format!("/utilisateurs/{id}");
    let refused = post_form(
        &app,
        Some(&admin),
        &account,
        &[
            ("csrf_token", &admin.csrf),
            ("role", "buyer_officer"),
            ("buyers", &one),
            ("buyers", &two),
        ],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains(r#"<fieldset aria-describedby="buyers-erreur">"#),
        "{body}"
    );
    assert!(body.contains("exactement un SIRET"), "{body}");
    assert!(
        body.contains(&format!(r#"value="{two}" checked"#)),
        "{body}"
    );

    // The other buyer instead: saved, and the officer now sees it alone.
    let changed = post_form(
        &app,
        Some(&admin),
        &account,
        &[
            ("csrf_token", &admin.csrf),
            ("role", "buyer_officer"),
            ("buyers", &two),
        ],
    )
    .await;
    assert_eq!(changed.status(), 303);
    assert_eq!(location(&changed), format!("{account}?message=modifie"));
    let officer = app.session(email, &first).await.token;
    let buyers = json_of(&app, "/api/buyers", &officer).await;
    assert_eq!(buyers[0]["siret"], two.as_str());

    // Deactivated, it cannot sign in; reactivated, it can.
    let token = [("csrf_token", admin.csrf.as_str())];
    let off = post_form(
        &app,
        Some(&admin),
        &format!("{account}/desactivation"),
        &token,
    )
    .await;
    assert_eq!(
        (off.status().as_u16(), location(&off)),
        (303, format!("{account}?message=desactive"))
    );
    assert_eq!(login_status(&app, email, &first).await, 401);
    let on = post_form(
        &app,
        Some(&admin),
        &format!("{account}/reactivation"),
        &token,
    )
    .await;
    assert_eq!(on.status(), 303);
    assert_eq!(login_status(&app, email, &first).await, 200);

    // A new password, shown once: the old one is refused, the new one works.
    let reset = post_form(
        &app,
        Some(&admin),
        &format!("{account}/mot-de-passe"),
        &token,
    )
    .await;
    assert_eq!(reset.status(), 200);
    let second = shown_password(&reset.text().await.unwrap());
    assert_eq!(login_status(&app, email, &first).await, 401);
    assert_eq!(login_status(&app, email, &second).await, 200);
    let (_, shown) = page(&app, &admin, &account).await;
    assert!(!shown.contains(&second), "the password is shown once only");

    // Without the session's token, or by anyone else: refused, nothing written.
    let forged = post_form(
        &app,
        Some(&admin),
        &format!("{account}/desactivation"),
        &[("csrf_token", "faux")],
    )
    .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(login_status(&app, email, &second).await, 200);
    let other = app.create_user(Role::Facilitator, vec![]).await;
    let facilitator = app.session(&other.email, USER_PASSWORD).await;
    let (status, _) = page(&app, &facilitator, "/utilisateurs/nouveau").await;
    assert_eq!(status, 403);
    let refused = post_form(
        &app,
        Some(&facilitator),
        &format!("{account}/desactivation"),
        &[("csrf_token", &facilitator.csrf)],
    )
    .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(login_status(&app, email, &second).await, 200);

    // The audit log holds each change made in the pages, as the API's.
    let updated = audit_of(&app, &admin.token, "user.updated").await;
    assert_eq!(
        updated,
        [(
            email.to_owned(),
            format!(
                "avant : Agent acheteur ; acheteurs : {one} ; actif → après : Agent acheteur ; acheteurs : {two} ; actif"
            )
        )]
    );
    assert_eq!(
        audit_of(&app, &admin.token, "user.deactivated").await.len(),
        1
    );
    assert_eq!(
        audit_of(&app, &admin.token, "user.reactivated").await.len(),
        1
    );
    assert_eq!(
        audit_of(&app, &admin.token, "user.password_reset")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn a_filter_mistyped_in_the_address_is_said_beside_the_filters() {
    let app = spawn_app().await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, body) = page(&app, &admin, "/utilisateurs?last_sign_in=hier").await;
    assert_eq!(status, 400);
    assert!(
        body.contains(r#"<select id="last_sign_in" name="last_sign_in" aria-invalid="true" aria-describedby="filtre-erreur">"#),
        "{body}"
    );
    assert!(
        body.contains("« hier » : écrivez last_sign_in=never"),
        "{body}"
    );
}
