//! Insertion-hours data written straight into the database, for tests that need some.

use chrono::NaiveDate;
use diesel::prelude::*;
use suivi_clauses::domain::{Name, Territory};
use suivi_clauses::storage::schema::{companies, contracts, hour_entries, lots, participants};
use suivi_clauses::storage::{DbConnection, buyers, now};

use crate::helpers::siret;

/// One participant: pseudonym, criterion code, and the hours (month yyyymm, hundredths).
pub struct Person {
    pub pseudonym: &'static str,
    pub criterion: &'static str,
    pub validated_on: NaiveDate,
    pub hours: &'static [(i32, i64)],
}

/// A buyer, a company, one contract with one lot, and the people's hours on it.
pub fn insertion_hours(conn: &mut DbConnection, people: &[Person]) {
    let at = now();
    let buyer = buyers::insert(
        conn,
        &siret(1),
        &Name::parse("Département").unwrap(),
        &Territory::parse("31").unwrap(),
    )
    .unwrap();
    let company: i64 = diesel::insert_into(companies::table)
        .values((
            companies::siret.eq(siret(500).as_str()),
            companies::identifier_kind.eq("SIRET"),
            companies::identifier.eq(siret(500).as_str()),
            companies::name.eq("Bâtiments du Sud"),
            companies::structure_kind.eq("company"),
            companies::created_at.eq(at),
            companies::updated_at.eq(at),
        ))
        .returning(companies::id)
        .get_result(conn)
        .unwrap();
    let contract: i64 = diesel::insert_into(contracts::table)
        .values((
            contracts::buyer_id.eq(buyer),
            contracts::reference.eq("2022-TX-01"),
            contracts::object.eq("Réhabilitation du collège"),
            contracts::notification_date.eq(NaiveDate::from_ymd_opt(2022, 1, 15).unwrap()),
            contracts::created_at.eq(at),
            contracts::updated_at.eq(at),
        ))
        .returning(contracts::id)
        .get_result(conn)
        .unwrap();
    let lot: i64 = diesel::insert_into(lots::table)
        .values((
            lots::contract_id.eq(contract),
            lots::number.eq(0),
            lots::amount_cents.eq(100_000_000_i64),
            lots::created_at.eq(at),
            lots::updated_at.eq(at),
        ))
        .returning(lots::id)
        .get_result(conn)
        .unwrap();
    for person in people {
        let participant: i64 = diesel::insert_into(participants::table)
            .values((
                participants::pseudonym.eq(person.pseudonym),
                participants::criterion.eq(person.criterion),
                participants::validated_on.eq(person.validated_on),
                participants::prescriber.eq("France Travail Toulouse"),
                participants::created_at.eq(person.validated_on.and_hms_opt(9, 0, 0).unwrap()),
                participants::updated_at.eq(at),
            ))
            .returning(participants::id)
            .get_result(conn)
            .unwrap();
        for &(month, hours) in person.hours {
            diesel::insert_into(hour_entries::table)
                .values((
                    hour_entries::lot_id.eq(lot),
                    hour_entries::company_id.eq(company),
                    hour_entries::participant_id.eq(participant),
                    hour_entries::month.eq(month),
                    hour_entries::modality.eq("direct_hire"),
                    hour_entries::hours.eq(hours),
                    hour_entries::created_at.eq(at),
                    hour_entries::updated_at.eq(at),
                ))
                .execute(conn)
                .unwrap();
        }
    }
    // Written straight, past the writes that keep the roll-ups: recomputed, as `verify
    // --repair` would.
    suivi_clauses::storage::rollups::rebuild(conn).unwrap();
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Three people: two whose last hours were in 2022, one still working in 2025.
pub const PEOPLE: &[Person] = &[
    Person {
        pseudonym: "P-ALICE-22",
        criterion: "RSA",
        validated_on: NaiveDate::from_ymd_opt(2022, 1, 3).unwrap(),
        hours: &[(202_201, 15_000), (202_202, 14_000)],
    },
    Person {
        pseudonym: "P-BRUNO-22",
        criterion: "TH",
        validated_on: NaiveDate::from_ymd_opt(2022, 2, 1).unwrap(),
        hours: &[(202_203, 7_000)],
    },
    Person {
        pseudonym: "P-CHLOE-25",
        criterion: "RSA",
        validated_on: NaiveDate::from_ymd_opt(2022, 3, 1).unwrap(),
        hours: &[(202_204, 3_500), (202_503, 12_000)],
    },
];
