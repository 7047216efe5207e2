//! A year asked of the service, in a range it can hold figures for: a year such as 99999 is a
//! typo, and answering it would be answering something else (the whole history, or nothing).

/// A calendar year from [`Year::FIRST`] to [`Year::LAST`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Year(i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Année {0} hors de la plage permise : donnez une année de {first} à {last}, sur quatre chiffres.",
    first = Year::FIRST,
    last = Year::LAST
)]
pub struct YearOutOfRange(pub i32);

impl Year {
    /// Insertion clauses in French public contracts date from the 1990s.
    pub const FIRST: i32 = 1990;
    pub const LAST: i32 = 2100;

    pub fn parse(year: i32) -> Result<Year, YearOutOfRange> {
        if (Year::FIRST..=Year::LAST).contains(&year) {
            Ok(Year(year))
        } else {
            Err(YearOutOfRange(year))
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_out_of_the_range_are_refused_with_the_range() {
        assert_eq!(Year::parse(2025).map(Year::get), Ok(2025));
        assert!(Year::parse(Year::FIRST).is_ok() && Year::parse(Year::LAST).is_ok());
        let refused = Year::parse(99_999).unwrap_err().to_string();
        assert!(
            refused.contains("99999") && refused.contains("1990 à 2100"),
            "{refused}"
        );
        assert!(Year::parse(-4).is_err());
    }
}
