//! CPV codes (Common Procurement Vocabulary) and the contract type they imply.

use std::fmt;

use super::contract::ContractType;

/// An 8-digit CPV code, stored without its optional check digit ("45000000").
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(transparent)]
pub struct CpvCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "« {0} » n'est pas un code CPV : un code CPV s'écrit avec 8 chiffres, suivis ou non d'un tiret et d'un chiffre de contrôle (exemple : 45210000-2)."
)]
pub struct CpvError(String);

impl CpvCode {
    /// Accepts "45210000", "45210000-2", "45 21 00 00-2".
    pub fn parse(input: &str) -> Result<Self, CpvError> {
        let trimmed = input.trim();
        let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        let main = match compact.split_once('-') {
            Some((main, check))
                if check.len() == 1 && check.bytes().all(|b| b.is_ascii_digit()) =>
            {
                main
            }
            Some(_) => return Err(CpvError(trimmed.to_owned())),
            None => compact.as_str(),
        };
        let well_formed = main.len() == 8 && main.bytes().all(|b| b.is_ascii_digit());
        // Divisions start at 03: "00…" and "01…" ("Agriculture" is 03) are not codes.
        if !well_formed || main[..2].parse::<u8>().is_ok_and(|d| d < 3) {
            return Err(CpvError(trimmed.to_owned()));
        }
        Ok(CpvCode(main.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first two digits, e.g. 45 for construction work.
    pub fn division(&self) -> u8 {
        self.0[..2].parse().expect("validated digits")
    }

    /// Division 45 is works; 03 to 44 and 48 are supplies; everything else is services.
    pub fn contract_type(&self) -> ContractType {
        match self.division() {
            45 => ContractType::Works,
            3..=44 | 48 => ContractType::Supplies,
            _ => ContractType::Services,
        }
    }
}

impl fmt::Display for CpvCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

super::serde_via::deserialize_by_parsing_str!(CpvCode);

super::serde_via::schema_as!(CpvCode, String, "Code CPV, 8 chiffres.");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_or_without_check_digit() {
        assert_eq!(CpvCode::parse("45210000-2").unwrap().as_str(), "45210000");
        assert_eq!(
            CpvCode::parse(" 45 21 00 00 ").unwrap().as_str(),
            "45210000"
        );
        assert_eq!(CpvCode::parse("90910000").unwrap().division(), 90);
    }

    #[test]
    fn refuses_malformed_codes() {
        for bad in [
            "",
            "4521000",
            "452100001",
            "45210000-22",
            "45210000-x",
            "4521000A",
            "00000000",
            "01234567",
        ] {
            assert!(CpvCode::parse(bad).is_err(), "{bad} should be refused");
        }
        assert!(
            CpvCode::parse("4521")
                .unwrap_err()
                .to_string()
                .contains("8 chiffres")
        );
    }

    #[test]
    fn derives_the_contract_type() {
        let kind = |s: &str| CpvCode::parse(s).unwrap().contract_type();
        assert_eq!(kind("45210000"), ContractType::Works);
        assert_eq!(kind("30190000"), ContractType::Supplies);
        assert_eq!(kind("03000000"), ContractType::Supplies);
        assert_eq!(kind("48000000"), ContractType::Supplies);
        assert_eq!(kind("90910000"), ContractType::Services);
        assert_eq!(kind("79620000"), ContractType::Services);
    }
}
