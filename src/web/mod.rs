//! The HTTP interface: `api` (JSON adapters, their wire types, the OpenAPI document) and `pages`
//! (HTML adapters), both over the use cases of `crate::app`; here, what they share: the
//! session extractors, the error shape, the route table, security headers, uploads.

pub mod api;
pub mod auth;
pub mod client;
pub mod error;
pub mod pages;
pub mod request_log;
pub mod routes;
pub mod session;
pub mod upload;

use actix_web::middleware::DefaultHeaders;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::{AppError, ErrorCode};
use crate::storage::{Database, DbConnection};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to download, under the name given.
pub fn attachment(content_type: &str, file_name: &str, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .body(bytes)
}

/// Registers every route of the service, from the table in `routes`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    routes::configure(cfg);
}

/// Headers on every answer: no sniffing, no framing, scripts and styles from this origin only,
/// and nothing kept by browsers or proxies (pages, JSON and exports show one person's scope;
/// the static assets, which say otherwise, are the only answers cached).
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ))
}

/// Request bodies and query strings that do not parse get the same JSON error as the rest.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|error, _req| {
            let message = match &error {
                actix_web::error::JsonPayloadError::OverflowKnownLength { .. }
                | actix_web::error::JsonPayloadError::Overflow { .. } => {
                    "Le contenu envoyé est trop volumineux.".to_owned()
                }
                actix_web::error::JsonPayloadError::ContentType => {
                    "Le contenu doit être envoyé en JSON (Content-Type: application/json)."
                        .to_owned()
                }
                other => format!("Le contenu JSON envoyé est incorrect : {other}."),
            };
            AppError::bad_request(message).into()
        })
}

/// A malformed query: JSON under /api, and for a page the page's frame with what to change
/// (a filter typed in the address bar is a person's mistake, not a program's).
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, req| {
        if req.path().starts_with("/api/") {
            return AppError::bad_request(format!(
                "Les paramètres de l'adresse sont incorrects : {error}."
            ))
            .into();
        }
        pages::PageError::Refused(AppError::bad_request(
            "Un filtre de l'adresse n'est pas compris : l'année s'écrit en quatre chiffres \
             (2025), le département en deux ou trois caractères (31, 2A, 974), la page en \
             chiffres, une date en AAAA-MM-JJ (2025-10-15). Corrigez l'adresse, ou revenez à la \
             page sans filtre.",
        ))
        .into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _req| {
        AppError::bad_request(format!("L'adresse demandée est incorrecte : {error}.")).into()
    })
}

/// Anything no route matched: JSON under /api, a page elsewhere.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    if req.path().starts_with("/api/") {
        actix_web::ResponseError::error_response(&AppError::not_found())
    } else {
        actix_web::ResponseError::error_response(&pages::PageError::Refused(AppError::with(
            ErrorCode::NotFound,
            "Aucune page à cette adresse : vérifiez le lien, ou revenez à l'accueil.",
        )))
    }
}

/// Runs a use case on a connection of the pool, off the async workers.
pub async fn run<T, F>(database: &Database, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    database.run(work).await
}
