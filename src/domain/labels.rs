//! Enumerations with a stable storage code and the French label users read and type.
//!
//! Spreadsheets arrive with "Mise a dispo", "MISE À DISPOSITION" or "mise-à-disposition": the
//! parser compares normalised forms (no case, accents, spaces or punctuation) against the code,
//! the label and a few synonyms, so matching lives in one place for every enumeration.

/// Reduces a user-typed label to its comparable form: ASCII letters and digits, lower case.
/// "Maîtrise d'œuvre" and "MAITRISE D OEUVRE" both become "maitrisedoeuvre".
pub fn normalize(input: &str) -> String {
    deunicode::deunicode(input)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A value typed by a user that matches none of an enumeration's labels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {value} » n'est pas {what}. Valeurs acceptées : {expected}.")]
pub struct UnknownLabel {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

/// An enumeration of the glossary: stable code for storage and the API, French label for people.
pub trait Labelled: Sized + Copy + PartialEq + 'static {
    /// How the refusal message names the expected kind of value, with its article
    /// ("une modalité de réalisation reconnue").
    const WHAT: &'static str;
    const ALL: &'static [Self];

    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    /// Other spellings people use, matched like the label.
    fn synonyms(self) -> &'static [&'static str];

    /// Exact storage code, as written by this program.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }

    /// What a user typed: code, label or synonym, ignoring case, accents, spaces and punctuation.
    fn parse_label(input: &str) -> Result<Self, UnknownLabel> {
        let wanted = normalize(input);
        let found = (!wanted.is_empty())
            .then(|| {
                Self::ALL.iter().copied().find(|v| {
                    normalize(v.code()) == wanted
                        || normalize(v.label()) == wanted
                        || v.synonyms().iter().any(|s| normalize(s) == wanted)
                })
            })
            .flatten();
        found.ok_or_else(|| UnknownLabel {
            what: Self::WHAT,
            value: input.trim().to_owned(),
            expected: Self::ALL
                .iter()
                .map(|v| v.label())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

/// Declares a [`Labelled`] enumeration with `Display` (the French label), `FromStr` (any accepted
/// spelling), serde (the code out; code or label in) and diesel's expression traits (stored as
/// its code: `storage::codecs`).
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal $(, [$($syn:literal),* $(,)?])? ; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $crate::domain::labels::Labelled for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)+ }
            }

            fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)+ }
            }

            fn synonyms(self) -> &'static [&'static str] {
                match self { $(Self::$variant => &[$($($syn),*)?],)+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::domain::labels::Labelled::label(*self))
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::labels::UnknownLabel;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::domain::labels::Labelled>::parse_label(s)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .description(Some(concat!("Code : ", $($label, " (", $code, ") ",)+)))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::domain::labels::Labelled::code(*self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                <Self as $crate::domain::labels::Labelled>::parse_label(&raw)
                    .map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use labelled_enum;

/// Checks an enumeration can be read back unambiguously: codes unique, and no two variants
/// sharing a normalised label or synonym.
#[cfg(test)]
pub(crate) fn assert_consistent<T: Labelled + std::fmt::Debug>() {
    let spellings = |v: T| {
        std::iter::once(v.code())
            .chain(std::iter::once(v.label()))
            .chain(v.synonyms().iter().copied())
            .map(normalize)
            .collect::<Vec<_>>()
    };
    for (i, a) in T::ALL.iter().enumerate() {
        assert_eq!(T::from_code(a.code()), Some(*a));
        for spelling in [a.code(), a.label()]
            .into_iter()
            .chain(a.synonyms().iter().copied())
        {
            assert_eq!(T::parse_label(spelling).as_ref(), Ok(a), "{spelling}");
        }
        for b in &T::ALL[i + 1..] {
            let shared: Vec<String> = spellings(*a)
                .into_iter()
                .filter(|s| spellings(*b).contains(s))
                .collect();
            assert!(shared.is_empty(), "{a:?} and {b:?} share {shared:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_drops_case_accents_spaces_and_punctuation() {
        assert_eq!(normalize("Maîtrise d'œuvre"), "maitrisedoeuvre");
        assert_eq!(normalize("  MISE-À-DISPOSITION "), "miseadisposition");
        assert_eq!(normalize("L. 2113-12"), "l211312");
        assert_eq!(normalize("…"), "");
    }
}
