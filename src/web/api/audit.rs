//! The audit log, for administrators.

use actix_web::web;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::app;
use crate::app::AppError;
use crate::domain::{AuditAction, Labelled};
use crate::storage::Database;
use crate::storage::audit::{AuditEntry, AuditFilter};
use crate::web::auth::{Authorized, can};

/// The filters, as written in the address; blank ones mean none.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Who acted: an account's e-mail address, `anonyme`, `ligne de commande`.
    pub actor: Option<String>,
    /// An action's code (`login.failed`, `user.created`…).
    pub action: Option<String>,
    /// From this day (AAAA-MM-JJ, UTC).
    pub from: Option<String>,
    /// Up to this day included (AAAA-MM-JJ, UTC).
    pub to: Option<String>,
    /// Page of `limit` entries, 1 by default.
    pub page: Option<i64>,
    /// How many entries, most recent first (1 to 1 000, 200 by default).
    pub limit: Option<i64>,
}

fn filled(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

fn day(name: &str, text: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    filled(text)
        .map(|t| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
                AppError::bad_request(format!(
                    "Le filtre {name} doit être une date écrite AAAA-MM-JJ (2025-10-15), pas « {t} »."
                ))
            })
        })
        .transpose()
}

impl AuditQuery {
    /// The typed filter; a date or an action that does not parse is a malformed query (400).
    pub fn filter(&self) -> Result<AuditFilter, AppError> {
        let action = filled(self.action.as_deref())
            .map(|code| {
                AuditAction::from_code(code).ok_or_else(|| {
                    AppError::bad_request(format!(
                        "Le filtre action « {code} » n'est pas une opération du journal."
                    ))
                })
            })
            .transpose()?;
        Ok(AuditFilter {
            actor: filled(self.actor.as_deref()).map(str::to_owned),
            action,
            from: day("from", self.from.as_deref())?,
            to: day("to", self.to.as_deref())?,
        })
    }
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
        (status = 400, description = "Filtre mal écrit", body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
        (status = 422, description = "Période à l'envers", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn list(
    _: Authorized<can::ReadAuditLog>,
    query: web::Query<AuditQuery>,
    database: web::Data<Database>,
) -> Result<web::Json<Vec<AuditEntry>>, AppError> {
    let (filter, request) = (
        query.filter()?,
        app::audit::page_of(query.page, query.limit)?,
    );
    let found = crate::web::run(&database, move |conn| {
        app::audit::page(conn, &filter, request)
    })
    .await?;
    Ok(web::Json(found.items))
}
