//! Participants: pseudonymous people working insertion hours.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::schema::{hour_entries, participants};
use super::{DbConnection, now};
use crate::domain::Month;

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
    let candidates: Vec<(i64, Option<NaiveDate>)> = participants::table
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
