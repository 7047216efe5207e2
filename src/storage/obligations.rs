//! What the buyer's legal obligations read of each contract: its register facts, its buyer's
//! type, and whether a lot carries an insertion clause or a reservation.

use chrono::NaiveDate;
use diesel::dsl::exists;
use diesel::prelude::*;

use super::located::located;
use super::schema::{buyers, contracts, insertion_clauses, lots};
use super::{BuyerId, ContractId, DbConnection};
use crate::domain::obligations::ContractFacts;
use crate::domain::{ContractType, CpvCode, Money};

/// A contract as its obligations are assessed (fields in the order of the query's columns).
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ObligationRecord {
    pub contract_id: ContractId,
    pub reference: String,
    pub buyer_siret: String,
    /// A buyer type code of the obligation rules.
    pub buyer_type: String,
    pub notification_date: NaiveDate,
    pub launch_date: Option<NaiveDate>,
    pub contract_type: Option<ContractType>,
    pub cpv_code: Option<CpvCode>,
    pub estimated_value: Option<Money>,
    pub social_condition: bool,
    pub social_criterion: bool,
    pub environmental_condition: bool,
    pub environmental_criterion: bool,
    /// A ground code of the obligation rules.
    pub exemption_ground: Option<String>,
    pub exemption_text: Option<String>,
    /// A lot of the contract has an insertion clause.
    pub insertion_clause: bool,
    /// A lot of the contract is reserved.
    pub reserved: bool,
}

impl ObligationRecord {
    /// What the rule reads: the nature from the register, else from the CPV code; a social
    /// condition written, an insertion clause or a reserved lot; a ground with its text.
    pub fn facts(&self) -> ContractFacts<'_> {
        ContractFacts {
            launch: self.launch_date,
            contract_type: self
                .contract_type
                .or_else(|| self.cpv_code.as_ref().map(|c| c.contract_type())),
            estimated_value: self.estimated_value,
            buyer_type: &self.buyer_type,
            social_condition: self.social_condition || self.insertion_clause || self.reserved,
            ground_justified: self.exemption_ground.is_some()
                && self
                    .exemption_text
                    .as_deref()
                    .is_some_and(|t| !t.trim().is_empty()),
            environmental_condition: self.environmental_condition,
        }
    }
}

/// Which contracts: of these buyers (all when `None`), notified between two dates, or one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObligationFilter {
    pub buyer_ids: Option<Vec<BuyerId>>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub contract_id: Option<ContractId>,
}

/// The contracts of the filter, by buyer and reference.
pub fn records(
    conn: &mut DbConnection,
    filter: &ObligationFilter,
) -> QueryResult<Vec<ObligationRecord>> {
    let has_clause = exists(
        insertion_clauses::table
            .inner_join(lots::table)
            .filter(lots::contract_id.eq(contracts::id)),
    );
    let reserved = exists(
        lots::table
            .filter(lots::contract_id.eq(contracts::id))
            .filter(lots::reservation.ne("none")),
    );
    located(conn, &["contracts", "lots"], |conn| {
        let mut query = contracts::table
            .inner_join(buyers::table)
            .select((
                contracts::id,
                contracts::reference,
                buyers::siret,
                buyers::buyer_type,
                contracts::notification_date,
                contracts::launch_date,
                contracts::contract_type,
                contracts::cpv_code,
                contracts::estimated_value_cents,
                contracts::social_condition,
                contracts::social_criterion,
                contracts::environmental_condition,
                contracts::environmental_criterion,
                contracts::social_exemption_ground,
                contracts::social_exemption_text,
                has_clause,
                reserved,
            ))
            .order((buyers::siret.asc(), contracts::reference.asc()))
            .into_boxed();
        if let Some(ids) = &filter.buyer_ids {
            query = query.filter(contracts::buyer_id.eq_any(ids.clone()));
        }
        if let Some(from) = filter.from {
            query = query.filter(contracts::notification_date.ge(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(contracts::notification_date.le(to));
        }
        if let Some(id) = filter.contract_id {
            query = query.filter(contracts::id.eq(id));
        }
        query.load(conn)
    })
}

/// The sum of each contract's lot amounts, for these contracts.
pub fn contract_values(
    conn: &mut DbConnection,
    ids: &[ContractId],
) -> QueryResult<std::collections::HashMap<ContractId, Money>> {
    let rows: Vec<(ContractId, Money)> = super::in_slices(ids, |slice| {
        lots::table
            .filter(lots::contract_id.eq_any(slice))
            .select((lots::contract_id, lots::amount_cents))
            .load(conn)
    })?;
    let mut values = std::collections::HashMap::new();
    for (id, amount) in rows {
        let total: &mut Money = values.entry(id).or_insert(Money::ZERO);
        *total = total.checked_add(amount).unwrap_or(*total);
    }
    Ok(values)
}
