//! A page of a listing, as a use case answers it.

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

/// A text filter; blank means none.
pub fn search(text: Option<&str>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty()).map(str::to_owned)
}
