//! A calendar month, the unit in which companies declare insertion hours.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::date::parse_written_date;
use super::labels::normalize;

/// A month between January 1990 and December 2199.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Integer)]
pub struct Month {
    year: i32,
    month: u32,
}

const FRENCH_NAMES: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
/// Abbreviations seen in spreadsheets ("févr.", "Mars-25", "sept 2025"), normalised.
const ABBREVIATIONS: [&[&str]; 12] = [
    &["janv", "jan"],
    &["fevr", "fev"],
    &["mar"],
    &["avr"],
    &[],
    &["jun"],
    &["juil", "jul"],
    &["aou"],
    &["sept", "sep"],
    &["oct"],
    &["nov"],
    &["dec"],
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonthError {
    #[error(
        "« {0} » n'est pas un mois reconnu : écrivez par exemple 03/2025, 2025-03 ou mars 2025."
    )]
    Unrecognised(String),
    #[error("« {0} » est hors de la période acceptée (1990 à 2199).")]
    OutOfRange(String),
}

impl Month {
    pub fn new(year: i32, month: u32) -> Result<Self, MonthError> {
        if !(1..=12).contains(&month) {
            return Err(MonthError::Unrecognised(format!("{month:02}/{year}")));
        }
        if !(1990..=2199).contains(&year) {
            return Err(MonthError::OutOfRange(format!("{month:02}/{year}")));
        }
        Ok(Month { year, month })
    }

    pub fn of_date(date: NaiveDate) -> Result<Self, MonthError> {
        Month::new(date.year(), date.month())
    }

    /// The integer stored in the database: 202503 for March 2025 (sorts and divides into years).
    pub fn yyyymm(self) -> i32 {
        self.year * 100 + self.month as i32
    }

    pub fn from_yyyymm(value: i32) -> Result<Self, MonthError> {
        Month::new(value.div_euclid(100), value.rem_euclid(100) as u32)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .expect("a validated month has a first day")
    }

    pub fn next(self) -> Option<Month> {
        match self.month {
            12 => Month::new(self.year + 1, 1).ok(),
            m => Month::new(self.year, m + 1).ok(),
        }
    }

    /// Parses "2025-03", "2025/03", "03/2025", "3-2025", "mars 2025", "Mars-25", "févr. 2025",
    /// and full dates ("2025-03-15", "15/03/2025", "1er mars 2025"), which stand for their month.
    pub fn parse(input: &str) -> Result<Self, MonthError> {
        let trimmed = input.trim();
        let unrecognised = || MonthError::Unrecognised(trimmed.to_owned());
        let parts: Vec<&str> = trimmed
            .split(|c: char| c.is_whitespace() || matches!(c, '-' | '/' | '.' | '_'))
            .filter(|p| !p.is_empty())
            .collect();
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let all_digits = parts.iter().all(|p| digits(p));
        let number = |s: &str| s.parse::<i32>().ok();
        let (year, month) = match parts.as_slice() {
            [y, m] if all_digits && y.len() == 4 && m.len() <= 2 => (number(y), number(m)),
            [m, y] if all_digits && m.len() <= 2 && y.len() == 4 => (number(y), number(m)),
            [y, m, d] if all_digits && y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
                (number(y), number(m))
            }
            [d, m, y] if all_digits && d.len() <= 2 && m.len() <= 2 && y.len() == 4 => {
                (number(y), number(m))
            }
            [name, y] if !digits(name) => (year_of(y), month_named(name)),
            // A date written out ("1er mars 2025") stands for its month, as one in figures does.
            _ => parse_written_date(trimmed)
                .map_or((None, None), |d| (Some(d.year()), Some(d.month() as i32))),
        };
        match (year, month) {
            (Some(year), Some(month)) if (1..=12).contains(&month) => {
                Month::new(year, month as u32)
                    .map_err(|_| MonthError::OutOfRange(trimmed.to_owned()))
            }
            _ => Err(unrecognised()),
        }
    }

    /// As an address or a form writes it: `2025-03`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    pub fn french_name(self) -> &'static str {
        FRENCH_NAMES[(self.month - 1) as usize]
    }
}

/// "2025" or a two-digit "25", read as 2025: declarations are about this century.
pub(super) fn year_of(text: &str) -> Option<i32> {
    let value: i32 = text
        .parse()
        .ok()
        .filter(|_| text.bytes().all(|b| b.is_ascii_digit()))?;
    match text.len() {
        4 => Some(value),
        2 => Some(2000 + value),
        _ => None,
    }
}

/// The month (1 to 12) a French name or abbreviation stands for.
pub(super) fn month_named(text: &str) -> Option<i32> {
    let wanted = normalize(text);
    (0..12)
        .find(|&i| {
            normalize(FRENCH_NAMES[i]) == wanted || ABBREVIATIONS[i].contains(&wanted.as_str())
        })
        .map(|i| i as i32 + 1)
}

impl fmt::Display for Month {
    /// "mars 2025".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.french_name(), self.year)
    }
}

impl serde::Serialize for Month {
    /// "2025-03" in the API.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:04}-{:02}", self.year, self.month))
    }
}

super::serde_via::deserialize_by_parsing_str!(Month);

super::serde_via::schema_as!(Month, String, "Mois, AAAA-MM.");

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> (i32, u32) {
        let month = Month::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        (month.year(), month.month())
    }

    #[test]
    fn parses_the_ways_months_are_written() {
        assert_eq!(m("2025-03"), (2025, 3));
        assert_eq!(m("2025/3"), (2025, 3));
        assert_eq!(m("03/2025"), (2025, 3));
        assert_eq!(m("3-2025"), (2025, 3));
        assert_eq!(m("mars 2025"), (2025, 3));
        assert_eq!(m("Mars-25"), (2025, 3));
        assert_eq!(m("MARS 2025"), (2025, 3));
        assert_eq!(m("févr. 2025"), (2025, 2));
        assert_eq!(m("Août 2024"), (2024, 8));
        assert_eq!(m("aout-24"), (2024, 8));
        assert_eq!(m("juil 2026"), (2026, 7));
        assert_eq!(m("juin 2026"), (2026, 6));
        assert_eq!(m("décembre 2025"), (2025, 12));
        assert_eq!(m("2025-03-15"), (2025, 3));
        assert_eq!(m("15/03/2025"), (2025, 3));
        assert_eq!(m("1er mars 2025"), (2025, 3));
        assert_eq!(m("1 janvier 2024"), (2024, 1));
    }

    #[test]
    fn refuses_what_is_not_a_month() {
        for bad in [
            "",
            "13/2025",
            "2025-00",
            "marsss 2025",
            "ju 2025",
            "2025",
            "03/25/12",
            "1850-01",
        ] {
            assert!(Month::parse(bad).is_err(), "{bad} should be refused");
        }
        assert!(matches!(
            Month::parse("01/1850"),
            Err(MonthError::OutOfRange(_))
        ));
        assert!(
            Month::parse("mars 2025x")
                .unwrap_err()
                .to_string()
                .contains("03/2025")
        );
    }

    #[test]
    fn round_trips_through_storage_and_api() {
        let march = Month::new(2025, 3).unwrap();
        assert_eq!(march.yyyymm(), 202_503);
        assert_eq!(Month::from_yyyymm(202_503).unwrap(), march);
        assert!(Month::from_yyyymm(202_513).is_err());
        assert_eq!(serde_json::to_string(&march).unwrap(), "\"2025-03\"");
        assert_eq!(
            serde_json::from_str::<Month>("\"mars 2025\"").unwrap(),
            march
        );
        assert_eq!(march.to_string(), "mars 2025");
    }

    #[test]
    fn steps_and_orders() {
        let dec = Month::new(2025, 12).unwrap();
        assert_eq!(dec.next().unwrap(), Month::new(2026, 1).unwrap());
        assert!(Month::new(2025, 3).unwrap() < Month::new(2025, 11).unwrap());
        assert_eq!(
            dec.first_day(),
            NaiveDate::from_ymd_opt(2025, 12, 1).unwrap()
        );
    }
}
