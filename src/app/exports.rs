//! The files to download: the compliance workbook, statements as workbooks, the detail of
//! hours, a buyer's contracts in the DECP format.

use std::io::{Read, Seek};

use super::indicators::FiguresRequest;
use super::{AppError, Caller, ErrorCode, Narrowing};
use crate::domain::authorization::Action;
use crate::domain::{Labelled, ObligationRules, Siret};
use crate::export::compliance::ObligationLine;
use crate::export::{self, ExportError};
use crate::indicators::annual_report as report_annual;
use crate::indicators::scope::ScopeError;
use crate::indicators::statement::Statement;
use crate::indicators::{Breakdowns, FigureCache, Options, Period, report};
use crate::storage::DbConnection;

/// The French names and values of the filters asked, for the method sheet.
fn filters_of(request: &FiguresRequest) -> Vec<(String, String)> {
    let typed = &request.narrowing;
    let mut filters = Vec::new();
    if let Some(buyer) = &typed.buyer {
        filters.push(("acheteur (SIRET)".to_owned(), buyer.as_str().to_owned()));
    }
    if let Some(d) = &typed.departement {
        filters.push(("département".to_owned(), d.as_str().to_owned()));
    }
    filters.push((
        "sous-traitants dans les parts de la charte".to_owned(),
        if request.subcontractors {
            "inclus"
        } else {
            "exclus"
        }
        .to_owned(),
    ));
    filters.push((
        "heures en attente de validation".to_owned(),
        if typed.with_pending {
            "comptées avec les heures validées"
        } else {
            "non comptées (données à part)"
        }
        .to_owned(),
    ));
    filters
}

/// The compliance workbook of a period, its method sheet naming the filters asked. It travels (assembly, partners): groups of people are
/// always suppressed, special-category criteria always hidden, whoever asks.
pub fn compliance(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    rules: &ObligationRules,
    request: &FiguresRequest,
) -> Result<Vec<u8>, AppError> {
    let options = Options {
        include_subcontractors: request.subcontractors,
        suppress_small_groups: true,
        special_categories: false,
        breakdowns: Breakdowns::ALL,
    };
    let filters = filters_of(request);
    let scope = caller.data_scope(conn, &request.narrowing)?;
    let report = report::gather(
        conn,
        cache,
        &scope,
        request.period,
        options,
        filters,
        super::today(),
    )?;
    let obligations = if caller.may(Action::ReadObligations) {
        let period = (request.period.from, request.period.to);
        let found = super::obligations::of_period(conn, caller, rules, period, &request.narrowing)?;
        Some(found.into_iter().map(obligation_line).collect::<Vec<_>>())
    } else {
        None
    };
    Ok(export::compliance::workbook(&report, obligations.as_deref()).map_err(ExportError::from)?)
}

fn obligation_line(c: super::obligations::ContractObligations) -> ObligationLine {
    ObligationLine {
        buyer_siret: c.buyer_siret,
        reference: c.reference,
        notified: c.notified,
        social: c.status.social.label(),
        ground: c.ground.map(|(_, label)| label),
        environmental: c.status.environmental.label(),
    }
}

/// The yearly report to funders: groups of people always suppressed, the report travels.
pub fn annual_report(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    year: i32,
    narrowing: &Narrowing,
) -> Result<Vec<u8>, AppError> {
    let year = super::listing::year(year)?;
    let scope = caller.data_scope(conn, narrowing)?;
    let request = FiguresRequest {
        period: super::indicators::period(Some(year), None, None)?,
        narrowing: narrowing.clone(),
        subcontractors: false,
        breakdowns: Breakdowns::ALL,
    };
    let report = report_annual::gather(conn, cache, &scope, year, filters_of(&request))?
        .ok_or_else(|| AppError::with(ErrorCode::InvalidPeriod, "Année incorrecte."))?;
    Ok(export::annual_report::workbook(&report).map_err(ExportError::from)?)
}

/// A period as a file name: `20250101-20251231`.
pub fn file_period(period: Period) -> String {
    format!(
        "{}-{}",
        period.from.format("%Y%m%d"),
        period.to.format("%Y%m%d")
    )
}

/// A statement as a workbook.
pub fn statement_workbook(statement: &Statement) -> Result<Vec<u8>, AppError> {
    Ok(export::statement::workbook(statement).map_err(ExportError::from)?)
}

/// The two formats of the detail of hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailFormat {
    Xlsx,
    Csv,
}

/// Every hour entry of the scope (of one year's months, or all), pseudonymous, written to
/// `out`; the number of entries.
pub fn detail(
    conn: &mut DbConnection,
    caller: &Caller,
    narrowing: &Narrowing,
    year: Option<i32>,
    format: DetailFormat,
    out: &mut std::fs::File,
) -> Result<u64, AppError> {
    let year = super::listing::optional_year(year)?;
    let filter = caller.data_scope(conn, narrowing)?.hours_of(year);
    Ok(match format {
        DetailFormat::Xlsx => export::detail::xlsx(conn, &filter, out)?,
        DetailFormat::Csv => export::detail::csv(conn, &filter, std::io::BufWriter::new(out))?,
    })
}

/// The same, as bytes: written through a temporary file, the workbook's sheet streams to disk
/// as it goes.
pub fn detail_bytes(
    conn: &mut DbConnection,
    caller: &Caller,
    narrowing: &Narrowing,
    year: Option<i32>,
    format: DetailFormat,
) -> Result<Vec<u8>, AppError> {
    let mut file = tempfile::tempfile().map_err(ExportError::from)?;
    detail(conn, caller, narrowing, year, format, &mut file)?;
    let mut bytes = Vec::new();
    file.rewind().map_err(ExportError::from)?;
    file.read_to_end(&mut bytes).map_err(ExportError::from)?;
    Ok(bytes)
}

/// A buyer's contracts notified in the year (all when `None`) in the DECP 2024 format; refused
/// with the contracts to complete when the register lacks a required field.
pub fn decp(
    conn: &mut DbConnection,
    caller: &Caller,
    buyer: &Siret,
    year: Option<i32>,
) -> Result<serde_json::Value, AppError> {
    let period = super::listing::optional_year(year)?
        .map(|year| {
            Period::year(year)
                .ok_or_else(|| AppError::with(ErrorCode::InvalidPeriod, "Année incorrecte."))
        })
        .transpose()?;
    let narrowing = Narrowing {
        buyer: Some(buyer.clone()),
        departement: None,
        with_pending: false,
    };
    caller.data_scope(conn, &narrowing)?;
    let record = crate::storage::buyers::list(conn)?
        .into_iter()
        .find(|b| &b.siret == buyer)
        .ok_or_else(|| AppError::from(ScopeError::UnknownBuyer(buyer.clone())))?;
    export::decp::of_buyer(conn, &record, period, super::today()).map_err(|failure| match failure {
        export::decp::DecpFailure::Decp(e) => AppError::with(ErrorCode::DecpIncomplete, e),
        export::decp::DecpFailure::Storage(e) => AppError::internal(&e),
    })
}
