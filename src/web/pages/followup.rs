//! « À faire » as a page: the items of the person's scope, the most urgent first, with their
//! filters, the link to act on each and the workbook to download.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::PageError;
use super::pager::Pager;
use super::shell::Shell;
use super::viewer::Viewer;
use crate::app::followup::{self, FollowupLine, FollowupQuery};
use crate::app::{self, ErrorCode, Listed};
use crate::domain::authorization::Action;
use crate::domain::{FollowupKind, FollowupRules, Labelled};
use crate::indicators::FigureCache;
use crate::indicators::followup::Figures;
use crate::storage::{Database, PageRequest};
use crate::web::auth::can;

/// Items shown on one page: on a phone each is a card.
const PER_PAGE: i64 = 50;

pub struct Row {
    pub kind: &'static str,
    pub kind_code: &'static str,
    pub since: String,
    pub buyer: String,
    pub contract: String,
    pub company: String,
    pub detail: String,
    pub link: String,
    pub action: &'static str,
}

pub struct KindChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "followup.html")]
struct FollowupPage {
    shell: Shell,
    kinds: Vec<KindChoice>,
    may_choose_buyer: bool,
    buyer: String,
    company: String,
    as_of: String,
    rows: Vec<Row>,
    /// How many items the filters select in all, and the links to the other pages.
    total: i64,
    pager: Pager,
    /// The workbook of the same list.
    download: String,
    /// Why the filter was refused, and the field it was about.
    refusal: Option<String>,
    refused_field: &'static str,
    /// Whether the person may remind companies by e-mail (the button to « Relances »).
    may_remind: bool,
    csrf: String,
}

#[derive(Deserialize)]
pub struct FollowupForm {
    kind: Option<String>,
    buyer: Option<String>,
    company: Option<String>,
    as_of: Option<chrono::NaiveDate>,
    page: Option<i64>,
}

/// What a person clicks to act on an item.
fn action_of(line: &FollowupLine) -> &'static str {
    match &line.item.figures {
        Figures::MissingStatement { .. } if line.link == "/imports" => "Envoyer un relevé",
        Figures::MissingStatement { .. } | Figures::Clause { .. } | Figures::QpvShare { .. } => {
            "Voir le lot"
        }
        Figures::PendingValidation { .. } => "Valider ou rejeter",
        Figures::EligibilityPending { .. } => "Voir le participant",
        Figures::ObligationMissing { .. } => "Voir les obligations du marché",
        Figures::ExitFollowupDue { .. } => "Enregistrer sa situation",
    }
}

fn row(line: &FollowupLine) -> Row {
    let i = &line.item;
    Row {
        kind: i.kind.label(),
        kind_code: i.kind.code(),
        since: i.since.format("%d/%m/%Y").to_string(),
        buyer: i.buyer_name.clone(),
        contract: match i.lot {
            Some(lot) => format!(
                "{}, {}",
                i.reference,
                crate::domain::lot::lot_heading(lot, None).to_lowercase()
            ),
            None => format!("{}, tout le marché", i.reference),
        },
        company: i
            .company
            .as_ref()
            .map_or_else(|| "—".to_owned(), |c| format!("{} ({})", c.name, c.siret)),
        detail: i.detail(),
        link: line.link.clone(),
        action: action_of(line),
    }
}

/// The filter field a refusal is about, to point the message at it.
fn field_of(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::InvalidFollowupKind => "kind",
        ErrorCode::InvalidCompany => "company",
        _ => "buyer",
    }
}

/// The workbook's address, with the filters asked.
fn download_of(form: &FollowupForm) -> String {
    let mut address = form_urlencoded::Serializer::new(String::new());
    for (name, value) in kept_filters(form) {
        if let Some(value) = value {
            address.append_pair(name, &value);
        }
    }
    format!("/api/followup.xlsx?{}", address.finish())
}

/// `GET /a-faire?kind=&buyer=&company=&as_of=&page=`: a refused filter shows beside the form
/// (422).
pub async fn list(
    viewer: Viewer<can::ReadFollowup>,
    form: web::Query<FollowupForm>,
    database: web::Data<Database>,
    figures: web::Data<FigureCache>,
    rules: web::Data<FollowupRules>,
) -> Result<HttpResponse, PageError> {
    let today = form.as_of.unwrap_or_else(app::today);
    let request = PageRequest::new(form.page, Some(PER_PAGE));
    let asked = FollowupQuery::parse(
        form.kind.as_deref(),
        form.buyer.as_deref(),
        form.company.as_deref(),
        today,
    );
    let caller = viewer.caller();
    let found = match asked {
        Ok(query) => {
            crate::web::run(&database, move |conn| {
                followup::page(conn, &figures, &caller, &rules, (&query, request))
            })
            .await
        }
        Err(error) => Err(error),
    };
    let (found, refusal) = match found {
        Ok(found) => (found, None),
        Err(error) if error.code.status() == StatusCode::UNPROCESSABLE_ENTITY.as_u16() => {
            (Listed::of((Vec::new(), 0), request), Some(error))
        }
        Err(error) => return Err(PageError::Refused(error)),
    };
    let selected = form.kind.as_deref().unwrap_or_default();
    let page = FollowupPage {
        shell: viewer.shell("À faire"),
        kinds: FollowupKind::shown_to_role(viewer.account.role)
            .into_iter()
            .map(|k| KindChoice {
                code: k.code(),
                label: k.label(),
                selected: k.code() == selected,
            })
            .collect(),
        may_choose_buyer: viewer.may(Action::ReadBuyers),
        buyer: form.buyer.clone().unwrap_or_default(),
        company: form.company.clone().unwrap_or_default(),
        as_of: today.to_string(),
        rows: found.items.iter().map(row).collect(),
        total: found.total,
        pager: Pager::of(&found, "/a-faire", &kept_filters(&form)),
        download: download_of(&form),
        refused_field: refusal.as_ref().map_or("", |e| field_of(e.code)),
        may_remind: viewer.may(Action::SendReminders),
        csrf: viewer.csrf.clone(),
        refusal: refusal.map(|e| e.message().to_owned()),
    };
    super::listing_html(&page, &page.refusal)
}

/// The filters asked, blank ones left out: the workbook and the other pages keep them.
fn kept_filters(form: &FollowupForm) -> [(&'static str, Option<String>); 4] {
    let filled = |text: &Option<String>| {
        text.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    [
        ("kind", filled(&form.kind)),
        ("buyer", filled(&form.buyer)),
        ("company", filled(&form.company)),
        ("as_of", form.as_of.map(|d| d.to_string())),
    ]
}
