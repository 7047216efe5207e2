//! « Relances »: run the reminders by e-mail from a page, see what each company got and the
//! reminders recorded, « à envoyer » while no SMTP relay is set up.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::viewer::{CsrfForm, Posted, Viewer};
use super::{HTML, PageError};
use crate::app::reminders::{self, NO_RELAY, RemindReport, RemindRequest};
use crate::app::{self, AppError};
use crate::domain::{FollowupRules, Labelled};
use crate::indicators::FigureCache;
use crate::mail::Outbox;
use crate::storage::Database;
use crate::storage::reminders::Reminder;
use crate::web::auth::can;

pub struct RunCompany {
    pub siret: String,
    pub name: String,
    pub recipient: String,
    pub lines: Vec<String>,
    pub outcome: String,
}

pub struct Run {
    pub summary: String,
    pub companies: Vec<RunCompany>,
}

pub struct Recorded {
    pub at: String,
    pub siret: String,
    pub name: String,
    pub recipient: String,
    pub lines: Vec<String>,
    pub state: &'static str,
    pub state_code: &'static str,
    pub error: Option<String>,
    pub attempts: i32,
}

#[derive(Template)]
#[template(path = "reminders.html")]
struct RemindersPage {
    shell: super::shell::Shell,
    csrf: String,
    relay: bool,
    no_relay: &'static str,
    quiet_days: u32,
    as_of: String,
    run: Option<Run>,
    recorded: Vec<Recorded>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct RemindForm {
    csrf_token: String,
    as_of: Option<String>,
    dry_run: Option<String>,
}

impl CsrfForm for RemindForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

fn run_of(report: &RemindReport) -> Run {
    Run {
        summary: report.summary(),
        companies: report
            .companies
            .iter()
            .map(|c| RunCompany {
                siret: c.siret.clone(),
                name: c.name.clone(),
                recipient: c.recipient.clone().unwrap_or_else(|| "—".to_owned()),
                lines: c.items.iter().map(|i| i.line()).collect(),
                outcome: c.outcome.label(),
            })
            .collect(),
    }
}

fn recorded(reminder: &Reminder) -> Recorded {
    Recorded {
        at: reminder.created_at.format("%d/%m/%Y %H:%M").to_string(),
        siret: reminder.company_siret.clone(),
        name: reminder.company_name.clone(),
        recipient: reminder.recipient.clone(),
        lines: reminder.items.lines().map(str::to_owned).collect(),
        state: reminder.state.label(),
        state_code: reminder.state.code(),
        error: reminder.error.clone(),
        attempts: reminder.attempts,
    }
}

/// The page, with a run's result when there is one.
async fn page<P: crate::domain::authorization::Permission>(
    viewer: &Viewer<P>,
    database: &web::Data<Database>,
    outbox: &Outbox,
    run: Option<Run>,
    error: Option<String>,
) -> Result<RemindersPage, PageError> {
    let caller = viewer.caller();
    let found = crate::web::run(database, move |conn| reminders::recent(conn, &caller)).await?;
    Ok(RemindersPage {
        shell: viewer.shell("Relances par courriel"),
        csrf: viewer.csrf.clone(),
        relay: outbox.mailer.has_relay(),
        no_relay: NO_RELAY,
        quiet_days: outbox.quiet_days,
        as_of: app::today().to_string(),
        run,
        recorded: found.iter().map(recorded).collect(),
        error,
    })
}

/// `GET /relances`.
pub async fn list(
    viewer: Viewer<can::SendReminders>,
    database: web::Data<Database>,
    outbox: web::Data<Outbox>,
) -> Result<HttpResponse, PageError> {
    super::html(&page(&viewer, &database, &outbox, None, None).await?)
}

/// `POST /relances`: runs the reminders and shows what each company got.
pub async fn send(
    posted: Posted<can::SendReminders, RemindForm>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
    rules: web::Data<FollowupRules>,
    outbox: web::Data<Outbox>,
) -> Result<HttpResponse, PageError> {
    let (viewer, form) = (posted.viewer, posted.form);
    let today = match form
        .as_of
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => Ok(app::today()),
        Some(text) => text
            .parse()
            .map_err(|_| AppError::new(app::ErrorCode::InvalidDate)),
    };
    let request = today.map(|today| RemindRequest {
        today,
        dry_run: form.dry_run.is_some(),
    });
    let done = match request {
        Ok(request) => {
            let (caller, sender) = (viewer.caller(), outbox.clone());
            crate::web::run(&database, move |conn| {
                reminders::remind(conn, &figures, &caller, &rules, &sender, request)
            })
            .await
        }
        Err(error) => Err(error),
    };
    let (run, error, status) = match done {
        Ok(report) => (Some(run_of(&report)), None, StatusCode::OK),
        Err(error) => (
            None,
            Some(error.message().to_owned()),
            crate::web::error::status_of(error.code),
        ),
    };
    let page = page(&viewer, &database, &outbox, run, error).await?;
    Ok(HttpResponse::build(status)
        .content_type(HTML)
        .body(page.render()?))
}
