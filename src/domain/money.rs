//! Amounts in euro cents: integers, never floats, never negative.

use std::fmt;

use super::decimal::{DecimalError, format_fixed, parse_fixed};

/// A non-negative amount of money, in cents of euro (HT unless said otherwise).
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
pub struct Money(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("Montant incorrect : {0}. Écrivez un montant en euros, par exemple 125 000,50.")]
    Invalid(DecimalError),
    #[error("Un montant ne peut pas être négatif ({0} centimes).")]
    Negative(i64),
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_cents(cents: i64) -> Result<Self, MoneyError> {
        if cents < 0 {
            return Err(MoneyError::Negative(cents));
        }
        Ok(Money(cents))
    }

    pub fn from_euros(euros: i64) -> Result<Self, MoneyError> {
        euros
            .checked_mul(100)
            .ok_or(MoneyError::Invalid(DecimalError::TooLarge(
                euros.to_string(),
            )))
            .and_then(Self::from_cents)
    }

    /// Parses what a person types: "125 000", "125 000,50 €", "125000.5", "1.250.000 EUR".
    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        let without_unit = input.trim().trim_end_matches('€').trim_end();
        let without_unit = without_unit
            .strip_suffix("EUR")
            .or_else(|| without_unit.strip_suffix("eur"))
            .unwrap_or(without_unit);
        parse_fixed(without_unit, 2)
            .map(Money)
            .map_err(MoneyError::Invalid)
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

/// Totals of amounts saturate at the largest count of cents, far beyond any real total.
impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.fold(0_i64, |total, m| total.saturating_add(m.0)))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\u{a0}€", format_fixed(self.0, 2))
    }
}

super::serde_via::deserialize_by_checking_int!(Money, Money::from_cents);

super::serde_via::schema_as!(Money, Integer, "Montant, en centimes d'euro.");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_typed_amounts() {
        assert_eq!(Money::parse("125 000,50 €").unwrap().cents(), 12_500_050);
        assert_eq!(Money::parse("1.250.000 EUR").unwrap().cents(), 125_000_000);
        assert_eq!(Money::parse("0,1").unwrap().cents(), 10);
        assert_eq!(Money::from_euros(30).unwrap().cents(), 3_000);
    }

    #[test]
    fn refuses_negative_or_garbled_amounts() {
        assert!(matches!(
            Money::parse("-5"),
            Err(MoneyError::Invalid(DecimalError::Negative(_)))
        ));
        assert_eq!(Money::from_cents(-1), Err(MoneyError::Negative(-1)));
        assert!(Money::parse("12,345").is_err());
        assert!(Money::parse("cent euros").is_err());
        let message = Money::parse("abc").unwrap_err().to_string();
        assert!(message.contains("125 000,50"), "{message}");
    }

    #[test]
    fn displays_in_french() {
        assert_eq!(
            Money::from_cents(123_456_789).unwrap().to_string(),
            "1\u{202f}234\u{202f}567,89\u{a0}€"
        );
    }

    #[test]
    fn deserializing_refuses_negative_cents() {
        assert!(serde_json::from_str::<Money>("-3").is_err());
        assert_eq!(serde_json::from_str::<Money>("300").unwrap().cents(), 300);
    }
}
