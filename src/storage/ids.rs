//! The id of a row, one type per table: a contract's id cannot be passed where a lot's is
//! expected. Stored as BIGINT; sent in JSON and described in OpenAPI as a plain integer.

use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::BigInt;
use diesel::sqlite::Sqlite;

use super::MultiBackend;

/// Declares `$name`, the id of a row of `$table`, with what diesel, serde and utoipa need.
macro_rules! row_ids {
    ($( $(#[$meta:meta])* $name:ident ($table:literal); )+) => {$(
        $(#[$meta])*
        #[doc = concat!("The id of a row of `", $table, "`.")]
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = BigInt)]
        pub struct $name(i64);

        impl $name {
            /// The table whose rows this type identifies, for messages about a stored value.
            pub const TABLE: &'static str = $table;

            pub fn get(self) -> i64 {
                self.0
            }
        }

        /// Ids arrive as integers from paths, command lines and other rows.
        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                $name(id)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ToSql<BigInt, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <i64 as ToSql<BigInt, Pg>>::to_sql(&self.0, out)
            }
        }

        impl ToSql<BigInt, Sqlite> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                <i64 as ToSql<BigInt, Sqlite>>::to_sql(&self.0, out)
            }
        }

        impl ToSql<BigInt, MultiBackend> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                <i64 as ToSql<BigInt, MultiBackend>>::to_sql(&self.0, out)
            }
        }

        impl FromSql<BigInt, Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> deserialize::Result<Self> {
                <i64 as FromSql<BigInt, Pg>>::from_sql(bytes).map($name)
            }
        }

        impl FromSql<BigInt, Sqlite> for $name {
            fn from_sql(
                bytes: <Sqlite as diesel::backend::Backend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                <i64 as FromSql<BigInt, Sqlite>>::from_sql(bytes).map($name)
            }
        }

        impl FromSql<BigInt, MultiBackend> for $name {
            fn from_sql(
                bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                <i64 as FromSql<BigInt, MultiBackend>>::from_sql(bytes).map($name)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <i64 as utoipa::PartialSchema>::schema()
            }
        }

        impl utoipa::ToSchema for $name {}
    )+};
}

row_ids! {
    BuyerId("buyers");
    CompanyId("companies");
    UserId("users");
    AuditEntryId("audit_log");
    ImportId("imports");
    ContractId("contracts");
    LotId("lots");
    AwardId("awards");
    ClauseId("insertion_clauses");
    ParticipantId("participants");
    HourEntryId("hour_entries");
    LoginFailureId("login_failures");
    ClosureId("clause_closures");
    ReminderId("reminders");
    WorkContractId("work_contracts");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_integers_in_json() {
        assert_eq!(serde_json::to_string(&LotId::from(42)).unwrap(), "42");
        assert_eq!(
            serde_json::from_str::<BuyerId>("7").unwrap(),
            BuyerId::from(7)
        );
        assert_eq!(ContractId::from(3).to_string(), "3");
    }
}
