//! The audit log.

use super::{AppError, ErrorCode, Listed};
use crate::storage::DbConnection;
use crate::storage::PageRequest;
use crate::storage::audit::{self, AuditEntry, AuditFilter};

/// How many lines the API gives at once: 200 unless asked, 1 000 at most.
pub fn page_of(page: Option<i64>, limit: Option<i64>) -> Result<PageRequest, AppError> {
    let limit = limit.unwrap_or(200);
    if !(1..=1_000).contains(&limit) {
        return Err(AppError::bad_request(
            "Le paramètre limit doit être compris entre 1 et 1 000.",
        ));
    }
    Ok(PageRequest {
        page: page.unwrap_or(1).max(1),
        per_page: limit,
    })
}

/// The lines a filter selects, one page of them; `to` before `from` is refused.
pub fn page(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    request: PageRequest,
) -> Result<Listed<AuditEntry>, AppError> {
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && to < from
    {
        return Err(AppError::with(
            ErrorCode::InvalidPeriod,
            "La date de fin précède la date de début : échangez-les, ou corrigez l'une d'elles.",
        ));
    }
    Ok(Listed::of(audit::page(conn, filter, request)?, request))
}

/// Everyone who appears in the log, to filter by.
pub fn actors(conn: &mut DbConnection) -> Result<Vec<String>, AppError> {
    Ok(audit::actors(conn)?)
}
