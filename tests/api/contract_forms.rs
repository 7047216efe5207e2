//! Contracts, their lots and awardees created, changed and deleted by form and through the API
//! (one use case behind both): the register import's checks, a faulty field refused inside the
//! form with the input kept, the caller's buyers bounding every record, deleting refused while
//! hours are declared, and the audit log's before and after.

use reqwest::header::LOCATION;
use serde_json::{Value, json};
use suivi_clauses::domain::Role;

use crate::authorization::{walk_lot, walk_pending};
use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Session, TestApp, USER_PASSWORD, siret, spawn_app,
};
use crate::indicators::json_of;
use crate::pages::{page, post_form};

/// A contract of buyer `buyer` with one lot held by the walk's company (SIRET 999, known once
/// `walk_lot` ran) for 12 000 €, and a new co-contractor (SIRET 5) for 3 000,50 €.
pub fn contract_body(buyer: u64, reference: &str) -> Value {
    json!({
        "buyer_siret": siret(buyer).as_str(),
        "reference": reference,
        "object": "Entretien des espaces verts",
        "procedure": "adapted",
        "cpv_code": "77310000-6",
        "notification_date": "2025-03-14",
        "duration_months": 24,
        "social_criterion": true,
        "launch_date": "2024-11-04",
        "contract_type": "services",
        "estimated_value_cents": 3_000_000,
        "environmental_condition": true,
        "lots": [{
            "number": 1,
            "title": "Tonte",
            "reservation": "l2113_13",
            "awards": [
                {"siret": siret(999).as_str(), "amount_cents": 1_200_000},
                {"siret": siret(5).as_str(), "name": "Jardins Solidaires", "role": "co_contractor", "amount_cents": 300_050},
            ],
        }],
    })
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn signed_in(app: &TestApp, role: Role, buyer: u64) -> Session {
    let user = app.create_user(role, vec![siret(buyer)]).await;
    app.session(&user.email, USER_PASSWORD).await
}

/// The audit lines of an action, most recent first.
async fn audit_lines(app: &TestApp, action: &str) -> Vec<Value> {
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let audit = json_of(app, "/api/audit", &admin).await;
    audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_contract_is_created_changed_and_listed_through_the_api() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    app.database.run(walk_lot).await.unwrap();
    let officer = signed_in(&app, Role::BuyerOfficer, 1).await;

    let (status, created) = send(
        &app,
        reqwest::Method::POST,
        "/api/contracts",
        &officer.token,
        Some(&contract_body(1, "2025-EV-01")),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["procedure"], "adapted");
    assert_eq!(created["cpv_code"], "77310000");
    assert_eq!(
        (
            &created["launch_date"],
            &created["contract_type"],
            &created["estimated_value_cents"],
            &created["environmental_condition"],
            &created["social_condition"],
        ),
        (
            &json!("2024-11-04"),
            &json!("services"),
            &json!(3_000_000),
            &json!(true),
            &json!(false)
        )
    );
    let lot = &created["lots"][0];
    // The lot's amount: its holder's and co-contractor's shares, 12 000 € + 3 000,50 €.
    assert_eq!(lot["amount_cents"], 1_500_050);
    assert_eq!(lot["reservation"], "l2113_13");
    let awards: Vec<(&str, &str, i64)> = lot["awards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap(),
                a["role"].as_str().unwrap(),
                a["amount_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        awards,
        [
            ("Entreprise de la tournée", "holder", 1_200_000),
            ("Jardins Solidaires", "co_contractor", 300_050),
        ]
    );

    // Listed like an imported one.
    let listed = json_of(&app, "/api/contracts?q=2025-EV", &officer.token).await;
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["id"], id);

    // The same reference again: refused, nothing written.
    let (status, again) = send(
        &app,
        reqwest::Method::POST,
        "/api/contracts",
        &officer.token,
        Some(&contract_body(1, "2025-EV-01")),
    )
    .await;
    assert_eq!(
        (status, &again["error"]["code"]),
        (409, &json!("contract_exists"))
    );

    // Changed: another object, a second lot; the first keeps its awardees.
    let mut body = contract_body(1, "2025-EV-01");
    body["object"] = json!("Entretien des parcs");
    body["launch_date"] = json!("2024-10-01");
    body["environmental_condition"] = json!(false);
    body["lots"].as_array_mut().unwrap().push(
        json!({"number": 2, "awards": [{"siret": siret(999).as_str(), "amount_cents": 50_000}]}),
    );
    let (status, changed) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/contracts/{id}"),
        &officer.token,
        Some(&body),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["object"], "Entretien des parcs");
    assert_eq!(
        (&changed["launch_date"], &changed["environmental_condition"]),
        (&json!("2024-10-01"), &json!(false))
    );
    assert_eq!(lot_amounts(&changed), [(1, 1_500_050), (2, 50_000)]);

    // Audited with the contract before and after.
    let created_line = &audit_lines(&app, "contract.created").await[0];
    assert_eq!(created_line["target"], "marché 2025-EV-01");
    assert_eq!(
        created_line["details"],
        format!(
            "après : référence 2025-EV-01, acheteur {}, objet « Entretien des espaces verts », \
             notifié le 14/03/2025, durée (mois) 24, procédure Procédure adaptée, CPV 77310000, critère social oui, lancé le 04/11/2024, nature Services, \
             valeur estimée 30\u{202f}000,00\u{a0}€, condition environnementale ; \
             lot 1 « Tonte » (réservation L2113-13) : \
             Titulaire {} 12\u{202f}000,00\u{a0}€, Co-traitant {} 3\u{202f}000,50\u{a0}€",
            siret(1).as_str(),
            siret(999).as_str(),
            siret(5).as_str()
        )
    );
    let changed_line = &audit_lines(&app, "contract.changed").await[0];
    let details = changed_line["details"].as_str().unwrap();
    let (before, after) = details.split_once(" → après : ").unwrap();
    assert!(
        before.contains("objet « Entretien des espaces verts »"),
        "{details}"
    );
    assert!(!before.contains("lot 2"), "{details}");
    assert!(after.contains("objet « Entretien des parcs »"), "{details}");
    assert!(
        after.ends_with(&format!(
            "lot 2 (réservation Non) : Titulaire {} 500,00\u{a0}€",
            siret(999).as_str()
        )),
        "{details}"
    );
}

#[tokio::test]
async fn the_register_imports_rules_refuse_what_they_refuse_in_a_file() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    app.database.run(walk_lot).await.unwrap();
    let facilitator = signed_in(&app, Role::Facilitator, 1).await;
    let refused = |body: Value| {
        let (app, token) = (&app, facilitator.token.clone());
        async move {
            let (status, answer) = send(
                app,
                reqwest::Method::POST,
                "/api/contracts",
                &token,
                Some(&body),
            )
            .await;
            (
                status,
                answer["error"]["code"].clone(),
                answer["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        }
    };

    let mut ends_early = contract_body(1, "R-1");
    ends_early["end_date"] = json!("2025-03-13");
    let (status, code, message) = refused(ends_early).await;
    assert_eq!((status, code), (422, json!("invalid_contract")));
    assert_eq!(
        message,
        "La date de fin précède la date de notification : corrigez l'une des deux."
    );

    let (_, _, message) = refused(contract_body(1, "A-REFERENCE-OF-17")).await;
    assert!(
        message.starts_with("La référence dépasse 16 caractères"),
        "{message}"
    );

    let mut subcontracted = contract_body(1, "R-2");
    subcontracted["lots"][0]["awards"] =
        json!([{"siret": siret(999).as_str(), "role": "subcontractor", "amount_cents": 100}]);
    let (_, _, message) = refused(subcontracted).await;
    assert!(
        message.contains("n'a ni titulaire ni co-traitant"),
        "{message}"
    );

    let mut unnamed = contract_body(1, "R-3");
    unnamed["lots"][0]["awards"][1]["name"] = Value::Null;
    let (_, _, message) = refused(unnamed).await;
    assert_eq!(
        message,
        "Cette entreprise n'est pas encore connue : indiquez sa raison sociale."
    );

    // A ground for no social condition is the rules' own, and justified.
    let mut unjustified = contract_body(1, "R-5");
    unjustified["social_exemption_ground"] = json!("Solution immédiatement disponible");
    let (_, _, message) = refused(unjustified).await;
    assert!(
        message.starts_with("Un motif d'absence de condition sociale est donné sans justification"),
        "{message}"
    );
    let mut unknown = contract_body(1, "R-6");
    unknown["social_exemption_ground"] = json!("Urgence");
    unknown["social_exemption_text"] = json!("Pas le temps");
    let (_, _, message) = refused(unknown).await;
    assert!(
        message
            .starts_with("« Urgence » n'est pas un motif d'absence de condition sociale reconnu"),
        "{message}"
    );

    let mut wrong_siret = contract_body(1, "R-4");
    wrong_siret["lots"][0]["awards"][0]["siret"] = json!("44306184100048");
    let (status, _, message) = refused(wrong_siret).await;
    assert_eq!(
        status, 400,
        "the JSON's SIRET is read by the same parser: {message}"
    );
    assert!(message.contains("clé de contrôle est fausse"), "{message}");

    let listed = json_of(&app, "/api/contracts?q=R-", &facilitator.token).await;
    assert_eq!(listed["total"], 0, "nothing written");
}

/// The form's fields for a contract of buyer 1 with one lot of one holder.
fn form_fields<'a>(csrf: &'a str, reference: &'a str, holder: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", csrf),
        ("reference", reference),
        ("object", "Rénovation de l'école"),
        ("procedure", ""),
        ("cpv", "45210000"),
        ("notification_date", "01/02/2025"),
        ("duration_months", "18"),
        ("end_date", ""),
        ("launch_date", "15/12/2024"),
        ("contract_type", "works"),
        ("estimated_value", ""),
        ("social_exemption_ground", "no_link_with_object"),
        ("social_exemption_text", "Travaux très spécialisés"),
        ("lot-0-number", "1"),
        ("lot-0-title", "Gros œuvre"),
        ("lot-0-reservation", "none"),
        ("lot-0-award-0-siret", holder),
        ("lot-0-award-0-name", ""),
        ("lot-0-award-0-role", "holder"),
        ("lot-0-award-0-amount", "250 000"),
        ("lot-0-award-1-siret", ""),
        ("lot-0-award-1-name", ""),
        ("lot-0-award-1-role", "holder"),
        ("lot-0-award-1-amount", ""),
        ("lot-1-number", ""),
        ("lot-1-title", ""),
        ("lot-1-reservation", "none"),
        ("lot-1-award-0-siret", ""),
        ("lot-1-award-0-name", ""),
        ("lot-1-award-0-role", "holder"),
        ("lot-1-award-0-amount", ""),
    ]
}

#[tokio::test]
async fn a_facilitator_creates_a_contract_in_the_form_and_a_wrong_siret_stays_in_it() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    app.database.run(walk_lot).await.unwrap();
    let session = signed_in(&app, Role::Facilitator, 1).await;

    let (status, body) = page(&app, &session, "/marches").await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"href="/marches/nouveau">Nouveau marché</a>"#),
        "{body}"
    );
    let (status, body) = page(&app, &session, "/marches/nouveau").await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"<form method="post" action="/marches""#),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            r#"<option value="{}" selected>"#,
            siret(1).as_str()
        )),
        "{body}"
    );
    assert!(
        body.contains(r#"id="lot-0-award-0-siret" name="lot-0-award-0-siret""#),
        "{body}"
    );

    // A SIRET whose check digit is wrong: refused inside the form, kept, marked, described.
    let buyer = siret(1);
    let mut fields = form_fields(&session.csrf, "2025-ECOLE", "443 061 841 00048");
    fields.push(("buyer_siret", buyer.as_str()));
    let refused = post_form(&app, Some(&session), "/marches", &fields).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(body.contains(r#"value="443 061 841 00048""#), "{body}");
    assert!(
        body.contains(r#"aria-invalid="true" aria-describedby="lot-0-award-0-siret-erreur""#),
        "{body}"
    );
    assert!(
        body.contains(r#"<span id="lot-0-award-0-siret-erreur" class="field-error">SIRET : Le SIRET « 443 061 841 00048 » n&#39;existe pas (sa clé de contrôle est fausse)"#),
        "{body}"
    );
    assert!(
        body.contains(r#"value="Rénovation de l&#39;école""#),
        "the rest is kept: {body}"
    );
    let listed = json_of(&app, "/api/contracts?q=ECOLE", &session.token).await;
    assert_eq!(listed["total"], 0);

    // Corrected: to the new contract's page, listed by the API.
    let holder = siret(999);
    let mut fields = form_fields(&session.csrf, "2025-ECOLE", holder.as_str());
    fields.push(("buyer_siret", buyer.as_str()));
    let created = post_form(&app, Some(&session), "/marches", &fields).await;
    assert_eq!(created.status(), 303);
    let listed = json_of(&app, "/api/contracts?q=ECOLE", &session.token).await;
    assert_eq!(listed["total"], 1);
    let contract = &listed["items"][0];
    let id = contract["id"].as_i64().unwrap();
    assert_eq!(
        created.headers()[LOCATION],
        format!("/marches/{id}?message=cree").as_str()
    );
    assert_eq!(contract["lots"][0]["number"], 1);
    assert_eq!(contract["lots"][0]["title"], "Gros œuvre");
    assert_eq!(contract["lots"][0]["amount_cents"], 25_000_000);
    assert_eq!(contract["duration_months"], 18);
    assert_eq!(
        (
            &contract["launch_date"],
            &contract["contract_type"],
            &contract["social_exemption_ground"],
            &contract["social_exemption_text"],
        ),
        (
            &json!("2024-12-15"),
            &json!("works"),
            &json!("no_link_with_object"),
            &json!("Travaux très spécialisés")
        )
    );
    let (_, body) = page(&app, &session, &format!("/marches/{id}?message=cree")).await;
    assert!(body.contains("Marché enregistré"), "{body}");
    assert!(
        body.contains(&format!(
            r#"href="/marches/{id}/modifier">Modifier ce marché</a>"#
        )),
        "{body}"
    );

    // Its form shows it as stored, with a blank lot and awardee to add.
    let (status, body) = page(&app, &session, &format!("/marches/{id}/modifier")).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("name=\"lot-0-award-0-amount\" value=\"250\u{202f}000,00\""),
        "{body}"
    );
    assert!(
        body.contains(r#"name="notification_date" value="01/02/2025""#),
        "{body}"
    );
    assert!(
        body.contains(r#"<option value="no_link_with_object" selected>"#),
        "{body}"
    );
    assert!(
        body.contains(r#"id="lot-1-award-0-siret" name="lot-1-award-0-siret" value="""#),
        "{body}"
    );

    // Changed in the form: a second lot added in the blank row.
    let mut fields = form_fields(&session.csrf, "2025-ECOLE", holder.as_str());
    fields.retain(|(name, _)| !name.starts_with("lot-1-"));
    fields.extend([
        ("buyer_siret", buyer.as_str()),
        ("lot-1-number", "Lot 2"),
        ("lot-1-award-0-siret", holder.as_str()),
        ("lot-1-award-0-role", "holder"),
        ("lot-1-award-0-amount", "1 000,5"),
    ]);
    let changed = post_form(
        &app,
        Some(&session),
        &format!("/marches/{id}/modifier"),
        &fields,
    )
    .await;
    assert_eq!(changed.status(), 303);
    let contract = json_of(&app, &format!("/api/contracts/{id}"), &session.token).await;
    assert_eq!(lot_amounts(&contract), [(1, 25_000_000), (2, 100_050)]);
}

#[tokio::test]
async fn only_those_who_answer_for_the_buyer_change_its_contracts() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    app.add_buyer(2, "Autre commune").await;
    let (contract, _) = app.database.run(walk_lot).await.unwrap();
    let outsider = signed_in(&app, Role::BuyerOfficer, 2).await;

    // Creating for a buyer not theirs: 403, saying so.
    let (status, answer) = send(
        &app,
        reqwest::Method::POST,
        "/api/contracts",
        &outsider.token,
        Some(&contract_body(1, "HORS-1")),
    )
    .await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (403, &json!("out_of_scope"))
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Vous n'avez pas accès à cet acheteur")
    );

    // Another buyer's contract: not found, by API and by page alike.
    let path = format!("/api/contracts/{contract}");
    let body = contract_body(2, "WALK-1");
    let (status, _) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        &outsider.token,
        Some(&body),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(&app, reqwest::Method::DELETE, &path, &outsider.token, None).await;
    assert_eq!(status, 404);
    let (status, _) = page(&app, &outsider, &format!("/marches/{contract}/modifier")).await;
    assert_eq!(status, 404);
    let fields = [("csrf_token", outsider.csrf.as_str())];
    let deleted = post_form(
        &app,
        Some(&outsider),
        &format!("/marches/{contract}/suppression"),
        &fields,
    )
    .await;
    assert_eq!(deleted.status(), 404);

    // An elected official: the 403 page, no button.
    let elected = signed_in(&app, Role::Elected, 1).await;
    let (status, body) = page(&app, &elected, "/marches/nouveau").await;
    assert_eq!(status, 403);
    assert!(body.contains("Accès refusé"), "{body}");
    let (_, body) = page(&app, &elected, &format!("/marches/{contract}")).await;
    assert!(!body.contains("Modifier ce marché"), "{body}");

    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let stored = json_of(&app, &path, &admin).await;
    assert_eq!(
        stored["object"], "Marché de la tournée des rôles",
        "unchanged"
    );
}

#[tokio::test]
async fn a_contract_with_hours_stays_and_one_without_is_deleted() {
    let app = spawn_app().await;
    app.add_buyer(1, "Commune").await;
    // WALK-1 with hours on its lot.
    app.database.run(walk_pending).await.unwrap();
    let (with_hours, _) = app.database.run(walk_lot).await.unwrap();
    let facilitator = signed_in(&app, Role::Facilitator, 1).await;
    let path = format!("/api/contracts/{with_hours}");

    let (status, answer) = send(
        &app,
        reqwest::Method::DELETE,
        &path,
        &facilitator.token,
        None,
    )
    .await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (409, &json!("contract_has_hours"))
    );
    assert_eq!(
        answer["error"]["message"],
        "Des heures sont déclarées sur le marché « WALK-1 » : il ne peut pas être supprimé. Corrigez plutôt ses informations."
    );
    // Nor its lot with hours left out of it.
    let mut body = contract_body(1, "WALK-1");
    body["lots"][0]["number"] = json!(3);
    let (status, answer) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        &facilitator.token,
        Some(&body),
    )
    .await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (409, &json!("contract_has_hours"))
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Des heures sont déclarées sur le lot 0")
    );
    // The page says it inside the contract's form.
    let fields = [("csrf_token", facilitator.csrf.as_str())];
    let refused = post_form(
        &app,
        Some(&facilitator),
        &format!("/marches/{with_hours}/suppression"),
        &fields,
    )
    .await;
    assert_eq!(refused.status(), 409);
    let text = refused.text().await.unwrap();
    assert!(
        text.contains(
            "Rien n'a été enregistré. Des heures sont déclarées sur le marché « WALK-1 »"
        ),
        "{text}"
    );
    assert_eq!(
        json_of(&app, &path, &facilitator.token).await["reference"],
        "WALK-1"
    );

    // A contract without hours: deleted, by API and by page.
    for by_page in [false, true] {
        let reference = if by_page {
            "SANS-HEURES-2"
        } else {
            "SANS-HEURES-1"
        };
        let (_, created) = send(
            &app,
            reqwest::Method::POST,
            "/api/contracts",
            &facilitator.token,
            Some(&contract_body(1, reference)),
        )
        .await;
        let id = created["id"].as_i64().unwrap();
        if by_page {
            let deleted = post_form(
                &app,
                Some(&facilitator),
                &format!("/marches/{id}/suppression"),
                &fields,
            )
            .await;
            assert_eq!(deleted.status(), 303);
            assert_eq!(deleted.headers()[LOCATION], "/marches?message=supprime");
        } else {
            let (status, _) = send(
                &app,
                reqwest::Method::DELETE,
                &format!("/api/contracts/{id}"),
                &facilitator.token,
                None,
            )
            .await;
            assert_eq!(status, 204);
        }
        let (status, _) = send(
            &app,
            reqwest::Method::GET,
            &format!("/api/contracts/{id}"),
            &facilitator.token,
            None,
        )
        .await;
        assert_eq!(status, 404, "{reference} is gone");
    }
    let deleted = audit_lines(&app, "contract.deleted").await;
    assert_eq!(deleted.len(), 2);
    assert!(
        deleted[0]["details"]
            .as_str()
            .unwrap()
            .starts_with("avant : référence SANS-HEURES-2,")
    );
}

/// A contract's lots as (number, amount in cents), as the API lists them.
fn lot_amounts(contract: &serde_json::Value) -> Vec<(i64, i64)> {
    contract["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["number"].as_i64().unwrap(),
                l["amount_cents"].as_i64().unwrap(),
            )
        })
        .collect()
}
