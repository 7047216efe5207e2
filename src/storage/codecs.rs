//! How the domain's values are stored: each type is written and read through diesel's
//! `ToSql`/`FromSql` on both backends, as a text code or an integer count of its unit. Reading
//! goes through the type's own checked constructor, so a value changed outside this program
//! is refused, never taken as zero. (The types derive diesel's `AsExpression` and
//! `FromSqlRow` where they are declared; what they are written as is said here.)

use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{BigInt, Integer, Text};
use diesel::sqlite::Sqlite;

use super::MultiBackend;
use crate::domain::{
    AuditAction, AwardRole, Ccag, CompanyIdentifier, ContractNature, ContractType, CpvCode,
    Departement, EligibilityCriterion, Email, EmploymentContract, ExitOutcome, Hours, ImportKind,
    ImportPhase, ImportStatus, Labelled, Locality, Modality, Money, Month, Name, PenaltyChange,
    PostalCode, Procedure, Rate, ReminderState, Reservation, ReviewState, Role, Sex, Siret,
    SixMonthSituation, SizeClass, StructureKind,
};

/// A domain value as one column holds it.
pub trait Stored: Sized {
    /// What the column holds: `String`, `i64` or `i32`.
    type Raw;

    /// The value back from its column; the error says why it is not one (in French).
    fn decode(raw: Self::Raw) -> Result<Self, String>;
}

/// What `FromSql` says of a stored value that is not one of its type's. It cannot say where
/// the value is: `located` finds that.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotDecodable(pub String);

/// A stored value that does not decode, with where it is, so that it can be found and fixed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("valeur illisible en base (table {table}, ligne {row}, colonne {column}) : {problem}")]
pub struct Undecodable {
    pub table: &'static str,
    pub row: i64,
    pub column: &'static str,
    pub problem: String,
}

/// `FromSql` on the three backends from the raw type's own, then `Stored::decode`.
macro_rules! from_sql_by_decoding {
    ($ty:ty, $sql:ty, $raw:ty) => {
        impl FromSql<$sql, Pg> for $ty {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> deserialize::Result<Self> {
                let raw = <$raw as FromSql<$sql, Pg>>::from_sql(bytes)?;
                <$ty as Stored>::decode(raw).map_err(|e| NotDecodable(e).into())
            }
        }

        impl FromSql<$sql, Sqlite> for $ty {
            fn from_sql(
                bytes: <Sqlite as diesel::backend::Backend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                let raw = <$raw as FromSql<$sql, Sqlite>>::from_sql(bytes)?;
                <$ty as Stored>::decode(raw).map_err(|e| NotDecodable(e).into())
            }
        }

        impl FromSql<$sql, MultiBackend> for $ty {
            fn from_sql(
                bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                let raw = <$raw as FromSql<$sql, MultiBackend>>::from_sql(bytes)?;
                <$ty as Stored>::decode(raw).map_err(|e| NotDecodable(e).into())
            }
        }
    };
}

/// A type stored as text: `$encode` gives the text, `$decode` reads it back.
macro_rules! stored_as_text {
    ($ty:ty, encode: $encode:expr, decode: $decode:expr) => {
        impl Stored for $ty {
            type Raw = String;
            fn decode(raw: String) -> Result<Self, String> {
                $decode(raw)
            }
        }

        impl ToSql<Text, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <str as ToSql<Text, Pg>>::to_sql($encode(self), out)
            }
        }

        impl ToSql<Text, Sqlite> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                <str as ToSql<Text, Sqlite>>::to_sql($encode(self), out)
            }
        }

        impl ToSql<Text, MultiBackend> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                <str as ToSql<Text, MultiBackend>>::to_sql($encode(self), out)
            }
        }

        from_sql_by_decoding!($ty, Text, String);
    };
}

/// A type stored as an integer count of its unit (`$raw` in a `$sql` column).
macro_rules! stored_as_integer {
    ($ty:ty, $sql:ty, $raw:ty, encode: $encode:expr, decode: $decode:expr) => {
        impl Stored for $ty {
            type Raw = $raw;
            fn decode(raw: $raw) -> Result<Self, String> {
                $decode(raw)
            }
        }

        impl ToSql<$sql, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                let raw: $raw = $encode(*self);
                <$raw as ToSql<$sql, Pg>>::to_sql(&raw, &mut out.reborrow())
            }
        }

        impl ToSql<$sql, Sqlite> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                let raw: $raw = $encode(*self);
                out.set_value(raw);
                Ok(serialize::IsNull::No)
            }
        }

        impl ToSql<$sql, MultiBackend> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((<$sql>::default(), self));
                Ok(serialize::IsNull::No)
            }
        }

        from_sql_by_decoding!($ty, $sql, $raw);
    };
}

/// The enumerations of the glossary, stored as their codes.
macro_rules! stored_as_code {
    ($($ty:ty),+ $(,)?) => {$(
        stored_as_text!(
            $ty,
            encode: |v: &$ty| Labelled::code(*v),
            decode: |raw: String| <$ty as Labelled>::from_code(&raw).ok_or_else(|| {
                format!("« {raw} » n'est pas {}", <$ty as Labelled>::WHAT)
            })
        );
    )+};
}

stored_as_code!(
    AuditAction,
    AwardRole,
    Ccag,
    ContractNature,
    ContractType,
    EligibilityCriterion,
    EmploymentContract,
    ExitOutcome,
    ImportKind,
    ImportPhase,
    ImportStatus,
    Locality,
    Modality,
    PenaltyChange,
    Procedure,
    ReminderState,
    Reservation,
    ReviewState,
    Role,
    Sex,
    SixMonthSituation,
    SizeClass,
    StructureKind,
);

/// Text parsed back by the type's own parser.
macro_rules! stored_as_parsed_text {
    ($($ty:ty),+ $(,)?) => {$(
        stored_as_text!(
            $ty,
            encode: <$ty>::as_str,
            decode: |raw: String| <$ty>::parse(&raw).map_err(|e| e.to_string())
        );
    )+};
}

stored_as_parsed_text!(
    Siret,
    CompanyIdentifier,
    Name,
    Email,
    Departement,
    PostalCode,
    CpvCode
);

stored_as_integer!(Hours, BigInt, i64,
    encode: Hours::hundredths,
    decode: |raw| Hours::from_hundredths(raw).map_err(|e| e.to_string()));
stored_as_integer!(Money, BigInt, i64,
    encode: Money::cents,
    decode: |raw| Money::from_cents(raw).map_err(|e| e.to_string()));
stored_as_integer!(Month, Integer, i32,
    encode: Month::yyyymm,
    decode: |raw| Month::from_yyyymm(raw).map_err(|e| e.to_string()));
// Basis points fit an INTEGER column: at most 10 000.
stored_as_integer!(Rate, Integer, i32,
    encode: |rate: Rate| i32::try_from(rate.basis_points()).expect("at most 10 000"),
    decode: |raw| Rate::from_basis_points(i64::from(raw)).map_err(|e| e.to_string()));
