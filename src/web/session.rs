//! Sessions as cookies and tokens: opening one after checking the credentials, and the cookies
//! that carry it for the pages.

use actix_web::http::header::{ORIGIN, REFERER};
use actix_web::{HttpRequest, HttpResponseBuilder};
use secrecy::{ExposeSecret, SecretString};

use super::auth::{AuthState, CSRF_COOKIE, SESSION_COOKIE};
use crate::app;
use crate::app::{AppError, ErrorCode};
use crate::storage::Database;
use crate::storage::users::Account;

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

/// The host (and port) of an `Origin` or `Referer` value: `https://a.example:8443/x` gives
/// `a.example:8443`; `null` (an opaque origin) gives nothing.
fn host_of(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    rest.split(['/', '?', '#'])
        .next()
        .filter(|host| !host.is_empty())
}

/// Whether a sign-in comes from a page of this service (login CSRF: another site's form would
/// sign the visitor in to an account of the attacker's). Browsers send `Origin` on every POST,
/// or at least `Referer`; a client that sends neither is not a browser page, and nothing
/// forged on its behalf can reach here.
fn from_own_pages(req: &HttpRequest) -> bool {
    let header = |name| {
        req.headers()
            .get(name)
            .map(|v| v.to_str().unwrap_or_default())
    };
    let claimed = match (header(ORIGIN), header(REFERER)) {
        (Some(origin), _) => origin,
        (None, Some(referer)) => referer,
        (None, None) => return true,
    };
    let own = req.connection_info().host().to_owned();
    host_of(claimed).is_some_and(|host| host.eq_ignore_ascii_case(&own))
}

/// Checks where the sign-in comes from and the credentials (with throttling), then issues a
/// session token.
pub async fn open_session(
    req: &HttpRequest,
    email: String,
    password: SecretString,
    database: &Database,
    state: &AuthState,
) -> Result<Opened, AppError> {
    if !from_own_pages(req) {
        return Err(AppError::new(ErrorCode::CrossSiteSignIn));
    }
    let address = state.trusted_proxies.client_of(req);
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

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn the_host_of_an_origin_or_a_referer() {
        assert_eq!(host_of("https://a.example:8443"), Some("a.example:8443"));
        assert_eq!(host_of("http://a.example/connexion?x=1"), Some("a.example"));
        assert_eq!(host_of("null"), None);
        assert_eq!(host_of("https://"), None);
    }
}
