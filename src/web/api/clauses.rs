//! Calibrating and recording the target of a lot's insertion clause.

use crate::app;
use crate::app::AppError;
use crate::app::clauses::ClauseInput;
use crate::domain::Calibration;
use crate::storage::Database;
use crate::web::api::wire::clauses::{CalibrationJson, ClauseRequest, TargetJson};
use crate::web::auth::{Authorized, can};
use actix_web::web;

/// `POST /api/calibrations`: computes a target without recording it.
#[utoipa::path(
    post,
    path = "/api/calibrations",
    tag = "clauses",
    security(("bearer" = [])),
    request_body = CalibrationJson,
    responses(
        (status = 200, body = TargetJson),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn preview(
    _user: Authorized<can::ManageClauses>,
    body: web::Json<CalibrationJson>,
) -> Result<web::Json<TargetJson>, AppError> {
    let calibration = Calibration::from(body.into_inner());
    let target = app::clauses::calibrate(&calibration)?;
    Ok(web::Json(TargetJson::of(target, Some(calibration))))
}

/// `PUT /api/lots/{id}/clause`: records the lot's clause and its parameters.
#[utoipa::path(
    put,
    path = "/api/lots/{id}/clause",
    tag = "clauses",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Lot")),
    request_body = ClauseRequest,
    responses(
        (status = 200, body = TargetJson),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn save(
    user: Authorized<can::ManageClauses>,
    lot_id: web::Path<i64>,
    body: web::Json<ClauseRequest>,
    database: web::Data<Database>,
) -> Result<web::Json<TargetJson>, AppError> {
    let request = body.into_inner();
    let calibration = request.calibration.map(Calibration::from);
    let input = ClauseInput {
        calibration,
        target_hours: request.target_hours_hundredths,
        penalty_per_hour: request.penalty_per_hour_cents,
        training_counts: request.training_counts,
        cap_hours_per_participant: request.cap_per_participant_hours_hundredths,
        qpv_share: request.qpv_share_basis_points,
    };
    let (lot_id, caller) = (lot_id.into_inner(), user.caller());
    let target = crate::web::run(&database, move |conn| {
        app::clauses::save(conn, &caller, lot_id.into(), &input)
    })
    .await?;
    Ok(web::Json(TargetJson::of(target, calibration)))
}
