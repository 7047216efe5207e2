//! Participants: pseudonymous people working insertion hours.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::schema::{hour_entries, participants};
use super::{BuyerId, DbConnection, ParticipantId, now};
use crate::domain::{
    EligibilityCriterion, ExitOutcome, Labelled, Month, Sex, SixMonthSituation, Update,
};

/// Erases what could lead back to a person for every participant with no activity since
/// `cutoff` (no hours declared from that month on, validated, exited and recorded before it):
/// pseudonym, prescriber, validation date and the source of the six-month situation go, the
/// exit date and the situation's date keep only their year. Criterion, sex, birth year, QPV
/// residence, exit outcome and six-month situation stay, so every aggregate is unchanged.
/// Returns how many participants were anonymised; the caller provides the transaction.
pub fn anonymise_inactive_before(conn: &mut DbConnection, cutoff: NaiveDate) -> QueryResult<usize> {
    let cutoff_month = Month::of_date(cutoff)
        .map(Month::yyyymm)
        .unwrap_or(i32::MAX);
    let recently_active = hour_entries::table
        .filter(hour_entries::month.ge(cutoff_month))
        .select(hour_entries::participant_id);
    type Candidate = (ParticipantId, Option<NaiveDate>, Option<NaiveDate>);
    let candidates: Vec<Candidate> = participants::table
        .filter(participants::anonymised_at.is_null())
        .filter(participants::created_at.lt(cutoff.and_hms_opt(0, 0, 0).expect("midnight exists")))
        .filter(
            participants::validated_on
                .is_null()
                .or(participants::validated_on.lt(cutoff)),
        )
        .filter(
            participants::exit_date
                .is_null()
                .or(participants::exit_date.lt(cutoff)),
        )
        .filter(diesel::dsl::not(participants::id.eq_any(recently_active)))
        .filter(
            participants::six_month_on
                .is_null()
                .or(participants::six_month_on.lt(cutoff)),
        )
        .select((
            participants::id,
            participants::exit_date,
            participants::six_month_on,
        ))
        .load(conn)?;
    let at = now();
    let year_of = |d: &Option<NaiveDate>| d.and_then(|d| NaiveDate::from_ymd_opt(d.year(), 1, 1));
    for (id, exit_date, six_month_on) in &candidates {
        diesel::update(participants::table.find(id))
            .set((
                participants::pseudonym.eq(format!("anonymise-{id}")),
                participants::prescriber.eq(None::<String>),
                participants::validated_on.eq(None::<NaiveDate>),
                participants::exit_date.eq(year_of(exit_date)),
                participants::six_month_on.eq(year_of(six_month_on)),
                participants::six_month_source.eq(None::<String>),
                participants::anonymised_at.eq(at),
                participants::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(candidates.len())
}

/// A participant as a file gives it: the criterion always, the other facts when said.
pub struct ParticipantFields<'a> {
    pub pseudonym: &'a str,
    pub criterion: EligibilityCriterion,
    pub validated_on: Update<NaiveDate>,
    pub prescriber: Update<&'a str>,
    pub birth_year: Update<i32>,
    pub sex: Update<Sex>,
    pub qpv: Update<bool>,
    pub exit_outcome: Update<ExitOutcome>,
    pub exit_date: Update<NaiveDate>,
    pub six_month: SixMonthFields<'a>,
}

/// The situation six months after exit, its date and its source, as said.
#[derive(Debug, Clone, Copy, Default)]
pub struct SixMonthFields<'a> {
    pub situation: Update<SixMonthSituation>,
    pub on: Update<NaiveDate>,
    pub source: Update<&'a str>,
}

/// Creates the participant or updates the one with the same identifier; facts not said keep
/// what is known.
pub fn upsert(conn: &mut DbConnection, p: &ParticipantFields<'_>) -> QueryResult<ParticipantId> {
    let at = now();
    let facts = (
        p.validated_on
            .written()
            .map(|v| participants::validated_on.eq(v)),
        p.prescriber
            .written()
            .map(|v| participants::prescriber.eq(v)),
        p.birth_year
            .written()
            .map(|v| participants::birth_year.eq(v)),
        p.sex
            .written()
            .map(|v| participants::sex.eq(v.map(|s| s.code()))),
        p.qpv.written().map(|v| participants::qpv_resident.eq(v)),
        p.exit_outcome
            .written()
            .map(|v| participants::exit_outcome.eq(v.map(|o| o.code()))),
        p.exit_date.written().map(|v| participants::exit_date.eq(v)),
        p.six_month
            .situation
            .written()
            .map(|v| participants::six_month_situation.eq(v.map(|s| s.code()))),
        p.six_month
            .on
            .written()
            .map(|v| participants::six_month_on.eq(v)),
        p.six_month
            .source
            .written()
            .map(|v| participants::six_month_source.eq(v)),
    );
    let existing: Option<ParticipantId> = participants::table
        .filter(participants::pseudonym.eq(p.pseudonym))
        .select(participants::id)
        .first(conn)
        .optional()?;
    let criterion = participants::criterion.eq(p.criterion.code());
    match existing {
        Some(id) => diesel::update(participants::table.find(id))
            .set((criterion, participants::updated_at.eq(at), facts))
            .execute(conn)
            .map(|_| id),
        // A new participant: the facts said, none else.
        None => diesel::insert_into(participants::table)
            .values((
                participants::pseudonym.eq(p.pseudonym),
                criterion,
                participants::created_at.eq(at),
                participants::updated_at.eq(at),
                participants::validated_on.eq(p.validated_on.given().copied()),
                participants::prescriber.eq(p.prescriber.given().copied()),
                participants::birth_year.eq(p.birth_year.given().copied()),
                participants::sex.eq(p.sex.given().map(|s| s.code())),
                participants::qpv_resident.eq(p.qpv.given().copied()),
                participants::exit_outcome.eq(p.exit_outcome.given().map(|o| o.code())),
                participants::exit_date.eq(p.exit_date.given().copied()),
                participants::six_month_situation.eq(p
                    .six_month
                    .situation
                    .given()
                    .map(|s| s.code())),
                participants::six_month_on.eq(p.six_month.on.given().copied()),
                participants::six_month_source.eq(p.six_month.source.given().copied()),
            ))
            .returning(participants::id)
            .get_result(conn),
    }
}

/// The id of every participant, by identifier.
pub fn ids_by_pseudonym(
    conn: &mut DbConnection,
) -> QueryResult<std::collections::HashMap<String, ParticipantId>> {
    let rows: Vec<(String, ParticipantId)> = participants::table
        .select((participants::pseudonym, participants::id))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// A participant as facilitateurs list them: pseudonymous, with the hours declared for them.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ParticipantView {
    pub id: ParticipantId,
    pub pseudonym: String,
    pub criterion: String,
    pub validated_on: Option<NaiveDate>,
    pub prescriber: Option<String>,
    pub birth_year: Option<i32>,
    pub sex: Option<String>,
    pub qpv_resident: Option<bool>,
    pub exit_outcome: Option<String>,
    pub exit_date: Option<NaiveDate>,
    /// Set once the retention period has passed and the personal data were erased.
    pub anonymised_at: Option<chrono::NaiveDateTime>,
    pub six_month_situation: Option<String>,
    pub six_month_on: Option<NaiveDate>,
    pub six_month_source: Option<String>,
    /// Hours declared for the participant, in hundredths, on every lot.
    pub hours: i64,
}

/// Which participants: with hours on the buyers' lots, or none yet (all when `None`); one
/// criterion; a pseudonym containing `search`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipantFilter {
    pub buyer_ids: Option<Vec<BuyerId>>,
    pub criterion: Option<String>,
    pub search: Option<String>,
}

/// The participant's hours, summed by the database: on the lots of these buyers only (all
/// when `None`), so that a facilitateur of some buyers never reads the hours worked for
/// others.
fn hours_in_scope(buyer_ids: Option<&[BuyerId]>) -> String {
    let within = match buyer_ids {
        None => String::new(),
        Some(ids) => {
            // Ids are integers read from the database: written as numbers, nothing to escape.
            let ids: Vec<String> = ids.iter().map(|id| id.get().to_string()).collect();
            format!(
                " AND h.lot_id IN (SELECT l.id FROM lots l JOIN contracts c ON c.id = l.contract_id \
                 WHERE c.buyer_id IN ({}))",
                if ids.is_empty() {
                    "NULL".to_owned()
                } else {
                    ids.join(", ")
                }
            )
        }
    };
    format!(
        "COALESCE((SELECT CAST(SUM(h.hours) AS BIGINT) FROM hour_entries h \
         WHERE h.participant_id = participants.id{within}), 0)"
    )
}

/// One page of participants, by pseudonym, and how many there are in all.
pub fn page(
    conn: &mut DbConnection,
    filter: &ParticipantFilter,
    page: super::PageRequest,
) -> QueryResult<(Vec<ParticipantView>, i64)> {
    use super::schema::{contracts, lots};
    use diesel::dsl::{exists, not};
    let query = || {
        let mut query = participants::table.into_boxed();
        if let Some(ids) = &filter.buyer_ids {
            let on_lots_in_scope = hour_entries::table
                .inner_join(lots::table.inner_join(contracts::table))
                .filter(hour_entries::participant_id.eq(participants::id))
                .filter(contracts::buyer_id.eq_any(ids.clone()));
            let any_hours =
                hour_entries::table.filter(hour_entries::participant_id.eq(participants::id));
            query = query.filter(exists(on_lots_in_scope).or(not(exists(any_hours))));
        }
        if let Some(criterion) = &filter.criterion {
            query = query.filter(participants::criterion.eq(criterion.clone()));
        }
        if let Some(search) = &filter.search {
            query = query.filter(
                super::fold(participants::pseudonym)
                    .like(super::contains_pattern(search))
                    .escape('\\'),
            );
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let hours = hours_in_scope(filter.buyer_ids.as_deref());
    let items = query()
        .select(view_columns(&hours))
        .order((
            super::sort_key(participants::pseudonym).asc(),
            participants::id.asc(),
        ))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((items, total))
}

type ViewColumns = (
    participants::id,
    participants::pseudonym,
    participants::criterion,
    participants::validated_on,
    participants::prescriber,
    participants::birth_year,
    participants::sex,
    participants::qpv_resident,
    participants::exit_outcome,
    participants::exit_date,
    participants::anonymised_at,
    participants::six_month_situation,
    participants::six_month_on,
    participants::six_month_source,
    diesel::expression::SqlLiteral<diesel::sql_types::BigInt>,
);

/// What a `ParticipantView` reads, `hours` the SQL of its hours.
fn view_columns(hours: &str) -> ViewColumns {
    (
        participants::id,
        participants::pseudonym,
        participants::criterion,
        participants::validated_on,
        participants::prescriber,
        participants::birth_year,
        participants::sex,
        participants::qpv_resident,
        participants::exit_outcome,
        participants::exit_date,
        participants::anonymised_at,
        participants::six_month_situation,
        participants::six_month_on,
        participants::six_month_source,
        diesel::dsl::sql(hours),
    )
}

/// One participant, if the buyers (all when `None`) reach it: it has hours on their lots, or
/// none yet — the listing's rule — with its hours on their lots.
pub fn find(
    conn: &mut DbConnection,
    id: ParticipantId,
    buyer_ids: Option<&[BuyerId]>,
) -> QueryResult<Option<ParticipantView>> {
    if let Some(ids) = buyer_ids {
        // Tied to buyers by hours on their lots, or by a work contract that served them.
        let ties = super::shared_records::buyers_of_participants(conn, &[id])?;
        let tied = ties.get(&id);
        if tied.is_some_and(|buyers| !buyers.iter().any(|b| ids.contains(b))) {
            return Ok(None);
        }
    }
    participants::table
        .find(id)
        .select(view_columns(&hours_in_scope(buyer_ids)))
        .first(conn)
        .optional()
}

/// A participant's hours of one month on one lot for one company: what its timeline shows.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct TimelineRow {
    pub month: Month,
    pub contract_id: super::ContractId,
    pub reference: String,
    pub lot: i32,
    pub lot_title: Option<String>,
    pub company_siret: String,
    pub company_name: String,
    /// Every hour not rejected, training included, in hundredths.
    pub hours: i64,
    /// Of which training hours.
    pub training: i64,
    /// Of which hours awaiting validation.
    pub pending: i64,
}

/// The participant's hours on the buyers' lots (all when `None`), by month, lot and company,
/// in the order of months; rejected hours left out.
pub fn timeline(
    conn: &mut DbConnection,
    id: ParticipantId,
    buyer_ids: Option<&[BuyerId]>,
) -> QueryResult<Vec<TimelineRow>> {
    use super::schema::{companies, contracts, lots};
    use crate::domain::{Modality, ReviewState};
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Integer, Nullable, Text};
    // Several keys in one SQL fragment: diesel cannot mix columns and SQL in a GROUP BY.
    let keys = "hour_entries.month, contracts.id, contracts.reference, lots.number, lots.title, \
                companies.identifier, companies.name";
    let sums = format!(
        "COALESCE(CAST(SUM(hour_entries.hours) AS BIGINT), 0), \
         COALESCE(CAST(SUM(CASE WHEN hour_entries.modality = '{training}' THEN hour_entries.hours ELSE 0 END) AS BIGINT), 0), \
         COALESCE(CAST(SUM(CASE WHEN hour_entries.review = '{declared}' THEN hour_entries.hours ELSE 0 END) AS BIGINT), 0)",
        training = Modality::Training.code(),
        declared = ReviewState::Declared.code(),
    );
    let mut query = hour_entries::table
        .inner_join(lots::table.inner_join(contracts::table))
        .inner_join(companies::table.on(companies::id.eq(hour_entries::company_id)))
        .filter(hour_entries::participant_id.eq(id))
        .filter(hour_entries::review.ne(ReviewState::Rejected))
        .group_by(sql::<BigInt>(keys))
        .select(sql::<(
            Integer,
            BigInt,
            Text,
            Integer,
            Nullable<Text>,
            Text,
            Text,
            BigInt,
            BigInt,
            BigInt,
        )>(&format!("{keys}, {sums}")))
        .into_boxed();
    if let Some(ids) = buyer_ids {
        query = query.filter(contracts::buyer_id.eq_any(ids.to_vec()));
    }
    super::located::located(conn, &["hour_entries"], |conn| {
        query
            .order(sql::<BigInt>(
                "hour_entries.month, contracts.reference, lots.number, companies.identifier",
            ))
            .load(conn)
    })
}

/// Records where the participant stands six months after exit; the caller provides the
/// transaction and has checked the facts.
pub fn record_six_month(
    conn: &mut DbConnection,
    id: ParticipantId,
    situation: SixMonthSituation,
    on: NaiveDate,
    source: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(participants::table.find(id))
        .set((
            participants::six_month_situation.eq(situation.code()),
            participants::six_month_on.eq(on),
            participants::six_month_source.eq(source),
            participants::updated_at.eq(now()),
        ))
        .execute(conn)
}

/// Of these participants, those known to live in a priority neighbourhood (QPV); a residence
/// not recorded is not counted as one.
pub fn qpv_residents(
    conn: &mut DbConnection,
    ids: &[ParticipantId],
) -> QueryResult<std::collections::HashSet<ParticipantId>> {
    let mut found = std::collections::HashSet::new();
    // Well under both backends' bound-variable limits.
    for chunk in ids.chunks(1_000) {
        found.extend(
            participants::table
                .filter(participants::id.eq_any(chunk))
                .filter(participants::qpv_resident.eq(true))
                .select(participants::id)
                .load::<ParticipantId>(conn)?,
        );
    }
    Ok(found)
}
