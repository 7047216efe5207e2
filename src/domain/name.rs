//! Names people give things: a buyer, a company, an account.

use std::fmt;

/// A trimmed, non-empty name of at most 255 characters, inner runs of spaces folded to one.
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
pub struct Name(String);

pub const NAME_MAX_CHARS: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("Le nom est vide : indiquez-le.")]
    Empty,
    #[error("Le nom dépasse {NAME_MAX_CHARS} caractères ({0}) : raccourcissez-le.")]
    TooLong(usize),
    #[error("Le nom contient un caractère de contrôle : retirez-le.")]
    ControlCharacter,
}

impl Name {
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let folded = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if folded.is_empty() {
            return Err(NameError::Empty);
        }
        if folded.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter);
        }
        let count = folded.chars().count();
        if count > NAME_MAX_CHARS {
            return Err(NameError::TooLong(count));
        }
        Ok(Name(folded))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

super::serde_via::schema_as!(Name, String, "Nom ou raison sociale.");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_spaces_and_refuses_empty_or_long_names() {
        assert_eq!(
            Name::parse("  Département   de la\tHaute-Garonne ")
                .unwrap()
                .as_str(),
            "Département de la Haute-Garonne"
        );
        assert_eq!(Name::parse(" \n "), Err(NameError::Empty));
        assert_eq!(Name::parse(&"a".repeat(256)), Err(NameError::TooLong(256)));
        assert_eq!(
            Name::parse("Bad\u{7}name"),
            Err(NameError::ControlCharacter)
        );
        assert!(Name::parse(&"é".repeat(255)).is_ok());
    }
}
