//! The audit log, for administrators.

use actix_web::web;
use serde::Deserialize;

use super::auth::{Authorized, can};
use super::error::ApiError;
use crate::storage::audit::{self, AuditEntry};
use crate::storage::{Database, StorageError};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// How many entries, most recent first (1 to 1 000, 200 by default).
    pub limit: Option<i64>,
}

/// `GET /api/audit`.
#[utoipa::path(
    get,
    path = "/api/audit",
    operation_id = "list_audit_entries",
    tag = "accounts",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, body = Vec<crate::storage::audit::AuditEntry>),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn list(
    _: Authorized<can::ReadAuditLog>,
    query: web::Query<AuditQuery>,
    database: web::Data<Database>,
) -> Result<web::Json<Vec<AuditEntry>>, ApiError> {
    let limit = query.limit.unwrap_or(200);
    if !(1..=1_000).contains(&limit) {
        return Err(ApiError::bad_request(
            "Le paramètre limit doit être compris entre 1 et 1 000.",
        ));
    }
    let entries = database
        .run(move |conn| audit::recent(conn, limit).map_err(StorageError::from))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(web::Json(entries))
}
