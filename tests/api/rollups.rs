//! The roll-ups of hours follow every write: after seeded random sequences of imports (new
//! hours and corrections of hours already stored), validations, rejections, reopenings and
//! undoings, they equal their recomputation from the hour entries, and the figures read from
//! them equal the sums over the entries; on the backend under test (SQLite, or PostgreSQL with
//! TEST_DATABASE_URL). `suivi-clauses verify` tells a difference and repairs it.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use suivi_clauses::app::reviews::{self, ReviewTarget};
use suivi_clauses::app::{self, Caller};
use suivi_clauses::domain::{Decision, ImportKind, Month, ReviewState, Role};
use suivi_clauses::indicators::Indicators;
use suivi_clauses::storage::schema::{hour_entries, hour_rollups};
use suivi_clauses::storage::{DbConnection, ImportId, LotId, rollups};

use crate::cli::{stdout_of, suivi};
use crate::indicator_properties::{Fixture, Row, statement};

/// A random statement: one to six rows on the two lots with a clause, March to June 2025 (so
/// that later statements correct earlier ones), under the monthly ceilings.
fn random_rows(rng: &mut StdRng) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for _ in 0..rng.random_range(1..=6) {
        let row = Row {
            lot: rng.random_range(0..2),
            participant: rng.random_range(0..3),
            month: rng.random_range(3..=6),
            training: rng.random_bool(0.3),
            seconded: rng.random_bool(0.3),
            half_hours: rng.random_range(1..=80),
        };
        // One value per key in a file, as a company writes it.
        rows.retain(|r| {
            (r.lot, r.participant, r.month, r.training, r.seconded)
                != (
                    row.lot,
                    row.participant,
                    row.month,
                    row.training,
                    row.seconded,
                )
        });
        rows.push(row);
    }
    rows
}

/// One write, chosen at random among those that change hour entries. Refusals (nothing to
/// review, an import corrected since) are part of the game: nothing is written then.
fn random_write(fixture: &Fixture, rng: &mut StdRng, imports: &mut Vec<i64>) {
    let mut conn = fixture.database.connection().unwrap();
    let caller = Caller::command_line();
    let picked = |rng: &mut StdRng, imports: &[i64]| -> Option<ImportId> {
        (!imports.is_empty()).then(|| imports[rng.random_range(0..imports.len())].into())
    };
    match rng.random_range(0..10) {
        0..=3 => {
            let rows = random_rows(rng);
            let role = if rng.random_bool(0.5) {
                Role::Company
            } else {
                Role::Facilitator
            };
            let text = statement(&rows.iter().collect::<Vec<_>>());
            imports.push(fixture.import_as(ImportKind::Hours, text, true, role));
        }
        4 | 5 => {
            if let Some(id) = picked(rng, imports) {
                let decision = if rng.random_bool(0.7) {
                    Decision::Validate
                } else {
                    Decision::Reject
                };
                let reason = Some("Heures non justifiées");
                let _ = reviews::decide(
                    &mut conn,
                    &caller,
                    ReviewTarget::Import(id),
                    decision,
                    reason,
                );
            }
        }
        6 => {
            if let Some((lot, month)) = some_lot_month(&mut conn, rng) {
                let target = ReviewTarget::LotMonth(lot, month);
                let _ = reviews::decide(&mut conn, &caller, target, Decision::Reopen, None);
            }
        }
        _ => {
            if let Some(id) = picked(rng, imports) {
                let _ = app::import_undo::undo(&mut conn, &caller, id);
            }
        }
    }
}

/// A lot and month holding entries, at random.
fn some_lot_month(conn: &mut DbConnection, rng: &mut StdRng) -> Option<(LotId, Month)> {
    let pairs: Vec<(LotId, Month)> = hour_entries::table
        .select((hour_entries::lot_id, hour_entries::month))
        .distinct()
        .order((hour_entries::lot_id, hour_entries::month))
        .load(conn)
        .unwrap();
    (!pairs.is_empty()).then(|| pairs[rng.random_range(0..pairs.len())])
}

/// The hours of one review state, summed over the entries and over the roll-ups.
fn sums_of(conn: &mut DbConnection, state: ReviewState) -> (i64, i64) {
    let total = "COALESCE(CAST(SUM(hours) AS BIGINT), 0)";
    let entries = hour_entries::table
        .filter(hour_entries::review.eq(state))
        .select(sql::<BigInt>(total))
        .first(conn)
        .unwrap();
    let rolled_up = hour_rollups::table
        .filter(hour_rollups::review.eq(state))
        .select(sql::<BigInt>(total))
        .first(conn)
        .unwrap();
    (entries, rolled_up)
}

/// The hours the figures give, validated and awaiting validation, each as the entries sum it.
fn figures_match_the_entries(fixture: &Fixture, when: &str) {
    let mut conn = fixture.database.connection().unwrap();
    let (validated, _) = sums_of(&mut conn, ReviewState::Validated);
    let (declared, _) = sums_of(&mut conn, ReviewState::Declared);
    let figures: Indicators = fixture.indicators_with(false);
    assert_eq!(
        figures.insertion.hours.value.hundredths(),
        validated,
        "{when}"
    );
    assert_eq!(figures.insertion.pending.hundredths(), declared, "{when}");
    for breakdown in &figures.insertion.breakdowns {
        let sum: i64 = breakdown
            .groups
            .iter()
            .map(|g| g.hours.unwrap().hundredths())
            .sum();
        assert_eq!(sum, validated, "{when}: {}", breakdown.dimension);
    }
    let with_pending = fixture.indicators_with(true);
    assert_eq!(
        with_pending.insertion.hours.value.hundredths(),
        validated + declared,
        "{when}"
    );
    // Recomputed from the entries, the roll-ups give the very same figures.
    conn.transaction(|conn| rollups::rebuild(conn)).unwrap();
    assert_eq!(fixture.indicators_with(false), figures, "{when}");
    assert_eq!(fixture.indicators_with(true), with_pending, "{when}");
}

fn no_difference(fixture: &Fixture, when: &str) {
    let mut conn = fixture.database.connection().unwrap();
    let differences = rollups::verify(&mut conn).unwrap();
    assert!(differences.is_empty(), "{when}: {differences:?}");
    for state in [
        ReviewState::Declared,
        ReviewState::Validated,
        ReviewState::Rejected,
    ] {
        let (entries, rolled_up) = sums_of(&mut conn, state);
        assert_eq!(entries, rolled_up, "{when}: {state:?}");
    }
}

#[test]
fn the_roll_ups_follow_random_imports_corrections_reviews_and_undoings() {
    for seed in [1, 2, 3, 23] {
        let fixture = Fixture::new();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut imports = Vec::new();
        for step in 0..16 {
            random_write(&fixture, &mut rng, &mut imports);
            no_difference(&fixture, &format!("seed {seed}, step {step}"));
        }
        figures_match_the_entries(&fixture, &format!("seed {seed}"));
    }
}

#[test]
fn verify_tells_a_difference_and_repair_recomputes_the_roll_ups() {
    let fixture = Fixture::new();
    let rows = [Row {
        lot: 0,
        participant: 0,
        month: 4,
        training: false,
        seconded: true,
        half_hours: 70,
    }];
    let text = statement(&rows.iter().collect::<Vec<_>>());
    fixture.import_as(ImportKind::Hours, text, false, Role::Facilitator);
    let database = fixture.test_database();
    let agreed = stdout_of(suivi(database).arg("verify"));
    assert!(agreed.contains("aucun écart"), "{agreed}");

    let mut conn = fixture.database.connection().unwrap();
    diesel::update(hour_rollups::table)
        .set(hour_rollups::hours.eq(hour_rollups::hours + 1))
        .execute(&mut conn)
        .unwrap();
    let found = rollups::verify(&mut conn).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].from_entries, Some((3500, 1)));
    assert_eq!(found[0].stored, Some((3501, 1)));

    let refused = suivi(database).arg("verify").output().unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(
        said.contains("mois avril 2025")
            && said.contains("35,00\u{a0}h sur 1 ligne(s) ; agrégat enregistré, 35,01\u{a0}h"),
        "{said}"
    );
    let error = String::from_utf8_lossy(&refused.stderr);
    assert!(
        error.contains("1 écart(s)") && error.contains("--repair"),
        "{error}"
    );

    let repaired = stdout_of(suivi(database).args(["verify", "--repair"]));
    assert!(repaired.contains("agrégats recalculés"), "{repaired}");
    assert!(rollups::verify(&mut conn).unwrap().is_empty());
}
