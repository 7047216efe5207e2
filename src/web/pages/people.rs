//! The pages about participants (pseudonymous, facilitators only); accounts have their own
//! pages (`accounts`), the audit log its own (`audit`).

use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use super::form::{Fields, Refusal};
use super::pager::Pager;
use super::shell::Shell;
use super::viewer::{Posted, Viewer};
use super::{PageError, text};
use crate::app;
use crate::app::participants::{Pathway, SituationDraft};
use crate::domain::authorization::Action;
use crate::domain::lot::lot_heading;
use crate::domain::{
    EligibilityCriterion, ExitOutcome, Hours, Labelled, SixMonthSituation, six_month_due_on,
};
use crate::storage::participants::{ParticipantView, TimelineRow};
use crate::storage::work_contracts::{ParticipantContract, ServedLot};
use crate::storage::{Database, ParticipantId};
use crate::web::api::listings::ParticipantsQuery;
use crate::web::auth::can;

pub struct ParticipantRow {
    pub id: i64,
    pub pseudonym: String,
    pub criterion: &'static str,
    pub validated_on: String,
    pub exit: String,
    pub hours: String,
}

pub struct CriterionChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "participants.html")]
struct ParticipantsPage {
    shell: Shell,
    q: String,
    criteria: Vec<CriterionChoice>,
    rows: Vec<ParticipantRow>,
    pager: Pager,
    /// Why the filter was refused, shown beside it.
    refusal: Option<String>,
    /// Whether to offer « Nouveau participant ».
    may_create: bool,
}

/// `GET /participants?q=&criterion=&page=`.
pub async fn participants(
    viewer: Viewer<can::ReadParticipants>,
    query: web::Query<ParticipantsQuery>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let mut query = query.into_inner();
    query.per_page = Some(50);
    let (asked, caller) = (query.typed(), viewer.caller());
    let (found, (), refusal) = super::listing_or_refusal(
        crate::web::run(&database, move |conn| {
            app::participants::page(conn, &caller, &asked)
        })
        .await
        .map(|found| (found, ())),
    )?;
    let pager = Pager::of(
        &found,
        "/participants",
        &[
            ("q", query.q.clone()),
            ("criterion", query.criterion.clone()),
        ],
    );
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%d/%m/%Y").to_string());
    let rows = found
        .items
        .into_iter()
        .map(|p| ParticipantRow {
            criterion: EligibilityCriterion::from_code(&p.criterion).map_or("—", |c| c.label()),
            validated_on: date(p.validated_on).unwrap_or_else(|| "—".to_owned()),
            exit: match p.exit_outcome.as_deref().and_then(ExitOutcome::from_code) {
                Some(exit) => format!(
                    "{}{}",
                    exit.label(),
                    date(p.exit_date).map_or_else(String::new, |d| format!(" ({d})"))
                ),
                None => "—".to_owned(),
            },
            hours: text::hundredths(p.hours),
            id: p.id.get(),
            pseudonym: p.pseudonym,
        })
        .collect();
    let page = ParticipantsPage {
        shell: viewer.shell("Participants"),
        q: query.q.clone().unwrap_or_default(),
        criteria: EligibilityCriterion::ALL
            .iter()
            .map(|c| CriterionChoice {
                code: c.code(),
                label: c.label(),
                selected: query.criterion.as_deref() == Some(c.code()),
            })
            .collect(),
        rows,
        pager,
        refusal,
        may_create: viewer.may(Action::ManageParticipants),
    };
    super::listing_html(&page, &page.refusal)
}

/// One lot and company of a month of the timeline.
pub struct TimelineLine {
    pub contract_id: i64,
    pub reference: String,
    pub lot: String,
    pub company: String,
    pub company_siret: String,
    pub hours: String,
    /// "dont 7,00 h de formation, 3,00 h en attente de validation", or empty.
    pub of_which: String,
}

/// A month of the timeline: its hours on each lot and company.
pub struct TimelineMonth {
    pub month: String,
    pub total: String,
    pub lines: Vec<TimelineLine>,
}

/// A lot a work contract served, linked to its contract.
pub struct ServedLine {
    pub contract_id: i64,
    pub label: String,
}

/// One work contract of the participant.
pub struct WorkContractLine {
    pub kind: &'static str,
    pub employer: String,
    pub employer_siret: String,
    /// The insertion structure that employed or seconded the person, or empty.
    pub structure: String,
    pub period: String,
    pub weekly_hours: String,
    pub lots: Vec<ServedLine>,
    /// « Registre » or « Déduit des relevés d'heures ».
    pub origin: &'static str,
}

pub struct SituationChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "participant.html")]
struct ParticipantPage {
    shell: Shell,
    csrf: String,
    id: i64,
    criterion: String,
    validated_on: String,
    prescriber: String,
    exit: String,
    due_on: String,
    situation: String,
    months: Vec<TimelineMonth>,
    work_contracts: Vec<WorkContractLine>,
    total: String,
    training: String,
    anonymised: bool,
    /// The form of the six-month situation, when there is an exit to follow.
    form: Option<SituationForm>,
    /// What was just saved.
    notice: Option<&'static str>,
    /// Whether to offer « Modifier ce participant ».
    editable: bool,
}

/// The situation form, as stored or as typed, and why it was refused.
pub struct SituationForm {
    pub choices: Vec<SituationChoice>,
    pub on: String,
    pub source: String,
    pub refusal: Refusal,
}

fn exact(hundredths: i64) -> String {
    Hours::from_hundredths(hundredths).map_or_else(|_| String::new(), |h| h.to_string())
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%d/%m/%Y").to_string())
}

/// The timeline's rows grouped by month, in the order the storage gives them (by month).
fn months(rows: &[TimelineRow]) -> Vec<TimelineMonth> {
    let mut months: Vec<(crate::domain::Month, Vec<&TimelineRow>)> = Vec::new();
    for row in rows {
        match months.last_mut() {
            Some((month, lines)) if *month == row.month => lines.push(row),
            _ => months.push((row.month, vec![row])),
        }
    }
    months
        .into_iter()
        .map(|(month, lines)| TimelineMonth {
            month: month.to_string(),
            total: exact(lines.iter().map(|l| l.hours).sum()),
            lines: lines.into_iter().map(timeline_line).collect(),
        })
        .collect()
}

fn timeline_line(row: &TimelineRow) -> TimelineLine {
    let of_which: Vec<String> = [
        (row.training, "de formation"),
        (row.pending, "en attente de validation"),
    ]
    .into_iter()
    .filter(|(h, _)| *h > 0)
    .map(|(h, what)| format!("{} {what}", exact(h)))
    .collect();
    TimelineLine {
        contract_id: row.contract_id.get(),
        reference: row.reference.clone(),
        lot: lot_heading(row.lot, row.lot_title.as_deref()),
        company: row.company_name.clone(),
        company_siret: row.company_siret.clone(),
        hours: exact(row.hours),
        of_which: if of_which.is_empty() {
            String::new()
        } else {
            format!("dont {}", of_which.join(", "))
        },
    }
}

fn work_contract_line(c: &ParticipantContract, served: &[ServedLot]) -> WorkContractLine {
    let start = c.start_date.format("%d/%m/%Y");
    WorkContractLine {
        kind: c.contract_type.label(),
        employer: c.employer_name.clone(),
        employer_siret: c.employer_siret.clone(),
        structure: c.structure_name.clone().unwrap_or_default(),
        period: match c.end_date {
            Some(end) => format!("du {start} au {}", end.format("%d/%m/%Y")),
            None => format!("depuis le {start}"),
        },
        weekly_hours: c
            .weekly_hours
            .map_or_else(|| "non précisée".to_owned(), |h| h.to_string()),
        lots: served
            .iter()
            .filter(|s| s.work_contract_id == c.id)
            .map(|s| ServedLine {
                contract_id: s.contract_id.get(),
                label: format!(
                    "{}, {}",
                    s.reference,
                    lot_heading(s.lot, s.lot_title.as_deref())
                ),
            })
            .collect(),
        origin: if c.derived {
            "Déduit des relevés d'heures"
        } else {
            "Registre des contrats"
        },
    }
}

fn situation_form(p: &ParticipantView, typed: Option<(SituationDraft, Refusal)>) -> SituationForm {
    let (draft, refusal) = typed.unwrap_or_else(|| {
        let stored = SituationDraft {
            situation: p.six_month_situation.clone().unwrap_or_default(),
            on: day(p.six_month_on).unwrap_or_default(),
            source: p.six_month_source.clone().unwrap_or_default(),
        };
        (stored, Refusal::default())
    });
    let chosen = SixMonthSituation::parse_label(&draft.situation).ok();
    SituationForm {
        choices: SixMonthSituation::ALL
            .iter()
            .map(|s| SituationChoice {
                code: s.code(),
                label: s.label(),
                selected: chosen == Some(*s),
            })
            .collect(),
        on: draft.on,
        source: draft.source,
        refusal,
    }
}

fn participant_page<P: crate::domain::authorization::Permission>(
    viewer: &Viewer<P>,
    pathway: Pathway,
    typed: Option<(SituationDraft, Refusal)>,
    notice: Option<&'static str>,
) -> ParticipantPage {
    let p = &pathway.participant;
    let exit = match p.exit_outcome.as_deref().and_then(ExitOutcome::from_code) {
        Some(outcome) => format!(
            "{}{}",
            outcome.label(),
            day(p.exit_date).map_or_else(String::new, |d| format!(", le {d}"))
        ),
        None => "Pas de sortie enregistrée".to_owned(),
    };
    let situation = match p
        .six_month_situation
        .as_deref()
        .and_then(SixMonthSituation::from_code)
    {
        Some(s) => format!(
            "{}{}{}",
            s.label(),
            day(p.six_month_on).map_or_else(String::new, |d| format!(", le {d}")),
            p.six_month_source
                .as_deref()
                .map_or_else(String::new, |src| format!(" (source : {src})"))
        ),
        None => "Non enregistrée".to_owned(),
    };
    let training: i64 = pathway.timeline.iter().map(|r| r.training).sum();
    let total: i64 = pathway.timeline.iter().map(|r| r.hours).sum();
    ParticipantPage {
        shell: viewer.shell(&format!("Participant {}", p.pseudonym)),
        csrf: viewer.csrf.clone(),
        id: p.id.get(),
        criterion: EligibilityCriterion::from_code(&p.criterion)
            .map_or("—", Labelled::label)
            .to_owned(),
        validated_on: day(p.validated_on).unwrap_or_else(|| "non validée".to_owned()),
        prescriber: p.prescriber.clone().unwrap_or_else(|| "—".to_owned()),
        exit,
        due_on: p
            .exit_date
            .and_then(six_month_due_on)
            .and_then(|d| day(Some(d)))
            .unwrap_or_default(),
        situation,
        months: months(&pathway.timeline),
        work_contracts: pathway
            .work_contracts
            .iter()
            .map(|c| work_contract_line(c, &pathway.served_lots))
            .collect(),
        total: exact(total),
        training: exact(training),
        anonymised: p.anonymised_at.is_some(),
        form: (p.exit_date.is_some() && p.anonymised_at.is_none())
            .then(|| situation_form(p, typed)),
        notice,
        editable: viewer.may(Action::ManageParticipants) && p.anonymised_at.is_none(),
    }
}

/// What the page says after a form, by the `message` of its address.
const NOTICES: &[(&str, &str)] = &[
    ("situation", "Situation à six mois enregistrée."),
    ("cree", "Participant enregistré."),
    ("modifie", "Participant modifié."),
];

#[derive(serde::Deserialize)]
pub struct SavedQuery {
    message: Option<String>,
}

/// `GET /participants/{id}`: a participant's pathway, by pseudonym only.
pub async fn participant(
    viewer: Viewer<can::ReadParticipants>,
    id: web::Path<i64>,
    query: web::Query<SavedQuery>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (id, caller) = (ParticipantId::from(id.into_inner()), viewer.caller());
    let pathway = crate::web::run(&database, move |conn| {
        app::participants::pathway(conn, &caller, id)
    })
    .await?;
    let notice = NOTICES
        .iter()
        .find(|(key, _)| query.message.as_deref() == Some(*key))
        .map(|(_, said)| *said);
    super::html(&participant_page(&viewer, pathway, None, notice))
}

/// `POST /participants/{id}/situation`: records the six-month situation and goes back to the
/// page, or shows the form again as typed, the faulty field marked.
pub async fn record_situation(
    posted: Posted<can::RecordSituations, Fields>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (viewer, fields) = (posted.viewer, posted.form);
    let id = ParticipantId::from(id.into_inner());
    let draft = SituationDraft {
        situation: fields.text("situation"),
        on: fields.text("on"),
        source: fields.text("source"),
    };
    let (caller, asked) = (viewer.caller(), draft.clone());
    let today = app::today();
    let saved = crate::web::run(&database, move |conn| {
        app::participants::record_six_month(conn, &caller, id, &asked, today)
    })
    .await;
    match saved {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header((
                LOCATION,
                format!("/participants/{id}?message=situation#situation"),
            ))
            .finish()),
        Err(error) if error.code.status() == 422 => {
            let refusal = Refusal::of(&error);
            let caller = viewer.caller();
            let pathway = crate::web::run(&database, move |conn| {
                app::participants::pathway(conn, &caller, id)
            })
            .await?;
            let page = participant_page(&viewer, pathway, Some((draft, refusal)), None);
            let body = page.render()?;
            Ok(HttpResponse::UnprocessableEntity()
                .content_type(super::HTML)
                .body(body))
        }
        Err(error) => Err(error.into()),
    }
}
