//! Signing in and out, one's own account, one's own password.

use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::accounts::PasswordChange;
use crate::app;
use crate::app::AppError;
use crate::storage::Database;
use crate::storage::users::Account;
use crate::web::auth::{AuthState, Authorized, can};
use crate::web::session::{clear_cookies, open_session};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginForm {
    pub email: String,
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct LoginAnswer {
    pub token: String,
    pub token_type: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub csrf_token: String,
    pub account: serde_json::Value,
}

/// `POST /api/login`: the token in the answer for API clients, and as an HttpOnly cookie with
/// its anti-CSRF companion for pages.
#[utoipa::path(
    post,
    path = "/api/login",
    tag = "sessions",
    request_body = LoginForm,
    responses(
        (status = 200, body = LoginAnswer),
        (status = 401, body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Connexion envoyée depuis un autre site (Origin, Referer)", body = crate::web::error::ErrorEnvelope),
        (status = 429, body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn login(
    req: HttpRequest,
    form: web::Json<LoginForm>,
    database: web::Data<Database>,
    state: web::Data<AuthState>,
) -> Result<HttpResponse, AppError> {
    let LoginForm { email, password } = form.into_inner();
    let opened = open_session(&req, email, password, &database, &state).await?;
    let mut answer = HttpResponse::Ok();
    opened.set_cookies(&mut answer, &state);
    Ok(answer.json(LoginAnswer {
        token: opened.token,
        token_type: "Bearer".to_owned(),
        expires_at: opened.expires_at,
        csrf_token: opened.csrf,
        account: serde_json::to_value(&opened.account).unwrap_or_default(),
    }))
}

fn signed_out(state: &AuthState, message: &str) -> HttpResponse {
    let mut answer = HttpResponse::Ok();
    clear_cookies(&mut answer, state);
    answer.json(serde_json::json!({ "message": message }))
}

/// `POST /api/logout`: ends every session of the account.
#[utoipa::path(
    post,
    path = "/api/logout",
    tag = "sessions",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Sessions closes"),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn logout(
    user: Authorized<can::SignOut>,
    database: web::Data<Database>,
    state: web::Data<AuthState>,
) -> Result<HttpResponse, AppError> {
    let account = user.account;
    crate::web::run(&database, move |conn| {
        app::account::sign_out(conn, &account)
    })
    .await?;
    Ok(signed_out(&state, "Vous êtes déconnecté."))
}

/// `GET /api/me`.
#[utoipa::path(
    get,
    path = "/api/me",
    tag = "sessions",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Account),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn me(user: Authorized<can::ReadOwnAccount>) -> web::Json<Account> {
    web::Json(user.account)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordForm {
    #[schema(value_type = String, format = Password)]
    pub current_password: SecretString,
    #[schema(value_type = String, format = Password)]
    pub new_password: SecretString,
}

/// `POST /api/me/password`: every session ends, the new password is needed to sign in again.
#[utoipa::path(
    post,
    path = "/api/me/password",
    tag = "sessions",
    security(("bearer" = [])),
    request_body = PasswordForm,
    responses(
        (status = 200, description = "Mot de passe changé"),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 429, description = "Trop d'essais erronés : attendre", body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn change_password(
    req: HttpRequest,
    user: Authorized<can::ChangeOwnPassword>,
    form: web::Json<PasswordForm>,
    database: web::Data<Database>,
    state: web::Data<AuthState>,
) -> Result<HttpResponse, AppError> {
    let account = user.account;
    let PasswordForm {
        current_password,
        new_password,
    } = form.into_inner();
    let change = PasswordChange {
        current: current_password,
        new: new_password,
        client_address: state.trusted_proxies.client_of(&req),
    };
    let policy = state.throttle.clone();
    crate::web::run(&database, move |conn| {
        app::account::change_password(conn, &account, &change, &policy)
    })
    .await?;
    Ok(signed_out(
        &state,
        "Mot de passe changé : connectez-vous avec le nouveau mot de passe.",
    ))
}
