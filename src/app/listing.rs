//! A page of a listing, as a use case answers it.

use super::{AppError, ErrorCode};
use crate::domain::{SearchText, Year};
use crate::storage::PageRequest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    pub items: Vec<T>,
    /// How many items the filter selects in all.
    pub total: i64,
    pub request: PageRequest,
}

impl<T> Listed<T> {
    pub fn of((items, total): (Vec<T>, i64), request: PageRequest) -> Listed<T> {
        Listed {
            items,
            total,
            request,
        }
    }
}

/// A text filter; blank means none, too long is refused.
pub fn search(text: Option<&str>) -> Result<Option<String>, AppError> {
    let parsed = SearchText::parse(text.unwrap_or_default())
        .map_err(|e| AppError::with(ErrorCode::SearchTooLong, e))?;
    Ok(parsed.map(SearchText::into_inner))
}

/// A year asked, within the range the service holds figures for.
pub fn year(year: i32) -> Result<i32, AppError> {
    Year::parse(year)
        .map(Year::get)
        .map_err(|e| AppError::with(ErrorCode::InvalidYear, e))
}

/// The same, when the year may be left out.
pub fn optional_year(year: Option<i32>) -> Result<Option<i32>, AppError> {
    year.map(self::year).transpose()
}
