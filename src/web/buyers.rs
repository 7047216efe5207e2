//! Buyers within the caller's scope.

use actix_web::web;

use super::auth::{Authorized, can};
use super::error::ApiError;
use crate::storage::buyers::{self, Buyer};
use crate::storage::users::BuyerScope;
use crate::storage::{Database, StorageError};

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
) -> Result<web::Json<Vec<Buyer>>, ApiError> {
    let scope = user.account.scope;
    let all = database
        .run(|conn| buyers::list(conn).map_err(StorageError::from))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let visible = all
        .into_iter()
        .filter(|buyer| match &scope {
            BuyerScope::AllBuyers => true,
            BuyerScope::Buyers { buyer_ids } => buyer_ids.contains(&buyer.id),
            BuyerScope::Company { .. } => false,
        })
        .collect();
    Ok(web::Json(visible))
}
