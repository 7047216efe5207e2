//! Statements of hours under review as a page: the list awaiting validation with, for a
//! facilitateur or an administrator, the forms to validate, reject (with a reason) or reopen;
//! a company sees its own statements, rejections with their reasons.

use actix_web::HttpResponse;
use actix_web::http::header::LOCATION;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::shell::Shell;
use super::viewer::{CsrfForm, Posted, Viewer};
use super::{HTML, PageError, html, text};
use crate::app::AppError;
use crate::app::reviews::{self, ReviewLine, ReviewQuery, ReviewTarget};
use crate::domain::authorization::{Action, Permission};
use crate::domain::{Labelled, ReviewState};
use crate::storage::Database;
use crate::web::auth::can;

pub struct Line {
    pub import: String,
    pub import_id: i64,
    pub lot_id: i64,
    pub contract: String,
    pub company: String,
    pub month: String,
    pub month_code: String,
    pub hours: String,
    pub entries: i64,
    pub state: &'static str,
    pub state_code: &'static str,
    pub reason: String,
    pub since: String,
}

pub struct StateChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "reviews.html")]
struct ReviewsPage {
    shell: Shell,
    csrf: String,
    may_review: bool,
    states: Vec<StateChoice>,
    /// The state listed, when one was asked.
    state: Option<&'static str>,
    import: Option<i64>,
    /// The imports of the lines awaiting validation, for the whole-import forms.
    imports: Vec<i64>,
    lines: Vec<Line>,
    total: String,
    message: Option<String>,
    error: Option<String>,
}

fn line(l: &ReviewLine) -> Line {
    let g = &l.group;
    Line {
        import: g
            .import_id
            .map_or_else(|| "—".to_owned(), |id| id.to_string()),
        import_id: g.import_id.map_or(0, |id| id.get()),
        lot_id: g.lot_id.get(),
        // « marché sans lots » rather than a lot 0, as every other page says it.
        contract: format!(
            "{}, {}",
            l.reference,
            crate::domain::lot::lot_heading(l.lot, None).to_lowercase()
        ),
        company: format!("{} ({})", l.company_name, l.company_siret),
        month: g.month.to_string(),
        month_code: g.month.iso(),
        hours: text::hours(g.hours),
        entries: g.entries,
        state: g.state.label(),
        state_code: g.state.code(),
        reason: g.reason.clone().unwrap_or_default(),
        since: g
            .since
            .map(|at| at.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
    }
}

#[derive(Deserialize, Default)]
pub struct ReviewsParams {
    etat: Option<String>,
    import: Option<i64>,
    message: Option<String>,
}

async fn reviews_page<P: Permission>(
    viewer: &Viewer<P>,
    database: &web::Data<Database>,
    params: &ReviewsParams,
    error: Option<String>,
) -> Result<ReviewsPage, PageError> {
    let state = reviews::state_of(params.etat.as_deref())?;
    let query = ReviewQuery {
        state,
        import: params.import.map(Into::into),
    };
    let caller = viewer.caller();
    let found = crate::web::run(database, move |conn| reviews::list(conn, &caller, &query)).await?;
    let mut imports: Vec<i64> = found
        .iter()
        .filter(|l| l.group.state == ReviewState::Declared)
        .filter_map(|l| l.group.import_id.map(|id| id.get()))
        .collect();
    imports.sort_unstable();
    imports.dedup();
    let total = found.iter().map(|l| l.group.hours).sum();
    Ok(ReviewsPage {
        shell: viewer.shell("Relevés d'heures"),
        csrf: viewer.csrf.clone(),
        may_review: viewer.may(Action::ReviewHours),
        states: ReviewState::ALL
            .iter()
            .map(|s| StateChoice {
                code: s.code(),
                label: s.label(),
                selected: Some(*s) == state,
            })
            .collect(),
        state: state.map(|s| s.code()),
        import: params.import,
        imports,
        lines: found.iter().map(line).collect(),
        total: text::hours(total),
        message: params.message.as_deref().and_then(message_of),
        error,
    })
}

/// The line said after a decision, by its code in the address.
fn message_of(code: &str) -> Option<String> {
    let text = match code {
        "valide" => "Les relevés sont validés : leurs heures comptent désormais.",
        "rejete" => {
            "Les relevés sont rejetés : l'entreprise voit le motif et peut envoyer un fichier corrigé."
        }
        "rouvert" => "Le mois est rouvert : ses heures attendent de nouveau une validation.",
        _ => return None,
    };
    Some(text.to_owned())
}

/// `GET /releves?etat=&import=`.
pub async fn list(
    viewer: Viewer<can::ReadReviews>,
    params: web::Query<ReviewsParams>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    html(&reviews_page(&viewer, &database, &params, None).await?)
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf_token: String,
    decision: String,
    reason: Option<String>,
    /// Either an import…
    import: Option<i64>,
    /// …or a lot and a month.
    lot: Option<i64>,
    month: Option<String>,
}

impl CsrfForm for DecisionForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl DecisionForm {
    fn target(&self) -> Result<ReviewTarget, AppError> {
        match (self.import, self.lot, self.month.as_deref()) {
            (Some(import), None, _) => Ok(ReviewTarget::Import(import.into())),
            (None, Some(lot), Some(month)) => Ok(ReviewTarget::LotMonth(
                lot.into(),
                reviews::month_of(month)?,
            )),
            _ => Err(AppError::bad_request(
                "Le formulaire doit désigner un import, ou un lot et un mois : rechargez la page puis recommencez.",
            )),
        }
    }
}

/// `POST /releves`: a decision; back to the list, saying what was done, or the list with why
/// the decision was refused.
pub async fn decide(
    posted: Posted<can::ReviewHours, DecisionForm>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (viewer, form) = (posted.viewer, posted.form);
    let decided = match (form.target(), reviews::decision_of(&form.decision)) {
        (Ok(target), Ok(decision)) => {
            let caller = viewer.caller();
            let reason = form.reason.clone();
            crate::web::run(&database, move |conn| {
                reviews::decide(conn, &caller, target, decision, reason.as_deref())
            })
            .await
        }
        (Err(error), _) | (_, Err(error)) => Err(error),
    };
    match decided {
        Ok(done) => {
            let code = match done.state {
                ReviewState::Validated => "valide",
                ReviewState::Rejected => "rejete",
                ReviewState::Declared => "rouvert",
            };
            Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, format!("/releves?message={code}")))
                .finish())
        }
        Err(error) => {
            let page = reviews_page(
                &viewer,
                &database,
                &ReviewsParams::default(),
                Some(error.message().to_owned()),
            )
            .await?;
            Ok(
                HttpResponse::build(crate::web::error::status_of(error.code))
                    .content_type(HTML)
                    .body(page.render()?),
            )
        }
    }
}
