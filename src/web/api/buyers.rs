//! Buyers within the caller's scope.

use actix_web::web;

use crate::app;
use crate::app::AppError;
use crate::storage::Database;
use crate::storage::buyers::Buyer;
use crate::web::auth::{Authorized, can};

/// `GET /api/buyers`: all of them, or those of the caller's scope.
#[utoipa::path(
    get,
    path = "/api/buyers",
    operation_id = "list_buyers",
    tag = "buyers",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Buyer>),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn list(
    user: Authorized<can::ReadBuyers>,
    database: web::Data<Database>,
) -> Result<web::Json<Vec<Buyer>>, AppError> {
    let caller = user.caller();
    let visible =
        crate::web::run(&database, move |conn| app::buyers::visible(conn, &caller)).await?;
    Ok(web::Json(visible))
}
