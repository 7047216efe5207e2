//! Signing in and out, one's own account, one's own password.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::auth::{AuthState, Authorized, CSRF_COOKIE, SESSION_COOKIE, can};
use super::error::ApiError;
use crate::accounts::login::{self, LoginError};
use crate::accounts::{self, AccountError};
use crate::storage::Database;
use crate::storage::users::Account;

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

impl From<LoginError> for ApiError {
    fn from(error: LoginError) -> ApiError {
        match error {
            LoginError::InvalidCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                error.to_string(),
            ),
            LoginError::Throttled { .. } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                error.to_string(),
            ),
            LoginError::Storage(detail) => ApiError::internal(&detail),
        }
    }
}

/// The socket's peer: forwarded-for headers are not trusted, a client could forge them to
/// escape throttling.
fn client_address(req: &HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "inconnue".to_owned(), |a| a.ip().to_string())
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
        (status = 429, body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn login(
    req: HttpRequest,
    form: web::Json<LoginForm>,
    database: web::Data<Database>,
    state: web::Data<AuthState>,
) -> Result<HttpResponse, ApiError> {
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

/// A session just opened: the API answers with it, the sign-in page only sets its cookies.
pub struct Opened {
    pub account: Account,
    pub token: String,
    pub csrf: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl Opened {
    /// The token as an HttpOnly cookie, with its readable anti-CSRF companion.
    pub fn set_cookies(&self, answer: &mut HttpResponseBuilder, state: &AuthState) {
        answer
            .cookie(state.cookie(SESSION_COOKIE, self.token.clone(), true))
            .cookie(state.cookie(CSRF_COOKIE, self.csrf.clone(), false));
    }
}

/// Checks the credentials (with throttling) and issues a session token.
pub async fn open_session(
    req: &HttpRequest,
    email: String,
    password: SecretString,
    database: &Database,
    state: &AuthState,
) -> Result<Opened, ApiError> {
    let address = client_address(req);
    let policy = state.throttle.clone();
    let account = database
        .run(move |conn| login::login(conn, &email, &password, &address, &policy))
        .await?;
    let issued = state
        .keys
        .issue(account.id, account.token_version)
        .map_err(|e| ApiError::internal(&e))?;
    Ok(Opened {
        token: issued.token.expose_secret().to_owned(),
        csrf: issued.csrf,
        expires_at: issued.expires_at,
        account,
    })
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> ApiError {
        match error {
            AccountError::Storage(detail) => ApiError::internal(&detail),
            AccountError::Password(accounts::password::PasswordError::Hashing) => {
                ApiError::internal(&error)
            }
            AccountError::NoSuchAccount => ApiError::not_found(),
            AccountError::Insert(accounts::UserInsertError::Query(detail)) => {
                ApiError::internal(&detail)
            }
            AccountError::Insert(accounts::UserInsertError::EmailTaken(_)) => {
                ApiError::new(StatusCode::CONFLICT, "email_taken", error.to_string())
            }
            other => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_account",
                other.to_string(),
            ),
        }
    }
}

/// Removes the session's cookies from the browser.
pub fn clear_cookies(answer: &mut HttpResponseBuilder, state: &AuthState) {
    answer
        .cookie(state.expired_cookie(SESSION_COOKIE))
        .cookie(state.expired_cookie(CSRF_COOKIE));
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
) -> Result<HttpResponse, ApiError> {
    let account = user.account;
    database
        .run(move |conn| accounts::sign_out(conn, &account))
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
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn change_password(
    user: Authorized<can::ChangeOwnPassword>,
    form: web::Json<PasswordForm>,
    database: web::Data<Database>,
    state: web::Data<AuthState>,
) -> Result<HttpResponse, ApiError> {
    let account = user.account;
    let PasswordForm {
        current_password,
        new_password,
    } = form.into_inner();
    database
        .run(move |conn| {
            accounts::change_password(conn, &account, &current_password, &new_password)
        })
        .await?;
    Ok(signed_out(
        &state,
        "Mot de passe changé : connectez-vous avec le nouveau mot de passe.",
    ))
}
