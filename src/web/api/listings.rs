//! Paginated listings of contracts, companies and structures, and participants, scoped to the
//! caller.

use actix_web::web;
use chrono::NaiveDate;
use serde::Serialize;

use crate::app::companies::CompanyQuery;
use crate::app::contracts::ContractQuery;
use crate::app::participants::ParticipantQuery;
use crate::app::{self, Listed, Narrowing};
use crate::app::{AppError, ErrorCode};
use crate::domain::obligations::ObligationGap;
use crate::domain::{Labelled, ObligationRules};
use crate::storage::companies::Company;
use crate::storage::{Database, PageRequest};
use crate::web::api::wire::listings::{ContractJson, ParticipantJson};
use crate::web::auth::{Authorized, can};

/// A page of a listing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    /// How many items the filter selects in all.
    pub total: i64,
}

/// Items of the use case, each as the API answers it.
impl<S, T: From<S>> From<Listed<S>> for Page<T> {
    fn from(listed: Listed<S>) -> Page<T> {
        Page {
            items: listed.items.into_iter().map(T::from).collect(),
            page: listed.request.page,
            per_page: listed.request.per_page,
            total: listed.total,
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct ContractsQuery {
    /// Notified during this year.
    pub year: Option<i32>,
    /// Notified from this date.
    pub from: Option<NaiveDate>,
    /// Notified up to this date.
    pub to: Option<NaiveDate>,
    /// SIRET of one buyer of the caller's scope.
    pub buyer: Option<String>,
    /// Buyers whose territory holds this département.
    pub departement: Option<String>,
    /// Part of the reference or of the object.
    pub q: Option<String>,
    /// Only the contracts short of an obligation: `social_missing` (no social condition nor
    /// ground), `environmental_missing` or `incomplete`.
    pub obligation: Option<String>,
    pub page: Option<i64>,
    /// 50 by default, 500 at most.
    pub per_page: Option<i64>,
}

/// `GET /api/contracts`: contracts with their lots, awardees and clauses.
#[utoipa::path(
    get,
    path = "/api/contracts",
    tag = "contracts",
    security(("bearer" = [])),
    params(ContractsQuery),
    responses(
        (status = 200, body = Page<ContractJson>),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn contracts(
    user: Authorized<can::ReadContracts>,
    query: web::Query<ContractsQuery>,
    database: web::Data<Database>,
    rules: web::Data<ObligationRules>,
) -> Result<web::Json<Page<ContractJson>>, AppError> {
    let (query, caller) = (query.typed()?, user.caller());
    let found = crate::web::run(&database, move |conn| {
        app::contracts::page(conn, &caller, &rules, &query)
    })
    .await?;
    Ok(web::Json(found.into()))
}

impl ContractsQuery {
    /// The typed query, or what to correct.
    pub fn typed(&self) -> Result<ContractQuery, AppError> {
        Ok(ContractQuery {
            year: self.year,
            from: self.from,
            to: self.to,
            narrowing: Narrowing::parse(self.buyer.as_deref(), self.departement.as_deref())?,
            search: self.q.clone(),
            gap: self
                .obligation
                .as_deref()
                .filter(|o| !o.trim().is_empty())
                .map(ObligationGap::parse_label)
                .transpose()
                .map_err(|e| AppError::with(ErrorCode::BadRequest, e.to_string()))?,
            page: PageRequest::new(self.page, self.per_page),
        })
    }
}

/// `GET /api/contracts/{id}`: one contract with its lots, awardees and clauses; 404 when it is
/// outside the caller's scope, so that ids reveal nothing.
#[utoipa::path(
    get,
    path = "/api/contracts/{id}",
    tag = "contracts",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = ContractJson),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn contract(
    user: Authorized<can::ReadContracts>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<web::Json<ContractJson>, AppError> {
    let (id, caller) = (id.into_inner(), user.caller());
    let found = crate::web::run(&database, move |conn| {
        app::contracts::one(conn, &caller, id.into())
    })
    .await?;
    Ok(web::Json(found.into()))
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct CompaniesQuery {
    /// Only insertion and disability employers (SIAE, GEIQ, EA, ESAT…).
    #[serde(default)]
    pub structures: bool,
    /// Only the awardees of this buyer (of the caller's scope).
    pub buyer: Option<String>,
    /// Establishments located in this département.
    pub departement: Option<String>,
    /// Part of the name or of the SIRET.
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// `GET /api/companies`: companies and insertion structures (awardees of the caller's buyers,
/// for a scoped account).
#[utoipa::path(
    get,
    path = "/api/companies",
    tag = "companies",
    security(("bearer" = [])),
    params(CompaniesQuery),
    responses(
        (status = 200, body = Page<Company>),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn companies(
    user: Authorized<can::ReadCompanies>,
    query: web::Query<CompaniesQuery>,
    database: web::Data<Database>,
) -> Result<web::Json<Page<Company>>, AppError> {
    let (query, caller) = (query.typed()?, user.caller());
    let found = crate::web::run(&database, move |conn| {
        app::companies::page(conn, &caller, &query)
    })
    .await?;
    Ok(web::Json(found.into()))
}

impl CompaniesQuery {
    /// The typed query, or what to correct.
    pub fn typed(&self) -> Result<CompanyQuery, AppError> {
        let narrowing = Narrowing::parse(self.buyer.as_deref(), self.departement.as_deref())?;
        Ok(CompanyQuery {
            structures: self.structures,
            buyer: narrowing.buyer,
            departement: narrowing.departement,
            search: self.q.clone(),
            page: PageRequest::new(self.page, self.per_page),
        })
    }
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct ParticipantsQuery {
    /// An eligibility criterion code (RSA, TH, JEUNE…).
    pub criterion: Option<String>,
    /// Part of the pseudonym.
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// `GET /api/participants`: participants, for facilitateurs only.
#[utoipa::path(
    get,
    path = "/api/participants",
    tag = "participants",
    security(("bearer" = [])),
    params(ParticipantsQuery),
    responses(
        (status = 200, body = Page<ParticipantJson>),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn participants(
    user: Authorized<can::ReadParticipants>,
    query: web::Query<ParticipantsQuery>,
    database: web::Data<Database>,
) -> Result<web::Json<Page<ParticipantJson>>, AppError> {
    let (query, caller) = (query.typed(), user.caller());
    let found = crate::web::run(&database, move |conn| {
        app::participants::page(conn, &caller, &query)
    })
    .await?;
    Ok(web::Json(found.into()))
}

impl ParticipantsQuery {
    pub fn typed(&self) -> ParticipantQuery {
        ParticipantQuery {
            criterion: self.criterion.clone(),
            search: self.q.clone(),
            page: PageRequest::new(self.page, self.per_page),
        }
    }
}
