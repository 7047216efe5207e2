//! Reviewing hour statements: the list awaiting validation (a company: its own statements,
//! rejections with their reasons), and the decisions on an import or on a lot's month.

use actix_web::web;

use crate::app::AppError;
use crate::app::reviews::{self, ReviewQuery, ReviewTarget};
use crate::storage::Database;
use crate::web::api::wire::reviews::{DecidedJson, DecisionRequest, ReviewLineJson};
use crate::web::auth::{Authorized, can};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ReviewsQuery {
    /// `declared` (awaiting validation, the default), `validated` or `rejected`; a company
    /// sees all its statements unless it asks for one state.
    pub state: Option<String>,
    /// Only the statements of this import.
    pub import: Option<i64>,
}

/// `GET /api/reviews`: statements of the caller's scope with their review state, the oldest
/// first (500 groups at most).
#[utoipa::path(
    get,
    path = "/api/reviews",
    operation_id = "list_reviews",
    tag = "reviews",
    security(("bearer" = [])),
    params(ReviewsQuery),
    responses(
        (status = 200, body = Vec<ReviewLineJson>),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn list(
    user: Authorized<can::ReadReviews>,
    query: web::Query<ReviewsQuery>,
    database: web::Data<Database>,
) -> Result<web::Json<Vec<ReviewLineJson>>, AppError> {
    let query = ReviewQuery {
        state: reviews::state_of(query.state.as_deref())?,
        import: query.import.map(Into::into),
    };
    let caller = user.caller();
    let lines =
        crate::web::run(&database, move |conn| reviews::list(conn, &caller, &query)).await?;
    Ok(web::Json(lines.iter().map(ReviewLineJson::from).collect()))
}

/// `POST /api/imports/{id}/review`: validates or rejects every pending statement of an import.
#[utoipa::path(
    post,
    path = "/api/imports/{id}/review",
    operation_id = "review_import",
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Import")),
    request_body = DecisionRequest,
    responses(
        (status = 200, body = DecidedJson),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 409, description = "Rien n'attend cette décision", body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant, ou relevés hors du périmètre", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn import(
    user: Authorized<can::ReviewHours>,
    id: web::Path<i64>,
    body: web::Json<DecisionRequest>,
    database: web::Data<Database>,
) -> Result<web::Json<DecidedJson>, AppError> {
    let target = ReviewTarget::Import(id.into_inner().into());
    decide(user, target, body.into_inner(), database).await
}

/// `POST /api/lots/{id}/months/{month}/review`: validates or rejects every pending statement
/// of a lot in a month, or reopens the validated month.
#[utoipa::path(
    post,
    path = "/api/lots/{id}/months/{month}/review",
    operation_id = "review_lot_month",
    tag = "reviews",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Lot"),
        ("month" = String, Path, description = "Mois, AAAA-MM"),
    ),
    request_body = DecisionRequest,
    responses(
        (status = 200, body = DecidedJson),
        (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 409, description = "Rien n'attend cette décision", body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope),
        (status = 401, description = "Pas de session", body = crate::web::error::ErrorEnvelope),
        (status = 403, description = "Rôle insuffisant, ou relevés hors du périmètre", body = crate::web::error::ErrorEnvelope),
    ),
)]
pub async fn lot_month(
    user: Authorized<can::ReviewHours>,
    path: web::Path<(i64, String)>,
    body: web::Json<DecisionRequest>,
    database: web::Data<Database>,
) -> Result<web::Json<DecidedJson>, AppError> {
    let (lot, month) = path.into_inner();
    let target = ReviewTarget::LotMonth(lot.into(), reviews::month_of(&month)?);
    decide(user, target, body.into_inner(), database).await
}

async fn decide(
    user: Authorized<can::ReviewHours>,
    target: ReviewTarget,
    body: DecisionRequest,
    database: web::Data<Database>,
) -> Result<web::Json<DecidedJson>, AppError> {
    let decision = reviews::decision_of(&body.decision)?;
    let caller = user.caller();
    let decided = crate::web::run(&database, move |conn| {
        reviews::decide(conn, &caller, target, decision, body.reason.as_deref())
    })
    .await?;
    Ok(web::Json(DecidedJson::from(&decided)))
}
