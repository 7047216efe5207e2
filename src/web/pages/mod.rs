//! The HTML pages, in French: server-rendered views over the same use cases as the API (same scope,
//! same figures), with templates checked at compile time (askama, `templates/`), charts drawn
//! as SVG on the server and every asset served by the binary.

pub mod account;
pub mod accounts;
pub mod assets;
pub mod audit;
pub mod chart;
pub mod clause_form;
pub mod closures;
pub mod companies;
pub mod contract_form;
pub mod contracts;
pub mod dashboard;
pub mod error;
pub mod followup;
pub mod form;
pub mod imports;
pub mod pager;
pub mod participant_form;
pub mod people;
pub mod reminders;
pub mod reviews;
pub mod shell;
pub mod text;
pub mod viewer;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::app::{AppError, Listed};
use crate::storage::PageRequest;

pub use error::PageError;

pub const HTML: &str = "text/html; charset=utf-8";

/// A page's answer.
pub fn html(page: &impl Template) -> Result<HttpResponse, PageError> {
    Ok(HttpResponse::Ok().content_type(HTML).body(page.render()?))
}

/// A form refused: the page shown again as typed, with the refusal's status.
pub fn refused(error: &AppError, page: &impl Template) -> Result<HttpResponse, PageError> {
    Ok(
        HttpResponse::build(crate::web::error::status_of(error.code))
            .content_type(HTML)
            .body(page.render()?),
    )
}

/// A listing as the use case answered it, or — when it refused a filter (422: a search too
/// long, a year out of range) — nothing found and the message, for the page to show beside
/// its filter rather than on an error page.
pub fn listing_or_refusal<T, X: Default>(
    answer: Result<(Listed<T>, X), AppError>,
) -> Result<(Listed<T>, X, Option<String>), PageError> {
    match answer {
        Ok((found, extra)) => Ok((found, extra, None)),
        Err(error) if error.code.status() == StatusCode::UNPROCESSABLE_ENTITY.as_u16() => Ok((
            Listed::of((Vec::new(), 0), PageRequest::new(None, None)),
            X::default(),
            Some(error.message().to_owned()),
        )),
        Err(error) => Err(PageError::Refused(error)),
    }
}

/// A listing page: 422 when its filter was refused, so that the status says so too.
pub fn listing_html(
    page: &impl Template,
    refusal: &Option<String>,
) -> Result<HttpResponse, PageError> {
    let status = if refusal.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status)
        .content_type(HTML)
        .body(page.render()?))
}
