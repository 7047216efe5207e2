//! Creating, changing and deleting a contract with its lots and awardees, from a page's form or
//! the API. The contract asked becomes register rows (one per lot and awardee) that go through
//! the register import's own checks, so that a contract typed in a page obeys the rules of one
//! imported. Every record touched belongs to the caller's buyers; every change is audited with
//! the contract before and after.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::{AppError, Caller, ErrorCode};
use crate::domain::ObligationRules;
use crate::domain::{
    AuditAction, AwardRole, CompanyIdentifier, CpvCode, Labelled, Money, Procedure, Reservation,
    Siret, Update,
};
use crate::import::kinds::contracts::{self as register, Context, Contract, RegisterRow};
use crate::import::progress::Silent;
use crate::import::refusal::Refusal;
use crate::storage::contracts::{self, ContractFilter, ContractView, RegisterFacts};
use crate::storage::{
    ContractId, DbConnection, LotId, PageRequest, Touched, audit, buyers, companies,
    figures_transaction,
};

/// A contract as asked, its values typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractInput {
    pub buyer: Siret,
    pub reference: String,
    pub object: String,
    pub procedure: Option<Procedure>,
    pub cpv: Option<CpvCode>,
    pub notification_date: NaiveDate,
    pub duration_months: Option<i64>,
    pub end_date: Option<NaiveDate>,
    pub social_criterion: bool,
    /// What the buyer's legal obligations need: launch, nature, estimated value, conditions
    /// and criteria, and the ground (as written: code or label) for no social condition.
    pub register: RegisterFacts,
    /// At least one; a contract without lots is one lot numbered 0.
    pub lots: Vec<LotInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotInput {
    /// Where the lot is in the request (its row in the form), to name a faulty field.
    pub place: usize,
    pub number: i64,
    pub title: Option<String>,
    pub reservation: Reservation,
    /// At least one holder or co-contractor.
    pub awards: Vec<AwardInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardInput {
    /// Where the awardee is among its lot's in the request.
    pub place: usize,
    /// A SIRET, or the identifier of a company the DECP named otherwise, already known.
    pub company: CompanyIdentifier,
    /// Needed for a company not yet known; a known company keeps its stored name (it may work
    /// for other buyers: it is changed on its own page).
    pub name: Option<String>,
    pub role: AwardRole,
    pub amount: Money,
}

fn invalid(message: impl std::fmt::Display, field: impl Into<Cow<'static, str>>) -> AppError {
    AppError::with(ErrorCode::InvalidContract, message).at(field)
}

/// The form's name of a lot's field, or of one of its awardees' (`lot-0-award-1-siret`).
pub fn lot_field(lot: usize, name: &str) -> String {
    format!("lot-{lot}-{name}")
}

pub fn award_field(lot: usize, award: usize, name: &str) -> String {
    format!("lot-{lot}-award-{award}-{name}")
}

/// What the import's checks need: the caller's buyers and the others, and known companies.
fn context_of(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
) -> Result<Context, AppError> {
    let (mine, others): (Vec<_>, Vec<_>) = buyers::list(conn)?
        .into_iter()
        .partition(|b| caller.sees_buyer(b.id));
    Ok(Context {
        closed: crate::import::context::register_closed(conn, &mine)?,
        buyers: mine.into_iter().map(|b| (b.siret, b.id)).collect(),
        other_buyers: others.into_iter().map(|b| b.siret).collect(),
        only_buyer: None,
        companies: companies::kinds_by_identifier(conn)?,
        grounds: rules.grounds.clone(),
    })
}

/// The register rows the input stands for, and for each row its lot and awardee.
fn rows_of(input: &ContractInput, context: &Context) -> (Vec<RegisterRow>, Vec<(usize, usize)>) {
    let mut rows = Vec::new();
    let mut places = Vec::new();
    for lot in &input.lots {
        for award in &lot.awards {
            places.push((lot.place, award.place));
            let known = context.companies.contains_key(award.company.as_str());
            rows.push(RegisterRow {
                number: places.len() as u32,
                reference: input.reference.trim().to_owned(),
                object: input.object.trim().to_owned(),
                buyer: input.buyer.clone(),
                notified: input.notification_date,
                amount: award.amount,
                holder: award.company.clone(),
                procedure: input.procedure,
                cpv: input.cpv.clone(),
                duration_months: input.duration_months,
                end_date: input.end_date,
                lot: lot.number,
                lot_title: lot.title.clone().filter(|t| !t.trim().is_empty()),
                holder_name: award.name.clone().filter(|_| !known),
                postal_code: Update::Keep,
                size_class: Update::Keep,
                role: award.role,
                insertion_clause: None,
                insertion_hours: None,
                social_criterion: input.social_criterion,
                reservation: lot.reservation,
                obligations: input.register.clone(),
            });
        }
    }
    (rows, places)
}

/// The form's field a refusal of the register's checks is about.
fn field_of(key: &'static str, place: Option<(usize, usize)>) -> Cow<'static, str> {
    let Some((lot, award)) = place else {
        return Cow::Borrowed(key);
    };
    let name = match key {
        "lot" => return lot_field(lot, "number").into(),
        "reservation" => return lot_field(lot, "reservation").into(),
        "holder_siret" => "siret",
        "holder_name" => "name",
        "role" => "role",
        "amount" => "amount",
        other => return Cow::Borrowed(other),
    };
    award_field(lot, award, name).into()
}

/// The first refusal as the use case answers it: a buyer outside the caller's scope is 403,
/// an unknown one 422, anything else the contract's field to correct.
fn refused(
    first: (u32, Refusal),
    places: &[(usize, usize)],
    input: &ContractInput,
    context: &Context,
) -> AppError {
    let (row, refusal) = first;
    let code = match refusal.key {
        "buyer_siret" if context.other_buyers.contains(&input.buyer) => ErrorCode::OutOfScope,
        "buyer_siret" => ErrorCode::UnknownBuyer,
        _ => ErrorCode::InvalidContract,
    };
    let place = places.get((row as usize).wrapping_sub(1)).copied();
    AppError::with(code, refusal.message).at(field_of(refusal.key, place))
}

/// What the register's rows cannot say: a contract has lots, each with an awardee, and two lots
/// do not share a number.
fn complete(input: &ContractInput) -> Result<(), AppError> {
    if input.lots.is_empty() {
        return Err(invalid(
            "Un marché a au moins un lot : indiquez le titulaire (laissez le numéro de lot vide pour un marché sans lots).",
            lot_field(0, "number"),
        ));
    }
    for (l, lot) in input.lots.iter().enumerate() {
        if lot.awards.is_empty() {
            return Err(invalid(
                "Indiquez au moins le titulaire de ce lot (son SIRET et son montant).",
                award_field(lot.place, 0, "siret"),
            ));
        }
        if input.lots[..l]
            .iter()
            .any(|other| other.number == lot.number)
        {
            return Err(invalid(
                format!(
                    "Un autre lot porte déjà le numéro {} : donnez-lui un autre numéro.",
                    lot.number
                ),
                lot_field(lot.place, "number"),
            ));
        }
    }
    Ok(())
}

/// The contract the input makes once through the register's checks.
fn checked(
    conn: &mut DbConnection,
    (caller, rules): (&Caller, &ObligationRules),
    input: &ContractInput,
) -> Result<Contract, AppError> {
    complete(input)?;
    let context = context_of(conn, caller, rules)?;
    let (rows, places) = rows_of(input, &context);
    match register::gather(&rows, &context) {
        Ok(mut contracts) if contracts.len() == 1 => Ok(contracts.remove(0)),
        Ok(_) => Err(AppError::internal(&"one contract's rows gave several")),
        Err(mut refusals) => {
            refusals.sort_by_key(|(row, _)| *row);
            Err(refused(refusals.remove(0), &places, input, &context))
        }
    }
}

/// Refuses a reference another contract of the buyer already has.
fn reference_free(
    conn: &mut DbConnection,
    contract: &Contract,
    this: Option<ContractId>,
) -> Result<(), AppError> {
    match contracts::id_by_reference(conn, contract.buyer_id, &contract.reference)? {
        Some(other) if Some(other) != this => Err(AppError::with(
            ErrorCode::ContractExists,
            format!(
                "Un autre marché de cet acheteur porte déjà la référence « {} » : choisissez-en une autre, ou modifiez ce marché-là.",
                contract.reference
            ),
        )
        .at("reference")),
        _ => Ok(()),
    }
}

/// The stored contract, whoever's it is (the use cases check the scope).
/// The contract's buyer is the one whose figures change (the contract form never changes a
/// known company, shared with other buyers); called before and after a change that may move
/// the contract to another buyer.
fn touch_buyer_of(
    conn: &mut DbConnection,
    id: ContractId,
    touched: &mut Touched,
) -> Result<(), AppError> {
    let buyer = contracts::heading(conn, id)?.map(|(buyer, _, _)| buyer);
    touched.buyers(buyer);
    Ok(())
}

fn stored(conn: &mut DbConnection, id: ContractId) -> Result<Option<ContractView>, AppError> {
    let filter = ContractFilter {
        id: Some(id),
        ..ContractFilter::default()
    };
    let (mut found, _) = contracts::page(conn, &filter, PageRequest::new(None, None))?;
    Ok(found.pop())
}

/// The stored contract of id `id`, when it is one of the caller's buyers' (for its form); not
/// found otherwise, so that ids reveal nothing.
pub fn editable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ContractId,
) -> Result<ContractView, AppError> {
    match contracts::heading(conn, id)? {
        Some((buyer_id, _, _)) if caller.sees_buyer(buyer_id) => {
            stored(conn, id)?.ok_or_else(AppError::not_found)
        }
        _ => Err(AppError::not_found()),
    }
}

/// Records a new contract of one of the caller's buyers, with its lots and awardees.
pub fn create(
    conn: &mut DbConnection,
    (caller, rules): (&Caller, &ObligationRules),
    input: &ContractInput,
) -> Result<ContractView, AppError> {
    figures_transaction(conn, |conn, touched| {
        let contract = checked(conn, (caller, rules), input)?;
        reference_free(conn, &contract, None)?;
        let id = contracts::save_contract(conn, None, &contract.fields(None))?;
        touch_buyer_of(conn, id, touched)?;
        register::write_lots(conn, id, &contract, &mut Silent)?;
        let after = stored(conn, id)?.ok_or_else(AppError::not_found)?;
        let details = format!("après : {}", described(&after));
        audited(conn, caller, AuditAction::ContractCreated, &after, &details)?;
        Ok(after)
    })
}

/// Changes a contract of the caller's buyers: its fields, its lots and their awardees become
/// those asked. A lot left out is removed, unless hours are declared on it or its clause is
/// closed; clauses stay.
pub fn change(
    conn: &mut DbConnection,
    (caller, rules): (&Caller, &ObligationRules),
    id: ContractId,
    input: &ContractInput,
) -> Result<ContractView, AppError> {
    figures_transaction(conn, |conn, touched| {
        let before = editable(conn, caller, id)?;
        touch_buyer_of(conn, id, touched)?;
        let contract = checked(conn, (caller, rules), input)?;
        reference_free(conn, &contract, Some(id))?;
        let kept: Vec<i32> = contract.lots.keys().copied().collect();
        if let Some(lot) = contracts::lots_with_hours(conn, id)?
            .into_iter()
            .find(|n| !kept.contains(n))
        {
            return Err(AppError::with(
                ErrorCode::ContractHasHours,
                format!(
                    "Des heures sont déclarées sur le lot {lot} : il ne peut pas être retiré du marché. Gardez-le dans la liste des lots."
                ),
            ));
        }
        let removed: Vec<LotId> = before
            .lots
            .iter()
            .filter(|l| !kept.contains(&l.number))
            .map(|l| l.id)
            .collect();
        super::closures::refuse_if_closed(conn, &removed)?;
        contracts::save_contract(conn, Some(id), &contract.fields(None))?;
        contracts::remove_lots_except(conn, id, &kept)?;
        register::write_lots(conn, id, &contract, &mut Silent)?;
        touch_buyer_of(conn, id, touched)?;
        let after = stored(conn, id)?.ok_or_else(AppError::not_found)?;
        let details = format!(
            "avant : {} → après : {}",
            described(&before),
            described(&after)
        );
        audited(conn, caller, AuditAction::ContractChanged, &after, &details)?;
        Ok(after)
    })
}

/// Deletes a contract of the caller's buyers with its lots, awardees and clauses; refused while
/// hours are declared on it or one of its clauses is closed.
pub fn delete(conn: &mut DbConnection, caller: &Caller, id: ContractId) -> Result<(), AppError> {
    figures_transaction(conn, |conn, touched| {
        let before = editable(conn, caller, id)?;
        touch_buyer_of(conn, id, touched)?;
        if !contracts::lots_with_hours(conn, id)?.is_empty() {
            return Err(AppError::with(
                ErrorCode::ContractHasHours,
                format!(
                    "Des heures sont déclarées sur le marché « {} » : il ne peut pas être supprimé. Corrigez plutôt ses informations.",
                    before.reference
                ),
            ));
        }
        let lots: Vec<LotId> = before.lots.iter().map(|l| l.id).collect();
        super::closures::refuse_if_closed(conn, &lots)?;
        contracts::delete_contract(conn, id)?;
        let details = format!("avant : {}", described(&before));
        audited(
            conn,
            caller,
            AuditAction::ContractDeleted,
            &before,
            &details,
        )
    })
}

fn audited(
    conn: &mut DbConnection,
    caller: &Caller,
    action: AuditAction,
    contract: &ContractView,
    details: &str,
) -> Result<(), AppError> {
    let target = format!("marché {}", contract.reference);
    audit::record_detailed(conn, &caller.actor, action, &target, Some(details))?;
    Ok(())
}

fn money(cents: i64) -> String {
    Money::from_cents(cents).map_or_else(|_| cents.to_string(), |m| m.to_string())
}

/// A contract in words, as the audit log keeps it: « référence 2025-001, acheteur …, objet « … »,
/// notifié le 14/03/2025, … ; lot 1 « Gros œuvre » (réservation Non) : Titulaire 443… 12 000,00 € ».
pub fn described(c: &ContractView) -> String {
    let optional = |label: &str, value: Option<String>| {
        value.map_or_else(String::new, |v| format!(", {label} {v}"))
    };
    let mut text = format!(
        "référence {}, acheteur {}, objet « {} », notifié le {}{}{}{}{}, critère social {}",
        c.reference,
        c.buyer_siret,
        c.object,
        c.notification_date.format("%d/%m/%Y"),
        optional("durée (mois)", c.duration_months.map(|d| d.to_string())),
        optional(
            "fin le",
            c.end_date.map(|d| d.format("%d/%m/%Y").to_string())
        ),
        optional(
            "procédure",
            c.procedure.as_deref().map(|p| {
                Procedure::from_code(p).map_or_else(|| p.to_owned(), |p| p.label().to_owned())
            })
        ),
        optional("CPV", c.cpv_code.clone()),
        if c.social_criterion { "oui" } else { "non" },
    );
    text.push_str(&obligations_described(&c.register));
    for lot in &c.lots {
        let awards: Vec<String> = lot
            .awards
            .iter()
            .map(|a| {
                let role = AwardRole::from_code(&a.role).map_or(a.role.as_str(), |r| r.label());
                let amount = a.amount.map_or_else(|| "—".to_owned(), money);
                format!("{role} {} {amount}", a.identifier)
            })
            .collect();
        let title = lot
            .title
            .as_deref()
            .map_or_else(String::new, |t| format!(" « {t} »"));
        text.push_str(&format!(
            " ; lot {}{title} (réservation {}) : {}",
            lot.number,
            Reservation::from_code(&lot.reservation)
                .map_or(lot.reservation.as_str(), |r| r.label()),
            awards.join(", ")
        ));
    }
    text
}

/// The facts of the buyer's obligations, in words, those set only.
fn obligations_described(r: &RegisterFacts) -> String {
    let mut text = String::new();
    if let Some(d) = r.launch_date {
        text.push_str(&format!(", lancé le {}", d.format("%d/%m/%Y")));
    }
    if let Some(t) = r.contract_type {
        text.push_str(&format!(", nature {}", t.label()));
    }
    if let Some(v) = r.estimated_value {
        text.push_str(&format!(", valeur estimée {v}"));
    }
    for (set, what) in [
        (r.social_condition, "condition sociale"),
        (r.environmental_condition, "condition environnementale"),
        (r.environmental_criterion, "critère environnemental"),
    ] {
        if set {
            text.push_str(&format!(", {what}"));
        }
    }
    if let Some(ground) = &r.exemption_ground {
        let why = r.exemption_text.as_deref().unwrap_or_default();
        text.push_str(&format!(", sans condition sociale : {ground} ({why})"));
    }
    text
}
