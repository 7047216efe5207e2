//! Participants' personal data: erased after the retention period, aggregates untouched.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, sql_query};
use suivi_clauses::storage::schema::participants;
use suivi_clauses::storage::{DbConnection, participants as repository, write_transaction};

use crate::helpers::TestDatabase;
use crate::seed::{self, PEOPLE, date};

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct CriterionTotal {
    #[diesel(sql_type = Text)]
    criterion: String,
    #[diesel(sql_type = BigInt)]
    hours: i64,
    #[diesel(sql_type = BigInt)]
    people: i64,
}

/// Hours and distinct participants per criterion: what the indicators are built from.
fn totals(conn: &mut DbConnection) -> Vec<CriterionTotal> {
    sql_query(
        "SELECT p.criterion AS criterion, CAST(SUM(h.hours) AS BIGINT) AS hours,
                COUNT(DISTINCT h.participant_id) AS people
         FROM hour_entries h JOIN participants p ON p.id = h.participant_id
         GROUP BY p.criterion ORDER BY p.criterion",
    )
    .load(conn)
    .unwrap()
}

fn pseudonyms(conn: &mut DbConnection) -> Vec<String> {
    participants::table
        .select(participants::pseudonym)
        .order(participants::id)
        .load(conn)
        .unwrap()
}

#[test]
fn purge_erases_people_inactive_since_the_cutoff_and_keeps_every_total() {
    let test_db = TestDatabase::new();
    let database = test_db.connect();
    let mut conn = database.connection().unwrap();
    seed::insertion_hours(&mut conn, PEOPLE);
    let before = totals(&mut conn);

    let purged = write_transaction(&mut conn, |conn| {
        repository::anonymise_inactive_before(conn, date(2024, 1, 1))
    })
    .unwrap();
    let again = write_transaction(&mut conn, |conn| {
        repository::anonymise_inactive_before(conn, date(2024, 1, 1))
    })
    .unwrap();

    assert_eq!((purged, again), (2, 0));
    let after = totals(&mut conn);
    assert_eq!(after, before);
    assert_eq!(
        before[0],
        CriterionTotal {
            criterion: "RSA".into(),
            hours: 44_500,
            people: 2
        }
    );
    let names = pseudonyms(&mut conn);
    assert!(
        names[0].starts_with("anonymise-") && names[1].starts_with("anonymise-"),
        "{names:?}"
    );
    assert_eq!(names[2], "P-CHLOE-25");
    let prescribers: Vec<Option<String>> = participants::table
        .select(participants::prescriber)
        .order(participants::id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        prescribers,
        [None, None, Some("France Travail Toulouse".to_owned())]
    );
}

#[test]
fn the_purge_command_reports_what_it_did_and_refuses_future_dates() {
    let test_db = TestDatabase::new();
    {
        let database = test_db.connect();
        seed::insertion_hours(&mut database.connection().unwrap(), PEOPLE);
    }
    let purge = |before: &str| {
        assert_cmd::Command::cargo_bin("suivi-clauses")
            .unwrap()
            .current_dir(test_db.data_dir())
            .env_clear()
            .env("DATABASE_URL", test_db.url())
            .env("SUIVI_LOG__FILTER", "warn")
            .args(["purge", "--before", before])
            .output()
            .unwrap()
    };

    let done = purge("01/01/2024");
    let future = purge("2999-01-01");

    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(
        String::from_utf8_lossy(&done.stdout)
            .starts_with("2 participant(s) sans activité depuis le 01/01/2024")
    );
    assert!(!future.status.success());
    assert!(String::from_utf8_lossy(&future.stderr).contains("dans le futur"));
}
