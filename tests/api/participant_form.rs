//! Participants created and changed in their form, by facilitateurs and administrators only:
//! by identifier, never a name or a contact detail; the participants import's checks, a faulty
//! field refused inside the form with the input kept and nothing written; a participant with
//! hours for another buyer changed only by whoever answers for all its buyers; the audit log
//! names the facts changed, never their values.

use reqwest::header::LOCATION;
use suivi_clauses::domain::{Labelled, Role};
use suivi_clauses::import::kinds::participants::COLUMNS;
use suivi_clauses::storage::ParticipantId;

use crate::company_form::two_buyers;
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Session, TestApp, USER_PASSWORD, siret};
use crate::indicators::json_of;
use crate::pages::{page, post_form};
use crate::shared_records::find_participant;

const PARTICIPANTS: &str = "Identifiant participant;Critère d'éligibilité;Date de validation\n\
    P-UN;RSA;06/01/2025\nP-DEUX;ASS;06/01/2025\nP-LES-DEUX;TH;06/01/2025\n";

/// Two buyers (see `two_buyers`) and three participants with hours: P-UN on buyer 1's lot,
/// P-DEUX on buyer 2's, P-LES-DEUX on both.
async fn with_participants() -> TestApp {
    let app = two_buyers().await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let (status, body) = app
        .import(
            &admin,
            "participants",
            "p.csv",
            PARTICIPANTS.as_bytes().to_vec(),
            false,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (one, two) = (siret(7), siret(999));
    let hours = format!(
        "Référence marché;Lot;SIRET entreprise;Mois;Identifiant participant;Modalité;Heures travaillées\n\
         E-1;1;{one};03/2025;P-UN;Embauche directe;70\n\
         E-2;1;{two};03/2025;P-DEUX;Embauche directe;70\n\
         E-1;1;{one};04/2025;P-LES-DEUX;Embauche directe;35\n\
         E-2;1;{two};04/2025;P-LES-DEUX;Embauche directe;35\n"
    );
    let (status, body) = app
        .import(&admin, "hours", "h.csv", hours.into_bytes(), false)
        .await;
    assert_eq!(status, 201, "{body}");
    app
}

async fn facilitator_of(app: &TestApp, buyers: &[u64]) -> Session {
    let user = app
        .create_user(
            Role::Facilitator,
            buyers.iter().map(|n| siret(*n)).collect(),
        )
        .await;
    app.session(&user.email, USER_PASSWORD).await
}

/// A participant's form as posted, over these values of a complete one.
fn fields<'a>(session: &'a Session, changed: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("csrf_token", session.csrf.as_str()),
        ("pseudonym", "P-NOUVEAU"),
        ("criterion", "DELD"),
        ("validated_on", "03/02/2025"),
        ("prescriber", "France Travail"),
        ("birth_year", "1975"),
        ("sex", "female"),
        ("qpv", "true"),
        ("exit_outcome", "sustainable_employment"),
        ("exit_date", "30/06/2025"),
        ("six_month_situation", ""),
        ("six_month_on", ""),
        ("six_month_source", ""),
    ];
    for (name, value) in changed {
        fields.iter_mut().find(|(n, _)| n == name).unwrap().1 = value;
    }
    fields
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

/// The audit lines of an action, most recent first.
async fn audit_lines(app: &TestApp, action: &str) -> Vec<serde_json::Value> {
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let audit = json_of(app, "/api/audit", &admin).await;
    let lines = audit.as_array().unwrap().iter();
    lines.filter(|e| e["action"] == action).cloned().collect()
}

/// Posts the least a participant's form takes (a criterion), and `more`, on participant `id`.
async fn post_least(
    app: &TestApp,
    session: &Session,
    id: ParticipantId,
    more: &[(&str, &str)],
) -> reqwest::Response {
    let path = format!("/participants/{id}/modifier");
    let mut form = vec![("csrf_token", session.csrf.as_str()), ("criterion", "RSA")];
    form.extend_from_slice(more);
    post_form(app, Some(session), &path, &form).await
}

async fn post(app: &TestApp, session: &Session, id: ParticipantId) -> u16 {
    post_least(app, session, id, &[]).await.status().as_u16()
}

/// The names of the fields of the page's participant form.
fn field_names(html: &str) -> Vec<String> {
    let form = &html[html.find("id=\"participant\"").expect("the form")..];
    let form = &form[..form.find("</form>").unwrap()];
    form.split(" name=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn a_facilitator_creates_a_participant_by_identifier_only_and_a_wrong_field_stays_in_the_form()
 {
    let app = with_participants().await;
    let facilitator = facilitator_of(&app, &[1]).await;

    let (status, list) = page(&app, &facilitator, "/participants").await;
    assert_eq!(status, 200);
    assert!(list.contains("href=\"/participants/nouveau\""), "{list}");
    let (status, html) = page(&app, &facilitator, "/participants/nouveau").await;
    assert_eq!(status, 200);
    // No field for a name, an address, a telephone or an e-mail: an identifier and facts.
    // The same facts as the participants file, column for column.
    let columns = COLUMNS.iter().map(|(key, _)| key.to_string());
    let expected: Vec<String> = std::iter::once("csrf_token".to_owned())
        .chain(columns)
        .collect();
    assert_eq!(field_names(&html), expected);
    assert!(
        html.contains("<optgroup label=\"Niveau 1 : un critère suffit\">"),
        "{html}"
    );

    // Each wrong value: the form again, as typed, the field marked with what to change.
    for (changed, status, field, message) in [
        (
            ("pseudonym", "Jeanne Martin"),
            422,
            "pseudonym",
            "jamais un nom",
        ),
        (
            ("criterion", ""),
            422,
            "criterion",
            "Critère d&#39;éligibilité : à choisir.",
        ),
        (("birth_year", "75"), 422, "birth_year", "au moins 14 ans"),
        (
            ("exit_date", ""),
            422,
            "exit_outcome",
            "Une sortie s&#39;indique avec sa date et son type",
        ),
        (
            ("exit_date", "01/01/2025"),
            422,
            "exit_date",
            "précède la date de validation",
        ),
        (
            ("exit_date", "30/06/2099"),
            422,
            "exit_date",
            "ne peuvent pas être dans le futur",
        ),
        (
            ("six_month_on", "01/12/2025"),
            422,
            "six_month_situation",
            "s&#39;indique avec sa date",
        ),
        (
            ("pseudonym", "P-UN"),
            409,
            "pseudonym",
            "Un participant porte déjà cet identifiant",
        ),
    ] {
        let refused = post_form(
            &app,
            Some(&facilitator),
            "/participants",
            &fields(&facilitator, &[changed]),
        )
        .await;
        assert_eq!(refused.status(), status, "{changed:?}");
        let html = refused.text().await.unwrap();
        for text in [
            "Rien n'a été enregistré",
            &format!("aria-invalid=\"true\" aria-describedby=\"{field}-erreur\""),
            message,
            "value=\"France Travail\"",
        ] {
            assert!(html.contains(text), "{changed:?} {text}: {html}");
        }
    }
    assert!(
        find_participant(&app, "P-NOUVEAU").await.is_none(),
        "nothing written"
    );
    assert!(audit_lines(&app, "participant.created").await.is_empty());

    let created = post_form(
        &app,
        Some(&facilitator),
        "/participants",
        &fields(&facilitator, &[]),
    )
    .await;
    assert_eq!(created.status(), 303);
    let (status, html) = page(&app, &facilitator, &location(&created)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Participant enregistré."), "{html}");
    let p = find_participant(&app, "P-NOUVEAU").await.expect("created");
    assert_eq!(
        (
            p.criterion.as_str(),
            p.birth_year,
            p.sex.as_deref(),
            p.qpv_resident
        ),
        ("DELD", Some(1975), Some("female"), Some(true))
    );
    assert_eq!(p.exit_outcome.as_deref(), Some("sustainable_employment"));
    assert_eq!(p.prescriber.as_deref(), Some("France Travail"));
    let lines = audit_lines(&app, "participant.created").await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["target"], "P-NOUVEAU");
}

#[tokio::test]
async fn a_facilitator_changes_a_participant_of_its_buyers_and_the_log_names_the_facts_not_their_values()
 {
    let app = with_participants().await;
    let facilitator = facilitator_of(&app, &[1]).await;
    let id = find_participant(&app, "P-UN").await.unwrap().id;
    let path = format!("/participants/{id}/modifier");

    let (status, html) = page(&app, &facilitator, &format!("/participants/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("href=\"{path}\"")), "{html}");
    let (status, html) = page(&app, &facilitator, &path).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Identifiant : <strong>P-UN</strong>"),
        "{html}"
    );
    assert!(html.contains("value=\"06/01/2025\""), "{html}");
    assert!(
        !field_names(&html).contains(&"pseudonym".to_owned()),
        "the identifier stays"
    );

    let mut typed = fields(
        &facilitator,
        &[("criterion", "RSA"), ("validated_on", "06/01/2025")],
    );
    typed.retain(|(name, _)| *name != "pseudonym");
    let changed = post_form(&app, Some(&facilitator), &path, &typed).await;
    assert_eq!(changed.status(), 303);
    assert_eq!(
        location(&changed),
        format!("/participants/{id}?message=modifie")
    );
    let p = find_participant(&app, "P-UN").await.unwrap();
    assert_eq!(
        (p.sex.as_deref(), p.exit_date.is_some()),
        (Some("female"), true)
    );
    let lines = audit_lines(&app, "participant.changed").await;
    assert_eq!(lines[0]["target"], "P-UN");
    assert_eq!(
        lines[0]["details"],
        "modifié : prescripteur, année de naissance, sexe, résidence en QPV, type de sortie, date de sortie"
    );

    // Blank fields clear what was stored; a wrong one writes nothing.
    let refused = post_least(&app, &facilitator, id, &[("exit_outcome", "positive_exit")]).await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Identifiant : <strong>P-UN</strong>")
    );
    assert_eq!(find_participant(&app, "P-UN").await.unwrap(), p);
    let cleared = post_least(&app, &facilitator, id, &[]).await;
    assert_eq!(cleared.status(), 303);
    let p = find_participant(&app, "P-UN").await.unwrap();
    assert_eq!(
        (p.sex, p.exit_date, p.validated_on, p.qpv_resident),
        (None, None, None, None)
    );
}

#[tokio::test]
async fn a_participant_with_hours_for_another_buyer_is_changed_only_by_whoever_answers_for_both() {
    let app = with_participants().await;
    let facilitator = facilitator_of(&app, &[1]).await;
    let two = find_participant(&app, "P-DEUX").await.unwrap();
    let both = find_participant(&app, "P-LES-DEUX").await.unwrap();

    // Hours for buyer 2 only: as unknown as an id nobody has.
    let (status, _) = page(
        &app,
        &facilitator,
        &format!("/participants/{}/modifier", two.id),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(post(&app, &facilitator, two.id).await, 404);
    assert_eq!(find_participant(&app, "P-DEUX").await.unwrap(), two);

    // Hours for both buyers: refused, saying who may, nothing written.
    let refused = post_least(&app, &facilitator, both.id, &[]).await;
    assert_eq!(refused.status(), 403);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("seul un administrateur, ou un facilitateur de tous ses acheteurs"),
        "{html}"
    );
    assert_eq!(find_participant(&app, "P-LES-DEUX").await.unwrap(), both);

    // Roles that do not manage participants; a form without the session's token.
    for role in [Role::BuyerOfficer, Role::Elected, Role::Company] {
        let user = app
            .create_user(
                role,
                if role == Role::BuyerOfficer {
                    vec![siret(1)]
                } else {
                    vec![]
                },
            )
            .await;
        let session = app.session(&user.email, USER_PASSWORD).await;
        assert_eq!(post(&app, &session, both.id).await, 403, "{}", role.code());
        let (status, _) = page(&app, &session, "/participants/nouveau").await;
        assert_eq!(status, 403, "{}", role.code());
    }
    let forged = post_form(
        &app,
        Some(&facilitator),
        "/participants",
        &[
            ("csrf_token", "faux"),
            ("pseudonym", "P-FORGE"),
            ("criterion", "RSA"),
        ],
    )
    .await;
    assert_eq!(forged.status(), 403);
    assert!(find_participant(&app, "P-FORGE").await.is_none());

    // A facilitateur of both buyers, and an administrator, answer for it.
    let of_both = facilitator_of(&app, &[1, 2]).await;
    assert_eq!(post(&app, &of_both, both.id).await, 303);
    assert_eq!(
        find_participant(&app, "P-LES-DEUX")
            .await
            .unwrap()
            .criterion,
        "RSA"
    );
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(post(&app, &admin, two.id).await, 303);
}
