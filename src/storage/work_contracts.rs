//! Work contracts: sent as a register, or derived from the hour statements of the participants
//! no register names.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    companies, contracts, hour_entries, lots, participants, work_contract_lots, work_contracts,
};
use super::{
    BuyerId, CompanyId, ContractId, DbConnection, ImportId, LotId, ParticipantId, WorkContractId,
    now,
};
use crate::domain::work_contract::{self, WorkContractPeriod};
use crate::domain::{EmploymentContract, Hours, Month, ReviewState};

/// Participants looked up at a time: well under both backends' bound-variable limits.
const CHUNK: usize = 1_000;

/// A contract of the register, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWorkContract {
    pub participant_id: ParticipantId,
    pub employer_id: CompanyId,
    pub insertion_employer_id: Option<CompanyId>,
    pub contract_type: EmploymentContract,
    pub period: WorkContractPeriod,
    pub weekly_hours: Option<Hours>,
    pub lot_ids: Vec<LotId>,
}

/// Writes the register's contracts: the derived contracts of its participants go, and a
/// contract of the same participant, employer, type and start replaces the stored one.
/// Returns how many were written; the caller provides the transaction.
pub fn write_register(
    conn: &mut DbConnection,
    contracts: &[NewWorkContract],
    import_id: ImportId,
    mut written: impl FnMut(),
) -> QueryResult<usize> {
    let participants: Vec<ParticipantId> = contracts.iter().map(|c| c.participant_id).collect();
    lock_participants(conn, &participants)?;
    delete_derived(conn, &participants)?;
    for contract in contracts {
        let id = upsert(conn, contract, import_id)?;
        diesel::delete(
            work_contract_lots::table.filter(work_contract_lots::work_contract_id.eq(id)),
        )
        .execute(conn)?;
        insert_lots(conn, id, &contract.lot_ids)?;
        written();
    }
    Ok(contracts.len())
}

fn upsert(
    conn: &mut DbConnection,
    c: &NewWorkContract,
    import_id: ImportId,
) -> QueryResult<WorkContractId> {
    let at = now();
    let existing: Option<WorkContractId> = work_contracts::table
        .filter(work_contracts::derived.eq(false))
        .filter(work_contracts::participant_id.eq(c.participant_id))
        .filter(work_contracts::employer_id.eq(c.employer_id))
        .filter(work_contracts::contract_type.eq(c.contract_type))
        .filter(work_contracts::start_date.eq(c.period.start()))
        .select(work_contracts::id)
        .first(conn)
        .optional()?;
    let facts = (
        work_contracts::insertion_employer_id.eq(c.insertion_employer_id),
        work_contracts::end_date.eq(c.period.end()),
        work_contracts::weekly_hours.eq(c.weekly_hours),
        work_contracts::import_id.eq(Some(import_id)),
        work_contracts::updated_at.eq(at),
    );
    match existing {
        Some(id) => diesel::update(work_contracts::table.find(id))
            .set(facts)
            .execute(conn)
            .map(|_| id),
        None => diesel::insert_into(work_contracts::table)
            .values((
                work_contracts::participant_id.eq(c.participant_id),
                work_contracts::employer_id.eq(c.employer_id),
                work_contracts::contract_type.eq(c.contract_type),
                work_contracts::start_date.eq(c.period.start()),
                work_contracts::derived.eq(false),
                work_contracts::created_at.eq(at),
                facts,
            ))
            .returning(work_contracts::id)
            .get_result(conn),
    }
}

/// Rows per multi-row INSERT of derived contracts (11 values each) and of their lots (2 each):
/// well under both backends' bound-variable limits. One statement per contract and per lot
/// was half of a 1 M-row import (benchmarks).
const INSERT_ROWS: usize = 500;

#[derive(Insertable)]
#[diesel(table_name = work_contract_lots)]
struct ContractLot {
    work_contract_id: WorkContractId,
    lot_id: LotId,
}

/// Inserts `rows` into `table`, `INSERT_ROWS` to a statement, through the backend's own
/// connection: diesel's MultiConnection writes one row per statement.
macro_rules! insert_in_batches {
    ($conn:expr, $table:expr, $rows:expr) => {
        for batch in $rows.chunks(INSERT_ROWS) {
            match &mut *$conn {
                DbConnection::Postgres(pg) => diesel::insert_into($table).values(batch).execute(pg),
                DbConnection::Sqlite(sqlite) => {
                    diesel::insert_into($table).values(batch).execute(sqlite)
                }
            }?;
        }
    };
}

fn insert_lots(conn: &mut DbConnection, id: WorkContractId, lot_ids: &[LotId]) -> QueryResult<()> {
    let rows: Vec<ContractLot> = lot_ids
        .iter()
        .map(|&lot_id| ContractLot {
            work_contract_id: id,
            lot_id,
        })
        .collect();
    insert_in_batches!(conn, work_contract_lots::table, rows);
    Ok(())
}

/// Holds the participants' rows until the caller's transaction ends: two writes deriving the
/// same person's contracts again (imports for two buyers, a review, an undoing) take turns, so
/// that neither reads the contracts the other is writing.
fn lock_participants(conn: &mut DbConnection, participants: &[ParticipantId]) -> QueryResult<()> {
    for chunk in participants.chunks(CHUNK) {
        diesel::update(participants::table.filter(participants::id.eq_any(chunk)))
            .set(participants::updated_at.eq(participants::updated_at))
            .execute(conn)?;
    }
    Ok(())
}

/// Deletes the participants' derived contracts; returns the lots they served.
fn delete_derived(
    conn: &mut DbConnection,
    participants: &[ParticipantId],
) -> QueryResult<BTreeSet<LotId>> {
    let mut served = BTreeSet::new();
    for chunk in participants.chunks(CHUNK) {
        let derived = work_contracts::table
            .filter(work_contracts::derived.eq(true))
            .filter(work_contracts::participant_id.eq_any(chunk))
            .select(work_contracts::id);
        served.extend(
            work_contract_lots::table
                .filter(work_contract_lots::work_contract_id.eq_any(derived.clone()))
                .select(work_contract_lots::lot_id)
                .distinct()
                .load::<LotId>(conn)?,
        );
        diesel::delete(
            work_contract_lots::table.filter(work_contract_lots::work_contract_id.eq_any(derived)),
        )
        .execute(conn)?;
        diesel::delete(
            work_contracts::table
                .filter(work_contracts::derived.eq(true))
                .filter(work_contracts::participant_id.eq_any(chunk)),
        )
        .execute(conn)?;
    }
    Ok(served)
}

/// What one derived contract is kept apart by: participant, employer, contract type (« Autre
/// contrat » when the statements say none) and insertion structure.
type DerivedKey = (
    ParticipantId,
    CompanyId,
    EmploymentContract,
    Option<CompanyId>,
);

/// Derives again the contracts of these participants from their hours (rejected hours aside),
/// except for those a register names: the caller provides the transaction. Returns the lots
/// the derived contracts serve.
pub fn rederive(
    conn: &mut DbConnection,
    participants: &[ParticipantId],
) -> QueryResult<BTreeSet<LotId>> {
    let mut participants = participants.to_vec();
    participants.sort_unstable();
    participants.dedup();
    lock_participants(conn, &participants)?;
    // The lots the contracts deleted served count too: a contract may end or move.
    let mut served = delete_derived(conn, &participants)?;
    for chunk in participants.chunks(CHUNK) {
        let months = worked_months(conn, chunk)?;
        served.extend(months.iter().map(|&(_, _, lot)| lot));
        insert_derived(conn, chunk, &work_contract::derive(months))?;
    }
    Ok(served)
}

/// An hour entry as derivation reads it: participant, company, contract type, insertion
/// structure, month and lot.
type WorkedMonth = (
    ParticipantId,
    CompanyId,
    Option<EmploymentContract>,
    Option<CompanyId>,
    Month,
    LotId,
);

/// The months with hours (not rejected) of these participants that no register names, each
/// under the key of the contract it belongs to.
fn worked_months(
    conn: &mut DbConnection,
    participants: &[ParticipantId],
) -> QueryResult<Vec<(DerivedKey, Month, LotId)>> {
    // Among these participants only: the whole table, read again for each thousand of them,
    // grew with the contracts a large import derives.
    let registered = work_contracts::table
        .filter(work_contracts::derived.eq(false))
        .filter(work_contracts::participant_id.eq_any(participants))
        .select(work_contracts::participant_id);
    let rows: Vec<WorkedMonth> = hour_entries::table
        .filter(hour_entries::participant_id.eq_any(participants))
        .filter(hour_entries::review.ne(ReviewState::Rejected))
        .filter(diesel::dsl::not(
            hour_entries::participant_id.eq_any(registered),
        ))
        .select((
            hour_entries::participant_id,
            hour_entries::company_id,
            hour_entries::employment_contract,
            hour_entries::insertion_employer_id,
            hour_entries::month,
            hour_entries::lot_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(p, company, kind, structure, month, lot)| {
            let kind = kind.unwrap_or(EmploymentContract::Other);
            ((p, company, kind, structure), month, lot)
        })
        .collect())
}

/// A derived contract as written.
#[derive(Insertable)]
#[diesel(table_name = work_contracts, treat_none_as_default_value = false)]
struct DerivedRow {
    participant_id: ParticipantId,
    employer_id: CompanyId,
    insertion_employer_id: Option<CompanyId>,
    contract_type: EmploymentContract,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    weekly_hours: Option<Hours>,
    derived: bool,
    import_id: Option<ImportId>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Writes the contracts derived for these participants, then their lots once their ids are
/// known; the participants' derived contracts were deleted before.
fn insert_derived(
    conn: &mut DbConnection,
    participants: &[ParticipantId],
    contracts: &[work_contract::Derived<DerivedKey, LotId>],
) -> QueryResult<()> {
    if contracts.is_empty() {
        return Ok(());
    }
    let at = now();
    let rows: Vec<DerivedRow> = contracts
        .iter()
        .map(|contract| {
            let (participant_id, employer_id, contract_type, insertion_employer_id) = contract.key;
            let period = contract.period();
            DerivedRow {
                participant_id,
                employer_id,
                insertion_employer_id,
                contract_type,
                start_date: period.start(),
                end_date: period.end(),
                weekly_hours: None,
                derived: true,
                import_id: None,
                created_at: at,
                updated_at: at,
            }
        })
        .collect();
    insert_in_batches!(conn, work_contracts::table, rows);
    let ids = derived_ids(conn, participants)?;
    let mut lots = Vec::new();
    for contract in contracts {
        let id = *ids
            .get(&(contract.key, contract.period().start()))
            .ok_or_else(|| unwritten(contract.key.0))?;
        lots.extend(contract.lots.iter().map(|&lot_id| ContractLot {
            work_contract_id: id,
            lot_id,
        }));
    }
    insert_in_batches!(conn, work_contract_lots::table, lots);
    Ok(())
}

/// A derived contract not found once written: the participants' rows are held, so only a
/// fault of this module could cause it.
fn unwritten(participant: ParticipantId) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!(
            "contrat déduit introuvable après son écriture (participant n° {})",
            participant.get()
        )
        .into(),
    )
}

/// The ids of the participants' derived contracts, by key and start: a key's runs of months
/// never start on the same day.
fn derived_ids(
    conn: &mut DbConnection,
    participants: &[ParticipantId],
) -> QueryResult<BTreeMap<(DerivedKey, NaiveDate), WorkContractId>> {
    let rows: Vec<(WorkContractId, DerivedKey, NaiveDate)> = work_contracts::table
        .filter(work_contracts::derived.eq(true))
        .filter(work_contracts::participant_id.eq_any(participants))
        .select((
            work_contracts::id,
            (
                work_contracts::participant_id,
                work_contracts::employer_id,
                work_contracts::contract_type,
                work_contracts::insertion_employer_id,
            ),
            work_contracts::start_date,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, key, start)| ((key, start), id))
        .collect())
}

/// A contract running in a period, once per buyer whose lots it served.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ContractRow {
    pub id: WorkContractId,
    pub participant_id: ParticipantId,
    pub contract_type: EmploymentContract,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub derived: bool,
    pub buyer_id: BuyerId,
}

/// Where the contracts counted are: the buyers whose lots they served (`None`: all), and for
/// a company, the contracts it is employer or insertion structure of.
#[derive(Debug, Clone)]
pub struct ContractsFilter {
    pub buyer_ids: Option<Vec<BuyerId>>,
    pub company_id: Option<CompanyId>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The contracts running on a day of the period, in the filter, once per buyer they served.
pub fn running(conn: &mut DbConnection, filter: &ContractsFilter) -> QueryResult<Vec<ContractRow>> {
    let mut query = work_contracts::table
        .inner_join(work_contract_lots::table.inner_join(lots::table.inner_join(contracts::table)))
        .filter(work_contracts::start_date.le(filter.to))
        .filter(
            work_contracts::end_date
                .is_null()
                .or(work_contracts::end_date.ge(filter.from)),
        )
        .select((
            work_contracts::id,
            work_contracts::participant_id,
            work_contracts::contract_type,
            work_contracts::start_date,
            work_contracts::end_date,
            work_contracts::derived,
            contracts::buyer_id,
        ))
        .distinct()
        .into_boxed();
    if let Some(ids) = &filter.buyer_ids {
        query = query.filter(contracts::buyer_id.eq_any(ids.clone()));
    }
    if let Some(company) = filter.company_id {
        query = query.filter(
            work_contracts::employer_id
                .eq(company)
                .or(work_contracts::insertion_employer_id.eq(company)),
        );
    }
    query.load(conn)
}

// The employer and the insertion structure of a contract are both companies.
diesel::alias! {
    const EMPLOYERS: Alias<Employers> = companies as employers;
    const STRUCTURES: Alias<Structures> = companies as structures;
}

/// One contract of a participant, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ParticipantContract {
    pub id: WorkContractId,
    pub contract_type: EmploymentContract,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub weekly_hours: Option<Hours>,
    pub derived: bool,
    pub employer_siret: String,
    pub employer_name: String,
    pub structure_name: Option<String>,
}

/// A lot a contract served: the contract's reference, the lot's number and title.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ServedLot {
    pub work_contract_id: WorkContractId,
    pub contract_id: ContractId,
    pub reference: String,
    pub lot: i32,
    pub lot_title: Option<String>,
}

/// The participant's contracts that served a lot of these buyers (every contract when
/// `None`), the latest first (then by employer), with the lots of these buyers each served: a facilitateur of
/// one buyer does not learn where the person worked for another.
pub fn of_participant(
    conn: &mut DbConnection,
    id: ParticipantId,
    buyer_ids: Option<&[BuyerId]>,
) -> QueryResult<(Vec<ParticipantContract>, Vec<ServedLot>)> {
    let mut served = work_contract_lots::table
        .inner_join(lots::table.inner_join(contracts::table))
        .inner_join(work_contracts::table)
        .filter(work_contracts::participant_id.eq(id))
        .select((
            work_contract_lots::work_contract_id,
            contracts::id,
            contracts::reference,
            lots::number,
            lots::title,
        ))
        .order((contracts::reference, lots::number))
        .into_boxed();
    if let Some(ids) = buyer_ids {
        served = served.filter(contracts::buyer_id.eq_any(ids.to_vec()));
    }
    let served: Vec<ServedLot> = served.load(conn)?;
    let mut query = work_contracts::table
        .inner_join(
            EMPLOYERS.on(EMPLOYERS
                .field(companies::id)
                .eq(work_contracts::employer_id)),
        )
        .left_join(STRUCTURES.on(
            work_contracts::insertion_employer_id.eq(STRUCTURES.field(companies::id).nullable()),
        ))
        .filter(work_contracts::participant_id.eq(id))
        .select((
            work_contracts::id,
            work_contracts::contract_type,
            work_contracts::start_date,
            work_contracts::end_date,
            work_contracts::weekly_hours,
            work_contracts::derived,
            EMPLOYERS.field(companies::identifier),
            EMPLOYERS.field(companies::name),
            STRUCTURES.field(companies::name).nullable(),
        ))
        .order((
            work_contracts::start_date.desc(),
            EMPLOYERS.field(companies::name),
            work_contracts::id,
        ))
        .into_boxed();
    if buyer_ids.is_some() {
        let reached: Vec<WorkContractId> = served.iter().map(|s| s.work_contract_id).collect();
        query = query.filter(work_contracts::id.eq_any(reached));
    }
    Ok((query.load(conn)?, served))
}
