//! Fixed-point decimal parsing shared by money, hours and rates: no floats anywhere.
//!
//! French spreadsheets write "1 234,56", payroll exports "1234.56", some "1.234.567": the comma is
//! the decimal separator; a single dot is one too; spaces (also non-breaking ones) and repeated
//! dots group thousands.

/// Why a text is not a number, worded for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    #[error("la valeur est vide")]
    Empty,
    #[error("« {0} » n'est pas un nombre (exemple attendu : 1 234,56)")]
    NotANumber(String),
    #[error("« {0} » a trop de décimales ({1} au plus)")]
    TooPrecise(String, u32),
    #[error("« {0} » est trop grand")]
    TooLarge(String),
    #[error("« {0} » est négatif")]
    Negative(String),
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'')
}

/// Parses a non-negative decimal into an integer count of `10^-scale` units.
/// `parse_fixed("1 234,5", 2) == Ok(123450)`.
pub fn parse_fixed(input: &str, scale: u32) -> Result<i64, DecimalError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(DecimalError::Empty);
    }
    let compact: String = trimmed.chars().filter(|c| !is_group_space(*c)).collect();
    let (negative, body) = match compact.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, compact.strip_prefix('+').unwrap_or(&compact)),
    };
    let not_a_number = || DecimalError::NotANumber(trimmed.to_owned());
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let (int_part, frac_part) = match (commas, dots) {
        (0, 0) => (body.to_owned(), String::new()),
        (1, 0) | (0, 1) => {
            let (i, f) = body.split_once([',', '.']).ok_or_else(not_a_number)?;
            (i.to_owned(), f.to_owned())
        }
        // "1.234.567" or "1.234.567,89": dots group thousands.
        (0 | 1, _) => {
            let (i, f) = body.split_once(',').unwrap_or((body, ""));
            let groups: Vec<&str> = i.split('.').collect();
            let well_grouped = groups[0].len() <= 3
                && !groups[0].is_empty()
                && groups[1..].iter().all(|g| g.len() == 3);
            if !well_grouped {
                return Err(not_a_number());
            }
            (groups.concat(), f.to_owned())
        }
        _ => return Err(not_a_number()),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || !all_digits(&int_part)
        || !all_digits(&frac_part)
    {
        return Err(not_a_number());
    }
    let frac_trimmed = frac_part.trim_end_matches('0');
    if frac_trimmed.len() > scale as usize {
        return Err(DecimalError::TooPrecise(trimmed.to_owned(), scale));
    }
    let too_large = || DecimalError::TooLarge(trimmed.to_owned());
    let int_value: i64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().map_err(|_| too_large())?
    };
    let mut frac_value: i64 = if frac_trimmed.is_empty() {
        0
    } else {
        frac_trimmed.parse().map_err(|_| too_large())?
    };
    frac_value *= 10_i64.pow(scale - frac_trimmed.len() as u32);
    let value = int_value
        .checked_mul(10_i64.pow(scale))
        .and_then(|v| v.checked_add(frac_value))
        .ok_or_else(too_large)?;
    if negative && value != 0 {
        return Err(DecimalError::Negative(trimmed.to_owned()));
    }
    Ok(value)
}

/// Writes `units` (in `10^-scale`) the French way: thousands grouped by a narrow no-break space,
/// decimal comma, exactly `scale` decimals. `format_fixed(123450, 2) == "1 234,50"`.
pub fn format_fixed(units: i64, scale: u32) -> String {
    let divisor = 10_i64.pow(scale);
    let int_part = (units / divisor).unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    let sign = if units < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{grouped}")
    } else {
        let frac = (units % divisor).unsigned_abs();
        format!("{sign}{grouped},{frac:0width$}", width = scale as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_french_and_english_writing() {
        assert_eq!(parse_fixed("1 234,56", 2), Ok(123_456));
        assert_eq!(parse_fixed("1\u{a0}234,5", 2), Ok(123_450));
        assert_eq!(parse_fixed("1234.56", 2), Ok(123_456));
        assert_eq!(parse_fixed("1.234.567", 2), Ok(123_456_700));
        assert_eq!(parse_fixed("1.234.567,8", 2), Ok(123_456_780));
        assert_eq!(parse_fixed("  42 ", 2), Ok(4_200));
        assert_eq!(parse_fixed(",5", 2), Ok(50));
        assert_eq!(parse_fixed("3,1400", 2), Ok(314));
        assert_eq!(parse_fixed("-0", 2), Ok(0));
    }

    #[test]
    fn refuses_what_is_not_a_plain_number() {
        assert_eq!(parse_fixed("", 2), Err(DecimalError::Empty));
        assert!(matches!(
            parse_fixed("douze", 2),
            Err(DecimalError::NotANumber(_))
        ));
        assert!(matches!(
            parse_fixed("1,2,3", 2),
            Err(DecimalError::NotANumber(_))
        ));
        assert!(matches!(
            parse_fixed("12.34.5", 2),
            Err(DecimalError::NotANumber(_))
        ));
        assert!(matches!(
            parse_fixed("1e5", 2),
            Err(DecimalError::NotANumber(_))
        ));
        assert!(matches!(
            parse_fixed(",", 2),
            Err(DecimalError::NotANumber(_))
        ));
        assert!(matches!(
            parse_fixed("1,234", 2),
            Err(DecimalError::TooPrecise(_, 2))
        ));
        assert!(matches!(
            parse_fixed("-3", 2),
            Err(DecimalError::Negative(_))
        ));
        assert!(matches!(
            parse_fixed("99999999999999999999", 2),
            Err(DecimalError::TooLarge(_))
        ));
    }

    #[test]
    fn formats_the_french_way() {
        assert_eq!(format_fixed(123_456, 2), "1\u{202f}234,56");
        assert_eq!(format_fixed(5, 2), "0,05");
        assert_eq!(format_fixed(100_000_000, 0), "100\u{202f}000\u{202f}000");
        assert_eq!(format_fixed(-150, 2), "-1,50");
    }
}
