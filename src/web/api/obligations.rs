//! The buyer's legal obligations, contract by contract.

use actix_web::web;

use crate::app::{self, AppError, Narrowing};
use crate::domain::ObligationRules;
use crate::storage::Database;
use crate::web::api::wire::obligations::ObligationsJson;
use crate::web::auth::{Authorized, can};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ObligationsQuery {
    /// Contracts notified during this year.
    pub year: i32,
    /// SIRET of one buyer of the caller's scope.
    pub buyer: Option<String>,
    /// Only the buyers whose territory holds this département.
    pub departement: Option<String>,
}

/// `GET /api/obligations?year=`: each contract's social and environmental status.
#[utoipa::path(
    get,
    path = "/api/obligations",
    operation_id = "list_obligations",
    tag = "obligations",
    security(("bearer" = [])),
    params(ObligationsQuery),
    responses(
        (status = 200, body = ObligationsJson),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn list(
    user: Authorized<can::ReadObligations>,
    query: web::Query<ObligationsQuery>,
    database: web::Data<Database>,
    rules: web::Data<ObligationRules>,
) -> Result<web::Json<ObligationsJson>, AppError> {
    let narrowing = Narrowing::parse(query.buyer.as_deref(), query.departement.as_deref())?;
    let (year, caller) = (query.year, user.caller());
    let entry_into_force = rules.entry_into_force;
    let found = crate::web::run(&database, move |conn| {
        app::obligations::of_year(conn, &caller, &rules, year, &narrowing)
    })
    .await?;
    Ok(web::Json(ObligationsJson::new(
        year,
        entry_into_force,
        found,
    )))
}
