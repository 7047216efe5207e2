//! Shares and rates (labour share, insertion rate, local-firm share) in basis points.

use std::fmt;

use super::decimal::{DecimalError, format_fixed, parse_fixed};

/// A share between 0 % and 100 %, in basis points (5 % = 500): exact, no floats.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Integer)]
#[serde(transparent)]
pub struct Rate(u16);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("Pourcentage incorrect : {0}. Écrivez par exemple 5 %, 12,5 % ou 0,05.")]
    Invalid(DecimalError),
    #[error("« {0} » dépasse 100 % : un taux ou une part est compris entre 0 et 100 %.")]
    OverHundred(String),
}

impl Rate {
    pub const FULL: Rate = Rate(10_000);

    pub fn from_basis_points(bp: i64) -> Result<Self, RateError> {
        u16::try_from(bp)
            .ok()
            .filter(|bp| *bp <= 10_000)
            .map(Rate)
            .ok_or_else(|| RateError::OverHundred(format!("{} %", format_fixed(bp, 2))))
    }

    /// "5 %", "5%", "12,5 %" are percentages; a bare number below 1 ("0,05") is a fraction;
    /// a bare number from 1 up ("5") is read as a percentage, as people type it.
    pub fn parse(input: &str) -> Result<Self, RateError> {
        let trimmed = input.trim();
        let (number, percent) = match trimmed.strip_suffix('%') {
            Some(n) => (n.trim_end(), true),
            None => (trimmed, false),
        };
        // Fractions need four decimals to reach basis points (0,0525 = 5,25 %).
        let ten_thousandths = parse_fixed(number, 4).map_err(RateError::Invalid)?;
        let bp = if percent || ten_thousandths >= 10_000 {
            if ten_thousandths % 100 != 0 {
                return Err(RateError::Invalid(DecimalError::TooPrecise(
                    trimmed.to_owned(),
                    2,
                )));
            }
            ten_thousandths / 100
        } else {
            ten_thousandths
        };
        Self::from_basis_points(bp).map_err(|_| RateError::OverHundred(trimmed.to_owned()))
    }

    /// For constants: `None` above 100 %.
    pub const fn const_from_basis_points(bp: u16) -> Option<Rate> {
        if bp <= 10_000 { Some(Rate(bp)) } else { None }
    }

    pub fn basis_points(self) -> i64 {
        i64::from(self.0)
    }

    /// `part ÷ whole` rounded to the nearest basis point; `None` when `whole` is zero.
    pub fn ratio(part: i64, whole: i64) -> Option<Rate> {
        if whole <= 0 || part < 0 || part > whole {
            return None;
        }
        let bp = (i128::from(part) * 10_000 + i128::from(whole) / 2) / i128::from(whole);
        u16::try_from(bp).ok().map(Rate)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format_fixed(i64::from(self.0), 2);
        let text = text.trim_end_matches('0').trim_end_matches(',');
        write!(f, "{text}\u{a0}%")
    }
}

super::serde_via::deserialize_by_checking_int!(Rate, Rate::from_basis_points);

super::serde_via::schema_as!(
    Rate,
    Integer,
    "Taux ou part, en points de base (5 % = 500)."
);

#[cfg(test)]
mod tests {
    use super::*;

    fn bp(s: &str) -> i64 {
        Rate::parse(s).unwrap().basis_points()
    }

    #[test]
    fn parses_percentages_and_fractions() {
        assert_eq!(bp("5 %"), 500);
        assert_eq!(bp("5%"), 500);
        assert_eq!(bp("12,5 %"), 1_250);
        assert_eq!(bp("0,05"), 500);
        assert_eq!(bp("0,0525"), 525);
        assert_eq!(bp("50"), 5_000);
        assert_eq!(bp("100 %"), 10_000);
        assert_eq!(bp("0"), 0);
    }

    #[test]
    fn refuses_out_of_range_rates() {
        assert!(matches!(
            Rate::parse("120 %"),
            Err(RateError::OverHundred(_))
        ));
        assert!(matches!(Rate::parse("5,123 %"), Err(RateError::Invalid(_))));
        assert!(matches!(Rate::parse("-5 %"), Err(RateError::Invalid(_))));
        assert!(Rate::from_basis_points(10_001).is_err());
        assert!(Rate::from_basis_points(-1).is_err());
    }

    #[test]
    fn ratio_rounds_to_the_basis_point() {
        assert_eq!(Rate::ratio(75, 100).unwrap().basis_points(), 7_500);
        assert_eq!(Rate::ratio(1, 3).unwrap().basis_points(), 3_333);
        assert_eq!(Rate::ratio(2, 3).unwrap().basis_points(), 6_667);
        assert_eq!(Rate::ratio(1, 0), None);
    }

    #[test]
    fn displays_in_french() {
        assert_eq!(Rate::parse("12,5 %").unwrap().to_string(), "12,5\u{a0}%");
        assert_eq!(Rate::parse("5 %").unwrap().to_string(), "5\u{a0}%");
    }
}
