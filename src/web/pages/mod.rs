//! The HTML pages, in French: server-rendered views over the same use cases as the API (same scope,
//! same figures), with templates checked at compile time (askama, `templates/`), charts drawn
//! as SVG on the server and every asset served by the binary.

pub mod account;
pub mod assets;
pub mod chart;
pub mod companies;
pub mod contracts;
pub mod dashboard;
pub mod error;
pub mod imports;
pub mod pager;
pub mod people;
pub mod shell;
pub mod text;

use actix_web::HttpResponse;
use askama::Template;

pub use error::PageError;

pub const HTML: &str = "text/html; charset=utf-8";

/// A page's answer.
pub fn html(page: &impl Template) -> Result<HttpResponse, PageError> {
    Ok(HttpResponse::Ok().content_type(HTML).body(page.render()?))
}
