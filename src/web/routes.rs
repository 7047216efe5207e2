//! Every route of the service, in one table: what it answers and what it requires. The server
//! registers its routes from this table and the role walk test (tests/api/authorization.rs)
//! walks it, so a route cannot be added without stating its rule.

use actix_web::web::ServiceConfig;

use super::api::{
    audit, buyers, clauses, closures, contracts, exports, followup, health, imports, indicators,
    listings, obligations, openapi, reminders, reviews, session, users,
};
use super::pages;
use crate::domain::authorization::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Open to anyone (health, login).
    Public,
    /// Needs a session whose role the authorization table allows to do this.
    Requires(Action),
}

pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    register: fn(&mut ServiceConfig),
}

macro_rules! route {
    ($method:ident $path:literal => $handler:path, $access:expr) => {
        Route {
            method: stringify!($method),
            path: $path,
            access: $access,
            register: {
                fn register(cfg: &mut ServiceConfig) {
                    cfg.route($path, actix_web::web::$method().to($handler));
                }
                register
            },
        }
    };
}

use Access::{Public, Requires};

pub const ROUTES: &[Route] = &[
    route!(get "/api/health" => health::health, Public),
    route!(get "/api/openapi.json" => openapi::document, Public),
    route!(post "/api/login" => session::login, Public),
    route!(post "/api/logout" => session::logout, Requires(Action::SignOut)),
    route!(get "/api/me" => session::me, Requires(Action::ReadOwnAccount)),
    route!(post "/api/me/password" => session::change_password, Requires(Action::ChangeOwnPassword)),
    route!(get "/api/buyers" => buyers::list, Requires(Action::ReadBuyers)),
    route!(get "/api/users" => users::list, Requires(Action::ReadUsers)),
    route!(post "/api/users" => users::create, Requires(Action::ManageUsers)),
    route!(patch "/api/users/{id}" => users::change, Requires(Action::ManageUsers)),
    route!(post "/api/users/{id}/deactivate" => users::deactivate, Requires(Action::ManageUsers)),
    route!(post "/api/users/{id}/reactivate" => users::reactivate, Requires(Action::ManageUsers)),
    route!(post "/api/users/{id}/password" => users::reset_password, Requires(Action::ManageUsers)),
    route!(get "/api/audit" => audit::list, Requires(Action::ReadAuditLog)),
    route!(post "/api/imports" => imports::upload, Requires(Action::UploadImports)),
    route!(get "/api/imports/templates/{kind}" => imports::template, Requires(Action::UploadImports)),
    route!(get "/api/imports" => imports::history, Requires(Action::ReadImports)),
    route!(get "/api/imports/{id}" => imports::report, Requires(Action::ReadImports)),
    route!(get "/api/imports/{id}/errors.xlsx" => imports::error_workbook, Requires(Action::ReadImports)),
    route!(post "/api/imports/{id}/review" => reviews::import, Requires(Action::ReviewHours)),
    route!(post "/api/imports/{id}/undo" => imports::undo, Requires(Action::UndoImports)),
    route!(get "/api/reviews" => reviews::list, Requires(Action::ReadReviews)),
    route!(post "/api/lots/{id}/months/{month}/review" => reviews::lot_month, Requires(Action::ReviewHours)),
    route!(get "/api/followup" => followup::list, Requires(Action::ReadFollowup)),
    route!(get "/api/followup.xlsx" => followup::workbook, Requires(Action::ReadFollowup)),
    route!(post "/api/reminders" => reminders::send, Requires(Action::SendReminders)),
    route!(get "/api/reminders" => reminders::list, Requires(Action::SendReminders)),
    route!(get "/api/indicators" => indicators::indicators, Requires(Action::ReadIndicators)),
    route!(get "/api/indicators/series" => indicators::series, Requires(Action::ReadIndicators)),
    route!(get "/api/clauses" => indicators::clauses, Requires(Action::ReadClauses)),
    route!(post "/api/calibrations" => clauses::preview, Requires(Action::ManageClauses)),
    route!(put "/api/lots/{id}/clause" => clauses::save, Requires(Action::ManageClauses)),
    route!(post "/api/lots/{id}/closure" => closures::close, Requires(Action::CloseClauses)),
    route!(get "/api/lots/{id}/closure" => closures::show, Requires(Action::ReadClosures)),
    route!(post "/api/lots/{id}/closure/reopen" => closures::reopen, Requires(Action::ReopenClauses)),
    route!(get "/api/lots/{id}/attestation.pdf" => closures::attestation, Requires(Action::ReadClosures)),
    route!(get "/api/contracts" => listings::contracts, Requires(Action::ReadContracts)),
    route!(get "/api/contracts/{id}" => listings::contract, Requires(Action::ReadContracts)),
    route!(post "/api/contracts" => contracts::create, Requires(Action::ManageContracts)),
    route!(patch "/api/contracts/{id}" => contracts::change, Requires(Action::ManageContracts)),
    route!(delete "/api/contracts/{id}" => contracts::delete, Requires(Action::ManageContracts)),
    route!(get "/api/companies" => listings::companies, Requires(Action::ReadCompanies)),
    route!(patch "/api/companies/{siret}" => reminders::set_contact, Requires(Action::ManageCompanies)),
    route!(get "/api/participants" => listings::participants, Requires(Action::ReadParticipants)),
    route!(get "/api/contracts/{id}/statement" => exports::contract_json, Requires(Action::ReadStatements)),
    route!(get "/api/contracts/{id}/statement.xlsx" => exports::contract_xlsx, Requires(Action::ReadStatements)),
    route!(get "/api/companies/{siret}/statement" => exports::company_json, Requires(Action::ReadStatements)),
    route!(get "/api/companies/{siret}/statement.xlsx" => exports::company_xlsx, Requires(Action::ReadStatements)),
    route!(get "/api/exports/compliance.xlsx" => exports::compliance, Requires(Action::ExportWorkbooks)),
    route!(get "/api/exports/annual-report.xlsx" => exports::annual_report, Requires(Action::ExportWorkbooks)),
    route!(get "/api/exports/hours.xlsx" => exports::hours_xlsx, Requires(Action::ExportHourDetail)),
    route!(get "/api/exports/hours.csv" => exports::hours_csv, Requires(Action::ExportHourDetail)),
    route!(get "/api/exports/decp.json" => exports::decp, Requires(Action::ExportDecp)),
    route!(get "/api/exports/spaser.xlsx" => exports::spaser_xlsx, Requires(Action::ReadObligations)),
    route!(get "/api/exports/spaser.csv" => exports::spaser_csv, Requires(Action::ReadObligations)),
    route!(get "/api/obligations" => obligations::list, Requires(Action::ReadObligations)),
];

/// The HTML pages, under the same rule: without a session they send to the sign-in page,
/// for a role the table refuses they answer 403 (tests/api/pages.rs walks them).
pub const PAGES: &[Route] = &[
    route!(get "/static/{name}" => pages::assets::asset, Public),
    route!(get "/connexion" => pages::account::login_form, Public),
    route!(post "/connexion" => pages::account::login, Public),
    route!(post "/deconnexion" => pages::account::logout, Requires(Action::SignOut)),
    route!(get "/" => pages::account::root, Requires(Action::ReadOwnAccount)),
    route!(get "/compte" => pages::account::account, Requires(Action::ChangeOwnPassword)),
    route!(post "/compte/mot-de-passe" => pages::account::change_password, Requires(Action::ChangeOwnPassword)),
    route!(get "/tableau-de-bord" => pages::dashboard::dashboard, Requires(Action::ReadIndicators)),
    route!(get "/marches" => pages::contracts::list, Requires(Action::ReadContracts)),
    route!(post "/marches" => pages::contract_form::create, Requires(Action::ManageContracts)),
    // Before `/marches/{id}`, which would otherwise take « nouveau » for an id.
    route!(get "/marches/nouveau" => pages::contract_form::new_form, Requires(Action::ManageContracts)),
    route!(get "/marches/{id}" => pages::contracts::show, Requires(Action::ReadContracts)),
    route!(get "/marches/{id}/modifier" => pages::contract_form::edit_form, Requires(Action::ManageContracts)),
    route!(post "/marches/{id}/modifier" => pages::contract_form::change, Requires(Action::ManageContracts)),
    route!(post "/marches/{id}/suppression" => pages::contract_form::delete, Requires(Action::ManageContracts)),
    route!(post "/marches/{id}/lots/{lot}/clause" => pages::clause_form::submit, Requires(Action::ManageClauses)),
    route!(post "/marches/{id}/cloture" => pages::closures::close, Requires(Action::CloseClauses)),
    route!(get "/entreprises" => pages::companies::list, Requires(Action::ReadCompanies)),
    route!(get "/entreprises/{siret}" => pages::companies::show, Requires(Action::ReadStatements)),
    route!(post "/entreprises/{siret}/contact" => pages::companies::set_contact, Requires(Action::ManageCompanies)),
    route!(post "/entreprises/{siret}/modifier" => pages::companies::change, Requires(Action::EditCompanies)),
    route!(get "/imports" => pages::imports::list, Requires(Action::ReadImports)),
    route!(post "/imports" => pages::imports::upload, Requires(Action::UploadImports)),
    route!(get "/imports/{id}" => pages::imports::show, Requires(Action::ReadImports)),
    route!(post "/imports/{id}/annulation" => pages::imports::undo, Requires(Action::UndoImports)),
    route!(get "/releves" => pages::reviews::list, Requires(Action::ReadReviews)),
    route!(post "/releves" => pages::reviews::decide, Requires(Action::ReviewHours)),
    route!(get "/a-faire" => pages::followup::list, Requires(Action::ReadFollowup)),
    route!(get "/relances" => pages::reminders::list, Requires(Action::SendReminders)),
    route!(post "/relances" => pages::reminders::send, Requires(Action::SendReminders)),
    route!(get "/participants" => pages::people::participants, Requires(Action::ReadParticipants)),
    route!(post "/participants" => pages::participant_form::create, Requires(Action::ManageParticipants)),
    // Before `/participants/{id}`, which would otherwise take « nouveau » for an id.
    route!(get "/participants/nouveau" => pages::participant_form::new_form, Requires(Action::ManageParticipants)),
    route!(get "/participants/{id}" => pages::people::participant, Requires(Action::ReadParticipants)),
    route!(get "/participants/{id}/modifier" => pages::participant_form::edit_form, Requires(Action::ManageParticipants)),
    route!(post "/participants/{id}/modifier" => pages::participant_form::change, Requires(Action::ManageParticipants)),
    route!(post "/participants/{id}/situation" => pages::people::record_situation, Requires(Action::RecordSituations)),
    route!(get "/utilisateurs" => pages::accounts::list, Requires(Action::ReadUsers)),
    route!(post "/utilisateurs" => pages::accounts::create, Requires(Action::ManageUsers)),
    // Before `/utilisateurs/{id}`, which would otherwise take « nouveau » for an id.
    route!(get "/utilisateurs/nouveau" => pages::accounts::new_form, Requires(Action::ManageUsers)),
    route!(get "/utilisateurs/{id}" => pages::accounts::show, Requires(Action::ManageUsers)),
    route!(post "/utilisateurs/{id}" => pages::accounts::change, Requires(Action::ManageUsers)),
    route!(post "/utilisateurs/{id}/desactivation" => pages::accounts::deactivate, Requires(Action::ManageUsers)),
    route!(post "/utilisateurs/{id}/reactivation" => pages::accounts::reactivate, Requires(Action::ManageUsers)),
    route!(post "/utilisateurs/{id}/mot-de-passe" => pages::accounts::reset_password, Requires(Action::ManageUsers)),
    route!(get "/journal" => pages::audit::audit_log, Requires(Action::ReadAuditLog)),
];

pub fn configure(cfg: &mut ServiceConfig) {
    for route in ROUTES.iter().chain(PAGES) {
        (route.register)(cfg);
    }
}
