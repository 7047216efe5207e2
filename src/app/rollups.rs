//! Checking the roll-ups of hours against the hour entries they sum (`suivi-clauses verify`),
//! and recomputing them when asked.

use super::{AppError, Caller, ErrorCode};
use crate::domain::Role;
use crate::storage::rollups::{self, Difference};
use crate::storage::{DbConnection, figures_transaction};

/// What the check found, and whether the roll-ups were recomputed since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub differences: Vec<Difference>,
    pub repaired: bool,
}

/// Recomputes the roll-ups from the entries and compares; with `repair`, replaces them by the
/// recomputed ones when they differ (the data version is raised: figures kept in memory were
/// computed from the wrong sums). An administrator's task: the command line's.
pub fn verify(
    conn: &mut DbConnection,
    caller: &Caller,
    repair: bool,
) -> Result<Verification, AppError> {
    if caller.role != Role::Admin {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let differences = rollups::verify(conn)?;
    let repaired = repair && !differences.is_empty();
    if repaired {
        // Every buyer's figures may have been computed from the wrong sums.
        figures_transaction(conn, |conn, _every_buyer| rollups::rebuild(conn))?;
    }
    Ok(Verification {
        differences,
        repaired,
    })
}
