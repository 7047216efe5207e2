//! Authentication and authorization as extractors: a handler that takes `Authorized<P>` runs
//! only for a signed-in account whose role the authorization table allows to do `P`.
//!
//! The token comes from `Authorization: Bearer …` (API clients) or from the HttpOnly session
//! cookie (pages). A cookie is sent by the browser on its own, so state-changing requests that
//! rely on it must also carry the session's anti-CSRF token in `X-CSRF-Token`.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use super::error::ApiError;
use crate::accounts::login::ThrottlePolicy;
use crate::accounts::tokens::TokenKeys;
pub use crate::domain::authorization::can;
use crate::domain::authorization::{Permission, is_allowed};
use crate::storage::users::{self, Account};
use crate::storage::{Database, StorageError};

pub const SESSION_COOKIE: &str = "suivi_session";
pub const CSRF_COOKIE: &str = "suivi_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// What the session layer needs, shared by every worker.
pub struct AuthState {
    pub keys: TokenKeys,
    pub throttle: ThrottlePolicy,
    /// Marks cookies `Secure` (set when the service is reached over HTTPS).
    pub secure_cookies: bool,
}

impl AuthState {
    pub fn cookie<'c>(&self, name: &'c str, value: String, http_only: bool) -> Cookie<'c> {
        Cookie::build(name, value)
            .path("/")
            .http_only(http_only)
            .same_site(SameSite::Strict)
            .secure(self.secure_cookies)
            .max_age(actix_web::cookie::time::Duration::seconds(
                self.keys.lifetime().as_secs() as i64,
            ))
            .finish()
    }

    pub fn expired_cookie<'c>(&self, name: &'c str) -> Cookie<'c> {
        let mut cookie = self.cookie(name, String::new(), name == SESSION_COOKIE);
        cookie.make_removal();
        cookie
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no valid session")]
    Unauthenticated,
    #[error("role not allowed")]
    Forbidden,
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> ApiError {
        match error {
            AuthError::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Session absente, expirée ou révoquée : connectez-vous.",
            ),
            AuthError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Votre rôle ne permet pas cette action. Demandez à un administrateur si vous en avez besoin.",
            ),
            AuthError::Csrf => ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf_rejected",
                "La demande ne porte pas le jeton anti-falsification de votre session : rechargez la page puis recommencez.",
            ),
            AuthError::Storage(detail) => ApiError::internal(&detail),
        }
    }
}

/// Compares secrets without stopping at the first difference.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Any signed-in, active account whose token is current.
pub struct SignedIn {
    pub account: Account,
}

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for SignedIn {
    type Error = ApiError;
    type Future = Boxed<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AuthState>>().cloned();
        let database = req.app_data::<web::Data<Database>>().cloned();
        let bearer = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        let cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let csrf_header = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        Box::pin(async move {
            let (Some(state), Some(database)) = (state, database) else {
                return Err(AuthError::Storage(StorageError::Interrupted).into());
            };
            let (token, from_cookie) = match (bearer, cookie) {
                (Some(token), _) => (token, false),
                (None, Some(token)) => (token, true),
                (None, None) => return Err(AuthError::Unauthenticated.into()),
            };
            let claims = state
                .keys
                .verify(&token)
                .map_err(|_| AuthError::Unauthenticated)?;
            if from_cookie
                && changes_state
                && !csrf_header.is_some_and(|h| same_secret(&h, &claims.csrf))
            {
                return Err(AuthError::Csrf.into());
            }
            let id: i64 = claims.sub.parse().map_err(|_| AuthError::Unauthenticated)?;
            let account = database
                .run(move |conn| users::find_by_id(conn, id).map_err(StorageError::from))
                .await
                .map_err(AuthError::from)?;
            match account {
                Some(account) if account.active && account.token_version == claims.ver => {
                    Ok(SignedIn { account })
                }
                _ => Err(AuthError::Unauthenticated.into()),
            }
        })
    }
}

/// A signed-in account allowed to do `P`; anything else is refused before the handler runs.
pub struct Authorized<P: Permission> {
    pub account: Account,
    permission: PhantomData<P>,
}

impl<P: Permission + 'static> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = Boxed<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let signed_in = SignedIn::from_request(req, payload);
        Box::pin(async move {
            let SignedIn { account } = signed_in.await?;
            if !is_allowed(account.role, P::ACTION) {
                return Err(AuthError::Forbidden.into());
            }
            Ok(Authorized {
                account,
                permission: PhantomData,
            })
        })
    }
}
