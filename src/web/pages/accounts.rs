//! Accounts as pages, for administrators: the list with its filters, creating an account, and
//! an account's page to change its role and scope, deactivate or reactivate it and give it a
//! new password (shown once). Each form goes through the same use case as its API route.

use actix_web::http::header::{CACHE_CONTROL, LOCATION};
use actix_web::{HttpResponse, web};
use askama::Template;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::form::{Fields, Refusal};
use super::shell::Shell;
use super::viewer::{Posted, Viewer};
use super::{HTML, PageError, html};
use crate::app;
use crate::app::AppError;
use crate::app::users::{AccountDraft, RoleDraft};
use crate::domain::authorization::Permission;
use crate::domain::{Labelled, Role, SignInRecency};
use crate::storage::Database;
use crate::storage::buyers::Buyer;
use crate::storage::users::{Account, BuyerScope};
use crate::web::api::users::UsersQuery;
use crate::web::auth::can;

/// One entry of a select or a set of boxes.
pub struct Choice {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

fn choices<T: Labelled>(all: &[T], chosen: &str) -> Vec<Choice> {
    all.iter()
        .map(|item| Choice {
            code: item.code().to_owned(),
            label: item.label().to_owned(),
            selected: item.code() == chosen,
        })
        .collect()
}

fn buyer_choices(buyers: &[Buyer], chosen: &[String]) -> Vec<Choice> {
    buyers
        .iter()
        .map(|b| Choice {
            code: b.siret.as_str().to_owned(),
            label: format!("{} ({})", b.name, b.siret),
            selected: chosen.iter().any(|c| c.trim() == b.siret.as_str()),
        })
        .collect()
}

/// The role and scope fields of a form, as typed or as stored.
pub struct ScopeFields {
    pub roles: Vec<Choice>,
    pub buyers: Vec<Choice>,
    pub all_buyers: bool,
    pub company_siret: String,
}

impl ScopeFields {
    fn of(draft: &RoleDraft, buyers: &[Buyer]) -> ScopeFields {
        ScopeFields {
            roles: choices(Role::ALL, &draft.role),
            buyers: buyer_choices(buyers, &draft.buyers),
            all_buyers: draft.all_buyers,
            company_siret: draft.company_siret.clone().unwrap_or_default(),
        }
    }
}

fn role_draft(fields: &Fields) -> RoleDraft {
    RoleDraft {
        role: fields.text("role"),
        buyers: fields.all("buyers"),
        all_buyers: fields.checked("all_buyers"),
        company_siret: fields.filled("company_siret"),
    }
}

/// The stored role and scope, as the form shows them.
fn stored_draft(account: &Account, buyers: &[Buyer]) -> RoleDraft {
    let (all_buyers, sirets, company) = match &account.scope {
        BuyerScope::AllBuyers => (true, Vec::new(), None),
        BuyerScope::Company { siret } => (false, Vec::new(), Some(siret.clone())),
        BuyerScope::Buyers { buyer_ids } => (
            false,
            buyers
                .iter()
                .filter(|b| buyer_ids.contains(&b.id))
                .map(|b| b.siret.as_str().to_owned())
                .collect(),
            None,
        ),
    };
    RoleDraft {
        role: account.role.code().to_owned(),
        buyers: sirets,
        all_buyers,
        company_siret: company,
    }
}

/// The scope in words: « Tous les acheteurs », the buyers' names, or the company's SIRET.
fn scope_text(scope: &BuyerScope, buyers: &[Buyer]) -> String {
    match scope {
        BuyerScope::AllBuyers => "Tous les acheteurs".to_owned(),
        BuyerScope::Company { siret } => format!("Entreprise {siret}"),
        BuyerScope::Buyers { buyer_ids } => buyers
            .iter()
            .filter(|b| buyer_ids.contains(&b.id))
            .map(|b| b.name.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn last_sign_in(account: &Account) -> String {
    account.last_sign_in_at.map_or_else(
        || "Jamais".to_owned(),
        |at| at.format("%d/%m/%Y à %H:%M").to_string(),
    )
}

pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub scope: String,
    pub last_sign_in: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    shell: Shell,
    roles: Vec<Choice>,
    buyers: Vec<Choice>,
    states: Vec<Choice>,
    sign_ins: Vec<Choice>,
    accounts: Vec<AccountRow>,
    refusal: Refusal,
}

fn state_choices(chosen: &str) -> Vec<Choice> {
    [("true", "Actifs"), ("false", "Désactivés")]
        .iter()
        .map(|(code, label)| Choice {
            code: (*code).to_owned(),
            label: (*label).to_owned(),
            selected: *code == chosen,
        })
        .collect()
}

/// `GET /utilisateurs?role=&buyer=&active=&last_sign_in=`.
pub async fn list(
    viewer: Viewer<can::ReadUsers>,
    query: web::Query<UsersQuery>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (asked, caller) = (query.asked(), viewer.caller());
    let found = crate::web::run(&database, move |conn| {
        app::users::directory(conn, &caller, &asked)
    })
    .await?;
    let chosen = |v: &Option<String>| v.clone().unwrap_or_default();
    let page = UsersPage {
        shell: viewer.shell("Utilisateurs"),
        roles: choices(Role::ALL, &chosen(&query.role)),
        buyers: buyer_choices(&found.buyers, &[chosen(&query.buyer)]),
        states: state_choices(&chosen(&query.active)),
        sign_ins: choices(SignInRecency::ALL, &chosen(&query.last_sign_in)),
        accounts: found
            .accounts
            .iter()
            .map(|a| AccountRow {
                id: a.id.get(),
                name: a.display_name.to_string(),
                email: a.email.to_string(),
                role: a.role.label(),
                scope: scope_text(&a.scope, &found.buyers),
                last_sign_in: last_sign_in(a),
                active: a.active,
            })
            .collect(),
        refusal: found.refusal.as_ref().map(Refusal::of).unwrap_or_default(),
    };
    let status = found.refusal.map_or(actix_web::http::StatusCode::OK, |e| {
        crate::web::error::status_of(e.code)
    });
    Ok(HttpResponse::build(status)
        .content_type(HTML)
        .body(page.render()?))
}

#[derive(Template)]
#[template(path = "user_new.html")]
struct NewUserPage {
    shell: Shell,
    csrf: String,
    email: String,
    display_name: String,
    scope: ScopeFields,
    refusal: Refusal,
}

fn new_user_page<P: Permission>(
    viewer: &Viewer<P>,
    fields: &Fields,
    buyers: &[Buyer],
    refusal: Refusal,
) -> NewUserPage {
    NewUserPage {
        shell: viewer.shell("Créer un compte"),
        csrf: viewer.csrf.clone(),
        email: fields.text("email"),
        display_name: fields.text("display_name"),
        scope: ScopeFields::of(&role_draft(fields), buyers),
        refusal,
    }
}

/// `GET /utilisateurs/nouveau`.
pub async fn new_form(
    viewer: Viewer<can::ManageUsers>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let caller = viewer.caller();
    let buyers =
        crate::web::run(&database, move |conn| app::buyers::visible(conn, &caller)).await?;
    html(&new_user_page(
        &viewer,
        &Fields::default(),
        &buyers,
        Refusal::default(),
    ))
}

/// A page showing a password: never kept by a cache.
fn secret_page(page: &impl Template) -> Result<HttpResponse, PageError> {
    Ok(HttpResponse::Ok()
        .content_type(HTML)
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(page.render()?))
}

/// A refused form, shown again with the code's status.
fn refused_page(error: &AppError, page: &impl Template) -> Result<HttpResponse, PageError> {
    Ok(
        HttpResponse::build(crate::web::error::status_of(error.code))
            .content_type(HTML)
            .body(page.render()?),
    )
}

/// `POST /utilisateurs`: the new account's page, its password shown this once; or the form
/// again, as typed, saying what to change.
pub async fn create(
    posted: Posted<can::ManageUsers, Fields>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (viewer, fields) = (posted.viewer, posted.form);
    let draft = AccountDraft {
        email: fields.text("email"),
        display_name: fields.text("display_name"),
        role: role_draft(&fields),
        password: None,
    };
    let caller = viewer.caller();
    let created = crate::web::run(&database, move |conn| {
        let created = app::users::create(conn, &caller, draft)?;
        let buyers = app::buyers::visible(conn, &caller)?;
        Ok((created, buyers))
    })
    .await;
    match created {
        Ok((created, buyers)) => {
            let mut page = user_page(&viewer, &created.account, &buyers, Some("cree"));
            page.password = created
                .generated_password
                .map(|p| p.expose_secret().to_owned());
            secret_page(&page)
        }
        Err(error) => {
            let caller = viewer.caller();
            let buyers =
                crate::web::run(&database, move |conn| app::buyers::visible(conn, &caller)).await?;
            refused_page(
                &error,
                &new_user_page(&viewer, &fields, &buyers, Refusal::of(&error)),
            )
        }
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    shell: Shell,
    csrf: String,
    id: i64,
    email: String,
    role: &'static str,
    scope_text: String,
    last_sign_in: String,
    active: bool,
    oneself: bool,
    scope: ScopeFields,
    notice: Option<&'static str>,
    /// A password just generated, shown this once.
    password: Option<String>,
    refusal: Refusal,
}

/// The line said after a change, by its code in the address.
fn notice_of(code: &str) -> Option<&'static str> {
    Some(match code {
        "cree" => {
            "Compte créé. Transmettez-lui son mot de passe par un autre canal que son adresse électronique."
        }
        "modifie" => "Rôle et périmètre enregistrés : ils s'appliquent dès sa prochaine page.",
        "desactive" => {
            "Compte désactivé : ses sessions sont fermées et il ne peut plus se connecter."
        }
        "reactive" => "Compte réactivé : il se connecte de nouveau avec son mot de passe.",
        "mot-de-passe" => {
            "Nouveau mot de passe donné : l'ancien ne fonctionne plus et ses sessions sont fermées."
        }
        _ => return None,
    })
}

fn user_page<P: Permission>(
    viewer: &Viewer<P>,
    account: &Account,
    buyers: &[Buyer],
    notice: Option<&str>,
) -> UserPage {
    UserPage {
        shell: viewer.shell(&format!("Compte de {}", account.display_name)),
        csrf: viewer.csrf.clone(),
        id: account.id.get(),
        email: account.email.to_string(),
        role: account.role.label(),
        scope_text: scope_text(&account.scope, buyers),
        last_sign_in: last_sign_in(account),
        active: account.active,
        oneself: viewer.account.id == account.id,
        scope: ScopeFields::of(&stored_draft(account, buyers), buyers),
        notice: notice.and_then(notice_of),
        password: None,
        refusal: Refusal::default(),
    }
}

#[derive(Deserialize)]
pub struct UserParams {
    message: Option<String>,
}

/// The account and the buyers, for its page.
async fn account_of(
    database: &web::Data<Database>,
    caller: app::Caller,
    id: i64,
) -> Result<(Account, Vec<Buyer>), AppError> {
    crate::web::run(database, move |conn| {
        app::users::with_buyers(conn, &caller, id.into())
    })
    .await
}

/// `GET /utilisateurs/{id}`.
pub async fn show(
    viewer: Viewer<can::ManageUsers>,
    id: web::Path<i64>,
    params: web::Query<UserParams>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (account, buyers) = account_of(&database, viewer.caller(), id.into_inner()).await?;
    html(&user_page(
        &viewer,
        &account,
        &buyers,
        params.message.as_deref(),
    ))
}

/// Back to the account's page, saying what was done.
fn done(id: i64, code: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/utilisateurs/{id}?message={code}")))
        .finish()
}

/// The account's page again with the refusal, the role and scope fields as they were typed.
async fn refused_change(
    viewer: &Viewer<can::ManageUsers>,
    database: &web::Data<Database>,
    id: i64,
    typed: Option<&Fields>,
    error: &AppError,
) -> Result<HttpResponse, PageError> {
    let (account, buyers) = account_of(database, viewer.caller(), id).await?;
    let mut page = user_page(viewer, &account, &buyers, None);
    if let Some(fields) = typed {
        page.scope = ScopeFields::of(&role_draft(fields), &buyers);
    }
    page.refusal = Refusal::of(error);
    refused_page(error, &page)
}

/// `POST /utilisateurs/{id}`: a new role and scope.
pub async fn change(
    posted: Posted<can::ManageUsers, Fields>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (viewer, fields, id) = (posted.viewer, posted.form, id.into_inner());
    let (draft, caller) = (role_draft(&fields), viewer.caller());
    let changed = crate::web::run(&database, move |conn| {
        app::users::change(conn, &caller, id.into(), &draft)
    })
    .await;
    match changed {
        Ok(_) => Ok(done(id, "modifie")),
        Err(error) => refused_change(&viewer, &database, id, Some(&fields), &error).await,
    }
}

/// What the buttons of an account's page do, each through its use case.
#[derive(Clone, Copy)]
enum Switch {
    Deactivate,
    Reactivate,
}

async fn switch(
    posted: Posted<can::ManageUsers, Fields>,
    id: i64,
    database: web::Data<Database>,
    what: Switch,
) -> Result<HttpResponse, PageError> {
    let caller = posted.viewer.caller();
    let switched = crate::web::run(&database, move |conn| match what {
        Switch::Deactivate => app::users::deactivate(conn, &caller, id.into()),
        Switch::Reactivate => app::users::reactivate(conn, &caller, id.into()),
    })
    .await;
    match (switched, what) {
        (Ok(()), Switch::Deactivate) => Ok(done(id, "desactive")),
        (Ok(()), Switch::Reactivate) => Ok(done(id, "reactive")),
        (Err(error), _) => refused_change(&posted.viewer, &database, id, None, &error).await,
    }
}

/// `POST /utilisateurs/{id}/desactivation`.
pub async fn deactivate(
    posted: Posted<can::ManageUsers, Fields>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    switch(posted, id.into_inner(), database, Switch::Deactivate).await
}

/// `POST /utilisateurs/{id}/reactivation`.
pub async fn reactivate(
    posted: Posted<can::ManageUsers, Fields>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    switch(posted, id.into_inner(), database, Switch::Reactivate).await
}

/// `POST /utilisateurs/{id}/mot-de-passe`: the account's page with its new password, shown
/// this once.
pub async fn reset_password(
    posted: Posted<can::ManageUsers, Fields>,
    id: web::Path<i64>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (viewer, id) = (posted.viewer, id.into_inner());
    let caller = viewer.caller();
    let reset = crate::web::run(&database, move |conn| {
        let password: SecretString = app::users::reset_password(conn, &caller, id.into())?;
        Ok((password, app::users::with_buyers(conn, &caller, id.into())?))
    })
    .await;
    match reset {
        Ok((password, (account, buyers))) => {
            let mut page = user_page(&viewer, &account, &buyers, Some("mot-de-passe"));
            page.password = Some(password.expose_secret().to_owned());
            secret_page(&page)
        }
        Err(error) => refused_change(&viewer, &database, id, None, &error).await,
    }
}
