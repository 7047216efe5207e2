//! What the dashboard shows: a year's figures beside the year before, the five-year trend, the
//! clauses of the scope and the buyers one may narrow to.

use std::sync::Arc;

use chrono::NaiveDate;

use super::indicators::{FiguresRequest, SeriesRequest, breakdowns, figures, series};
use super::{AppError, Caller, Narrowing, buyers, clauses, obligations};
use crate::domain::ObligationRules;
use crate::indicators::clauses::ClauseView;
use crate::indicators::{FigureCache, Indicators, YearFigures};
use crate::storage::DbConnection;
use crate::storage::buyers::Buyer;

pub struct Dashboard {
    pub year: i32,
    pub now: Arc<Indicators>,
    pub before: Arc<Indicators>,
    /// Five years, the last one `year`.
    pub series: Vec<YearFigures>,
    pub clauses: Arc<Vec<ClauseView>>,
    pub buyers: Vec<Buyer>,
    /// Contracts of the scope without a social condition nor a ground (any year).
    pub lacking_social_condition: usize,
}

/// The dashboard of `year`, or of the last year with hours up to `today`.
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
        None => caller
            .data_scope(conn, narrowing)?
            .latest_year(conn, today)?,
    };
    // Only the breakdowns the page draws: each is one more pass over the hour entries.
    let of_year = |year: i32, drawn: &str| -> Result<FiguresRequest, AppError> {
        Ok(FiguresRequest {
            period: super::indicators::period(Some(year), None, None)?,
            narrowing: narrowing.clone(),
            subcontractors: false,
            breakdowns: breakdowns(Some(drawn))?,
        })
    };
    let now = figures(
        conn,
        cache,
        caller,
        &of_year(year, "modality,structure_kind")?,
    )?;
    let before = figures(conn, cache, caller, &of_year(year - 1, "none")?)?;
    // The two last years are already computed: the trend asks only for the three before.
    let mut series = series(
        conn,
        cache,
        caller,
        &SeriesRequest {
            from_year: year - 4,
            to_year: year - 2,
            narrowing: narrowing.clone(),
            subcontractors: false,
        },
    )?;
    series.push(YearFigures::of(year - 1, &before));
    series.push(YearFigures::of(year, &now));
    Ok(Dashboard {
        year,
        clauses: clauses::assessed(conn, cache, caller, narrowing, today)?,
        buyers: buyers::visible(conn, caller)?,
        lacking_social_condition: obligations::lacking_social_condition(
            conn, caller, rules, narrowing,
        )?,
        now,
        before,
        series,
    })
}
