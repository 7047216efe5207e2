//! Work hours in hundredths of an hour: what companies declare and targets are set in.

use std::fmt;

use super::decimal::{DecimalError, format_fixed, parse_fixed};
use super::rate::Rate;

/// Hours of one full-time equivalent (ETP) in a year, the convention of the insertion sector.
pub const FTE_HOURS: i64 = 1_607;

/// A non-negative number of hours, stored in hundredths (35 h 30 = 3 550).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::BigInt)]
#[serde(transparent)]
pub struct Hours(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("Nombre d'heures incorrect : {0}. Écrivez par exemple 35, 35,5 ou 35h30.")]
    Invalid(DecimalError),
    #[error("« {0} » : les minutes doivent être comprises entre 0 et 59.")]
    BadMinutes(String),
    #[error("Un nombre d'heures ne peut pas être négatif ({0} centièmes).")]
    Negative(i64),
}

impl Hours {
    pub const ZERO: Hours = Hours(0);

    pub fn from_hundredths(hundredths: i64) -> Result<Self, HoursError> {
        if hundredths < 0 {
            return Err(HoursError::Negative(hundredths));
        }
        Ok(Hours(hundredths))
    }

    pub fn from_whole(hours: i64) -> Result<Self, HoursError> {
        hours
            .checked_mul(100)
            .ok_or(HoursError::Invalid(DecimalError::TooLarge(
                hours.to_string(),
            )))
            .and_then(Self::from_hundredths)
    }

    /// A duration in seconds, such as a spreadsheet's duration cell holds, rounded to the nearest
    /// hundredth of an hour (20 min = 0,33 h).
    pub fn from_seconds(seconds: i64) -> Result<Self, HoursError> {
        // 36 seconds make a hundredth of an hour; half of it rounds up.
        let hundredths = seconds.unsigned_abs().saturating_add(18) / 36;
        let hundredths = i64::try_from(hundredths).unwrap_or(i64::MAX);
        Self::from_hundredths(if seconds < 0 { -hundredths } else { hundredths })
    }

    /// Parses "35", "35,5", "35.50", "35 h", "35h30", "35 h 30 min", "35:30".
    /// Minutes are converted to hundredths, rounded to the nearest (20 min = 0,33 h).
    pub fn parse(input: &str) -> Result<Self, HoursError> {
        let lowered = input.trim().to_lowercase();
        let compact = lowered.trim_end_matches("min").trim_end();
        let clock = compact.split_once(':').or_else(|| {
            compact
                .split_once('h')
                .filter(|(_, m)| !m.trim().is_empty())
        });
        match clock {
            Some((h, m)) => {
                let whole = parse_fixed(h.trim(), 0).map_err(HoursError::Invalid)?;
                let minutes: i64 = m
                    .trim()
                    .parse()
                    .ok()
                    .filter(|m| (0..60).contains(m))
                    .ok_or_else(|| HoursError::BadMinutes(input.trim().to_owned()))?;
                let seconds = whole
                    .checked_mul(3_600)
                    .and_then(|w| w.checked_add(minutes * 60))
                    .ok_or_else(|| {
                        HoursError::Invalid(DecimalError::TooLarge(input.trim().to_owned()))
                    })?;
                Hours::from_seconds(seconds)
            }
            None => {
                let number = compact.trim_end_matches(['h', ' ']);
                parse_fixed(number, 2)
                    .map(Hours)
                    .map_err(HoursError::Invalid)
            }
        }
    }

    pub fn hundredths(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Hours) -> Option<Hours> {
        self.0.checked_add(other.0).map(Hours)
    }

    /// What is left of `self` once `other` is taken away; zero when `other` is more.
    pub fn saturating_sub(self, other: Hours) -> Hours {
        Hours((self.0 - other.0).max(0))
    }

    /// The share `rate` of these hours, rounded to the nearest hundredth (never more than them).
    pub fn times(self, rate: Rate) -> Hours {
        let product = (i128::from(self.0) * i128::from(rate.basis_points()) + 5_000) / 10_000;
        Hours(i64::try_from(product).unwrap_or(self.0))
    }

    /// The hours of which these are the share `rate`; `None` for a zero rate. Beyond the
    /// largest count of hundredths, that count.
    pub fn divided_by(self, rate: Rate) -> Option<Hours> {
        let bp = i128::from(rate.basis_points());
        (bp > 0).then(|| {
            let quotient = (i128::from(self.0) * 10_000 + bp / 2) / bp;
            Hours(i64::try_from(quotient).unwrap_or(i64::MAX))
        })
    }

    /// Full-time equivalents, in hundredths of an ETP, rounded to the nearest.
    pub fn fte_hundredths(self) -> i64 {
        let per_fte = FTE_HOURS * 100;
        (self.0 * 100 + per_fte / 2) / per_fte
    }
}

/// Totals of hours saturate at the largest count of hundredths, far beyond any real total.
impl std::iter::Sum for Hours {
    fn sum<I: Iterator<Item = Hours>>(iter: I) -> Hours {
        Hours(iter.fold(0_i64, |total, h| total.saturating_add(h.0)))
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\u{a0}h", format_fixed(self.0, 2))
    }
}

super::serde_via::deserialize_by_checking_int!(Hours, Hours::from_hundredths);

super::serde_via::schema_as!(Hours, Integer, "Heures, en centièmes (35 h 30 = 3550).");

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> i64 {
        Hours::parse(s).unwrap().hundredths()
    }

    #[test]
    fn parses_the_ways_hours_are_written() {
        assert_eq!(h("35"), 3_500);
        assert_eq!(h("35,5"), 3_550);
        assert_eq!(h("35.25"), 3_525);
        assert_eq!(h("35 h"), 3_500);
        assert_eq!(h("35H"), 3_500);
        assert_eq!(h("35h30"), 3_550);
        assert_eq!(h("35 h 30 min"), 3_550);
        assert_eq!(h("35:30"), 3_550);
        assert_eq!(h("7:20"), 733);
        assert_eq!(h("1 607"), 160_700);
        assert_eq!(h("0"), 0);
    }

    #[test]
    fn durations_in_seconds_round_to_the_hundredth_as_minutes_do() {
        let hundredths = |s| Hours::from_seconds(s).unwrap().hundredths();
        assert_eq!(hundredths(151 * 3_600 + 30 * 60), 15_150);
        assert_eq!(hundredths(7 * 3_600 + 20 * 60), 733);
        assert_eq!(hundredths(0), 0);
        assert_eq!(hundredths(17), 0);
        assert_eq!(hundredths(18), 1);
        assert!(matches!(
            Hours::from_seconds(-3_600),
            Err(HoursError::Negative(-100))
        ));
    }

    #[test]
    fn refuses_bad_hours() {
        assert!(matches!(
            Hours::parse("-4"),
            Err(HoursError::Invalid(DecimalError::Negative(_)))
        ));
        assert!(matches!(
            Hours::parse("35h75"),
            Err(HoursError::BadMinutes(_))
        ));
        assert!(matches!(
            Hours::parse("12:xx"),
            Err(HoursError::BadMinutes(_))
        ));
        assert!(Hours::parse("beaucoup").is_err());
        assert!(Hours::parse("").is_err());
        assert_eq!(Hours::from_hundredths(-1), Err(HoursError::Negative(-1)));
    }

    #[test]
    fn computes_full_time_equivalents() {
        assert_eq!(Hours::from_whole(1_607).unwrap().fte_hundredths(), 100);
        assert_eq!(Hours::from_whole(803).unwrap().fte_hundredths(), 50);
        assert_eq!(Hours::from_whole(42_500).unwrap().fte_hundredths(), 2_645);
    }

    #[test]
    fn displays_in_french() {
        assert_eq!(
            Hours::from_hundredths(3_550).unwrap().to_string(),
            "35,50\u{a0}h"
        );
    }
}
