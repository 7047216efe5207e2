//! The aggregations behind the indicators, done by the database: sums and distinct counts
//! grouped by one dimension at a time, never every hour entry loaded.
//!
//! The grouping keys are SQL expressions both backends read alike (CASE, CAST, `||`, integer
//! division), written once here per dimension.
//!
//! Sums of hours by lot, company, insertion structure, modality and month (and what those
//! lead to: buyer, contract, structure kind, year) read the roll-ups kept by each write
//! (`hour_rollups`, see `storage::rollups`), a row per group of entries instead of every entry.
//! Distinct participants do not add up across groups (one person works on several lots and
//! months): they are counted over the entries, as are the groups of people (criterion, sex,
//! age, QPV, exit, six-month situation) and the hours per participant.

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};

use super::located::located;
use super::schema::{
    awards, buyers, companies, contracts, hour_entries, hour_rollups, insertion_clauses, lots,
    participants,
};
use super::{BuyerId, CompanyId, ContractId, DbConnection, HourEntryId, LotId, ParticipantId};
use crate::domain::{
    AwardRole, EmploymentContract, Hours, Locality, Modality, Money, Month, Rate, Reservation,
    ReviewState, SizeClass,
};

// `firms`: the company that declares the hours (holder, co-contractor or subcontractor);
// `employers`: the insertion structure that seconded or employed the participant, if any;
// `scope_lots` and `scope_contracts`: the lots of the buyers in scope, in a subquery beside
// a join on lots.
diesel::alias! {
    const FIRMS: Alias<Firms> = companies as firms;
    const EMPLOYERS: Alias<Employers> = companies as employers;
    const SCOPE_LOTS: Alias<ScopeLots> = lots as scope_lots;
    const SCOPE_CONTRACTS: Alias<ScopeContracts> = contracts as scope_contracts;
}

/// Which hour entries count: those of the buyers in scope (all when `None`), of one company
/// when set, within a range of months (yyyymm, inclusive), in the review states `counted` keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursFilter {
    pub buyer_ids: Option<Vec<BuyerId>>,
    pub company_id: Option<CompanyId>,
    pub from_month: i32,
    pub to_month: i32,
    pub counted: Counted,
}

/// Which hours count by their review: the validated ones (the default), those and the ones
/// awaiting validation, or only the latter. Rejected hours count nowhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Counted {
    #[default]
    Validated,
    WithPending,
    PendingOnly,
}

impl Counted {
    pub fn states(self) -> Vec<ReviewState> {
        match self {
            Counted::Validated => vec![ReviewState::Validated],
            Counted::WithPending => vec![ReviewState::Validated, ReviewState::Declared],
            Counted::PendingOnly => vec![ReviewState::Declared],
        }
    }
}

/// What hours are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Buyer,
    Contract,
    Lot,
    Company,
    InsertionEmployer,
    StructureKind,
    Year,
    Month,
    Modality,
    Criterion,
    Sex,
    AgeBand,
    Qpv,
    ExitOutcome,
    SixMonthSituation,
}

impl Dimension {
    pub const ALL: [Dimension; 15] = [
        Dimension::Buyer,
        Dimension::Contract,
        Dimension::Lot,
        Dimension::Company,
        Dimension::InsertionEmployer,
        Dimension::StructureKind,
        Dimension::Year,
        Dimension::Month,
        Dimension::Modality,
        Dimension::Criterion,
        Dimension::Sex,
        Dimension::AgeBand,
        Dimension::Qpv,
        Dimension::ExitOutcome,
        Dimension::SixMonthSituation,
    ];

    /// The grouping key, as SQL over the joined tables. NULL where the value is not known.
    fn key_sql(self) -> &'static str {
        match self {
            Dimension::Buyer => "buyers.siret",
            Dimension::Contract => "buyers.siret || '/' || contracts.reference",
            Dimension::Lot => {
                "buyers.siret || '/' || contracts.reference || '/' || CAST(lots.number AS TEXT)"
            }
            Dimension::Company => "firms.identifier",
            Dimension::InsertionEmployer => "employers.identifier",
            // Direct hires and training have no insertion structure: the company itself.
            Dimension::StructureKind => "COALESCE(employers.structure_kind, 'company')",
            Dimension::Year => "CAST(hour_entries.month / 100 AS TEXT)",
            // yyyymm: sorts as text in calendar order.
            Dimension::Month => "CAST(hour_entries.month AS TEXT)",
            Dimension::Modality => "hour_entries.modality",
            Dimension::Criterion => "participants.criterion",
            Dimension::Sex => "participants.sex",
            // Age in the year worked: under 26 (the "jeunes" of the sector), 26–49, 50 and over.
            Dimension::AgeBand => {
                "CASE WHEN participants.birth_year IS NULL THEN NULL \
                 WHEN hour_entries.month / 100 - participants.birth_year < 26 THEN 'under_26' \
                 WHEN hour_entries.month / 100 - participants.birth_year >= 50 THEN '50_and_over' \
                 ELSE '26_to_49' END"
            }
            Dimension::Qpv => {
                "CASE WHEN participants.qpv_resident IS NULL THEN NULL \
                 WHEN participants.qpv_resident THEN 'yes' ELSE 'no' END"
            }
            Dimension::ExitOutcome => "participants.exit_outcome",
            Dimension::SixMonthSituation => "participants.six_month_situation",
        }
    }
}

/// Hours and distinct participants of one group.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct HourGroup {
    pub key: Option<String>,
    pub hours: Hours,
    pub participants: i64,
}

const SUM_HOURS: &str = "COALESCE(CAST(SUM(hour_entries.hours) AS BIGINT), 0)";
const DISTINCT_PARTICIPANTS: &str = "COUNT(DISTINCT hour_entries.participant_id)";

/// The tables a query over hour entries joins: only those its grouping key reads, since at
/// national scale each join is a lookup per hour entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Joins {
    /// The hour entries alone.
    None,
    /// Lots, contracts and buyers.
    Contracts,
    /// The declaring company, as `firms`.
    Firm,
    /// The insertion structure, as `employers` (left join: not every hour has one).
    Employer,
    Participants,
}

impl Dimension {
    fn joins(self) -> Joins {
        match self {
            Dimension::Buyer | Dimension::Contract | Dimension::Lot => Joins::Contracts,
            Dimension::Company => Joins::Firm,
            Dimension::InsertionEmployer | Dimension::StructureKind => Joins::Employer,
            Dimension::Year | Dimension::Month | Dimension::Modality => Joins::None,
            Dimension::Criterion
            | Dimension::Sex
            | Dimension::AgeBand
            | Dimension::Qpv
            | Dimension::ExitOutcome
            | Dimension::SixMonthSituation => Joins::Participants,
        }
    }
}

/// The rows of `$table` (the hour entries or their roll-ups, which name the columns filtered
/// alike) in `$filter` over `$source` (the table and what it joins), shaped by the query
/// methods given (grouping must come before diesel boxes the query), then boxed. The buyers
/// are filtered through a subquery on lots, so that no join is needed for the scope.
macro_rules! filtered_on {
    ($table:ident, $source:expr, $filter:expr $(, $method:ident ($($arg:expr),*))*) => {{
        let filter: &HoursFilter = $filter;
        let mut query = $source
            .filter($table::month.between(filter.from_month, filter.to_month))
            .filter($table::review.eq_any(filter.counted.states()))
            $(.$method($($arg),*))*
            .into_boxed();
        if let Some(ids) = &filter.buyer_ids {
            query = query.filter(
                $table::lot_id.eq_any(
                    SCOPE_LOTS
                        .inner_join(SCOPE_CONTRACTS.on(
                            SCOPE_LOTS.field(lots::contract_id).eq(SCOPE_CONTRACTS.field(contracts::id)),
                        ))
                        .filter(SCOPE_CONTRACTS.field(contracts::buyer_id).eq_any(ids.clone()))
                        .select(SCOPE_LOTS.field(lots::id)),
                ),
            );
        }
        if let Some(company) = filter.company_id {
            query = query.filter($table::company_id.eq(company));
        }
        query
    }};
}

/// The hour entries of `$filter` over `$source`.
macro_rules! filtered_hours {
    ($($rest:tt)*) => { filtered_on!(hour_entries, $($rest)*) };
}

/// Their roll-ups (see `storage::rollups`) of `$filter` over `$source`.
macro_rules! filtered_rollups {
    ($($rest:tt)*) => { filtered_on!(hour_rollups, $($rest)*) };
}

/// `filtered_on!` over `$table` with the tables of `$joins` joined, then `$tail` with the
/// query as `$query` (each set of joins is a query of its own type). `$people` is the source
/// for the groups of people: the entries with their participants (the roll-ups keep none).
macro_rules! joined_on {
    ($table:ident, $people:expr, $joins:expr, $filter:expr, |$query:ident| $tail:expr $(, $method:ident ($($arg:expr),*))*) => {
        match $joins {
            Joins::None => {
                let $query = filtered_on!($table, $table::table, $filter $(, $method($($arg),*))*);
                $tail
            }
            Joins::Contracts => {
                let $query = filtered_on!(
                    $table,
                    $table::table.inner_join(
                        lots::table.inner_join(contracts::table.inner_join(buyers::table)),
                    ),
                    $filter $(, $method($($arg),*))*
                );
                $tail
            }
            Joins::Firm => {
                let $query = filtered_on!(
                    $table,
                    $table::table.inner_join(
                        FIRMS.on($table::company_id.eq(FIRMS.field(companies::id))),
                    ),
                    $filter $(, $method($($arg),*))*
                );
                $tail
            }
            Joins::Employer => {
                // Left join: not every hour has a structure (NULL in the entries, 0 in the
                // roll-ups: neither finds a company).
                let $query = filtered_on!(
                    $table,
                    $table::table.left_join(EMPLOYERS.on(
                        $table::insertion_employer_id
                            .nullable()
                            .eq(EMPLOYERS.field(companies::id).nullable()),
                    )),
                    $filter $(, $method($($arg),*))*
                );
                $tail
            }
            Joins::Participants => {
                let $query = filtered_on!($table, $people, $filter $(, $method($($arg),*))*);
                $tail
            }
        }
    };
}

/// `joined_on!` over the hour entries.
macro_rules! joined_hours {
    ($($rest:tt)*) => {
        joined_on!(hour_entries, hour_entries::table.inner_join(participants::table), $($rest)*)
    };
}

/// `joined_on!` over the roll-ups, which no dimension about people reads.
macro_rules! joined_rollups {
    ($($rest:tt)*) => { joined_on!(hour_rollups, hour_rollups::table, $($rest)*) };
}

const ROLLED_UP_HOURS: &str = "COALESCE(CAST(SUM(hour_rollups.hours) AS BIGINT), 0)";

impl Dimension {
    /// The grouping key over the roll-ups, which carry the entries' month and modality under
    /// the same names.
    fn rolled_up_key_sql(self) -> String {
        self.key_sql().replace("hour_entries.", "hour_rollups.")
    }
}

/// Hours and distinct participants for each value of `dimension`, by key: the hours from the
/// roll-ups where the dimension is theirs.
pub fn hours_by(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    dimension: Dimension,
) -> QueryResult<Vec<HourGroup>> {
    if dimension.joins() == Joins::Participants {
        return hours_and_people_by(conn, filter, dimension);
    }
    let people: std::collections::HashMap<Option<String>, i64> =
        people_by(conn, filter, dimension)?.into_iter().collect();
    let groups = rolled_up_hours_by(conn, filter, dimension)?
        .into_iter()
        .map(|(key, hours)| HourGroup {
            // A group of the roll-ups has entries, so participants: 0 only if they disagree.
            participants: people.get(&key).copied().unwrap_or(0),
            key,
            hours,
        })
        .collect();
    Ok(groups)
}

/// The hours for each value of `dimension` (not one about people), summed over the roll-ups,
/// in the order of the keys.
fn rolled_up_hours_by(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    dimension: Dimension,
) -> QueryResult<Vec<(Option<String>, Hours)>> {
    let key = dimension.rolled_up_key_sql();
    let key = key.as_str();
    located(conn, &["hour_rollups"], |conn| {
        joined_rollups!(
            dimension.joins(),
            filter,
            |query| query.order(sql::<Nullable<Text>>(key)).load(conn),
            group_by(sql::<Nullable<Text>>(key)),
            select((sql::<Nullable<Text>>(key), sql::<BigInt>(ROLLED_UP_HOURS)))
        )
    })
}

/// Distinct participants for each value of `dimension`, counted over the entries.
fn people_by(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    dimension: Dimension,
) -> QueryResult<Vec<(Option<String>, i64)>> {
    let key = dimension.key_sql();
    located(conn, &["hour_entries"], |conn| {
        joined_hours!(
            dimension.joins(),
            filter,
            |query| query.load(conn),
            group_by(sql::<Nullable<Text>>(key)),
            select((
                sql::<Nullable<Text>>(key),
                sql::<BigInt>(DISTINCT_PARTICIPANTS),
            ))
        )
    })
}

/// Hours and distinct participants for each value of `dimension`, over the entries.
fn hours_and_people_by(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    dimension: Dimension,
) -> QueryResult<Vec<HourGroup>> {
    let key = dimension.key_sql();
    located(conn, &["hour_entries"], |conn| {
        joined_hours!(
            dimension.joins(),
            filter,
            |query| query.order(sql::<Nullable<Text>>(key)).load(conn),
            group_by(sql::<Nullable<Text>>(key)),
            select((
                sql::<Nullable<Text>>(key),
                sql::<BigInt>(SUM_HOURS),
                sql::<BigInt>(DISTINCT_PARTICIPANTS),
            ))
        )
    })
}

/// Distinct participants for each buyer and each value of `dimension`, a dimension about
/// people: what tells which groups a buyer alone would hide.
pub fn people_by_buyer(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    dimension: Dimension,
) -> QueryResult<Vec<(BuyerId, Option<String>, i64)>> {
    debug_assert_eq!(dimension.joins(), Joins::Participants);
    let keys = format!("contracts.buyer_id, {}", dimension.key_sql());
    located(conn, &["hour_entries"], |conn| {
        filtered_hours!(
            hour_entries::table
                .inner_join(participants::table)
                .inner_join(lots::table.inner_join(contracts::table)),
            filter,
            group_by(sql::<BigInt>(&keys)),
            select(sql::<(BigInt, Nullable<Text>, BigInt)>(&format!(
                "{keys}, {DISTINCT_PARTICIPANTS}"
            )))
        )
        .load::<(i64, Option<String>, i64)>(conn)
    })
    .map(|rows| {
        rows.into_iter()
            .map(|(buyer, key, participants)| (BuyerId::from(buyer), key, participants))
            .collect()
    })
}

/// Hours (from the roll-ups) and distinct participants (over the entries) of the whole filter.
pub fn hours_total(conn: &mut DbConnection, filter: &HoursFilter) -> QueryResult<(Hours, i64)> {
    let hours = hours_sum(conn, filter)?;
    let participants = located(conn, &["hour_entries"], |conn| {
        filtered_hours!(
            hour_entries::table,
            filter,
            select(sql::<BigInt>(DISTINCT_PARTICIPANTS))
        )
        .first(conn)
    })?;
    Ok((hours, participants))
}

/// The hours of the whole filter, from the roll-ups.
pub fn hours_sum(conn: &mut DbConnection, filter: &HoursFilter) -> QueryResult<Hours> {
    located(conn, &["hour_rollups"], |conn| {
        filtered_rollups!(
            hour_rollups::table,
            filter,
            select(sql::<BigInt>(ROLLED_UP_HOURS))
        )
        .first(conn)
    })
}

/// The hours of the filter on each lot that has some, of `only` these lots when given.
pub fn hours_by_lot(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    only: Option<&[LotId]>,
) -> QueryResult<Vec<(LotId, Hours)>> {
    located(conn, &["hour_rollups"], |conn| {
        let mut query = filtered_rollups!(
            hour_rollups::table,
            filter,
            group_by(hour_rollups::lot_id),
            select((hour_rollups::lot_id, sql::<BigInt>(ROLLED_UP_HOURS)))
        );
        if let Some(ids) = only {
            query = query.filter(hour_rollups::lot_id.eq_any(ids.to_vec()));
        }
        query.load(conn)
    })
}

/// Hours and distinct participants by sector of the buyer's contract (works, supplies,
/// services; NULL when the register does not say).
pub fn hours_by_sector(
    conn: &mut DbConnection,
    filter: &HoursFilter,
) -> QueryResult<Vec<HourGroup>> {
    const KEY: &str = "contracts.contract_type";
    located(conn, &["hour_entries"], |conn| {
        joined_hours!(
            Joins::Contracts,
            filter,
            |query| query.order(sql::<Nullable<Text>>(KEY)).load(conn),
            group_by(sql::<Nullable<Text>>(KEY)),
            select((
                sql::<Nullable<Text>>(KEY),
                sql::<BigInt>(SUM_HOURS),
                sql::<BigInt>(DISTINCT_PARTICIPANTS),
            ))
        )
    })
}

/// The last month holding hours of the filter, on each lot that has some.
pub fn last_month_by_lot(
    conn: &mut DbConnection,
    filter: &HoursFilter,
) -> QueryResult<Vec<(LotId, Month)>> {
    let rows: Vec<(LotId, Option<Month>)> = located(conn, &["hour_rollups"], |conn| {
        filtered_rollups!(
            hour_rollups::table,
            filter,
            group_by(hour_rollups::lot_id),
            select((hour_rollups::lot_id, diesel::dsl::max(hour_rollups::month)))
        )
        .load(conn)
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(lot, month)| Some((lot, month?)))
        .collect())
}

/// Hours of a participant whose eligibility has no validation date, on one lot, declared by
/// one company: by pseudonym, never a name.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct UnvalidatedHours {
    pub pseudonym: String,
    pub lot_id: LotId,
    pub company_id: CompanyId,
    pub first_month: Month,
    pub hours: Hours,
}

/// The hours of the filter worked by participants with no eligibility validation date (and
/// not anonymised), by participant, lot and company.
pub fn unvalidated_hours(
    conn: &mut DbConnection,
    filter: &HoursFilter,
) -> QueryResult<Vec<UnvalidatedHours>> {
    // Several keys in one SQL fragment: diesel cannot mix columns and SQL in a GROUP BY.
    let keys = "participants.pseudonym, hour_entries.lot_id, hour_entries.company_id";
    located(conn, &["hour_entries", "participants"], |conn| {
        filtered_hours!(
            hour_entries::table.inner_join(participants::table),
            filter,
            filter(participants::validated_on.is_null()),
            filter(participants::anonymised_at.is_null()),
            group_by(sql::<BigInt>(keys)),
            select(sql::<(Text, BigInt, BigInt, Integer, BigInt)>(&format!(
                "{keys}, MIN(hour_entries.month), {SUM_HOURS}"
            )))
        )
        .order(sql::<BigInt>(keys))
        .load(conn)
    })
}

/// A participant who left, with no situation six months after exit recorded, and the lot and
/// company of the last month they worked in the filter.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ExitAwaitingSituation {
    pub participant_id: ParticipantId,
    pub pseudonym: String,
    pub exit_date: NaiveDate,
    pub exit_outcome: Option<String>,
    pub lot_id: LotId,
    pub company_id: CompanyId,
    pub last_month: Month,
}

/// The participants of the filter's hours (not anonymised) with an exit and no six-month
/// situation, each once: on the lot and for the company of their last month worked (the
/// first by lot and company when several share it).
pub fn exits_awaiting_situation(
    conn: &mut DbConnection,
    filter: &HoursFilter,
) -> QueryResult<Vec<ExitAwaitingSituation>> {
    let keys = "participants.id, participants.pseudonym, participants.exit_date,                 participants.exit_outcome, hour_entries.lot_id, hour_entries.company_id";
    let rows: Vec<ExitAwaitingSituation> = located(
        conn,
        &["hour_entries", "participants"],
        |conn| {
            filtered_hours!(
            hour_entries::table.inner_join(participants::table),
            filter,
            filter(participants::exit_date.is_not_null()),
            filter(participants::six_month_situation.is_null()),
            filter(participants::anonymised_at.is_null()),
            group_by(sql::<BigInt>(keys)),
            select(sql::<(
                BigInt,
                Text,
                diesel::sql_types::Date,
                Nullable<Text>,
                BigInt,
                BigInt,
                Integer,
            )>(&format!("{keys}, MAX(hour_entries.month)")))
        )
        .order(sql::<BigInt>(
            "participants.id, MAX(hour_entries.month) DESC, hour_entries.lot_id, hour_entries.company_id",
        ))
        .load(conn)
        },
    )?;
    let mut latest: Vec<ExitAwaitingSituation> = Vec::new();
    for row in rows {
        if latest
            .last()
            .is_none_or(|l| l.participant_id != row.participant_id)
        {
            latest.push(row);
        }
    }
    Ok(latest)
}

/// Hours an insertion structure provided (it is the hours' insertion employer: secondment,
/// subcontracting), on one lot for one declaring company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvidedHours {
    pub contract_id: ContractId,
    pub reference: String,
    pub lot: i32,
    pub lot_title: Option<String>,
    /// The company that declared them: the structure's client.
    pub client_siret: String,
    pub client_name: String,
    pub hours: Hours,
}

/// The hours of the filter `structure` provided, by lot and by client company, in the order
/// of the contracts' references, lots and clients.
pub fn provided_by(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    structure: CompanyId,
) -> QueryResult<Vec<ProvidedHours>> {
    type Row = (
        ContractId,
        String,
        i32,
        Option<String>,
        String,
        String,
        Hours,
    );
    let keys =
        "contracts.id, contracts.reference, lots.number, lots.title, firms.identifier, firms.name";
    let rows: Vec<Row> = located(conn, &["hour_rollups"], |conn| {
        filtered_rollups!(
            hour_rollups::table
                .inner_join(lots::table.inner_join(contracts::table))
                .inner_join(FIRMS.on(hour_rollups::company_id.eq(FIRMS.field(companies::id)))),
            filter,
            filter(hour_rollups::insertion_employer_id.eq(structure)),
            group_by(sql::<BigInt>(keys)),
            select(sql::<(
                BigInt,
                Text,
                Integer,
                Nullable<Text>,
                Text,
                Text,
                BigInt
            )>(&format!("{keys}, {ROLLED_UP_HOURS}")))
        )
        .load(conn)
    })?;
    let mut provided: Vec<ProvidedHours> = rows
        .into_iter()
        .map(
            |(contract, reference, lot, lot_title, siret, name, hours)| ProvidedHours {
                contract_id: contract,
                reference,
                lot,
                lot_title,
                client_siret: siret,
                client_name: name,
                hours,
            },
        )
        .collect();
    provided.sort_by(|a, b| {
        (&a.reference, a.lot, &a.client_name).cmp(&(&b.reference, b.lot, &b.client_name))
    });
    Ok(provided)
}

/// A lot's hours by participant, training apart: what a clause's cap and training rule apply to.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ParticipantHours {
    pub lot_id: LotId,
    pub participant_id: ParticipantId,
    pub training: bool,
    pub hours: Hours,
}

/// The hours of each participant on each lot with a clause (of `only` these lots when given),
/// training apart.
pub fn clause_hours_by_participant(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    only: Option<&[LotId]>,
) -> QueryResult<Vec<ParticipantHours>> {
    // Several keys in one SQL fragment: diesel cannot mix columns and SQL in a GROUP BY.
    let keys = "hour_entries.lot_id, hour_entries.participant_id, \
                CAST(CASE WHEN hour_entries.modality = 'training' THEN 1 ELSE 0 END AS BIGINT)";
    let rows: Vec<(LotId, ParticipantId, i64, Hours)> = located(conn, &["hour_entries"], |conn| {
        let mut query = filtered_hours!(
            hour_entries::table,
            filter,
            filter(
                hour_entries::lot_id
                    .eq_any(insertion_clauses::table.select(insertion_clauses::lot_id))
            ),
            group_by(sql::<BigInt>(keys)),
            select(sql::<(BigInt, BigInt, BigInt, BigInt)>(&format!(
                "{keys}, {SUM_HOURS}"
            )))
        );
        if let Some(ids) = only {
            query = query.filter(hour_entries::lot_id.eq_any(ids.to_vec()));
        }
        query.load(conn)
    })?;
    Ok(rows
        .into_iter()
        .map(
            |(lot_id, participant_id, training, hours)| ParticipantHours {
                lot_id,
                participant_id,
                training: training == 1,
                hours,
            },
        )
        .collect())
}

/// Hours declared on one lot in one month (yyyymm), training apart.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct LotMonth {
    pub lot_id: LotId,
    pub month: Month,
    pub hours: Hours,
    /// Of which training.
    pub training: Hours,
}

/// The hours of `lot_ids` within the filter, month by month, in calendar order.
pub fn lot_months(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    lot_ids: &[LotId],
) -> QueryResult<Vec<LotMonth>> {
    let keys = "hour_rollups.lot_id, hour_rollups.month";
    let training = "COALESCE(CAST(SUM(CASE WHEN hour_rollups.modality = 'training' \
                    THEN hour_rollups.hours ELSE 0 END) AS BIGINT), 0)";
    located(conn, &["hour_rollups"], |conn| {
        super::in_slices(lot_ids, |slice| {
            filtered_rollups!(
                hour_rollups::table,
                filter,
                filter(hour_rollups::lot_id.eq_any(slice)),
                group_by(sql::<BigInt>(keys)),
                select(sql::<(BigInt, Integer, BigInt, BigInt)>(&format!(
                    "{keys}, {ROLLED_UP_HOURS}, {training}"
                )))
            )
            .order(sql::<BigInt>(keys))
            .load(conn)
        })
    })
}

/// One hour entry as the detail export shows it: pseudonym, never a name.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct DetailRow {
    pub id: HourEntryId,
    pub buyer_siret: String,
    pub reference: String,
    pub lot: i32,
    pub company_siret: String,
    pub company_name: String,
    pub month: Month,
    pub pseudonym: String,
    pub modality: Modality,
    pub employer_siret: Option<String>,
    pub hours: Hours,
    pub employment_contract: Option<EmploymentContract>,
}

/// The last month (yyyymm) holding hours in the filter.
pub fn latest_month(conn: &mut DbConnection, filter: &HoursFilter) -> QueryResult<Option<Month>> {
    located(conn, &["hour_rollups"], |conn| {
        filtered_rollups!(
            hour_rollups::table,
            filter,
            select(diesel::dsl::max(hour_rollups::month))
        )
        .first(conn)
    })
}

/// Up to `limit` entries of the filter with an id above `after`, by id: the detail export
/// walks the whole history page by page without holding it.
pub fn detail_page(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    after: HourEntryId,
    limit: i64,
) -> QueryResult<Vec<DetailRow>> {
    let tables = ["hour_entries"];
    located(conn, &tables, |conn| {
        detail_rows(conn, filter, after, limit)
    })
}

fn detail_rows(
    conn: &mut DbConnection,
    filter: &HoursFilter,
    after: HourEntryId,
    limit: i64,
) -> QueryResult<Vec<DetailRow>> {
    filtered_hours!(
        hour_entries::table
            .inner_join(lots::table.inner_join(contracts::table.inner_join(buyers::table)))
            .inner_join(participants::table)
            .inner_join(FIRMS.on(hour_entries::company_id.eq(FIRMS.field(companies::id))))
            .left_join(EMPLOYERS.on(
                hour_entries::insertion_employer_id.eq(EMPLOYERS.field(companies::id).nullable()),
            )),
        filter,
        filter(hour_entries::id.gt(after)),
        select((
            hour_entries::id,
            buyers::siret,
            contracts::reference,
            lots::number,
            FIRMS.field(companies::identifier),
            FIRMS.field(companies::name),
            hour_entries::month,
            participants::pseudonym,
            hour_entries::modality,
            EMPLOYERS.field(companies::identifier).nullable(),
            hour_entries::hours,
            hour_entries::employment_contract,
        ))
    )
    .order(hour_entries::id)
    .limit(limit)
    .load(conn)
}

/// A lot with a clause, with what its assessment needs.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ClauseLot {
    pub lot_id: LotId,
    pub contract_id: ContractId,
    pub buyer_siret: String,
    pub reference: String,
    pub object: String,
    pub lot_number: i32,
    pub lot_title: Option<String>,
    pub notification_date: NaiveDate,
    pub duration_months: Option<i32>,
    pub end_date: Option<NaiveDate>,
    pub target: Hours,
    pub target_source: String,
    pub training_counts: bool,
    pub cap: Option<Hours>,
    pub penalty_per_hour: Option<Money>,
    pub qpv_share: Option<Rate>,
}

/// The clauses of the buyers in scope (all when `None`), by buyer, reference and lot; only
/// those of lots the company holds when `company_id` is set, and of `only` these lots when
/// given.
pub fn clause_lots(
    conn: &mut DbConnection,
    buyer_ids: Option<&[BuyerId]>,
    company_id: Option<CompanyId>,
    only: Option<&[LotId]>,
) -> QueryResult<Vec<ClauseLot>> {
    located(conn, &["insertion_clauses"], |conn| {
        clause_rows(conn, buyer_ids, company_id, only)
    })
}

fn clause_rows(
    conn: &mut DbConnection,
    buyer_ids: Option<&[BuyerId]>,
    company_id: Option<CompanyId>,
    only: Option<&[LotId]>,
) -> QueryResult<Vec<ClauseLot>> {
    let mut query = insertion_clauses::table
        .inner_join(lots::table.inner_join(contracts::table.inner_join(buyers::table)))
        .select((
            lots::id,
            contracts::id,
            buyers::siret,
            contracts::reference,
            contracts::object,
            lots::number,
            lots::title,
            contracts::notification_date,
            contracts::duration_months,
            contracts::end_date,
            insertion_clauses::target_hours,
            insertion_clauses::target_source,
            insertion_clauses::training_counts,
            insertion_clauses::cap_hours_per_participant,
            insertion_clauses::penalty_per_hour_cents,
            insertion_clauses::qpv_share_bp,
        ))
        .order((buyers::siret, contracts::reference, lots::number))
        .into_boxed();
    if let Some(ids) = buyer_ids {
        query = query.filter(contracts::buyer_id.eq_any(ids.to_vec()));
    }
    if let Some(ids) = only {
        query = query.filter(lots::id.eq_any(ids.to_vec()));
    }
    if let Some(company) = company_id {
        query = query.filter(diesel::dsl::exists(
            awards::table
                .filter(awards::lot_id.eq(lots::id))
                .filter(awards::company_id.eq(company)),
        ));
    }
    query.load(conn)
}

/// Which contracts count for the charter: notified between two dates (inclusive) by the
/// buyers in scope (all when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractFilter {
    pub buyer_ids: Option<Vec<BuyerId>>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Award amounts and counts grouped by where the awardee is, its size, its role and the lot's
/// reservation.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct AwardGroup {
    pub locality: Locality,
    pub size_class: Option<SizeClass>,
    pub role: AwardRole,
    pub reservation: Reservation,
    pub amount: Money,
    pub awards: i64,
}

/// Local: the awardee establishment's département is one of its buyer's territory.
/// Where an award's company stands for the local share. A company without a SIRET (the DECP
/// names it by a VAT number or a foreign identifier) and without a French address is
/// established elsewhere: not local, rather than of unknown place.
const LOCALITY: &str = "CASE WHEN companies.departement IS NULL AND companies.identifier_kind <> 'SIRET' \
       THEN 'other' \
     WHEN companies.departement IS NULL THEN 'unknown' \
     WHEN EXISTS (SELECT 1 FROM buyer_departements \
       WHERE buyer_departements.buyer_id = contracts.buyer_id \
       AND buyer_departements.departement = companies.departement) THEN 'local' \
     ELSE 'other' END";

pub fn award_groups(
    conn: &mut DbConnection,
    filter: &ContractFilter,
) -> QueryResult<Vec<AwardGroup>> {
    // Several keys in one SQL fragment: diesel cannot mix columns and SQL in a GROUP BY.
    let keys = format!("{LOCALITY}, companies.size_class, awards.role, lots.reservation");
    let mut query = awards::table
        .inner_join(companies::table)
        .inner_join(lots::table.inner_join(contracts::table))
        .filter(contracts::notification_date.between(filter.from, filter.to))
        .group_by(sql::<Text>(&keys))
        .select(sql::<(Text, Nullable<Text>, Text, Text, BigInt, BigInt)>(
            &format!("{keys}, COALESCE(CAST(SUM(awards.amount_cents) AS BIGINT), 0), COUNT(*)"),
        ))
        .into_boxed();
    if let Some(ids) = &filter.buyer_ids {
        query = query.filter(contracts::buyer_id.eq_any(ids.clone()));
    }
    located(conn, &["companies", "awards", "lots"], |conn| {
        query.order(sql::<Text>("1, 3, 2, 4")).load(conn)
    })
}

/// What the DECP calls the social considerations of a contract, counted over contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContractCounts {
    pub contracts: i64,
    pub with_clause: i64,
    pub with_criterion: i64,
    pub reserved: i64,
    pub with_none: i64,
}

pub fn contract_counts(
    conn: &mut DbConnection,
    filter: &ContractFilter,
) -> QueryResult<ContractCounts> {
    let clause = "EXISTS (SELECT 1 FROM lots l JOIN insertion_clauses c ON c.lot_id = l.id \
                  WHERE l.contract_id = contracts.id)";
    let reserved = "EXISTS (SELECT 1 FROM lots l WHERE l.contract_id = contracts.id \
                    AND l.reservation <> 'none')";
    let count_if =
        |condition: &str| format!("COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)");
    let none = format!("NOT ({clause}) AND NOT ({reserved}) AND NOT contracts.social_criterion");
    let mut query = contracts::table
        .filter(contracts::notification_date.between(filter.from, filter.to))
        .into_boxed();
    if let Some(ids) = &filter.buyer_ids {
        query = query.filter(contracts::buyer_id.eq_any(ids.clone()));
    }
    let (contracts, with_clause, with_criterion, reserved, with_none) = query
        .select((
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>(&format!("CAST({} AS BIGINT)", count_if(clause))),
            sql::<BigInt>(&format!(
                "CAST({} AS BIGINT)",
                count_if("contracts.social_criterion")
            )),
            sql::<BigInt>(&format!("CAST({} AS BIGINT)", count_if(reserved))),
            sql::<BigInt>(&format!("CAST({} AS BIGINT)", count_if(&none))),
        ))
        .first(conn)?;
    Ok(ContractCounts {
        contracts,
        with_clause,
        with_criterion,
        reserved,
        with_none,
    })
}
