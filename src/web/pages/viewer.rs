//! The extractors that check the session before a page runs: a signed-in person allowed to
//! see the page, and a form posted with its anti-CSRF token.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;

use super::error::PageError;
use super::shell::{Brand, Shell};
use crate::domain::FollowupRules;
use crate::domain::authorization::{Action, Permission, is_allowed};
use crate::indicators::FigureCache;
use crate::storage::Database;
use crate::storage::users::Account;
use crate::web::auth::{AuthError, Authorized, CsrfFrom, FormSession, SignedIn, authenticate};

/// A signed-in person allowed to see page `P`; without a session, the sign-in page.
pub struct Viewer<P: Permission> {
    pub account: Account,
    pub csrf: String,
    path: String,
    /// The count of « À faire » for the menu, when the role has the page.
    open_items: Option<usize>,
    brand: Brand,
    permission: PhantomData<P>,
}

impl<P: Permission> Viewer<P> {
    pub fn shell(&self, title: &str) -> Shell {
        Shell::of(
            &self.account,
            &self.csrf,
            &self.path,
            title,
            self.open_items,
            self.brand.clone(),
        )
    }

    /// Who asks, as the use cases take it.
    pub fn caller(&self) -> crate::app::Caller {
        crate::app::Caller::of(&self.account)
    }

    /// Whether the role may also do `action` (to show a button or not).
    pub fn may(&self, action: Action) -> bool {
        is_allowed(self.account.role, action)
    }
}

/// Without a session, the sign-in page (then back to `next`); any other refusal as it is.
pub fn refused(error: AuthError, next: String) -> PageError {
    match error {
        AuthError::Unauthenticated => PageError::SignIn { next },
        other => other.into(),
    }
}

fn path_of(req: &HttpRequest) -> String {
    req.uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned())
}

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, PageError>>>>;

impl<P: Permission + 'static> FromRequest for Viewer<P> {
    type Error = PageError;
    type Future = Boxed<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let signed_in = authenticate(req, CsrfFrom::Header);
        let (next, path) = (path_of(req), req.path().to_owned());
        let req = req.clone();
        Box::pin(async move {
            let signed_in = signed_in.await.map_err(|e| refused(e, next))?;
            let mut viewer = Viewer::of(signed_in, &path)?;
            viewer.brand = Brand::of(&req);
            viewer.open_items = open_items(&req, &viewer.account).await;
            Ok(viewer)
        })
    }
}

/// How many items « À faire » lists today for the person, when their role has the page: read
/// from the list kept per data version, so that a page pays one look at the version. A count
/// that cannot be read leaves the menu without it rather than failing the page.
async fn open_items(req: &HttpRequest, account: &Account) -> Option<usize> {
    if !is_allowed(account.role, Action::ReadFollowup) {
        return None;
    }
    let database = req.app_data::<web::Data<Database>>()?.clone();
    let figures = req.app_data::<web::Data<FigureCache>>()?.clone();
    let rules: FollowupRules = req
        .app_data::<web::Data<FollowupRules>>()?
        .get_ref()
        .clone();
    let caller = crate::app::Caller::of(account);
    let counted = crate::web::run(&database, move |conn| {
        crate::app::followup::count(conn, &figures, &caller, &rules, crate::app::today())
    })
    .await;
    counted
        .map_err(|error| tracing::warn!(%error, "count of « À faire » not read"))
        .ok()
}

/// A form of a page that carries the session's anti-CSRF token in a `csrf_token` field.
pub trait CsrfForm {
    fn csrf_token(&self) -> &str;
}

/// A posted form, its token checked against the session, by someone allowed to do `P`.
pub struct Posted<P: Permission, F> {
    pub viewer: Viewer<P>,
    pub form: F,
}

impl<P, F> FromRequest for Posted<P, F>
where
    P: Permission + 'static,
    F: CsrfForm + DeserializeOwned + 'static,
{
    type Error = PageError;
    type Future = Boxed<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let form = web::Form::<F>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let next = path_of(&req);
            // The session first: without one, the sign-in page, whatever the form holds.
            let session = FormSession::of(&req)
                .await
                .map_err(|e| refused(e, next.clone()))?;
            let form = form
                .await
                .map_err(|e| {
                    crate::app::AppError::bad_request(format!(
                        "Le formulaire envoyé est incorrect : {e}. Rechargez la page puis recommencez."
                    ))
                })?
                .into_inner();
            let mut viewer = Viewer::of(session.confirm(form.csrf_token())?, req.path())?;
            viewer.brand = Brand::of(&req);
            Ok(Posted { viewer, form })
        })
    }
}

impl<P: Permission> Viewer<P> {
    /// The viewer of a checked session at `path`, if its role may see page `P`.
    pub fn of(signed_in: SignedIn, path: &str) -> Result<Viewer<P>, PageError> {
        let user = Authorized::<P>::check(signed_in.account)?;
        Ok(Viewer {
            account: user.account,
            csrf: signed_in.csrf,
            path: path.to_owned(),
            open_items: None,
            brand: Brand::default(),
            permission: PhantomData,
        })
    }
}
