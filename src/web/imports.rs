//! Imports: upload (`POST /api/imports`, multipart), templates, history, progress and reports.

use actix_multipart::form::bytes::Bytes;
use actix_multipart::form::text::Text;
use actix_multipart::form::{MultipartForm, MultipartFormConfig};
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, ResponseError, web};

use super::auth::{Authorized, can};
use super::error::{ApiError, ErrorBody};
use crate::domain::authorization::may_import;
use crate::domain::{ImportKind, ImportStatus, Labelled, Siret};
use crate::import::progress::{JobProgress, JobState, job_state};
use crate::import::report::ImportReport;
use crate::import::{ImportError, Importer, Upload};
use crate::storage::audit::Actor;
use crate::storage::users::BuyerScope;
use crate::storage::{Database, StorageError};

#[derive(MultipartForm, utoipa::ToSchema)]
pub struct UploadForm {
    /// contracts, structures, participants or hours (or their French labels).
    #[schema(value_type = String)]
    pub kind: Text<String>,
    /// SIRET of the buyer the file is about, where the kind needs one.
    #[schema(value_type = Option<String>)]
    pub buyer: Option<Text<String>>,
    /// "true" to import again a file already imported.
    #[schema(value_type = Option<bool>)]
    pub replace: Option<Text<bool>>,
    /// The spreadsheet: .xlsx, .xlsm, .xlsb, .xls, .ods or .csv (or DECP JSON for a register).
    #[schema(value_type = String, format = Binary)]
    pub file: Bytes,
    /// Sent by the HTML upload form only: the session's anti-CSRF token (API clients send
    /// the X-CSRF-Token header instead, or a bearer token).
    #[schema(value_type = Option<String>)]
    pub csrf_token: Option<Text<String>>,
}

/// Where an upload stands once accepted: imported or refused (with the report), or going on
/// in the background for a large file.
pub enum Accepted {
    Done(ImportReport),
    Background(i64),
}

/// Uploads past the import limit get 413; a malformed form gets a French 400.
pub fn upload_config(max_file_bytes: usize) -> MultipartFormConfig {
    // Room for the other fields and the multipart framing around the file.
    let total = max_file_bytes.saturating_add(64 * 1024);
    let max_mb = max_file_bytes / (1024 * 1024);
    MultipartFormConfig::default().total_limit(total).memory_limit(total).error_handler(move |error, _req| {
        match error {
            actix_multipart::MultipartError::Payload(actix_web::error::PayloadError::Overflow) => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "file_too_large",
                format!("Le fichier dépasse la limite de {max_mb} Mo : découpez-le en plusieurs fichiers."),
            )
            .into(),
            other => ApiError::bad_request(format!(
                "Le formulaire d'envoi est incorrect ({other}) : joignez le fichier dans le champ « file » et son type dans « kind »."
            ))
            .into(),
        }
    })
}

/// Uploads and templates are allowed per kind of file, by the authorization table.
fn require_import(user: &Authorized<can::UploadImports>, kind: ImportKind) -> Result<(), ApiError> {
    if may_import(user.account.role, kind) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "forbidden",
        format!(
            "Votre rôle ne permet pas d'importer ce type de fichier ({}).",
            kind.label()
        ),
    ))
}

fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

impl From<ImportError> for ApiError {
    fn from(error: ImportError) -> ApiError {
        match error {
            ImportError::Duplicate { .. } => {
                ApiError::new(StatusCode::CONFLICT, "duplicate_file", error.to_string())
            }
            ImportError::NotYetAvailable(_) => {
                unprocessable("import_unavailable", error.to_string())
            }
            ImportError::UnknownBuyer(_) => unprocessable("unknown_buyer", error.to_string()),
            ImportError::Storage(detail) => ApiError::internal(&detail),
            ImportError::Template(detail) => ApiError::internal(&detail),
        }
    }
}

/// 201 with the report when the file is imported; 422 with the report when it is refused.
#[utoipa::path(
    post,
    path = "/api/imports",
    tag = "imports",
    security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Fichier importé : {\"report\": …}"),
        (status = 202, description = "Gros fichier importé en tâche de fond : {\"import\": …}, à suivre à l'adresse Location"),
        (status = 409, body = crate::web::error::ErrorEnvelope),
        (status = 413, body = crate::web::error::ErrorEnvelope),
        (status = 422, description = "Fichier refusé : {\"error\": …, \"report\": …}"),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn upload(
    user: Authorized<can::UploadImports>,
    MultipartForm(form): MultipartForm<UploadForm>,
    importer: web::Data<Importer>,
    database: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let importer_ref = importer.clone().into_inner();
    let database_ref = database.clone().into_inner();
    let report = match accept(user, form, importer, database).await? {
        Accepted::Background(id) => {
            let state = job_state_of(&importer_ref, &database_ref, id).await?;
            return Ok(HttpResponse::Accepted()
                .insert_header((LOCATION, format!("/api/imports/{id}")))
                .json(serde_json::json!({ "import": state })));
        }
        Accepted::Done(report) => report,
    };
    if report.status == ImportStatus::Succeeded {
        return Ok(HttpResponse::Created().json(serde_json::json!({ "report": report })));
    }
    let refusal = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "import_refused",
        report.summary(),
    );
    Ok(
        HttpResponse::build(refusal.status_code()).json(serde_json::json!({
            "error": ErrorBody { code: refusal.code.to_owned(), message: refusal.message },
            "report": report,
        })),
    )
}

/// Checks an upload and runs it: at once for a small file, in the background for a large one
/// (its outcome is recorded with the import).
pub async fn accept(
    user: Authorized<can::UploadImports>,
    form: UploadForm,
    importer: web::Data<Importer>,
    database: web::Data<Database>,
) -> Result<Accepted, ApiError> {
    let kind = ImportKind::parse_label(&form.kind)
        .map_err(|e| unprocessable("unknown_kind", e.to_string()))?;
    require_import(&user, kind)?;
    let buyer = match form
        .buyer
        .as_ref()
        .map(|b| b.trim())
        .filter(|b| !b.is_empty())
    {
        Some(text) => {
            Some(Siret::parse(text).map_err(|e| unprocessable("invalid_buyer", e.to_string()))?)
        }
        None => None,
    };
    let upload = Upload {
        kind,
        buyer,
        file_name: form
            .file
            .file_name
            .clone()
            .unwrap_or_else(|| "fichier".to_owned()),
        bytes: form.file.data.to_vec(),
        replace: form.replace.is_some_and(|r| *r),
        scope: user.account.scope.clone(),
    };
    let actor = Actor::user(&user.account);
    let background = upload.bytes.len() >= importer.limits().background_from_bytes;
    let importer = importer.into_inner();
    let database = database.into_inner();
    let (job, upload) = {
        let (importer, actor) = (importer.clone(), actor.clone());
        database
            .run(move |conn| Ok::<_, ImportError>((importer.start(conn, &upload, &actor)?, upload)))
            .await?
    };
    let id = job.id;
    let work = {
        let (importer, database) = (importer.clone(), database.clone());
        move || -> Result<ImportReport, ImportError> {
            let mut conn = database.connection()?;
            let mut progress = JobProgress::new(job.id, &database, importer.live_jobs().clone());
            importer.complete(&mut conn, &job, upload, &actor, &mut progress)
        }
    };
    if background {
        tokio::task::spawn_blocking(move || {
            if let Err(error) = work() {
                tracing::error!(import = id, %error, "background import failed");
            }
        });
        return Ok(Accepted::Background(id));
    }
    let report = tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError::from(ImportError::Storage(StorageError::Interrupted)))??;
    Ok(Accepted::Done(report))
}

async fn job_state_of(
    importer: &Arc<Importer>,
    database: &Arc<Database>,
    id: i64,
) -> Result<Option<JobState>, ApiError> {
    let importer = importer.clone();
    let state = database
        .run(move |conn| {
            job_state(
                conn,
                id,
                importer.live_jobs(),
                importer.limits().stale_after,
            )
            .map_err(StorageError::from)
        })
        .await?;
    Ok(state)
}

/// `GET /api/imports/templates/{kind}`: the .xlsx template of a kind, generated from its profile.
#[utoipa::path(
    get,
    path = "/api/imports/templates/{kind}",
    tag = "imports",
    security(("bearer" = [])),
    params(("kind" = ImportKind, Path), TemplateQuery),
    responses(
        (status = 200, description = "Modèle .xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn template(
    user: Authorized<can::UploadImports>,
    kind: web::Path<String>,
    query: web::Query<TemplateQuery>,
    importer: web::Data<Importer>,
    database: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let kind = ImportKind::parse_label(&kind).map_err(|_| ApiError::not_found())?;
    require_import(&user, kind)?;
    // The hours template comes pre-filled with the lots of a company: a company account's own,
    // or the one named in `?company=SIRET`, within the caller's scope.
    let company = match (&user.account.scope, query.company.as_deref()) {
        (BuyerScope::Company { siret }, _) => Some(siret.clone()),
        (_, Some(text)) => Some(text.to_owned()),
        (_, None) => None,
    };
    let company = match company.filter(|_| kind == ImportKind::Hours) {
        Some(text) => {
            Some(Siret::parse(&text).map_err(|e| unprocessable("invalid_company", e.to_string()))?)
        }
        None => None,
    };
    let importer = importer.into_inner();
    let scope = user.account.scope.clone();
    let bytes = database
        .run(move |conn| match company {
            Some(company) => importer.hours_template_for(conn, &company, &scope),
            None => importer.template(kind),
        })
        .await?;
    Ok(super::attachment(
        super::XLSX,
        &format!("modele-{}.xlsx", kind.code()),
        bytes,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct TemplateQuery {
    /// For the hours template: the SIRET of the company whose lots to pre-fill.
    pub company: Option<String>,
}

/// Whose imports an account sees: its own; an administrator, everyone's.
fn owner_filter(account: &crate::storage::users::Account) -> Option<i64> {
    (account.role != crate::domain::Role::Admin).then_some(account.id)
}

/// `GET /api/imports`: the most recent imports (200).
#[utoipa::path(
    get,
    path = "/api/imports",
    tag = "imports",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<crate::storage::imports::ImportSummary>),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn history(
    user: Authorized<can::ReadImports>,
    database: web::Data<Database>,
) -> Result<web::Json<Vec<crate::storage::imports::ImportSummary>>, ApiError> {
    let owner = owner_filter(&user.account);
    let list = database
        .run(move |conn| {
            crate::storage::imports::history(conn, owner, 200)
                .map_err(crate::storage::StorageError::from)
        })
        .await?;
    Ok(web::Json(list))
}

/// Whether the caller may see an import sent by `uploaded_by`; 404 otherwise, so that ids
/// reveal nothing.
fn visible_to(
    user: &Authorized<can::ReadImports>,
    uploaded_by: Option<i64>,
) -> Result<(), ApiError> {
    match owner_filter(&user.account) {
        Some(owner) if uploaded_by != Some(owner) => Err(ApiError::not_found()),
        _ => Ok(()),
    }
}

/// `GET /api/imports/{id}`: where the import stands (phase, rows done out of rows to go
/// through) and, once ended, its report.
#[utoipa::path(
    get,
    path = "/api/imports/{id}",
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = JobState),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn report(
    user: Authorized<can::ReadImports>,
    id: web::Path<i64>,
    importer: web::Data<Importer>,
    database: web::Data<Database>,
) -> Result<web::Json<JobState>, ApiError> {
    let state = job_state_of(
        &importer.into_inner(),
        &database.into_inner(),
        id.into_inner(),
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    visible_to(&user, state.uploaded_by)?;
    Ok(web::Json(state))
}

/// `GET /api/imports/{id}/errors.xlsx`: the refused file with an "Erreurs" column.
#[utoipa::path(
    get,
    path = "/api/imports/{id}/errors.xlsx",
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Le fichier refusé annoté", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn error_workbook(
    user: Authorized<can::ReadImports>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (uploaded_by, workbook) = database
        .run(move |conn| {
            crate::storage::imports::error_workbook_of(conn, id).map_err(StorageError::from)
        })
        .await?
        .ok_or_else(ApiError::not_found)?;
    visible_to(&user, uploaded_by)?;
    let workbook = workbook.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_error_workbook",
            "Cet import n'a pas de fichier d'erreurs : il a été accepté, ou refusé pour une raison qui concerne tout le fichier.",
        )
    })?;
    Ok(super::attachment(
        super::XLSX,
        &format!("import-{id}-erreurs.xlsx"),
        workbook,
    ))
}
