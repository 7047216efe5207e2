//! Statements slower than a threshold, logged with their duration and their SQL, never with
//! their values (they may name people): what an operator reads to know which query a slow page
//! or a long refresh of the figures waits for.

use std::fmt::Write;
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
                    // Printing a query walks it again, which may fail: never a panic for a log.
                    let mut printed = String::new();
                    let sql = match write!(printed, "{query}") {
                        Ok(()) => without_values(&printed),
                        Err(_) => "(texte de la requête indisponible)".to_owned(),
                    };
                    tracing::warn!(
                        duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
                        failed = error.is_some(),
                        sql = %sql,
                        "requête lente"
                    );
                }
            }
            _ => {}
        }
    }
}

/// Characters of a statement logged: a multi-row INSERT or a long `IN (…)` has thousands of
/// markers, and its start says which statement it is.
const LOGGED_CHARS: usize = 2_000;

/// The statement's text as diesel prints it, without the values bound to it, on one line, its
/// first `LOGGED_CHARS` characters.
fn without_values(printed: &str) -> String {
    let sql = printed.split(" -- binds: ").next().unwrap_or_default();
    let one_line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(LOGGED_CHARS) {
        Some((end, _)) => format!("{}…", &one_line[..end]),
        None => one_line,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    use super::*;
    use crate::configuration::LogFormat;

    /// What a subscriber writes, kept for the test to read.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_slow_statement_is_logged_with_its_sql_and_without_its_values() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber =
            crate::telemetry::subscriber(LogFormat::Json, "warn", move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            let mut conn = SqliteConnection::establish(":memory:").unwrap();
            conn.batch_execute("CREATE TABLE people (email TEXT NOT NULL)")
                .unwrap();
            conn.set_instrumentation(SlowStatements::new(Duration::ZERO));
            diesel::sql_query("INSERT INTO people (email) VALUES (?)")
                .bind::<Text, _>("lea@exemple.fr")
                .execute(&mut conn)
                .unwrap();
        });
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("requête lente"), "{log}");
        assert!(
            log.contains("INSERT INTO people (email) VALUES (?)"),
            "{log}"
        );
        assert!(!log.contains("lea@exemple.fr"), "{log}");
    }

    #[test]
    fn a_long_statement_is_cut_after_its_start() {
        let markers = vec!["?"; 5_000].join(", ");
        let logged = without_values(&format!("INSERT INTO t VALUES ({markers}) -- binds: [1]"));
        assert!(logged.starts_with("INSERT INTO t VALUES (?, ?"));
        assert_eq!(logged.chars().count(), LOGGED_CHARS + 1);
        assert!(logged.ends_with('…'));
    }

    #[test]
    fn the_values_bound_never_reach_the_log() {
        let printed = "SELECT id FROM users\n  WHERE email = $1 -- binds: [\"lea@exemple.fr\"]";
        assert_eq!(
            without_values(printed),
            "SELECT id FROM users WHERE email = $1"
        );
    }
}
