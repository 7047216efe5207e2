//! Signing in and out, and one's own account, as pages.

use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::shell::{Brand, Shell, home_of};
use super::viewer::{CsrfForm, Posted, Viewer};
use super::{HTML, PageError, html};
use crate::accounts::PasswordChange;
use crate::app;
use crate::domain::Labelled;
use crate::storage::Database;
use crate::web::auth::{AuthState, can};
use crate::web::session::{clear_cookies, open_session};

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location.to_owned()))
        .finish()
}

/// `GET /`: the first page the role opens.
pub async fn root(viewer: Viewer<can::ReadOwnAccount>) -> HttpResponse {
    see_other(home_of(&viewer.account))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    shell: Shell,
    next: String,
    email: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    suite: Option<String>,
    message: Option<String>,
}

/// Only a path of this site: it starts with one `/` (`//host` and `/\host` are read by browsers
/// as another site, after skipping any tab or line break), holds no backslash, no control
/// character and no space (a line break in the `Location` header would also break the answer).
fn local_path(next: Option<&str>) -> Option<String> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.contains('\\')
            && !n.chars().any(|c| c.is_control() || c.is_whitespace())
    })
    .map(str::to_owned)
}

/// `GET /connexion`.
pub async fn login_form(
    req: HttpRequest,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, PageError> {
    let notice = match query.message.as_deref() {
        Some("mot-de-passe-change") => {
            Some("Mot de passe changé : connectez-vous avec le nouveau mot de passe.")
        }
        Some("deconnecte") => Some("Vous êtes déconnecté."),
        _ => None,
    };
    html(&LoginPage {
        shell: Shell::anonymous("Connexion", Brand::of(&req)),
        next: local_path(query.suite.as_deref()).unwrap_or_default(),
        email: String::new(),
        error: None,
        notice,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: SecretString,
    #[serde(default)]
    suite: String,
}

/// `POST /connexion`: on success, back to the page asked for, or to the role's first page.
pub async fn login(
    req: HttpRequest,
    form: web::Form<LoginForm>,
    database: web::Data<Database>,
    state: web::Data<AuthState>,
) -> Result<HttpResponse, PageError> {
    let LoginForm {
        email,
        password,
        suite,
    } = form.into_inner();
    match open_session(&req, email.clone(), password, &database, &state).await {
        Ok(opened) => {
            let target =
                local_path(Some(&suite)).unwrap_or_else(|| home_of(&opened.account).to_owned());
            let mut answer = HttpResponse::SeeOther();
            opened.set_cookies(&mut answer, &state);
            Ok(answer.insert_header((LOCATION, target)).finish())
        }
        Err(error) => {
            let page = LoginPage {
                shell: Shell::anonymous("Connexion", Brand::of(&req)),
                next: local_path(Some(&suite)).unwrap_or_default(),
                email,
                error: Some(error.message().to_owned()),
                notice: None,
            };
            Ok(
                HttpResponse::build(crate::web::error::status_of(error.code))
                    .content_type(HTML)
                    .body(page.render()?),
            )
        }
    }
}

#[derive(Deserialize)]
pub struct TokenOnly {
    csrf_token: String,
}

impl CsrfForm for TokenOnly {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// `POST /deconnexion`: ends every session of the account.
pub async fn logout(
    posted: Posted<can::SignOut, TokenOnly>,
    database: web::Data<Database>,
    state: web::Data<AuthState>,
) -> Result<HttpResponse, PageError> {
    let account = posted.viewer.account;
    crate::web::run(&database, move |conn| {
        app::account::sign_out(conn, &account)
    })
    .await?;
    let mut answer = HttpResponse::SeeOther();
    clear_cookies(&mut answer, &state);
    Ok(answer
        .insert_header((LOCATION, "/connexion?message=deconnecte"))
        .finish())
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    shell: Shell,
    name: String,
    email: String,
    role: &'static str,
    csrf: String,
    error: Option<String>,
}

fn account_page<P: crate::domain::authorization::Permission>(
    viewer: &Viewer<P>,
    error: Option<String>,
) -> AccountPage {
    AccountPage {
        shell: viewer.shell("Mon compte"),
        name: viewer.account.display_name.to_string(),
        email: viewer.account.email.to_string(),
        role: viewer.account.role.label(),
        csrf: viewer.csrf.clone(),
        error,
    }
}

/// `GET /compte`.
pub async fn account(viewer: Viewer<can::ChangeOwnPassword>) -> Result<HttpResponse, PageError> {
    html(&account_page(&viewer, None))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf_token: String,
    current_password: SecretString,
    new_password: SecretString,
    confirmation: SecretString,
}

impl CsrfForm for PasswordForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// `POST /compte/mot-de-passe`: every session ends; back to the sign-in page.
pub async fn change_password(
    req: HttpRequest,
    posted: Posted<can::ChangeOwnPassword, PasswordForm>,
    database: web::Data<Database>,
    state: web::Data<AuthState>,
) -> Result<HttpResponse, PageError> {
    let (viewer, form) = (posted.viewer, posted.form);
    let refused = |message: String| -> Result<HttpResponse, PageError> {
        Ok(HttpResponse::UnprocessableEntity()
            .content_type(HTML)
            .body(account_page(&viewer, Some(message)).render()?))
    };
    if form.new_password.expose_secret() != form.confirmation.expose_secret() {
        return refused(
            "Les deux saisies du nouveau mot de passe diffèrent : tapez-le deux fois à l'identique."
                .to_owned(),
        );
    }
    let account = viewer.account.clone();
    let change = PasswordChange {
        current: form.current_password,
        new: form.new_password,
        client_address: state.trusted_proxies.client_of(&req),
    };
    let policy = state.throttle.clone();
    let changed = database
        .run(move |conn| app::account::change_password(conn, &account, &change, &policy))
        .await;
    if let Err(error) = changed {
        return refused(error.message().to_owned());
    }
    let mut answer = HttpResponse::SeeOther();
    clear_cookies(&mut answer, &state);
    Ok(answer
        .insert_header((LOCATION, "/connexion?message=mot-de-passe-change"))
        .finish())
}
