//! What a page answers when it cannot show itself: the sign-in page for a missing session, or
//! an HTML page with the same French message as the API's error.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::shell::{Brand, Shell};
use crate::app::AppError;
use crate::web::auth::AuthError;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// No valid session: to the sign-in page, then back to `next`.
    #[error("sign-in needed")]
    SignIn { next: String },
    #[error(transparent)]
    Refused(#[from] AppError),
}

impl From<AuthError> for PageError {
    fn from(error: AuthError) -> PageError {
        PageError::Refused(error.into())
    }
}

impl From<actix_web::Error> for PageError {
    /// A body the extractors refused (too large, malformed), with their own French message.
    fn from(error: actix_web::Error) -> PageError {
        PageError::Refused(error.as_error::<AppError>().cloned().unwrap_or_else(|| {
            AppError::bad_request(
                "Le formulaire envoyé est incorrect : rechargez la page puis recommencez.",
            )
        }))
    }
}

impl From<askama::Error> for PageError {
    fn from(error: askama::Error) -> PageError {
        PageError::Refused(AppError::internal(&error))
    }
}

impl From<crate::storage::StorageError> for PageError {
    fn from(error: crate::storage::StorageError) -> PageError {
        PageError::Refused(error.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    shell: Shell,
    status: u16,
    message: &'a str,
}

/// The sign-in page's address, coming back to `next` (a path of this site only).
pub fn sign_in_address(next: &str) -> String {
    if next == "/" || next.is_empty() {
        return "/connexion".to_owned();
    }
    format!(
        "/connexion?suite={}",
        form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
    )
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn { .. } => StatusCode::SEE_OTHER,
            PageError::Refused(error) => error.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            PageError::SignIn { next } => HttpResponse::SeeOther()
                .insert_header((LOCATION, sign_in_address(next)))
                .finish(),
            PageError::Refused(error) => error_page(error),
        }
    }
}

/// The error page of a refusal: its title from the code's status, its message the API's.
fn error_page(error: &AppError) -> HttpResponse {
    let status = error.status_code();
    let title = match error.code.status() {
        403 => "Accès refusé",
        404 => "Page introuvable",
        500..=599 => "Erreur du service",
        _ => "Demande incorrecte",
    };
    let page = ErrorPage {
        shell: Shell::anonymous(title, Brand::default()),
        status: status.as_u16(),
        message: error.message(),
    };
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type(super::HTML)
            .body(html),
        Err(_) => HttpResponse::build(status).body(error.message().to_owned()),
    }
}
