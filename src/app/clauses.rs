//! The clauses of a scope with their hours and status, and recording a lot's clause.

use std::sync::Arc;

use chrono::NaiveDate;

use super::{AppError, Caller, ErrorCode, Narrowing};
use crate::domain::{AuditAction, Calibration, Hours, Money};
use crate::indicators::FigureCache;
use crate::indicators::clauses::ClauseView;
use crate::storage::audit;
use crate::storage::contracts::{self, ClauseSettings};
use crate::storage::{DbConnection, LotId, StorageError, figures_transaction};

/// Every clause of the caller's scope, assessed at a date.
pub fn assessed(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    narrowing: &Narrowing,
    at: NaiveDate,
) -> Result<Arc<Vec<ClauseView>>, AppError> {
    let scope = caller.data_scope(conn, narrowing)?;
    Ok(cache.clauses(conn, &scope, at)?)
}

/// The target its parameters give.
pub fn calibrate(calibration: &Calibration) -> Result<Hours, AppError> {
    calibration
        .target()
        .map_err(|e| AppError::with(ErrorCode::InvalidCalibration, e))
}

/// A lot's clause as asked: either calibrated (its parameters) or a target typed as such.
#[derive(Debug, Clone)]
pub struct ClauseInput {
    pub calibration: Option<Calibration>,
    pub target_hours: Option<Hours>,
    pub penalty_per_hour: Option<Money>,
    pub training_counts: bool,
    pub cap_hours_per_participant: Option<Hours>,
}

/// Records the clause of a lot of the caller's buyers; the target recorded. A lot outside the
/// scope is not found, so that ids reveal nothing.
pub fn save(
    conn: &mut DbConnection,
    caller: &Caller,
    lot_id: LotId,
    input: &ClauseInput,
) -> Result<Hours, AppError> {
    let target = match (&input.calibration, input.target_hours) {
        (Some(calibration), None) => calibrate(calibration)?,
        (None, Some(typed)) => typed,
        _ => {
            return Err(AppError::with(
                ErrorCode::InvalidClause,
                "Donnez soit les paramètres de calcul (calibration), soit un objectif saisi (target_hours), pas les deux.",
            ));
        }
    };
    let settings = ClauseSettings {
        target,
        calibration: input.calibration,
        penalty_per_hour: input.penalty_per_hour,
        training_counts: input.training_counts,
        cap_per_participant: input.cap_hours_per_participant,
    };
    let found = figures_transaction(conn, |conn| {
        let Some((buyer_id, reference, number)) = contracts::lot_identity(conn, lot_id)? else {
            return Ok(false);
        };
        if !caller.sees_buyer(buyer_id) {
            return Ok(false);
        }
        contracts::save_clause(conn, lot_id, &settings)?;
        let target = format!("marché {reference}, lot {number}");
        let details = format!("objectif : {}", settings.target);
        audit::record_detailed(
            conn,
            &caller.actor,
            AuditAction::ClauseSet,
            &target,
            Some(&details),
        )?;
        Ok::<_, StorageError>(true)
    })?;
    if !found {
        return Err(AppError::not_found());
    }
    Ok(target)
}
