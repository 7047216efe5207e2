//! SIRET: the 14-digit identifier of a French establishment (SIREN + NIC).

use std::fmt;

/// A SIRET whose digits and checksum have been verified.
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
pub struct Siret(String);

/// SIREN of La Poste, whose establishments' SIRETs follow their own checksum rule.
const LA_POSTE_SIREN: &str = "356000000";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiretError {
    #[error("Le SIRET est vide : indiquez les 14 chiffres du SIRET de l'établissement.")]
    Empty,
    #[error(
        "Le SIRET « {input} » contient « {found} », qui n'est pas un chiffre : un SIRET ne comporte que 14 chiffres."
    )]
    NotDigits { input: String, found: char },
    #[error(
        "Le SIRET « {input} » comporte {count} chiffres au lieu de 14 : vérifiez qu'aucun chiffre ne manque (un tableur efface souvent les zéros en tête)."
    )]
    WrongLength { input: String, count: usize },
    #[error(
        "Le SIRET « {input} » a été arrondi par le tableur, qui l'a affiché en notation scientifique et en a perdu les derniers chiffres : mettez la colonne au format Texte (clic droit sur la colonne, « Format de cellule », « Texte »), puis saisissez à nouveau les SIRET en entier."
    )]
    Rounded { input: String },
    #[error(
        "Le SIRET « {input} » n'existe pas (sa clé de contrôle est fausse) : vérifiez chaque chiffre sur l'avis de situation SIRENE de l'établissement."
    )]
    Checksum { input: String },
}

impl Siret {
    /// Accepts the SIRET as people write it: "443 061 841 00047" or with non-breaking spaces.
    pub fn parse(input: &str) -> Result<Self, SiretError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(SiretError::Empty);
        }
        if is_scientific(trimmed) {
            return Err(SiretError::Rounded {
                input: trimmed.to_owned(),
            });
        }
        let digits: String = trimmed
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\t' | '.' | '-'))
            .collect();
        if let Some(found) = digits.chars().find(|c| !c.is_ascii_digit()) {
            return Err(SiretError::NotDigits {
                input: trimmed.to_owned(),
                found,
            });
        }
        if digits.len() != 14 {
            return Err(SiretError::WrongLength {
                input: trimmed.to_owned(),
                count: digits.len(),
            });
        }
        if !checksum_ok(&digits) {
            return Err(SiretError::Checksum {
                input: trimmed.to_owned(),
            });
        }
        Ok(Siret(digits))
    }

    /// Completes 13 digits with the Luhn check digit: how example and generated data get valid
    /// SIRETs. Returns `None` unless given exactly 13 ASCII digits.
    pub fn with_check_digit(first_13: &str) -> Option<Siret> {
        if first_13.len() != 13 || !first_13.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        (0..=9)
            .map(|d| format!("{first_13}{d}"))
            .find(|candidate| checksum_ok(candidate))
            .map(Siret)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The company's SIREN (first nine digits).
    pub fn siren(&self) -> &str {
        &self.0[..9]
    }
}

/// "8,49374E+13", "8.49374e13": how a spreadsheet shows a number too long for its column, and
/// how it exports it, having kept only the digits shown.
fn is_scientific(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let (whole, fraction) = mantissa.split_once([',', '.']).unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty()
        && !exponent.is_empty()
        && digits(whole)
        && digits(fraction)
        && digits(exponent)
}

fn digit_values(digits: &str) -> impl DoubleEndedIterator<Item = u32> + '_ {
    digits.bytes().map(|b| u32::from(b - b'0'))
}

fn checksum_ok(digits: &str) -> bool {
    if digits.starts_with(LA_POSTE_SIREN) {
        // La Poste numbers its thousands of establishments beyond what Luhn allows.
        return digit_values(digits).sum::<u32>() % 5 == 0;
    }
    let luhn_sum: u32 = digit_values(digits)
        .rev()
        .enumerate()
        .map(|(i, d)| match (i % 2 == 1, d * 2) {
            (true, doubled) if doubled > 9 => doubled - 9,
            (true, doubled) => doubled,
            (false, _) => d,
        })
        .sum();
    luhn_sum.is_multiple_of(10)
}

impl fmt::Display for Siret {
    /// Grouped as on official documents: "443 061 841 00047".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{} {} {} {}", &s[..3], &s[3..6], &s[6..9], &s[9..])
    }
}

impl std::str::FromStr for Siret {
    type Err = SiretError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Siret::parse(s)
    }
}

super::serde_via::deserialize_by_parsing_str!(Siret);

super::serde_via::schema_as!(Siret, String, "SIRET, 14 chiffres (clé de Luhn vérifiée).");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_sirets_as_people_write_them() {
        assert_eq!(
            Siret::parse("44306184100047").unwrap().as_str(),
            "44306184100047"
        );
        assert_eq!(
            Siret::parse(" 443 061 841 00047 ").unwrap().as_str(),
            "44306184100047"
        );
        assert_eq!(
            Siret::parse("443\u{a0}061\u{a0}841\u{a0}00047")
                .unwrap()
                .siren(),
            "443061841"
        );
        assert_eq!(
            Siret::parse("213.105.554.00017").unwrap().as_str(),
            "21310555400017"
        );
    }

    #[test]
    fn la_poste_uses_the_digit_sum_rule() {
        // Fails Luhn, passes La Poste's rule.
        assert!(Siret::parse("35600000049837").is_ok());
        // Passes Luhn but not La Poste's rule: refused.
        assert!(matches!(
            Siret::parse("35600000000048"),
            Err(SiretError::Checksum { .. })
        ));
    }

    #[test]
    fn refuses_bad_sirets_with_a_reason() {
        assert_eq!(Siret::parse("  "), Err(SiretError::Empty));
        assert!(matches!(
            Siret::parse("12345678901234"),
            Err(SiretError::Checksum { .. })
        ));
        assert!(matches!(
            Siret::parse("4430618410004"),
            Err(SiretError::WrongLength { count: 13, .. })
        ));
        assert!(matches!(
            Siret::parse("443061841000470"),
            Err(SiretError::WrongLength { count: 15, .. })
        ));
        assert!(matches!(
            Siret::parse("4430618410004O"),
            Err(SiretError::NotDigits { found: 'O', .. })
        ));
        let message = Siret::parse("12345678901234").unwrap_err().to_string();
        assert!(
            message.contains("12345678901234") && message.contains("clé de contrôle"),
            "{message}"
        );
    }

    #[test]
    fn a_siret_in_scientific_notation_was_rounded_by_a_spreadsheet() {
        for written in ["8,49374E+13", "8.49374e13", "4,43061841E+13"] {
            let error = Siret::parse(written).unwrap_err();
            assert_eq!(
                error,
                SiretError::Rounded {
                    input: written.to_owned()
                }
            );
            let message = error.to_string();
            assert!(
                message.contains("arrondi")
                    && message.contains("format Texte")
                    && !message.contains("virgule"),
                "{message}"
            );
        }
    }

    #[test]
    fn completes_a_check_digit() {
        let siret = Siret::with_check_digit("4430618410004").unwrap();
        assert_eq!(siret.as_str(), "44306184100047");
        assert!(Siret::with_check_digit("123").is_none());
        assert!(Siret::with_check_digit("12345678a0123").is_none());
    }

    #[test]
    fn displays_grouped_and_serializes_bare() {
        let siret = Siret::parse("44306184100047").unwrap();
        assert_eq!(siret.to_string(), "443 061 841 00047");
        assert_eq!(serde_json::to_string(&siret).unwrap(), "\"44306184100047\"");
        assert!(serde_json::from_str::<Siret>("\"12345678901234\"").is_err());
    }
}
