//! A stored value that no longer decodes (the database changed outside this program) is an
//! error naming its table, row and column, on both backends: never a silent zero, never a
//! dropped row.

use chrono::NaiveDate;
use diesel::prelude::*;
use suivi_clauses::domain::{
    AwardRole, Hours, Modality, Money, Month, Name, Reservation, Territory,
};
use suivi_clauses::storage::contracts::ContractFilter;
use suivi_clauses::storage::hour_entries::{self, HourEntry};
use suivi_clauses::storage::indicators::{self, HoursFilter};
use suivi_clauses::storage::{
    Backend, DbConnection, HourEntryId, LotId, PageRequest, ParticipantId, buyers, companies,
    contracts,
};

use crate::helpers::{TestDatabase, siret};

/// A lot with a clause, held by a company, and one hour entry on it.
struct Sample {
    lot: LotId,
    participant: ParticipantId,
    entry: HourEntryId,
}

fn sample(conn: &mut DbConnection) -> QueryResult<Sample> {
    let name = |n: &str| Name::parse(n).unwrap();
    let buyer = buyers::insert(
        conn,
        &siret(1),
        &name("Département"),
        &Territory::parse("31").unwrap(),
    )
    .expect("buyer");
    let contract = contracts::upsert_contract(
        conn,
        &contracts::ContractFields {
            buyer_id: buyer,
            reference: "2025-001",
            object: "Travaux",
            procedure: None,
            cpv: None,
            notification_date: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            duration_months: Some(12),
            end_date: None,
            social_criterion: false,
            import_id: None,
            register: &Default::default(),
        },
    )?;
    let euros = |e| Money::from_euros(e).unwrap();
    let lot = contracts::upsert_lot(conn, contract, 1, None, euros(100_000), Reservation::None)?;
    let company = companies::upsert(
        conn,
        &companies::CompanyUpsert {
            identifier: &siret(999).into(),
            name: Some(&name("BATI SUD")),
            kind: None,
            postal_code: suivi_clauses::domain::Update::Keep,
            size_class: suivi_clauses::domain::Update::Keep,
        },
    )?;
    contracts::replace_awards(conn, lot, &[(company, AwardRole::Holder, euros(100_000))])?;
    contracts::set_clause(conn, lot, Some(Hours::from_whole(500).unwrap()))?;
    let participant = crate::helpers::rsa_participant(conn, "P-001")?;
    let import = crate::helpers::hours_import(conn)?;
    let entry = HourEntry {
        lot_id: lot,
        company_id: company,
        participant_id: participant,
        month: Month::new(2025, 3).unwrap(),
        modality: Modality::DirectHire,
        insertion_employer_id: None,
        hours: Hours::from_whole(35).unwrap(),
        employment_contract: None,
        review: suivi_clauses::domain::ReviewState::Validated,
    };
    hour_entries::upsert(conn, &entry, import)?;
    let entry = suivi_clauses::storage::schema::hour_entries::table
        .select(suivi_clauses::storage::schema::hour_entries::id)
        .first(conn)?;
    Ok(Sample {
        lot,
        participant,
        entry,
    })
}

fn everything() -> HoursFilter {
    HoursFilter {
        buyer_ids: None,
        company_id: None,
        from_month: 0,
        to_month: i32::MAX,
        counted: Default::default(),
    }
}

/// Asserts the error names the table, the row and the column.
fn names_where(
    error: diesel::result::Error,
    table: &str,
    row: impl std::fmt::Display,
    column: &str,
) {
    let message = error.to_string();
    for part in [
        format!("table {table}"),
        format!("ligne {row}"),
        format!("colonne {column}"),
    ] {
        assert!(
            message.contains(&part),
            "« {part} » missing from: {message}"
        );
    }
}

fn check(test_database: &TestDatabase) {
    let database = test_database.connect();
    let mut conn = database.connection().unwrap();
    let Sample {
        lot,
        participant,
        entry,
    } = sample(&mut conn).unwrap();
    let march = [Month::new(2025, 3).unwrap()];

    let plant = |conn: &mut DbConnection, sql: String| {
        diesel::sql_query(sql).execute(conn).unwrap();
    };

    // Numbers out of range are refused by the tables' CHECK constraints; codes are not.
    plant(
        &mut conn,
        format!("UPDATE hour_entries SET modality = 'teletravail' WHERE id = {entry}"),
    );
    // What the import checks its monthly ceiling against: the row is not dropped.
    let error = hour_entries::stored_for(&mut conn, &[participant], &march).unwrap_err();
    names_where(error, "hour_entries", entry, "modality");
    let error = indicators::detail_page(&mut conn, &everything(), 0.into(), 10).unwrap_err();
    names_where(error, "hour_entries", entry, "modality");

    plant(
        &mut conn,
        format!("UPDATE lots SET reservation = 'reservee' WHERE id = {lot}"),
    );
    let page = PageRequest::new(None, None);
    let error = contracts::page(&mut conn, &ContractFilter::default(), page).unwrap_err();
    names_where(error, "lots", lot, "reservation");
}

#[test]
fn an_undecodable_value_is_an_error_naming_its_table_row_and_column_on_sqlite() {
    check(&TestDatabase::for_backend(Backend::Sqlite));
}

#[test]
fn an_undecodable_value_is_an_error_naming_its_table_row_and_column_on_postgres() {
    if let Some(database) = TestDatabase::postgres_or_skip() {
        check(&database);
    }
}
