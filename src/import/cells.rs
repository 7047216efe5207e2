//! From a cell to a typed value, through the domain's parsers, with a French message when the
//! cell does not hold what its column expects.

use chrono::{Days, NaiveDate};

use super::problem::grouped;
use super::profile::ValueType;
use super::reader::{Cell, MAX_CELL_CHARS};
use crate::domain::date::parse_date;
use crate::domain::decimal::{DecimalError, parse_fixed};
use crate::domain::lot::{LotNumberError, parse_lot_number};
use crate::domain::{
    AwardRole, CompanyIdentifier, ContractType, CpvCode, EligibilityCriterion, Email,
    EmploymentContract, ExitOutcome, Hours, Labelled, Modality, Money, Month, PostalCode,
    Procedure, Reservation, Sex, Siret, SixMonthSituation, SizeClass, StructureKind,
};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Siret(Siret),
    Company(CompanyIdentifier),
    PostalCode(PostalCode),
    StructureKind(StructureKind),
    SizeClass(SizeClass),
    Integer(i64),
    Date(NaiveDate),
    Money(Money),
    Hours(Hours),
    Boolean(bool),
    CpvCode(CpvCode),
    Procedure(Procedure),
    AwardRole(AwardRole),
    Reservation(Reservation),
    ContractType(ContractType),
    Criterion(EligibilityCriterion),
    Sex(Sex),
    ExitOutcome(ExitOutcome),
    SixMonthSituation(SixMonthSituation),
    Month(Month),
    Modality(Modality),
    EmploymentContract(EmploymentContract),
    Email(Email),
    /// « effacer », in a column where it clears a stored fact.
    Clear,
}

pub fn convert(cell: &Cell, value_type: ValueType) -> Result<Value, String> {
    match cell {
        Cell::Error(code) => {
            return Err(format!(
                "La cellule contient une erreur de formule ({code}) : corrigez la formule ou saisissez la valeur."
            ));
        }
        Cell::TooLong { chars, .. } => {
            return Err(format!(
                "La cellule compte {} caractères, au-delà des {} qu'une cellule de tableur peut contenir : raccourcissez-la.",
                grouped(*chars),
                grouped(MAX_CELL_CHARS)
            ));
        }
        _ => {}
    }
    // Spreadsheets store SIRETs, postal codes and amounts as numbers: their text is the value.
    let text = match value_type {
        ValueType::Text => cell.display(),
        _ => without_text_marker(cell.display()),
    };
    match value_type {
        ValueType::Text => Ok(Value::Text(text)),
        ValueType::Siret => siret(cell, &text).map(Value::Siret),
        ValueType::CompanyIdentifier => CompanyIdentifier::parse(&text)
            .map(Value::Company)
            .map_err(|e| e.to_string()),
        ValueType::PostalCode => PostalCode::parse(&text)
            .map(Value::PostalCode)
            .map_err(|e| e.to_string()),
        ValueType::CpvCode => CpvCode::parse(&text)
            .map(Value::CpvCode)
            .map_err(|e| e.to_string()),
        // The obligation rules list the grounds: the register's checks read them.
        ValueType::Ground => Ok(Value::Text(text)),
        ValueType::StructureKind
        | ValueType::SizeClass
        | ValueType::Procedure
        | ValueType::AwardRole
        | ValueType::Reservation
        | ValueType::ContractType
        | ValueType::Criterion
        | ValueType::Sex
        | ValueType::ExitOutcome
        | ValueType::SixMonthSituation
        | ValueType::Modality
        | ValueType::EmploymentContract => enumeration(value_type, &text),
        ValueType::Month => month(cell, &text).map(Value::Month),
        ValueType::Email => Email::parse(&text)
            .map(Value::Email)
            .map_err(|e| e.to_string()),
        ValueType::Integer => integer(cell, &text).map(Value::Integer),
        ValueType::Lot => match cell {
            Cell::Integer(_) | Cell::Number(_) => {
                integer(cell, &text).ok().ok_or(LotNumberError(text))
            }
            _ => parse_lot_number(&text),
        }
        .map(Value::Integer)
        .map_err(|e| e.to_string()),
        ValueType::Date => date(cell, &text).map(Value::Date),
        ValueType::Boolean => boolean(cell, &text).map(Value::Boolean),
        ValueType::Money => match cell {
            Cell::Number(_) | Cell::Integer(_) => {
                fixed(cell, 2).and_then(|cents| Money::from_cents(cents).map_err(|e| e.to_string()))
            }
            _ => Money::parse(&text).map_err(|e| e.to_string()),
        }
        .map(Value::Money),
        ValueType::Hours => match cell {
            Cell::Number(_) | Cell::Integer(_) => {
                fixed(cell, 2).and_then(|h| Hours::from_hundredths(h).map_err(|e| e.to_string()))
            }
            // A duration cell holds the hours themselves ([h]:mm), not a number of hours.
            Cell::Duration(seconds) => Hours::from_seconds(*seconds).map_err(|e| e.to_string()),
            _ => Hours::parse(&text).map_err(|e| e.to_string()),
        }
        .map(Value::Hours),
    }
}

/// A value of one of the glossary's enumerations, read from any of its spellings.
fn enumeration(value_type: ValueType, text: &str) -> Result<Value, String> {
    fn label<T: Labelled>(text: &str, value: fn(T) -> Value) -> Result<Value, String> {
        T::parse_label(text).map(value).map_err(|e| e.to_string())
    }
    match value_type {
        ValueType::StructureKind => label(text, Value::StructureKind),
        ValueType::SizeClass => label(text, Value::SizeClass),
        ValueType::Procedure => label(text, Value::Procedure),
        ValueType::AwardRole => label(text, Value::AwardRole),
        ValueType::Reservation => label(text, Value::Reservation),
        ValueType::ContractType => label(text, Value::ContractType),
        ValueType::Criterion => label(text, Value::Criterion),
        ValueType::Sex => label(text, Value::Sex),
        ValueType::ExitOutcome => label(text, Value::ExitOutcome),
        ValueType::SixMonthSituation => label(text, Value::SixMonthSituation),
        ValueType::Modality => label(text, Value::Modality),
        ValueType::EmploymentContract => label(text, Value::EmploymentContract),
        // Not an enumeration: its text as it is.
        _ => Ok(Value::Text(text.to_owned())),
    }
}

/// A number cell in units of 10^-scale. Formulas leave float noise (1234.5600000000002): a value
/// within a millionth of a unit is that unit; anything finer is refused, never rounded away.
fn fixed(cell: &Cell, scale: u32) -> Result<i64, String> {
    let factor = 10_f64.powi(scale as i32);
    let value = match cell {
        Cell::Integer(i) => {
            return i
                .checked_mul(10_i64.pow(scale))
                .ok_or_else(|| format!("« {i} » est trop grand."));
        }
        Cell::Number(f) => *f,
        other => return Err(format!("« {} » n'est pas un nombre.", other.display())),
    };
    let scaled = value * factor;
    let rounded = scaled.round();
    if !scaled.is_finite() || rounded.abs() > 9.0e15 {
        return Err(format!("« {value} » n'est pas un nombre utilisable."));
    }
    if (scaled - rounded).abs() > 1e-6 * rounded.abs().max(1.0) {
        return Err(DecimalError::TooPrecise(format!("{value}"), scale).to_string());
    }
    Ok(rounded as i64)
}

/// An apostrophe in front of a value is the spreadsheet's mark for "keep this as text", which
/// some exports write out: it is not part of the value.
fn without_text_marker(text: String) -> String {
    match text.strip_prefix('\'') {
        Some(rest) => rest.trim_start().to_owned(),
        None => text,
    }
}

/// A SIRET, from its text or from the number a spreadsheet made of it. A number that ends in
/// zeros and is no SIRET is one the spreadsheet rounded (exported as "8,49374E+13", then read
/// back): it is named as the spreadsheet showed it, so the message says what happened.
fn siret(cell: &Cell, text: &str) -> Result<Siret, String> {
    Siret::parse(text).map_err(|error| {
        let rounded = match cell {
            Cell::Number(_) | Cell::Integer(_) => fixed(cell, 0).ok().and_then(as_rounded),
            _ => None,
        };
        rounded
            .and_then(|shown| Siret::parse(&shown).err())
            .unwrap_or(error)
            .to_string()
    })
}

/// A number of 13 digits or more that ends with at least four zeros, written as a spreadsheet
/// shows it once rounded: "8,49374E+13".
fn as_rounded(value: i64) -> Option<String> {
    let digits = value.to_string();
    let significant = digits.trim_end_matches('0');
    if digits.len() < 13 || digits.len() - significant.len() < 4 {
        return None;
    }
    let (first, rest) = significant.split_at(1);
    let comma = if rest.is_empty() { "" } else { "," };
    Some(format!("{first}{comma}{rest}E+{}", digits.len() - 1))
}

fn integer(cell: &Cell, text: &str) -> Result<i64, String> {
    let (_, example) = ValueType::Integer.describe();
    let not_whole = || {
        format!(
            "« {text} » n'est pas un nombre entier : écrivez-le en chiffres, sans décimales, par exemple {example}."
        )
    };
    match cell {
        Cell::Integer(i) => Ok(*i),
        Cell::Number(_) => fixed(cell, 0).map_err(|_| not_whole()),
        _ => parse_fixed(text, 0).map_err(|e| match e {
            DecimalError::TooLarge(_) | DecimalError::Negative(_) => {
                format!("Nombre entier attendu : {e}.")
            }
            _ => not_whole(),
        }),
    }
}

/// Day 0 of the 1900 date system as Excel counts it (its 1900 leap-year bug included).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).expect("a valid date")
}

fn date(cell: &Cell, text: &str) -> Result<NaiveDate, String> {
    let refused =
        || format!("« {text} » n'est pas une date : écrivez-la 31/01/2025 ou 31 janvier 2025.");
    match cell {
        Cell::DateTime(dt) => Ok(dt.date()),
        // An unformatted date is its serial number, days since the 1900 epoch.
        Cell::Integer(_) | Cell::Number(_) => {
            let days = integer(cell, text).map_err(|_| refused())?;
            u64::try_from(days)
                .ok()
                .filter(|d| (1..=110_000).contains(d))
                .and_then(|d| excel_epoch().checked_add_days(Days::new(d)))
                .ok_or_else(refused)
        }
        _ => parse_date(text).ok_or_else(refused),
    }
}

/// A month as an Excel date (its month), a serial, or text ("2025-03", "03/2025", "mars 2025").
fn month(cell: &Cell, text: &str) -> Result<Month, String> {
    match cell {
        Cell::DateTime(_) | Cell::Integer(_) | Cell::Number(_) => {
            date(cell, text).and_then(|d| Month::of_date(d).map_err(|e| e.to_string()))
        }
        _ => Month::parse(text).map_err(|e| e.to_string()),
    }
}

fn boolean(cell: &Cell, text: &str) -> Result<bool, String> {
    if let Cell::Bool(b) = cell {
        return Ok(*b);
    }
    match crate::domain::labels::normalize(text).as_str() {
        "oui" | "o" | "x" | "vrai" | "true" | "yes" | "1" => Ok(true),
        "non" | "n" | "faux" | "false" | "no" | "0" => Ok(false),
        _ => Err(format!(
            "« {text} » n'est ni Oui ni Non : écrivez Oui ou Non."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stand_for_the_identifiers_they_hold() {
        assert_eq!(
            convert(&Cell::Number(44306184100047.0), ValueType::Siret),
            Ok(Value::Siret(Siret::parse("44306184100047").unwrap()))
        );
        assert_eq!(
            convert(&Cell::Integer(1000), ValueType::PostalCode),
            Ok(Value::PostalCode(PostalCode::parse("01000").unwrap()))
        );
    }

    #[test]
    fn enumerations_by_their_french_labels() {
        assert_eq!(
            convert(
                &Cell::Text("entreprise adaptée".into()),
                ValueType::StructureKind
            ),
            Ok(Value::StructureKind(StructureKind::Ea))
        );
        assert_eq!(
            convert(&Cell::Text(" tpe ".into()), ValueType::SizeClass),
            Ok(Value::SizeClass(SizeClass::Micro))
        );
        assert_eq!(
            convert(&Cell::Text("MAPA".into()), ValueType::Procedure),
            Ok(Value::Procedure(Procedure::Adapted))
        );
        assert!(
            convert(&Cell::Text("Coopérative".into()), ValueType::StructureKind)
                .unwrap_err()
                .contains("Valeurs acceptées")
        );
    }

    #[test]
    fn amounts_and_hours_are_exact_whatever_the_cell() {
        let money = |cell| convert(&cell, ValueType::Money);
        assert_eq!(
            money(Cell::Number(1234.5600000000002)),
            Ok(Value::Money(Money::from_cents(123_456).unwrap()))
        );
        assert_eq!(
            money(Cell::Text("125 000,50 €".into())),
            Ok(Value::Money(Money::from_cents(12_500_050).unwrap()))
        );
        assert_eq!(
            money(Cell::Integer(40_000)),
            Ok(Value::Money(Money::from_euros(40_000).unwrap()))
        );
        assert!(money(Cell::Number(12.345)).is_err());
        assert!(money(Cell::Number(-5.0)).is_err());
        let hours = |cell| convert(&cell, ValueType::Hours);
        assert_eq!(
            hours(Cell::Number(35.5)),
            Ok(Value::Hours(Hours::from_hundredths(3_550).unwrap()))
        );
        assert_eq!(
            hours(Cell::Text("35h30".into())),
            Ok(Value::Hours(Hours::from_hundredths(3_550).unwrap()))
        );
    }

    #[test]
    fn dates_as_excel_dates_serials_or_french_text() {
        let d = |y, m, day| Ok(Value::Date(NaiveDate::from_ymd_opt(y, m, day).unwrap()));
        let midnight = NaiveDate::from_ymd_opt(2025, 3, 14)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(
            convert(&Cell::DateTime(midnight), ValueType::Date),
            d(2025, 3, 14)
        );
        assert_eq!(
            convert(&Cell::Integer(45_730), ValueType::Date),
            d(2025, 3, 14)
        );
        assert_eq!(
            convert(&Cell::Text("14/03/2025".into()), ValueType::Date),
            d(2025, 3, 14)
        );
        assert_eq!(
            convert(&Cell::Text("2025-03-14".into()), ValueType::Date),
            d(2025, 3, 14)
        );
        assert_eq!(
            convert(&Cell::Text("1er mars 2025".into()), ValueType::Date),
            d(2025, 3, 1)
        );
        assert!(
            convert(&Cell::Text("14 mars".into()), ValueType::Date)
                .unwrap_err()
                .contains("31/01/2025")
        );
        assert!(convert(&Cell::Integer(-3), ValueType::Date).is_err());
    }

    #[test]
    fn months_as_dates_serials_or_text() {
        let march = Ok(Value::Month(Month::new(2025, 3).unwrap()));
        let midnight = chrono::NaiveDate::from_ymd_opt(2025, 3, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(convert(&Cell::DateTime(midnight), ValueType::Month), march);
        assert_eq!(convert(&Cell::Integer(45_717), ValueType::Month), march);
        assert_eq!(
            convert(&Cell::Text("Mars-25".into()), ValueType::Month),
            march
        );
        assert!(convert(&Cell::Text("13/2025".into()), ValueType::Month).is_err());
    }

    #[test]
    fn yes_and_no_as_people_write_them() {
        for yes in ["Oui", "O", "x", "VRAI", "true", "1"] {
            assert_eq!(
                convert(&Cell::Text(yes.into()), ValueType::Boolean),
                Ok(Value::Boolean(true)),
                "{yes}"
            );
        }
        for no in ["Non", "n", "Faux", "false", "0"] {
            assert_eq!(
                convert(&Cell::Text(no.into()), ValueType::Boolean),
                Ok(Value::Boolean(false)),
                "{no}"
            );
        }
        assert!(convert(&Cell::Text("peut-être".into()), ValueType::Boolean).is_err());
        assert_eq!(
            convert(&Cell::Bool(true), ValueType::Boolean),
            Ok(Value::Boolean(true))
        );
    }

    #[test]
    fn durations_are_hours_worked() {
        assert_eq!(
            convert(&Cell::Duration(151 * 3_600 + 30 * 60), ValueType::Hours),
            Ok(Value::Hours(Hours::from_hundredths(15_150).unwrap()))
        );
        assert!(convert(&Cell::Duration(-1_800), ValueType::Hours).is_err());
        let message = convert(&Cell::Duration(3_600), ValueType::Date).unwrap_err();
        assert!(message.contains("« 1:00 » n'est pas une date"), "{message}");
    }

    #[test]
    fn lots_by_their_number_or_their_label() {
        for cell in [
            Cell::Integer(2),
            Cell::Number(2.0),
            Cell::Text("Lot 2".into()),
            Cell::Text("lot n°2".into()),
            Cell::Text("L2".into()),
        ] {
            assert_eq!(
                convert(&cell, ValueType::Lot),
                Ok(Value::Integer(2)),
                "{cell:?}"
            );
        }
        let message = convert(&Cell::Number(2.5), ValueType::Lot).unwrap_err();
        assert!(
            message.contains("« 2.5 » n'est pas un numéro de lot"),
            "{message}"
        );
    }

    #[test]
    fn the_apostrophe_that_marks_text_is_not_part_of_the_value() {
        assert_eq!(
            convert(&Cell::Text("'44306184100047".into()), ValueType::Siret),
            Ok(Value::Siret(Siret::parse("44306184100047").unwrap()))
        );
        assert_eq!(
            convert(&Cell::Text("'01000".into()), ValueType::PostalCode),
            Ok(Value::PostalCode(PostalCode::parse("01000").unwrap()))
        );
        assert_eq!(
            convert(&Cell::Text("'L'Atelier".into()), ValueType::Text),
            Ok(Value::Text("'L'Atelier".into()))
        );
    }

    #[test]
    fn a_siret_number_a_spreadsheet_rounded_is_named_as_it_showed_it() {
        for cell in [
            Cell::Number(84_937_400_000_000.0),
            Cell::Text("8,49374E+13".into()),
        ] {
            let message = convert(&cell, ValueType::Siret).unwrap_err();
            assert!(
                message.contains("« 8,49374E+13 » a été arrondi"),
                "{cell:?}: {message}"
            );
        }
        // A number with all its digits is a mistyped SIRET, not a rounded one.
        let message = convert(&Cell::Number(12_345_678_901_234.0), ValueType::Siret).unwrap_err();
        assert!(message.contains("clé de contrôle"), "{message}");
        assert_eq!(as_rounded(80_000_000_000_000), Some("8E+13".to_owned()));
        assert_eq!(as_rounded(84_937_412_345_670), None);
    }

    #[test]
    fn whole_numbers_are_explained_with_a_whole_example() {
        for cell in [
            Cell::Text("24,5".into()),
            Cell::Number(24.5),
            Cell::Text("vingt".into()),
        ] {
            let message = convert(&cell, ValueType::Integer).unwrap_err();
            assert!(
                message.contains("n'est pas un nombre entier")
                    && message.contains("par exemple 24")
                    && !message.contains("1 234,56"),
                "{cell:?}: {message}"
            );
        }
    }

    #[test]
    fn formula_errors_are_explained() {
        let message = convert(&Cell::Error("#Div0".into()), ValueType::Text).unwrap_err();
        assert!(message.contains("erreur de formule"), "{message}");
    }
}
