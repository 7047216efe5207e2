//! The orchestration of an import: a job recorded as running, then the file read and checked
//! (`pipeline`), and, if nothing is wrong, its rows and outcome written in one transaction.

use std::collections::BTreeSet;

use super::context::KindsContext;
use super::decp;
use super::error::ImportError;
use super::error_workbook;
use super::kinds;
use super::limits::ImportLimits;
use super::parsed::Parsed;
use super::pipeline;
use super::problem::Problems;
use super::profile::Profile;
use super::profiles::Profiles;
use super::progress::{self, Progress};
use super::report::ImportReport;
use super::reporter::Reporter;
use super::shared_records;
use super::slots::{Busy, ImportSlots, Slot};
use super::template;
use super::upload::Upload;
use crate::domain::{
    AuditAction, Hours, ImportKind, ImportPhase, ImportStatus, Labelled, Month, ObligationRules,
    Siret,
};
use crate::storage::audit::{self, Actor};
use crate::storage::imports::{self, NewImport, Outcome};
use crate::storage::users::BuyerScope;
use crate::storage::{BuyerId, ImportId, LotId, ParticipantId, closures, staged_hours};
use crate::storage::{
    DbConnection, Touched, buyers, contracts, figures_transaction, hour_entries, rollups,
};

/// The profiles and limits, loaded once at start-up, and the imports running in this process.
#[derive(Debug, Clone)]
pub struct Importer {
    profiles: Profiles,
    limits: ImportLimits,
    live: progress::LiveJobs,
    slots: ImportSlots,
    /// SQLite has one writer at a time: imports take turns here rather than wait in SQLite's
    /// busy handler, whose timeout a large import's write would outlast (seen in the
    /// benchmarks: concurrent imports of 250 000 rows each cut off).
    sqlite_turn: std::sync::Arc<std::sync::Mutex<()>>,
    /// The obligation rules: the grounds the register accepts.
    obligations: std::sync::Arc<ObligationRules>,
}

/// A started import: its record, and what identifies its file.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: ImportId,
    buyer_id: Option<BuyerId>,
    sha256: String,
}

/// A duplicate unless asked to replace: the very same file already imported for this buyer.
fn refuse_same_file(
    conn: &mut DbConnection,
    kind: ImportKind,
    buyer_id: Option<BuyerId>,
    sha256: &str,
) -> Result<(), ImportError> {
    match imports::find_same_file(conn, kind, buyer_id, sha256)? {
        Some((id, at)) => Err(ImportError::Duplicate {
            id,
            at: at.format("%d/%m/%Y à %H:%M").to_string(),
        }),
        None => Ok(()),
    }
}

/// What reading and checking a file leaves to write: its rows if accepted, and the error
/// workbook if refused.
struct Checked {
    accepted: Option<Parsed>,
    annotated: Option<Vec<u8>>,
}

impl Importer {
    pub fn new(profiles: Profiles, limits: ImportLimits) -> Importer {
        Importer {
            profiles,
            limits,
            live: progress::LiveJobs::default(),
            slots: ImportSlots::default(),
            sqlite_turn: std::sync::Arc::default(),
            obligations: std::sync::Arc::new(ObligationRules::built_in()),
        }
    }

    /// The same with these obligation rules instead of the built-in ones.
    pub fn with_obligations(self, rules: ObligationRules) -> Importer {
        Importer {
            obligations: std::sync::Arc::new(rules),
            ..self
        }
    }

    pub fn obligations(&self) -> &ObligationRules {
        &self.obligations
    }

    pub fn limits(&self) -> &ImportLimits {
        &self.limits
    }

    /// The profile of an importable kind.
    pub fn profile(&self, kind: ImportKind) -> Option<&Profile> {
        self.profiles.get(kind)
    }

    /// The .xlsx template of `kind`, from its profile.
    pub fn template(&self, kind: ImportKind) -> Result<Vec<u8>, ImportError> {
        self.template_with(kind, &[])
    }

    /// The hours template with one row per lot (with a clause) that the company holds within
    /// `scope`: reference, lot and SIRET filled in.
    pub fn hours_template_for(
        &self,
        conn: &mut DbConnection,
        company: &Siret,
        scope: &BuyerScope,
    ) -> Result<Vec<u8>, ImportError> {
        let buyer_ids = match scope {
            BuyerScope::AllBuyers | BuyerScope::Company { .. } => None,
            BuyerScope::Buyers { buyer_ids } => Some(&buyer_ids[..]),
        };
        let lots = contracts::clause_lots_of_company(conn, company.as_str(), buyer_ids)?;
        let rows: Vec<Vec<(&str, String)>> = lots
            .into_iter()
            .map(|(reference, lot)| {
                let lot = if lot == 0 {
                    String::new()
                } else {
                    lot.to_string()
                };
                vec![
                    ("reference", reference),
                    ("lot", lot),
                    ("company_siret", company.as_str().to_owned()),
                ]
            })
            .collect();
        self.template_with(ImportKind::Hours, &rows)
    }

    fn template_with(
        &self,
        kind: ImportKind,
        rows: &[Vec<(&str, String)>],
    ) -> Result<Vec<u8>, ImportError> {
        let profile = self.profile_of(kind)?;
        let grounds: Vec<&str> = self
            .obligations
            .grounds
            .iter()
            .map(|g| g.label.as_str())
            .collect();
        template::workbook(profile, rows, &grounds)
            .map_err(|e| ImportError::Template(e.to_string()))
    }

    fn profile_of(&self, kind: ImportKind) -> Result<&Profile, ImportError> {
        self.profiles
            .get(kind)
            .ok_or(ImportError::NotYetAvailable(kind.label()))
    }

    /// Imports the file, all or nothing, unwatched: `start` then `complete`. A refused file is
    /// recorded with its report (and returned with status `Refused`); a file already imported
    /// is refused unless replaced.
    pub fn run(
        &self,
        conn: &mut DbConnection,
        upload: Upload,
        actor: &Actor,
    ) -> Result<ImportReport, ImportError> {
        let job = self.start(conn, &upload, actor)?;
        self.complete(conn, &job, upload, actor, &mut progress::Silent)
    }

    /// A place for one more import of `account`, held until the import ends, unless the
    /// account or this process already runs as many as the limits allow.
    pub fn slot_for(&self, account: Option<crate::storage::UserId>) -> Result<Slot, Busy> {
        self.slots.take(
            account,
            self.limits.max_running,
            self.limits.max_running_per_account,
        )
    }

    /// The counters of the imports this process is running.
    pub fn live_jobs(&self) -> &progress::LiveJobs {
        &self.live
    }

    /// Checks what can be checked at once (kind, buyer, same file already imported), then
    /// records the import as running, committed, so that it can be followed.
    pub fn start(
        &self,
        conn: &mut DbConnection,
        upload: &Upload,
        actor: &Actor,
    ) -> Result<Job, ImportError> {
        self.profile_of(upload.kind)?;
        let buyer_id = match &upload.buyer {
            Some(siret) => Some(
                buyers::id_by_siret(conn, siret)?
                    .ok_or_else(|| ImportError::UnknownBuyer(siret.clone()))?,
            ),
            None => None,
        };
        let sha256 = upload
            .sha256()
            .map_err(|e| ImportError::Unreadable(e.to_string()))?;
        if !upload.replace {
            refuse_same_file(conn, upload.kind, buyer_id, &sha256)?;
        }
        let id = imports::start(
            conn,
            &NewImport {
                kind: upload.kind,
                buyer_id,
                file_name: &upload.file_name,
                sha256: &sha256,
                uploaded_by: actor.user_id,
            },
        )?;
        Ok(Job {
            id,
            buyer_id,
            sha256,
        })
    }

    /// Reads, checks and writes a started import. If anything fails on the way, nothing is
    /// written and the import is recorded as interrupted (or refused, for a duplicate).
    pub fn complete(
        &self,
        conn: &mut DbConnection,
        job: &Job,
        upload: Upload,
        actor: &Actor,
        progress: &mut dyn Progress,
    ) -> Result<ImportReport, ImportError> {
        let (kind, file_name) = (upload.kind, upload.file_name.clone());
        // Checks and writes together, so that the checks against stored hours see the
        // imports before this one (a poisoned lock only means another import panicked).
        let _turn = matches!(conn, DbConnection::Sqlite(_))
            .then(|| self.sqlite_turn.lock().unwrap_or_else(|e| e.into_inner()));
        let result =
            conn.with_bulk_write_cache(|conn| self.process(conn, job, upload, actor, progress));
        if let Err(error) = &result {
            let status = match error {
                ImportError::Duplicate { .. } => ImportStatus::Refused,
                _ => ImportStatus::Interrupted,
            };
            let report =
                ImportReport::cut_short(kind, &file_name, job.id.get(), status, error.to_string());
            let text = serde_json::to_string(&report).unwrap_or_default();
            if let Err(e) = imports::abandon(conn, job.id, status, &text, None) {
                tracing::error!(import = job.id.get(), error = %e, "import left as running");
            }
            // Its transaction rolled back, but the chunks it staged were committed.
            if let Err(e) = staged_hours::discard(conn, job.id) {
                tracing::error!(import = job.id.get(), error = %e, "staged entries left");
            }
        }
        result
    }

    fn process(
        &self,
        conn: &mut DbConnection,
        job: &Job,
        mut upload: Upload,
        actor: &Actor,
        progress: &mut dyn Progress,
    ) -> Result<ImportReport, ImportError> {
        let profile = self.profile_of(upload.kind)?;
        progress.phase(ImportPhase::Reading, 0);
        let mut report = ImportReport::new(upload.kind, &upload.file_name, Some(job.id.get()));
        let checked = self.check(conn, &upload, profile, &mut report)?;
        // Read: the file received is removed before the import is said to be over.
        upload.spool = None;
        if let Some(parsed) = &checked.accepted {
            report.rows_written = parsed.rows();
            report.status = ImportStatus::Succeeded;
            progress.phase(ImportPhase::Writing, parsed.rows());
            // Hour statements, which may run to millions of rows, are staged a chunk per
            // transaction first; the transaction below only publishes them.
            if let Parsed::Hours(statements) = parsed {
                let chunk_rows = self.limits.staging_chunk_rows;
                kinds::hours::stage(conn, statements, job.id, upload.role, chunk_rows, progress)?;
            }
        }
        figures_transaction(conn, |conn, touched| {
            // Again inside the transaction: the same file may have been sent twice at once.
            if !upload.replace {
                refuse_same_file(conn, upload.kind, job.buyer_id, &job.sha256)?;
            }
            match &checked.accepted {
                Some(parsed) => {
                    let changed = write_rows(conn, parsed, job.id, progress, &mut report)?;
                    touch_buyers_of(conn, changed, touched)?;
                }
                None => touched.nobody(),
            }
            record(
                conn,
                job.id,
                &upload,
                actor,
                &report,
                checked.annotated.as_deref(),
            )?;
            Ok(report)
        })
    }

    /// Reads and checks the file into the report: the rows to write if nothing is wrong, the
    /// error workbook otherwise.
    fn check(
        &self,
        conn: &mut DbConnection,
        upload: &Upload,
        profile: &Profile,
        report: &mut ImportReport,
    ) -> Result<Checked, ImportError> {
        let context = KindsContext::load(conn, upload, &self.limits, &self.obligations)?;
        let pipeline::Read {
            mut parsed,
            header,
            origins,
        } = match pipeline::parse(upload, profile, &self.limits, &context, report) {
            Ok(read) => read,
            Err(problem) => {
                report.file_problem = Some(problem.to_string());
                return Ok(Checked {
                    accepted: None,
                    annotated: None,
                });
            }
        };
        if let Parsed::Hours(statements) = &parsed {
            self.check_stored_hours(conn, statements, profile, report)?;
        }
        shared_records::check(conn, &parsed, &upload.scope, profile, report)?;
        report.problems.sort_by_key(|p| p.row);
        let decp = origins.is_some();
        if let Some(origins) = origins {
            decp::settle(origins, &mut parsed, report, profile, upload.skip_invalid);
        }
        if report.problems.is_empty() {
            return Ok(Checked {
                accepted: Some(parsed),
                annotated: None,
            });
        }
        // Without it the refusal still stands: the JSON report says it all (a DECP file has
        // no workbook to annotate).
        let annotated = (!decp)
            .then(|| pipeline::whole_sheet(upload, &self.limits, header.sheet).ok())
            .flatten()
            .and_then(|sheet| {
                error_workbook::write(&sheet, &header, profile, &report.problems).ok()
            });
        Ok(Checked {
            accepted: None,
            annotated,
        })
    }

    /// The monthly ceiling with the hours already stored for the same participants and months.
    fn check_stored_hours(
        &self,
        conn: &mut DbConnection,
        statements: &[kinds::hours::Statement],
        profile: &Profile,
        report: &mut ImportReport,
    ) -> Result<(), ImportError> {
        let participants: Vec<ParticipantId> =
            statements.iter().map(|s| s.entry.participant_id).collect();
        let months: Vec<Month> = statements.iter().map(|s| s.entry.month).collect();
        // A stored value that does not decode stops the import, saying where it is.
        let stored: Vec<(kinds::hours::EntryKey, Hours)> =
            hour_entries::stored_for(conn, &participants, &months)?
                .into_iter()
                .map(|s| {
                    let key = kinds::hours::EntryKey {
                        lot_id: s.lot_id,
                        company_id: s.company_id,
                        participant_id: s.participant_id,
                        month: s.month,
                        modality: s.modality,
                    };
                    (key, s.hours)
                })
                .collect();
        let sheet = report.sheet.clone().unwrap_or_default();
        let mut problems = Problems::resume(
            std::mem::take(&mut report.problems),
            report.problems_left_out,
        );
        let mut reporter = Reporter::new(&sheet, profile, &mut problems);
        kinds::hours::check_stored_totals(
            statements,
            &stored,
            self.limits.max_hours_per_month,
            &mut reporter,
        );
        (report.problems, report.problems_left_out) = problems.into_parts();
        Ok(())
    }
}

/// Discards what imports cut off before their end staged (their process is gone: silent for
/// `stale_after`, or no longer running): at start-up. Returns how many entries went.
pub fn discard_abandoned(
    conn: &mut DbConnection,
    stale_after: std::time::Duration,
) -> Result<usize, ImportError> {
    let cutoff = chrono::Duration::from_std(stale_after)
        .ok()
        .and_then(|d| crate::storage::now().checked_sub_signed(d))
        .unwrap_or(chrono::NaiveDateTime::MIN);
    Ok(staged_hours::discard_abandoned(conn, cutoff)?)
}

/// Writes the accepted rows of the import `id` (hour statements: publishes those staged); the
/// caller provides the transaction.
fn write_rows(
    conn: &mut DbConnection,
    parsed: &Parsed,
    id: ImportId,
    progress: &mut dyn Progress,
    report: &mut ImportReport,
) -> Result<Changed, ImportError> {
    match parsed {
        Parsed::Structures(structures) => {
            kinds::structures::write(conn, structures, progress)?;
        }
        Parsed::Contracts(contracts) => {
            kinds::contracts::write(conn, contracts, id, progress)?;
        }
        Parsed::Participants(participants) => {
            kinds::participants::write(conn, participants, progress)?;
        }
        Parsed::Hours(statements) => {
            refuse_closed_meanwhile(conn, statements)?;
            let published = kinds::hours::publish(conn, statements, id)?;
            report.replaced = published.replaced;
            // Once every entry is published: one set-based delta for the whole import.
            rollups::add_import(conn, id)?;
            return Ok(Changed::Lots(published.lots));
        }
        Parsed::WorkContracts(contracts) => {
            kinds::work_contracts::write(conn, contracts, id, progress)?;
        }
    }
    Ok(Changed::Shared)
}

/// Whose figures the rows written change.
enum Changed {
    /// Those of the buyers of these lots: hours change their own lots' figures, and those of
    /// every lot their participants' contracts, derived again, serve.
    Lots(BTreeSet<LotId>),
    /// Every buyer's: the other kinds write records shared between buyers (companies,
    /// participants, contracts' awardees, registers of work contracts).
    Shared,
}

fn touch_buyers_of(
    conn: &mut DbConnection,
    changed: Changed,
    touched: &mut Touched,
) -> Result<(), ImportError> {
    if let Changed::Lots(lots) = changed {
        let lots: Vec<LotId> = lots.into_iter().collect();
        touched.buyers(contracts::buyers_of_lots(conn, &lots)?);
    }
    Ok(())
}

/// Checked again in the write's transaction, the lots' rows locked: a clause closed since the
/// file was checked stops the import whole.
fn refuse_closed_meanwhile(
    conn: &mut DbConnection,
    statements: &[kinds::hours::Statement],
) -> Result<(), ImportError> {
    let lot_ids: Vec<LotId> = statements.iter().map(|s| s.entry.lot_id).collect();
    closures::lock_lots(conn, &lot_ids)?;
    if closures::standing_on(conn, &lot_ids)?.is_empty() {
        Ok(())
    } else {
        Err(ImportError::ClauseClosed)
    }
}

/// Records the import's outcome and its audit line.
fn record(
    conn: &mut DbConnection,
    id: ImportId,
    upload: &Upload,
    actor: &Actor,
    report: &ImportReport,
    annotated: Option<&[u8]>,
) -> Result<(), ImportError> {
    imports::finish(
        conn,
        id,
        &Outcome {
            status: report.status,
            rows_total: report.rows_read,
            rows_written: report.rows_written,
            error_count: report.problem_count() + usize::from(report.file_problem.is_some()),
            report: &serde_json::to_string(report).unwrap_or_default(),
            error_workbook: annotated,
        },
    )?;
    let action = match report.status {
        ImportStatus::Succeeded => AuditAction::ImportSucceeded,
        _ => AuditAction::ImportRefused,
    };
    let target = format!(
        "import n° {id} : {} « {} »",
        upload.kind.label(),
        upload.file_name
    );
    audit::record(conn, actor, action, Some(&target), None)?;
    Ok(())
}
