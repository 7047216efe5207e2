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
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use crate::accounts::throttle::ThrottlePolicy;
use crate::accounts::tokens::TokenKeys;
use crate::app::{AppError, ErrorCode};
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
    /// Whose `X-Forwarded-For` names the client (throttling and the audit log need it).
    pub trusted_proxies: super::client::TrustedProxies,
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

impl From<AuthError> for AppError {
    fn from(error: AuthError) -> AppError {
        match error {
            AuthError::Unauthenticated => AppError::new(ErrorCode::Unauthenticated),
            AuthError::Forbidden => AppError::new(ErrorCode::Forbidden),
            AuthError::Csrf => AppError::new(ErrorCode::CsrfRejected),
            AuthError::Storage(detail) => AppError::internal(&detail),
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

/// Any signed-in, active account whose token is current, with its session's anti-CSRF token
/// (pages put it in their forms).
pub struct SignedIn {
    pub account: Account,
    pub csrf: String,
}

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

/// Where the anti-CSRF token of a cookie session must be found on a request that changes
/// something: the `X-CSRF-Token` header (API calls from scripts) or, for an HTML form, a field
/// of the form that its handler checks with [`FormSession::confirm`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CsrfFrom {
    Header,
    Form,
}

/// Checks the session of a request: the token (bearer or cookie), the account behind it, and,
/// for a cookie session changing something, the anti-CSRF header unless a form carries it.
pub fn authenticate(
    req: &HttpRequest,
    csrf_from: CsrfFrom,
) -> impl Future<Output = Result<SignedIn, AuthError>> + 'static {
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
    async move {
        let (Some(state), Some(database)) = (state, database) else {
            return Err(AuthError::Storage(StorageError::Interrupted));
        };
        let (token, from_cookie) = match (bearer, cookie) {
            (Some(token), _) => (token, false),
            (None, Some(token)) => (token, true),
            (None, None) => return Err(AuthError::Unauthenticated),
        };
        let claims = state
            .keys
            .verify(&token)
            .map_err(|_| AuthError::Unauthenticated)?;
        if from_cookie
            && changes_state
            && csrf_from == CsrfFrom::Header
            && !csrf_header.is_some_and(|h| same_secret(&h, &claims.csrf))
        {
            return Err(AuthError::Csrf);
        }
        let id: i64 = claims.sub.parse().map_err(|_| AuthError::Unauthenticated)?;
        let id = crate::storage::UserId::from(id);
        let account = database
            .run(move |conn| users::find_by_id(conn, id).map_err(StorageError::from))
            .await?;
        match account {
            Some(account) if account.active && account.token_version == claims.ver => {
                Ok(SignedIn {
                    account,
                    csrf: claims.csrf,
                })
            }
            _ => Err(AuthError::Unauthenticated),
        }
    }
}

impl FromRequest for SignedIn {
    type Error = AppError;
    type Future = Boxed<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let signed_in = authenticate(req, CsrfFrom::Header);
        Box::pin(async move { Ok(signed_in.await?) })
    }
}

/// A session whose form still has to show the anti-CSRF token: nothing of the account is
/// reachable until [`FormSession::confirm`] has compared it.
pub struct FormSession {
    signed_in: SignedIn,
}

impl FormSession {
    pub async fn of(req: &HttpRequest) -> Result<FormSession, AuthError> {
        Ok(FormSession {
            signed_in: authenticate(req, CsrfFrom::Form).await?,
        })
    }

    pub fn confirm(self, presented: &str) -> Result<SignedIn, AuthError> {
        if same_secret(presented, &self.signed_in.csrf) {
            Ok(self.signed_in)
        } else {
            Err(AuthError::Csrf)
        }
    }
}

/// A signed-in account allowed to do `P`; anything else is refused before the handler runs.
pub struct Authorized<P: Permission> {
    pub account: Account,
    permission: PhantomData<P>,
}

impl<P: Permission> Authorized<P> {
    /// Who asks, as the use cases take it.
    pub fn caller(&self) -> crate::app::Caller {
        crate::app::Caller::of(&self.account)
    }

    /// The same account, for another action of the table: pages gather several answers of
    /// the API, each under its own permission.
    pub fn check(account: Account) -> Result<Authorized<P>, AuthError> {
        if !is_allowed(account.role, P::ACTION) {
            return Err(AuthError::Forbidden);
        }
        Ok(Authorized {
            account,
            permission: PhantomData,
        })
    }
}

impl<P: Permission + 'static> FromRequest for Authorized<P> {
    type Error = AppError;
    type Future = Boxed<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let signed_in = SignedIn::from_request(req, payload);
        Box::pin(async move {
            let SignedIn { account, .. } = signed_in.await?;
            Ok(Authorized::check(account)?)
        })
    }
}
