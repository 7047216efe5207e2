//! Statements slower than a threshold, logged with their duration and their SQL, never with
//! their values (they may name people): what an operator reads to know which query a slow page
//! or a long refresh of the figures waits for.

use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent};

/// One per connection: a connection runs one statement at a time.
pub struct SlowStatements {
    threshold: Duration,
    started: Option<Instant>,
}

impl SlowStatements {
    pub fn new(threshold: Duration) -> Self {
        SlowStatements {
            threshold,
            started: None,
        }
    }
}

impl Instrumentation for SlowStatements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => self.started = Some(Instant::now()),
            InstrumentationEvent::FinishQuery { query, error, .. } => {
                let Some(elapsed) = self.started.take().map(|s| s.elapsed()) else {
                    return;
                };
                if elapsed >= self.threshold {
                    tracing::warn!(
                        duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
                        failed = error.is_some(),
                        sql = %without_values(&query.to_string()),
                        "requête lente"
                    );
                }
            }
            _ => {}
        }
    }
}

/// The statement's text as diesel prints it, without the values bound to it, on one line.
fn without_values(printed: &str) -> String {
    let sql = printed.split(" -- binds: ").next().unwrap_or_default();
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_values_bound_never_reach_the_log() {
        let printed = "SELECT id FROM users\n  WHERE email = $1 -- binds: [\"lea@exemple.fr\"]";
        assert_eq!(
            without_values(printed),
            "SELECT id FROM users WHERE email = $1"
        );
    }
}
