//! Where a running import stands, for the API, the upload page and the command line's bar.
//!
//! The state lives in the import's database record, so that every instance behind a load
//! balancer reports the same. SQLite allows one writer at a time, and during the write phase it
//! is the import's own transaction: there, the instance running the import answers from its
//! live counters (a SQLite database is served by one instance).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::domain::{ImportPhase, ImportStatus, Labelled};
use crate::storage::imports::{self, JobRecord};
use crate::storage::{Backend, Database, DbConnection, ImportId, UserId};

use super::report::ImportReport;

/// What an import tells as it goes.
pub trait Progress {
    /// A new phase starts, with the number of rows it will go through (0 when unknown).
    fn phase(&mut self, phase: ImportPhase, rows_total: usize);
    /// One more row written.
    fn row_written(&mut self);
}

/// For imports nobody follows (the example dataset, tests).
pub struct Silent;

impl Progress for Silent {
    fn phase(&mut self, _: ImportPhase, _: usize) {}
    fn row_written(&mut self) {}
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    pub phase: ImportPhase,
    pub rows_done: usize,
    pub rows_total: usize,
}

/// The counters of the imports running in this process.
#[derive(Debug, Clone, Default)]
pub struct LiveJobs(Arc<Mutex<HashMap<ImportId, Counters>>>);

impl LiveJobs {
    fn set(&self, id: ImportId, counters: Counters) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, counters);
    }

    fn remove(&self, id: ImportId) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    }

    pub fn get(&self, id: ImportId) -> Option<Counters> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .copied()
    }
}

/// How often progress is written to the database: often enough for a bar, rarely enough not
/// to slow the import.
const PUBLISH_EVERY: Duration = Duration::from_millis(500);

/// The progress of one import job, published to the database and the live counters, and shown
/// to whoever watches (the command line's bar).
pub struct JobProgress<'a> {
    id: ImportId,
    database: &'a Database,
    live: LiveJobs,
    counters: Counters,
    last_published: Instant,
    watcher: Option<Box<dyn FnMut(Counters) + 'a>>,
}

impl<'a> JobProgress<'a> {
    pub fn new(id: ImportId, database: &'a Database, live: LiveJobs) -> JobProgress<'a> {
        let counters = Counters {
            phase: ImportPhase::Reading,
            rows_done: 0,
            rows_total: 0,
        };
        live.set(id, counters);
        JobProgress {
            id,
            database,
            live,
            counters,
            last_published: Instant::now(),
            watcher: None,
        }
    }

    /// Called with the counters at every change.
    pub fn watched_by(mut self, watcher: impl FnMut(Counters) + 'a) -> Self {
        self.watcher = Some(Box::new(watcher));
        self
    }

    /// Updates the live counters and, unless `in_database` is false, the import's record.
    fn publish(&mut self, in_database: bool) {
        self.last_published = Instant::now();
        self.live.set(self.id, self.counters);
        if !in_database {
            return;
        }
        let Counters {
            phase,
            rows_done,
            rows_total,
        } = self.counters;
        let published = self
            .database
            .connection()
            .map_err(|e| e.to_string())
            .and_then(|mut conn| {
                imports::set_progress(&mut conn, self.id, phase, rows_done, rows_total)
                    .map_err(|e| e.to_string())
            });
        // Progress is a courtesy: the import goes on without it.
        if let Err(error) = published {
            tracing::warn!(import = self.id.get(), %error, "progress not recorded");
        }
    }
}

impl Progress for JobProgress<'_> {
    fn phase(&mut self, phase: ImportPhase, rows_total: usize) {
        self.counters = Counters {
            phase,
            rows_done: 0,
            rows_total,
        };
        if let Some(watcher) = &mut self.watcher {
            watcher(self.counters);
        }
        // Phases change outside the write transaction.
        self.publish(true);
    }

    fn row_written(&mut self) {
        self.counters.rows_done += 1;
        if let Some(watcher) = &mut self.watcher {
            watcher(self.counters);
        }
        if self.last_published.elapsed() < PUBLISH_EVERY {
            return;
        }
        // Rows are written inside the import's transaction: on SQLite, the one writer.
        self.publish(self.database.backend() != Backend::Sqlite);
    }
}

impl Drop for JobProgress<'_> {
    fn drop(&mut self) {
        self.live.remove(self.id);
    }
}

/// An import as the API and the command line show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct JobState {
    #[schema(value_type = i64)]
    pub id: ImportId,
    pub kind: String,
    pub file_name: String,
    pub status: ImportStatus,
    pub status_label: &'static str,
    /// While running: the phase, and rows done out of rows to go through in it.
    pub phase: Option<ImportPhase>,
    pub phase_label: Option<&'static str>,
    pub rows_done: usize,
    pub rows_total: usize,
    pub created_at: chrono::NaiveDateTime,
    pub finished_at: Option<chrono::NaiveDateTime>,
    /// Once ended, the full report.
    pub report: Option<ImportReport>,
    /// An undone import: when, and by whom (as the audit log names them).
    pub undone_at: Option<chrono::NaiveDateTime>,
    pub undone_by: Option<String>,
    #[serde(skip)]
    pub uploaded_by: Option<UserId>,
}

/// The state of import `id`. A running import that is not live here and whose heartbeat is
/// older than `stale_after` was cut off: it is recorded as interrupted on the way.
pub fn job_state(
    conn: &mut DbConnection,
    id: ImportId,
    live: &LiveJobs,
    stale_after: Duration,
) -> Result<Option<JobState>, diesel::result::Error> {
    let Some(mut record) = imports::job(conn, id)? else {
        return Ok(None);
    };
    let running = record.status == ImportStatus::Running;
    let here = live.get(id);
    if running && here.is_none() {
        let cutoff = crate::storage::now()
            - chrono::Duration::from_std(stale_after).unwrap_or(chrono::Duration::MAX);
        let report = ImportReport::cut_short(
            record.kind,
            &record.file_name,
            id.get(),
            ImportStatus::Interrupted,
            "le traitement s'est arrêté avant la fin (service arrêté ou redémarré)".to_owned(),
        );
        let text = serde_json::to_string(&report).unwrap_or_default();
        if imports::abandon(conn, id, ImportStatus::Interrupted, &text, Some(cutoff))? {
            record = imports::job(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
        }
    }
    Ok(Some(state_of(record, here)))
}

fn state_of(record: JobRecord, live: Option<Counters>) -> JobState {
    let status = record.status;
    let stored_phase = record.phase;
    let (phase, rows_done, rows_total) = match live {
        Some(c) if status == ImportStatus::Running => (Some(c.phase), c.rows_done, c.rows_total),
        _ => (
            stored_phase,
            usize::try_from(record.rows_done).unwrap_or(0),
            usize::try_from(record.rows_total).unwrap_or(0),
        ),
    };
    let report = record
        .report
        .as_deref()
        .filter(|text| !text.is_empty())
        .and_then(|text| serde_json::from_str(text).ok());
    JobState {
        id: record.id,
        kind: record.kind.code().to_owned(),
        file_name: record.file_name,
        status,
        status_label: status.label(),
        phase,
        phase_label: phase.map(|p| p.label()),
        rows_done,
        rows_total,
        created_at: record.created_at,
        finished_at: record.finished_at,
        report,
        undone_at: record.undone_at,
        undone_by: record.undone_by,
        uploaded_by: record.uploaded_by,
    }
}
