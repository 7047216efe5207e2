//! Downloads: the compliance workbook, statements of a contract or a company (JSON and xlsx),
//! the detail of hours (xlsx and CSV), a buyer's contracts in the DECP format, the SPASER
//! indicators (xlsx and CSV). Generation runs on the blocking pool, off the async workers.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

use super::indicators::IndicatorsQuery;
use crate::app::exports::{DetailFormat, file_period};
use crate::app::spaser::SpaserFormat;
use crate::app::{self, AppError, ErrorCode, Narrowing};
use crate::indicators::FigureCache;
use crate::indicators::statement::Statement;
use crate::storage::Database;
use crate::web::api::wire::statements::StatementJson;
use crate::web::auth::{Authorized, can};
use crate::web::{XLSX, attachment};

/// `GET /api/exports/compliance.xlsx`: the compliance workbook of a period.
#[utoipa::path(
    get,
    path = "/api/exports/compliance.xlsx",
    tag = "exports",
    security(("bearer" = [])),
    params(IndicatorsQuery),
    responses(
        (status = 200, description = "Classeur de suivi (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn compliance(
    user: Authorized<can::ExportWorkbooks>,
    query: web::Query<IndicatorsQuery>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
    rules: web::Data<crate::domain::ObligationRules>,
) -> Result<HttpResponse, AppError> {
    let (request, caller) = (query.request()?, user.caller());
    let file_name = format!("suivi-clauses-{}.xlsx", file_period(request.period));
    let bytes = crate::web::run(&database, move |conn| {
        app::exports::compliance(conn, &figures, &caller, &rules, &request)
    })
    .await?;
    Ok(attachment(XLSX, &file_name, bytes))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct AnnualReportQuery {
    /// The calendar year reported on.
    pub year: i32,
    /// SIRET of one buyer of the caller's scope.
    pub buyer: Option<String>,
    /// Only the buyers whose territory holds this département.
    pub departement: Option<String>,
}

/// `GET /api/exports/annual-report.xlsx`: the yearly report to funders — hours, participants,
/// work contracts, companies and exits of the year, each line traced on a « Méthode » sheet.
#[utoipa::path(
    get,
    path = "/api/exports/annual-report.xlsx",
    tag = "exports",
    security(("bearer" = [])),
    params(AnnualReportQuery),
    responses(
        (status = 200, description = "Rapport annuel aux financeurs (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn annual_report(
    user: Authorized<can::ExportWorkbooks>,
    query: web::Query<AnnualReportQuery>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
) -> Result<HttpResponse, AppError> {
    let narrowing = Narrowing::parse(query.buyer.as_deref(), query.departement.as_deref())?;
    let (year, caller) = (query.year, user.caller());
    let bytes = crate::web::run(&database, move |conn| {
        app::exports::annual_report(conn, &figures, &caller, year, &narrowing)
    })
    .await?;
    Ok(attachment(
        XLSX,
        &format!("rapport-annuel-{year}.xlsx"),
        bytes,
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct StatementQuery {
    /// The date of the statement; today by default.
    pub at: Option<NaiveDate>,
}

/// `GET /api/contracts/{id}/statement`: what the contract's clauses owe and what was done.
#[utoipa::path(
    get,
    path = "/api/contracts/{id}/statement",
    tag = "exports",
    security(("bearer" = [])),
    params(("id" = i64, Path), StatementQuery),
    responses(
        (status = 200, body = StatementJson),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn contract_json(
    user: Authorized<can::ReadStatements>,
    id: web::Path<i64>,
    query: web::Query<StatementQuery>,
    database: web::Data<Database>,
) -> Result<web::Json<StatementJson>, AppError> {
    let statement = contract_statement(user, id, query, database).await?;
    Ok(web::Json(StatementJson::from(&statement)))
}

async fn contract_statement(
    user: Authorized<can::ReadStatements>,
    id: web::Path<i64>,
    query: web::Query<StatementQuery>,
    database: web::Data<Database>,
) -> Result<Statement, AppError> {
    let (id, at, caller) = (id.into_inner(), query.date(), user.caller());
    crate::web::run(&database, move |conn| {
        app::contracts::statement(conn, &caller, id.into(), at)
    })
    .await
}

impl StatementQuery {
    fn date(&self) -> NaiveDate {
        self.at.unwrap_or_else(app::today)
    }
}

/// `GET /api/contracts/{id}/statement.xlsx`: the same, as a workbook.
#[utoipa::path(
    get,
    path = "/api/contracts/{id}/statement.xlsx",
    tag = "exports",
    security(("bearer" = [])),
    params(("id" = i64, Path), StatementQuery),
    responses(
        (status = 200, description = "Relevé (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn contract_xlsx(
    user: Authorized<can::ReadStatements>,
    id: web::Path<i64>,
    query: web::Query<StatementQuery>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let file_name = format!("releve-marche-{id}.xlsx");
    let statement = contract_statement(user, id, query, database).await?;
    statement_file(statement, &file_name).await
}

/// A statement as a workbook, laid out on the blocking pool.
async fn statement_file(statement: Statement, file_name: &str) -> Result<HttpResponse, AppError> {
    let bytes = web::block(move || app::exports::statement_workbook(&statement))
        .await
        .map_err(|e| AppError::internal(&e))??;
    Ok(attachment(XLSX, file_name, bytes))
}

/// `GET /api/companies/{siret}/statement`: a company's lots with a clause and its hours.
#[utoipa::path(
    get,
    path = "/api/companies/{siret}/statement",
    tag = "exports",
    security(("bearer" = [])),
    params(("siret" = String, Path), StatementQuery),
    responses(
        (status = 200, body = StatementJson),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn company_json(
    user: Authorized<can::ReadStatements>,
    siret: web::Path<String>,
    query: web::Query<StatementQuery>,
    database: web::Data<Database>,
) -> Result<web::Json<StatementJson>, AppError> {
    let statement = company_statement(user, siret, query, database).await?;
    Ok(web::Json(StatementJson::from(&statement)))
}

async fn company_statement(
    user: Authorized<can::ReadStatements>,
    siret: web::Path<String>,
    query: web::Query<StatementQuery>,
    database: web::Data<Database>,
) -> Result<Statement, AppError> {
    let siret = app::companies::company_of(&siret)?;
    let (at, caller) = (query.date(), user.caller());
    crate::web::run(&database, move |conn| {
        app::companies::statement(conn, &caller, &siret, at)
    })
    .await
}

/// `GET /api/companies/{siret}/statement.xlsx`: the same, as a workbook.
#[utoipa::path(
    get,
    path = "/api/companies/{siret}/statement.xlsx",
    tag = "exports",
    security(("bearer" = [])),
    params(("siret" = String, Path), StatementQuery),
    responses(
        (status = 200, description = "Relevé (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn company_xlsx(
    user: Authorized<can::ReadStatements>,
    siret: web::Path<String>,
    query: web::Query<StatementQuery>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let company = app::companies::company_of(&siret)?;
    // A colon has no place in a file name: `TVA:FR…` is written `TVA-FR…`.
    let named = company
        .siret()
        .map_or_else(|| company.as_str().replace(':', "-"), |s| s.to_string());
    let file_name = format!("releve-entreprise-{named}.xlsx");
    let statement = company_statement(user, siret, query, database).await?;
    statement_file(statement, &file_name).await
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct DetailQuery {
    /// Only the months of this year; the whole history otherwise.
    pub year: Option<i32>,
    pub buyer: Option<String>,
    pub departement: Option<String>,
}

async fn detail(
    user: Authorized<can::ExportHourDetail>,
    query: web::Query<DetailQuery>,
    database: web::Data<Database>,
    format: DetailFormat,
) -> Result<HttpResponse, AppError> {
    let narrowing = Narrowing::parse(query.buyer.as_deref(), query.departement.as_deref())?;
    let (year, caller) = (query.year, user.caller());
    let bytes = crate::web::run(&database, move |conn| {
        app::exports::detail_bytes(conn, &caller, &narrowing, year, format)
    })
    .await?;
    let period = year.map_or_else(|| "historique".to_owned(), |y| y.to_string());
    Ok(match format {
        DetailFormat::Xlsx => attachment(XLSX, &format!("heures-{period}.xlsx"), bytes),
        DetailFormat::Csv => attachment(
            "text/csv; charset=utf-8",
            &format!("heures-{period}.csv"),
            bytes,
        ),
    })
}

/// `GET /api/exports/hours.xlsx`: every hour entry of the scope, pseudonymous.
#[utoipa::path(
    get,
    path = "/api/exports/hours.xlsx",
    tag = "exports",
    security(("bearer" = [])),
    params(DetailQuery),
    responses(
        (status = 200, description = "Détail des heures (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn hours_xlsx(
    user: Authorized<can::ExportHourDetail>,
    query: web::Query<DetailQuery>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    detail(user, query, database, DetailFormat::Xlsx).await
}

/// `GET /api/exports/hours.csv`: the same as CSV (`;`, decimal comma, formulas neutralised).
#[utoipa::path(
    get,
    path = "/api/exports/hours.csv",
    tag = "exports",
    security(("bearer" = [])),
    params(DetailQuery),
    responses(
        (status = 200, description = "Détail des heures (.csv)", content_type = "text/csv"),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn hours_csv(
    user: Authorized<can::ExportHourDetail>,
    query: web::Query<DetailQuery>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    detail(user, query, database, DetailFormat::Csv).await
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct DecpQuery {
    /// SIRET of the buyer whose contracts to publish.
    pub buyer: String,
    /// Only the contracts notified this year; all otherwise.
    pub year: Option<i32>,
}

/// `GET /api/exports/decp.json`: a buyer's contracts in the DECP 2024 format, one record per
/// lot; 422 with the contracts to complete when the register lacks a required field.
#[utoipa::path(
    get,
    path = "/api/exports/decp.json",
    tag = "exports",
    security(("bearer" = [])),
    params(DecpQuery),
    responses(
        (status = 200, description = "Données essentielles (DECP 2024, schéma v2.0.3)", content_type = "application/json"),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn decp(
    user: Authorized<can::ExportDecp>,
    query: web::Query<DecpQuery>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let buyer = app::caller::buyer_of(Some(&query.buyer))?.ok_or_else(|| {
        AppError::with(
            ErrorCode::InvalidBuyer,
            "Indiquez le SIRET de l'acheteur : buyer=…",
        )
    })?;
    let (year, caller, siret) = (query.year, user.caller(), buyer.clone());
    let document = crate::web::run(&database, move |conn| {
        app::exports::decp(conn, &caller, &siret, year)
    })
    .await?;
    let body = serde_json::to_vec_pretty(&document).map_err(|e| AppError::internal(&e))?;
    Ok(attachment(
        "application/json",
        &format!("decp-{buyer}.json"),
        body,
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct SpaserQuery {
    /// The year of the report: its contracts, and the earlier years for the trend.
    pub year: i32,
    /// SIRET of one buyer; every buyer of the scope otherwise.
    pub buyer: Option<String>,
}

async fn spaser(
    user: Authorized<can::ReadObligations>,
    query: web::Query<SpaserQuery>,
    database: web::Data<Database>,
    rules: web::Data<crate::domain::ObligationRules>,
    format: SpaserFormat,
) -> Result<HttpResponse, AppError> {
    let narrowing = Narrowing::parse(query.buyer.as_deref(), None)?;
    let (year, caller) = (query.year, user.caller());
    let bytes = crate::web::run(&database, move |conn| {
        app::spaser::file(conn, &caller, &rules, year, &narrowing, format)
    })
    .await?;
    Ok(match format {
        SpaserFormat::Xlsx => attachment(XLSX, &format!("spaser-{year}.xlsx"), bytes),
        SpaserFormat::Csv => attachment(
            "text/csv; charset=utf-8",
            &format!("spaser-{year}.csv"),
            bytes,
        ),
    })
}

/// `GET /api/exports/spaser.xlsx`: the SPASER indicators of a year, per buyer of the scope:
/// indicators, a chart of the shares against the targets, the missing contracts, the method.
#[utoipa::path(
    get,
    path = "/api/exports/spaser.xlsx",
    tag = "exports",
    security(("bearer" = [])),
    params(SpaserQuery),
    responses(
        (status = 200, description = "Rapport SPASER (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn spaser_xlsx(
    user: Authorized<can::ReadObligations>,
    query: web::Query<SpaserQuery>,
    database: web::Data<Database>,
    rules: web::Data<crate::domain::ObligationRules>,
) -> Result<HttpResponse, AppError> {
    spaser(user, query, database, rules, SpaserFormat::Xlsx).await
}

/// `GET /api/exports/spaser.csv`: the same indicators as open data, one row per buyer × year
/// × indicator (columns in the README).
#[utoipa::path(
    get,
    path = "/api/exports/spaser.csv",
    tag = "exports",
    security(("bearer" = [])),
    params(SpaserQuery),
    responses(
        (status = 200, description = "Indicateurs SPASER en open data (.csv)", content_type = "text/csv"),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn spaser_csv(
    user: Authorized<can::ReadObligations>,
    query: web::Query<SpaserQuery>,
    database: web::Data<Database>,
    rules: web::Data<crate::domain::ObligationRules>,
) -> Result<HttpResponse, AppError> {
    spaser(user, query, database, rules, SpaserFormat::Csv).await
}
