//! The pages' stylesheet and script, compiled into the binary: an intranet without internet
//! access gets every asset from the service itself.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use actix_web::{HttpResponse, web};

use crate::app::AppError;
use crate::configuration::organisation::Organisation;

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../../../assets/style.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../assets/app.js"),
    ),
];

/// `GET /static/{name}`; `/static/logo` is the organisation's logo, when it has one.
pub async fn asset(
    name: web::Path<String>,
    organisation: web::Data<Organisation>,
) -> Result<HttpResponse, AppError> {
    if name.as_str() == "logo" {
        return logo(&organisation);
    }
    let (_, content_type, body) = ASSETS
        .iter()
        .find(|(file, _, _)| *file == name.as_str())
        .ok_or_else(AppError::not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, *content_type))
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .body(*body))
}

/// The logo, checked at start; opened on its own, nothing in it may run or load anything.
fn logo(organisation: &Organisation) -> Result<HttpResponse, AppError> {
    let logo = organisation.logo.as_ref().ok_or_else(AppError::not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, logo.content_type))
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((
            CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        ))
        .body(logo.bytes.clone()))
}
