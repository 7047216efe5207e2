//! Contracts, their lots, awards and insertion clauses, as the register import writes them.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::located::located;
use super::schema::{awards, buyers, companies, contracts, insertion_clauses, lots};
use super::{BuyerId, CompanyId, ContractId, DbConnection, ImportId, LotId, MultiBackend, now};
use crate::domain::{
    AwardRole, Ccag, ContractNature, ContractType, CpvCode, Hours, Labelled, Money, Procedure,
    Rate, Reservation,
};

pub struct ContractFields<'a> {
    pub buyer_id: BuyerId,
    pub reference: &'a str,
    pub object: &'a str,
    pub procedure: Option<Procedure>,
    pub cpv: Option<&'a CpvCode>,
    pub notification_date: NaiveDate,
    pub duration_months: Option<i32>,
    pub end_date: Option<NaiveDate>,
    pub social_criterion: bool,
    pub import_id: Option<ImportId>,
    pub register: &'a RegisterFacts,
}

/// Creates the contract or updates the one with the same buyer and reference.
pub fn upsert_contract(conn: &mut DbConnection, c: &ContractFields<'_>) -> QueryResult<ContractId> {
    let existing = id_by_reference(conn, c.buyer_id, c.reference)?;
    save_contract(conn, existing, c)
}

/// Writes the fields over contract `id` (its buyer and reference included), or creates the
/// contract when `None`. A contract changed outside an import keeps the import it came from.
pub fn save_contract(
    conn: &mut DbConnection,
    id: Option<ContractId>,
    c: &ContractFields<'_>,
) -> QueryResult<ContractId> {
    let at = now();
    let values = (
        contracts::buyer_id.eq(c.buyer_id),
        contracts::reference.eq(c.reference),
        contracts::object.eq(c.object),
        contracts::procedure.eq(c.procedure.map(|p| p.code())),
        contracts::cpv_code.eq(c.cpv.map(CpvCode::as_str)),
        contracts::notification_date.eq(c.notification_date),
        contracts::duration_months.eq(c.duration_months),
        contracts::end_date.eq(c.end_date),
        contracts::social_criterion.eq(c.social_criterion),
        contracts::updated_at.eq(at),
    );
    let o = c.register;
    let obligations = (
        contracts::launch_date.eq(o.launch_date),
        contracts::contract_type.eq(o.contract_type.map(|t| t.code())),
        contracts::estimated_value_cents.eq(o.estimated_value.map(Money::cents)),
        contracts::social_condition.eq(o.social_condition),
        contracts::environmental_condition.eq(o.environmental_condition),
        contracts::environmental_criterion.eq(o.environmental_criterion),
        contracts::social_exemption_ground.eq(o.exemption_ground.as_deref()),
        contracts::social_exemption_text.eq(o.exemption_text.as_deref()),
    );
    let Some(id) = id else {
        return diesel::insert_into(contracts::table)
            .values((
                contracts::created_at.eq(at),
                contracts::source_import_id.eq(c.import_id),
                values,
                obligations,
            ))
            .returning(contracts::id)
            .get_result(conn);
    };
    diesel::update(contracts::table.find(id))
        .set((values, obligations))
        .execute(conn)?;
    if let Some(import) = c.import_id {
        diesel::update(contracts::table.find(id))
            .set(contracts::source_import_id.eq(import))
            .execute(conn)?;
    }
    Ok(id)
}

/// Creates the lot or updates the one with the same number.
pub fn upsert_lot(
    conn: &mut DbConnection,
    contract_id: ContractId,
    number: i32,
    title: Option<&str>,
    amount: Money,
    reservation: Reservation,
) -> QueryResult<LotId> {
    let at = now();
    let existing: Option<LotId> = lots::table
        .filter(lots::contract_id.eq(contract_id))
        .filter(lots::number.eq(number))
        .select(lots::id)
        .first(conn)
        .optional()?;
    let values = (
        lots::title.eq(title),
        lots::amount_cents.eq(amount.cents()),
        lots::reservation.eq(reservation.code()),
        lots::updated_at.eq(at),
    );
    match existing {
        Some(id) => diesel::update(lots::table.find(id))
            .set(values)
            .execute(conn)
            .map(|_| id),
        None => diesel::insert_into(lots::table)
            .values((
                lots::contract_id.eq(contract_id),
                lots::number.eq(number),
                lots::created_at.eq(at),
                values,
            ))
            .returning(lots::id)
            .get_result(conn),
    }
}

/// The lot's awards become exactly these: the register is the authority for the lots it lists.
pub fn replace_awards(
    conn: &mut DbConnection,
    lot_id: LotId,
    list: &[(CompanyId, AwardRole, Money)],
) -> QueryResult<()> {
    diesel::delete(awards::table.filter(awards::lot_id.eq(lot_id))).execute(conn)?;
    let at = now();
    for (company_id, role, amount) in list {
        diesel::insert_into(awards::table)
            .values((
                awards::lot_id.eq(lot_id),
                awards::company_id.eq(company_id),
                awards::role.eq(role.code()),
                awards::amount_cents.eq(amount.cents()),
                awards::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Gives the lot a clause with a target typed as such; without a target, keeps the clause's
/// known one (a new clause starts at zero hours: ineffective until a target is set).
pub fn set_clause(
    conn: &mut DbConnection,
    lot_id: LotId,
    target: Option<Hours>,
) -> QueryResult<()> {
    let at = now();
    let existing: Option<i64> = insertion_clauses::table
        .filter(insertion_clauses::lot_id.eq(lot_id))
        .select(insertion_clauses::id)
        .first(conn)
        .optional()?;
    match (existing, target) {
        (Some(_), None) => Ok(()),
        (Some(id), Some(target)) => diesel::update(insertion_clauses::table.find(id))
            .set((
                insertion_clauses::target_hours.eq(target.hundredths()),
                insertion_clauses::target_source.eq("typed"),
                insertion_clauses::updated_at.eq(at),
                // The register's target now: no longer the one a person set.
                insertion_clauses::set_by.eq(None::<String>),
            ))
            .execute(conn)
            .map(drop),
        (None, target) => diesel::insert_into(insertion_clauses::table)
            .values((
                insertion_clauses::lot_id.eq(lot_id),
                insertion_clauses::target_hours.eq(target.unwrap_or_default()),
                insertion_clauses::target_source.eq("typed"),
                insertion_clauses::created_at.eq(at),
                insertion_clauses::updated_at.eq(at),
            ))
            .execute(conn)
            .map(drop),
    }
}

/// A clause as a facilitateur sets it: the target and, when calibrated, its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseSettings {
    pub target: Hours,
    pub calibration: Option<crate::domain::Calibration>,
    pub penalty_per_hour: Option<crate::domain::Money>,
    pub training_counts: bool,
    pub cap_per_participant: Option<Hours>,
    /// The share of the counted hours reserved to residents of a priority neighbourhood
    /// (QPV), as urban renewal agreements ask.
    pub qpv_share: Option<Rate>,
}

/// Gives the lot this clause, replacing what it had, and names who set it.
pub fn save_clause(
    conn: &mut DbConnection,
    lot_id: LotId,
    settings: &ClauseSettings,
    set_by: &str,
) -> QueryResult<()> {
    let at = now();
    let c = settings.calibration.as_ref();
    let values = (
        insertion_clauses::target_hours.eq(settings.target.hundredths()),
        insertion_clauses::target_source.eq(if c.is_some() { "calibrated" } else { "typed" }),
        insertion_clauses::base_amount_cents.eq(c.map(|c| c.base_amount.cents())),
        insertion_clauses::labour_share_bp.eq(c.map(|c| c.labour_share.basis_points() as i32)),
        insertion_clauses::insertion_rate_bp.eq(c.map(|c| c.insertion_rate.basis_points() as i32)),
        insertion_clauses::hourly_cost_cents.eq(c.map(|c| c.hourly_cost.cents())),
        insertion_clauses::penalty_per_hour_cents.eq(settings.penalty_per_hour.map(|m| m.cents())),
        insertion_clauses::training_counts.eq(settings.training_counts),
        insertion_clauses::cap_hours_per_participant
            .eq(settings.cap_per_participant.map(Hours::hundredths)),
        insertion_clauses::qpv_share_bp.eq(settings.qpv_share),
        insertion_clauses::updated_at.eq(at),
        insertion_clauses::set_by.eq(Some(set_by)),
    );
    let updated =
        diesel::update(insertion_clauses::table.filter(insertion_clauses::lot_id.eq(lot_id)))
            .set(values)
            .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(insertion_clauses::table)
            .values((
                insertion_clauses::lot_id.eq(lot_id),
                insertion_clauses::created_at.eq(at),
                values,
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A lot's clause as stored: its settings, who set them (none: an import) and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClause {
    pub settings: ClauseSettings,
    pub set_by: Option<String>,
    pub updated_at: chrono::NaiveDateTime,
}

type ClauseColumns = (
    Hours,
    Option<Money>,
    Option<Rate>,
    Option<Rate>,
    Option<Money>,
    Option<Money>,
    bool,
    Option<Hours>,
    Option<Rate>,
    Option<String>,
    chrono::NaiveDateTime,
);

/// The lot's clause, if it has one.
pub fn clause_of(conn: &mut DbConnection, lot_id: LotId) -> QueryResult<Option<StoredClause>> {
    let row: Option<ClauseColumns> = insertion_clauses::table
        .filter(insertion_clauses::lot_id.eq(lot_id))
        .select((
            insertion_clauses::target_hours,
            insertion_clauses::base_amount_cents,
            insertion_clauses::labour_share_bp,
            insertion_clauses::insertion_rate_bp,
            insertion_clauses::hourly_cost_cents,
            insertion_clauses::penalty_per_hour_cents,
            insertion_clauses::training_counts,
            insertion_clauses::cap_hours_per_participant,
            insertion_clauses::qpv_share_bp,
            insertion_clauses::set_by,
            insertion_clauses::updated_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(target, base, labour, rate, cost, penalty, training, cap, qpv, set_by, updated_at)| {
            let calibration = match (base, labour, rate, cost) {
                (
                    Some(base_amount),
                    Some(labour_share),
                    Some(insertion_rate),
                    Some(hourly_cost),
                ) => Some(crate::domain::Calibration {
                    base_amount,
                    labour_share,
                    insertion_rate,
                    hourly_cost,
                }),
                _ => None,
            };
            StoredClause {
                settings: ClauseSettings {
                    target,
                    calibration,
                    penalty_per_hour: penalty,
                    training_counts: training,
                    cap_per_participant: cap,
                    qpv_share: qpv,
                },
                set_by,
                updated_at,
            }
        },
    ))
}

/// The buyer, reference and number of a lot, if it exists.
pub fn lot_identity(
    conn: &mut DbConnection,
    lot_id: LotId,
) -> QueryResult<Option<(BuyerId, String, i32)>> {
    lots::table
        .inner_join(contracts::table)
        .filter(lots::id.eq(lot_id))
        .select((contracts::buyer_id, contracts::reference, lots::number))
        .first(conn)
        .optional()
}

/// The contract a lot belongs to, if the lot exists.
pub fn contract_of_lot(conn: &mut DbConnection, lot_id: LotId) -> QueryResult<Option<ContractId>> {
    lots::table
        .find(lot_id)
        .select(lots::contract_id)
        .first(conn)
        .optional()
}

/// Removes the lot's clause, when the register says the lot has none.
pub fn remove_clause(conn: &mut DbConnection, lot_id: LotId) -> QueryResult<()> {
    diesel::delete(insertion_clauses::table.filter(insertion_clauses::lot_id.eq(lot_id)))
        .execute(conn)
        .map(drop)
}

/// A lot as the hour-statement checks need it (fields in the order of the query's columns).
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct LotPeriod {
    pub buyer_id: BuyerId,
    pub reference: String,
    pub notification_date: NaiveDate,
    pub duration_months: Option<i32>,
    pub end_date: Option<NaiveDate>,
    pub lot_number: i32,
    pub lot_id: LotId,
}

/// Every lot of the given buyers (all buyers when `None`), with its contract's period.
pub fn lots_of_buyers(
    conn: &mut DbConnection,
    buyer_ids: Option<&[BuyerId]>,
) -> QueryResult<Vec<LotPeriod>> {
    lot_periods(conn, buyer_ids, None)
}

/// Every lot the company (by SIRET) holds, co-holds or subcontracts, with its contract's period:
/// all a company account may declare hours on, and all its refused rows may name.
pub fn lots_held_by(conn: &mut DbConnection, company_siret: &str) -> QueryResult<Vec<LotPeriod>> {
    lot_periods(conn, None, Some(company_siret))
}

fn lot_periods(
    conn: &mut DbConnection,
    buyer_ids: Option<&[BuyerId]>,
    held_by: Option<&str>,
) -> QueryResult<Vec<LotPeriod>> {
    let mut query = lots::table
        .inner_join(contracts::table)
        .select((
            contracts::buyer_id,
            contracts::reference,
            contracts::notification_date,
            contracts::duration_months,
            contracts::end_date,
            lots::number,
            lots::id,
        ))
        .into_boxed();
    if let Some(ids) = buyer_ids {
        query = query.filter(contracts::buyer_id.eq_any(ids.to_vec()));
    }
    if let Some(siret) = held_by {
        query = query.filter(diesel::dsl::exists(
            awards::table
                .inner_join(companies::table)
                .filter(awards::lot_id.eq(lots::id))
                .filter(companies::identifier.eq(siret.to_owned())),
        ));
    }
    query.load(conn)
}

/// (lot, company) for every award of these lots.
pub fn holders_of(
    conn: &mut DbConnection,
    lot_ids: &[LotId],
) -> QueryResult<Vec<(LotId, CompanyId)>> {
    super::in_slices(lot_ids, |slice| {
        awards::table
            .filter(awards::lot_id.eq_any(slice))
            .select((awards::lot_id, awards::company_id))
            .load(conn)
    })
}

/// (reference, lot number) of every lot with an insertion clause that the company holds, within
/// the given buyers (all when `None`), by reference and lot.
pub fn clause_lots_of_company(
    conn: &mut DbConnection,
    company_siret: &str,
    buyer_ids: Option<&[BuyerId]>,
) -> QueryResult<Vec<(String, i32)>> {
    let mut query = awards::table
        .inner_join(companies::table)
        .inner_join(lots::table.inner_join(contracts::table))
        .filter(companies::identifier.eq(company_siret))
        .filter(diesel::dsl::exists(
            insertion_clauses::table.filter(insertion_clauses::lot_id.eq(lots::id)),
        ))
        .select((contracts::reference, lots::number))
        .distinct()
        .order((contracts::reference.asc(), lots::number.asc()))
        .into_boxed();
    if let Some(ids) = buyer_ids {
        query = query.filter(contracts::buyer_id.eq_any(ids.to_vec()));
    }
    query.load(conn)
}

/// Which contracts a listing shows: those of the buyers in scope (all when `None`), of a
/// company's awards when set, notified between two dates, whose reference or object holds
/// `search`, or one contract by its id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractFilter {
    pub buyer_ids: Option<Vec<BuyerId>>,
    pub company_id: Option<CompanyId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub search: Option<String>,
    pub id: Option<ContractId>,
    /// Only these contracts (those short of an obligation, when the list is narrowed to them).
    pub ids: Option<Vec<ContractId>>,
}

/// A contract with its lots, their awardees and clauses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractView {
    pub id: ContractId,
    pub buyer_siret: String,
    pub reference: String,
    pub object: String,
    /// DECP nature: contract, partnership or defence_or_security.
    pub nature: String,
    pub procedure: Option<String>,
    pub cpv_code: Option<String>,
    pub ccag: Option<String>,
    pub notification_date: NaiveDate,
    pub duration_months: Option<i32>,
    pub end_date: Option<NaiveDate>,
    pub social_criterion: bool,
    pub register: RegisterFacts,
    pub lots: Vec<LotView>,
}

/// What the register records of a contract for the buyer's legal obligations, as written and
/// read back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable)]
pub struct RegisterFacts {
    pub launch_date: Option<NaiveDate>,
    pub contract_type: Option<ContractType>,
    pub estimated_value: Option<Money>,
    pub social_condition: bool,
    pub environmental_condition: bool,
    pub environmental_criterion: bool,
    /// A ground's code in the obligation rules.
    pub exemption_ground: Option<String>,
    pub exemption_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotView {
    pub id: LotId,
    /// 0 for a contract without lots.
    pub number: i32,
    pub title: Option<String>,
    /// In cents.
    pub amount: i64,
    pub reservation: String,
    /// In hundredths of an hour, when the lot has a clause.
    pub target_hours: Option<i64>,
    pub target_source: Option<String>,
    pub awards: Vec<AwardView>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardView {
    /// The company's identifier's key: its SIRET, or `TVA:FR…` for one without.
    pub identifier: String,
    pub name: String,
    pub role: String,
    /// Declared share, in cents.
    pub amount: Option<i64>,
}

/// A contract's row, as the listing reads it.
#[derive(Queryable)]
struct ContractRow {
    id: ContractId,
    buyer_siret: String,
    reference: String,
    object: String,
    nature: ContractNature,
    procedure: Option<Procedure>,
    cpv_code: Option<String>,
    ccag: Option<Ccag>,
    notification_date: NaiveDate,
    duration_months: Option<i32>,
    end_date: Option<NaiveDate>,
    social_criterion: bool,
    register: RegisterFacts,
}

impl ContractRow {
    fn into_view(self, lots: Vec<LotView>) -> ContractView {
        ContractView {
            id: self.id,
            buyer_siret: self.buyer_siret,
            reference: self.reference,
            object: self.object,
            nature: self.nature.code().to_owned(),
            procedure: self.procedure.map(|p| p.code().to_owned()),
            cpv_code: self.cpv_code,
            ccag: self.ccag.map(|c| c.code().to_owned()),
            notification_date: self.notification_date,
            duration_months: self.duration_months,
            end_date: self.end_date,
            social_criterion: self.social_criterion,
            register: self.register,
            lots,
        }
    }
}

/// A lot with its clause's target, if it has one.
#[derive(Queryable)]
struct LotRow {
    id: LotId,
    contract_id: ContractId,
    number: i32,
    title: Option<String>,
    amount: Money,
    reservation: Reservation,
    target: Option<Hours>,
    target_source: Option<String>,
}

#[derive(Queryable)]
struct AwardRow {
    lot_id: LotId,
    identifier: String,
    name: String,
    role: AwardRole,
    amount: Option<Money>,
}

/// The contracts of the filter, joined with their buyer, before paging.
type Filtered<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::InnerJoin<contracts::table, buyers::table>,
    MultiBackend,
>;

fn filtered(filter: &ContractFilter) -> Filtered<'static> {
    let mut query = contracts::table.inner_join(buyers::table).into_boxed();
    if let Some(ids) = &filter.buyer_ids {
        query = query.filter(contracts::buyer_id.eq_any(ids.clone()));
    }
    if let Some(company) = filter.company_id {
        query = query.filter(diesel::dsl::exists(
            awards::table
                .inner_join(lots::table)
                .filter(lots::contract_id.eq(contracts::id))
                .filter(awards::company_id.eq(company)),
        ));
    }
    if let Some(from) = filter.from {
        query = query.filter(contracts::notification_date.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(contracts::notification_date.le(to));
    }
    if let Some(id) = filter.id {
        query = query.filter(contracts::id.eq(id));
    }
    if let Some(ids) = &filter.ids {
        query = query.filter(contracts::id.eq_any(ids.clone()));
    }
    if let Some(search) = &filter.search {
        let pattern = super::contains_pattern(search);
        query = query.filter(
            super::fold(contracts::reference)
                .like(pattern.clone())
                .escape('\\')
                .or(super::fold(contracts::object).like(pattern).escape('\\')),
        );
    }
    query
}

/// One page of contracts, most recently notified first, and how many there are in all.
pub fn page(
    conn: &mut DbConnection,
    filter: &ContractFilter,
    page: super::PageRequest,
) -> QueryResult<(Vec<ContractView>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows: Vec<ContractRow> = located(conn, &["contracts"], |conn| {
        filtered(filter)
            .select((
                contracts::id,
                buyers::siret,
                contracts::reference,
                contracts::object,
                contracts::nature,
                contracts::procedure,
                contracts::cpv_code,
                contracts::ccag,
                contracts::notification_date,
                contracts::duration_months,
                contracts::end_date,
                contracts::social_criterion,
                (
                    contracts::launch_date,
                    contracts::contract_type,
                    contracts::estimated_value_cents,
                    contracts::social_condition,
                    contracts::environmental_condition,
                    contracts::environmental_criterion,
                    contracts::social_exemption_ground,
                    contracts::social_exemption_text,
                ),
            ))
            .order((contracts::notification_date.desc(), contracts::id.desc()))
            .limit(page.per_page)
            .offset(page.offset())
            .load(conn)
    })?;
    let ids: Vec<ContractId> = rows.iter().map(|r| r.id).collect();
    let mut lots = lots_of(conn, &ids)?;
    let items = rows
        .into_iter()
        .map(|row| {
            let lots = lots.remove(&row.id).unwrap_or_default();
            row.into_view(lots)
        })
        .collect();
    Ok((items, total))
}

/// The lots of these contracts with their awards, by contract, in lot order.
fn lots_of(
    conn: &mut DbConnection,
    contract_ids: &[ContractId],
) -> QueryResult<HashMap<ContractId, Vec<LotView>>> {
    let lot_rows: Vec<LotRow> = located(conn, &["lots", "insertion_clauses"], |conn| {
        lots::table
            .left_join(insertion_clauses::table)
            .filter(lots::contract_id.eq_any(contract_ids))
            .select((
                lots::id,
                lots::contract_id,
                lots::number,
                lots::title,
                lots::amount_cents,
                lots::reservation,
                insertion_clauses::target_hours.nullable(),
                insertion_clauses::target_source.nullable(),
            ))
            .order((lots::contract_id, lots::number))
            .load(conn)
    })?;
    let lot_ids: Vec<LotId> = lot_rows.iter().map(|l| l.id).collect();
    let mut awards = awards_of(conn, &lot_ids)?;
    let mut by_contract: HashMap<ContractId, Vec<LotView>> = HashMap::new();
    for lot in lot_rows {
        let awards = awards.remove(&lot.id).unwrap_or_default();
        by_contract
            .entry(lot.contract_id)
            .or_default()
            .push(LotView {
                id: lot.id,
                number: lot.number,
                title: lot.title,
                amount: lot.amount.cents(),
                reservation: lot.reservation.code().to_owned(),
                target_hours: lot.target.map(Hours::hundredths),
                target_source: lot.target_source,
                awards,
            });
    }
    Ok(by_contract)
}

/// The awards of these lots, by lot, in the order they were recorded.
fn awards_of(
    conn: &mut DbConnection,
    lot_ids: &[LotId],
) -> QueryResult<HashMap<LotId, Vec<AwardView>>> {
    let rows: Vec<AwardRow> = located(conn, &["awards"], |conn| {
        super::in_slices(lot_ids, |slice| {
            awards::table
                .inner_join(companies::table)
                .filter(awards::lot_id.eq_any(slice))
                .select((
                    awards::lot_id,
                    companies::identifier,
                    companies::name,
                    awards::role,
                    awards::amount_cents,
                ))
                .order((awards::lot_id, awards::id))
                .load(conn)
        })
    })?;
    let mut by_lot: HashMap<LotId, Vec<AwardView>> = HashMap::new();
    for award in rows {
        by_lot.entry(award.lot_id).or_default().push(AwardView {
            identifier: award.identifier,
            name: award.name,
            role: award.role.code().to_owned(),
            amount: award.amount.map(Money::cents),
        });
    }
    Ok(by_lot)
}

/// A contract's buyer, reference and object, if it exists.
pub fn heading(
    conn: &mut DbConnection,
    contract_id: ContractId,
) -> QueryResult<Option<(BuyerId, String, String)>> {
    contracts::table
        .find(contract_id)
        .select((contracts::buyer_id, contracts::reference, contracts::object))
        .first(conn)
        .optional()
}

/// Whether the company holds (or co-holds, or subcontracts) a lot of the contract.
pub fn is_held_by(
    conn: &mut DbConnection,
    contract_id: ContractId,
    company_id: CompanyId,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        awards::table
            .inner_join(lots::table)
            .filter(lots::contract_id.eq(contract_id))
            .filter(awards::company_id.eq(company_id)),
    ))
    .get_result(conn)
}

/// Every contract of the filter, page after page (for exports).
pub fn all(conn: &mut DbConnection, filter: &ContractFilter) -> QueryResult<Vec<ContractView>> {
    let mut all = Vec::new();
    for number in 1.. {
        let request = super::PageRequest::new(Some(number), Some(super::PageRequest::MAX_PER_PAGE));
        let (items, total) = page(conn, filter, request)?;
        let done = items.is_empty();
        all.extend(items);
        if done || all.len() as i64 >= total {
            break;
        }
    }
    Ok(all)
}

/// The contract of this buyer with this reference, if there is one.
pub fn id_by_reference(
    conn: &mut DbConnection,
    buyer_id: BuyerId,
    reference: &str,
) -> QueryResult<Option<ContractId>> {
    contracts::table
        .filter(contracts::buyer_id.eq(buyer_id))
        .filter(contracts::reference.eq(reference))
        .select(contracts::id)
        .first(conn)
        .optional()
}

/// The numbers of the contract's lots that have hours declared, in order.
pub fn lots_with_hours(conn: &mut DbConnection, contract_id: ContractId) -> QueryResult<Vec<i32>> {
    lots::table
        .filter(lots::contract_id.eq(contract_id))
        .filter(diesel::dsl::exists(
            super::schema::hour_entries::table
                .filter(super::schema::hour_entries::lot_id.eq(lots::id)),
        ))
        .select(lots::number)
        .order(lots::number)
        .load(conn)
}

/// Removes the contract's lots whose numbers are not in `kept`, with their awards and clauses.
pub fn remove_lots_except(
    conn: &mut DbConnection,
    contract_id: ContractId,
    kept: &[i32],
) -> QueryResult<()> {
    diesel::delete(
        lots::table
            .filter(lots::contract_id.eq(contract_id))
            .filter(lots::number.ne_all(kept.to_vec())),
    )
    .execute(conn)
    .map(drop)
}

/// Removes the contract with its lots, awards and clauses (the caller checks it has no hours).
pub fn delete_contract(conn: &mut DbConnection, id: ContractId) -> QueryResult<()> {
    diesel::delete(lots::table.filter(lots::contract_id.eq(id))).execute(conn)?;
    diesel::delete(contracts::table.find(id))
        .execute(conn)
        .map(drop)
}

/// The buyers whose contracts hold these lots.
pub fn buyers_of_lots(conn: &mut DbConnection, lot_ids: &[LotId]) -> QueryResult<Vec<BuyerId>> {
    let mut buyers = super::in_slices(lot_ids, |slice| {
        lots::table
            .inner_join(contracts::table)
            .filter(lots::id.eq_any(slice))
            .select(contracts::buyer_id)
            .distinct()
            .load(conn)
    })?;
    buyers.sort_unstable();
    buyers.dedup();
    Ok(buyers)
}
