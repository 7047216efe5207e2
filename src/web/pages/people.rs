//! The pages about participants (pseudonymous, facilitators only); accounts have their own
//! pages (`accounts`), the audit log its own (`audit`).

use actix_web::{HttpResponse, web};
use askama::Template;

use super::pager::Pager;
use super::shell::Shell;
use super::viewer::Viewer;
use super::{PageError, text};
use crate::app;
use crate::domain::{EligibilityCriterion, ExitOutcome, Labelled};
use crate::storage::Database;
use crate::web::api::listings::ParticipantsQuery;
use crate::web::auth::can;

pub struct ParticipantRow {
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
    };
    super::listing_html(&page, &page.refusal)
}
