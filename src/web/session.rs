//! Sessions as cookies and tokens: opening one after checking the credentials, and the cookies
//! that carry it for the pages.

use actix_web::{HttpRequest, HttpResponseBuilder};
use secrecy::{ExposeSecret, SecretString};

use super::auth::{AuthState, CSRF_COOKIE, SESSION_COOKIE};
use crate::app;
use crate::app::AppError;
use crate::storage::Database;
use crate::storage::users::Account;

/// The socket's peer: forwarded-for headers are not trusted, a client could forge them to
/// escape throttling.
fn client_address(req: &HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "inconnue".to_owned(), |a| a.ip().to_string())
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
) -> Result<Opened, AppError> {
    let address = client_address(req);
    let policy = state.throttle.clone();
    let account = super::run(database, move |conn| {
        app::account::sign_in(conn, &email, &password, &address, &policy)
    })
    .await?;
    let issued = state
        .keys
        .issue(account.id, account.token_version)
        .map_err(|e| AppError::internal(&e))?;
    Ok(Opened {
        token: issued.token.expose_secret().to_owned(),
        csrf: issued.csrf,
        expires_at: issued.expires_at,
        account,
    })
}

/// Removes the session's cookies from the browser.
pub fn clear_cookies(answer: &mut HttpResponseBuilder, state: &AuthState) {
    answer
        .cookie(state.expired_cookie(SESSION_COOKIE))
        .cookie(state.expired_cookie(CSRF_COOKIE));
}
