//! Signing in and out; tokens that must be refused; CSRF; throttling; invalidation; audit.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use suivi_clauses::accounts::tokens::{AUDIENCE, Claims, ISSUER};
use suivi_clauses::domain::Role;
use suivi_clauses::web::client::TrustedProxies;
use suivi_clauses::web::error::ErrorEnvelope;

use std::time::Duration;

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, SIGNING_KEY, TestApp, USER_PASSWORD, siret, spawn_app,
    spawn_app_with,
};

async fn error_of(response: reqwest::Response) -> (u16, ErrorEnvelope) {
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON error body"))
}

#[tokio::test]
async fn login_gives_a_bearer_token_and_strict_httponly_cookies() {
    let app = spawn_app().await;

    let response = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    assert_eq!(response.status(), 200);
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session_cookie = cookies
        .iter()
        .find(|c| c.starts_with("suivi_session="))
        .expect("session cookie");
    assert!(
        session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Strict"),
        "{session_cookie}"
    );
    let csrf_cookie = cookies
        .iter()
        .find(|c| c.starts_with("suivi_csrf="))
        .expect("csrf cookie");
    assert!(
        !csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"),
        "{csrf_cookie}"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    let me: serde_json::Value = app
        .get_with("/api/me", body["token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!(me["role"], "admin");
    assert!(me.get("token_version").is_none());
}

#[tokio::test]
async fn unknown_accounts_and_wrong_passwords_get_the_same_answer() {
    let app = spawn_app().await;

    let unknown = error_of(app.login("personne@test.local", ADMIN_PASSWORD).await).await;
    let wrong = error_of(app.login(ADMIN_EMAIL, "pas le bon mot de passe").await).await;
    let garbled = error_of(app.login("pas une adresse", "x").await).await;

    assert_eq!(unknown.0, 401);
    assert_eq!(unknown.1.error, wrong.1.error);
    assert_eq!(unknown.1.error, garbled.1.error);
    assert_eq!(unknown.1.error.code, "invalid_credentials");
    assert!(!unknown.1.error.message.contains("personne@test.local"));
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims_for(user_id: i64) -> Claims {
    Claims {
        sub: user_id.to_string(),
        ver: 0,
        csrf: "c".repeat(64),
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        iat: now(),
        nbf: now(),
        exp: now() + 600,
    }
}

fn sign(claims: &Claims, key: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap()
}

async fn me_status(app: &TestApp, token: &str) -> u16 {
    app.get_with("/api/me", token).await.status().as_u16()
}

#[tokio::test]
async fn forged_expired_and_tampered_tokens_are_refused() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Facilitator, vec![]).await;
    let valid = claims_for(user.id);
    // The control: a token built this way is accepted, so each refusal below is for its defect.
    assert_eq!(me_status(&app, &sign(&valid, SIGNING_KEY)).await, 200);

    let expired = Claims {
        iat: now() - 7_200,
        nbf: now() - 7_200,
        exp: now() - 3_600,
        ..valid.clone()
    };
    let not_yet_valid = Claims {
        nbf: now() + 3_600,
        ..valid.clone()
    };
    let wrong_audience = Claims {
        aud: "another-api".to_owned(),
        ..valid.clone()
    };
    let wrong_issuer = Claims {
        iss: "another-issuer".to_owned(),
        ..valid.clone()
    };
    let old_version = Claims {
        ver: -1,
        ..valid.clone()
    };
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&valid).unwrap())
    );
    let genuine = sign(&valid, SIGNING_KEY);
    let mut parts: Vec<String> = genuine.split('.').map(str::to_owned).collect();
    parts[1] = URL_SAFE_NO_PAD.encode(
        serde_json::to_vec(&Claims {
            sub: "1".to_owned(),
            ..valid.clone()
        })
        .unwrap(),
    );
    let tampered = parts.join(".");

    let cases = [
        ("expired", sign(&expired, SIGNING_KEY)),
        ("not yet valid", sign(&not_yet_valid, SIGNING_KEY)),
        (
            "signed with another key",
            sign(&valid, "une autre clé, tout aussi longue que la vraie"),
        ),
        ("alg none", unsigned),
        ("wrong audience", sign(&wrong_audience, SIGNING_KEY)),
        ("wrong issuer", sign(&wrong_issuer, SIGNING_KEY)),
        ("revoked version", sign(&old_version, SIGNING_KEY)),
        ("tampered payload", tampered),
        ("garbage", "pas.un.jeton".to_owned()),
    ];
    for (defect, token) in cases {
        let (status, body) = error_of(app.get_with("/api/me", &token).await).await;
        assert_eq!(status, 401, "{defect}");
        assert_eq!(body.error.code, "unauthenticated", "{defect}");
    }
}

/// A request as a browser sends it: the session cookie, and the CSRF header only if given.
async fn post_with_cookie(
    app: &TestApp,
    path: &str,
    token: &str,
    csrf: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(path))
        .header("Cookie", format!("suivi_session={token}"));
    if let Some(csrf) = csrf {
        request = request.header("X-CSRF-Token", csrf);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_to_change_anything() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Elected, vec![]).await;
    let session = app.session(&user.email, USER_PASSWORD).await;

    let reading = app
        .client
        .get(app.url("/api/me"))
        .header("Cookie", format!("suivi_session={}", session.token))
        .send()
        .await
        .unwrap();
    let without = error_of(post_with_cookie(&app, "/api/logout", &session.token, None).await).await;
    let wrong = error_of(
        post_with_cookie(&app, "/api/logout", &session.token, Some(&"0".repeat(64))).await,
    )
    .await;
    let right = post_with_cookie(&app, "/api/logout", &session.token, Some(&session.csrf)).await;

    assert_eq!(reading.status(), 200);
    assert_eq!(
        (without.0, without.1.error.code.as_str()),
        (403, "csrf_rejected")
    );
    assert_eq!(
        (wrong.0, wrong.1.error.code.as_str()),
        (403, "csrf_rejected")
    );
    assert_eq!(right.status(), 200);
}

/// `POST /api/login` as a client behind the reverse proxy at 127.0.0.1 sends it: the proxy
/// adds the client's address to `X-Forwarded-For`.
async fn login_from(app: &TestApp, client: &str, email: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/login"))
        .header("X-Forwarded-For", client)
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

/// Fails `count` times to sign in as `email` from `client`, each failure answered 401 or, once
/// the pair has to wait, 429.
async fn fail_logins(app: &TestApp, client: &str, email: &str, count: usize) {
    for attempt in 0..count {
        let status = login_from(app, client, email, "mauvais mot de passe")
            .await
            .status()
            .as_u16();
        assert!(matches!(status, 401 | 429), "attempt {attempt}: {status}");
    }
}

#[tokio::test]
async fn failures_slow_down_their_own_address_and_lock_nobody_else_out() {
    let app = spawn_app_with(|settings| {
        settings.server.trusted_proxies = TrustedProxies::new(vec!["127.0.0.1".parse().unwrap()]);
    })
    .await;
    let user = app.create_user(Role::Facilitator, vec![]).await;

    fail_logins(&app, "203.0.113.7", &user.email, 30).await;
    let (status, body) =
        error_of(login_from(&app, "203.0.113.7", &user.email, USER_PASSWORD).await).await;
    let elsewhere = login_from(&app, "198.51.100.4", &user.email, USER_PASSWORD).await;

    // The guessing address waits, even with the right password; the owner, elsewhere, does not.
    assert_eq!(
        (status, body.error.code.as_str()),
        (429, "too_many_attempts")
    );
    assert!(
        body.error.message.contains("réessayez dans"),
        "{}",
        body.error.message
    );
    assert_eq!(elsewhere.status(), 200);
}

#[tokio::test]
async fn the_wait_after_a_few_failures_is_short_and_then_the_right_password_works() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Facilitator, vec![]).await;
    let policy = suivi_clauses::configuration::Settings::default().throttle_policy();
    let mut failures = policy.free_failures + 1;
    fail_logins(&app, "ignoré", &user.email, failures as usize).await;
    // Each further failure after the wait doubles it: at 4 s, a loaded machine still asks
    // again well within the wait (at 1 s it sometimes did not).
    while policy.delay_after(i64::from(failures)) < Duration::from_secs(4) {
        tokio::time::sleep(policy.delay_after(i64::from(failures)) + Duration::from_millis(300))
            .await;
        fail_logins(&app, "ignoré", &user.email, 1).await;
        failures += 1;
    }

    let waiting = app.login(&user.email, USER_PASSWORD).await.status();
    tokio::time::sleep(policy.delay_after(i64::from(failures)) + Duration::from_millis(300)).await;
    let after = app.login(&user.email, USER_PASSWORD).await.status();

    assert_eq!(waiting, 429);
    assert_eq!(after, 200);
}

#[tokio::test]
async fn failures_for_many_accounts_from_one_address_do_not_block_it() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Facilitator, vec![]).await;

    for attempt in 0..20 {
        let status = app
            .login(&format!("inconnu{attempt}@test.local"), "x")
            .await
            .status();
        assert_eq!(status, 401, "attempt {attempt}");
    }

    assert_eq!(app.login(&user.email, USER_PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn forwarded_addresses_are_ignored_unless_the_peer_is_a_trusted_proxy() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Facilitator, vec![]).await;

    // Each failure claims another address: without a trusted proxy, they are all the peer's.
    for n in 0..30 {
        let client = format!("192.0.2.{n}");
        let status = login_from(&app, &client, &user.email, "faux")
            .await
            .status();
        assert!(matches!(status.as_u16(), 401 | 429), "{status}");
    }
    let claimed_fresh = login_from(&app, "192.0.2.200", &user.email, USER_PASSWORD).await;

    assert_eq!(claimed_fresh.status(), 429);
}

#[tokio::test]
async fn changing_the_password_ends_every_session() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Company, vec![]).await;
    let session = app.session(&user.email, USER_PASSWORD).await;
    let change = |current: &str, new: &str| {
        app.client
            .post(app.url("/api/me/password"))
            .bearer_auth(&session.token)
            .json(&serde_json::json!({ "current_password": current, "new_password": new }))
            .send()
    };

    let (wrong_status, wrong_body) = error_of(
        change("pas le bon", "nouvelle phrase de passe")
            .await
            .unwrap(),
    )
    .await;
    let (weak_status, weak_body) = error_of(change(USER_PASSWORD, "court").await.unwrap()).await;
    let changed = change(USER_PASSWORD, "nouvelle phrase de passe")
        .await
        .unwrap();

    assert_eq!(
        (wrong_status, wrong_body.error.code.as_str()),
        (422, "invalid_account")
    );
    assert!(wrong_body.error.message.contains("mot de passe actuel"));
    assert_eq!(weak_status, 422);
    assert!(weak_body.error.message.contains("12 caractères"));
    assert_eq!(changed.status(), 200);
    assert_eq!(me_status(&app, &session.token).await, 401);
    assert_eq!(app.login(&user.email, USER_PASSWORD).await.status(), 401);
    assert_eq!(
        app.login(&user.email, "nouvelle phrase de passe")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn deactivation_and_logout_end_sessions() {
    let app = spawn_app().await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let leaving = app.create_user(Role::Elected, vec![]).await;
    let leaving_session = app.session(&leaving.email, USER_PASSWORD).await;
    let staying = app.create_user(Role::Elected, vec![]).await;
    let staying_session = app.session(&staying.email, USER_PASSWORD).await;

    let deactivated = app
        .client
        .post(app.url(&format!("/api/users/{}/deactivate", leaving.id)))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    let logout = app
        .client
        .post(app.url("/api/logout"))
        .bearer_auth(&staying_session.token)
        .send()
        .await
        .unwrap();

    assert_eq!(deactivated.status(), 200);
    assert_eq!(me_status(&app, &leaving_session.token).await, 401);
    assert_eq!(app.login(&leaving.email, USER_PASSWORD).await.status(), 401);
    assert_eq!(logout.status(), 200);
    assert_eq!(me_status(&app, &staying_session.token).await, 401);
}

#[tokio::test]
async fn administrators_create_accounts_with_a_password_shown_once() {
    let app = spawn_app().await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let create = |body: serde_json::Value| {
        app.client
            .post(app.url("/api/users"))
            .bearer_auth(&admin.token)
            .json(&body)
            .send()
    };

    let created = create(serde_json::json!({
        "email": "Elu@Ville.fr", "display_name": "Paul Élu", "role": "Élu", "all_buyers": true,
    }))
    .await
    .unwrap();
    let again = create(serde_json::json!({
        "email": "elu@ville.fr", "display_name": "Autre", "role": "elected", "all_buyers": true,
    }))
    .await
    .unwrap();
    let bad_scope = create(serde_json::json!({
        "email": "agent@ville.fr", "display_name": "Agent", "role": "buyer_officer", "all_buyers": true,
    }))
    .await
    .unwrap();

    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    let password = body["generated_password"]
        .as_str()
        .expect("generated password");
    assert_eq!(app.login("elu@ville.fr", password).await.status(), 200);
    assert_eq!(error_of(again).await.1.error.code, "email_taken");
    let (status, error) = error_of(bad_scope).await;
    assert_eq!(status, 422);
    assert!(
        error.error.message.contains("un seul acheteur"),
        "{}",
        error.error.message
    );
}

async fn buyer_names(app: &TestApp, email: &str) -> Vec<String> {
    let token = app.session(email, USER_PASSWORD).await.token;
    let buyers: Vec<serde_json::Value> = app
        .get_with("/api/buyers", &token)
        .await
        .json()
        .await
        .unwrap();
    buyers
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_account_lists_only_the_buyers_of_its_scope() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune A").await;
    app.add_buyer(2, "Commune B").await;
    let officer = app.create_user(Role::BuyerOfficer, vec![siret(2)]).await;
    let facilitator = app.create_user(Role::Facilitator, vec![]).await;

    let for_officer = buyer_names(&app, &officer.email).await;
    let for_facilitator = buyer_names(&app, &facilitator.email).await;

    assert_eq!(for_officer, ["Commune B"]);
    assert_eq!(for_facilitator, ["Commune A", "Commune B"]);
}

#[tokio::test]
async fn the_audit_log_records_sign_ins_without_secrets() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Elected, vec![]).await;
    assert_eq!(
        app.login(&user.email, "un essai erroné de mot de passe")
            .await
            .status(),
        401
    );
    let session = app.session(&user.email, USER_PASSWORD).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let response = app.get_with("/api/audit", &admin.token).await;

    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let entries: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"login.failed") && actions.contains(&"login.succeeded"),
        "{actions:?}"
    );
    for secret in [
        USER_PASSWORD,
        "un essai erroné",
        ADMIN_PASSWORD,
        &session.token,
        &session.csrf,
    ] {
        assert!(!text.contains(secret), "the audit log holds a secret");
    }
    let elected = app.get_with("/api/audit", &session.token).await;
    assert_eq!(elected.status(), 403);
}

#[tokio::test]
async fn wrong_current_passwords_are_slowed_down_and_audited() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Company, vec![]).await;
    let session = app.session(&user.email, USER_PASSWORD).await;
    let change = |current: &'static str| {
        app.client
            .post(app.url("/api/me/password"))
            .bearer_auth(&session.token)
            .json(&serde_json::json!({
                "current_password": current, "new_password": "nouvelle phrase de passe"
            }))
            .send()
    };

    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(change("pas le bon").await.unwrap().status().as_u16());
    }
    let right_too_soon = change(USER_PASSWORD).await.unwrap().status().as_u16();
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let entries: Vec<serde_json::Value> = app
        .get_with("/api/audit?limit=100", &admin.token)
        .await
        .json()
        .await
        .unwrap();

    assert!(
        statuses.iter().all(|s| matches!(s, 422 | 429)),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().filter(|s| **s == 429).count() > 30,
        "{statuses:?}"
    );
    assert_eq!(right_too_soon, 429);
    let failed = entries
        .iter()
        .filter(|e| e["action"] == "user.password_change_failed")
        .count();
    assert!(
        (1..=10).contains(&failed),
        "one line per failure verified, none for those refused unseen: {failed}"
    );
}

#[tokio::test]
async fn signed_in_answers_are_never_stored_by_caches() {
    let app = spawn_app().await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    for path in [
        "/api/me",
        "/api/audit",
        "/api/exports/hours.csv",
        "/api/contracts",
    ] {
        let response = app.get_with(path, &admin.token).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response
                .headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{path}"
        );
    }
    let page = app
        .client
        .get(app.url("/compte"))
        .header("Cookie", format!("suivi_session={}", admin.token))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn tokens_living_longer_than_the_configured_lifetime_are_refused() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Elected, vec![]).await;
    let month_long = Claims {
        exp: now() + 30 * 24 * 3_600,
        ..claims_for(user.id)
    };

    assert_eq!(
        me_status(&app, &sign(&claims_for(user.id), SIGNING_KEY)).await,
        200
    );
    assert_eq!(me_status(&app, &sign(&month_long, SIGNING_KEY)).await, 401);
}
