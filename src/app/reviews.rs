//! Reviewing hour statements: the statements awaiting validation (a company: its own, with
//! the reasons of rejections), and the decisions of a facilitateur or an administrator on an
//! import or on a lot's month, each written to the audit log.

use std::collections::HashMap;

use super::{AppError, Caller, ErrorCode, Narrowing};
use crate::domain::authorization::Action;
use crate::domain::{Decision, Hours, Labelled, Month, ReviewState};
use crate::storage::audit;
use crate::storage::reviews::{self, ReviewFilter, ReviewGroup, Selection};
use crate::storage::{
    BuyerId, CompanyId, DbConnection, ImportId, LotId, StorageError, closures, contracts,
    figures_transaction,
};

/// Statements as a list shows them: the group and what names its lot and company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewLine {
    pub group: ReviewGroup,
    pub buyer_id: BuyerId,
    pub reference: String,
    pub lot: i32,
    pub company_siret: String,
    pub company_name: String,
}

/// Which statements are asked for: in one state (pending by default; a company sees all of
/// its own unless it asks), of one import.
#[derive(Debug, Clone, Default)]
pub struct ReviewQuery {
    pub state: Option<ReviewState>,
    pub import: Option<ImportId>,
}

/// The state asked as a code or a French label; blank is none.
pub fn state_of(text: Option<&str>) -> Result<Option<ReviewState>, AppError> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            ReviewState::parse_label(t)
                .map_err(|e| AppError::with(ErrorCode::InvalidReviewState, e))
        })
        .transpose()
}

/// The decision asked as a code or a French label.
pub fn decision_of(text: &str) -> Result<Decision, AppError> {
    Decision::parse_label(text).map_err(|e| AppError::with(ErrorCode::InvalidDecision, e))
}

/// A month as written in an address or a form (2025-03).
pub fn month_of(text: &str) -> Result<Month, AppError> {
    Month::parse(text).map_err(|e| AppError::with(ErrorCode::InvalidMonth, e))
}

/// The statements of the caller's scope in the state asked, the oldest first.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    query: &ReviewQuery,
) -> Result<Vec<ReviewLine>, AppError> {
    let scope = caller.data_scope(conn, &Narrowing::default())?;
    let states = match (query.state, scope.company_id) {
        (Some(state), _) => vec![state],
        (None, Some(_)) => ReviewState::ALL.to_vec(),
        (None, None) => vec![ReviewState::Declared],
    };
    let filter = ReviewFilter {
        buyer_ids: scope.buyer_ids,
        company_id: scope.company_id,
        import_id: query.import,
        states,
    };
    let groups = reviews::groups(conn, &filter)?;
    Ok(named(conn, groups)?)
}

/// Each group with its lot's contract and its company's name.
fn named(
    conn: &mut DbConnection,
    groups: Vec<ReviewGroup>,
) -> Result<Vec<ReviewLine>, StorageError> {
    let mut lots: HashMap<LotId, Option<(BuyerId, String, i32)>> = HashMap::new();
    for group in &groups {
        if let std::collections::hash_map::Entry::Vacant(lot) = lots.entry(group.lot_id) {
            lot.insert(contracts::lot_identity(conn, group.lot_id)?);
        }
    }
    let company_ids: Vec<CompanyId> = groups.iter().map(|g| g.company_id).collect();
    let firms: HashMap<CompanyId, (String, String)> = reviews::company_names(conn, &company_ids)?
        .into_iter()
        .map(|(id, siret, name)| (id, (siret, name)))
        .collect();
    Ok(groups
        .into_iter()
        .filter_map(|group| {
            let (buyer_id, reference, lot) = lots.get(&group.lot_id).cloned().flatten()?;
            let (company_siret, company_name) =
                firms.get(&group.company_id).cloned().unwrap_or_default();
            Some(ReviewLine {
                group,
                buyer_id,
                reference,
                lot,
                company_siret,
                company_name,
            })
        })
        .collect())
}

/// What a decision is about, as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewTarget {
    /// Every statement of an import.
    Import(ImportId),
    /// Every statement of a lot in a month.
    LotMonth(LotId, Month),
}

/// What a decision changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    pub decision: Decision,
    pub state: ReviewState,
    pub entries: i64,
    pub hours: Hours,
}

/// Validates or rejects the pending statements of an import or of a lot's month, or reopens a
/// validated month. Every entry it touches must lie on a lot of the caller's buyers; if one
/// does not, nothing changes.
pub fn decide(
    conn: &mut DbConnection,
    caller: &Caller,
    target: ReviewTarget,
    decision: Decision,
    reason: Option<&str>,
) -> Result<Decided, AppError> {
    if !caller.may(Action::ReviewHours) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let reason = decision
        .reason(reason)
        .map_err(|e| AppError::with(ErrorCode::InvalidReason, e))?;
    if decision == Decision::Reopen && matches!(target, ReviewTarget::Import(_)) {
        return Err(AppError::with(
            ErrorCode::InvalidDecision,
            "On rouvre un mois validé d'un lot, pas un import : choisissez le lot et le mois.",
        ));
    }
    figures_transaction(conn, |conn, touched| {
        let what = describe(conn, caller, target)?;
        let selection = match target {
            ReviewTarget::Import(id) => Selection::Import(id),
            ReviewTarget::LotMonth(lot, month) => Selection::LotMonth(lot, month),
        };
        let from = decision.applies_to();
        let buyers = reviews::buyers_of(conn, selection, from)?;
        if buyers.is_empty() {
            return Err(AppError::new(ErrorCode::NothingToReview));
        }
        if !buyers.iter().all(|b| caller.sees_buyer(*b)) {
            return Err(out_of_scope(&buyers, caller));
        }
        // Rejecting hours, or taking a rejection back, derives the participants' work contracts
        // again, and they may work for other buyers: every buyer's figures then.
        if ![from, decision.leads_to()].contains(&ReviewState::Rejected) {
            touched.buyers(buyers.iter().copied());
        }
        // Every lot locked, closed or not, before the entries are read: an import publishing
        // on them meanwhile is waited for, so that on PostgreSQL (each statement reads afresh)
        // the entries decided and their roll-ups are those after it, never hours it brought.
        let lots = match selection {
            Selection::LotMonth(lot, _) => vec![lot],
            Selection::Import(id) => closures::lots_of_import(conn, id, from)?,
        };
        super::closures::refuse_if_closed(conn, &lots)?;
        let (entries, hours) = reviews::totals(conn, selection, from)?;
        reviews::decide(
            conn,
            selection,
            from,
            decision.leads_to(),
            reason.as_deref(),
        )?;
        let summary = format!(
            "{what} : {entries} relevé(s), {hours}, {} → {}",
            from.label().to_lowercase(),
            decision.leads_to().label().to_lowercase()
        );
        audit::record_detailed(
            conn,
            &caller.actor,
            decision.audit_action(),
            &summary,
            reason.as_deref().map(|r| format!("motif : {r}")).as_deref(),
        )?;
        Ok(Decided {
            decision,
            state: decision.leads_to(),
            entries,
            hours,
        })
    })
}

/// What the decision is about, in French, for the audit log; a lot outside the scope is not
/// found, so that ids reveal nothing.
fn describe(
    conn: &mut DbConnection,
    caller: &Caller,
    target: ReviewTarget,
) -> Result<String, AppError> {
    match target {
        ReviewTarget::Import(id) => Ok(format!("import n° {id}")),
        ReviewTarget::LotMonth(lot, month) => {
            let (buyer_id, reference, number) =
                contracts::lot_identity(conn, lot)?.ok_or_else(AppError::not_found)?;
            if !caller.sees_buyer(buyer_id) {
                return Err(AppError::not_found());
            }
            Ok(format!("marché {reference}, lot {number}, {month}"))
        }
    }
}

/// Statements on lots of buyers the caller does not answer for: not found when none is its,
/// refused when some are (someone answering for all of them must decide).
fn out_of_scope(buyers: &[BuyerId], caller: &Caller) -> AppError {
    if buyers.iter().any(|b| caller.sees_buyer(*b)) {
        AppError::with(
            ErrorCode::OutOfScope,
            "Ces relevés portent aussi sur des lots d'acheteurs hors de votre périmètre : un administrateur, ou un facilitateur qui suit tous ces acheteurs, doit en décider.",
        )
    } else {
        AppError::not_found()
    }
}
