//! The participant's form: « Nouveau participant » from the list, « Modifier » from a
//! participant's page. By identifier only: no field for a name or a contact detail. The facts
//! are checked by the participants import's rules (`app::participant_drafts`).

use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::PageError;
use super::accounts::Choice;
use super::form::{Fields, Input, Refusal, Select, select};
use super::shell::Shell;
use super::viewer::{Posted, Viewer};
use crate::app;
use crate::app::participant_drafts::ParticipantDraft;
use crate::domain::authorization::Permission;
use crate::domain::{EligibilityCriterion, ExitOutcome, Labelled, Sex, SixMonthSituation};
use crate::storage::{Database, ParticipantId};
use crate::web::auth::can;

/// The criteria of one level, as the select groups them.
pub struct CriterionGroup {
    pub label: &'static str,
    pub options: Vec<Choice>,
}

fn criteria(typed: &str) -> Vec<CriterionGroup> {
    let chosen = EligibilityCriterion::parse_label(typed).ok();
    let group = |label, level_one: bool| CriterionGroup {
        label,
        options: EligibilityCriterion::ALL
            .iter()
            .filter(|c| c.is_level_one() == level_one)
            .map(|c| Choice {
                code: c.code().to_owned(),
                label: c.label().to_owned(),
                selected: chosen == Some(*c),
            })
            .collect(),
    };
    vec![
        group("Niveau 1 : un critère suffit", true),
        group(
            "Niveau 2 : critères combinés selon les règles locales",
            false,
        ),
    ]
}

/// Residence in a QPV: yes, no, or not said.
fn qpv(typed: &str) -> Select {
    let options = [("", "Non renseignée"), ("true", "Oui"), ("false", "Non")]
        .into_iter()
        .map(|(code, label)| Choice {
            code: code.to_owned(),
            label: label.to_owned(),
            selected: typed.trim() == code,
        })
        .collect();
    Select {
        name: "qpv".to_owned(),
        options,
    }
}

#[derive(Template)]
#[template(path = "participant_form.html")]
struct ParticipantFormPage {
    shell: Shell,
    csrf: String,
    action: String,
    /// The participant's id when it is changed (its identifier then stays).
    id: Option<i64>,
    pseudonym: Input,
    criteria: Vec<CriterionGroup>,
    validated_on: Input,
    prescriber: Input,
    birth_year: Input,
    sex: Select,
    qpv: Select,
    exit_outcome: Select,
    exit_date: Input,
    six_month_situation: Select,
    six_month_on: Input,
    six_month_source: Input,
    refusal: Refusal,
}

fn input(name: &str, value: &str) -> Input {
    Input::of(name.to_owned(), value)
}

fn form_page<P: Permission>(
    viewer: &Viewer<P>,
    id: Option<ParticipantId>,
    draft: &ParticipantDraft,
    refusal: Refusal,
) -> ParticipantFormPage {
    let (title, action) = match id {
        Some(id) => (
            format!("Modifier le participant {}", draft.pseudonym),
            format!("/participants/{id}/modifier"),
        ),
        None => ("Nouveau participant".to_owned(), "/participants".to_owned()),
    };
    let d = draft;
    ParticipantFormPage {
        shell: viewer.shell(&title),
        csrf: viewer.csrf.clone(),
        action,
        id: id.map(ParticipantId::get),
        pseudonym: input("pseudonym", &d.pseudonym),
        criteria: criteria(&d.criterion),
        validated_on: input("validated_on", &d.validated_on),
        prescriber: input("prescriber", &d.prescriber),
        birth_year: input("birth_year", &d.birth_year),
        sex: select::<Sex>("sex".to_owned(), &d.sex, Some("Non renseigné")),
        qpv: qpv(&d.qpv),
        exit_outcome: select::<ExitOutcome>(
            "exit_outcome".to_owned(),
            &d.exit_outcome,
            Some("Pas de sortie"),
        ),
        exit_date: input("exit_date", &d.exit_date),
        six_month_situation: select::<SixMonthSituation>(
            "six_month_situation".to_owned(),
            &d.six_month_situation,
            Some("Non renseignée"),
        ),
        six_month_on: input("six_month_on", &d.six_month_on),
        six_month_source: input("six_month_source", &d.six_month_source),
        refusal,
    }
}

/// The participant as its form was posted.
fn draft_of(fields: &Fields) -> ParticipantDraft {
    ParticipantDraft {
        pseudonym: fields.text("pseudonym"),
        criterion: fields.text("criterion"),
        validated_on: fields.text("validated_on"),
        prescriber: fields.text("prescriber"),
        birth_year: fields.text("birth_year"),
        sex: fields.text("sex"),
        qpv: fields.text("qpv"),
        exit_outcome: fields.text("exit_outcome"),
        exit_date: fields.text("exit_date"),
        six_month_situation: fields.text("six_month_situation"),
        six_month_on: fields.text("six_month_on"),
        six_month_source: fields.text("six_month_source"),
    }
}

/// To the participant's page, saying what was done.
fn to_participant(id: ParticipantId, message: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/participants/{id}?message={message}")))
        .finish()
}

/// `GET /participants/nouveau`.
pub async fn new_form(viewer: Viewer<can::ManageParticipants>) -> Result<HttpResponse, PageError> {
    let page = form_page(
        &viewer,
        None,
        &ParticipantDraft::default(),
        Refusal::default(),
    );
    super::html(&page)
}

/// `POST /participants`: to the new participant's page; or the form again, as typed, the
/// faulty field marked.
pub async fn create(
    posted: Posted<can::ManageParticipants, Fields>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (viewer, draft) = (posted.viewer, draft_of(&posted.form));
    let (caller, asked, today) = (viewer.caller(), draft.clone(), app::today());
    let created = crate::web::run(&database, move |conn| {
        app::participants::create(conn, &caller, &asked, today)
    })
    .await;
    match created {
        Ok(id) => Ok(to_participant(id, "cree")),
        Err(error) => super::refused(
            &error,
            &form_page(&viewer, None, &draft, Refusal::of(&error)),
        ),
    }
}

/// `GET /participants/{id}/modifier`: the stored participant in its form.
pub async fn edit_form(
    viewer: Viewer<can::ManageParticipants>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (id, caller) = (ParticipantId::from(id.into_inner()), viewer.caller());
    let stored = crate::web::run(&database, move |conn| {
        app::participants::editable(conn, &caller, id)
    })
    .await?;
    let draft = ParticipantDraft::of_stored(&stored);
    super::html(&form_page(&viewer, Some(id), &draft, Refusal::default()))
}

/// `POST /participants/{id}/modifier`: back to the participant's page, or the form again as
/// typed (its identifier as stored).
pub async fn change(
    posted: Posted<can::ManageParticipants, Fields>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (viewer, mut draft) = (posted.viewer, draft_of(&posted.form));
    let id = ParticipantId::from(id.into_inner());
    let (caller, asked, today) = (viewer.caller(), draft.clone(), app::today());
    let changed = crate::web::run(&database, move |conn| {
        app::participants::change(conn, &caller, id, &asked, today)
    })
    .await;
    let error = match changed {
        Ok(()) => return Ok(to_participant(id, "modifie")),
        Err(error) if error.code.status() == 404 => return Err(error.into()),
        Err(error) => error,
    };
    let caller = viewer.caller();
    let stored = crate::web::run(&database, move |conn| {
        app::participants::editable(conn, &caller, id)
    })
    .await?;
    draft.pseudonym = stored.pseudonym;
    super::refused(
        &error,
        &form_page(&viewer, Some(id), &draft, Refusal::of(&error)),
    )
}
