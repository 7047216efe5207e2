//! Import profiles: the columns of each kind of file, their French headers and synonyms.
//! The one place where a header typed by a person is matched to a column.

use serde::Deserialize;

use crate::domain::ImportKind;
use crate::domain::labels::normalize;

/// What a column holds; each type is parsed by the domain's own parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    Text,
    Siret,
    /// A company's SIRET, or another identifier as its key (`TVA:FR64443061841`): only the
    /// register read from a DECP file has such a column, never a profile file.
    CompanyIdentifier,
    PostalCode,
    StructureKind,
    SizeClass,
    Integer,
    /// A lot's number, also written "Lot 2" or "L2".
    Lot,
    Date,
    Money,
    Hours,
    Boolean,
    CpvCode,
    Procedure,
    AwardRole,
    Reservation,
    /// Works, supplies or services.
    ContractType,
    /// A ground of the obligation rules for leaving out a social condition.
    Ground,
    Criterion,
    Sex,
    ExitOutcome,
    /// Where a participant stands six months after exit.
    SixMonthSituation,
    Month,
    Modality,
    EmploymentContract,
    /// An e-mail address.
    Email,
}

impl ValueType {
    /// What a column of this type expects, in a sentence, and an example: for templates and for
    /// the messages of refused cells.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            ValueType::Text => ("Texte libre.", "Réhabilitation du collège"),
            ValueType::Siret => (
                "SIRET de l'établissement : 14 chiffres, espaces admis.",
                "443 061 841 00047",
            ),
            ValueType::CompanyIdentifier => (
                "SIRET de l'établissement, ou type d'identifiant de la DECP, deux-points et identifiant.",
                "TVA:FR64443061841",
            ),
            ValueType::PostalCode => ("Code postal à 5 chiffres.", "31000"),
            ValueType::Integer => ("Nombre entier.", "24"),
            ValueType::Lot => ("Numéro du lot ; vide pour un marché sans lots.", "2"),
            ValueType::Date => ("Date au format JJ/MM/AAAA.", "14/03/2025"),
            ValueType::Money => (
                "Montant en euros hors taxes, virgule décimale.",
                "125 000,50",
            ),
            ValueType::Hours => ("Nombre d'heures : 35, 35,5 ou 35h30.", "35h30"),
            ValueType::Boolean => ("Oui ou Non.", "Oui"),
            ValueType::CpvCode => (
                "Code CPV à 8 chiffres, avec ou sans chiffre de contrôle.",
                "45454000-4",
            ),
            ValueType::Month => ("Mois : MM/AAAA, AAAA-MM ou « mars 2025 ».", "03/2025"),
            ValueType::Email => ("Adresse électronique.", "contact@entreprise.fr"),
            ValueType::StructureKind
            | ValueType::SizeClass
            | ValueType::Procedure
            | ValueType::AwardRole
            | ValueType::Reservation
            | ValueType::ContractType
            | ValueType::Ground
            | ValueType::Criterion
            | ValueType::Sex
            | ValueType::ExitOutcome
            | ValueType::SixMonthSituation
            | ValueType::Modality
            | ValueType::EmploymentContract => ("Une valeur de la liste déroulante.", ""),
        }
    }

    /// Whether a profile may declare a column of type `self` with `declared`: the expected type,
    /// or `integer` for a lot, as profiles said before lots had a type of their own.
    fn accepts(self, declared: ValueType) -> bool {
        declared == self || (self == ValueType::Lot && declared == ValueType::Integer)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    pub key: String,
    pub header: String,
    #[serde(rename = "type")]
    pub value_type: ValueType,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub synonyms: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub kind: ImportKind,
    pub columns: Vec<ColumnSpec>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("Profil d'import {file} illisible : {detail}")]
    Unreadable { file: String, detail: String },
    #[error("Profil d'import {file} : {detail}")]
    Invalid { file: String, detail: String },
}

impl Profile {
    /// Parses a profile and checks it declares exactly the columns `expected` (key and type),
    /// with no header or synonym claimed by two columns.
    pub fn parse(
        file: &str,
        text: &str,
        expected: &[(&str, ValueType)],
    ) -> Result<Profile, ProfileError> {
        let invalid = |detail: String| ProfileError::Invalid {
            file: file.to_owned(),
            detail,
        };
        let mut profile: Profile = toml::from_str(text).map_err(|e| ProfileError::Unreadable {
            file: file.to_owned(),
            detail: e.to_string(),
        })?;
        for (key, value_type) in expected {
            match profile.columns.iter_mut().find(|c| c.key == *key) {
                None => return Err(invalid(format!("la colonne « {key} » manque"))),
                Some(c) if !value_type.accepts(c.value_type) => {
                    return Err(invalid(format!(
                        "la colonne « {key} » doit être de type {value_type:?}"
                    )));
                }
                Some(c) => c.value_type = *value_type,
            }
        }
        if let Some(extra) = profile
            .columns
            .iter()
            .find(|c| !expected.iter().any(|(k, _)| *k == c.key))
        {
            return Err(invalid(format!(
                "la colonne « {} » n'est pas connue pour ce type d'import",
                extra.key
            )));
        }
        let mut seen: Vec<(String, &str)> = Vec::new();
        for column in &profile.columns {
            for spelling in std::iter::once(&column.header).chain(&column.synonyms) {
                let normal = normalize(spelling);
                if let Some((_, other)) = seen.iter().find(|(n, _)| *n == normal) {
                    return Err(invalid(format!(
                        "l'en-tête « {spelling} » désigne à la fois « {other} » et « {} »",
                        column.key
                    )));
                }
                seen.push((normal, &column.key));
            }
        }
        Ok(profile)
    }

    /// The canonical header of the column `key`, for messages.
    pub fn header_of(&self, key: &str) -> Option<String> {
        self.columns
            .iter()
            .find(|c| c.key == key)
            .map(|c| c.header.clone())
    }

    /// The column a header designates, if any.
    pub fn column_for_header(&self, header: &str) -> Option<usize> {
        let wanted = normalize(header);
        if wanted.is_empty() {
            return None;
        }
        self.columns.iter().position(|c| {
            normalize(&c.header) == wanted || c.synonyms.iter().any(|s| normalize(s) == wanted)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPECTED: &[(&str, ValueType)] =
        &[("siret", ValueType::Siret), ("name", ValueType::Text)];

    fn profile(text: &str) -> Result<Profile, ProfileError> {
        Profile::parse("test.toml", text, EXPECTED)
    }

    const GOOD: &str = r#"
        kind = "structures"
        [[columns]]
        key = "siret"
        header = "SIRET"
        type = "siret"
        required = true
        synonyms = ["N° SIRET"]
        [[columns]]
        key = "name"
        header = "Raison sociale"
        type = "text"
    "#;

    #[test]
    fn headers_match_ignoring_case_accents_spaces_and_synonyms() {
        let p = profile(GOOD).unwrap();
        assert_eq!(p.column_for_header(" n°  siret "), Some(0));
        assert_eq!(p.column_for_header("RAISON-SOCIALE"), Some(1));
        assert_eq!(p.column_for_header("Observations"), None);
        assert_eq!(p.column_for_header(""), None);
    }

    #[test]
    fn refuses_profiles_that_do_not_fit_the_kind() {
        let missing = GOOD.replace("key = \"name\"", "key = \"nom\"");
        assert!(
            profile(&missing)
                .unwrap_err()
                .to_string()
                .contains("« name » manque")
        );
        let wrong_type = GOOD.replace("type = \"text\"", "type = \"siret\"");
        assert!(
            profile(&wrong_type)
                .unwrap_err()
                .to_string()
                .contains("doit être de type")
        );
        let clash = GOOD.replace(
            "synonyms = [\"N° SIRET\"]",
            "synonyms = [\"Raison sociale\"]",
        );
        assert!(
            profile(&clash)
                .unwrap_err()
                .to_string()
                .contains("à la fois")
        );
        assert!(profile("kind = 3").is_err());
    }

    #[test]
    fn a_lot_declared_as_an_integer_is_read_as_a_lot() {
        let expected = &[("lot", ValueType::Lot)];
        let text =
            "kind = \"hours\"\n[[columns]]\nkey = \"lot\"\nheader = \"Lot\"\ntype = \"integer\"\n";
        let profile = Profile::parse("hours.toml", text, expected).unwrap();
        assert_eq!(profile.columns[0].value_type, ValueType::Lot);
        let text = text.replace("integer", "date");
        assert!(Profile::parse("hours.toml", &text, expected).is_err());
    }
}
