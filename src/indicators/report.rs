//! Everything the yearly compliance workbook shows, gathered in one place so that the workbook
//! only lays out figures the API also serves.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};

use super::clauses::ClauseView;
use super::{DataScope, FigureCache, Indicators, Options, Period, YearFigures};
use crate::storage::DbConnection;
use crate::storage::companies::{self, Company};

/// How many years the trend shows, the period's year included.
pub const TREND_YEARS: i32 = 5;

#[derive(Debug, Clone)]
pub struct ComplianceReport {
    pub indicators: Arc<Indicators>,
    /// The main figures of the period's year and the years before it.
    pub series: Vec<YearFigures>,
    /// The clauses running at some time in the period, assessed at its end (or today, if sooner).
    pub clauses: Vec<ClauseView>,
    pub assessed_at: NaiveDate,
    /// Names and kinds of the establishments the breakdowns list, by SIRET.
    pub companies: HashMap<String, Company>,
    /// The filters asked, as French "name: value" lines for the method sheet.
    pub filters: Vec<(String, String)>,
    pub generated_at: NaiveDateTime,
    /// Whether groups of people under the threshold are hidden (always, in a workbook meant to
    /// travel).
    pub small_groups_suppressed: bool,
}

/// Gathered through `figures`: a workbook asked from the dashboard reuses its figures.
pub fn gather(
    conn: &mut DbConnection,
    figures: &FigureCache,
    scope: &DataScope,
    period: Period,
    options: Options,
    filters: Vec<(String, String)>,
    today: NaiveDate,
) -> Result<ComplianceReport, diesel::result::Error> {
    let options = Options {
        breakdowns: crate::indicators::Breakdowns::ALL,
        ..options
    };
    let indicators = figures.indicators(conn, scope, period, options)?;
    let last_year = period.to.format("%Y").to_string().parse().unwrap_or(0);
    let series = figures.series(
        conn,
        scope,
        last_year - (TREND_YEARS - 1),
        last_year,
        options,
    )?;
    let assessed_at = period.to.min(today);
    let clauses = figures
        .clauses(conn, scope, assessed_at)?
        .iter()
        .filter(|c| c.start <= period.to && c.end.is_none_or(|end| end >= period.from))
        .cloned()
        .collect();
    let companies = companies::list(conn)?
        .into_iter()
        .map(|c| (c.identifier.clone(), c))
        .collect();
    Ok(ComplianceReport {
        indicators,
        series,
        clauses,
        assessed_at,
        companies,
        filters,
        generated_at: crate::storage::now(),
        small_groups_suppressed: options.suppress_small_groups,
    })
}
