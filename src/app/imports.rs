//! Imports: checking an upload and running it, following it, its history, its error workbook
//! and the templates.

use std::sync::Arc;

use super::{AppError, Caller, ErrorCode};
use crate::domain::authorization::may_import;
use crate::domain::{ImportKind, Labelled, Role, Siret};
use crate::import::progress::{JobProgress, JobState, Progress, job_state};
use crate::import::report::ImportReport;
use crate::import::slots::Busy;
use crate::import::{ImportError, Importer, Job, Upload};
use crate::storage::imports::{self, ImportSummary};
use crate::storage::{Database, DbConnection, ImportId, StorageError, UserId};

/// A file as sent, its fields as typed.
pub struct UploadInput {
    /// A kind's code or French label.
    pub kind: String,
    pub buyer: Option<String>,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub replace: bool,
    /// DECP files: import the valid records, list the others.
    pub skip_invalid: bool,
    /// DECP files: only contracts carried out in this département.
    pub departement: Option<String>,
    /// The file as written to disk while it arrived (`bytes` is then empty); taken in by
    /// [`accept`], off the request's thread.
    pub spooled: Option<tempfile::TempPath>,
}

/// Uploads and templates are allowed per kind of file, by the authorization table.
fn require_import(caller: &Caller, kind: ImportKind) -> Result<(), AppError> {
    if may_import(caller.role, kind) {
        return Ok(());
    }
    Err(AppError::with(
        ErrorCode::Forbidden,
        format!(
            "Votre rôle ne permet pas d'importer ce type de fichier ({}).",
            kind.label()
        ),
    ))
}

/// The kind a file is said to be, checked.
pub fn kind_of(text: &str) -> Result<ImportKind, AppError> {
    ImportKind::parse_label(text).map_err(|e| AppError::with(ErrorCode::UnknownKind, e))
}

/// Checks what can be checked before reading the file: its kind, the caller's right to import
/// it, the buyer named.
pub fn upload_of(caller: &Caller, input: UploadInput) -> Result<Upload, AppError> {
    let kind = kind_of(&input.kind)?;
    require_import(caller, kind)?;
    let buyer = super::caller::buyer_of(input.buyer.as_deref())?;
    Ok(Upload {
        kind,
        buyer,
        file_name: input.file_name,
        bytes: input.bytes,
        replace: input.replace,
        scope: caller.scope.clone(),
        skip_invalid: input.skip_invalid,
        departement: input.departement,
        file: None,
        role: caller.role,
        spool: input.spooled,
    })
}

/// Where an upload stands once accepted: imported or refused (with the report), or going on
/// in the background for a large file.
pub enum Accepted {
    /// Boxed: a report is far larger than an id.
    Done(Box<ImportReport>),
    Background(ImportId),
}

/// Records an upload as a running import, committed so that it can be followed, once what
/// needs no reading is checked (the buyer, the same file already imported).
pub fn start(
    conn: &mut DbConnection,
    importer: &Importer,
    caller: &Caller,
    upload: &Upload,
) -> Result<Job, AppError> {
    Ok(importer.start(conn, upload, &caller.actor)?)
}

/// Reads, checks and writes the file of a started import, all or nothing, telling `progress`
/// how far it is; the report says what was written or what to correct.
pub fn complete(
    conn: &mut DbConnection,
    importer: &Importer,
    caller: &Caller,
    job: &Job,
    upload: Upload,
    progress: &mut dyn Progress,
) -> Result<ImportReport, AppError> {
    Ok(importer.complete(conn, job, upload, &caller.actor, progress)?)
}

/// Starts and completes an import at once, unfollowed (a command loading a dataset).
pub fn run(
    conn: &mut DbConnection,
    importer: &Importer,
    caller: &Caller,
    upload: Upload,
) -> Result<ImportReport, AppError> {
    Ok(importer.run(conn, upload, &caller.actor)?)
}

/// Runs an upload: at once for a small file, in the background for a large one (its outcome
/// is recorded with the import).
pub async fn accept(
    importer: Arc<Importer>,
    database: Arc<Database>,
    caller: &Caller,
    upload: Upload,
) -> Result<Accepted, AppError> {
    let background = upload.size() >= importer.limits().background_from_bytes as u64;
    let slot = importer.slot_for(caller.account_id).map_err(busy)?;
    let (job, upload) = {
        let (importer, caller) = (importer.clone(), caller.clone());
        let mut upload = upload;
        database
            .run(move |conn| {
                upload
                    .take_spooled()
                    .map_err(|e| ImportError::Unreadable(e.to_string()))?;
                Ok::<_, AppError>((start(conn, &importer, &caller, &upload)?, upload))
            })
            .await?
    };
    let (id, caller) = (job.id, caller.clone());
    let work = move || -> Result<ImportReport, AppError> {
        let _slot = slot;
        let mut conn = database.import_connection()?;
        let mut progress = JobProgress::new(job.id, &database, importer.live_jobs().clone());
        complete(&mut conn, &importer, &caller, &job, upload, &mut progress)
    };
    if background {
        tokio::task::spawn_blocking(move || {
            if let Err(error) = work() {
                tracing::error!(import = id.get(), %error, "background import failed");
            }
        });
        return Ok(Accepted::Background(id));
    }
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| AppError::from(StorageError::Interrupted))?
        .map(|report| Accepted::Done(Box::new(report)))
}

/// 429: the account, or the service, runs as many imports as it may.
fn busy(busy: Busy) -> AppError {
    let message = match busy {
        Busy::Account { running } => format!(
            "Vous avez déjà {running} import(s) en cours : attendez qu'il(s) se termine(nt) avant d'envoyer un autre fichier (suivez-les sur la page des imports)."
        ),
        Busy::Everyone => "Le service traite déjà autant d'imports qu'il le peut à la fois : attendez que les imports en cours se terminent, puis renvoyez le fichier dans quelques minutes.".to_owned(),
    };
    AppError::with(ErrorCode::ImportsBusy, message)
}

/// Whose imports a caller sees: its own; an administrator, everyone's.
fn owner_filter(caller: &Caller) -> Option<UserId> {
    if caller.role == Role::Admin {
        None
    } else {
        caller.account_id
    }
}

/// Not found unless the caller may see an import sent by `uploaded_by`, so that ids reveal
/// nothing.
fn visible_to(caller: &Caller, uploaded_by: Option<UserId>) -> Result<(), AppError> {
    match owner_filter(caller) {
        Some(owner) if uploaded_by != Some(owner) => Err(AppError::not_found()),
        _ => Ok(()),
    }
}

/// The most recent imports (200).
pub fn history(conn: &mut DbConnection, caller: &Caller) -> Result<Vec<ImportSummary>, AppError> {
    Ok(imports::history(conn, owner_filter(caller), 200)?)
}

/// Where an import stands (phase, rows done out of rows to go through) and, once ended, its
/// report.
pub fn job(
    conn: &mut DbConnection,
    importer: &Importer,
    caller: &Caller,
    id: ImportId,
) -> Result<JobState, AppError> {
    let state = job_state_of(conn, importer, id)?.ok_or_else(AppError::not_found)?;
    visible_to(caller, state.uploaded_by)?;
    Ok(state)
}

/// Where an import stands, whoever sent it.
pub fn job_state_of(
    conn: &mut DbConnection,
    importer: &Importer,
    id: ImportId,
) -> Result<Option<JobState>, AppError> {
    let stale_after = importer.limits().stale_after;
    Ok(job_state(conn, id, importer.live_jobs(), stale_after)?)
}

/// The refused file with an "Erreurs" column, while it is kept.
pub fn error_workbook(
    conn: &mut DbConnection,
    importer: &Importer,
    caller: &Caller,
    id: ImportId,
) -> Result<Vec<u8>, AppError> {
    let (uploaded_by, sent_at, workbook) =
        imports::error_workbook_of(conn, id)?.ok_or_else(AppError::not_found)?;
    visible_to(caller, uploaded_by)?;
    let days = importer.limits().error_workbook_days;
    if sent_at < error_workbooks_cutoff(days) {
        return Err(AppError::with(
            ErrorCode::ErrorWorkbookExpired,
            format!(
                "Le fichier d'erreurs de cet import n'est plus disponible : il n'est gardé que {days} jours. Envoyez le fichier à nouveau pour obtenir ses erreurs."
            ),
        ));
    }
    workbook.ok_or_else(|| AppError::new(ErrorCode::NoErrorWorkbook))
}

/// When error workbooks kept `days` days were sent at the latest to be kept still.
fn error_workbooks_cutoff(days: u32) -> chrono::NaiveDateTime {
    crate::storage::now() - chrono::Duration::days(i64::from(days))
}

/// Removes the error workbooks past their keeping time (`purge`); returns how many.
pub fn purge_error_workbooks(
    conn: &mut DbConnection,
    importer: &Importer,
) -> Result<usize, AppError> {
    let cutoff = error_workbooks_cutoff(importer.limits().error_workbook_days);
    Ok(imports::drop_error_workbooks(conn, cutoff)?)
}

/// The .xlsx template of a kind. The hours template comes pre-filled with the lots of a
/// company: a company account's own, or the one named, within the caller's scope.
pub fn template(
    conn: &mut DbConnection,
    importer: &Importer,
    caller: &Caller,
    kind: ImportKind,
    company: Option<&str>,
) -> Result<Vec<u8>, AppError> {
    require_import(caller, kind)?;
    let company = caller
        .company()
        .or(company)
        .filter(|_| kind == ImportKind::Hours)
        .map(|text| Siret::parse(text).map_err(|e| AppError::with(ErrorCode::InvalidCompany, e)))
        .transpose()?;
    match company {
        Some(company) => Ok(importer.hours_template_for(conn, &company, &caller.scope)?),
        None => blank_template(importer, caller, kind),
    }
}

/// The .xlsx template of a kind, generated from its profile.
pub fn blank_template(
    importer: &Importer,
    caller: &Caller,
    kind: ImportKind,
) -> Result<Vec<u8>, AppError> {
    require_import(caller, kind)?;
    Ok(importer.template(kind)?)
}
