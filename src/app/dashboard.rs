//! What the dashboard shows: a year's figures beside the year before, the five-year trend, the
//! clauses of the scope and the buyers one may narrow to.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use super::indicators::{FiguresRequest, SeriesRequest, breakdowns, figures, series};
use super::{AppError, Caller, Narrowing, buyers, clauses, obligations};
use crate::domain::{Month, ObligationRules};
use crate::indicators::clauses::ClauseView;
use crate::indicators::{FigureCache, Freshness, Indicators, Kept, Period, YearFigures};
use crate::storage::DbConnection;
use crate::storage::buyers::Buyer;

pub struct Dashboard {
    pub year: i32,
    /// For the year under way: the month it is counted through, and the previous year over
    /// the same months. None for a complete year, compared with the whole year before.
    pub through: Option<Month>,
    pub now: Arc<Indicators>,
    pub before: Arc<Indicators>,
    /// Five years, the last one `year`; each before it complete.
    pub series: Vec<YearFigures>,
    pub clauses: Arc<Vec<ClauseView>>,
    pub buyers: Vec<Buyer>,
    /// Contracts of the scope without a social condition nor a ground (any year).
    pub lacking_social_condition: usize,
    /// Of the oldest figures shown: newer ones are being computed when they are stale.
    pub freshness: Freshness,
}

/// The year a dashboard opens on: the last complete year with hours, so that a January
/// morning does not compare a few days with a whole year; this year when it is the only one
/// with hours (then compared over the same months).
fn default_year(
    conn: &mut DbConnection,
    caller: &Caller,
    narrowing: &Narrowing,
    today: NaiveDate,
) -> Result<i32, AppError> {
    let last_complete = NaiveDate::from_ymd_opt(today.year() - 1, 12, 31).unwrap_or(today);
    let scope = caller.data_scope(conn, narrowing)?;
    Ok(scope
        .last_year_with_hours(conn, last_complete)?
        .unwrap_or_else(|| today.year()))
}

/// January to the end of `through`'s month, in `year`.
fn months_of(year: i32, through: Month) -> Result<Period, AppError> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1);
    let to = Month::new(year, through.month())
        .ok()
        .and_then(|m| m.first_day().checked_add_months(chrono::Months::new(1)))
        .and_then(|next| next.pred_opt());
    match (from, to) {
        (Some(from), Some(to)) => Ok(Period { from, to }),
        _ => Err(AppError::with(
            crate::app::ErrorCode::InvalidPeriod,
            "Année incorrecte : écrivez-la sur quatre chiffres.",
        )),
    }
}

/// The dashboard of `year`, or of the last complete year with hours up to `today`.
pub fn dashboard(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    rules: &ObligationRules,
    narrowing: &Narrowing,
    year: Option<i32>,
    today: NaiveDate,
) -> Result<Dashboard, AppError> {
    let year = match year {
        Some(year) => year,
        None => default_year(conn, caller, narrowing, today)?,
    };
    let through = (year == today.year())
        .then(|| Month::of_date(today).ok())
        .flatten();
    // Only the breakdowns the page draws: each is one more pass over the hour entries.
    let request = |period: Period, drawn: &str| -> Result<FiguresRequest, AppError> {
        Ok(FiguresRequest {
            period,
            narrowing: narrowing.clone(),
            subcontractors: false,
            breakdowns: breakdowns(Some(drawn))?,
        })
    };
    let whole = |year: i32| super::indicators::period(Some(year), None, None);
    let (now_period, before_period) = match through {
        Some(month) => (months_of(year, month)?, months_of(year - 1, month)?),
        None => (whole(year)?, whole(year - 1)?),
    };
    let drawn = format!(
        "modality,structure_kind,{}",
        crate::indicators::PEOPLE.join(",")
    );
    let now = figures(conn, cache, caller, &request(now_period, &drawn)?)?;
    let before = figures(conn, cache, caller, &request(before_period, "none")?)?;
    let series = trend(
        conn,
        cache,
        caller,
        narrowing,
        year,
        &now.value,
        through.is_none().then_some(&before.value),
    )?;
    let clauses = clauses::assessed(conn, cache, caller, narrowing, today)?;
    let freshness = [before.freshness, series.freshness, clauses.freshness]
        .into_iter()
        .fold(now.freshness, Freshness::and);
    Ok(Dashboard {
        year,
        through,
        clauses: clauses.value,
        buyers: buyers::visible(conn, caller)?,
        lacking_social_condition: obligations::lacking_social_condition(
            conn, cache, caller, rules, narrowing,
        )?,
        now: now.value,
        before: before.value,
        series: series.value,
        freshness,
    })
}

/// Five years to `year`: the years before it whole (the year before taken from `before`
/// when it was computed whole), then `now`.
fn trend(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    narrowing: &Narrowing,
    year: i32,
    now: &Indicators,
    before: Option<&Arc<Indicators>>,
) -> Result<Kept<Vec<YearFigures>>, AppError> {
    let mut series = series(
        conn,
        cache,
        caller,
        &SeriesRequest {
            from_year: year - 4,
            to_year: year - 1 - i32::from(before.is_some()),
            narrowing: narrowing.clone(),
            subcontractors: false,
        },
    )?;
    if let Some(before) = before {
        series.value.push(YearFigures::of(year - 1, before));
    }
    series.value.push(YearFigures::of(year, now));
    Ok(series)
}
