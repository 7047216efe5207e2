//! Figures as a page writes them: whole hours and euros for headline figures (the exact
//! values are in the workbook), and the change from the previous year.

use crate::domain::decimal::format_fixed;
use crate::domain::{Hours, Money, Rate};

fn rounded(units: i64, per: i64) -> i64 {
    (units + per / 2).div_euclid(per)
}

pub fn hours(h: Hours) -> String {
    format!("{}\u{a0}h", format_fixed(rounded(h.hundredths(), 100), 0))
}

pub fn euros(m: Money) -> String {
    format!("{}\u{a0}€", format_fixed(rounded(m.cents(), 100), 0))
}

/// Hours stored as hundredths (listings carry them raw), written as `hours` does.
pub fn hundredths(h: i64) -> String {
    Hours::from_hundredths(h).map(hours).unwrap_or_default()
}

/// Money stored as cents, written as `euros` does.
pub fn cents(c: i64) -> String {
    Money::from_cents(c).map(euros).unwrap_or_default()
}

pub fn count(n: i64) -> String {
    format_fixed(n, 0)
}

pub fn rate(r: Option<Rate>) -> String {
    r.map_or_else(|| "sans objet".to_owned(), |r| r.to_string())
}

/// "+12 % par rapport à 2024", in percent of the previous value, for amounts and counts;
/// `previous_year` names the period compared with ("2024", "janvier à mars 2024").
pub fn change(current: i64, previous: i64, previous_year: impl std::fmt::Display) -> String {
    if previous == 0 {
        return if current == 0 {
            format!("aucun en {previous_year} non plus")
        } else {
            format!("rien en {previous_year}")
        };
    }
    let percent = rounded((current - previous) * 100, previous);
    match percent {
        0 => format!("stable par rapport à {previous_year}"),
        p if p > 0 => format!("+{p}\u{a0}% par rapport à {previous_year}"),
        p => format!("−{}\u{a0}% par rapport à {previous_year}", -p),
    }
}

/// "+3,5 points par rapport à 2024", for shares.
pub fn change_points(
    current: Option<Rate>,
    previous: Option<Rate>,
    previous_year: impl std::fmt::Display,
) -> String {
    match (current, previous) {
        (Some(c), Some(p)) => {
            let diff = c.basis_points() - p.basis_points();
            if diff == 0 {
                return format!("stable par rapport à {previous_year}");
            }
            let sign = if diff > 0 { "+" } else { "−" };
            let text = format_fixed(rounded(diff.abs(), 10), 1);
            format!("{sign}{text}\u{a0}point(s) par rapport à {previous_year}")
        }
        (Some(_), None) => format!("sans objet en {previous_year}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_figures_are_rounded_and_grouped() {
        assert_eq!(
            hours(Hours::from_hundredths(18_811_050).unwrap()),
            "188\u{202f}111\u{a0}h"
        );
        assert_eq!(euros(Money::from_cents(149).unwrap()), "1\u{a0}€");
    }

    #[test]
    fn changes_say_which_way_and_from_when() {
        assert_eq!(change(112, 100, 2024), "+12\u{a0}% par rapport à 2024");
        assert_eq!(change(50, 100, 2024), "−50\u{a0}% par rapport à 2024");
        assert_eq!(change(100, 100, 2024), "stable par rapport à 2024");
        assert_eq!(change(5, 0, 2024), "rien en 2024");
        let r = |bp| Rate::from_basis_points(bp).ok();
        assert_eq!(
            change_points(r(7_500), r(7_150), 2024),
            "+3,5\u{a0}point(s) par rapport à 2024"
        );
    }
}
