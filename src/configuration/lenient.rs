//! Turns the gathered settings into typed ones. Environment variables can only hold text, so a
//! text is read as the type its setting expects (`"8080"` as a port); every mistake names its
//! key and says, in French, what the key accepts.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use toml::Value;

/// A setting that could not be read: its key (`server.port`) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    path: Vec<String>,
    problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    UnknownKey { allowed: Vec<String> },
    UnknownValue { found: String, allowed: Vec<String> },
    Expected { found: String, expected: String },
}

impl KeyError {
    fn new(problem: Problem) -> KeyError {
        KeyError {
            path: Vec::new(),
            problem,
        }
    }

    fn expected(found: &Value, expected: impl Into<String>) -> KeyError {
        KeyError::new(Problem::Expected {
            found: describe(found),
            expected: expected.into(),
        })
    }

    /// The error, one level further out: `port` becomes `server.port`.
    fn within(mut self, key: &str) -> KeyError {
        self.path.insert(0, key.to_owned());
        self
    }

    /// The dotted key, as written in the file (`server.port`).
    pub fn key(&self) -> String {
        self.path.join(".")
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("« {text} »"),
        Value::Table(_) => "une section".to_owned(),
        Value::Array(_) => "une liste".to_owned(),
        other => format!("« {other} »"),
    }
}

fn listed(names: &[String]) -> String {
    names.join(", ")
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.key();
        match &self.problem {
            Problem::UnknownKey { allowed } => {
                let within = match self.path.split_last() {
                    Some((_, parents)) if !parents.is_empty() => {
                        format!("dans [{}]", parents.join("."))
                    }
                    _ => "au premier niveau".to_owned(),
                };
                write!(
                    f,
                    "clé inconnue « {key} » ; clés permises {within} : {}.",
                    listed(allowed)
                )
            }
            Problem::UnknownValue { found, allowed } => write!(
                f,
                "« {key} » ne peut valoir « {found} » ; valeurs permises : {}.",
                listed(allowed)
            ),
            Problem::Expected { found, expected } => {
                write!(f, "« {key} » vaut {found} ; attendu : {expected}.")
            }
        }
    }
}

impl std::error::Error for KeyError {}

impl de::Error for KeyError {
    fn custom<T: fmt::Display>(message: T) -> KeyError {
        KeyError::new(Problem::Expected {
            found: "une valeur incorrecte".to_owned(),
            expected: message.to_string(),
        })
    }

    fn invalid_type(found: de::Unexpected<'_>, expected: &dyn de::Expected) -> KeyError {
        KeyError::new(Problem::Expected {
            found: found.to_string(),
            expected: expected.to_string(),
        })
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> KeyError {
        // The key is added by the map that met it (`within`).
        let _ = field;
        KeyError::new(Problem::UnknownKey {
            allowed: expected.iter().map(|s| (*s).to_owned()).collect(),
        })
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> KeyError {
        KeyError::new(Problem::UnknownValue {
            found: variant.to_owned(),
            allowed: expected.iter().map(|s| (*s).to_owned()).collect(),
        })
    }
}

/// A settings value whose texts are read as the type asked for.
pub struct Lenient(pub Value);

impl Lenient {
    fn integer<T: TryFrom<i128>>(&self, expected: impl FnOnce() -> String) -> Result<T, KeyError> {
        let number = match &self.0 {
            Value::Integer(n) => Some(i128::from(*n)),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        };
        number
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| KeyError::expected(&self.0, expected()))
    }
}

/// What an integer setting accepts, from its type's bounds.
fn integer_range(min: i128, max: i128) -> String {
    if min == 0 && max >= i128::from(u32::MAX) {
        "un nombre entier positif ou nul".to_owned()
    } else {
        format!("un nombre entier de {min} à {max}")
    }
}

macro_rules! integers {
    ($($method:ident => $visit:ident($t:ty);)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, KeyError> {
            let n = self.integer::<$t>(|| {
                integer_range(i128::from(<$t>::MIN), i128::from(<$t>::MAX))
            })?;
            visitor.$visit(n)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Lenient {
    type Error = KeyError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, KeyError> {
        match self.0 {
            Value::String(text) => visitor.visit_string(text),
            Value::Integer(n) => visitor.visit_i64(n),
            Value::Float(x) => visitor.visit_f64(x),
            Value::Boolean(b) => visitor.visit_bool(b),
            Value::Datetime(d) => visitor.visit_string(d.to_string()),
            Value::Array(items) => visitor.visit_seq(de::value::SeqDeserializer::new(
                items.into_iter().map(Lenient),
            )),
            Value::Table(table) => visitor.visit_map(Entries::new(table)),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, KeyError> {
        match &self.0 {
            Value::Boolean(b) => visitor.visit_bool(*b),
            Value::String(text) if text.trim() == "true" => visitor.visit_bool(true),
            Value::String(text) if text.trim() == "false" => visitor.visit_bool(false),
            other => Err(KeyError::expected(other, "true ou false")),
        }
    }

    integers! {
        deserialize_u8 => visit_u8(u8);
        deserialize_u16 => visit_u16(u16);
        deserialize_u32 => visit_u32(u32);
        deserialize_u64 => visit_u64(u64);
        deserialize_i8 => visit_i8(i8);
        deserialize_i16 => visit_i16(i16);
        deserialize_i32 => visit_i32(i32);
        deserialize_i64 => visit_i64(i64);
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, KeyError> {
        match self.0 {
            Value::String(text) => visitor.visit_string(text),
            Value::Integer(n) => visitor.visit_string(n.to_string()),
            Value::Boolean(b) => visitor.visit_string(b.to_string()),
            other => Err(KeyError::expected(&other, "un texte")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, KeyError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, KeyError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, KeyError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, KeyError> {
        match self.0 {
            Value::Table(table) => visitor.visit_map(Entries::new(table)),
            other => Err(KeyError::expected(
                &other,
                "une section de réglages ([nom] dans le fichier)",
            )),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, KeyError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, KeyError> {
        match self.0 {
            Value::String(text) => visitor.visit_enum(text.into_deserializer()),
            other => Err(KeyError::expected(&other, "un texte")),
        }
    }

    serde::forward_to_deserialize_any! {
        i128 u128 f32 f64 char bytes byte_buf unit unit_struct seq tuple tuple_struct identifier
        ignored_any
    }
}

impl IntoDeserializer<'_, KeyError> for Lenient {
    type Deserializer = Lenient;

    fn into_deserializer(self) -> Lenient {
        self
    }
}

/// The keys of a section, each error marked with the key it came from.
struct Entries {
    entries: toml::map::IntoIter<String, Value>,
    value: Option<(String, Value)>,
}

impl Entries {
    fn new(table: toml::Table) -> Entries {
        Entries {
            entries: table.into_iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Entries {
    type Error = KeyError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, KeyError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let name: de::value::StrDeserializer<'_, KeyError> = key.as_str().into_deserializer();
        let read = seed.deserialize(name).map_err(|e| e.within(&key))?;
        self.value = Some((key, value));
        Ok(Some(read))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, KeyError> {
        let (key, value) = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("une valeur sans sa clé"))?;
        seed.deserialize(Lenient(value)).map_err(|e| e.within(&key))
    }
}
