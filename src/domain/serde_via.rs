//! API input goes through the same parsers as typed input: these macros implement
//! `Deserialize` by parsing, so a JSON body can never build a value the parser would refuse.

/// From a string, with the type's `parse` (SIRET, month, CPV code…).
macro_rules! deserialize_by_parsing_str {
    ($ty:ty) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                <$ty>::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// From an integer count of the type's unit, with the given checked constructor.
macro_rules! deserialize_by_checking_int {
    ($ty:ty, $constructor:path) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $constructor(<i64 as serde::Deserialize>::deserialize(d)?)
                    .map_err(serde::de::Error::custom)
            }
        }
    };
}

/// The OpenAPI schema of a value sent as one JSON string or integer, with what it holds.
macro_rules! schema_as {
    ($ty:ty, $kind:ident, $description:literal) => {
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::$kind)
                    .description(Some($description))
                    .into()
            }
        }

        impl utoipa::ToSchema for $ty {}
    };
}

pub(crate) use {deserialize_by_checking_int, deserialize_by_parsing_str, schema_as};
