//! The one error of the use cases: what went wrong, as a class the adapters translate (an HTTP
//! status in `web`, an exit message at the command line), a stable code and a French message
//! saying what to change.

use std::fmt::Display;

/// What kind of failure, independent of any transport: `web` maps each to its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The request itself is malformed (a bad parameter).
    BadRequest,
    /// Well formed, but a value is not acceptable.
    Invalid,
    /// The caller may not do this, or not on this.
    Forbidden,
    /// Nothing at this address within the caller's scope.
    NotFound,
    /// Clashes with what is recorded (an address taken, a file already imported).
    Conflict,
    /// Wrong credentials.
    Unauthenticated,
    /// Too many failed attempts.
    Throttled,
    /// Something the user cannot fix; the detail went to the log.
    Internal,
}

/// A failed use case. `code` is the stable identifier clients test on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub failure: Failure,
    pub code: &'static str,
    pub message: String,
}

impl AppError {
    pub fn new(failure: Failure, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            failure,
            code,
            message: message.into(),
        }
    }

    /// A value the user can correct, with what to change.
    pub fn invalid(code: &'static str, message: impl Display) -> AppError {
        AppError::new(Failure::Invalid, code, message.to_string())
    }

    pub fn not_found() -> AppError {
        AppError::new(
            Failure::NotFound,
            "not_found",
            "Aucune ressource à cette adresse : vérifiez le lien.",
        )
    }

    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(Failure::BadRequest, "bad_request", message)
    }

    /// For failures the user cannot fix: the detail goes to the log, never to the answer.
    pub fn internal(detail: &dyn Display) -> AppError {
        tracing::error!(error = %detail, "internal error");
        AppError::new(
            Failure::Internal,
            "internal_error",
            "Une erreur interne est survenue. Réessayez ; si elle persiste, prévenez l'administrateur.",
        )
    }
}

impl From<crate::storage::StorageError> for AppError {
    fn from(error: crate::storage::StorageError) -> AppError {
        AppError::internal(&error)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> AppError {
        AppError::internal(&error)
    }
}

impl From<crate::indicators::ScopeError> for AppError {
    fn from(error: crate::indicators::ScopeError) -> AppError {
        use crate::indicators::ScopeError;
        match error {
            ScopeError::UnknownBuyer(_) => {
                AppError::new(Failure::NotFound, "unknown_buyer", error.to_string())
            }
            ScopeError::OutOfScope(_) => {
                AppError::new(Failure::Forbidden, "out_of_scope", error.to_string())
            }
            ScopeError::Storage(detail) => AppError::internal(&detail),
        }
    }
}

impl From<crate::export::ExportError> for AppError {
    fn from(error: crate::export::ExportError) -> AppError {
        AppError::internal(&error)
    }
}

impl From<crate::indicators::statement::StatementError> for AppError {
    fn from(error: crate::indicators::statement::StatementError) -> AppError {
        use crate::indicators::statement::StatementError;
        match error {
            StatementError::Scope(e) => e.into(),
            StatementError::Storage(e) => AppError::internal(&e),
            StatementError::UnknownContract => {
                AppError::new(Failure::NotFound, "unknown_contract", error.to_string())
            }
            StatementError::UnknownCompany(_) => {
                AppError::new(Failure::NotFound, "unknown_company", error.to_string())
            }
            StatementError::OtherCompany => {
                AppError::new(Failure::Forbidden, "out_of_scope", error.to_string())
            }
        }
    }
}

impl From<crate::accounts::AccountError> for AppError {
    fn from(error: crate::accounts::AccountError) -> AppError {
        use crate::accounts::{self, AccountError};
        match error {
            AccountError::Storage(detail) => AppError::internal(&detail),
            AccountError::Password(accounts::password::PasswordError::Hashing) => {
                AppError::internal(&error)
            }
            AccountError::NoSuchAccount => AppError::not_found(),
            AccountError::Insert(accounts::UserInsertError::Query(detail)) => {
                AppError::internal(&detail)
            }
            AccountError::Insert(accounts::UserInsertError::EmailTaken(_)) => {
                AppError::new(Failure::Conflict, "email_taken", error.to_string())
            }
            other => AppError::invalid("invalid_account", other),
        }
    }
}

impl From<crate::accounts::login::LoginError> for AppError {
    fn from(error: crate::accounts::login::LoginError) -> AppError {
        use crate::accounts::login::LoginError;
        match error {
            LoginError::InvalidCredentials => AppError::new(
                Failure::Unauthenticated,
                "invalid_credentials",
                error.to_string(),
            ),
            LoginError::Throttled { .. } => {
                AppError::new(Failure::Throttled, "too_many_attempts", error.to_string())
            }
            LoginError::Storage(detail) => AppError::internal(&detail),
        }
    }
}

impl From<crate::import::ImportError> for AppError {
    fn from(error: crate::import::ImportError) -> AppError {
        use crate::import::ImportError;
        match error {
            ImportError::Duplicate { .. } => {
                AppError::new(Failure::Conflict, "duplicate_file", error.to_string())
            }
            ImportError::NotYetAvailable(_) => AppError::invalid("import_unavailable", error),
            ImportError::UnknownBuyer(_) => AppError::invalid("unknown_buyer", error),
            ImportError::Storage(detail) => AppError::internal(&detail),
            ImportError::Template(detail) => AppError::internal(&detail),
        }
    }
}
