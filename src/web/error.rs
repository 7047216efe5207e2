//! The JSON error every endpoint answers with: a stable `code` the pages can translate or test
//! on, and a French `message` that tells the user what to change. The status is the code's own
//! ([`ErrorCode::status`]): no handler chooses one.
//!
//! ```json
//! {"error": {"code": "not_found", "message": "Aucune ressource à cette adresse : vérifiez le lien."}}
//! ```

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::app::{AppError, ErrorCode};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

impl From<&AppError> for ErrorBody {
    fn from(error: &AppError) -> ErrorBody {
        ErrorBody {
            code: error.code,
            message: error.message().to_owned(),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

/// The HTTP status of a code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        status_of(self.code)
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(ErrorEnvelope { error: self.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_answered_with_its_status_and_its_message() {
        for &code in ErrorCode::ALL {
            let plain = AppError::new(code).error_response();
            assert_eq!(plain.status().as_u16(), code.status(), "{code}");
            let precise = AppError::with(code, "Corrigez ceci.");
            let body = ErrorBody::from(&precise);
            assert_eq!((body.code, body.message.as_str()), (code, "Corrigez ceci."));
            assert_eq!(
                ErrorBody::from(&AppError::new(code)).message,
                code.message()
            );
        }
    }
}
