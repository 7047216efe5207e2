//! The contract's form: « Nouveau marché » from the list, « Modifier » from a contract's page,
//! with its lots and their awardees, and deleting a contract without hours. Each goes through
//! the same use case as its API route (`POST`, `PATCH`, `DELETE /api/contracts…`). A row of
//! lot or awardee is always left blank at the end, to add one without scripts.

use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::PageError;
use super::accounts::Choice;
use super::form::{Fields, Input, Refusal, Select, select};
use super::shell::Shell;
use super::viewer::{Posted, Viewer};
use crate::app;
use crate::app::AppError;
use crate::app::contract_changes::{award_field, lot_field};
use crate::app::contract_drafts::{AwardDraft, ContractDraft, LotDraft};
use crate::domain::authorization::Permission;
use crate::domain::obligations::{Choice as Ground, ground_among};
use crate::domain::{AwardRole, ContractType, ObligationRules, Procedure, Reservation};
use crate::storage::Database;
use crate::storage::buyers::Buyer;
use crate::web::auth::can;

/// Rows a posted form may number: more are not read.
const MAX_LOTS: usize = 100;
const MAX_AWARDS: usize = 50;

pub struct AwardRow {
    pub legend: String,
    pub siret: Input,
    pub name: Input,
    pub role: Select,
    pub amount: Input,
}

pub struct LotRow {
    pub legend: String,
    pub number: Input,
    pub title: Input,
    pub reservation: Select,
    pub awards: Vec<AwardRow>,
}

fn award_row(lot: usize, place: usize, a: &AwardDraft) -> AwardRow {
    let field = |name| award_field(lot, place, name);
    AwardRow {
        legend: if a.siret.trim().is_empty() {
            "Ajouter un attributaire".to_owned()
        } else {
            format!("Attributaire {}", place + 1)
        },
        siret: Input::of(field("siret"), &a.siret),
        name: Input::of(field("name"), &a.name),
        role: select::<AwardRole>(field("role"), &a.role, None),
        amount: Input::of(field("amount"), &a.amount),
    }
}

fn lot_row(place: usize, lot: &LotDraft) -> LotRow {
    let field = |name| lot_field(place, name);
    let blank = lot.number.trim().is_empty() && lot.awards.iter().all(|a| a.siret.is_empty());
    LotRow {
        legend: match lot.number.trim() {
            "" if blank => "Ajouter un lot".to_owned(),
            "" => "Marché sans lots".to_owned(),
            number => format!("Lot {number}"),
        },
        number: Input::of(field("number"), &lot.number),
        title: Input::of(field("title"), &lot.title),
        reservation: select::<Reservation>(field("reservation"), &lot.reservation, None),
        awards: lot
            .awards
            .iter()
            .enumerate()
            .map(|(a, award)| award_row(place, a, award))
            .collect(),
    }
}

/// The draft with a blank awardee ending each lot and a blank lot at the end.
fn with_blank_rows(mut draft: ContractDraft) -> ContractDraft {
    let blank_lot = |l: &LotDraft| l.number.trim().is_empty() && l.title.trim().is_empty();
    if draft
        .lots
        .last()
        .is_none_or(|l| !blank_lot(l) || !l.awards.is_empty())
    {
        draft.lots.push(LotDraft::default());
    }
    for lot in &mut draft.lots {
        if lot.awards.last().is_none_or(|a| !a.siret.trim().is_empty()) {
            lot.awards.push(AwardDraft::default());
        }
    }
    draft
}

#[derive(Template)]
#[template(path = "contract_form.html")]
struct ContractFormPage {
    shell: Shell,
    csrf: String,
    action: String,
    /// The contract's id when it is changed.
    id: Option<i64>,
    buyers: Vec<Choice>,
    reference: String,
    object: String,
    procedure: Select,
    cpv: String,
    notification_date: String,
    duration_months: String,
    end_date: String,
    social_criterion: bool,
    launch_date: String,
    contract_type: Select,
    estimated_value: String,
    social_condition: bool,
    environmental_condition: bool,
    environmental_criterion: bool,
    ground: Select,
    social_exemption_text: String,
    lots: Vec<LotRow>,
    refusal: Refusal,
}

/// What the form offers to choose from: the caller's buyers, the rules' grounds.
pub struct Lists {
    buyers: Vec<Buyer>,
    grounds: Vec<Ground>,
}

/// The grounds for no social condition, the one typed (by code or label) selected.
fn ground_select(grounds: &[Ground], typed: &str) -> Select {
    let chosen = ground_among(grounds, typed).ok().map(|g| g.code.as_str());
    let mut options = vec![Choice {
        code: String::new(),
        label: "—".to_owned(),
        selected: chosen.is_none(),
    }];
    options.extend(grounds.iter().map(|g| Choice {
        code: g.code.clone(),
        label: g.label.clone(),
        selected: chosen == Some(g.code.as_str()),
    }));
    Select {
        name: "social_exemption_ground".to_owned(),
        options,
    }
}

fn form_page<P: Permission>(
    viewer: &Viewer<P>,
    id: Option<i64>,
    draft: ContractDraft,
    lists: &Lists,
    refusal: Refusal,
) -> ContractFormPage {
    let draft = with_blank_rows(draft);
    let (title, action) = match id {
        Some(id) => (
            format!("Modifier le marché {}", draft.reference),
            format!("/marches/{id}/modifier"),
        ),
        None => ("Nouveau marché".to_owned(), "/marches".to_owned()),
    };
    ContractFormPage {
        shell: viewer.shell(&title),
        csrf: viewer.csrf.clone(),
        action,
        id,
        buyers: lists
            .buyers
            .iter()
            .map(|b| Choice {
                code: b.siret.as_str().to_owned(),
                label: format!("{} ({})", b.name, b.siret),
                selected: b.siret.as_str() == draft.buyer_siret.trim(),
            })
            .collect(),
        procedure: select::<Procedure>("procedure".to_owned(), &draft.procedure, Some("—")),
        contract_type: select::<ContractType>(
            "contract_type".to_owned(),
            &draft.contract_type,
            Some("Selon le code CPV"),
        ),
        ground: ground_select(&lists.grounds, &draft.social_exemption_ground),
        lots: draft
            .lots
            .iter()
            .enumerate()
            .map(|(l, lot)| lot_row(l, lot))
            .collect(),
        reference: draft.reference,
        object: draft.object,
        cpv: draft.cpv,
        notification_date: draft.notification_date,
        duration_months: draft.duration_months,
        end_date: draft.end_date,
        social_criterion: draft.social_criterion,
        launch_date: draft.launch_date,
        estimated_value: draft.estimated_value,
        social_condition: draft.social_condition,
        environmental_condition: draft.environmental_condition,
        environmental_criterion: draft.environmental_criterion,
        social_exemption_text: draft.social_exemption_text,
        refusal,
    }
}

/// The index in a numbered field's name after `prefix` (`lot-3-…` → 3), when below `max`.
fn index_after(name: &str, prefix: &str, max: usize) -> Option<usize> {
    let rest = name.strip_prefix(prefix)?;
    let index: usize = rest.split('-').next()?.parse().ok()?;
    (index < max).then_some(index)
}

/// How many rows the form posted under `prefix`: one past the highest index.
fn rows(fields: &Fields, prefix: &str, max: usize) -> usize {
    fields
        .names()
        .filter_map(|name| index_after(name, prefix, max))
        .max()
        .map_or(0, |i| i + 1)
}

fn award_draft(fields: &Fields, lot: usize, place: usize) -> AwardDraft {
    let text = |name| fields.text(&award_field(lot, place, name));
    AwardDraft {
        siret: text("siret"),
        name: text("name"),
        role: text("role"),
        amount: text("amount"),
    }
}

fn lot_draft(fields: &Fields, place: usize) -> LotDraft {
    let text = |name| fields.text(&lot_field(place, name));
    let awards = rows(fields, &format!("lot-{place}-award-"), MAX_AWARDS);
    LotDraft {
        number: text("number"),
        title: text("title"),
        reservation: text("reservation"),
        awards: (0..awards).map(|a| award_draft(fields, place, a)).collect(),
    }
}

/// The contract as its form was posted.
fn draft_of(fields: &Fields) -> ContractDraft {
    let lots = rows(fields, "lot-", MAX_LOTS);
    ContractDraft {
        buyer_siret: fields.text("buyer_siret"),
        reference: fields.text("reference"),
        object: fields.text("object"),
        procedure: fields.text("procedure"),
        cpv: fields.text("cpv"),
        notification_date: fields.text("notification_date"),
        duration_months: fields.text("duration_months"),
        end_date: fields.text("end_date"),
        social_criterion: fields.checked("social_criterion"),
        launch_date: fields.text("launch_date"),
        contract_type: fields.text("contract_type"),
        estimated_value: fields.text("estimated_value"),
        social_condition: fields.checked("social_condition"),
        environmental_condition: fields.checked("environmental_condition"),
        environmental_criterion: fields.checked("environmental_criterion"),
        social_exemption_ground: fields.text("social_exemption_ground"),
        social_exemption_text: fields.text("social_exemption_text"),
        lots: (0..lots).map(|l| lot_draft(fields, l)).collect(),
    }
}

async fn lists_of<P: Permission>(
    viewer: &Viewer<P>,
    database: &web::Data<Database>,
    rules: &ObligationRules,
) -> Result<Lists, AppError> {
    let caller = viewer.caller();
    let buyers = crate::web::run(database, move |conn| app::buyers::visible(conn, &caller)).await?;
    Ok(Lists {
        buyers,
        grounds: rules.grounds.clone(),
    })
}

/// To the contract's page, saying what was done.
fn to_contract(id: i64, message: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/marches/{id}?message={message}")))
        .finish()
}

/// `GET /marches/nouveau`.
pub async fn new_form(
    viewer: Viewer<can::ManageContracts>,
    database: web::Data<Database>,
    rules: web::Data<ObligationRules>,
) -> Result<HttpResponse, PageError> {
    let lists = lists_of(&viewer, &database, &rules).await?;
    let draft = ContractDraft {
        // The only buyer of an officer's, chosen already.
        buyer_siret: match lists.buyers.as_slice() {
            [only] => only.siret.as_str().to_owned(),
            _ => String::new(),
        },
        ..ContractDraft::default()
    };
    let page = form_page(&viewer, None, draft, &lists, Refusal::default());
    super::html(&page)
}

/// `POST /marches`: to the new contract's page; or the form again, as typed, the faulty field
/// marked.
pub async fn create(
    posted: Posted<can::ManageContracts, Fields>,
    database: web::Data<Database>,
    rules: web::Data<ObligationRules>,
) -> Result<HttpResponse, PageError> {
    let (viewer, draft) = (posted.viewer, draft_of(&posted.form));
    let (caller, asked, given) = (viewer.caller(), draft.clone(), rules.clone());
    let created = crate::web::run(&database, move |conn| {
        app::contract_changes::create(conn, (&caller, &given), &asked.parse()?)
    })
    .await;
    match created {
        Ok(contract) => Ok(to_contract(contract.id.get(), "cree")),
        Err(error) => {
            let lists = lists_of(&viewer, &database, &rules).await?;
            let page = form_page(&viewer, None, draft, &lists, Refusal::of(&error));
            super::refused(&error, &page)
        }
    }
}

/// The stored contract in its form, saying why it was refused if it was.
async fn stored_form(
    viewer: &Viewer<can::ManageContracts>,
    (database, rules): (&web::Data<Database>, &ObligationRules),
    id: i64,
    refusal: Refusal,
) -> Result<ContractFormPage, PageError> {
    let caller = viewer.caller();
    let contract = crate::web::run(database, move |conn| {
        app::contract_changes::editable(conn, &caller, id.into())
    })
    .await?;
    let lists = lists_of(viewer, database, rules).await?;
    let draft = ContractDraft::of_stored(&contract);
    Ok(form_page(viewer, Some(id), draft, &lists, refusal))
}

/// `GET /marches/{id}/modifier`: the stored contract in its form.
pub async fn edit_form(
    viewer: Viewer<can::ManageContracts>,
    id: web::Path<i64>,
    database: web::Data<Database>,
    rules: web::Data<ObligationRules>,
) -> Result<HttpResponse, PageError> {
    let page = stored_form(
        &viewer,
        (&database, &rules),
        id.into_inner(),
        Refusal::default(),
    )
    .await?;
    super::html(&page)
}

/// `POST /marches/{id}/modifier`: back to the contract's page, or the form again as typed.
pub async fn change(
    posted: Posted<can::ManageContracts, Fields>,
    id: web::Path<i64>,
    database: web::Data<Database>,
    rules: web::Data<ObligationRules>,
) -> Result<HttpResponse, PageError> {
    let (viewer, draft, id) = (posted.viewer, draft_of(&posted.form), id.into_inner());
    let (caller, asked, given) = (viewer.caller(), draft.clone(), rules.clone());
    let changed = crate::web::run(&database, move |conn| {
        app::contract_changes::change(conn, (&caller, &given), id.into(), &asked.parse()?)
    })
    .await;
    match changed {
        Ok(_) => Ok(to_contract(id, "modifie")),
        Err(error) if error.code.status() == 404 => Err(error.into()),
        Err(error) => {
            let lists = lists_of(&viewer, &database, &rules).await?;
            let page = form_page(&viewer, Some(id), draft, &lists, Refusal::of(&error));
            super::refused(&error, &page)
        }
    }
}

/// `POST /marches/{id}/suppression`: to the list; or the contract's form, saying why not.
pub async fn delete(
    posted: Posted<can::ManageContracts, Fields>,
    id: web::Path<i64>,
    database: web::Data<Database>,
    rules: web::Data<ObligationRules>,
) -> Result<HttpResponse, PageError> {
    let (viewer, id) = (posted.viewer, id.into_inner());
    let caller = viewer.caller();
    let deleted = crate::web::run(&database, move |conn| {
        app::contract_changes::delete(conn, &caller, id.into())
    })
    .await;
    match deleted {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, "/marches?message=supprime"))
            .finish()),
        Err(error) if error.code.status() == 404 => Err(error.into()),
        Err(error) => {
            let page = stored_form(&viewer, (&database, &rules), id, Refusal::of(&error)).await?;
            super::refused(&error, &page)
        }
    }
}
