//! Participants, pseudonymous, for those who follow them; erasing them once their retention
//! period is over.

use chrono::NaiveDate;

use super::listing::search;
use super::{AppError, Caller, ErrorCode, Listed};
use crate::domain::AuditAction;
use crate::storage::participants::{self, ParticipantFilter, ParticipantView};
use crate::storage::{DbConnection, PageRequest, StorageError, audit, figures_transaction};

#[derive(Debug, Clone)]
pub struct ParticipantQuery {
    /// An eligibility criterion code (RSA, TH, JEUNE…).
    pub criterion: Option<String>,
    /// Part of the pseudonym.
    pub search: Option<String>,
    pub page: PageRequest,
}

/// A page of the participants on the caller's buyers' lots.
pub fn page(
    conn: &mut DbConnection,
    caller: &Caller,
    query: &ParticipantQuery,
) -> Result<Listed<ParticipantView>, AppError> {
    let filter = ParticipantFilter {
        buyer_ids: caller.buyer_ids(),
        criterion: search(query.criterion.as_deref())?,
        search: search(query.search.as_deref())?,
    };
    Ok(Listed::of(
        participants::page(conn, &filter, query.page)?,
        query.page,
    ))
}

/// Erases the personal data of the participants without activity since `cutoff` (the end of
/// the retention period); hours and figures stay as they are. How many were erased.
pub fn purge(
    conn: &mut DbConnection,
    caller: &Caller,
    cutoff: NaiveDate,
    today: NaiveDate,
) -> Result<usize, AppError> {
    if cutoff > today {
        return Err(AppError::with(
            ErrorCode::InvalidDate,
            format!(
                "La date {cutoff} est dans le futur : la purge ne concerne que des données passées."
            ),
        ));
    }
    Ok(figures_transaction(
        conn,
        |conn| -> Result<usize, StorageError> {
            let count = participants::anonymise_inactive_before(conn, cutoff)?;
            let summary = format!("inactifs avant le {cutoff} : {count}");
            audit::record(
                conn,
                &caller.actor,
                AuditAction::ParticipantsPurged,
                Some(&summary),
                None,
            )?;
            Ok(count)
        },
    )?)
}
