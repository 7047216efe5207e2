//! Accounts, for administrators.

use actix_web::{HttpResponse, web};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::app::users::{AccountDraft, AccountsAsked, RoleDraft};
use crate::app::{self, AppError, Caller};
use crate::storage::users::Account;
use crate::storage::{Database, DbConnection, UserId};
use crate::web::auth::{Authorized, can};

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct UsersQuery {
    /// admin, facilitator, buyer_officer, elected or company.
    pub role: Option<String>,
    /// Accounts given this buyer (SIRET) by name; accounts that see every buyer are not listed.
    pub buyer: Option<String>,
    /// true: active accounts only; false: deactivated ones only.
    pub active: Option<String>,
    /// never, within_30_days or over_90_days (never signed in counts as over 90 days).
    pub last_sign_in: Option<String>,
}

impl UsersQuery {
    pub fn asked(&self) -> AccountsAsked {
        AccountsAsked {
            role: self.role.clone(),
            buyer: self.buyer.clone(),
            active: self.active.clone(),
            last_sign_in: self.last_sign_in.clone(),
        }
    }
}

/// `GET /api/users`: the accounts, by e-mail, filtered as asked.
#[utoipa::path(
    get,
    path = "/api/users",
    operation_id = "list_users",
    tag = "accounts",
    security(("bearer" = [])),
    params(UsersQuery),
    responses(
        (status = 200, body = Vec<Account>),
        (status = 400, description = "Filtre illisible", body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn list(
    _: Authorized<can::ReadUsers>,
    query: web::Query<UsersQuery>,
    database: web::Data<Database>,
) -> Result<web::Json<Vec<Account>>, AppError> {
    let asked = query.asked();
    let all = crate::web::run(&database, move |conn| app::users::list(conn, &asked)).await?;
    Ok(web::Json(all))
}

/// A role and a scope: every buyer, a list of buyers, or a company.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RoleForm {
    /// admin, facilitator, buyer_officer, elected or company.
    pub role: String,
    /// SIRETs of the buyers followed (facilitator: one or more; officer, elected: one).
    #[serde(default)]
    pub buyers: Vec<String>,
    #[serde(default)]
    pub all_buyers: bool,
    /// SIRET of a company account's establishment.
    pub company_siret: Option<String>,
}

impl From<RoleForm> for RoleDraft {
    fn from(form: RoleForm) -> RoleDraft {
        RoleDraft {
            role: form.role,
            buyers: form.buyers,
            all_buyers: form.all_buyers,
            company_siret: form.company_siret,
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewUserForm {
    pub email: String,
    pub display_name: String,
    #[serde(flatten)]
    pub role: RoleForm,
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
        role: form.role.into(),
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

/// `PATCH /api/users/{id}`: a new role and scope, given together since each must fit the other.
#[utoipa::path(
    patch,
    path = "/api/users/{id}",
    operation_id = "change_user",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Compte")),
    request_body = RoleForm,
    responses(
        (status = 200, body = Account),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn change(
    admin: Authorized<can::ManageUsers>,
    id: web::Path<i64>,
    form: web::Json<RoleForm>,
    database: web::Data<Database>,
) -> Result<web::Json<Account>, AppError> {
    let (id, caller) = (id.into_inner(), admin.caller());
    let draft = RoleDraft::from(form.into_inner());
    let account = crate::web::run(&database, move |conn| {
        app::users::change(conn, &caller, id.into(), &draft)
    })
    .await?;
    Ok(web::Json(account))
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
    on_account(
        admin,
        id,
        database,
        app::users::deactivate,
        "Compte désactivé.",
    )
    .await
}

/// Runs a use case on an account and says it is done.
async fn on_account(
    admin: Authorized<can::ManageUsers>,
    id: web::Path<i64>,
    database: web::Data<Database>,
    use_case: fn(&mut DbConnection, &Caller, UserId) -> Result<(), AppError>,
    done: &'static str,
) -> Result<HttpResponse, AppError> {
    let (id, caller) = (id.into_inner(), admin.caller());
    crate::web::run(&database, move |conn| use_case(conn, &caller, id.into())).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "message": done })))
}

/// `POST /api/users/{id}/reactivate`: the account signs in again with its password.
#[utoipa::path(
    post,
    path = "/api/users/{id}/reactivate",
    operation_id = "reactivate_user",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Compte")),
    responses(
        (status = 200, description = "Compte réactivé"),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn reactivate(
    admin: Authorized<can::ManageUsers>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    on_account(
        admin,
        id,
        database,
        app::users::reactivate,
        "Compte réactivé.",
    )
    .await
}

/// `POST /api/users/{id}/password`: a new generated password, answered this once; the old one
/// stops working and the account's sessions end.
#[utoipa::path(
    post,
    path = "/api/users/{id}/password",
    operation_id = "reset_user_password",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Compte")),
    responses(
        (status = 200, description = "Nouveau mot de passe (generated_password), affiché cette seule fois"),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn reset_password(
    admin: Authorized<can::ManageUsers>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let (id, caller) = (id.into_inner(), admin.caller());
    let password = crate::web::run(&database, move |conn| {
        app::users::reset_password(conn, &caller, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "generated_password": password.expose_secret(),
    })))
}
