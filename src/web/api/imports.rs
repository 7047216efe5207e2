//! Imports: upload (`POST /api/imports`, multipart), templates, history, progress and reports.

use actix_multipart::form::MultipartForm;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, ResponseError, web};

use crate::app::imports::Accepted;
use crate::app::{self, AppError, ErrorCode};
use crate::domain::{ImportKind, ImportStatus, Labelled};
use crate::import::Importer;
use crate::import::progress::JobState;
use crate::storage::Database;
use crate::web::api::wire::imports::UndoneImportJson;
use crate::web::auth::{Authorized, can};
use crate::web::error::ErrorBody;
use crate::web::upload::UploadForm;
use crate::web::{XLSX, attachment};

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
        (status = 429, description = "Trop d'imports en cours : attendre qu'ils se terminent", body = crate::web::error::ErrorEnvelope),
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
) -> Result<HttpResponse, AppError> {
    let caller = user.caller();
    let upload = app::imports::upload_of(&caller, form.input())?;
    let (importer, database) = (importer.into_inner(), database.into_inner());
    let accepted =
        app::imports::accept(importer.clone(), database.clone(), &caller, upload).await?;
    let report = match accepted {
        Accepted::Background(id) => {
            let state = crate::web::run(&database, move |conn| {
                app::imports::job_state_of(conn, &importer, id)
            })
            .await?;
            return Ok(HttpResponse::Accepted()
                .insert_header((LOCATION, format!("/api/imports/{id}")))
                .json(serde_json::json!({ "import": state })));
        }
        Accepted::Done(report) => report,
    };
    if report.status == ImportStatus::Succeeded {
        return Ok(HttpResponse::Created().json(serde_json::json!({ "report": report })));
    }
    let refusal = AppError::with(ErrorCode::ImportRefused, report.summary());
    Ok(
        HttpResponse::build(refusal.status_code()).json(serde_json::json!({
            "error": ErrorBody::from(&refusal),
            "report": report,
        })),
    )
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
) -> Result<HttpResponse, AppError> {
    let kind = ImportKind::parse_label(&kind).map_err(|_| AppError::not_found())?;
    let (company, caller) = (query.into_inner().company, user.caller());
    let importer = importer.into_inner();
    let bytes = crate::web::run(&database, move |conn| {
        app::imports::template(conn, &importer, &caller, kind, company.as_deref())
    })
    .await?;
    Ok(attachment(
        XLSX,
        &format!("modele-{}.xlsx", kind.code()),
        bytes,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct TemplateQuery {
    /// For the hours template: the SIRET of the company whose lots to pre-fill.
    pub company: Option<String>,
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
) -> Result<web::Json<Vec<crate::storage::imports::ImportSummary>>, AppError> {
    let caller = user.caller();
    let list = crate::web::run(&database, move |conn| app::imports::history(conn, &caller)).await?;
    Ok(web::Json(list))
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
) -> Result<web::Json<JobState>, AppError> {
    let (id, caller, importer) = (id.into_inner(), user.caller(), importer.into_inner());
    let state = crate::web::run(&database, move |conn| {
        app::imports::job(conn, &importer, &caller, id.into())
    })
    .await?;
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
        (status = 410, description = "Fichier d'erreurs expiré", body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn error_workbook(
    user: Authorized<can::ReadImports>,
    id: web::Path<i64>,
    importer: web::Data<Importer>,
    database: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let (id, caller, importer) = (id.into_inner(), user.caller(), importer.into_inner());
    let workbook = crate::web::run(&database, move |conn| {
        app::imports::error_workbook(conn, &importer, &caller, id.into())
    })
    .await?;
    Ok(attachment(
        XLSX,
        &format!("import-{id}-erreurs.xlsx"),
        workbook,
    ))
}

/// `POST /api/imports/{id}/undo`: undoes an hours import, all or nothing: the entries it created
/// are removed, the values it replaced restored as they were.
#[utoipa::path(
    post,
    path = "/api/imports/{id}/undo",
    operation_id = "undo_import",
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Import")),
    responses(
        (status = 200, description = "Import annulé : ce qui a été retiré et rétabli", body = UndoneImportJson),
        (status = 404, description = "Aucun import de vos acheteurs n'a ce numéro", body = crate::web::error::ErrorEnvelope),
        (status = 409, description = "Import qui ne s'annule pas (déjà annulé, pas un relevé d'heures, corrigé depuis par un autre import) ou clause close", body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant, ou import portant aussi sur des lots hors du périmètre", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn undo(
    user: Authorized<can::UndoImports>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<web::Json<UndoneImportJson>, AppError> {
    let (id, caller) = (id.into_inner(), user.caller());
    let undone = crate::web::run(&database, move |conn| {
        app::import_undo::undo(conn, &caller, id.into())
    })
    .await?;
    Ok(web::Json(UndoneImportJson::from(&undone)))
}
