//! Text typed in a search filter: blank means no filter, and a text longer than anything a
//! reference, an object or a name holds is refused before it reaches the database (SQLite
//! rejects long `LIKE` patterns).

/// A search text of at most [`SearchText::MAX_CHARS`] characters, not blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Recherche trop longue ({0} caractères) : {max} caractères au plus ; raccourcissez-la.",
    max = SearchText::MAX_CHARS
)]
pub struct SearchTooLong(pub usize);

impl SearchText {
    pub const MAX_CHARS: usize = 200;

    /// `None` for a blank text.
    pub fn parse(text: &str) -> Result<Option<SearchText>, SearchTooLong> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        let length = text.chars().count();
        if length > SearchText::MAX_CHARS {
            return Err(SearchTooLong(length));
        }
        Ok(Some(SearchText(text.to_owned())))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_no_filter_and_long_texts_are_refused() {
        assert_eq!(SearchText::parse("  "), Ok(None));
        assert_eq!(
            SearchText::parse("voirie")
                .unwrap()
                .map(SearchText::into_inner),
            Some("voirie".to_owned())
        );
        let long = "é".repeat(SearchText::MAX_CHARS + 1);
        assert_eq!(
            SearchText::parse(&long),
            Err(SearchTooLong(SearchText::MAX_CHARS + 1))
        );
        assert!(SearchText::parse(&long[..2 * SearchText::MAX_CHARS]).is_ok());
    }
}
