//! The one error of the use cases: an [`ErrorCode`] (which fixes the HTTP status, the exit
//! status and a default French message) and, when there is more to say, a precise French
//! message naming what to change. The adapters translate it; none chooses a status itself.

use std::borrow::Cow;
use std::fmt::Display;

pub use super::error_code::ErrorCode;

/// A failed use case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct AppError {
    pub code: ErrorCode,
    /// Says more than the code's default message (which value, what to change).
    pub detail: Option<String>,
    /// The field of the form at fault, by its name in the request, when one is: the pages mark
    /// it and keep the message beside it. Fields of rows are numbered (`lot-0-award-1-siret`),
    /// hence not always a literal.
    pub field: Option<Cow<'static, str>>,
}

impl AppError {
    /// The code alone, with its default message.
    pub fn new(code: ErrorCode) -> AppError {
        AppError {
            code,
            detail: None,
            field: None,
        }
    }

    /// The code with a message more precise than its default.
    pub fn with(code: ErrorCode, message: impl Display) -> AppError {
        AppError {
            code,
            detail: Some(message.to_string()),
            field: None,
        }
    }

    /// The same error, blaming the form's field `name`.
    #[must_use]
    pub fn at(self, name: impl Into<Cow<'static, str>>) -> AppError {
        AppError {
            field: Some(name.into()),
            ..self
        }
    }

    /// What the user reads: the precise message if any, else the code's.
    pub fn message(&self) -> &str {
        self.detail.as_deref().unwrap_or(self.code.message())
    }

    pub fn not_found() -> AppError {
        AppError::new(ErrorCode::NotFound)
    }

    pub fn bad_request(message: impl Display) -> AppError {
        AppError::with(ErrorCode::BadRequest, message)
    }

    /// For failures the user cannot fix: the detail goes to the log, never to the answer.
    pub fn internal(detail: &dyn Display) -> AppError {
        // Escaped: a detail may quote what a client sent.
        tracing::error!(error = %detail.to_string().escape_debug(), "internal error");
        AppError::new(ErrorCode::InternalError)
    }
}

impl From<crate::storage::StorageError> for AppError {
    fn from(error: crate::storage::StorageError) -> AppError {
        AppError::internal(&error)
    }
}

crate::storage::query_error_through_storage!(AppError);

impl From<crate::indicators::ScopeError> for AppError {
    fn from(error: crate::indicators::ScopeError) -> AppError {
        use crate::indicators::ScopeError;
        match error {
            ScopeError::UnknownBuyer(_) => AppError::with(ErrorCode::UnknownBuyer, error),
            ScopeError::OutOfScope(_) => AppError::with(ErrorCode::OutOfScope, error),
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
            StatementError::UnknownContract => AppError::with(ErrorCode::UnknownContract, error),
            StatementError::UnknownCompany(_) => AppError::with(ErrorCode::UnknownCompany, error),
            StatementError::OtherCompany => AppError::with(ErrorCode::OutOfScope, error),
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
            AccountError::UnknownBuyer(_) => AppError::with(ErrorCode::UnknownBuyer, error),
            AccountError::NoSuchAccount => AppError::not_found(),
            AccountError::Throttled(_) => AppError::with(ErrorCode::TooManyAttempts, error),
            AccountError::Insert(accounts::UserInsertError::Query(detail)) => {
                AppError::internal(&detail)
            }
            AccountError::Insert(accounts::UserInsertError::EmailTaken(_)) => {
                AppError::with(ErrorCode::EmailTaken, error)
            }
            other => AppError::with(ErrorCode::InvalidAccount, other),
        }
    }
}

impl From<crate::accounts::login::LoginError> for AppError {
    fn from(error: crate::accounts::login::LoginError) -> AppError {
        use crate::accounts::login::LoginError;
        match error {
            LoginError::InvalidCredentials => AppError::with(ErrorCode::InvalidCredentials, error),
            LoginError::Throttled(_) => AppError::with(ErrorCode::TooManyAttempts, error),
            LoginError::Storage(detail) => AppError::internal(&detail),
        }
    }
}

impl From<crate::import::ImportError> for AppError {
    fn from(error: crate::import::ImportError) -> AppError {
        use crate::import::ImportError;
        match error {
            ImportError::Duplicate { .. } => AppError::with(ErrorCode::DuplicateFile, error),
            ImportError::NotYetAvailable(_) => AppError::with(ErrorCode::ImportUnavailable, error),
            ImportError::UnknownBuyer(_) => AppError::with(ErrorCode::UnknownBuyer, error),
            ImportError::ClauseClosed => AppError::with(ErrorCode::ClauseClosed, error),
            ImportError::Storage(detail) => AppError::internal(&detail),
            ImportError::Template(detail) | ImportError::Unreadable(detail) => {
                AppError::internal(&detail)
            }
        }
    }
}
