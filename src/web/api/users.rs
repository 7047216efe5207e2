//! Accounts, for administrators.

use actix_web::{HttpResponse, web};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::app;
use crate::app::AppError;
use crate::app::users::AccountDraft;
use crate::storage::Database;
use crate::storage::users::Account;
use crate::web::auth::{Authorized, can};

/// `GET /api/users`.
#[utoipa::path(
    get,
    path = "/api/users",
    operation_id = "list_users",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Account>),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn list(
    _: Authorized<can::ReadUsers>,
    database: web::Data<Database>,
) -> Result<web::Json<Vec<Account>>, AppError> {
    let all = crate::web::run(&database, app::users::list).await?;
    Ok(web::Json(all))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewUserForm {
    pub email: String,
    pub display_name: String,
    pub role: String,
    #[serde(default)]
    pub buyers: Vec<String>,
    #[serde(default)]
    pub all_buyers: bool,
    pub company_siret: Option<String>,
    /// Generated, and returned once, when absent.
    #[schema(value_type = Option<String>, format = Password)]
    pub password: Option<SecretString>,
}

/// `POST /api/users`: 201 with the account, and the generated password when none was given.
#[utoipa::path(
    post,
    path = "/api/users",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = NewUserForm,
    responses(
        (status = 201, description = "Compte créé (avec generated_password si aucun n'était donné)"),
        (status = 409, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn create(
    admin: Authorized<can::ManageUsers>,
    form: web::Json<NewUserForm>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let draft = AccountDraft {
        email: form.email,
        display_name: form.display_name,
        role: form.role,
        buyers: form.buyers,
        all_buyers: form.all_buyers,
        company_siret: form.company_siret,
        password: form.password,
    };
    let caller = admin.caller();
    let created = crate::web::run(&database, move |conn| {
        app::users::create(conn, &caller, draft)
    })
    .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "account": created.account,
        "generated_password": created.generated_password.as_ref().map(|p| p.expose_secret().to_owned()),
    })))
}

/// `POST /api/users/{id}/deactivate`: the account's sessions end at once.
#[utoipa::path(
    post,
    path = "/api/users/{id}/deactivate",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Compte")),
    responses(
        (status = 200, description = "Compte désactivé"),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn deactivate(
    admin: Authorized<can::ManageUsers>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let (id, caller) = (id.into_inner(), admin.caller());
    crate::web::run(&database, move |conn| {
        app::users::deactivate(conn, &caller, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "message": "Compte désactivé." })))
}
