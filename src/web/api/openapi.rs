//! The OpenAPI document of the API, served at `/api/openapi.json`: derived from the handlers'
//! annotations and the types they take and answer, so that it cannot drift from the code.

use actix_web::web;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    audit, buyers, clauses, closures, contracts, exports, followup, health, imports, indicators,
    listings, obligations, reminders, reviews, session, users,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "suivi-clauses",
        description = "Suivi des clauses sociales d'insertion des marchés publics : marchés, heures, SIAE, indicateurs de la charte. Les messages d'erreur sont en français. Chaque quantité dit son unité dans le nom de son champ : heures en centièmes (…_hours_hundredths), montants en centimes (…_cents), taux en points de base (…_basis_points)."
    ),
    paths(
        health::health,
        session::login,
        session::logout,
        session::me,
        session::change_password,
        buyers::list,
        users::list,
        users::create,
        users::change,
        users::deactivate,
        users::reactivate,
        users::reset_password,
        audit::list,
        imports::upload,
        imports::template,
        imports::history,
        imports::report,
        imports::error_workbook,
        imports::undo,
        indicators::indicators,
        indicators::series,
        indicators::clauses,
        clauses::preview,
        clauses::save,
        closures::close,
        closures::show,
        closures::attestation,
        closures::reopen,
        listings::contracts,
        listings::contract,
        contracts::create,
        contracts::change,
        contracts::delete,
        listings::companies,
        listings::participants,
        exports::contract_json,
        exports::contract_xlsx,
        exports::company_json,
        exports::company_xlsx,
        exports::compliance,
        exports::hours_xlsx,
        exports::hours_csv,
        exports::decp,
        exports::spaser_xlsx,
        exports::annual_report,
        exports::spaser_csv,
        obligations::list,
        reviews::list,
        reviews::import,
        reviews::lot_month,
        followup::list,
        followup::workbook,
        reminders::send,
        reminders::list,
        reminders::set_contact,
        document,
    ),
    modifiers(&BearerToken)
)]
pub struct ApiDoc;

/// Sessions are bearer tokens (or the session cookie with its CSRF header, for browsers).
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// `GET /api/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "service",
    responses((status = 200, description = "Ce document")),
)]
pub async fn document() -> web::Json<utoipa::openapi::OpenApi> {
    web::Json(ApiDoc::openapi())
}
