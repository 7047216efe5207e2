//! Several instances on one PostgreSQL database: an import on one reaches the figures of the
//! other within two seconds, and the other answers at once meanwhile, the previous figures
//! (said stale) or the new ones, never an error.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{TestDatabase, siret, spawn_app_on};
use crate::indicators::{json_of, june_hours_of_p1, send, territory};

/// Within this time of an import's end, another instance answers the new figures.
const REACHED_WITHIN: Duration = Duration::from_secs(2);
/// Longer than any answer from memory, far shorter than waiting for a computation at scale.
const ANSWERED_WITHIN: Duration = Duration::from_secs(1);

#[tokio::test]
async fn an_import_on_one_instance_reaches_the_figures_of_another_within_two_seconds() {
    let Some(database) = TestDatabase::postgres_or_skip() else {
        return;
    };
    let second = database.shared();
    let one = spawn_app_on(database, |_| {}).await;
    // The second answers at once, whatever it keeps.
    let other = spawn_app_on(second, |s| s.figures.wait_ms = 0).await;
    let admin = territory(&one).await;
    let all = "/api/indicators?year=2025";
    let untouched = format!("/api/indicators?year=2025&buyer={}", siret(2));
    let before = json_of(&other, all, &admin).await;
    let untouched_before = json_of(&other, &untouched, &admin).await;

    send(&one, &admin, "hours", june_hours_of_p1()).await;
    let imported = Instant::now();
    let mut stale_answers = 0;
    let after = loop {
        let asked = Instant::now();
        let response = other.get_with(all, &admin).await;
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().await.unwrap();
        assert!(asked.elapsed() < ANSWERED_WITHIN, "{:?}", asked.elapsed());
        if answer["stale"] == false {
            break answer;
        }
        // Meanwhile: the figures of before, with the time they were computed.
        assert_eq!(hours(&answer), hours(&before));
        assert_eq!(answer["computed_at"], before["computed_at"]);
        stale_answers += 1;
        assert!(
            imported.elapsed() < REACHED_WITHIN,
            "{stale_answers} stale answers"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let reached = imported.elapsed();
    let untouched_after = json_of(&other, &untouched, &admin).await;

    assert!(reached < REACHED_WITHIN, "{reached:?}");
    assert_eq!(hours(&after), hours(&before) + 1_000);
    // The other buyer's figures, kept on the second instance, were not computed again.
    assert_eq!(untouched_after, untouched_before);
    assert_eq!(untouched_after["stale"], false);
}

fn hours(figures: &Value) -> i64 {
    figures["insertion"]["hours"]["hours_hundredths"]
        .as_i64()
        .unwrap_or_else(|| panic!("{figures}"))
}
