//! Closing a lot's clause at the end of its execution: the figures it is closed on (validated
//! hours only, the penalty waived or reduced with a reason), the closure shown and its
//! attestation, reopening by an administrator; and the one refusal every write on a closed
//! clause's hours or target meets.

use chrono::NaiveDate;

use super::{AppError, Caller, ErrorCode, Narrowing};
use crate::domain::authorization::Action;
use crate::domain::closure::{self, PenaltyAdjustment};
use crate::domain::{
    AuditAction, AwardRole, ClauseFacts, Hours, Labelled, Modality, Money, PenaltyChange, Siret,
};
use crate::export::attestation;
use crate::indicators::clauses::{self as assessed, ClauseView};
use crate::storage::closures::{self, Closure, NewClosure};
use crate::storage::contracts::{self, ContractFilter, LotView};
use crate::storage::{BuyerId, ContractId, DbConnection, LotId, PageRequest, figures_transaction};

/// What a facilitateur asks to close a clause with.
#[derive(Debug, Clone, Default)]
pub struct CloseRequest {
    pub signatory_name: String,
    pub signatory_role: String,
    /// Why it is closed before the end of the lot's execution.
    pub early_reason: Option<String>,
    pub penalty_change: Option<PenaltyChange>,
    /// The reduced amount per missing hour, for a reduction.
    pub reduced_penalty_per_hour: Option<Money>,
    pub penalty_reason: Option<String>,
}

/// A closed clause with what its attestation names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosureDetail {
    pub closure: Closure,
    pub buyer_name: String,
    pub buyer_siret: String,
    pub contract_id: ContractId,
    pub reference: String,
    pub object: String,
    pub lot: i32,
    pub lot_title: Option<String>,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// SIRET, name and role of each company holding the lot.
    pub companies: Vec<(String, String, &'static str)>,
    /// Validated hours worked on the lot by modality.
    pub by_modality: Vec<(Modality, Hours)>,
    /// Insertion structures through which hours were worked: SIRET, name, hours.
    pub structures: Vec<(String, String, Hours)>,
}

/// Where a lot stands, once the caller may see it.
struct Place {
    contract_id: ContractId,
    buyer_id: BuyerId,
    buyer_name: String,
    buyer_siret: String,
}

/// Past any month a statement can name: a clause closed counts every hour declared on it.
fn every_month() -> NaiveDate {
    NaiveDate::from_ymd_opt(2199, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// The lot, if the caller sees it: on its buyers, or (a company) held by it. Not found
/// otherwise, so that ids reveal nothing.
fn place(conn: &mut DbConnection, caller: &Caller, lot_id: LotId) -> Result<Place, AppError> {
    let (contract_id, buyer_id, buyer_name, buyer_siret) =
        closures::lot_place(conn, lot_id)?.ok_or_else(AppError::not_found)?;
    let visible = match caller.company() {
        Some(_) => {
            let company = caller.data_scope(conn, &Narrowing::default())?.company_id;
            contracts::holders_of(conn, &[lot_id])?
                .iter()
                .any(|(_, holder)| Some(*holder) == company)
        }
        None => caller.sees_buyer(buyer_id),
    };
    if !visible {
        return Err(AppError::not_found());
    }
    Ok(Place {
        contract_id,
        buyer_id,
        buyer_name,
        buyer_siret,
    })
}

/// The lot's clause with every validated hour declared on it, through the one assessment of
/// clauses (training and caps as the clause says).
fn clause_of(
    conn: &mut DbConnection,
    caller: &Caller,
    place: &Place,
    lot_id: LotId,
) -> Result<ClauseView, AppError> {
    let narrowing = Narrowing {
        buyer: Siret::parse(&place.buyer_siret).ok(),
        ..Narrowing::default()
    };
    let scope = caller.data_scope(conn, &narrowing)?;
    assessed::assess(conn, &scope, every_month())?
        .into_iter()
        .find(|c| c.lot_id == lot_id)
        .ok_or_else(|| {
            AppError::with(
                ErrorCode::InvalidClosure,
                "Ce lot n'a pas de clause d'insertion : il n'y a rien à clôturer.",
            )
        })
}

fn invalid(message: String) -> AppError {
    AppError::with(ErrorCode::InvalidClosure, message)
}

/// The penalty change asked, checked: a kind and a reason together.
fn adjustment_of(request: &CloseRequest) -> Result<Option<PenaltyAdjustment>, AppError> {
    let Some(change) = request.penalty_change else {
        if request.reduced_penalty_per_hour.is_some() {
            return Err(invalid("Un montant réduit de pénalité va avec « réduite » (penalty_change = reduced) et son motif.".to_owned()));
        }
        return Ok(None);
    };
    let reason = closure::reason(
        request.penalty_reason.as_deref(),
        "Donnez le motif pour lequel la pénalité est levée ou réduite : il est gardé avec la clôture.",
    )
    .map_err(invalid)?;
    Ok(Some(PenaltyAdjustment {
        change,
        per_hour: request.reduced_penalty_per_hour,
        reason,
    }))
}

/// Closes the lot's clause with its validated hours, after the end of the lot's execution (or
/// before, with a reason), once no statement on it awaits validation. The figures, the penalty
/// applied and the signatory are kept; the lot's hours and target are frozen from then on.
pub fn close(
    conn: &mut DbConnection,
    caller: &Caller,
    lot_id: LotId,
    request: &CloseRequest,
    today: NaiveDate,
) -> Result<ClosureDetail, AppError> {
    if !caller.may(Action::CloseClauses) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let name =
        closure::signatory(&request.signatory_name, "le nom du signataire").map_err(invalid)?;
    let role =
        closure::signatory(&request.signatory_role, "la qualité du signataire").map_err(invalid)?;
    let adjustment = adjustment_of(request)?;
    figures_transaction(conn, |conn, touched| {
        let place = place(conn, caller, lot_id)?;
        touched.buyers([place.buyer_id]);
        refuse_if_closed(conn, &[lot_id])?;
        let clause = clause_of(conn, caller, &place, lot_id)?;
        if clause.pending > Hours::ZERO {
            return Err(AppError::with(
                ErrorCode::HoursPending,
                format!(
                    "{} déclarées sur ce lot attendent encore validation : validez-les ou rejetez-les (page Relevés) avant de clôturer la clause.",
                    clause.pending
                ),
            ));
        }
        let early = closure::early_reason(clause.end, today, request.early_reason.as_deref())
            .map_err(invalid)?;
        let facts = ClauseFacts {
            target: clause.target,
            counted: clause.counted,
            start: clause.start,
            end: clause.end.unwrap_or(today),
            penalty_per_hour: clause.penalty_per_hour,
        };
        let figures = closure::figures(&facts, adjustment.as_ref()).map_err(invalid)?;
        let record = NewClosure {
            lot_id,
            closed_by: caller.account_id,
            closed_by_label: &caller.actor.label,
            figures,
            penalty_change: adjustment.as_ref().map(|a| (a.change, a.reason.as_str())),
            early_reason: early.as_deref(),
            signatory_name: &name,
            signatory_role: &role,
        };
        closures::insert(conn, &record)?;
        audit_closure(conn, caller, &clause, &record)?;
        detail(conn, place, lot_id)
    })
}

/// The closure's audit line: the lot, then the figures, the penalty and why it changed.
fn audit_closure(
    conn: &mut DbConnection,
    caller: &Caller,
    clause: &ClauseView,
    record: &NewClosure<'_>,
) -> Result<(), AppError> {
    let f = &record.figures;
    let mut details = format!(
        "objectif : {} ; heures comptées : {} ; heures manquantes : {} ; pénalité : {}",
        f.target,
        f.counted,
        f.missing,
        f.penalty
            .map_or_else(|| "aucune prévue".to_owned(), |p| p.to_string()),
    );
    if let Some((change, reason)) = record.penalty_change {
        details.push_str(&format!(" ; {} : {reason}", change.label().to_lowercase()));
    }
    if let Some(reason) = record.early_reason {
        details.push_str(&format!(" ; clôture anticipée : {reason}"));
    }
    details.push_str(&format!(
        " ; signataire : {}, {}",
        record.signatory_name, record.signatory_role
    ));
    let target = format!("marché {}, lot {}", clause.reference, clause.lot);
    crate::storage::audit::record_detailed(
        conn,
        &caller.actor,
        AuditAction::ClauseClosed,
        &target,
        Some(&details),
    )?;
    Ok(())
}

/// The closure standing on a lot the caller sees, with what its attestation names.
pub fn show(
    conn: &mut DbConnection,
    caller: &Caller,
    lot_id: LotId,
) -> Result<ClosureDetail, AppError> {
    if !caller.may(Action::ReadClosures) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let place = place(conn, caller, lot_id)?;
    detail(conn, place, lot_id)
}

/// The attestation de bonne exécution of a closed clause, as a one-page PDF.
pub fn attestation_pdf(
    conn: &mut DbConnection,
    caller: &Caller,
    lot_id: LotId,
) -> Result<Vec<u8>, AppError> {
    let d = show(conn, caller, lot_id)?;
    let attestation = attestation::Attestation {
        buyer_name: &d.buyer_name,
        buyer_siret: &d.buyer_siret,
        reference: &d.reference,
        object: &d.object,
        lot: d.lot,
        lot_title: d.lot_title.as_deref(),
        start: d.start,
        end: d.end,
        companies: &d.companies,
        by_modality: &d.by_modality,
        structures: &d.structures,
        closure: &d.closure,
    };
    attestation::pdf(&attestation).map_err(|e| AppError::internal(&e))
}

fn detail(conn: &mut DbConnection, place: Place, lot_id: LotId) -> Result<ClosureDetail, AppError> {
    let closure = closures::standing(conn, lot_id)?
        .ok_or_else(|| AppError::new(ErrorCode::ClauseNotClosed))?;
    let filter = ContractFilter {
        id: Some(place.contract_id),
        ..ContractFilter::default()
    };
    let (mut found, _) = contracts::page(conn, &filter, PageRequest::new(None, None))?;
    let contract = found.pop().ok_or_else(AppError::not_found)?;
    let lot: &LotView = contract
        .lots
        .iter()
        .find(|l| l.id == lot_id)
        .ok_or_else(AppError::not_found)?;
    let companies = lot
        .awards
        .iter()
        .map(|a| {
            let role = AwardRole::from_code(&a.role).map_or("—", |r| r.label());
            (a.identifier.clone(), a.name.clone(), role)
        })
        .collect();
    Ok(ClosureDetail {
        by_modality: closures::hours_by_modality(conn, lot_id)?,
        structures: closures::structures_of_lot(conn, lot_id)?,
        buyer_name: place.buyer_name,
        buyer_siret: place.buyer_siret,
        contract_id: place.contract_id,
        lot: lot.number,
        lot_title: lot.title.clone(),
        start: contract.notification_date,
        end: crate::domain::contract::last_day(
            contract.notification_date,
            contract.duration_months,
            contract.end_date,
        ),
        reference: contract.reference,
        object: contract.object,
        companies,
        closure,
    })
}

/// The closures standing on these lots, which the caller already sees listed (a statement or
/// a contract of its scope); none for a role that may not read closures.
pub fn standing_on(
    conn: &mut DbConnection,
    caller: &Caller,
    lot_ids: &[LotId],
) -> Result<Vec<Closure>, AppError> {
    if !caller.may(Action::ReadClosures) {
        return Ok(Vec::new());
    }
    Ok(closures::standing_on(conn, lot_ids)?)
}

/// Reopens a closed clause (an administrator, with a reason): its hours and target may change
/// again, and it may be closed anew; the closure stays on record with who reopened it and why.
pub fn reopen(
    conn: &mut DbConnection,
    caller: &Caller,
    lot_id: LotId,
    reason: Option<&str>,
) -> Result<(), AppError> {
    if !caller.may(Action::ReopenClauses) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let reason = closure::reason(reason, "Donnez le motif de la réouverture de la clause.")
        .map_err(|e| AppError::with(ErrorCode::InvalidReason, e))?;
    figures_transaction(conn, |conn, touched| {
        touched.buyers([place(conn, caller, lot_id)?.buyer_id]);
        closures::lock_lots(conn, &[lot_id])?;
        let standing = closures::standing(conn, lot_id)?
            .ok_or_else(|| AppError::new(ErrorCode::ClauseNotClosed))?;
        closures::reopen(conn, standing.id, &caller.actor.label, &reason)?;
        let (_, reference, number) =
            contracts::lot_identity(conn, lot_id)?.ok_or_else(AppError::not_found)?;
        crate::storage::audit::record_detailed(
            conn,
            &caller.actor,
            AuditAction::ClauseReopened,
            &format!("marché {reference}, lot {number}"),
            Some(&format!("motif : {reason}")),
        )?;
        Ok(())
    })
}

/// Refuses, with what to do, a write on the hours or the target of lots one of which has a
/// closed clause. Takes the lots' write lock first, so that a closure being recorded at the
/// same time is either seen or waits for this write; the caller provides the transaction.
pub fn refuse_if_closed(conn: &mut DbConnection, lot_ids: &[LotId]) -> Result<(), AppError> {
    closures::lock_lots(conn, lot_ids)?;
    match closures::standing_on(conn, lot_ids)?.first() {
        Some(closed) => Err(frozen(conn, closed)?),
        None => Ok(()),
    }
}

/// The refusal of a write on a closed clause: which lot, since when, by whom.
pub fn frozen(conn: &mut DbConnection, closed: &Closure) -> Result<AppError, AppError> {
    let (_, reference, number) =
        contracts::lot_identity(conn, closed.lot_id)?.ok_or_else(AppError::not_found)?;
    Ok(AppError::with(
        ErrorCode::ClauseClosed,
        closure::frozen_message(
            &reference,
            number,
            closed.closed_at.date(),
            &closed.closed_by_label,
        ),
    ))
}
