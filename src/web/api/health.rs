//! `GET /api/health`: is the service up and its database reachable?

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};

use crate::app::{AppError, ErrorCode};
use crate::storage::{Backend, Database, StorageError};

#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    pub database: Backend,
    pub version: String,
}

#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error(transparent)]
    Database(#[from] StorageError),
}

impl ResponseError for HealthError {
    fn status_code(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    fn error_response(&self) -> HttpResponse {
        let HealthError::Database(detail) = self;
        tracing::error!(error = %detail, "health check failed");
        AppError::new(ErrorCode::DatabaseUnavailable).error_response()
    }
}

/// `GET /api/health`.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "service",
    responses(
        (status = 200, body = Health),
        (status = 503, body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn health(database: web::Data<Database>) -> Result<HttpResponse, HealthError> {
    database.ping().await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".to_owned(),
        database: database.backend(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}
