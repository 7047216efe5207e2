//! Indicators and clause follow-up, scoped to the caller.

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, HttpResponseBuilder, web};
use chrono::{NaiveDate, SecondsFormat};

use crate::app::AppError;
use crate::app::indicators::{FiguresRequest, SeriesRequest};
use crate::app::{self, Narrowing};
use crate::indicators::{FigureCache, Freshness};
use crate::storage::{Database, PageRequest};
use crate::web::api::wire::clauses::ClauseJson;
use crate::web::api::wire::indicators::{self as wire, IndicatorsJson, YearFiguresJson};
use crate::web::auth::{Authorized, can};

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
    /// (`modality,structure_kind`, `lot,contract,company,insertion_employer`), `none`, `all`, or
    /// `default`. By default only those of few groups: `buyer`, `structure_kind`, `year`,
    /// `month`, `modality`, `criterion`, `sex`, `age_band`, `qpv`, `exit_outcome`; the groups
    /// of each lot, contract, company or insertion structure are computed only when named
    /// (`default,company` adds one), and paged by `page` and `per_page` in `GET /api/indicators`
    /// (the compliance workbook holds every group of every breakdown).
    pub breakdowns: Option<String>,
    /// Count the hours awaiting validation with the validated ones (only validated hours by
    /// default; the pending ones are given apart either way).
    #[serde(default)]
    pub pending: bool,
}

/// Which groups of the breakdowns by lot, contract, company or insertion structure the API
/// answers (the workbooks hold them all).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct GroupsQuery {
    /// The page of the groups of each lot, contract, company or insertion structure (1 by
    /// default); the other breakdowns are whole.
    pub page: Option<i64>,
    /// Groups per page of those breakdowns: 50 by default, 500 at most.
    pub per_page: Option<i64>,
}

impl IndicatorsQuery {
    /// The typed request, or what to correct.
    pub fn request(&self) -> Result<FiguresRequest, AppError> {
        Ok(FiguresRequest {
            period: app::indicators::period(self.year, self.from, self.to)?,
            narrowing: Narrowing {
                with_pending: self.pending,
                ..Narrowing::parse(self.buyer.as_deref(), self.departement.as_deref())?
            },
            subcontractors: self.subcontractors,
            breakdowns: app::indicators::breakdowns(self.breakdowns.as_deref())?,
        })
    }
}

/// `GET /api/indicators`: the charter and insertion indicators of a period.
#[utoipa::path(
    get,
    path = "/api/indicators",
    tag = "indicators",
    security(("bearer" = [])),
    params(IndicatorsQuery, GroupsQuery),
    responses(
        (status = 200, body = IndicatorsJson),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn indicators(
    user: Authorized<can::ReadIndicators>,
    query: web::Query<IndicatorsQuery>,
    groups: web::Query<GroupsQuery>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
) -> Result<HttpResponse, AppError> {
    let (request, caller) = (query.request()?, user.caller());
    let page = PageRequest::new(groups.page, groups.per_page);
    let json = crate::web::run(&database, move |conn| {
        let asked = (&request, page);
        app::indicators::figures_json(conn, &figures, &caller, asked, wire::indicators_json)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(json))
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
        (status = 200, body = Vec<YearFiguresJson>, headers(
            ("Figures-Computed-At" = String, description = "Quand ces chiffres ont été calculés (RFC 3339, UTC)."),
            ("Figures-Stale" = bool, description = "true : les données ont changé depuis, ce sont les chiffres précédents, les nouveaux sont en calcul."),
        )),
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
) -> Result<HttpResponse, AppError> {
    let request = SeriesRequest {
        from_year: query.from_year,
        to_year: query.to_year,
        narrowing: Narrowing::parse(query.buyer.as_deref(), query.departement.as_deref())?,
        subcontractors: query.subcontractors,
    };
    let caller = user.caller();
    let kept = crate::web::run(&database, move |conn| {
        app::indicators::series(conn, &figures, &caller, &request)
    })
    .await?;
    let years: Vec<YearFiguresJson> = kept.value.iter().map(YearFiguresJson::from).collect();
    Ok(computed(kept.freshness).json(years))
}

/// An answer of kept figures that is a list, with no field of its own to say when they were
/// computed: headers say it, as the fields `computed_at` and `stale` of `/api/indicators` do.
fn computed(freshness: Freshness) -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response
        .insert_header((
            "Figures-Computed-At",
            freshness
                .computed_at
                .to_rfc3339_opts(SecondsFormat::Millis, true),
        ))
        .insert_header(("Figures-Stale", freshness.stale.to_string()));
    response
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ClausesQuery {
    /// The date of the assessment; today by default.
    pub at: Option<NaiveDate>,
    pub buyer: Option<String>,
    pub departement: Option<String>,
    /// Count the hours awaiting validation with the validated ones.
    #[serde(default)]
    pub pending: bool,
}

/// `GET /api/clauses`: every clause of the scope with its hours and status at a date.
#[utoipa::path(
    get,
    path = "/api/clauses",
    tag = "clauses",
    security(("bearer" = [])),
    params(ClausesQuery),
    responses(
        (status = 200, body = Vec<ClauseJson>, headers(
            ("Figures-Computed-At" = String, description = "Quand ces chiffres ont été calculés (RFC 3339, UTC)."),
            ("Figures-Stale" = bool, description = "true : les données ont changé depuis, ce sont les chiffres précédents, les nouveaux sont en calcul."),
        )),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn clauses(
    user: Authorized<can::ReadClauses>,
    query: web::Query<ClausesQuery>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
) -> Result<HttpResponse, AppError> {
    let at = query.at.unwrap_or_else(app::today);
    let narrowing = Narrowing {
        with_pending: query.pending,
        ..Narrowing::parse(query.buyer.as_deref(), query.departement.as_deref())?
    };
    let caller = user.caller();
    let kept = crate::web::run(&database, move |conn| {
        app::clauses::assessed(conn, &figures, &caller, &narrowing, at)
    })
    .await?;
    let list: Vec<ClauseJson> = kept.value.iter().map(ClauseJson::from).collect();
    Ok(computed(kept.freshness).json(list))
}
