//! Participants: pseudonymous people working insertion hours.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::schema::{hour_entries, participants};
use super::{BuyerId, DbConnection, ParticipantId, now};
use crate::domain::{EligibilityCriterion, ExitOutcome, Labelled, Month, Sex, Update};

/// Erases what could lead back to a person for every participant with no activity since
/// `cutoff` (no hours declared from that month on, validated, exited and recorded before it):
/// pseudonym, prescriber and validation date go, the exit date keeps only its year. Criterion,
/// sex, birth year, QPV residence and exit outcome stay, so every aggregate is unchanged.
/// Returns how many participants were anonymised; the caller provides the transaction.
pub fn anonymise_inactive_before(conn: &mut DbConnection, cutoff: NaiveDate) -> QueryResult<usize> {
    let cutoff_month = Month::of_date(cutoff)
        .map(Month::yyyymm)
        .unwrap_or(i32::MAX);
    let recently_active = hour_entries::table
        .filter(hour_entries::month.ge(cutoff_month))
        .select(hour_entries::participant_id);
    let candidates: Vec<(ParticipantId, Option<NaiveDate>)> = participants::table
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
        .select((participants::id, participants::exit_date))
        .load(conn)?;
    let at = now();
    for (id, exit_date) in &candidates {
        let exit_year = exit_date.and_then(|d| NaiveDate::from_ymd_opt(d.year(), 1, 1));
        diesel::update(participants::table.find(id))
            .set((
                participants::pseudonym.eq(format!("anonymise-{id}")),
                participants::prescriber.eq(None::<String>),
                participants::validated_on.eq(None::<NaiveDate>),
                participants::exit_date.eq(exit_year),
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
    use diesel::dsl::{exists, not, sql};
    use diesel::sql_types::BigInt;
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
        .select((
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
            sql::<BigInt>(&hours),
        ))
        .order((
            super::sort_key(participants::pseudonym).asc(),
            participants::id.asc(),
        ))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((items, total))
}
