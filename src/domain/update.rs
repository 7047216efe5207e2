//! What a file says of one optional fact of a record it may already know: nothing (an empty
//! cell keeps what is stored), a value, or the word « effacer » (the fact is cleared). An empty
//! cell never wipes a stored fact: clearing one is always said.

use super::labels::normalize;

/// The word written in a cell to clear a stored fact, however it is cased or accented.
pub const CLEAR_WORD: &str = "effacer";

/// Whether a cell's text asks to clear the fact.
pub fn asks_to_clear(text: &str) -> bool {
    normalize(text) == CLEAR_WORD
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Update<T> {
    /// Nothing said: the stored fact stays (none for a new record).
    #[default]
    Keep,
    Set(T),
    /// « effacer »: the stored fact goes.
    Clear,
}

impl<T> Update<T> {
    /// `Set` when there is a value, `Keep` otherwise.
    pub fn set_or_keep(value: Option<T>) -> Update<T> {
        value.map_or(Update::Keep, Update::Set)
    }

    pub fn as_ref(&self) -> Update<&T> {
        match self {
            Update::Keep => Update::Keep,
            Update::Set(value) => Update::Set(value),
            Update::Clear => Update::Clear,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Update<U> {
        match self {
            Update::Keep => Update::Keep,
            Update::Set(value) => Update::Set(f(value)),
            Update::Clear => Update::Clear,
        }
    }

    /// The value given, if any.
    pub fn given(&self) -> Option<&T> {
        match self {
            Update::Set(value) => Some(value),
            Update::Keep | Update::Clear => None,
        }
    }

    /// What to write in the fact's column: `None` to leave it, `Some(None)` to clear it.
    pub fn written(self) -> Option<Option<T>> {
        match self {
            Update::Keep => None,
            Update::Set(value) => Some(Some(value)),
            Update::Clear => Some(None),
        }
    }

    /// Whether this update changes the fact `stored`.
    pub fn changes<S>(&self, stored: Option<S>) -> bool
    where
        T: PartialEq<S>,
    {
        match (self, stored) {
            (Update::Keep, _) | (Update::Clear, None) => false,
            (Update::Set(value), Some(stored)) => value.ne(&stored),
            (Update::Set(_), None) | (Update::Clear, Some(_)) => true,
        }
    }

    /// Whether `self` and `other` both keep, both set or both clear.
    pub fn said_alike<U>(&self, other: &Update<U>) -> bool {
        std::mem::discriminant(&self.as_ref().map(|_| ()))
            == std::mem::discriminant(&other.as_ref().map(|_| ()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_value_or_the_clear_word_changes_a_stored_fact() {
        let stored = Some(3);
        assert!(!Update::<i32>::Keep.changes(stored));
        assert!(!Update::Set(3).changes(stored));
        assert!(Update::Set(4).changes(stored));
        assert!(Update::<i32>::Clear.changes(stored));
        assert!(!Update::<i32>::Clear.changes::<i32>(None));
        assert!(Update::Set(3).changes::<i32>(None));
        assert_eq!(Update::<i32>::Keep.written(), None);
        assert_eq!(Update::<i32>::Clear.written(), Some(None));
        assert_eq!(Update::Set(3).written(), Some(Some(3)));
    }

    #[test]
    fn the_clear_word_is_read_whatever_its_case_and_accents() {
        for text in ["effacer", " EFFACER ", "Éffacer", "« effacer »"] {
            assert!(asks_to_clear(text), "{text}");
        }
        assert!(!asks_to_clear("") && !asks_to_clear("effacé"));
    }

    #[test]
    fn two_updates_are_said_alike_when_both_keep_set_or_clear() {
        assert!(Update::Set(1).said_alike(&Update::Set("a")));
        assert!(Update::<i32>::Clear.said_alike(&Update::<u8>::Clear));
        assert!(!Update::Set(1).said_alike(&Update::<u8>::Keep));
    }
}
