//! Closing a lot's clause, the closure as JSON, its attestation as a PDF, and reopening.

use actix_web::{HttpResponse, web};

use crate::app::AppError;
use crate::app::closures::{self, CloseRequest};
use crate::storage::Database;
use crate::web::api::wire::closures::{CloseClauseRequest, ClosureJson, ReopenRequest};
use crate::web::attachment;
use crate::web::auth::{Authorized, can};

/// `POST /api/lots/{id}/closure`: closes the lot's clause with its validated hours.
#[utoipa::path(
    post,
    path = "/api/lots/{id}/closure",
    operation_id = "close_clause",
    tag = "closures",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Lot")),
    request_body = CloseClauseRequest,
    responses(
        (status = 201, body = ClosureJson),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 409, description = "Clause déjà close, ou relevés en attente de validation", body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn close(
    user: Authorized<can::CloseClauses>,
    lot_id: web::Path<i64>,
    body: web::Json<CloseClauseRequest>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let (lot_id, caller) = (lot_id.into_inner(), user.caller());
    let request = CloseRequest::from(body.into_inner());
    let detail = crate::web::run(&database, move |conn| {
        closures::close(conn, &caller, lot_id.into(), &request, crate::app::today())
    })
    .await?;
    Ok(HttpResponse::Created().json(ClosureJson::from(&detail)))
}

/// `GET /api/lots/{id}/closure`: the closure standing on the lot.
#[utoipa::path(
    get,
    path = "/api/lots/{id}/closure",
    operation_id = "show_closure",
    tag = "closures",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Lot")),
    responses(
        (status = 200, body = ClosureJson),
        (status = 404, description = "Lot inconnu ou hors du périmètre, ou clause pas close", body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn show(
    user: Authorized<can::ReadClosures>,
    lot_id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<web::Json<ClosureJson>, AppError> {
    let (lot_id, caller) = (lot_id.into_inner(), user.caller());
    let detail = crate::web::run(&database, move |conn| {
        closures::show(conn, &caller, lot_id.into())
    })
    .await?;
    Ok(web::Json(ClosureJson::from(&detail)))
}

/// `GET /api/lots/{id}/attestation.pdf`: the attestation de bonne exécution of a closed clause.
#[utoipa::path(
    get,
    path = "/api/lots/{id}/attestation.pdf",
    operation_id = "closure_attestation",
    tag = "closures",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Lot")),
    responses(
        (status = 200, description = "Attestation (PDF, une page)", content_type = "application/pdf"),
        (status = 404, description = "Lot inconnu ou hors du périmètre, ou clause pas close", body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn attestation(
    user: Authorized<can::ReadClosures>,
    lot_id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let (lot_id, caller) = (lot_id.into_inner(), user.caller());
    let bytes = crate::web::run(&database, move |conn| {
        closures::attestation_pdf(conn, &caller, lot_id.into())
    })
    .await?;
    let file_name = format!("attestation-clause-lot-{lot_id}.pdf");
    Ok(attachment("application/pdf", &file_name, bytes))
}

/// `POST /api/lots/{id}/closure/reopen`: reopens a closed clause, with a reason.
#[utoipa::path(
    post,
    path = "/api/lots/{id}/closure/reopen",
    operation_id = "reopen_clause",
    tag = "closures",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Lot")),
    request_body = ReopenRequest,
    responses(
        (status = 204, description = "Clause rouverte"),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn reopen(
    user: Authorized<can::ReopenClauses>,
    lot_id: web::Path<i64>,
    body: web::Json<ReopenRequest>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let (lot_id, caller, reason) = (lot_id.into_inner(), user.caller(), body.into_inner().reason);
    crate::web::run(&database, move |conn| {
        closures::reopen(conn, &caller, lot_id.into(), Some(&reason))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
