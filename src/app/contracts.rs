//! Contracts with their lots, awardees and clauses, and a contract's statement.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::obligations::ContractObligations;
use super::{AppError, Caller, Listed, Narrowing, clauses};
use crate::domain::obligations::ObligationGap;
use crate::domain::{ClauseStatus, ObligationRules};
use crate::indicators::statement::{self, Statement};
use crate::storage::closures::Closure;
use crate::storage::contracts::{self, ContractFilter, ContractView};
use crate::storage::{ContractId, DbConnection, LotId, PageRequest};

#[derive(Debug, Clone)]
pub struct ContractQuery {
    /// Notified during this year (unless `from` or `to` says otherwise).
    pub year: Option<i32>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub narrowing: Narrowing,
    /// Part of the reference or of the object.
    pub search: Option<String>,
    /// Only the contracts short of this obligation.
    pub gap: Option<ObligationGap>,
    pub page: PageRequest,
}

/// Contracts of the filter within the caller's scope.
fn found(
    conn: &mut DbConnection,
    caller: &Caller,
    narrowing: &Narrowing,
    filter: ContractFilter,
    page: PageRequest,
) -> Result<(Vec<ContractView>, i64), AppError> {
    let scope = caller.data_scope(conn, narrowing)?;
    let filter = ContractFilter {
        buyer_ids: scope.buyer_ids,
        company_id: scope.company_id,
        ..filter
    };
    Ok(contracts::page(conn, &filter, page)?)
}

/// A page of the contracts of the caller's scope (a company: those it holds).
pub fn page(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    query: &ContractQuery,
) -> Result<Listed<ContractView>, AppError> {
    let asked = super::listing::optional_year(query.year)?;
    let year = |month, day| asked.and_then(|y| NaiveDate::from_ymd_opt(y, month, day));
    let ids = match query.gap {
        Some(gap) => Some(super::obligations::short_of(conn, caller, rules, gap)?),
        None => None,
    };
    let filter = ContractFilter {
        from: query.from.or_else(|| year(1, 1)),
        to: query.to.or_else(|| year(12, 31)),
        search: super::listing::search(query.search.as_deref())?,
        ids,
        ..ContractFilter::default()
    };
    let found = found(conn, caller, &query.narrowing, filter, query.page)?;
    Ok(Listed::of(found, query.page))
}

/// One contract; not found outside the caller's scope, so that ids reveal nothing.
pub fn one(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ContractId,
) -> Result<ContractView, AppError> {
    let filter = ContractFilter {
        id: Some(id),
        ..ContractFilter::default()
    };
    let page = PageRequest::new(None, None);
    let (mut found, _) = found(conn, caller, &Narrowing::default(), filter, page)?;
    found.pop().ok_or_else(AppError::not_found)
}

/// What the contract's clauses owe and what was done, at a date.
pub fn statement(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ContractId,
    at: NaiveDate,
) -> Result<Statement, AppError> {
    let scope = caller.data_scope(conn, &Narrowing::default())?;
    Ok(as_seen_by(
        statement::of_contract(conn, &scope, id, at)?,
        caller,
    ))
}

/// A statement as the caller may read it: its clauses as `clauses::as_seen_by` shows them.
pub(super) fn as_seen_by(mut statement: Statement, caller: &Caller) -> Statement {
    for lot in &mut statement.lots {
        lot.clause = clauses::as_seen_by(lot.clause.clone(), caller);
    }
    statement
}

/// A page of contracts with the status of each lot's clause today, by lot id: only the lots
/// of the page are assessed.
pub fn with_statuses(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    query: &ContractQuery,
) -> Result<(Listed<ContractView>, HashMap<LotId, ClauseStatus>), AppError> {
    let found = page(conn, caller, rules, query)?;
    let lots: Vec<LotId> = found
        .items
        .iter()
        .flat_map(|c| c.lots.iter().map(|l| l.id))
        .collect();
    let assessed = clauses::assessed_lots(conn, caller, &lots, super::today())?;
    let statuses = assessed
        .iter()
        .filter_map(|c| c.status.map(|s| (c.lot_id, s)))
        .collect();
    Ok((found, statuses))
}

/// A contract with its statement today, and its obligations for a caller who may see them.
pub fn with_statement(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    id: ContractId,
) -> Result<(ContractView, Statement, Option<ContractObligations>), AppError> {
    let contract = one(conn, caller, id)?;
    let statement = statement(conn, caller, id, super::today())?;
    let obligations = super::obligations::of_contract(conn, caller, rules, id)?;
    Ok((contract, statement, obligations))
}

/// A contract's page: the contract, its statement today and, for a caller who may change
/// them, its clauses' settings with who set them and when.
pub struct ContractSheet {
    pub contract: ContractView,
    pub statement: Statement,
    pub settings: HashMap<LotId, contracts::StoredClause>,
    /// Its status against the buyer's legal obligations, for a caller who may see them.
    pub obligations: Option<ContractObligations>,
    /// The closures standing on its lots (none for a role that may not read them).
    pub closures: Vec<Closure>,
}

pub fn sheet(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    id: ContractId,
) -> Result<ContractSheet, AppError> {
    let (contract, statement, obligations) = with_statement(conn, caller, rules, id)?;
    let lots: Vec<LotId> = contract.lots.iter().map(|l| l.id).collect();
    let settings = clauses::settings_of(conn, caller, &lots)?;
    let closures = super::closures::standing_on(conn, caller, &lots)?;
    Ok(ContractSheet {
        contract,
        statement,
        settings,
        obligations,
        closures,
    })
}
