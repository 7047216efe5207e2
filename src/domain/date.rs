//! Dates as registers write them: "14/03/2025", "2025-03-14", "1er mars 2025", "lundi 3 mars 2025".

use chrono::NaiveDate;

use super::labels::normalize;
use super::month::{month_named, year_of};

const NUMERIC_FORMATS: [&str; 6] = [
    "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y/%m/%d",
];

const WEEKDAYS: [&str; 14] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "lun", "mar", "mer",
    "jeu", "ven", "sam", "dim",
];

/// A date in figures (a time after it is ignored: "14/03/2025 10:00") or written out in French.
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let first = input.split_whitespace().next().unwrap_or_default();
    NUMERIC_FORMATS
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(first, format).ok())
        .or_else(|| parse_written_date(input))
}

/// A date written out in French: "1 janvier 2024", "1er mars 2025", "3 févr. 2025", "3-mars-25",
/// "lundi 3 mars 2025". The month's name is read as months are (`Month::parse`).
pub fn parse_written_date(input: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = input
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '/' | '.' | ','))
        .filter(|p| !p.is_empty())
        .collect();
    let parts = match parts.as_slice() {
        [weekday, rest @ ..] if WEEKDAYS.contains(&normalize(weekday).as_str()) => rest,
        all => all,
    };
    let [day, month, year] = parts else {
        return None;
    };
    let day = day_of(day)?;
    NaiveDate::from_ymd_opt(year_of(year)?, month_named(month)? as u32, day)
}

/// "1", "01", "1er": the day of the month in figures.
fn day_of(text: &str) -> Option<u32> {
    let lowered = text.to_lowercase();
    let digits = lowered.strip_suffix("er").unwrap_or(&lowered);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn reads_dates_in_figures() {
        assert_eq!(parse_date("14/03/2025"), d(2025, 3, 14));
        assert_eq!(parse_date("2025-03-14"), d(2025, 3, 14));
        assert_eq!(parse_date("14.03.2025"), d(2025, 3, 14));
        assert_eq!(parse_date("14/03/2025 10:30"), d(2025, 3, 14));
    }

    #[test]
    fn reads_dates_written_out_in_french() {
        assert_eq!(parse_date("1 janvier 2024"), d(2024, 1, 1));
        assert_eq!(parse_date("1er mars 2025"), d(2025, 3, 1));
        assert_eq!(parse_date("1ER MARS 2025"), d(2025, 3, 1));
        assert_eq!(parse_date("03 févr. 2025"), d(2025, 2, 3));
        assert_eq!(parse_date("3-mars-25"), d(2025, 3, 3));
        assert_eq!(parse_date("lundi 3 mars 2025"), d(2025, 3, 3));
        assert_eq!(parse_date("31 décembre 2025"), d(2025, 12, 31));
    }

    #[test]
    fn refuses_what_is_no_date() {
        for text in [
            "14 mars",
            "mars 2025",
            "31 février 2025",
            "1e mars 2025",
            "123 mars 2025",
            "1er marsss 2025",
            "lundi",
            "",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }
}
