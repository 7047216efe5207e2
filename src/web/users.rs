//! Accounts, for administrators.

use actix_web::{HttpResponse, web};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::auth::{Authorized, can};
use super::error::ApiError;
use crate::accounts::{self, NewAccount, password};
use crate::domain::{Email, Labelled, Name, Role, Siret, UserScope};
use crate::storage::audit::Actor;
use crate::storage::users::{self, Account};
use crate::storage::{Database, StorageError};

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
) -> Result<web::Json<Vec<Account>>, ApiError> {
    let all = database
        .run(|conn| users::list(conn).map_err(StorageError::from))
        .await
        .map_err(|e| ApiError::internal(&e))?;
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

fn invalid(message: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_account",
        message.to_string(),
    )
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
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let role = Role::parse_label(&form.role).map_err(invalid)?;
    let buyers = form
        .buyers
        .iter()
        .map(|s| Siret::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    let company = form
        .company_siret
        .as_deref()
        .map(Siret::parse)
        .transpose()
        .map_err(invalid)?;
    let scope = UserScope::for_role(role, form.all_buyers, buyers, company).map_err(invalid)?;
    let generated = form.password.is_none().then(password::generate);
    let account = NewAccount {
        email: Email::parse(&form.email).map_err(invalid)?,
        display_name: Name::parse(&form.display_name).map_err(invalid)?,
        role,
        scope,
        password: form
            .password
            .or_else(|| generated.clone())
            .expect("one of the two is set"),
    };
    let actor = Actor::user(&admin.account);
    let created = database
        .run(move |conn| {
            let id = accounts::create(conn, account, &actor)?;
            Ok::<_, accounts::AccountError>(users::find_by_id(conn, id)?)
        })
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "account": created,
        "generated_password": generated.as_ref().map(|p| p.expose_secret().to_owned()),
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
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if id == admin.account.id {
        return Err(invalid(
            "Vous ne pouvez pas désactiver votre propre compte.",
        ));
    }
    let actor = Actor::user(&admin.account);
    database
        .run(move |conn| accounts::deactivate(conn, id, &actor))
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "message": "Compte désactivé." })))
}
