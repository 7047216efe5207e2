//! Both backends end with the same schema, and every migration's down undoes its up.

use std::collections::BTreeMap;

use diesel::sql_types::{Bool, Text};
use diesel::{QueryableByName, RunQueryDsl, sql_query};
use suivi_clauses::storage::migrations::{known_versions, revert_last, run_next, run_pending};
use suivi_clauses::storage::{Backend, DbConnection};

use crate::helpers::TestDatabase;

/// table → column → (normalised type, not null)
type Columns = BTreeMap<String, BTreeMap<String, (String, bool)>>;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Schema {
    columns: Columns,
    /// Named indexes (`ix_…`) and, on SQLite, the full text of every object.
    objects: Vec<String>,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    column_type: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Bool)]
    primary_key: bool,
}

#[derive(QueryableByName)]
struct ObjectRow {
    #[diesel(sql_type = Text)]
    description: String,
}

const SQLITE_COLUMNS: &str = "
    SELECT m.name AS table_name, p.name AS column_name, p.type AS column_type,
           p.\"notnull\" <> 0 AS not_null,
           p.pk = 1 AND NOT EXISTS (SELECT 1 FROM pragma_table_info(m.name) q WHERE q.pk > 1)
             AS primary_key
    FROM sqlite_master m JOIN pragma_table_info(m.name) p
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'";
const SQLITE_OBJECTS: &str = "
    SELECT type || ' ' || name || ': ' || coalesce(sql, '') AS description FROM sqlite_master
    WHERE name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' ORDER BY name";
const POSTGRES_COLUMNS: &str = "
    SELECT c.table_name::text AS table_name, c.column_name::text AS column_name,
           c.data_type::text AS column_type, c.is_nullable = 'NO' AS not_null, false AS primary_key
    FROM information_schema.columns c
    WHERE c.table_schema = current_schema() AND c.table_name <> '__diesel_schema_migrations'";
const POSTGRES_OBJECTS: &str = "
    SELECT 'index ' || indexname || ': ' || indexdef AS description FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename <> '__diesel_schema_migrations'
    UNION ALL
    SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ': ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
      AND conrelid::regclass::text <> '__diesel_schema_migrations'
    UNION ALL
    SELECT 'function ' || proname || '(' || pg_get_function_identity_arguments(oid) || ')'
    FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
    ORDER BY 1";

/// Migrations with nothing to do on SQLite: the SQL functions PostgreSQL gets from them are,
/// on SQLite, the service's own, registered on each connection.
const POSTGRES_ONLY: [&str; 1] = ["20261130000001"];
/// Migrations that change nothing on PostgreSQL: the participant index widened for SQLite's
/// index-only reads, which PostgreSQL cannot make of the rows an import has just written.
const SQLITE_ONLY: [&str; 1] = ["20261130002600"];

/// How many migrations there are: one folder each.
fn migration_count() -> usize {
    std::fs::read_dir("migrations/sqlite")
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().is_dir())
        .count()
}

/// The same logical type reads differently on each backend; a SQLite `INTEGER PRIMARY KEY` is
/// the 64-bit row id that PostgreSQL declares as a BIGINT identity (a primary key of one column:
/// the columns of a composite key keep their types).
fn normalise(row: ColumnRow) -> (String, String, (String, bool)) {
    let declared = row.column_type.to_lowercase();
    let kind = match declared.as_str() {
        "integer" if row.primary_key => "bigint".to_owned(),
        "timestamp without time zone" => "timestamp".to_owned(),
        "bytea" => "blob".to_owned(),
        other => other.to_owned(),
    };
    (
        row.table_name,
        row.column_name,
        (kind, row.not_null || row.primary_key),
    )
}

fn snapshot(conn: &mut DbConnection) -> Schema {
    let (columns_sql, objects_sql) = match conn {
        DbConnection::Sqlite(_) => (SQLITE_COLUMNS, SQLITE_OBJECTS),
        DbConnection::Postgres(_) => (POSTGRES_COLUMNS, POSTGRES_OBJECTS),
    };
    let rows: Vec<ColumnRow> = sql_query(columns_sql).load(conn).expect("columns");
    let mut columns = Columns::new();
    for (table, column, shape) in rows.into_iter().map(normalise) {
        columns.entry(table).or_default().insert(column, shape);
    }
    let objects: Vec<ObjectRow> = sql_query(objects_sql).load(conn).expect("objects");
    Schema {
        columns,
        objects: objects.into_iter().map(|o| o.description).collect(),
    }
}

fn named_indexes(schema: &Schema) -> Vec<String> {
    let mut names: Vec<String> = schema
        .objects
        .iter()
        .filter_map(|o| o.split(' ').nth(1))
        .filter(|name| name.starts_with("ix_"))
        .map(|name| name.trim_end_matches(':').to_owned())
        .collect();
    names.sort();
    names
}

const TABLES: [&str; 23] = [
    "audit_log",
    "awards",
    "buyer_data_versions",
    "buyer_departements",
    "buyers",
    "clause_closures",
    "companies",
    "contracts",
    "data_version",
    "hour_entries",
    "hour_rollups",
    "imports",
    "insertion_clauses",
    "login_failures",
    "lots",
    "participants",
    "reminders",
    "replaced_hour_entries",
    "staged_hour_entries",
    "user_buyers",
    "users",
    "work_contract_lots",
    "work_contracts",
];

#[test]
fn both_backends_end_with_the_same_tables_columns_and_indexes() {
    let Some(postgres_db) = TestDatabase::postgres_or_skip() else {
        return;
    };
    let sqlite_db = TestDatabase::for_backend(Backend::Sqlite);
    let (sqlite, postgres) = (sqlite_db.connect(), postgres_db.connect());

    let on_sqlite = snapshot(&mut sqlite.connection().unwrap());
    let on_postgres = snapshot(&mut postgres.connection().unwrap());

    assert_eq!(
        on_sqlite
            .columns
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        TABLES
    );
    for table in TABLES {
        assert_eq!(
            on_sqlite.columns[table], on_postgres.columns[table],
            "table {table} differs"
        );
    }
    assert_eq!(named_indexes(&on_sqlite), named_indexes(&on_postgres));
    assert!(named_indexes(&on_sqlite).contains(&"ix_hour_entries_company_month".to_owned()));
    // Money and hours are integers, never floating point.
    let types: Vec<&String> = on_sqlite
        .columns
        .values()
        .flat_map(|c| c.values().map(|(t, _)| t))
        .collect();
    assert!(
        types.iter().all(|t| [
            "bigint",
            "integer",
            "text",
            "boolean",
            "date",
            "timestamp",
            "blob"
        ]
        .contains(&t.as_str())),
        "{types:?}"
    );
}

/// A pool on the test database with no migration run yet.
pub fn unmigrated(database: &TestDatabase) -> suivi_clauses::storage::Database {
    suivi_clauses::storage::Database::connect(
        suivi_clauses::storage::DatabaseUrl::parse(database.url()).unwrap(),
        &crate::helpers::pool_options(),
    )
    .unwrap()
}

fn assert_each_down_reverses_its_up(database: TestDatabase) {
    let pool = unmigrated(&database);
    let mut conn = pool.connection().unwrap();
    let versions = known_versions(&conn);
    assert_eq!(versions.len(), migration_count(), "{versions:?}");

    for version in &versions {
        let before = snapshot(&mut conn);
        assert_eq!(
            run_next(&mut conn).unwrap().as_deref(),
            Some(version.as_str())
        );
        let after_up = snapshot(&mut conn);
        let no_op = match *conn {
            DbConnection::Sqlite(_) => POSTGRES_ONLY.contains(&version.as_str()),
            DbConnection::Postgres(_) => SQLITE_ONLY.contains(&version.as_str()),
        };
        assert_eq!(
            after_up != before,
            !no_op,
            "migration {version} changed nothing, or changed a backend it should not"
        );

        assert_eq!(&revert_last(&mut conn).unwrap(), version);
        assert_eq!(
            snapshot(&mut conn),
            before,
            "down of {version} does not undo its up"
        );

        run_next(&mut conn).unwrap();
        assert_eq!(
            snapshot(&mut conn),
            after_up,
            "{version} does not apply again after its down"
        );
    }
    assert!(run_pending(&mut conn).unwrap().is_empty());
}

#[test]
fn each_down_reverses_its_up_on_sqlite() {
    assert_each_down_reverses_its_up(TestDatabase::for_backend(Backend::Sqlite));
}

#[test]
fn each_down_reverses_its_up_on_postgres() {
    if let Some(database) = TestDatabase::postgres_or_skip() {
        assert_each_down_reverses_its_up(database);
    }
}

#[test]
fn migrating_twice_applies_nothing_the_second_time() {
    let database = TestDatabase::new();
    let pool = database.connect();
    assert!(pool.migrate().unwrap().is_empty());
}

/// What would name or reach a person: none may be a column of the participants' table.
const NAME_OR_CONTACT: [&str; 22] = [
    "name",
    "nom",
    "prenom",
    "first",
    "last",
    "surname",
    "given",
    "birth_name",
    "maiden",
    "email",
    "mail",
    "courriel",
    "phone",
    "telephone",
    "tel",
    "mobile",
    "portable",
    "address",
    "adresse",
    "street",
    "rue",
    "contact",
];

/// The participants' columns with a word of `NAME_OR_CONTACT` (words split on `_`), or one of
/// its longer words anywhere in their name.
fn naming_columns(schema: &Schema) -> Vec<String> {
    schema.columns["participants"]
        .keys()
        .filter(|column| {
            let column = column.to_lowercase();
            column
                .split('_')
                .any(|word| NAME_OR_CONTACT.contains(&word))
                || NAME_OR_CONTACT
                    .iter()
                    .any(|bad| bad.len() > 4 && column.contains(bad))
        })
        .cloned()
        .collect()
}

fn assert_no_name_or_contact(database: &TestDatabase) {
    let schema = snapshot(&mut database.connect().connection().unwrap());
    assert!(schema.columns["participants"].contains_key("pseudonym"));
    assert_eq!(naming_columns(&schema), Vec::<String>::new());
    // The check finds such a column when there is one.
    let mut planted = schema.clone();
    let participants = planted.columns.get_mut("participants").unwrap();
    for column in [
        "first_name",
        "telephone",
        "adresse_postale",
        "contact_email",
    ] {
        participants.insert(column.to_owned(), ("text".to_owned(), false));
    }
    assert_eq!(naming_columns(&planted).len(), 4);
}

#[test]
fn participants_hold_no_name_or_contact_column_on_sqlite() {
    assert_no_name_or_contact(&TestDatabase::for_backend(Backend::Sqlite));
}

#[test]
fn participants_hold_no_name_or_contact_column_on_postgres() {
    let Some(database) = TestDatabase::postgres_or_skip() else {
        return;
    };
    assert_no_name_or_contact(&database);
}
