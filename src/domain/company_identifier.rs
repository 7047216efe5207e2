//! How a company is identified. Most are French establishments with a SIRET; the DECP also
//! names titulaires by an intra-community VAT number or by an identifier of an overseas or
//! foreign register (`typeIdentifiant`), and such a company has no SIRET at all.

use std::fmt;

use super::Siret;
use super::siret::SiretError;

/// The DECP's kinds of company identifier (`typeIdentifiant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdentifierKind {
    Siret,
    /// Intra-community VAT number: a European company without a French establishment.
    Tva,
    /// Polynésie française's register.
    Tahiti,
    /// Nouvelle-Calédonie's register.
    Ridet,
    /// Wallis-et-Futuna's register.
    Frwf,
    /// Identifiant du répertoire des entreprises de Saint-Pierre-et-Miquelon.
    Irep,
    /// Any identifier of a company outside the European Union.
    HorsUe,
}

impl IdentifierKind {
    pub const ALL: [IdentifierKind; 7] = [
        IdentifierKind::Siret,
        IdentifierKind::Tva,
        IdentifierKind::Tahiti,
        IdentifierKind::Ridet,
        IdentifierKind::Frwf,
        IdentifierKind::Irep,
        IdentifierKind::HorsUe,
    ];

    /// As the DECP writes it, and as it is stored.
    pub fn code(self) -> &'static str {
        match self {
            IdentifierKind::Siret => "SIRET",
            IdentifierKind::Tva => "TVA",
            IdentifierKind::Tahiti => "TAHITI",
            IdentifierKind::Ridet => "RIDET",
            IdentifierKind::Frwf => "FRWF",
            IdentifierKind::Irep => "IREP",
            IdentifierKind::HorsUe => "HORS-UE",
        }
    }

    /// What pages and workbooks call it.
    pub fn label(self) -> &'static str {
        match self {
            IdentifierKind::Siret => "SIRET",
            IdentifierKind::Tva => "TVA intracommunautaire",
            IdentifierKind::Tahiti => "Numéro TAHITI (Polynésie française)",
            IdentifierKind::Ridet => "RIDET (Nouvelle-Calédonie)",
            IdentifierKind::Frwf => "Identifiant FRWF (Wallis-et-Futuna)",
            IdentifierKind::Irep => "Identifiant IREP (Saint-Pierre-et-Miquelon)",
            IdentifierKind::HorsUe => "Identifiant étranger (HORS-UE)",
        }
    }

    /// The kind a code names, in any case; published files also write `HORS_UE`.
    pub fn from_code(code: &str) -> Option<IdentifierKind> {
        let code = code.trim().to_uppercase().replace('_', "-");
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A company's identifier: its SIRET, or another kind and the identifier as published. It is
/// held as its key: a SIRET's 14 digits (so that what was keyed by SIRET stays so), otherwise
/// the kind's code, a colon and the identifier (`TVA:FR64443061841`); one text naming any
/// company, in lookups, storage and addresses.
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
pub struct CompanyIdentifier {
    #[serde(skip)]
    kind: IdentifierKind,
    key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error(transparent)]
    Siret(#[from] SiretError),
    #[error("L'identifiant de l'entreprise est vide : indiquez-le.")]
    Empty,
    #[error(
        "Le type d'identifiant « {0} » est inconnu : SIRET, TVA, TAHITI, RIDET, FRWF, IREP ou HORS-UE sont attendus."
    )]
    UnknownKind(String),
    #[error(
        "« {0} » n'est pas un numéro de TVA intracommunautaire : deux lettres du pays puis 2 à 13 chiffres ou lettres, par exemple FR32123456789."
    )]
    NotVat(String),
    #[error(
        "Le numéro de TVA « {0} » est faux : sa clé ne correspond pas au SIREN qui la suit (FR, clé à 2 chiffres, SIREN à 9 chiffres)."
    )]
    FrenchVatKey(String),
    #[error(
        "L'identifiant « {0} » n'est pas lisible : au plus 40 lettres, chiffres, tirets, points ou soulignés."
    )]
    Unreadable(String),
}

/// The longest identifier kept other than a SIRET: the registers' own are far shorter.
const MAX_OTHER_CHARS: usize = 40;

/// Country prefixes of intra-community VAT numbers (EL is Greece, XI Northern Ireland).
const VAT_COUNTRIES: [&str; 28] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
];

impl CompanyIdentifier {
    /// The identifier `id` of kind `kind`, checked: a SIRET by its checksum, a VAT number by
    /// its country and, for a French one, its key.
    pub fn of_kind(kind: IdentifierKind, id: &str) -> Result<CompanyIdentifier, IdentifierError> {
        if kind == IdentifierKind::Siret {
            return Ok(Siret::parse(id)?.into());
        }
        let compact: String = id.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(IdentifierError::Empty);
        }
        let id = match kind {
            IdentifierKind::Tva => vat(&compact)?,
            _ => other(&compact)?,
        };
        Ok(CompanyIdentifier {
            kind,
            key: format!("{}:{id}", kind.code()),
        })
    }

    /// The identifier from its key: a SIRET alone, or the kind's code, a colon and the
    /// identifier.
    pub fn parse(key: &str) -> Result<CompanyIdentifier, IdentifierError> {
        match key.split_once(':') {
            None => Ok(Siret::parse(key)?.into()),
            Some((code, id)) => {
                let kind = IdentifierKind::from_code(code)
                    .filter(|k| *k != IdentifierKind::Siret)
                    .ok_or_else(|| IdentifierError::UnknownKind(code.trim().to_owned()))?;
                CompanyIdentifier::of_kind(kind, id)
            }
        }
    }

    /// The key: a SIRET's digits, or `TVA:FR64443061841`.
    pub fn as_str(&self) -> &str {
        &self.key
    }

    pub fn kind(&self) -> IdentifierKind {
        self.kind
    }

    /// The identifier without its kind: the SIRET's digits or the other identifier.
    pub fn id(&self) -> &str {
        self.key
            .split_once(':')
            .map_or(self.key.as_str(), |(_, id)| id)
    }

    /// The SIRET of a company that has one: the checks and lookups by SIRET apply to it only.
    pub fn siret(&self) -> Option<Siret> {
        match self.kind {
            IdentifierKind::Siret => Siret::parse(&self.key).ok(),
            _ => None,
        }
    }

    /// A key as people read it (see `Display`); a text that is no key is shown as it is.
    pub fn shown(key: &str) -> String {
        CompanyIdentifier::parse(key).map_or_else(|_| key.to_owned(), |c| c.to_string())
    }
}

/// An intra-community VAT number, upper case; a French one (FR, a 2-character key, a SIREN)
/// has its numeric key checked against its SIREN.
fn vat(compact: &str) -> Result<String, IdentifierError> {
    let upper = compact.to_uppercase();
    let (country, rest) = upper.split_at_checked(2).unwrap_or((&upper, ""));
    let shaped = VAT_COUNTRIES.contains(&country)
        && (2..=13).contains(&rest.len())
        && rest.chars().all(|c| c.is_ascii_alphanumeric());
    if !shaped {
        return Err(IdentifierError::NotVat(compact.to_owned()));
    }
    if country == "FR" && !french_vat_key_ok(rest) {
        return Err(IdentifierError::FrenchVatKey(compact.to_owned()));
    }
    Ok(upper)
}

/// FR + key + SIREN: the key, when numeric, is (12 + 3 × (SIREN mod 97)) mod 97; the old
/// alphabetic keys are not checked.
fn french_vat_key_ok(rest: &str) -> bool {
    let (key, siren) = rest.split_at(2.min(rest.len()));
    if siren.len() != 9 || !siren.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (Ok(key), Ok(siren)) = (key.parse::<u64>(), siren.parse::<u64>()) else {
        return key.chars().all(|c| c.is_ascii_alphanumeric());
    };
    key == (12 + 3 * (siren % 97)) % 97
}

/// Another register's identifier: kept as written, without spaces. Its characters are those
/// that an address (`/entreprises/HORS-UE:GB-7654321`) carries as they are.
fn other(compact: &str) -> Result<String, IdentifierError> {
    let readable = compact.chars().count() <= MAX_OTHER_CHARS
        && compact
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    if readable {
        Ok(compact.to_owned())
    } else {
        Err(IdentifierError::Unreadable(compact.to_owned()))
    }
}

impl fmt::Display for CompanyIdentifier {
    /// A SIRET as on official documents; another identifier after its kind's name:
    /// « TVA intracommunautaire FR64443061841 ».
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.siret() {
            Some(siret) => siret.fmt(f),
            None => write!(f, "{} {}", self.kind.label(), self.id()),
        }
    }
}

impl From<Siret> for CompanyIdentifier {
    fn from(siret: Siret) -> Self {
        CompanyIdentifier {
            kind: IdentifierKind::Siret,
            key: siret.as_str().to_owned(),
        }
    }
}

super::serde_via::deserialize_by_parsing_str!(CompanyIdentifier);

super::serde_via::schema_as!(
    CompanyIdentifier,
    String,
    "Identifiant de l'entreprise : son SIRET (14 chiffres), ou le type d'identifiant de la DECP, deux-points et l'identifiant (TVA:FR64443061841, HORS-UE:GB123456)."
);

#[cfg(test)]
mod tests {
    use super::*;

    fn other(kind: IdentifierKind, id: &str) -> CompanyIdentifier {
        CompanyIdentifier::of_kind(kind, id).unwrap()
    }

    #[test]
    fn a_siret_keeps_its_digits_as_key_other_kinds_are_prefixed() {
        let siret = CompanyIdentifier::parse("44306184100047").unwrap();
        assert_eq!(siret.as_str(), "44306184100047");
        assert_eq!(siret.siret().unwrap().as_str(), "44306184100047");
        let vat = other(IdentifierKind::Tva, "fr 64 443061841");
        assert_eq!(vat.as_str(), "TVA:FR64443061841");
        assert_eq!(CompanyIdentifier::parse(vat.as_str()), Ok(vat.clone()));
        assert_eq!(vat.to_string(), "TVA intracommunautaire FR64443061841");
        let foreign = other(IdentifierKind::HorsUe, "GB 123-456");
        assert_eq!(foreign.as_str(), "HORS-UE:GB123-456");
        assert_eq!(
            CompanyIdentifier::parse("hors_ue:GB123-456"),
            Ok(foreign.clone())
        );
        assert_eq!(
            foreign.to_string(),
            "Identifiant étranger (HORS-UE) GB123-456"
        );
        assert_eq!(foreign.siret(), None);
    }

    #[test]
    fn vat_numbers_are_checked_by_country_and_french_key() {
        assert!(CompanyIdentifier::of_kind(IdentifierKind::Tva, "DE123456789").is_ok());
        assert!(CompanyIdentifier::of_kind(IdentifierKind::Tva, "FR64443061841").is_ok());
        assert!(matches!(
            CompanyIdentifier::of_kind(IdentifierKind::Tva, "FR65443061841"),
            Err(IdentifierError::FrenchVatKey(_))
        ));
        assert!(matches!(
            CompanyIdentifier::of_kind(IdentifierKind::Tva, "US123456789"),
            Err(IdentifierError::NotVat(_))
        ));
        assert!(matches!(
            CompanyIdentifier::of_kind(IdentifierKind::HorsUe, "<script>"),
            Err(IdentifierError::Unreadable(_))
        ));
        assert!(matches!(
            CompanyIdentifier::parse("XX:1"),
            Err(IdentifierError::UnknownKind(_))
        ));
        assert!(CompanyIdentifier::of_kind(IdentifierKind::Tahiti, " ").is_err());
    }
}
