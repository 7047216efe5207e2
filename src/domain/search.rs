//! Text typed in a search filter: blank means no filter, and a text longer than anything a
//! reference, an object or a name holds is refused before it reaches the database (SQLite
//! rejects long `LIKE` patterns).
//!
//! Searching and sorting names the French way: "electricite" finds "Électricité", and
//! "Collège 10" sorts after "collège 9" and before "Commune". Both backends call the same two
//! SQL functions, `fold` and `sort_key`: on SQLite they are [`fold`] and [`sort_key`] below,
//! registered on each connection; on PostgreSQL a migration defines them with the same table
//! of letters, and a test checks that both give the same bytes.

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

/// Upper-case ASCII and accented Latin letters, and what each folds to. PostgreSQL's `fold`
/// (migration `2026-11-30-000001_search_fold`) holds the same table: change both together.
pub const FOLDED_LETTERS: [(char, &str); 62] = [
    ('A', "a"),
    ('B', "b"),
    ('C', "c"),
    ('D', "d"),
    ('E', "e"),
    ('F', "f"),
    ('G', "g"),
    ('H', "h"),
    ('I', "i"),
    ('J', "j"),
    ('K', "k"),
    ('L', "l"),
    ('M', "m"),
    ('N', "n"),
    ('O', "o"),
    ('P', "p"),
    ('Q', "q"),
    ('R', "r"),
    ('S', "s"),
    ('T', "t"),
    ('U', "u"),
    ('V', "v"),
    ('W', "w"),
    ('X', "x"),
    ('Y', "y"),
    ('Z', "z"),
    ('à', "a"),
    ('â', "a"),
    ('ä', "a"),
    ('á', "a"),
    ('À', "a"),
    ('Â', "a"),
    ('Ä', "a"),
    ('Á', "a"),
    ('ç', "c"),
    ('Ç', "c"),
    ('é', "e"),
    ('è', "e"),
    ('ê', "e"),
    ('ë', "e"),
    ('É', "e"),
    ('È', "e"),
    ('Ê', "e"),
    ('Ë', "e"),
    ('î', "i"),
    ('ï', "i"),
    ('Î', "i"),
    ('Ï', "i"),
    ('ô', "o"),
    ('ö', "o"),
    ('Ô', "o"),
    ('Ö', "o"),
    ('ù', "u"),
    ('û', "u"),
    ('ü', "u"),
    ('Ù', "u"),
    ('Û', "u"),
    ('Ü', "u"),
    ('ÿ', "y"),
    ('Ÿ', "y"),
    ('œ', "oe"),
    ('Œ', "oe"),
];

/// A text with case and French accents folded away: what searches compare.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        match FOLDED_LETTERS.iter().find(|(letter, _)| *letter == c) {
            Some((_, plain)) => folded.push_str(plain),
            None => folded.push(c),
        }
    }
    folded
}

/// Width to which runs of digits are padded, so that "9" sorts before "10".
const SORT_DIGITS: usize = 20;

/// The bytes a name sorts by: folded, with each run of digits zero-padded. Compared byte by
/// byte, the same on both backends whatever the database's collation.
pub fn sort_key(text: &str) -> Vec<u8> {
    let folded = fold(text);
    let mut key = String::with_capacity(folded.len());
    let mut rest = folded.as_str();
    while let Some(first) = rest.chars().next() {
        let digits = first.is_ascii_digit();
        let end = rest
            .find(|c: char| c.is_ascii_digit() != digits)
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(end);
        if digits {
            // As PostgreSQL's lpad: padded on the left, or cut to the width.
            let kept = &run[..run.len().min(SORT_DIGITS)];
            key.extend(std::iter::repeat_n('0', SORT_DIGITS - kept.len()));
            key.push_str(kept);
        } else {
            key.push_str(run);
        }
        rest = tail;
    }
    key.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_and_french_accents() {
        assert_eq!(
            fold("Électricité Bâtiments COLLÈGE Œuvre"),
            "electricite batiments college oeuvre"
        );
        assert_eq!(fold("n°2 — 31 000 €"), "n°2 — 31 000 €");
    }

    #[test]
    fn names_sort_in_french_order_with_numbers_as_numbers() {
        let mut names = vec![
            "Commune",
            "collège 10",
            "Zénith",
            "Électricité",
            "Collège 9",
            "école",
        ];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            [
                "Collège 9",
                "collège 10",
                "Commune",
                "école",
                "Électricité",
                "Zénith"
            ]
        );
    }

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
