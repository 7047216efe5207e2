//! Départements, postal codes and a buyer's territory (for the local-firm indicator).

use std::fmt;

use super::labels::labelled_enum;

/// A French département code: "01" to "95" (with "2A" and "2B" for Corsica), "971" to "976".
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
pub struct Departement(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TerritoryError {
    #[error("« {0} » n'est pas un code de département : écrivez par exemple 31, 09, 2A ou 974.")]
    UnknownDepartement(String),
    #[error("Le département 20 n'existe plus : écrivez 2A (Corse-du-Sud) ou 2B (Haute-Corse).")]
    Corsica,
    #[error("« {0} » n'est pas un code postal : un code postal français comporte 5 chiffres.")]
    PostalCode(String),
    #[error("Le territoire est vide : indiquez au moins un département (par exemple 31).")]
    EmptyTerritory,
}

impl Departement {
    pub fn parse(input: &str) -> Result<Self, TerritoryError> {
        let trimmed = input.trim();
        let upper = trimmed.to_ascii_uppercase();
        let unknown = || TerritoryError::UnknownDepartement(trimmed.to_owned());
        let code = match upper.as_str() {
            "2A" | "2B" => upper.clone(),
            "20" => return Err(TerritoryError::Corsica),
            digits if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                let n: u32 = digits.parse().map_err(|_| unknown())?;
                match n {
                    1..=95 => format!("{n:02}"),
                    971..=974 | 976 => n.to_string(),
                    _ => return Err(unknown()),
                }
            }
            _ => return Err(unknown()),
        };
        Ok(Departement(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Departement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A five-digit French postal code.
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
pub struct PostalCode(String);

impl PostalCode {
    /// Accepts "31000", "31 000" and the "1000" a spreadsheet leaves of "01000".
    pub fn parse(input: &str) -> Result<Self, TerritoryError> {
        let trimmed = input.trim();
        let digits: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        if !(4..=5).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TerritoryError::PostalCode(trimmed.to_owned()));
        }
        let code = format!("{digits:0>5}");
        if code.starts_with("00") {
            return Err(TerritoryError::PostalCode(trimmed.to_owned()));
        }
        Ok(PostalCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The département a postal code belongs to in the general case. Corsica splits at 20200;
    /// overseas codes carry three digits; 98xxx (Monaco, Pacific) have none.
    pub fn departement(&self) -> Option<Departement> {
        let code = &self.0;
        let prefix = match &code[..2] {
            "20" => {
                let n: u32 = code.parse().ok()?;
                return Some(Departement(if n < 20_200 { "2A" } else { "2B" }.to_owned()));
            }
            "97" => &code[..3],
            "98" => return None,
            two => two,
        };
        Departement::parse(prefix).ok()
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The départements a buyer considers local: never empty, sorted, without repeats.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Territory(Vec<Departement>);

impl Territory {
    pub fn new(
        departements: impl IntoIterator<Item = Departement>,
    ) -> Result<Self, TerritoryError> {
        let mut list: Vec<Departement> = departements.into_iter().collect();
        list.sort();
        list.dedup();
        if list.is_empty() {
            return Err(TerritoryError::EmptyTerritory);
        }
        Ok(Territory(list))
    }

    /// "31", "31, 09, 81", "31;09 81".
    pub fn parse(input: &str) -> Result<Self, TerritoryError> {
        let departements = input
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .map(Departement::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Territory::new(departements)
    }

    pub fn departements(&self) -> &[Departement] {
        &self.0
    }

    pub fn contains(&self, departement: &Departement) -> bool {
        self.0.binary_search(departement).is_ok()
    }
}

impl fmt::Display for Territory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<&str> = self.0.iter().map(Departement::as_str).collect();
        f.write_str(&codes.join(", "))
    }
}

super::serde_via::schema_as!(Departement, String, "Code de département (31, 2A, 974…).");
super::serde_via::schema_as!(PostalCode, String, "Code postal, 5 chiffres.");

impl utoipa::PartialSchema for Territory {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(<Departement as utoipa::PartialSchema>::schema())
            .description(Some(
                "Départements où une entreprise est locale pour l'acheteur.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Territory {}

labelled_enum! {
    /// Where an awarded establishment lies, against its buyer's territory: what the local-firm
    /// share counts (unknown without a postal code).
    pub enum Locality ("une localisation reconnue") {
        Local = "local", "Sur le territoire";
        Other = "other", "Hors du territoire";
        Unknown = "unknown", "Inconnue";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(s: &str) -> String {
        Departement::parse(s).unwrap().as_str().to_owned()
    }

    #[test]
    fn parses_departements() {
        assert_eq!(dep("31"), "31");
        assert_eq!(dep("9"), "09");
        assert_eq!(dep("2a"), "2A");
        assert_eq!(dep("974"), "974");
        for bad in ["", "0", "96", "975", "977", "2C", "abc", "310"] {
            assert!(Departement::parse(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(Departement::parse("20"), Err(TerritoryError::Corsica));
    }

    #[test]
    fn postal_codes_know_their_departement() {
        let d = |s: &str| {
            PostalCode::parse(s)
                .unwrap()
                .departement()
                .map(|d| d.as_str().to_owned())
        };
        assert_eq!(d("31000").as_deref(), Some("31"));
        assert_eq!(d("1000").as_deref(), Some("01"));
        assert_eq!(d("20000").as_deref(), Some("2A"));
        assert_eq!(d("20200").as_deref(), Some("2B"));
        assert_eq!(d("97400").as_deref(), Some("974"));
        assert_eq!(d("98000"), None);
        for bad in ["", "310000", "3100A", "00100", "123"] {
            assert!(PostalCode::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn territories_are_sorted_sets() {
        let t = Territory::parse("81, 31;09 31").unwrap();
        assert_eq!(t.to_string(), "09, 31, 81");
        assert!(t.contains(&Departement::parse("9").unwrap()));
        assert!(!t.contains(&Departement::parse("32").unwrap()));
        assert_eq!(Territory::parse(" , "), Err(TerritoryError::EmptyTerritory));
        assert!(Territory::parse("31, 99").is_err());
    }
}
