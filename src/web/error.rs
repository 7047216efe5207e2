//! The JSON error every endpoint answers with: a stable `code` the pages can translate or test
//! on, and a French `message` that tells the user what to change.
//!
//! ```json
//! {"error": {"code": "not_found", "message": "Aucune ressource à cette adresse : vérifiez le lien."}}
//! ```

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

/// What a handler's own error enum turns into.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn not_found() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Aucune ressource à cette adresse : vérifiez le lien.",
        )
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// For failures the user cannot fix: the detail goes to the log, never to the answer.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Une erreur interne est survenue. Réessayez ; si elle persiste, prévenez l'administrateur.",
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(ErrorEnvelope {
            error: ErrorBody {
                code: self.code.to_owned(),
                message: self.message.clone(),
            },
        })
    }
}

/// A use case's failure, as HTTP: the one place a failure gets its status.
impl From<crate::app::AppError> for ApiError {
    fn from(error: crate::app::AppError) -> ApiError {
        use crate::app::Failure;
        let status = match error.failure {
            Failure::BadRequest => StatusCode::BAD_REQUEST,
            Failure::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Failure::Forbidden => StatusCode::FORBIDDEN,
            Failure::NotFound => StatusCode::NOT_FOUND,
            Failure::Conflict => StatusCode::CONFLICT,
            Failure::Unauthenticated => StatusCode::UNAUTHORIZED,
            Failure::Throttled => StatusCode::TOO_MANY_REQUESTS,
            Failure::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, error.code, error.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{AppError, Failure};

    #[test]
    fn a_use_case_failure_keeps_its_code_and_message_under_its_status() {
        let cases = [
            (Failure::BadRequest, StatusCode::BAD_REQUEST),
            (Failure::Invalid, StatusCode::UNPROCESSABLE_ENTITY),
            (Failure::Forbidden, StatusCode::FORBIDDEN),
            (Failure::NotFound, StatusCode::NOT_FOUND),
            (Failure::Conflict, StatusCode::CONFLICT),
            (Failure::Unauthenticated, StatusCode::UNAUTHORIZED),
            (Failure::Throttled, StatusCode::TOO_MANY_REQUESTS),
            (Failure::Internal, StatusCode::INTERNAL_SERVER_ERROR),
        ];
        for (failure, status) in cases {
            let answer = ApiError::from(AppError::new(failure, "some_code", "Corrigez ceci."));
            assert_eq!(answer.status, status, "{failure:?}");
            assert_eq!(
                (answer.code, answer.message.as_str()),
                ("some_code", "Corrigez ceci.")
            );
        }
    }
}
