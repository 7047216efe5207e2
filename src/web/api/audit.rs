//! The audit log, for administrators.

use actix_web::web;
use serde::Deserialize;

use crate::app;
use crate::app::AppError;
use crate::storage::Database;
use crate::storage::audit::AuditEntry;
use crate::web::auth::{Authorized, can};

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
) -> Result<web::Json<Vec<AuditEntry>>, AppError> {
    let limit = query.limit;
    let entries = crate::web::run(&database, move |conn| app::audit::recent(conn, limit)).await?;
    Ok(web::Json(entries))
}
