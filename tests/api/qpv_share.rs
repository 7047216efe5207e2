//! The share of a clause's hours reserved to residents of priority neighbourhoods (QPV), as
//! urban renewal agreements ask: set in the lot's clause (API and form), shown on the
//! contract's page, and listed in « À faire » (`qpv_share_short`) while the hours of QPV
//! residents fall short of it — those hours only to those who follow people one by one.

use serde_json::{Value, json};
use suivi_clauses::domain::Role;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, USER_PASSWORD, siret, spawn_app};
use crate::indicators::json_of;
use crate::pages::{page, post_form};
use crate::pathway::sent;

const BUYER: u64 = 81;

/// One contract with a 500 h clause; 100 h counted in 2025: 15 h by P-1 (QPV resident), 60 h
/// by P-2 (not), 25 h by P-3 (residence not recorded, so not counted as QPV). Returns the
/// administrator's token, the contract's and the lot's ids.
async fn renewal(app: &TestApp) -> (String, i64, i64) {
    app.add_buyer(BUYER, "Toulouse Métropole Habitat").await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let (buyer, firm) = (siret(BUYER), siret(91));
    sent(
        app,
        &admin,
        "contracts",
        format!(
            "Référence marché;Objet;SIRET acheteur;Date de notification;Durée (mois);Lot;Montant HT;SIRET titulaire;Raison sociale titulaire;Code postal titulaire;Clause d'insertion;Heures d'insertion prévues\n\
             2025-ANRU;Réhabilitation du quartier;{buyer};01/01/2025;24;;900000;{firm};Bâtiments du Sud;31100;Oui;500\n"
        ),
    )
    .await;
    sent(
        app,
        &admin,
        "participants",
        "Identifiant participant;Critère d'éligibilité;Résident QPV\nP-1;RSA;Oui\nP-2;DELD;Non\nP-3;JEUNE;\n"
            .to_owned(),
    )
    .await;
    sent(
        app,
        &admin,
        "hours",
        format!(
            "Référence marché;Lot;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n\
             2025-ANRU;;{firm};03/2025;P-1;Embauche directe;15\n\
             2025-ANRU;;{firm};03/2025;P-2;Embauche directe;60\n\
             2025-ANRU;;{firm};04/2025;P-3;Embauche directe;25\n"
        ),
    )
    .await;
    let found = json_of(app, "/api/contracts?q=2025-ANRU", &admin).await;
    let contract = found["items"][0]["id"].as_i64().expect("the contract");
    let detail = json_of(app, &format!("/api/contracts/{contract}"), &admin).await;
    let lot = detail["lots"][0]["id"].as_i64().expect("its lot");
    (admin, contract, lot)
}

async fn qpv_items(app: &TestApp, token: &str) -> Vec<Value> {
    json_of(app, "/api/followup?kind=qpv_share_short", token)
        .await
        .as_array()
        .expect("a list")
        .clone()
}

#[tokio::test]
async fn a_qpv_share_short_of_its_goal_is_listed_shown_and_cleared_once_reached() {
    let app = spawn_app().await;
    let (admin, contract, lot) = renewal(&app).await;
    // No share reserved: nothing to follow, none shown.
    assert_eq!(qpv_items(&app, &admin).await, Vec::<Value>::new());

    // 25 % reserved through the API: 15 % reached, 10 h missing at today's 100 h.
    let response = app
        .client
        .put(app.url(&format!("/api/lots/{lot}/clause")))
        .bearer_auth(&admin)
        .json(&json!({ "target_hours_hundredths": 50_000, "qpv_share_basis_points": 2_500 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let items = qpv_items(&app, &admin).await;
    assert_eq!(items.len(), 1, "{items:?}");
    let item = &items[0];
    assert_eq!(item["reference"], "2025-ANRU");
    assert_eq!(item["since"], "2025-01-01");
    assert_eq!(item["qpv_goal_basis_points"], 2_500);
    assert_eq!(item["qpv_share_basis_points"], 1_500);
    assert_eq!(item["counted_hours_hundredths"], 10_000);
    assert_eq!(item["qpv_hours_hundredths"], 1_500);
    assert_eq!(item["missing_hours_hundredths"], 1_000);
    // A contract without lots: its one lot is number 0.
    assert_eq!(item["link"], format!("/marches/{contract}#lot-0"));
    let clauses = json_of(&app, "/api/clauses", &admin).await;
    assert_eq!(clauses[0]["qpv_share_basis_points"], 2_500, "{clauses}");
    assert_eq!(clauses[0]["qpv_hours_hundredths"], 1_500, "{clauses}");

    // A facilitateur of the buyer sees it on the list and on the contract's page.
    let user = app.create_user(Role::Facilitator, vec![siret(BUYER)]).await;
    let session = app.session(&user.email, USER_PASSWORD).await;
    let (_, todo) = page(&app, &session, "/a-faire").await;
    assert!(todo.contains("Part QPV sous l&#39;objectif"), "{todo}");
    assert!(
        todo.contains("15\u{a0}% des heures retenues faites par des résidents des QPV (15,00\u{a0}h sur 100,00\u{a0}h) pour 25\u{a0}% réservés : il en manque 10,00\u{a0}h aux heures d&#39;aujourd&#39;hui."),
        "{todo}"
    );
    let path = format!("/marches/{contract}");
    let (_, html) = page(&app, &session, &path).await;
    assert!(
        html.contains("Part des heures faites par des résidents des QPV</dt><dd><span class=\"value\">15\u{a0}%</span><span class=\"method\">pour 25\u{a0}% réservés aux résidents des QPV (15\u{a0}h sur 100\u{a0}h comptées)</span>"),
        "{html}"
    );
    assert!(
        html.contains("name=\"qpv_share\" value=\"25\u{a0}%\""),
        "{html}"
    );

    // Those who do not follow people one by one read the share reserved, never the QPV hours
    // (on a lot of one or two people they say where each lives), nor the item.
    let officer = app
        .create_user(Role::BuyerOfficer, vec![siret(BUYER)])
        .await;
    let officer = app.session(&officer.email, USER_PASSWORD).await;
    let elected = app.create_user(Role::Elected, vec![siret(BUYER)]).await;
    let elected = app.session(&elected.email, USER_PASSWORD).await;
    for reader in [&officer, &elected] {
        let clauses = json_of(&app, "/api/clauses", &reader.token).await;
        assert_eq!(clauses[0]["qpv_share_basis_points"], 2_500, "{clauses}");
        assert_eq!(clauses[0]["qpv_hours_hundredths"], Value::Null, "{clauses}");
        let (_, html) = page(&app, reader, &path).await;
        assert!(
            html.contains("25\u{a0}% réservés aux résidents des QPV ; la part atteinte est suivie par les facilitateurs"),
            "{html}"
        );
        assert!(!html.contains("15\u{a0}h sur 100\u{a0}h"), "{html}");
    }
    let listed = json_of(&app, "/api/followup", &officer.token).await;
    let kinds: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert!(!kinds.contains(&"qpv_share_short"), "{listed}");

    // A wrong share in the lot's form: refused, named, nothing changed.
    let form = format!("/marches/{contract}/lots/{lot}/clause");
    let (app_ref, session_ref, form_ref) = (&app, &session, form.as_str());
    let save_share = |share: &'static str| async move {
        let fields = [
            ("csrf_token", session_ref.csrf.as_str()),
            ("mode", "typed"),
            ("action", "save"),
            ("target_hours", "500"),
            ("qpv_share", share),
        ];
        post_form(app_ref, Some(session_ref), form_ref, &fields).await
    };
    let refused = save_share("120 %").await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains(r#"<span id="qpv_share-erreur" class="field-error">Part des heures réservée aux résidents des QPV : "#),
        "{body}"
    );
    assert!(body.contains(r#"name="qpv_share" value="120 %""#), "{body}");
    assert_eq!(qpv_items(&app, &admin).await.len(), 1);

    // 12 % reserved from the form: reached, off the list.
    let saved = save_share("12 %").await;
    assert!(saved.status().is_redirection(), "{}", saved.status());
    assert_eq!(qpv_items(&app, &admin).await, Vec::<Value>::new());
    let (_, html) = page(&app, &session, &path).await;
    assert!(
        html.contains("pour 12\u{a0}% réservés aux résidents des QPV"),
        "{html}"
    );
}
