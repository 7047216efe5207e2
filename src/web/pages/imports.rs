//! Imports as pages: the upload form (a file dropped or chosen, its kind), the import followed
//! while it runs, its report with every error where it is, the history and the templates.

use actix_multipart::form::MultipartForm;
use actix_web::http::header::LOCATION;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use askama::Template;

use super::shell::Shell;
use super::viewer::{CsrfForm, Posted, Viewer, refused};
use super::{HTML, PageError, html};
use crate::app::imports::Accepted;
use crate::app::{self, AppError, Caller, ErrorCode};
use crate::domain::authorization::{Action, may_import};
use crate::domain::{ImportKind, ImportStatus, Labelled};
use crate::import::Importer;
use crate::import::progress::JobState;
use crate::storage::buyers::Buyer;
use crate::storage::imports::ImportSummary;
use crate::storage::{Database, ImportId};
use crate::web::auth::{FormSession, can};
use crate::web::upload::UploadForm;

pub struct KindChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct HistoryLine {
    pub id: ImportId,
    pub when: String,
    pub kind: &'static str,
    pub file_name: String,
    pub status: &'static str,
    pub status_code: String,
    pub rows: String,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    shell: Shell,
    csrf: String,
    may_upload: bool,
    kinds: Vec<KindChoice>,
    buyers: Vec<Buyer>,
    history: Vec<HistoryLine>,
    error: Option<String>,
}

fn kind_label(code: &str) -> &'static str {
    ImportKind::from_code(code).map_or("—", |k| k.label())
}

fn history_line(summary: ImportSummary) -> HistoryLine {
    HistoryLine {
        id: summary.id,
        when: summary.created_at.format("%d/%m/%Y %H:%M").to_string(),
        kind: kind_label(&summary.kind),
        status: ImportStatus::from_code(&summary.status).map_or("—", |s| s.label()),
        status_code: summary.status,
        rows: format!(
            "{} écrite(s) sur {}, {} erreur(s)",
            summary.rows_written, summary.rows_total, summary.error_count
        ),
        file_name: summary.file_name,
    }
}

async fn imports_page<P: crate::domain::authorization::Permission>(
    viewer: &Viewer<P>,
    database: &web::Data<Database>,
    chosen: Option<ImportKind>,
    error: Option<String>,
) -> Result<ImportsPage, PageError> {
    let caller = viewer.caller();
    let (history, buyers) = crate::web::run(database, move |conn| {
        let history = app::imports::history(conn, &caller)?;
        Ok((history, app::buyers::followed(conn, &caller)?))
    })
    .await?;
    Ok(ImportsPage {
        shell: viewer.shell("Imports"),
        csrf: viewer.csrf.clone(),
        may_upload: viewer.may(Action::UploadImports),
        kinds: ImportKind::ALL
            .iter()
            .filter(|k| may_import(viewer.account.role, **k))
            .map(|k| KindChoice {
                code: k.code(),
                label: k.label(),
                selected: Some(*k) == chosen,
            })
            .collect(),
        buyers,
        history: history.into_iter().map(history_line).collect(),
        error,
    })
}

#[derive(serde::Deserialize)]
pub struct ImportsQuery {
    kind: Option<String>,
}

/// `GET /imports?kind=`.
pub async fn list(
    viewer: Viewer<can::ReadImports>,
    query: web::Query<ImportsQuery>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let chosen = query.kind.as_deref().and_then(ImportKind::from_code);
    html(&imports_page(&viewer, &database, chosen, None).await?)
}

/// `POST /imports`: the upload form; then to the import's page, where it is followed.
pub async fn upload(
    req: HttpRequest,
    payload: web::Payload,
    importer: web::Data<Importer>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    // The session first: without one, the sign-in page, before the file is read.
    let session = FormSession::of(&req)
        .await
        .map_err(|e| refused(e, "/imports".to_owned()))?;
    let MultipartForm(form) =
        MultipartForm::<UploadForm>::from_request(&req, &mut payload.into_inner()).await?;
    let token = form.csrf_token.as_ref().map_or("", |t| t.as_str());
    let viewer = Viewer::<can::UploadImports>::of(session.confirm(token)?, "/imports")?;
    let chosen = ImportKind::parse_label(&form.kind).ok();
    match accept(&viewer.caller(), form, importer, &database).await {
        Ok(Accepted::Done(report)) => Ok(to_import(report.import_id.unwrap_or_default().into())),
        Ok(Accepted::Background(id)) => Ok(to_import(id)),
        Err(error) => {
            // Refused before reading (duplicate, kind, buyer): the form again, with why.
            let page =
                imports_page(&viewer, &database, chosen, Some(error.message().to_owned())).await?;
            Ok(
                HttpResponse::build(crate::web::error::status_of(error.code))
                    .content_type(HTML)
                    .body(page.render()?),
            )
        }
    }
}

/// Checks the upload and runs it, as the API does.
async fn accept(
    caller: &Caller,
    form: UploadForm,
    importer: web::Data<Importer>,
    database: &web::Data<Database>,
) -> Result<Accepted, AppError> {
    let upload = app::imports::upload_of(caller, form.input())?;
    let database = database.clone().into_inner();
    app::imports::accept(importer.into_inner(), database, caller, upload).await
}

fn to_import(id: ImportId) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/imports/{id}")))
        .finish()
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    shell: Shell,
    csrf: String,
    state: JobState,
    kind: &'static str,
    kind_code: &'static str,
    running: bool,
    succeeded: bool,
    undone: bool,
    has_error_workbook: bool,
    /// An hours import the viewer's role may undo (the use case checks its scope).
    may_undo: bool,
    /// Why the undoing just asked was refused.
    undo_error: Option<String>,
}

/// The page of import `id` as `viewer` sees it.
async fn import_page<P: crate::domain::authorization::Permission>(
    viewer: &Viewer<P>,
    id: i64,
    importer: &web::Data<Importer>,
    database: &web::Data<Database>,
    undo_error: Option<String>,
) -> Result<ImportPage, PageError> {
    let (caller, importer) = (viewer.caller(), importer.clone().into_inner());
    let state = crate::web::run(database, move |conn| {
        app::imports::job(conn, &importer, &caller, id.into())
    })
    .await?;
    let kind = ImportKind::from_code(&state.kind);
    let problems = state.report.as_ref().map_or(0, |r| r.problems.len());
    let succeeded = state.status == ImportStatus::Succeeded;
    Ok(ImportPage {
        shell: viewer.shell(&format!("Import n° {} — {}", state.id, state.file_name)),
        csrf: viewer.csrf.clone(),
        kind: kind.map_or("—", |k| k.label()),
        kind_code: kind.map_or("", |k| k.code()),
        running: state.status == ImportStatus::Running,
        succeeded,
        undone: state.status == ImportStatus::Undone,
        has_error_workbook: problems > 0,
        may_undo: succeeded && kind == Some(ImportKind::Hours) && viewer.may(Action::UndoImports),
        undo_error,
        state,
    })
}

/// `GET /imports/{id}`: progress while it runs, the report once ended.
pub async fn show(
    viewer: Viewer<can::ReadImports>,
    id: web::Path<i64>,
    importer: web::Data<Importer>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    html(&import_page(&viewer, id.into_inner(), &importer, &database, None).await?)
}

#[derive(serde::Deserialize)]
pub struct UndoForm {
    csrf_token: String,
    /// The box ticked to confirm.
    confirm: Option<String>,
}

impl CsrfForm for UndoForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// `POST /imports/{id}/annulation`: undoes the import once confirmed, then back to its page;
/// refused, its page again saying why.
pub async fn undo(
    posted: Posted<can::UndoImports, UndoForm>,
    id: web::Path<i64>,
    importer: web::Data<Importer>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (viewer, id) = (posted.viewer, id.into_inner());
    let undone = if posted.form.confirm.as_deref() == Some("true") {
        let caller = viewer.caller();
        crate::web::run(&database, move |conn| {
            app::import_undo::undo(conn, &caller, id.into())
        })
        .await
    } else {
        Err(AppError::with(
            ErrorCode::BadRequest,
            "Cochez la case de confirmation pour annuler cet import.",
        ))
    };
    match undone {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("/imports/{id}")))
            .finish()),
        Err(error) if error.code.status() == 404 => Err(error.into()),
        Err(error) => {
            let message = Some(error.message().to_owned());
            let page = import_page(&viewer, id, &importer, &database, message).await?;
            Ok(
                HttpResponse::build(crate::web::error::status_of(error.code))
                    .content_type(HTML)
                    .body(page.render()?),
            )
        }
    }
}
