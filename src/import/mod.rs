//! Spreadsheet import: the main door into the system.
//!
//! A file goes through, in order: recognition by content and hostile-file limits (`format`),
//! reading into sparse sheets (`reader`), the header row (`header`, matched through the kind's
//! `profile`), typed cells (`cells`, `rows`), then the kind's own checks (`kinds`). Every problem
//! is collected; if there is any, nothing is written. Otherwise the rows and the import's outcome
//! are written in one transaction. The import's record is committed first, as a running job
//! whose progress (`progress`) can be followed.

pub mod cells;
pub mod decp;
pub mod error_workbook;
pub mod examples;
pub mod format;
pub mod header;
pub mod kinds;
pub mod limits;
pub mod problem;
pub mod profile;
pub mod progress;
pub mod reader;
pub mod report;
pub mod robustness;
pub mod rows;
pub mod template;

use sha2::{Digest, Sha256};

use crate::domain::{AuditAction, ImportKind, ImportPhase, ImportStatus, Labelled, Siret};
use crate::storage::audit::{self, Actor};
use crate::storage::imports::{self, NewImport, Outcome};
use crate::storage::users::BuyerScope;
use crate::storage::{
    DbConnection, StorageError, buyers, companies, contracts, figures_transaction, hour_entries,
    participants,
};
use limits::ImportLimits;
use problem::FileProblem;
use profile::Profiles;
use report::ImportReport;

/// A file someone sends, with what they say it is.
pub struct Upload {
    pub kind: ImportKind,
    pub buyer: Option<Siret>,
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Import again a file already imported, instead of refusing it as a duplicate.
    pub replace: bool,
    /// The buyers the uploader may import for.
    pub scope: BuyerScope,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "L'import « {0} » n'est pas encore disponible : seules les structures s'importent pour l'instant."
    )]
    NotYetAvailable(&'static str),
    #[error("Aucun acheteur n'a le SIRET {0} : créez-le d'abord (suivi-clauses buyer add).")]
    UnknownBuyer(Siret),
    #[error(
        "Ce fichier a déjà été importé le {at} (import n° {id}) : rien n'a été changé. Pour l'importer à nouveau, demandez son remplacement."
    )]
    Duplicate { id: i64, at: String },
    #[error("Le modèle n'a pas pu être produit : {0}")]
    Template(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<diesel::result::Error> for ImportError {
    fn from(e: diesel::result::Error) -> Self {
        ImportError::Storage(e.into())
    }
}

/// The profiles and limits, loaded once at start-up, and the imports running in this process.
#[derive(Debug, Clone)]
pub struct Importer {
    profiles: Profiles,
    limits: ImportLimits,
    live: progress::LiveJobs,
    /// SQLite has one writer at a time: imports take turns here rather than wait in SQLite's
    /// busy handler, whose timeout a large import's write would outlast (seen in the
    /// benchmarks: concurrent imports of 250 000 rows each cut off).
    sqlite_turn: std::sync::Arc<std::sync::Mutex<()>>,
}

/// A started import: its record, and what identifies its file.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    buyer_id: Option<i64>,
    sha256: String,
}

/// A duplicate unless asked to replace: the very same file already imported for this buyer.
fn refuse_same_file(
    conn: &mut DbConnection,
    kind: ImportKind,
    buyer_id: Option<i64>,
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

/// What parsing produced: rows ready to write, or the problems that stop the import.
enum Parsed {
    Structures(Vec<kinds::structures::Structure>),
    Contracts(Vec<kinds::contracts::Contract>),
    Participants(Vec<kinds::participants::Participant>),
    Hours(Vec<kinds::hours::Statement>),
}

impl Parsed {
    /// Rows that will be written: structures, or awards (lot × awardee) for the register.
    fn rows(&self) -> usize {
        match self {
            Parsed::Structures(list) => list.len(),
            Parsed::Contracts(list) => list
                .iter()
                .flat_map(|c| c.lots.values())
                .map(|l| l.awards.len())
                .sum(),
            Parsed::Participants(list) => list.len(),
            Parsed::Hours(list) => list.len(),
        }
    }
}

impl Importer {
    pub fn new(profiles: Profiles, limits: ImportLimits) -> Importer {
        Importer {
            profiles,
            limits,
            live: progress::LiveJobs::default(),
            sqlite_turn: std::sync::Arc::default(),
        }
    }

    pub fn limits(&self) -> &ImportLimits {
        &self.limits
    }

    /// The profile of an importable kind.
    pub fn profile(&self, kind: ImportKind) -> Option<&profile::Profile> {
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
        let profile = self
            .profile(kind)
            .ok_or(ImportError::NotYetAvailable(kind.label()))?;
        template::workbook(profile, rows).map_err(|e| ImportError::Template(e.to_string()))
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
        self.profiles
            .get(upload.kind)
            .ok_or(ImportError::NotYetAvailable(upload.kind.label()))?;
        let buyer_id = match &upload.buyer {
            Some(siret) => Some(
                buyers::id_by_siret(conn, siret)?
                    .ok_or_else(|| ImportError::UnknownBuyer(siret.clone()))?,
            ),
            None => None,
        };
        let sha256: String = Sha256::digest(&upload.bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
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
        progress: &mut dyn progress::Progress,
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
                ImportReport::cut_short(kind, &file_name, job.id, status, error.to_string());
            let text = serde_json::to_string(&report).unwrap_or_default();
            if let Err(e) = imports::abandon(conn, job.id, status, &text, None) {
                tracing::error!(import = job.id, error = %e, "import left as running");
            }
        }
        result
    }

    fn process(
        &self,
        conn: &mut DbConnection,
        job: &Job,
        upload: Upload,
        actor: &Actor,
        progress: &mut dyn progress::Progress,
    ) -> Result<ImportReport, ImportError> {
        let profile = self
            .profiles
            .get(upload.kind)
            .ok_or(ImportError::NotYetAvailable(upload.kind.label()))?;
        progress.phase(ImportPhase::Reading, 0);
        let mut report = ImportReport::new(upload.kind, &upload.file_name, Some(job.id));
        let context = kinds_context(conn, &upload, &self.limits)?;
        let (parsed, annotated) = match self.parse(&upload, profile, &context, &mut report) {
            Ok((parsed, header)) => {
                let sheet_name = report.sheet.clone().unwrap_or_default();
                if let Parsed::Hours(statements) = &parsed {
                    self.check_stored_hours(conn, statements, profile, &sheet_name, &mut report)?;
                }
                report.problems.sort_by_key(|p| p.row);
                // Without it the refusal still stands: the JSON report says it all.
                let annotated = (!report.problems.is_empty())
                    .then(|| {
                        let sheet = self.whole_sheet(&upload, profile, header.sheet).ok()?;
                        error_workbook::write(&sheet, &header, profile, &report.problems).ok()
                    })
                    .flatten();
                (Some(parsed), annotated)
            }
            Err(problem) => {
                report.file_problem = Some(problem.to_string());
                (None, None)
            }
        };
        let accepted = match parsed {
            Some(parsed) if report.problems.is_empty() => Some(parsed),
            _ => None,
        };
        if let Some(parsed) = &accepted {
            report.rows_written = parsed.rows();
            report.status = ImportStatus::Succeeded;
            progress.phase(ImportPhase::Writing, parsed.rows());
        }
        let id = job.id;
        figures_transaction(conn, |conn| {
            // Again inside the transaction: the same file may have been sent twice at once.
            if !upload.replace {
                refuse_same_file(conn, upload.kind, job.buyer_id, &job.sha256)?;
            }
            match &accepted {
                Some(Parsed::Structures(structures)) => {
                    kinds::structures::write(conn, structures, progress)?;
                }
                Some(Parsed::Contracts(contracts)) => {
                    kinds::contracts::write(conn, contracts, id, progress)?;
                }
                Some(Parsed::Participants(participants)) => {
                    kinds::participants::write(conn, participants, progress)?;
                }
                Some(Parsed::Hours(statements)) => {
                    report.replaced = kinds::hours::write(conn, statements, id, progress)?;
                }
                None => {}
            }
            imports::finish(
                conn,
                id,
                &Outcome {
                    status: report.status,
                    rows_total: report.rows_read,
                    rows_written: report.rows_written,
                    error_count: report.problems.len() + usize::from(report.file_problem.is_some()),
                    report: &serde_json::to_string(&report).unwrap_or_default(),
                    error_workbook: annotated.as_deref(),
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
            Ok(report)
        })
    }

    /// The monthly ceiling with the hours already stored for the same participants and months.
    fn check_stored_hours(
        &self,
        conn: &mut DbConnection,
        statements: &[kinds::hours::Statement],
        profile: &profile::Profile,
        sheet: &str,
        report: &mut ImportReport,
    ) -> Result<(), ImportError> {
        let participants: Vec<i64> = statements.iter().map(|s| s.entry.participant_id).collect();
        let months: Vec<i32> = statements.iter().map(|s| s.entry.month.yyyymm()).collect();
        let stored: Vec<(kinds::hours::EntryKey, crate::domain::Hours)> =
            hour_entries::stored_for(conn, &participants, &months)?
                .into_iter()
                .filter_map(
                    |(lot_id, company_id, participant_id, month, modality, hours)| {
                        Some((
                            kinds::hours::EntryKey {
                                lot_id,
                                company_id,
                                participant_id,
                                month: crate::domain::Month::from_yyyymm(month).ok()?,
                                modality: crate::domain::Modality::from_code(&modality)?,
                            },
                            crate::domain::Hours::from_hundredths(hours).ok()?,
                        ))
                    },
                )
                .collect();
        let mut reporter = problem::Reporter::new(sheet, profile, &mut report.problems);
        kinds::hours::check_stored_totals(
            statements,
            &stored,
            self.limits.max_hours_per_month,
            &mut reporter,
        );
        Ok(())
    }

    /// Reads and checks the file; row problems go into the report, a whole-file problem is the
    /// error. The header is looked for in the first rows of each sheet; the rows under it are
    /// then checked as they are read, never all held at once.
    fn parse(
        &self,
        upload: &Upload,
        profile: &profile::Profile,
        context: &KindsContext,
        report: &mut ImportReport,
    ) -> Result<(Parsed, header::Header), FileProblem> {
        let format = format::detect(&upload.bytes, &self.limits)?;
        report.format = Some(format);
        let register = decp_register(upload, format, profile)?;
        let heads = match &register {
            Some((sheet, notes)) => {
                report.warnings.extend(notes.iter().cloned());
                vec![sheet.clone()]
            }
            None => reader::heads(
                &upload.bytes,
                format,
                &self.limits,
                header::HEADER_SEARCH_ROWS,
            )?,
        };
        let header = header::locate(&heads, profile)?;
        let sheet = heads[header.sheet].name.clone();
        drop(heads);
        report.sheet = Some(sheet.clone());
        report.header_row = Some(header.row);
        report.warnings.extend(header.unknown.iter().map(|h| {
            format!(
                "La colonne « {h} » ne correspond à aucune colonne attendue : elle a été ignorée."
            )
        }));
        let check = |rows: &mut dyn Iterator<Item = reader::Row>| {
            check_rows(upload.kind, profile, &sheet, &header, context, rows)
        };
        let (parsed, checked) = match register {
            Some((whole, _)) => check(&mut whole.rows.into_iter()),
            None => reader::with_rows(&upload.bytes, format, &self.limits, header.sheet, check)?,
        };
        report.warnings.extend(checked.warnings);
        if checked.rows_read == 0 {
            return Err(FileProblem::NoDataRows);
        }
        report.rows_read = checked.rows_read;
        report.problems = checked.problems;
        Ok((parsed, header))
    }

    /// The sheet `index` whole, as it was sent: what the error workbook shows. Read again, only
    /// for a refused file.
    fn whole_sheet(
        &self,
        upload: &Upload,
        profile: &profile::Profile,
        index: usize,
    ) -> Result<reader::Sheet, FileProblem> {
        let format = format::detect(&upload.bytes, &self.limits)?;
        let sheets = match decp_register(upload, format, profile)? {
            Some((sheet, _)) => vec![sheet],
            None => reader::read(&upload.bytes, format, &self.limits)?,
        };
        sheets.into_iter().nth(index).ok_or(FileProblem::Empty)
    }
}

/// A register sent as DECP JSON, as one sheet under the register's columns (with notes on
/// what was read); `None` for any other file.
fn decp_register(
    upload: &Upload,
    format: format::FileFormat,
    profile: &profile::Profile,
) -> Result<Option<(reader::Sheet, Vec<String>)>, FileProblem> {
    match format {
        format::FileFormat::Json if upload.kind == ImportKind::Contracts => {
            decp::read(&upload.bytes, profile).map(Some)
        }
        _ => Ok(None),
    }
}

/// What checking the rows found besides the kind's rows.
struct RowsChecked {
    rows_read: usize,
    problems: Vec<problem::RowProblem>,
    warnings: Vec<String>,
}

/// Parses the rows under the header and runs the kind's checks on them, as they come.
fn check_rows(
    kind: ImportKind,
    profile: &profile::Profile,
    sheet: &str,
    header: &header::Header,
    context: &KindsContext,
    rows: &mut dyn Iterator<Item = reader::Row>,
) -> (Parsed, RowsChecked) {
    // Problems of the kind's checks, beside those of the cells the parser collects.
    let mut problems = Vec::new();
    let mut rows = rows::RowParser::new(rows, sheet, header, profile);
    let parsed = match kind {
        ImportKind::Structures => Parsed::Structures(kinds::structures::validate(
            profile,
            sheet,
            rows.by_ref(),
            &mut problems,
        )),
        ImportKind::Contracts => Parsed::Contracts(kinds::contracts::validate(
            profile,
            sheet,
            // Rows of one contract are gathered from anywhere in the file.
            &rows.by_ref().collect::<Vec<_>>(),
            &context.contracts,
            &mut problems,
        )),
        ImportKind::Participants => Parsed::Participants(kinds::participants::validate(
            profile,
            sheet,
            rows.by_ref(),
            chrono::Utc::now().date_naive(),
            &mut problems,
        )),
        ImportKind::Hours => Parsed::Hours(kinds::hours::validate(
            profile,
            sheet,
            rows.by_ref(),
            &context.hours,
            &mut problems,
        )),
    };
    let mut all = std::mem::take(&mut rows.problems);
    all.append(&mut problems);
    let checked = RowsChecked {
        rows_read: rows.rows_read,
        problems: all,
        warnings: std::mem::take(&mut rows.warnings),
    };
    (parsed, checked)
}

/// What the kinds' checks need from the database, read before parsing.
struct KindsContext {
    contracts: kinds::contracts::Context,
    hours: kinds::hours::Context,
}

fn kinds_context(
    conn: &mut DbConnection,
    upload: &Upload,
    limits: &ImportLimits,
) -> Result<KindsContext, ImportError> {
    // Only the register and hour statements are checked against buyers.
    let uses_buyers = matches!(upload.kind, ImportKind::Contracts | ImportKind::Hours);
    let all = if uses_buyers {
        buyers::list(conn)?
    } else {
        Vec::new()
    };
    let (mine, others): (Vec<_>, Vec<_>) = all.into_iter().partition(|buyer| match &upload.scope {
        BuyerScope::AllBuyers => true,
        BuyerScope::Buyers { buyer_ids } => buyer_ids.contains(&buyer.id),
        BuyerScope::Company { .. } => false,
    });
    let needs_companies = matches!(upload.kind, ImportKind::Contracts | ImportKind::Hours);
    let companies = if needs_companies {
        companies::kinds_by_siret(conn)?
    } else {
        Default::default()
    };
    let hours = if upload.kind == ImportKind::Hours {
        // The buyer named at upload, within the scope; otherwise every buyer of the scope.
        let ids: Vec<i64> = mine
            .iter()
            .filter(|b| upload.buyer.as_ref().is_none_or(|only| *only == b.siret))
            .map(|b| b.id)
            .collect();
        let company_scope = matches!(upload.scope, BuyerScope::Company { .. });
        let lots = contracts::lots_of_buyers(conn, (!company_scope).then_some(&ids[..]))?;
        let lot_ids: Vec<i64> = lots.iter().map(|l| l.lot_id).collect();
        kinds::hours::Context {
            holders: contracts::holders_of(conn, &lot_ids)?.into_iter().collect(),
            lots,
            companies: companies.clone(),
            participants: participants::ids_by_pseudonym(conn)?,
            only_company: match &upload.scope {
                BuyerScope::Company { siret } => Some(siret.clone()),
                _ => None,
            },
            max_hours_per_month: limits.max_hours_per_month,
        }
    } else {
        kinds::hours::Context {
            lots: Vec::new(),
            holders: Default::default(),
            companies: Default::default(),
            participants: Default::default(),
            only_company: None,
            max_hours_per_month: limits.max_hours_per_month,
        }
    };
    Ok(KindsContext {
        contracts: kinds::contracts::Context {
            buyers: mine.into_iter().map(|b| (b.siret, b.id)).collect(),
            other_buyers: others.into_iter().map(|b| b.siret).collect(),
            only_buyer: upload.buyer.clone(),
            companies,
        },
        hours,
    })
}
