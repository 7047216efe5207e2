//! Calibrating and recording the target of a lot's insertion clause.

use actix_web::http::StatusCode;
use actix_web::web;
use serde::{Deserialize, Serialize};

use super::auth::{Authorized, can};
use super::error::ApiError;
use crate::domain::calibration::below_minimum_warning;
use crate::domain::{AuditAction, Calibration, Hours, Money};
use crate::storage::audit::{self, Actor};
use crate::storage::contracts::{self, ClauseSettings};
use crate::storage::users::BuyerScope;
use crate::storage::{Database, StorageError, figures_transaction};

/// A target computed from its parameters, with the warning a small one deserves.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Target {
    pub target: Hours,
    pub target_source: &'static str,
    pub calibration: Option<Calibration>,
    pub warning: Option<String>,
}

fn calibrated(calibration: &Calibration) -> Result<Hours, ApiError> {
    calibration.target().map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_calibration",
            e.to_string(),
        )
    })
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
) -> Result<web::Json<Target>, ApiError> {
    let target = calibrated(&body)?;
    Ok(web::Json(Target {
        target,
        target_source: "calibrated",
        calibration: Some(body.into_inner()),
        warning: below_minimum_warning(target),
    }))
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
) -> Result<web::Json<Target>, ApiError> {
    let request = body.into_inner();
    let target = match (&request.calibration, request.target_hours) {
        (Some(calibration), None) => calibrated(calibration)?,
        (None, Some(typed)) => typed,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_clause",
                "Donnez soit les paramètres de calcul (calibration), soit un objectif saisi (target_hours), pas les deux.",
            ));
        }
    };
    let lot_id = lot_id.into_inner();
    let scope = user.account.scope.clone();
    let actor = Actor::user(&user.account);
    let settings = ClauseSettings {
        target,
        calibration: request.calibration,
        penalty_per_hour: request.penalty_per_hour,
        training_counts: request.training_counts,
        cap_per_participant: request.cap_hours_per_participant,
    };
    let found = database
        .run(move |conn| {
            figures_transaction(conn, |conn| {
                let Some((buyer_id, reference, number)) = contracts::lot_identity(conn, lot_id)?
                else {
                    return Ok(false);
                };
                let visible = match &scope {
                    BuyerScope::AllBuyers => true,
                    BuyerScope::Buyers { buyer_ids } => buyer_ids.contains(&buyer_id),
                    BuyerScope::Company { .. } => false,
                };
                if !visible {
                    return Ok(false);
                }
                contracts::save_clause(conn, lot_id, &settings)?;
                let target = format!("marché {reference}, lot {number}");
                let details = format!("objectif : {}", settings.target);
                audit::record(
                    conn,
                    &actor,
                    AuditAction::ClauseSet,
                    Some(&target),
                    Some(&details),
                )?;
                Ok::<_, StorageError>(true)
            })
        })
        .await?;
    if !found {
        return Err(ApiError::not_found());
    }
    Ok(web::Json(Target {
        target,
        target_source: if request.calibration.is_some() {
            "calibrated"
        } else {
            "typed"
        },
        calibration: request.calibration,
        warning: below_minimum_warning(target),
    }))
}
