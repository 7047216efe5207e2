//! « À faire »: what needs someone today in the caller's scope, as JSON or as a workbook.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

use crate::app::followup::{self, FollowupQuery};
use crate::app::{self, AppError};
use crate::domain::FollowupRules;
use crate::indicators::FigureCache;
use crate::storage::Database;
use crate::web::api::wire::followup::FollowupItemJson;
use crate::web::auth::{Authorized, can};
use crate::web::{XLSX, attachment};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct FollowupParams {
    /// Only this kind: `behind_pace`, `ended_short`, `missing_statement`,
    /// `pending_validation`, `eligibility_pending`, `qpv_share_short`, `exit_followup_due`.
    pub kind: Option<String>,
    /// Only this buyer's items (a SIRET of the caller's scope).
    pub buyer: Option<String>,
    /// Only the items of this company (its SIRET).
    pub company: Option<String>,
    /// The date the rules are applied at; today by default.
    pub as_of: Option<NaiveDate>,
}

impl FollowupParams {
    pub fn query(&self) -> Result<FollowupQuery, AppError> {
        FollowupQuery::parse(
            self.kind.as_deref(),
            self.buyer.as_deref(),
            self.company.as_deref(),
            self.as_of.unwrap_or_else(app::today),
        )
    }
}

/// `GET /api/followup`: the items of the caller's scope, the most urgent first.
#[utoipa::path(
    get,
    path = "/api/followup",
    operation_id = "list_followup",
    tag = "followup",
    security(("bearer" = [])),
    params(FollowupParams),
    responses(
        (status = 200, body = Vec<FollowupItemJson>),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant, ou acheteur hors du périmètre", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn list(
    user: Authorized<can::ReadFollowup>,
    params: web::Query<FollowupParams>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
    rules: web::Data<FollowupRules>,
) -> Result<web::Json<Vec<FollowupItemJson>>, AppError> {
    let (query, caller) = (params.query()?, user.caller());
    let lines = crate::web::run(&database, move |conn| {
        followup::list(conn, &figures, &caller, &rules, &query)
    })
    .await?;
    Ok(web::Json(
        lines.iter().map(FollowupItemJson::from).collect(),
    ))
}

/// `GET /api/followup.xlsx`: the same list as a workbook.
#[utoipa::path(
    get,
    path = "/api/followup.xlsx",
    operation_id = "followup_workbook",
    tag = "followup",
    security(("bearer" = [])),
    params(FollowupParams),
    responses(
        (status = 200, description = "À faire (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant, ou acheteur hors du périmètre", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn workbook(
    user: Authorized<can::ReadFollowup>,
    params: web::Query<FollowupParams>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
    rules: web::Data<FollowupRules>,
) -> Result<HttpResponse, AppError> {
    let (query, caller) = (params.query()?, user.caller());
    let file_name = format!("a-faire-{}.xlsx", query.today.format("%Y%m%d"));
    let bytes = crate::web::run(&database, move |conn| {
        followup::workbook(conn, &figures, &caller, &rules, &query)
    })
    .await?;
    Ok(attachment(XLSX, &file_name, bytes))
}
