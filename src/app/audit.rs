//! The audit log.

use super::AppError;
use crate::storage::DbConnection;
use crate::storage::audit::{self, AuditEntry};

/// The most recent entries: 200 unless asked, 1 000 at most.
pub fn recent(conn: &mut DbConnection, limit: Option<i64>) -> Result<Vec<AuditEntry>, AppError> {
    let limit = limit.unwrap_or(200);
    if !(1..=1_000).contains(&limit) {
        return Err(AppError::bad_request(
            "Le paramètre limit doit être compris entre 1 et 1 000.",
        ));
    }
    Ok(audit::recent(conn, limit)?)
}
