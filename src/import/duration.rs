//! Durations as spreadsheets store them, in whole seconds: Excel and its binary formats as a
//! fraction of a day (a `[h]:mm` cell holding 6,3125 is 151 h 30), OpenDocument as ISO 8601
//! text (`PT151H30M00S`).

const SECONDS_PER_DAY: f64 = 86_400.0;

/// A number of days, to the nearest second; `None` beyond what a spreadsheet can hold.
pub fn from_days(days: f64) -> Option<i64> {
    let seconds = (days * SECONDS_PER_DAY).round();
    (seconds.is_finite() && seconds.abs() < 9.0e15).then_some(seconds as i64)
}

/// An ISO 8601 duration of days, hours, minutes and seconds ("PT151H30M00S", "P1DT2H",
/// "-PT0H30M", "PT7H20M0.5S"), to the nearest second. Years, months and weeks, which no
/// spreadsheet writes for a duration cell, are not read.
pub fn from_iso(text: &str) -> Option<i64> {
    let (sign, rest) = match text.trim().strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, text.trim()),
    };
    let rest = rest.strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let days = components(date, &[('D', SECONDS_PER_DAY)])?;
    let clock = components(time, &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)])?;
    if date.is_empty() && time.is_empty() {
        return None;
    }
    from_days(sign * (days + clock) / SECONDS_PER_DAY)
}

/// The seconds of "151H30M00S": each number followed by its unit, the units in the order given.
fn components(text: &str, units: &[(char, f64)]) -> Option<f64> {
    let mut seconds = 0.0;
    let mut rest = text;
    let mut units = units.iter();
    while !rest.is_empty() {
        let end = rest.find(|c: char| !c.is_ascii_digit() && c != '.' && c != ',')?;
        let number: f64 = rest[..end].replace(',', ".").parse().ok()?;
        let designator = rest[end..].chars().next()?;
        let (_, factor) = units.find(|(unit, _)| *unit == designator)?;
        seconds += number * factor;
        rest = &rest[end + designator.len_utf8()..];
    }
    Some(seconds)
}

/// A duration as a `[h]:mm` cell shows it: "151:30", "7:20:15", "-0:30".
pub fn display(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let total = seconds.unsigned_abs();
    let (hours, minutes, rest) = (total / 3_600, total % 3_600 / 60, total % 60);
    if rest == 0 {
        format!("{sign}{hours}:{minutes:02}")
    } else {
        format!("{sign}{hours}:{minutes:02}:{rest:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_of_a_day_to_the_second() {
        assert_eq!(from_days(6.3125), Some(151 * 3_600 + 30 * 60));
        assert_eq!(from_days(7.0 / 24.0 + 20.0 / 1_440.0), Some(26_400));
        assert_eq!(from_days(f64::NAN), None);
        assert_eq!(from_days(1e300), None);
    }

    #[test]
    fn iso_durations_as_opendocument_writes_them() {
        assert_eq!(from_iso("PT151H30M00S"), Some(151 * 3_600 + 30 * 60));
        assert_eq!(from_iso("PT07H20M00S"), Some(26_400));
        assert_eq!(from_iso("P1DT2H"), Some(26 * 3_600));
        assert_eq!(from_iso("-PT0H30M"), Some(-1_800));
        assert_eq!(from_iso("PT7H20M0.6S"), Some(26_401));
        for bad in [
            "",
            "P",
            "PT",
            "151:30",
            "PT5X",
            "P1M",
            "PT1S2H",
            "2025-03-01",
        ] {
            assert_eq!(from_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn shown_as_hours_and_minutes() {
        assert_eq!(display(151 * 3_600 + 30 * 60), "151:30");
        assert_eq!(display(26_415), "7:20:15");
        assert_eq!(display(-1_800), "-0:30");
    }
}
