//! Each contract's status against the buyer's legal obligations: the social condition above
//! the thresholds and the environmental condition, under the obligation rules in force.

use chrono::NaiveDate;

use super::{AppError, Caller, ErrorCode, Narrowing};
use crate::domain::authorization::Action;
use crate::domain::obligations::ObligationGap;
use crate::domain::{ObligationRules, Obligations};
use crate::indicators::{DataScope, FigureCache};
use crate::storage::obligations::{self, ObligationFilter, ObligationRecord};
use crate::storage::{ContractId, DbConnection};

/// A contract and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractObligations {
    pub contract_id: ContractId,
    pub reference: String,
    pub buyer_siret: String,
    pub notified: NaiveDate,
    pub status: Obligations,
    /// The ground recorded for leaving out a social condition: its code and label.
    pub ground: Option<(String, String)>,
    pub justification: Option<String>,
}

impl ContractObligations {
    /// Subject to the social condition, without one and without a ground.
    pub fn lacks_social_condition(&self) -> bool {
        self.status.lacks_social_condition()
    }
}

/// The rule applied to a stored contract.
pub fn assess(rules: &ObligationRules, record: &ObligationRecord) -> Obligations {
    rules.assess(&record.facts())
}

fn assessed(rules: &ObligationRules, record: ObligationRecord) -> ContractObligations {
    let status = assess(rules, &record);
    ContractObligations {
        contract_id: record.contract_id,
        ground: record.exemption_ground.map(|code| {
            let label = ObligationRules::label_of(&rules.grounds, &code).to_owned();
            (code, label)
        }),
        justification: record.exemption_text,
        reference: record.reference,
        buyer_siret: record.buyer_siret,
        notified: record.notification_date,
        status,
    }
}

/// The contracts of the caller's scope matching `filter`, assessed.
fn within_scope(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    narrowing: &Narrowing,
    filter: ObligationFilter,
) -> Result<Vec<ContractObligations>, AppError> {
    Ok(scoped_records(conn, caller, narrowing, filter)?
        .into_iter()
        .map(|record| assessed(rules, record))
        .collect())
}

/// The register facts of the contracts of the caller's scope matching `filter`.
fn scoped_records(
    conn: &mut DbConnection,
    caller: &Caller,
    narrowing: &Narrowing,
    filter: ObligationFilter,
) -> Result<Vec<ObligationRecord>, AppError> {
    let filter = ObligationFilter {
        buyer_ids: obligations_scope(conn, caller, narrowing)?.buyer_ids,
        ..filter
    };
    Ok(obligations::records(conn, &filter)?)
}

/// The scope whose contracts' obligations the caller reads, if the role reads them.
fn obligations_scope(
    conn: &mut DbConnection,
    caller: &Caller,
    narrowing: &Narrowing,
) -> Result<DataScope, AppError> {
    if !caller.may(Action::ReadObligations) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    caller.data_scope(conn, narrowing)
}

/// The register facts and status of every contract of the caller's scope notified up to `to`
/// (included): what the SPASER report counts.
pub fn facts_until(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    narrowing: &Narrowing,
    to: NaiveDate,
) -> Result<Vec<(ObligationRecord, Obligations)>, AppError> {
    let filter = ObligationFilter {
        to: Some(to),
        ..ObligationFilter::default()
    };
    Ok(scoped_records(conn, caller, narrowing, filter)?
        .into_iter()
        .map(|record| (assess(rules, &record), record))
        .map(|(status, record)| (record, status))
        .collect())
}

/// Every contract notified during `year` in the caller's scope, by buyer and reference.
pub fn of_year(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    year: i32,
    narrowing: &Narrowing,
) -> Result<Vec<ContractObligations>, AppError> {
    let year = super::listing::year(year)?;
    let (Some(from), Some(to)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Err(AppError::new(ErrorCode::InvalidYear));
    };
    of_period(conn, caller, rules, (from, to), narrowing)
}

/// Every contract notified between two dates (both included) in the caller's scope.
pub fn of_period(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    (from, to): (NaiveDate, NaiveDate),
    narrowing: &Narrowing,
) -> Result<Vec<ContractObligations>, AppError> {
    let filter = ObligationFilter {
        from: Some(from),
        to: Some(to),
        ..ObligationFilter::default()
    };
    within_scope(conn, caller, rules, narrowing, filter)
}

/// Every contract of the caller's scope, whatever its year.
pub fn all(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
) -> Result<Vec<ContractObligations>, AppError> {
    within_scope(
        conn,
        caller,
        rules,
        &Narrowing::default(),
        ObligationFilter::default(),
    )
}

/// How many contracts of the caller's scope lack a social condition and a ground, whatever
/// their year: the dashboard's to-do, counted once per data version (it reads every contract
/// of the scope).
pub fn lacking_social_condition(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    rules: &ObligationRules,
    narrowing: &Narrowing,
) -> Result<usize, AppError> {
    let scope = obligations_scope(conn, caller, narrowing)?;
    Ok(cache.lacking_social_condition(conn, &scope, rules)?)
}

/// The ids of the contracts of the caller's scope short of this obligation.
pub fn short_of(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    gap: ObligationGap,
) -> Result<Vec<ContractId>, AppError> {
    Ok(all(conn, caller, rules)?
        .into_iter()
        .filter(|c| gap.matches(c.status))
        .map(|c| c.contract_id)
        .collect())
}

/// One contract's status, for a caller who may see it; `None` for the others (a company reads
/// the contracts it holds, not its buyer's obligations).
pub fn of_contract(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    id: ContractId,
) -> Result<Option<ContractObligations>, AppError> {
    if !caller.may(Action::ReadObligations) {
        return Ok(None);
    }
    let filter = ObligationFilter {
        contract_id: Some(id),
        ..ObligationFilter::default()
    };
    let mut found = within_scope(conn, caller, rules, &Narrowing::default(), filter)?;
    Ok(found.pop())
}
