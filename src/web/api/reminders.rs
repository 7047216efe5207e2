//! Reminders by e-mail: run them, list them; and a company's contact address, where they go.

use actix_web::web;
use chrono::NaiveDate;

use crate::app::reminders::{self, RemindRequest};
use crate::app::{self, AppError};
use crate::domain::FollowupRules;
use crate::indicators::FigureCache;
use crate::mail::Outbox;
use crate::storage::Database;
use crate::web::api::wire::reminders::{RemindReportJson, ReminderJson};
use crate::web::auth::{Authorized, can};

/// What a run is asked.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct RemindRequestJson {
    /// The date the « À faire » rules are applied at; today by default.
    pub as_of: Option<NaiveDate>,
    /// Only say what would be sent: nothing is sent nor recorded.
    #[serde(default)]
    pub dry_run: bool,
}

/// `POST /api/reminders`: reminds by e-mail each company of the caller's scope that misses
/// statements (the `missing_statement` items of `GET /api/followup`).
#[utoipa::path(
    post,
    path = "/api/reminders",
    operation_id = "send_reminders",
    tag = "followup",
    security(("bearer" = [])),
    request_body = RemindRequestJson,
    responses(
        (status = 200, body = RemindReportJson),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn send(
    user: Authorized<can::SendReminders>,
    body: web::Json<RemindRequestJson>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
    rules: web::Data<FollowupRules>,
    outbox: web::Data<Outbox>,
) -> Result<web::Json<RemindReportJson>, AppError> {
    let request = RemindRequest {
        today: body.as_of.unwrap_or_else(app::today),
        dry_run: body.dry_run,
    };
    let caller = user.caller();
    let report = crate::web::run(&database, move |conn| {
        reminders::remind(conn, &figures, &caller, &rules, &outbox, request)
    })
    .await?;
    Ok(web::Json(RemindReportJson::from(&report)))
}

/// `GET /api/reminders`: the 200 most recent reminders of the caller's scope, newest first.
#[utoipa::path(
    get,
    path = "/api/reminders",
    operation_id = "list_reminders",
    tag = "followup",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<ReminderJson>),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn list(
    user: Authorized<can::SendReminders>,
    database: web::Data<Database>,
) -> Result<web::Json<Vec<ReminderJson>>, AppError> {
    let caller = user.caller();
    let found = crate::web::run(&database, move |conn| reminders::recent(conn, &caller)).await?;
    Ok(web::Json(found.iter().map(ReminderJson::from).collect()))
}

/// A company's contact address.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ContactJson {
    /// Where reminders are sent; `null` or empty clears it.
    pub contact_email: Option<String>,
}

/// `PATCH /api/companies/{siret}`: sets the company's contact address.
#[utoipa::path(
    patch,
    path = "/api/companies/{siret}",
    operation_id = "set_company_contact",
    tag = "companies",
    security(("bearer" = [])),
    params(("siret" = String, Path, description = "SIRET de l'entreprise")),
    request_body = ContactJson,
    responses(
        (status = 200, body = ContactAnswer),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn set_contact(
    user: Authorized<can::ManageCompanies>,
    siret: web::Path<String>,
    body: web::Json<ContactJson>,
    database: web::Data<Database>,
) -> Result<web::Json<ContactAnswer>, AppError> {
    let siret = app::companies::company_of(&siret)?;
    let (email, caller) = (body.into_inner().contact_email, user.caller());
    let answer = siret.as_str().to_owned();
    let set = crate::web::run(&database, move |conn| {
        app::companies::set_contact_email(conn, &caller, &siret, email.as_deref())
    })
    .await?;
    Ok(web::Json(ContactAnswer {
        siret: answer,
        contact_email: set.map(|e| e.as_str().to_owned()),
    }))
}

/// The company's contact address as recorded.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ContactAnswer {
    pub siret: String,
    pub contact_email: Option<String>,
}
