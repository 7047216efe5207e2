//! The HTML pages over plain HTTP: the role walk over the page table, and what a person does
//! (sign in, read the dashboard, send a file, read its errors). The browser tests
//! (tests/api/browser.rs) do the same through Chromium.

use reqwest::header::{COOKIE, LOCATION};
use suivi_clauses::domain::authorization::{is_allowed, may_import};
use suivi_clauses::domain::{Hours, ImportKind, Labelled, Role};
use suivi_clauses::web::pages::text;
use suivi_clauses::web::routes::{Access, PAGES, Route};

use crate::authorization::{walk_lot, walk_session};

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Session, TestApp, USER_PASSWORD, siret, spawn_app,
};
use crate::indicators::{json_of, territory};

/// A browser that does not follow redirects, so that each answer can be checked.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(std::time::Duration::from_secs(1))
        .build()
        .unwrap()
}

pub fn cookie(session: &Session) -> String {
    format!("suivi_session={}", session.token)
}

pub async fn page(app: &TestApp, session: &Session, path: &str) -> (u16, String) {
    let response = browser()
        .get(app.url(path))
        .header(COOKIE, cookie(session))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Posts a page form (url-encoded) with the session's cookie.
pub async fn post_form(
    app: &TestApp,
    session: Option<&Session>,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = browser().post(app.url(path)).form(fields);
    if let Some(session) = session {
        request = request.header(COOKIE, cookie(session));
    }
    request.send().await.unwrap()
}

/// The password form, from the test password to a new one typed then confirmed.
async fn change_password(
    app: &TestApp,
    session: &Session,
    confirmation: &str,
) -> reqwest::Response {
    post_form(
        app,
        Some(session),
        "/compte/mot-de-passe",
        &[
            ("csrf_token", &session.csrf),
            ("current_password", USER_PASSWORD),
            ("new_password", "une toute nouvelle phrase"),
            ("confirmation", confirmation),
        ],
    )
    .await
}

/// Sends a file through the upload page's form.
pub async fn upload_form(
    app: &TestApp,
    session: &Session,
    kind: &str,
    file_name: &str,
    bytes: Vec<u8>,
    csrf: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf.to_owned())
        .text("kind", kind.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
        );
    browser()
        .post(app.url("/imports"))
        .header(COOKIE, cookie(session))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// What the page walk sends to a route, and the status an allowed role gets.
async fn visit(app: &TestApp, route: &Route, role: Role, session: &Session) -> (u16, u16) {
    let get = |path: String, success: u16| async move {
        let (status, _) = page(app, session, &path).await;
        (status, success)
    };
    match (route.method, route.path) {
        ("get", "/") => get("/".to_owned(), 303).await,
        ("get", "/marches/{id}") => {
            let (contract, _) = app.database.run(walk_lot).await.unwrap();
            get(format!("/marches/{contract}"), 200).await
        }
        ("get", "/entreprises/{siret}") => {
            app.database.run(walk_lot).await.unwrap();
            get(format!("/entreprises/{}", siret(999).as_str()), 200).await
        }
        ("get", "/imports/{id}") => {
            // An import of the caller's own, when the role may import anything.
            let id = if is_allowed(
                role,
                suivi_clauses::domain::authorization::Action::UploadImports,
            ) {
                let (_, body) = app
                    .import(&session.token, "hours", "h.csv", b"vide\n".to_vec(), false)
                    .await;
                body["report"]["import_id"].as_i64().unwrap()
            } else {
                999_999
            };
            get(format!("/imports/{id}"), 200).await
        }
        ("get", "/tableau-de-bord") => get("/tableau-de-bord?year=2025".to_owned(), 200).await,
        ("get", "/utilisateurs/{id}") => {
            let target = app.create_user(Role::Elected, vec![]).await;
            get(format!("/utilisateurs/{}", target.id), 200).await
        }
        ("get", "/participants/{id}") => {
            let id = app
                .database
                .run(crate::authorization::walk_participant)
                .await
                .unwrap();
            get(format!("/participants/{id}"), 200).await
        }
        ("get", "/participants/{id}/modifier") => {
            let id = app
                .database
                .run(crate::authorization::walk_participant)
                .await
                .unwrap();
            get(format!("/participants/{id}/modifier"), 200).await
        }
        ("get", "/marches/{id}/modifier") => {
            let (contract, _) = app.database.run(walk_lot).await.unwrap();
            get(format!("/marches/{contract}/modifier"), 200).await
        }
        ("get", path) => get(path.to_owned(), 200).await,
        ("post", "/deconnexion") => {
            let response = post_form(
                app,
                Some(session),
                route.path,
                &[("csrf_token", &session.csrf)],
            )
            .await;
            (response.status().as_u16(), 303)
        }
        ("post", "/compte/mot-de-passe") => {
            let response = change_password(app, session, "une toute nouvelle phrase").await;
            (response.status().as_u16(), 303)
        }
        ("post", "/releves") => {
            let (import, _) = app
                .database
                .run(crate::authorization::walk_pending)
                .await
                .unwrap();
            let response = post_form(
                app,
                Some(session),
                route.path,
                &[
                    ("csrf_token", &session.csrf),
                    ("import", &import.to_string()),
                    ("decision", "validate"),
                ],
            )
            .await;
            (response.status().as_u16(), 303)
        }
        ("post", "/imports/{id}/annulation") => {
            let import = app
                .database
                .run(crate::authorization::walk_undoable)
                .await
                .unwrap();
            let response = post_form(
                app,
                Some(session),
                &format!("/imports/{import}/annulation"),
                &[("csrf_token", &session.csrf), ("confirm", "true")],
            )
            .await;
            (response.status().as_u16(), 303)
        }
        ("post", "/marches/{id}/cloture") => {
            let (contract, lot) = app
                .database
                .run(crate::authorization::walk_closable)
                .await
                .unwrap();
            let response = post_form(
                app,
                Some(session),
                &format!("/marches/{contract}/cloture"),
                &[
                    ("csrf_token", &session.csrf),
                    ("lot", &lot.to_string()),
                    ("signatory_name", "Jeanne Émery"),
                    ("signatory_role", "Directrice de la commande publique"),
                ],
            )
            .await;
            (response.status().as_u16(), 303)
        }
        ("post", "/entreprises/{siret}/contact") => {
            app.database.run(walk_lot).await.unwrap();
            let response = post_form(
                app,
                Some(session),
                &format!("/entreprises/{}/contact", siret(999).as_str()),
                &[
                    ("csrf_token", &session.csrf),
                    ("contact_email", "contact@exemple.fr"),
                ],
            )
            .await;
            (response.status().as_u16(), 303)
        }
        ("post", "/entreprises/{siret}/modifier") => {
            app.database.run(walk_lot).await.unwrap();
            let response = post_form(
                app,
                Some(session),
                &format!("/entreprises/{}/modifier", siret(999).as_str()),
                &[
                    ("csrf_token", &session.csrf),
                    ("name", "Entreprise de la tournée"),
                    ("postal_code", "31000"),
                ],
            )
            .await;
            (response.status().as_u16(), 303)
        }
        ("post", "/relances") => {
            let response = post_form(
                app,
                Some(session),
                route.path,
                &[("csrf_token", &session.csrf), ("dry_run", "true")],
            )
            .await;
            (response.status().as_u16(), 200)
        }
        ("post", "/imports") => {
            let csv = format!(
                "SIRET;Raison sociale\n44306184100047;Structure {}\n",
                rand::random::<u32>()
            );
            let response = upload_form(
                app,
                session,
                "structures",
                "structures.csv",
                csv.into_bytes(),
                &session.csrf,
            )
            .await;
            let success = if may_import(role, ImportKind::Structures) {
                303
            } else {
                403
            };
            (response.status().as_u16(), success)
        }
        ("post", "/utilisateurs") => {
            let email = format!("tournee-{}@test.local", rand::random::<u32>());
            let response = post_form(
                app,
                Some(session),
                route.path,
                &[
                    ("csrf_token", &session.csrf),
                    ("email", &email),
                    ("display_name", "Élu de la tournée"),
                    ("role", "elected"),
                    ("all_buyers", "true"),
                ],
            )
            .await;
            (response.status().as_u16(), 200)
        }
        (
            "post",
            "/utilisateurs/{id}"
            | "/utilisateurs/{id}/desactivation"
            | "/utilisateurs/{id}/reactivation"
            | "/utilisateurs/{id}/mot-de-passe",
        ) => {
            let target = app.create_user(Role::Elected, vec![]).await;
            let response = post_form(
                app,
                Some(session),
                &route.path.replace("{id}", &target.id.to_string()),
                &[
                    ("csrf_token", &session.csrf),
                    ("role", "facilitator"),
                    ("all_buyers", "true"),
                ],
            )
            .await;
            let success = if route.path.ends_with("mot-de-passe") {
                200
            } else {
                303
            };
            (response.status().as_u16(), success)
        }
        ("post", "/marches" | "/marches/{id}/modifier") => {
            let (contract, _) = app.database.run(walk_lot).await.unwrap();
            let fresh = format!("W-{}", rand::random::<u32>());
            let (path, reference) = if route.path == "/marches" {
                ("/marches".to_owned(), fresh.as_str())
            } else {
                (format!("/marches/{contract}/modifier"), "WALK-1")
            };
            let (buyer, holder) = (siret(1), siret(999));
            let fields = [
                ("csrf_token", session.csrf.as_str()),
                ("buyer_siret", buyer.as_str()),
                ("reference", reference),
                ("object", "Marché de la tournée des rôles"),
                ("notification_date", "01/01/2025"),
                ("duration_months", "12"),
                ("lot-0-award-0-siret", holder.as_str()),
                ("lot-0-award-0-amount", "100 000"),
            ];
            let response = post_form(app, Some(session), &path, &fields).await;
            (response.status().as_u16(), 303)
        }
        ("post", "/marches/{id}/suppression") => {
            let contract = app
                .database
                .run(crate::authorization::spare_contract)
                .await
                .unwrap();
            let response = post_form(
                app,
                Some(session),
                &format!("/marches/{contract}/suppression"),
                &[("csrf_token", &session.csrf)],
            )
            .await;
            (response.status().as_u16(), 303)
        }
        ("post", "/participants/{id}/situation") => {
            let id = app
                .database
                .run(crate::authorization::walk_participant)
                .await
                .unwrap();
            let response = post_form(
                app,
                Some(session),
                &format!("/participants/{id}/situation"),
                &[
                    ("csrf_token", &session.csrf),
                    ("situation", "no_news"),
                    ("on", "01/08/2025"),
                    ("source", "Appel sans réponse"),
                ],
            )
            .await;
            (response.status().as_u16(), 303)
        }
        ("post", "/participants" | "/participants/{id}/modifier") => {
            let id = app
                .database
                .run(crate::authorization::walk_participant)
                .await
                .unwrap();
            let (path, pseudonym) = if route.path == "/participants" {
                (
                    "/participants".to_owned(),
                    format!("W-{}", rand::random::<u32>()),
                )
            } else {
                (format!("/participants/{id}/modifier"), String::new())
            };
            let response = post_form(
                app,
                Some(session),
                &path,
                &[
                    ("csrf_token", &session.csrf),
                    ("pseudonym", &pseudonym),
                    ("criterion", "RSA"),
                    ("exit_outcome", "positive_exit"),
                    ("exit_date", "15/01/2025"),
                ],
            )
            .await;
            (response.status().as_u16(), 303)
        }
        ("post", "/marches/{id}/lots/{lot}/clause") => {
            let (contract, lot) = app.database.run(walk_lot).await.unwrap();
            let response = post_form(
                app,
                Some(session),
                &format!("/marches/{contract}/lots/{lot}/clause"),
                &[
                    ("csrf_token", &session.csrf),
                    ("mode", "typed"),
                    ("target_hours", "500"),
                    ("action", "save"),
                ],
            )
            .await;
            (response.status().as_u16(), 303)
        }
        (method, path) => panic!("no visit for {method} {path}: add one when adding a page"),
    }
}

#[tokio::test]
async fn every_page_answers_every_role_as_the_table_says() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    let mut checked = 0;
    for route in PAGES {
        let Access::Requires(action) = route.access else {
            continue;
        };
        // Without a session: to the sign-in page, whatever the method.
        let anonymous = match route.method {
            "get" => browser().get(
                app.url(
                    &route
                        .path
                        .replace("{id}", "1")
                        .replace("{siret}", siret(1).as_str()),
                ),
            ),
            _ => browser()
                .post(
                    app.url(
                        &route
                            .path
                            .replace("{id}", "1")
                            .replace("{lot}", "1")
                            .replace("{siret}", siret(1).as_str()),
                    ),
                )
                .form(&[("csrf_token", "x")]),
        }
        .send()
        .await
        .unwrap();
        assert_eq!(
            anonymous.status().as_u16(),
            303,
            "anonymous {} {}",
            route.method,
            route.path
        );
        assert!(
            location(&anonymous).starts_with("/connexion"),
            "{}",
            route.path
        );

        for &role in Role::ALL {
            let session = walk_session(&app, role).await;
            let (status, success) = visit(&app, route, role, &session).await;
            let expected = if is_allowed(role, action) {
                success
            } else {
                403
            };
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
    let public = PAGES.iter().filter(|p| p.access == Access::Public).count();
    assert_eq!(checked, (PAGES.len() - public) * Role::ALL.len());
}

#[tokio::test]
async fn forms_without_the_sessions_token_change_nothing() {
    let app = spawn_app().await;
    let session = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let response = post_form(
        &app,
        Some(&session),
        "/deconnexion",
        &[("csrf_token", "faux")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("jeton anti-falsification")
    );
    // Still signed in.
    let (status, _) = page(&app, &session, "/compte").await;
    assert_eq!(status, 200);
    let response = upload_form(
        &app,
        &session,
        "structures",
        "s.csv",
        b"SIRET\n".to_vec(),
        "faux",
    )
    .await;
    assert_eq!(response.status().as_u16(), 403);
    let history = json_of(&app, "/api/imports", &session.token).await;
    assert_eq!(history.as_array().unwrap().len(), 0, "nothing imported");
}

#[tokio::test]
async fn signing_in_goes_back_to_the_page_asked_and_never_to_another_site() {
    let app = spawn_app().await;
    let anonymous = browser()
        .get(app.url("/marches?q=voirie"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&anonymous),
        "/connexion?suite=%2Fmarches%3Fq%3Dvoirie"
    );
    let (status, form) = {
        let r = browser()
            .get(app.url(&location(&anonymous)))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert_eq!(status, 200);
    assert!(
        form.contains(r#"name="suite" value="/marches?q=voirie""#),
        "{form}"
    );

    let wrong = post_form(
        &app,
        None,
        "/connexion",
        &[
            ("email", ADMIN_EMAIL),
            ("password", "pas le bon"),
            ("suite", "/marches"),
        ],
    )
    .await;
    assert_eq!(wrong.status().as_u16(), 401);
    let text = wrong.text().await.unwrap();
    assert!(text.contains("role=\"alert\""), "{text}");
    assert!(
        text.contains(ADMIN_EMAIL),
        "the address typed is kept: {text}"
    );

    let right = post_form(
        &app,
        None,
        "/connexion",
        &[
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
            ("suite", "/marches?q=voirie"),
        ],
    )
    .await;
    assert_eq!(right.status().as_u16(), 303);
    assert_eq!(location(&right), "/marches?q=voirie");
    let cookies: Vec<String> = right
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("suivi_session=") && c.contains("HttpOnly"))
    );

    for elsewhere in [
        "//ailleurs.example/piege",
        "https://ailleurs.example/",
        "/\\ailleurs",
        "/\t/ailleurs.example",
        "/ /ailleurs.example",
        "/marches\r\nSet-Cookie: piege=1",
        "/\u{7f}/ailleurs.example",
    ] {
        let response = post_form(
            &app,
            None,
            "/connexion",
            &[
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
                ("suite", elsewhere),
            ],
        )
        .await;
        assert_eq!(location(&response), "/tableau-de-bord", "{elsewhere:?}");
    }
}

/// Posts the sign-in form as a browser does from a page of `origin`.
async fn sign_in_from(
    app: &TestApp,
    origin: Option<&str>,
    referer: Option<&str>,
) -> reqwest::Response {
    let mut request = browser().post(app.url("/connexion")).form(&[
        ("email", ADMIN_EMAIL),
        ("password", ADMIN_PASSWORD),
        ("suite", "/marches"),
    ]);
    if let Some(origin) = origin {
        request = request.header(reqwest::header::ORIGIN, origin);
    }
    if let Some(referer) = referer {
        request = request.header(reqwest::header::REFERER, referer);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_sign_in_form_is_accepted_from_the_service_own_pages_only() {
    let app = spawn_app().await;
    let own_page = app.url("/connexion");

    let same_origin = sign_in_from(&app, Some(&app.address), None).await;
    let same_referer = sign_in_from(&app, None, Some(&own_page)).await;
    let other_origin = sign_in_from(&app, Some("https://piege.example"), None).await;
    let other_referer = sign_in_from(&app, None, Some("https://piege.example/connexion")).await;
    let opaque_origin = sign_in_from(&app, Some("null"), Some(&own_page)).await;
    let api_cross_site = app
        .client
        .post(app.url("/api/login"))
        .header(reqwest::header::ORIGIN, "https://piege.example")
        .json(&serde_json::json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap();

    assert_eq!(location(&same_origin), "/marches");
    assert_eq!(location(&same_referer), "/marches");
    for (case, refused) in [
        ("other origin", other_origin),
        ("other referer", other_referer),
        ("opaque origin", opaque_origin),
        ("API from another site", api_cross_site),
    ] {
        assert_eq!(refused.status(), 403, "{case}");
        assert!(
            refused.headers().get(reqwest::header::SET_COOKIE).is_none(),
            "{case}: no session"
        );
    }
}

/// An hour statement of one line for the local SME on contract 2025-01.
fn statement(month: &str, hours: u32) -> Vec<u8> {
    format!(
        "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n\
         2025-01;{};{month};P1;Embauche directe;{hours}\n",
        crate::indicators::local_sme()
    )
    .into_bytes()
}

async fn send_statement(app: &TestApp, admin: &Session, file: Vec<u8>) -> reqwest::Response {
    upload_form(app, admin, "hours", "heures.csv", file, &admin.csrf).await
}

/// The text of the headline figure labelled `label` on a dashboard.
pub fn figure(html: &str, label: &str) -> String {
    let label = label.replace('\'', "&#39;");
    let marker = format!("data-figure=\"{label}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no figure {label}"))
        + marker.len();
    html[start..].split('<').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_dashboard_shows_the_apis_figures_by_role_and_filter() {
    let app = spawn_app().await;
    let admin_token = territory(&app).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let api = json_of(&app, "/api/indicators?year=2025", &admin_token).await;
    let hours = Hours::from_hundredths(
        api["insertion"]["hours"]["hours_hundredths"]
            .as_i64()
            .unwrap(),
    )
    .unwrap();

    // No year asked: the last complete year with hours, 2025.
    let (status, html) = page(&app, &admin, "/tableau-de-bord").await;
    assert_eq!(status, 200);
    assert_eq!(figure(&html, "Heures d'insertion"), text::hours(hours));
    assert_eq!(
        figure(&html, "Participants"),
        api["insertion"]["participants"]["count"].to_string()
    );
    assert!(
        html.contains(
            &api["insertion"]["hours"]["method"]
                .as_str()
                .unwrap()
                .replace('\'', "&#39;")
        )
    );
    assert!(
        html.contains("/api/exports/compliance.xlsx?year=2025"),
        "download button"
    );
    assert!(html.contains("<svg"), "charts");
    assert!(
        html.contains("Données du graphique"),
        "each chart with its data table"
    );

    // Narrowed to buyer 2 in the URL: its own figures.
    let b2 = siret(2);
    let path = format!("/api/indicators?year=2025&buyer={}", b2.as_str());
    let api_b2 = json_of(&app, &path, &admin_token).await;
    let (_, html) = page(
        &app,
        &admin,
        &format!("/tableau-de-bord?year=2025&buyer={}", b2.as_str()),
    )
    .await;
    let hours_b2 = Hours::from_hundredths(
        api_b2["insertion"]["hours"]["hours_hundredths"]
            .as_i64()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(figure(&html, "Heures d'insertion"), text::hours(hours_b2));
    assert_ne!(hours_b2, hours);

    // An elected official lands on it; a company on its contracts, seeing only its own.
    let elected = app.create_user(Role::Elected, vec![]).await;
    let elected = app.session(&elected.email, USER_PASSWORD).await;
    let (status, _) = page(&app, &elected, "/").await;
    assert_eq!(status, 303);
    let (_, html) = page(&app, &elected, "/tableau-de-bord?year=2025").await;
    assert_eq!(figure(&html, "Heures d'insertion"), text::hours(hours));
    assert!(
        !html.contains("href=\"/participants\""),
        "no menu entry it cannot open"
    );

    let sme = suivi_clauses::domain::Siret::parse(&crate::indicators::local_sme()).unwrap();
    let company = app.create_user(Role::Company, vec![sme]).await;
    let company = app.session(&company.email, USER_PASSWORD).await;
    let (_, html) = page(&app, &company, "/marches").await;
    assert!(html.contains("2025-01"), "{html}");
    assert!(
        !html.contains("2025-B2"),
        "another company's contract: {html}"
    );
}

#[tokio::test]
async fn a_file_sent_from_the_page_is_followed_to_its_report() {
    let app = spawn_app().await;
    territory(&app).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, form) = page(&app, &admin, "/imports").await;
    assert!(form.contains("enctype=\"multipart/form-data\""));
    assert!(
        form.contains("/api/imports/templates/hours"),
        "templates offered"
    );

    // A statement with a month that does not exist.
    let response = send_statement(&app, &admin, statement("13/2025", 10)).await;
    assert_eq!(response.status().as_u16(), 303);
    let report = location(&response);
    assert!(report.starts_with("/imports/"), "{report}");
    let (_, html) = page(&app, &admin, &report).await;
    assert!(html.contains("Fichier refusé"), "{html}");
    assert!(html.contains("13/2025"), "the value shown: {html}");
    assert!(
        html.contains("errors.xlsx"),
        "the annotated file offered: {html}"
    );

    // Corrected, it goes through and the dashboard moves by its hours.
    let before = page(&app, &admin, "/tableau-de-bord?year=2025").await.1;
    let response = send_statement(&app, &admin, statement("06/2025", 10)).await;
    let (_, html) = page(&app, &admin, &location(&response)).await;
    assert!(html.contains("Fichier importé"), "{html}");
    let after = page(&app, &admin, "/tableau-de-bord?year=2025").await.1;
    let parse = |text: String| -> i64 {
        text.chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    };
    assert_eq!(
        parse(figure(&after, "Heures d'insertion")) - parse(figure(&before, "Heures d'insertion")),
        10
    );

    // The same file again: refused as a duplicate, said on the form.
    let response = send_statement(&app, &admin, statement("06/2025", 10)).await;
    assert_eq!(response.status().as_u16(), 409);
    assert!(response.text().await.unwrap().contains("role=\"alert\""));
}

#[tokio::test]
async fn password_change_from_the_page_says_what_is_wrong_and_then_signs_out() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Facilitator, vec![]).await;
    let session = app.session(&user.email, USER_PASSWORD).await;
    let response = change_password(&app, &session, "une autre phrase encore").await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("diffèrent"));
    let response = change_password(&app, &session, "une toute nouvelle phrase").await;
    assert_eq!(
        location(&response),
        "/connexion?message=mot-de-passe-change"
    );
    let (status, _) = page(&app, &session, "/compte").await;
    assert_eq!(status, 303, "the old session is over");
}

#[tokio::test]
async fn assets_are_served_by_the_binary_and_unknown_pages_answer_in_french() {
    let app = spawn_app().await;
    for (path, kind) in [
        ("/static/style.css", "text/css"),
        ("/static/app.js", "text/javascript"),
    ] {
        let response = browser().get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with(kind), "{content_type}");
    }
    let missing = browser().get(app.url("/nulle-part")).send().await.unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let html = missing.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"fr\">") && html.contains("Aucune page"),
        "{html}"
    );
    let api = browser()
        .get(app.url("/api/nulle-part"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn a_lot_is_named_once_and_a_contract_without_lots_shows_no_lot_0() {
    let app = spawn_app().await;
    let token = territory(&app).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let buyer = siret(1);
    let sme = crate::indicators::local_sme();
    let register = format!(
        "Référence marché;Objet;SIRET acheteur;Date de notification;Durée (mois);Lot;Intitulé du lot;Montant HT;SIRET titulaire;Code postal titulaire;Rôle\n\
         2025-07;Collège Pierre Fermat;{b};01/06/2025;12;1;Lot 1;50000;{sme};31000;Titulaire\n\
         2025-07;Collège Pierre Fermat;{b};01/06/2025;12;2;Gros œuvre;80000;{sme};31000;Titulaire\n",
        b = buyer.as_str()
    );
    crate::indicators::send(&app, &token, "contracts", register).await;
    let id_of = |reference: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let found = json_of(app, &format!("/api/contracts?q={reference}"), &token).await;
            found["items"][0]["id"].as_i64().unwrap()
        }
    };

    let (_, lots) = page(
        &app,
        &admin,
        &format!("/marches/{}", id_of("2025-07").await),
    )
    .await;
    let (_, single) = page(
        &app,
        &admin,
        &format!("/marches/{}", id_of("2025-01").await),
    )
    .await;

    assert!(lots.contains(">Lot 1</h2>"), "{lots}");
    assert!(!lots.contains("Lot 1 — Lot 1"));
    assert!(lots.contains(">Lot 2 — Gros œuvre</h2>"));
    assert!(single.contains(">Marché sans lots</h2>"), "{single}");
    assert!(!single.contains("Lot 0"));
}

/// A filter a user mistyped in the address gets the page's own French message, never JSON.
#[tokio::test]
async fn a_malformed_filter_answers_a_french_page_not_json() {
    let app = spawn_app().await;
    territory(&app).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for path in [
        "/tableau-de-bord?year=2025%20",
        "/tableau-de-bord?departement=abc",
        "/marches?year=20x5",
        "/marches?page=deux",
        "/entreprises?structures=peut-etre",
        "/participants?page=abc",
    ] {
        let (status, body) = page(&app, &admin, path).await;
        // 400 for an address that does not parse, 422 for a value the filter refuses (the
        // status of its error code, as on the API).
        assert!([400, 422].contains(&status), "{path}: {status} {body}");
        assert!(
            body.trim_start().starts_with("<!DOCTYPE html>"),
            "{path}: {body}"
        );
        assert!(body.contains("role=\"alert\""), "{path}: {body}");
        assert!(!body.contains("\"error\""), "{path}: {body}");
    }
}

/// A register of two contracts of buyer 1, each with a clause: 2026-FIN ended on 31/12/2025,
/// 2026-LOTS running to 2099 with lot 1 held by the local SME and lot 2 by the large firm.
async fn clauses_ended_and_running(app: &TestApp, token: &str) -> (i64, i64) {
    let (b, sme, large) = (
        siret(1),
        crate::indicators::local_sme(),
        crate::indicators::far_large(),
    );
    let register = format!(
        "Référence marché;Objet;SIRET acheteur;Date de notification;Date de fin;Lot;Montant HT;SIRET titulaire;Code postal titulaire;Rôle;Clause d'insertion;Heures d'insertion prévues\n\
         2026-FIN;Réfection des trottoirs;{b};01/01/2025;31/12/2025;;100000;{sme};31000;Titulaire;Oui;144\n\
         2026-LOTS;Médiathèque;{b};01/01/2025;31/12/2099;1;100000;{sme};31000;Titulaire;Oui;500\n\
         2026-LOTS;Médiathèque;{b};01/01/2025;31/12/2099;2;100000;{large};75001;Titulaire;Oui;300\n",
        b = b.as_str()
    );
    crate::indicators::send(app, token, "contracts", register).await;
    let id_of = |reference: &'static str| async move {
        let found = json_of(app, &format!("/api/contracts?q={reference}"), token).await;
        found["items"][0]["id"].as_i64().unwrap()
    };
    (id_of("2026-FIN").await, id_of("2026-LOTS").await)
}

/// Missing hours say whether they are still to be made before the end, or lacked at it; a
/// company reads another company's lot as such, never as a lot without a clause.
#[tokio::test]
async fn a_clause_says_which_hours_are_missing_and_a_company_which_lots_are_not_its_own() {
    let app = spawn_app().await;
    let token = territory(&app).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (ended, running) = clauses_ended_and_running(&app, &token).await;
    let sme = suivi_clauses::domain::Siret::parse(&crate::indicators::local_sme()).unwrap();
    let company = app.create_user(Role::Company, vec![sme]).await;
    let company = app.session(&company.email, USER_PASSWORD).await;

    let (_, ended) = page(&app, &admin, &format!("/marches/{ended}")).await;
    let (_, running_admin) = page(&app, &admin, &format!("/marches/{running}")).await;
    let (status, running_company) = page(&app, &company, &format!("/marches/{running}")).await;

    assert!(
        ended.contains("<dt>Heures manquantes à la fin (31/12/2025)</dt><dd><span class=\"value\">144\u{a0}h</span>"),
        "{ended}"
    );
    assert!(ended.contains("Pénalité correspondante : —"), "{ended}");
    assert!(
        running_admin.contains("<dt>Heures restant à réaliser d&#39;ici la fin (31/12/2099)</dt><dd><span class=\"value\">500\u{a0}h</span>"),
        "{running_admin}"
    );
    assert!(running_admin.contains("Pénalité si elles manquent encore à la fin : —"));
    assert!(!running_admin.contains(">Heures manquantes<"));
    assert_eq!(status, 200);
    assert!(
        running_company
            .contains("Lot d&#39;une autre entreprise : son suivi ne vous est pas montré."),
        "{running_company}"
    );
    assert!(
        !running_company.contains("pas de clause d&#39;insertion"),
        "{running_company}"
    );
    assert_eq!(running_company.matches("<h3>Clause d'insertion").count(), 1);
}

/// The five-year charts say "pas de données" for the years before any contract or hour; the
/// dashboard opens on the last complete year; the year under way is compared with the same
/// months of the year before, and says so.
#[tokio::test]
async fn the_dashboard_says_which_year_and_months_it_compares_and_where_no_data_is() {
    use chrono::Datelike;
    let app = spawn_app().await;
    let token = territory(&app).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let today = suivi_clauses::app::today();
    let (this_year, last_year) = (today.year(), today.year() - 1);
    // A few hours in January of this year, on the contract running until 2099.
    clauses_ended_and_running(&app, &token).await;
    crate::indicators::send(
        &app,
        &token,
        "hours",
        format!(
            "Référence marché;Lot;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n\
             2026-LOTS;1;{};01/{this_year};P1;Embauche directe;12\n",
            crate::indicators::local_sme()
        ),
    )
    .await;

    // No year asked: the last complete year with hours, not this January's few hours.
    let (_, html) = page(&app, &admin, "/tableau-de-bord").await;
    assert!(html.contains("<h2>Chiffres clés 2025</h2>"), "{html}");
    assert!(
        html.contains("année 2025 complète, comparée à 2024"),
        "{html}"
    );
    // 2021 to 2023 come before the territory's first contract (2024): no data, not zero.
    for year in 2021..=2023 {
        let row = format!("<th scope=\"row\">{year}</th><td class=\"num\">pas de données</td>");
        assert_eq!(
            html.matches(&row).count(),
            3,
            "{year} in each trend: {html}"
        );
    }
    let hours_2024 = format!(
        "<th scope=\"row\">2024</th><td class=\"num\">{}</td>",
        text::hours(Hours::from_whole(30).unwrap())
    );
    assert!(html.contains(&hours_2024), "{html}");

    // This year, under way: compared with the same months of last year.
    let month = suivi_clauses::domain::Month::of_date(today).unwrap();
    let months = |year: i32| match month.month() {
        1 => format!("janvier {year}"),
        _ => format!("janvier à {} {year}", month.french_name()),
    };
    let (_, html) = page(&app, &admin, &format!("/tableau-de-bord?year={this_year}")).await;
    assert!(
        html.contains(&format!(
            "année {this_year} en cours : {}, comparés aux mêmes mois de {last_year}",
            months(this_year)
        )),
        "{html}"
    );
    let last_day = month
        .first_day()
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        .pred_opt()
        .unwrap();
    let same_months = json_of(
        &app,
        &format!(
            "/api/indicators?from={last_year}-01-01&to={last_year}-{:02}-{:02}",
            last_day.month(),
            last_day.day()
        ),
        &token,
    )
    .await;
    let before = same_months["insertion"]["hours"]["hours_hundredths"]
        .as_i64()
        .unwrap();
    let expected = text::change(1_200, before, months(last_year));
    assert!(
        html.contains(&format!("<span class=\"change\">{expected}</span>")),
        "{expected}: {html}"
    );
}

/// An insertion structure's page shows the hours it provided, by lot and by client company,
/// within the reader's buyers; not 0 h because it holds no lot.
#[tokio::test]
async fn an_insertion_structure_shows_the_hours_it_provided_by_lot_and_client() {
    let app = spawn_app().await;
    let token = territory(&app).await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let officer_2 = app.create_user(Role::BuyerOfficer, vec![siret(2)]).await;
    let officer_2 = app.session(&officer_2.email, USER_PASSWORD).await;
    let etti = crate::indicators::etti();
    let found = json_of(&app, "/api/contracts?q=2025-01", &token).await;
    let contract = found["items"][0]["id"].as_i64().unwrap();

    let (status, html) = page(&app, &admin, &format!("/entreprises/{etti}")).await;
    let (_, elsewhere) = page(&app, &officer_2, &format!("/entreprises/{etti}")).await;

    assert_eq!(status, 200);
    let fifty = text::hours(Hours::from_whole(50).unwrap());
    assert_eq!(figure(&html, "Heures fournies"), fifty);
    let row = format!(
        "<tr><td><a href=\"/marches/{contract}\">2025-01</a></td><td>Marché sans lots</td><td>Bâtiments du Sud</td><td>{}</td><td class=\"num\">{fifty}</td></tr>",
        crate::indicators::local_sme()
    );
    assert!(html.contains(&row), "{html}");
    assert!(
        !elsewhere.contains("Heures fournies"),
        "the hours were on buyer 1's lot: {elsewhere}"
    );
    // The client company holds that contract without lots: its page names it so, not « 0 ».
    let (_, client) = page(
        &app,
        &admin,
        &format!("/entreprises/{}", crate::indicators::local_sme()),
    )
    .await;
    let held = format!("<a href=\"/marches/{contract}\">2025-01</a></td>");
    let row = &client[client.find(&held).expect("the held contract is listed")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("<td>Marché sans lots</td>"), "{row}");
}

/// The contact address stored for the company.
async fn stored_contact(app: &TestApp, siret: &str) -> Option<String> {
    let siret = siret.to_owned();
    let contacts = app
        .database
        .run(move |conn| {
            Ok::<_, suivi_clauses::storage::StorageError>(
                suivi_clauses::storage::companies::contacts(conn, &[siret])?,
            )
        })
        .await
        .unwrap();
    contacts[0].email.clone()
}

#[tokio::test]
async fn the_contact_email_is_set_from_the_company_page_and_a_wrong_one_is_kept_with_what_to_change()
 {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    app.database.run(walk_lot).await.unwrap();
    let facilitator = walk_session(&app, Role::Facilitator).await;
    let holder = siret(999);
    let path = format!("/entreprises/{}", holder.as_str());
    let contact_of = || stored_contact(&app, holder.as_str());

    let (status, html) = page(&app, &facilitator, &path).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("action=\"{path}/contact\"")),
        "{html}"
    );
    assert!(html.contains("id=\"contact_email\""), "{html}");

    // A wrong address: the page again (422), the address as typed, the field marked with
    // what to change, nothing written.
    let refused = post_form(
        &app,
        Some(&facilitator),
        &format!("{path}/contact"),
        &[
            ("csrf_token", &facilitator.csrf),
            ("contact_email", "contact@@exemple"),
        ],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    for text in [
        "value=\"contact@@exemple\"",
        "aria-invalid=\"true\" aria-describedby=\"contact_email-erreur\"",
        "Rien n'a été enregistré",
        "« contact@@exemple » n&#39;est pas une adresse électronique",
    ] {
        assert!(html.contains(text), "{text}: {html}");
    }
    assert_eq!(contact_of().await, None);

    // A right one: back to the page, which says so and shows it.
    let saved = post_form(
        &app,
        Some(&facilitator),
        &format!("{path}/contact"),
        &[
            ("csrf_token", &facilitator.csrf),
            ("contact_email", " contact@exemple.fr "),
        ],
    )
    .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), format!("{path}?message=courriel"));
    let (_, html) = page(&app, &facilitator, &location(&saved)).await;
    assert!(
        html.contains("Le courriel de contact est enregistré"),
        "{html}"
    );
    assert!(html.contains("value=\"contact@exemple.fr\""), "{html}");
    assert_eq!(contact_of().await.as_deref(), Some("contact@exemple.fr"));

    // Blank clears it.
    let cleared = post_form(
        &app,
        Some(&facilitator),
        &format!("{path}/contact"),
        &[("csrf_token", &facilitator.csrf), ("contact_email", "")],
    )
    .await;
    assert_eq!(cleared.status(), 303);
    assert_eq!(contact_of().await, None);

    // Those who may not change it get no form.
    for role in [Role::BuyerOfficer, Role::Elected] {
        let session = walk_session(&app, role).await;
        let (status, html) = page(&app, &session, &path).await;
        assert_eq!(status, 200, "{}", role.code());
        assert!(!html.contains("id=\"contact_email\""), "{}", role.code());
    }
}
