//! Paginated listings of contracts, companies and structures, and participants, scoped to the
//! caller.

use actix_web::web;
use chrono::NaiveDate;
use serde::Serialize;

use super::auth::{Authorized, can};
use super::error::ApiError;
use super::indicators::{ScopedError, buyer_of, departement_of};
use crate::domain::{Departement, Labelled, Siret, StructureKind};
use crate::indicators::scope;
use crate::storage::companies::{self, Company, CompanyFilter};
use crate::storage::contracts::{self, ContractFilter, ContractView};
use crate::storage::participants::{self, ParticipantFilter, ParticipantView};
use crate::storage::users::{Account, BuyerScope};
use crate::storage::{Database, PageRequest, StorageError};

/// A page of a listing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    /// How many items the filter selects in all.
    pub total: i64,
}

fn page_of<T>((items, total): (Vec<T>, i64), request: PageRequest) -> Page<T> {
    Page {
        items,
        page: request.page,
        per_page: request.per_page,
        total,
    }
}

/// The buyers of a scope, as the listings filter them; `None` for every buyer.
fn buyer_ids(scope: &BuyerScope) -> Option<Vec<i64>> {
    match scope {
        BuyerScope::AllBuyers | BuyerScope::Company { .. } => None,
        BuyerScope::Buyers { buyer_ids } => Some(buyer_ids.clone()),
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
        (status = 200, body = Page<ContractView>),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn contracts(
    user: Authorized<can::ReadContracts>,
    query: web::Query<ContractsQuery>,
    database: web::Data<Database>,
) -> Result<web::Json<Page<ContractView>>, ApiError> {
    let year = |month, day| {
        query
            .year
            .and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
    };
    let filter = ContractFilter {
        from: query.from.or_else(|| year(1, 1)),
        to: query.to.or_else(|| year(12, 31)),
        search: query.q.clone().filter(|q| !q.trim().is_empty()),
        ..ContractFilter::default()
    };
    let buyer = buyer_of(query.buyer.as_deref())?;
    let departement = departement_of(query.departement.as_deref())?;
    let request = PageRequest::new(query.page, query.per_page);
    let found = scoped_contracts(
        &user.account,
        buyer,
        departement,
        filter,
        request,
        &database,
    )
    .await?;
    Ok(web::Json(page_of(found, request)))
}

/// Contracts of the filter within the account's scope (narrowed to a buyer or a territory).
async fn scoped_contracts(
    account: &Account,
    buyer: Option<Siret>,
    departement: Option<Departement>,
    filter: ContractFilter,
    request: PageRequest,
    database: &Database,
) -> Result<(Vec<ContractView>, i64), ApiError> {
    let account_scope = account.scope.clone();
    Ok(database
        .run(move |conn| {
            let scope = scope::resolve(conn, &account_scope, buyer.as_ref(), departement.as_ref())?;
            let filter = ContractFilter {
                buyer_ids: scope.buyer_ids,
                company_id: scope.company_id,
                ..filter
            };
            Ok::<_, ScopedError>(contracts::page(conn, &filter, request)?)
        })
        .await?)
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
        (status = 200, body = ContractView),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn contract(
    user: Authorized<can::ReadContracts>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<web::Json<ContractView>, ApiError> {
    let filter = ContractFilter {
        id: Some(id.into_inner()),
        ..ContractFilter::default()
    };
    let (mut found, _) = scoped_contracts(
        &user.account,
        None,
        None,
        filter,
        PageRequest::new(None, None),
        &database,
    )
    .await?;
    found.pop().map(web::Json).ok_or_else(ApiError::not_found)
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
) -> Result<web::Json<Page<Company>>, ApiError> {
    let kinds = if query.structures {
        StructureKind::ALL
            .iter()
            .filter(|k| **k != StructureKind::Company)
            .map(|k| k.code().to_owned())
            .collect()
    } else {
        Vec::new()
    };
    let departement = departement_of(query.departement.as_deref())?.map(|d| d.as_str().to_owned());
    let search = query.q.clone().filter(|q| !q.trim().is_empty());
    let buyer = buyer_of(query.buyer.as_deref())?;
    let account_scope = user.account.scope.clone();
    let request = PageRequest::new(query.page, query.per_page);
    let found = database
        .run(move |conn| {
            let scope = scope::resolve(conn, &account_scope, buyer.as_ref(), None)?;
            let filter = CompanyFilter {
                kinds,
                departement,
                search,
                buyer_ids: scope.buyer_ids,
            };
            Ok::<_, ScopedError>(companies::page(conn, &filter, request)?)
        })
        .await?;
    Ok(web::Json(page_of(found, request)))
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
        (status = 200, body = Page<ParticipantView>),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn participants(
    user: Authorized<can::ReadParticipants>,
    query: web::Query<ParticipantsQuery>,
    database: web::Data<Database>,
) -> Result<web::Json<Page<ParticipantView>>, ApiError> {
    let filter = ParticipantFilter {
        buyer_ids: buyer_ids(&user.account.scope),
        criterion: query.criterion.clone().filter(|c| !c.trim().is_empty()),
        search: query.q.clone().filter(|q| !q.trim().is_empty()),
    };
    let request = PageRequest::new(query.page, query.per_page);
    let found = database
        .run(move |conn| participants::page(conn, &filter, request).map_err(StorageError::from))
        .await?;
    Ok(web::Json(page_of(found, request)))
}
