//! The calibration form of a lot's clause on the contract's page: the preview computed without
//! saving, a wrong value refused inside the form with the input kept, saving through the same
//! use case as `PUT /api/lots/{id}/clause` (who set it and when shown; audited before and
//! after), and the role and scope that may do it.

use reqwest::header::LOCATION;
use serde_json::Value;
use suivi_clauses::domain::Role;

use crate::authorization::walk_lot;
use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Session, TestApp, USER_PASSWORD, siret, spawn_app,
};
use crate::indicators::json_of;
use crate::pages::{page, post_form};

/// The calibration of the domain brief: 1 000 000 € × 50 % × 5 % ÷ 30 €/h = 833,33 h.
const BRIEF: [(&str, &str); 4] = [
    ("base_amount", "1 000 000"),
    ("labour_share", "50"),
    ("insertion_rate", "5"),
    ("hourly_cost", "30"),
];

async fn submit(
    app: &TestApp,
    session: &Session,
    path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut all = vec![
        ("csrf_token", session.csrf.as_str()),
        ("mode", "calibrated"),
        ("action", action),
    ];
    all.extend_from_slice(fields);
    post_form(app, Some(session), path, &all).await
}

async fn target_of(app: &TestApp, contract: i64, token: &str) -> Value {
    json_of(app, &format!("/api/contracts/{contract}"), token).await["lots"][0]
        ["target_hours_hundredths"]
        .clone()
}

#[tokio::test]
async fn a_facilitator_previews_then_saves_a_clause_in_the_lots_form() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    let (contract, lot) = app.database.run(walk_lot).await.unwrap();
    let user = app.create_user(Role::Facilitator, vec![siret(1)]).await;
    let session = app.session(&user.email, USER_PASSWORD).await;
    let path = format!("/marches/{contract}/lots/{lot}/clause");

    // The stored clause, typed by the register's import.
    let (status, body) = page(&app, &session, &format!("/marches/{contract}")).await;
    assert_eq!(status, 200);
    assert!(body.contains(&format!(r#"action="{path}""#)), "{body}");
    assert!(
        body.contains("Objectif venu de l&#39;import du registre des marchés"),
        "{body}"
    );
    assert!(
        body.contains(r#"name="target_hours" value="500,00""#),
        "{body}"
    );

    // Previewed on the server: the exact target, nothing saved.
    let preview = submit(&app, &session, &path, "preview", &BRIEF).await;
    assert_eq!(preview.status(), 200);
    let body = preview.text().await.unwrap();
    assert!(
        body.contains("<strong data-preview-target>833,33\u{a0}h</strong>"),
        "{body}"
    );
    assert!(body.contains(r#"value="1 000 000""#), "the input is kept");
    assert_eq!(
        target_of(&app, contract.get(), &session.token).await,
        50_000
    );

    // A small one: its warning below 150 h.
    let small = [
        ("base_amount", "80 000"),
        ("labour_share", "20 %"),
        ("insertion_rate", "0,05"),
        ("hourly_cost", "30"),
    ];
    let body = submit(&app, &session, &path, "preview", &small)
        .await
        .text()
        .await
        .unwrap();
    assert!(body.contains("26,67\u{a0}h</strong>"), "{body}");
    assert!(
        body.contains("inférieur à 150 heures"),
        "the warning below 150 h: {body}"
    );

    // A wrong value: refused inside the form, kept, its field marked and described.
    let wrong = [
        ("base_amount", "un million"),
        ("labour_share", "50"),
        ("insertion_rate", "5"),
        ("hourly_cost", "30"),
    ];
    let refused = submit(&app, &session, &path, "save", &wrong).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(body.contains(r#"value="un million""#), "{body}");
    assert!(
        body.contains(r#"aria-invalid="true" aria-describedby="base_amount-erreur""#),
        "{body}"
    );
    assert!(
        body.contains(r#"<span id="base_amount-erreur" class="field-error">Montant de référence : Montant incorrect : « un million » n&#39;est pas un nombre"#),
        "{body}"
    );
    let free = [
        ("base_amount", "1 000 000"),
        ("labour_share", "50"),
        ("insertion_rate", "5"),
        ("hourly_cost", "0"),
    ];
    let body = submit(&app, &session, &path, "save", &free)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        body.contains(r#"aria-describedby="hourly_cost-erreur""#),
        "{body}"
    );
    assert!(body.contains("Coût horaire : Le coût horaire doit être supérieur à zéro"));
    assert_eq!(
        target_of(&app, contract.get(), &session.token).await,
        50_000
    );

    // Saved with its penalty, training counted and cap: back to the lot.
    let mut saved_fields = BRIEF.to_vec();
    saved_fields.extend([
        ("penalty_per_hour", "30"),
        ("training_counts", "true"),
        ("cap_per_participant", "400"),
    ]);
    let saved = submit(&app, &session, &path, "save", &saved_fields).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        saved.headers()[LOCATION],
        format!("/marches/{contract}?message=clause#clause-{lot}").as_str()
    );
    assert_eq!(
        target_of(&app, contract.get(), &session.token).await,
        83_333
    );
    let (_, body) = page(
        &app,
        &session,
        &format!("/marches/{contract}?message=clause"),
    )
    .await;
    assert!(body.contains("Clause enregistrée"), "{body}");
    assert!(
        body.contains(&format!("Clause fixée par {} le ", user.email)),
        "{body}"
    );
    assert!(
        body.contains("name=\"labour_share\" value=\"50\u{a0}%\""),
        "{body}"
    );
    assert!(
        body.contains(r#"name="training_counts" value="true" checked"#),
        "{body}"
    );

    // The audit line: the clause before and after.
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let audit = json_of(&app, "/api/audit", &admin).await;
    let line = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "clause.set")
        .expect("the clause in the audit log");
    assert_eq!(line["target"], "marché WALK-1, lot 0");
    assert_eq!(
        line["details"],
        "avant : objectif 500,00\u{a0}h (saisi) ; sans pénalité ; formation non comptée ; sans plafond \
         → après : objectif 833,33\u{a0}h (1\u{202f}000\u{202f}000,00\u{a0}€ × 50\u{a0}% × 5\u{a0}% ÷ 30,00\u{a0}€) ; \
         pénalité 30,00\u{a0}€ par heure ; formation comptée ; plafond 400,00\u{a0}h par participant"
    );
}

#[tokio::test]
async fn a_typed_target_is_saved_as_typed() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    let (contract, lot) = app.database.run(walk_lot).await.unwrap();
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let path = format!("/marches/{contract}/lots/{lot}/clause");
    let fields = [
        ("csrf_token", admin.csrf.as_str()),
        ("mode", "typed"),
        ("target_hours", "1 200 h 30"),
        ("base_amount", "ignoré"),
        ("action", "save"),
    ];
    let saved = post_form(&app, Some(&admin), &path, &fields).await;
    assert_eq!(saved.status(), 303);
    // 1 200 h 30 min = 1 200,50 h.
    assert_eq!(target_of(&app, contract.get(), &admin.token).await, 120_050);
}

#[tokio::test]
async fn only_those_who_calibrate_within_their_buyers_may_save_a_clause() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    app.add_buyer(2, "Autre commune").await;
    let (contract, lot) = app.database.run(walk_lot).await.unwrap();
    let path = format!("/marches/{contract}/lots/{lot}/clause");

    // An officer, of another buyer or of this one: the 403 page; the form is not shown.
    for buyer in [2, 1] {
        let user = app
            .create_user(Role::BuyerOfficer, vec![siret(buyer)])
            .await;
        let officer = app.session(&user.email, USER_PASSWORD).await;
        let refused = submit(&app, &officer, &path, "save", &BRIEF).await;
        assert_eq!(refused.status(), 403, "officer of buyer {buyer}");
        let body = refused.text().await.unwrap();
        assert!(body.contains("Accès refusé"), "{body}");
        if buyer == 1 {
            let (_, page_body) = page(&app, &officer, &format!("/marches/{contract}")).await;
            assert!(!page_body.contains("Fixer la clause"), "{page_body}");
        }
    }
    // A facilitateur of another buyer: the lot is not found.
    let user = app.create_user(Role::Facilitator, vec![siret(2)]).await;
    let outsider = app.session(&user.email, USER_PASSWORD).await;
    let refused = submit(&app, &outsider, &path, "save", &BRIEF).await;
    assert_eq!(refused.status(), 404);
    // A lot of another contract under this contract's address: not found either.
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let elsewhere = format!("/marches/{}/lots/{lot}/clause", contract.get() + 1);
    assert_eq!(
        submit(&app, &admin, &elsewhere, "save", &BRIEF)
            .await
            .status(),
        404
    );
    assert_eq!(target_of(&app, contract.get(), &admin.token).await, 50_000);
}
