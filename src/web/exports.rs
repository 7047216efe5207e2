//! Downloads: the compliance workbook, statements of a contract or a company (JSON and xlsx),
//! the detail of hours (xlsx and CSV). Generation runs on the blocking pool, off the async
//! workers.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

use super::auth::{Authorized, can};
use super::error::ApiError;
use super::indicators::{IndicatorsQuery, ScopedError, buyer_of, departement_of, period_of};
use crate::domain::Siret;
use crate::export::{self, ExportError};
use crate::indicators::scope;
use crate::indicators::statement::{self, Statement, StatementError};
use crate::indicators::{FigureCache, Options, Period, report};
use crate::storage::{Database, StorageError};

/// What an export may fail with.
#[derive(Debug, thiserror::Error)]
pub enum ExportFailure {
    #[error(transparent)]
    Scoped(#[from] ScopedError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Statement(#[from] StatementError),
    #[error(transparent)]
    Decp(#[from] export::decp::DecpFailure),
}

impl From<StorageError> for ExportFailure {
    fn from(e: StorageError) -> Self {
        ExportFailure::Scoped(ScopedError::Storage(e))
    }
}

impl From<diesel::result::Error> for ExportFailure {
    fn from(e: diesel::result::Error) -> Self {
        ExportFailure::Scoped(e.into())
    }
}

impl From<ExportFailure> for ApiError {
    fn from(failure: ExportFailure) -> ApiError {
        match failure {
            ExportFailure::Scoped(e) => e.into(),
            ExportFailure::Export(e) => ApiError::internal(&e),
            ExportFailure::Decp(export::decp::DecpFailure::Decp(e)) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "decp_incomplete",
                e.to_string(),
            ),
            ExportFailure::Decp(export::decp::DecpFailure::Storage(e)) => ApiError::internal(&e),
            ExportFailure::Statement(StatementError::Scope(e)) => ScopedError::from(e).into(),
            ExportFailure::Statement(StatementError::Storage(e)) => ApiError::internal(&e),
            ExportFailure::Statement(e @ StatementError::UnknownContract) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_contract", e.to_string())
            }
            ExportFailure::Statement(e @ StatementError::UnknownCompany(_)) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_company", e.to_string())
            }
            ExportFailure::Statement(e @ StatementError::OtherCompany) => {
                ApiError::new(StatusCode::FORBIDDEN, "out_of_scope", e.to_string())
            }
        }
    }
}

/// The French names and values of the filters asked, for the method sheet.
fn filters_of(query: &IndicatorsQuery) -> Vec<(String, String)> {
    let mut filters = Vec::new();
    if let Some(buyer) = query.buyer.as_deref().filter(|b| !b.trim().is_empty()) {
        filters.push(("acheteur (SIRET)".to_owned(), buyer.trim().to_owned()));
    }
    if let Some(d) = query
        .departement
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        filters.push(("département".to_owned(), d.trim().to_owned()));
    }
    filters.push((
        "sous-traitants dans les parts de la charte".to_owned(),
        if query.subcontractors {
            "inclus"
        } else {
            "exclus"
        }
        .to_owned(),
    ));
    filters
}

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
) -> Result<HttpResponse, ApiError> {
    let period = period_of(&query)?;
    let buyer = buyer_of(query.buyer.as_deref())?;
    let departement = departement_of(query.departement.as_deref())?;
    // The workbook travels (assembly, partners): groups of people are always suppressed.
    let options = Options {
        include_subcontractors: query.subcontractors,
        suppress_small_groups: true,
        breakdowns: crate::indicators::Breakdowns::ALL,
    };
    let filters = filters_of(&query);
    let account_scope = user.account.scope.clone();
    let bytes = database
        .run(move |conn| {
            let scope = scope::resolve(conn, &account_scope, buyer.as_ref(), departement.as_ref())
                .map_err(ScopedError::from)?;
            let today = chrono::Utc::now().date_naive();
            let report = report::gather(conn, &figures, &scope, period, options, filters, today)?;
            Ok::<_, ExportFailure>(
                export::compliance::workbook(&report).map_err(ExportError::from)?,
            )
        })
        .await?;
    Ok(super::attachment(
        super::XLSX,
        &format!("suivi-clauses-{}.xlsx", file_period(period)),
        bytes,
    ))
}

fn file_period(period: Period) -> String {
    format!(
        "{}-{}",
        period.from.format("%Y%m%d"),
        period.to.format("%Y%m%d")
    )
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct StatementQuery {
    /// The date of the statement; today by default.
    pub at: Option<NaiveDate>,
}

fn siret_of(text: &str) -> Result<Siret, ApiError> {
    Siret::parse(text).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_company",
            e.to_string(),
        )
    })
}

fn today_or(at: Option<NaiveDate>) -> NaiveDate {
    at.unwrap_or_else(|| chrono::Utc::now().date_naive())
}

/// `GET /api/contracts/{id}/statement`: what the contract's clauses owe and what was done.
#[utoipa::path(
    get,
    path = "/api/contracts/{id}/statement",
    tag = "exports",
    security(("bearer" = [])),
    params(("id" = i64, Path), StatementQuery),
    responses(
        (status = 200, body = Statement),
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
) -> Result<web::Json<Statement>, ApiError> {
    let (id, at, scope) = (
        id.into_inner(),
        today_or(query.at),
        user.account.scope.clone(),
    );
    let statement = database
        .run(move |conn| Ok::<_, ExportFailure>(statement::of_contract(conn, &scope, id, at)?))
        .await?;
    Ok(web::Json(statement))
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
) -> Result<HttpResponse, ApiError> {
    let file_name = format!("releve-marche-{id}.xlsx");
    let statement = contract_json(user, id, query, database).await?.0;
    statement_file(statement, &file_name).await
}

/// A statement as a workbook, laid out on the blocking pool.
async fn statement_file(statement: Statement, file_name: &str) -> Result<HttpResponse, ApiError> {
    let bytes = web::block(move || export::statement::workbook(&statement))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| ApiError::from(ExportFailure::Export(e.into())))?;
    Ok(super::attachment(super::XLSX, file_name, bytes))
}

/// `GET /api/companies/{siret}/statement`: a company's lots with a clause and its hours.
#[utoipa::path(
    get,
    path = "/api/companies/{siret}/statement",
    tag = "exports",
    security(("bearer" = [])),
    params(("siret" = String, Path), StatementQuery),
    responses(
        (status = 200, body = Statement),
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
) -> Result<web::Json<Statement>, ApiError> {
    let siret = siret_of(&siret)?;
    let (at, account) = (today_or(query.at), user.account.clone());
    let statement = database
        .run(move |conn| {
            Ok::<_, ExportFailure>(statement::of_company(conn, &account.scope, &siret, at)?)
        })
        .await?;
    Ok(web::Json(statement))
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
) -> Result<HttpResponse, ApiError> {
    let file_name = format!("releve-entreprise-{}.xlsx", siret_of(&siret)?);
    let statement = company_json(user, siret, query, database).await?.0;
    statement_file(statement, &file_name).await
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct DetailQuery {
    /// Only the months of this year; the whole history otherwise.
    pub year: Option<i32>,
    pub buyer: Option<String>,
    pub departement: Option<String>,
}

/// The two formats of the detail.
#[derive(Debug, Clone, Copy)]
enum DetailFormat {
    Xlsx,
    Csv,
}

async fn detail(
    user: Authorized<can::ExportHourDetail>,
    query: web::Query<DetailQuery>,
    database: web::Data<Database>,
    format: DetailFormat,
) -> Result<HttpResponse, ApiError> {
    let buyer = buyer_of(query.buyer.as_deref())?;
    let departement = departement_of(query.departement.as_deref())?;
    let year = query.year;
    let account_scope = user.account.scope.clone();
    let bytes = database
        .run(move |conn| {
            let scope = scope::resolve(conn, &account_scope, buyer.as_ref(), departement.as_ref())
                .map_err(ScopedError::from)?;
            let filter = scope.hours_of(year);
            // Written through a temporary file: the workbook's sheet streams to disk as it goes.
            let mut file = tempfile::tempfile().map_err(ExportError::from)?;
            match format {
                DetailFormat::Xlsx => export::detail::xlsx(conn, &filter, &mut file)?,
                DetailFormat::Csv => {
                    export::detail::csv(conn, &filter, std::io::BufWriter::new(&mut file))?
                }
            };
            use std::io::{Read, Seek};
            let mut bytes = Vec::new();
            file.rewind().map_err(ExportError::from)?;
            file.read_to_end(&mut bytes).map_err(ExportError::from)?;
            Ok::<_, ExportFailure>(bytes)
        })
        .await?;
    let period = year.map_or_else(|| "historique".to_owned(), |y| y.to_string());
    Ok(match format {
        DetailFormat::Xlsx => {
            super::attachment(super::XLSX, &format!("heures-{period}.xlsx"), bytes)
        }
        DetailFormat::Csv => super::attachment(
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
) -> Result<HttpResponse, ApiError> {
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
) -> Result<HttpResponse, ApiError> {
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
) -> Result<HttpResponse, ApiError> {
    let buyer = buyer_of(Some(&query.buyer))?.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_buyer",
            "Indiquez le SIRET de l'acheteur : buyer=…",
        )
    })?;
    let period = match query.year {
        Some(year) => Some(Period::year(year).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_period",
                "Année incorrecte.",
            )
        })?),
        None => None,
    };
    let account_scope = user.account.scope.clone();
    let siret = buyer.clone();
    let document = database
        .run(move |conn| {
            scope::resolve(conn, &account_scope, Some(&siret), None).map_err(ScopedError::from)?;
            let record = crate::storage::buyers::list(conn)?
                .into_iter()
                .find(|b| b.siret == siret)
                .ok_or_else(|| ScopedError::from(scope::ScopeError::UnknownBuyer(siret.clone())))?;
            let today = chrono::Utc::now().date_naive();
            Ok::<_, ExportFailure>(export::decp::of_buyer(conn, &record, period, today)?)
        })
        .await?;
    let body = serde_json::to_vec_pretty(&document).map_err(|e| ApiError::internal(&e))?;
    Ok(super::attachment(
        "application/json",
        &format!("decp-{buyer}.json"),
        body,
    ))
}
