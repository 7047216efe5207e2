//! Calibrating and recording the target of a lot's insertion clause.

use actix_web::web;
use serde::{Deserialize, Serialize};

use crate::app;
use crate::app::AppError;
use crate::app::clauses::ClauseInput;
use crate::domain::calibration::below_minimum_warning;
use crate::domain::{Calibration, Hours, Money};
use crate::storage::Database;
use crate::web::auth::{Authorized, can};

/// A target computed from its parameters, with the warning a small one deserves.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Target {
    pub target: Hours,
    pub target_source: &'static str,
    pub calibration: Option<Calibration>,
    pub warning: Option<String>,
}

impl Target {
    fn of(target: Hours, calibration: Option<Calibration>) -> Target {
        Target {
            target,
            target_source: if calibration.is_some() {
                "calibrated"
            } else {
                "typed"
            },
            calibration,
            warning: below_minimum_warning(target),
        }
    }
}

/// `POST /api/calibrations`: computes a target without recording it (amounts in cents, shares
/// in basis points).
#[utoipa::path(
    post,
    path = "/api/calibrations",
    tag = "clauses",
    security(("bearer" = [])),
    request_body = Calibration,
    responses(
        (status = 200, body = Target),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn preview(
    _user: Authorized<can::ManageClauses>,
    body: web::Json<Calibration>,
) -> Result<web::Json<Target>, AppError> {
    let target = app::clauses::calibrate(&body)?;
    Ok(web::Json(Target::of(target, Some(body.into_inner()))))
}

/// The clause of a lot: either calibrated (its parameters) or a target typed as such.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClauseRequest {
    pub calibration: Option<Calibration>,
    /// In hundredths of an hour, when the target is typed rather than calibrated.
    pub target_hours: Option<Hours>,
    pub penalty_per_hour: Option<Money>,
    #[serde(default)]
    pub training_counts: bool,
    /// Most hours counted per participant, in hundredths.
    pub cap_hours_per_participant: Option<Hours>,
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
        (status = 200, body = Target),
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
) -> Result<web::Json<Target>, AppError> {
    let request = body.into_inner();
    let input = ClauseInput {
        calibration: request.calibration,
        target_hours: request.target_hours,
        penalty_per_hour: request.penalty_per_hour,
        training_counts: request.training_counts,
        cap_hours_per_participant: request.cap_hours_per_participant,
    };
    let (lot_id, caller) = (lot_id.into_inner(), user.caller());
    let target = crate::web::run(&database, move |conn| {
        app::clauses::save(conn, &caller, lot_id.into(), &input)
    })
    .await?;
    Ok(web::Json(Target::of(target, request.calibration)))
}
