//! Creating, changing and deleting contracts with their lots and awardees, through the same use
//! cases as the contract's form in the pages.

use actix_web::{HttpResponse, web};

use crate::app;
use crate::app::AppError;
use crate::app::contract_changes::ContractInput;
use crate::domain::ObligationRules;
use crate::storage::Database;
use crate::web::api::wire::contract_changes::ContractRequest;
use crate::web::api::wire::listings::ContractJson;
use crate::web::auth::{Authorized, can};

/// `POST /api/contracts`: 201 with the contract recorded.
#[utoipa::path(
    post,
    path = "/api/contracts",
    operation_id = "create_contract",
    tag = "contracts",
    security(("bearer" = [])),
    request_body = ContractRequest,
    responses(
        (status = 201, body = ContractJson),
        (status = 409, description = "Référence déjà prise par un autre marché de l'acheteur", body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant, ou acheteur hors du périmètre", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn create(
    user: Authorized<can::ManageContracts>,
    body: web::Json<ContractRequest>,
    database: web::Data<Database>,
    rules: web::Data<ObligationRules>,
) -> Result<HttpResponse, AppError> {
    let (input, caller) = (ContractInput::from(body.into_inner()), user.caller());
    let created = crate::web::run(&database, move |conn| {
        app::contract_changes::create(conn, (&caller, &rules), &input)
    })
    .await?;
    Ok(HttpResponse::Created().json(ContractJson::from(created)))
}

/// `PATCH /api/contracts/{id}`: the contract's fields, lots and awardees become those given.
#[utoipa::path(
    patch,
    path = "/api/contracts/{id}",
    operation_id = "change_contract",
    tag = "contracts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Marché")),
    request_body = ContractRequest,
    responses(
        (status = 200, body = ContractJson),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 409, description = "Référence déjà prise, ou lot retiré qui a des heures", body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant, ou acheteur hors du périmètre", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn change(
    user: Authorized<can::ManageContracts>,
    id: web::Path<i64>,
    body: web::Json<ContractRequest>,
    database: web::Data<Database>,
    rules: web::Data<ObligationRules>,
) -> Result<web::Json<ContractJson>, AppError> {
    let (id, caller) = (id.into_inner(), user.caller());
    let input = ContractInput::from(body.into_inner());
    let changed = crate::web::run(&database, move |conn| {
        app::contract_changes::change(conn, (&caller, &rules), id.into(), &input)
    })
    .await?;
    Ok(web::Json(changed.into()))
}

/// `DELETE /api/contracts/{id}`: the contract with its lots, awardees and clauses; refused while
/// hours are declared on it.
#[utoipa::path(
    delete,
    path = "/api/contracts/{id}",
    operation_id = "delete_contract",
    tag = "contracts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Marché")),
    responses(
        (status = 204, description = "Marché supprimé"),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 409, description = "Des heures sont déclarées sur le marché", body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn delete(
    user: Authorized<can::ManageContracts>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let (id, caller) = (id.into_inner(), user.caller());
    crate::web::run(&database, move |conn| {
        app::contract_changes::delete(conn, &caller, id.into())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
