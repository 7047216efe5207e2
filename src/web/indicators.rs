//! Indicators and clause follow-up, scoped to the caller.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

use super::auth::{Authorized, can};
use super::error::ApiError;
use crate::domain::authorization::sees_small_groups;
use crate::domain::{Departement, Siret};
use crate::indicators::clauses::ClauseView;
use crate::indicators::{
    Breakdowns, DataScope, FigureCache, Indicators, Options, Period, ScopeError, YearFigures, scope,
};
use crate::storage::users::Account;
use crate::storage::{Database, DbConnection, StorageError};

/// What a scoped query may fail with: a buyer unknown or out of scope, or the database.
#[derive(Debug, thiserror::Error)]
pub enum ScopedError {
    #[error(transparent)]
    Scope(#[from] ScopeError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<diesel::result::Error> for ScopedError {
    fn from(e: diesel::result::Error) -> Self {
        ScopedError::Storage(e.into())
    }
}

impl From<ScopedError> for ApiError {
    fn from(error: ScopedError) -> ApiError {
        match error {
            ScopedError::Scope(ScopeError::UnknownBuyer(_)) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_buyer", error.to_string())
            }
            ScopedError::Scope(ScopeError::OutOfScope(_)) => {
                ApiError::new(StatusCode::FORBIDDEN, "out_of_scope", error.to_string())
            }
            ScopedError::Scope(ScopeError::Storage(e)) => ApiError::internal(&e),
            ScopedError::Storage(e) => ApiError::internal(&e),
        }
    }
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct IndicatorsQuery {
    /// A calendar year; or `from` and `to` (dates, both included).
    pub year: Option<i32>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// SIRET of one buyer of the caller's scope.
    pub buyer: Option<String>,
    /// Only the buyers whose territory holds this département.
    pub departement: Option<String>,
    /// Count declared subcontractors in the local and size shares.
    #[serde(default)]
    pub subcontractors: bool,
    /// Which breakdowns to compute: dimension codes separated by commas
    /// (`modality,structure_kind`), `none`, or `all` (the default).
    pub breakdowns: Option<String>,
}

pub fn buyer_of(text: Option<&str>) -> Result<Option<Siret>, ApiError> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            Siret::parse(t).map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_buyer",
                    e.to_string(),
                )
            })
        })
        .transpose()
}

/// A département given as a filter, checked.
pub fn departement_of(text: Option<&str>) -> Result<Option<Departement>, ApiError> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            Departement::parse(t).map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_departement",
                    e.to_string(),
                )
            })
        })
        .transpose()
}

fn options_for(account: &Account, subcontractors: bool) -> Options {
    Options {
        include_subcontractors: subcontractors,
        suppress_small_groups: !sees_small_groups(account.role),
        breakdowns: Breakdowns::ALL,
    }
}

fn invalid_period(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_period", message)
}

/// The period asked: a year, or dates from and to.
pub fn period_of(query: &IndicatorsQuery) -> Result<Period, ApiError> {
    match (query.year, query.from, query.to) {
        (Some(year), None, None) => Period::year(year)
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

/// `GET /api/indicators`: the charter and insertion indicators of a period.
#[utoipa::path(
    get,
    path = "/api/indicators",
    tag = "indicators",
    security(("bearer" = [])),
    params(IndicatorsQuery),
    responses(
        (status = 200, body = Indicators),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn indicators(
    user: Authorized<can::ReadIndicators>,
    query: web::Query<IndicatorsQuery>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
) -> Result<HttpResponse, ApiError> {
    let json = read_indicators(
        &user,
        &query,
        database,
        move |conn, scope, period, options| figures.indicators_json(conn, scope, period, options),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(json))
}

/// The indicators `GET /api/indicators` answers, as figures for a page to draw.
pub async fn indicators_figures(
    user: &Authorized<can::ReadIndicators>,
    query: &IndicatorsQuery,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
) -> Result<Arc<Indicators>, ApiError> {
    read_indicators(
        user,
        query,
        database,
        move |conn, scope, period, options| figures.indicators(conn, scope, period, options),
    )
    .await
}

/// Checks an indicators request, resolves its scope for the account, then reads its figures.
async fn read_indicators<T: Send + 'static>(
    user: &Authorized<can::ReadIndicators>,
    query: &IndicatorsQuery,
    database: web::Data<Database>,
    read: impl FnOnce(
        &mut DbConnection,
        &DataScope,
        Period,
        Options,
    ) -> Result<T, diesel::result::Error>
    + Send
    + 'static,
) -> Result<T, ApiError> {
    let period = period_of(query)?;
    let buyer = buyer_of(query.buyer.as_deref())?;
    let departement = departement_of(query.departement.as_deref())?;
    let breakdowns =
        Breakdowns::parse(query.breakdowns.as_deref().unwrap_or_default()).map_err(|message| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_breakdowns",
                message,
            )
        })?;
    let options = Options {
        breakdowns,
        ..options_for(&user.account, query.subcontractors)
    };
    let account_scope = user.account.scope.clone();
    Ok(database
        .run(move |conn| {
            let scope = scope::resolve(conn, &account_scope, buyer.as_ref(), departement.as_ref())?;
            Ok::<_, ScopedError>(read(conn, &scope, period, options)?)
        })
        .await?)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct SeriesQuery {
    pub from_year: i32,
    pub to_year: i32,
    pub buyer: Option<String>,
    pub departement: Option<String>,
    #[serde(default)]
    pub subcontractors: bool,
}

/// `GET /api/indicators/series`: the main figures year by year, for a trend.
#[utoipa::path(
    get,
    path = "/api/indicators/series",
    tag = "indicators",
    security(("bearer" = [])),
    params(SeriesQuery),
    responses(
        (status = 200, body = Vec<YearFigures>),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn series(
    user: Authorized<can::ReadIndicators>,
    query: web::Query<SeriesQuery>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
) -> Result<web::Json<Vec<YearFigures>>, ApiError> {
    if query.to_year < query.from_year || query.to_year - query.from_year >= 50 {
        return Err(invalid_period(
            "Donnez une première et une dernière année (from_year ≤ to_year), 50 ans au plus.",
        ));
    }
    let buyer = buyer_of(query.buyer.as_deref())?;
    let departement = departement_of(query.departement.as_deref())?;
    let options = options_for(&user.account, query.subcontractors);
    let (from, to) = (query.from_year, query.to_year);
    let account_scope = user.account.scope.clone();
    let figures = database
        .run(move |conn| {
            let scope = scope::resolve(conn, &account_scope, buyer.as_ref(), departement.as_ref())?;
            Ok::<_, ScopedError>(figures.series(conn, &scope, from, to, options)?)
        })
        .await?;
    Ok(web::Json(figures))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ClausesQuery {
    /// The date of the assessment; today by default.
    pub at: Option<NaiveDate>,
    pub buyer: Option<String>,
    pub departement: Option<String>,
}

/// `GET /api/clauses`: every clause of the scope with its hours and status at a date.
#[utoipa::path(
    get,
    path = "/api/clauses",
    tag = "clauses",
    security(("bearer" = [])),
    params(ClausesQuery),
    responses(
        (status = 200, body = Vec<ClauseView>),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn clauses(
    user: Authorized<can::ReadClauses>,
    query: web::Query<ClausesQuery>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
) -> Result<web::Json<Arc<Vec<ClauseView>>>, ApiError> {
    let at = query.at.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let buyer = buyer_of(query.buyer.as_deref())?;
    let departement = departement_of(query.departement.as_deref())?;
    let account_scope = user.account.scope.clone();
    let list = database
        .run(move |conn| {
            let scope = scope::resolve(conn, &account_scope, buyer.as_ref(), departement.as_ref())?;
            Ok::<_, ScopedError>(figures.clauses(conn, &scope, at)?)
        })
        .await?;
    Ok(web::Json(list))
}
