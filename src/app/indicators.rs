//! The charter and insertion indicators of a period, and their trend year by year.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{Datelike, NaiveDate};

use super::{AppError, Caller, ErrorCode, Narrowing};
use crate::indicators::{
    Breakdowns, FigureCache, Indicators, Kept, Options, Period, Render, YearFigures,
};
use crate::storage::{DbConnection, PageRequest};

/// What figures are asked: of which period, narrowed how, computed how.
#[derive(Debug, Clone)]
pub struct FiguresRequest {
    pub period: Period,
    pub narrowing: Narrowing,
    /// Count declared subcontractors in the local and size shares.
    pub subcontractors: bool,
    pub breakdowns: Breakdowns,
}

fn invalid_period(message: &str) -> AppError {
    AppError::with(ErrorCode::InvalidPeriod, message)
}

/// The period asked: a year, or dates from and to (both included).
pub fn period(
    year: Option<i32>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Period, AppError> {
    for date in [from, to].into_iter().flatten() {
        super::listing::year(date.year())?;
    }
    match (year, from, to) {
        (Some(year), None, None) => Period::year(super::listing::year(year)?)
            .ok_or_else(|| invalid_period("Année incorrecte : écrivez-la sur quatre chiffres.")),
        (None, Some(from), Some(to)) if from <= to => Ok(Period { from, to }),
        (None, Some(_), Some(_)) => Err(invalid_period(
            "La date de début (from) doit précéder la date de fin (to).",
        )),
        _ => Err(invalid_period(
            "Indiquez une année (year=2025) ou une période (from=2025-01-01&to=2025-06-30).",
        )),
    }
}

/// The breakdowns asked: dimension codes separated by commas, `none`, `all`, or those of few
/// groups when blank (`Breakdowns::default`).
pub fn breakdowns(text: Option<&str>) -> Result<Breakdowns, AppError> {
    Breakdowns::parse(text.unwrap_or_default())
        .map_err(|message| AppError::with(ErrorCode::InvalidBreakdowns, message))
}

/// How figures are computed for this caller: small groups hidden unless its role follows
/// participants one by one, special-category criteria unless its role may see them.
pub fn options(caller: &Caller, subcontractors: bool, breakdowns: Breakdowns) -> Options {
    Options {
        include_subcontractors: subcontractors,
        suppress_small_groups: !caller.sees_small_groups(),
        special_categories: caller.sees_special_categories(),
        breakdowns,
    }
}

/// The indicators of a period within the caller's scope: the newest kept, at once, stale
/// while those of a new data version are computed.
pub fn figures(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    request: &FiguresRequest,
) -> Result<Kept<Arc<Indicators>>, AppError> {
    let scope = caller.data_scope(conn, &request.narrowing)?;
    let options = options(caller, request.subcontractors, request.breakdowns);
    Ok(cache.latest_indicators(conn, &scope, request.period, options)?)
}

/// The same figures with one page of the groups of each lot, contract or establishment,
/// rendered once per data version and freshness by the adapter's `render` (the API answers
/// them as they are).
pub fn figures_json(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    (request, page): (&FiguresRequest, PageRequest),
    render: Render,
) -> Result<Bytes, AppError> {
    let scope = caller.data_scope(conn, &request.narrowing)?;
    let options = options(caller, request.subcontractors, request.breakdowns);
    Ok(cache.indicators_json(conn, &scope, request.period, (options, page), render)?)
}

/// Which years a trend covers.
#[derive(Debug, Clone)]
pub struct SeriesRequest {
    pub from_year: i32,
    pub to_year: i32,
    pub narrowing: Narrowing,
    pub subcontractors: bool,
}

/// The main figures year by year, 50 years at most, from the newest kept.
pub fn series(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    request: &SeriesRequest,
) -> Result<Kept<Vec<YearFigures>>, AppError> {
    let (from, to) = (
        super::listing::year(request.from_year)?,
        super::listing::year(request.to_year)?,
    );
    if to < from || to - from >= 50 {
        return Err(invalid_period(
            "Donnez une première et une dernière année (from_year ≤ to_year), 50 ans au plus.",
        ));
    }
    let scope = caller.data_scope(conn, &request.narrowing)?;
    let options = options(caller, request.subcontractors, Breakdowns::ALL);
    Ok(cache.latest_series(conn, &scope, (from, to), options)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_a_year_or_two_dates_in_order() {
        let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d);
        assert_eq!(
            period(Some(2025), None, None).unwrap(),
            Period::year(2025).unwrap()
        );
        assert_eq!(
            period(None, day(1, 1), day(6, 30)).unwrap(),
            Period {
                from: day(1, 1).unwrap(),
                to: day(6, 30).unwrap()
            }
        );
        for wrong in [
            period(None, day(6, 30), day(1, 1)),
            period(None, None, None),
            period(Some(2025), day(1, 1), None),
        ] {
            assert_eq!(wrong.unwrap_err().code, "invalid_period");
        }
    }
}
