//! Companies and insertion structures: a list with where each is established and whether that
//! is local to the buyers one follows, and a page with the lots held and the hours delivered.

use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Fields, Refusal};
use super::pager::Pager;
use super::shell::Shell;
use super::viewer::{CsrfForm, Posted, Viewer};
use super::{HTML, PageError, text};
use crate::app::companies::CompanyDraft;
use crate::app::{self, AppError, ErrorCode};
use crate::domain::authorization::Action;
use crate::domain::lot::lot_heading;
use crate::domain::{CompanyIdentifier, Departement, Labelled, SizeClass, StructureKind};
use crate::indicators::statement::LotStatement;
use crate::storage::Database;
use crate::storage::buyers::Buyer;
use crate::storage::closures::Closure;
use crate::storage::companies::Company;
use crate::storage::indicators::ProvidedHours;
use crate::web::api::listings::CompaniesQuery;
use crate::web::auth::can;

pub struct CompanyRow {
    /// What its page's address names it by: its SIRET, or `TVA:FR64443061841`.
    pub key: String,
    /// « SIRET », or the kind of its other identifier (« TVA intracommunautaire »).
    pub identifier_label: &'static str,
    /// The SIRET or the other identifier.
    pub identifier: String,
    pub name: String,
    pub kind: &'static str,
    pub size: &'static str,
    pub place: String,
    pub local: String,
    /// Where reminders are sent.
    pub contact_email: String,
    /// The address as stored, empty when there is none (the form's value).
    pub contact_value: String,
}

/// "Oui (Département de la Haute-Garonne)" when the establishment's département is in the
/// territory of a buyer one follows: the charter's definition of a local firm.
fn locality(company: &Company, buyers: &[Buyer]) -> String {
    // As the local share counts it: established elsewhere than in France.
    if company.siret.is_none() && company.departement.is_none() {
        return "Non (sans SIRET ni code postal en France)".to_owned();
    }
    let Some(departement) = company
        .departement
        .as_deref()
        .and_then(|d| Departement::parse(d).ok())
    else {
        return "inconnu (pas de code postal)".to_owned();
    };
    let local: Vec<String> = buyers
        .iter()
        .filter(|b| b.territory.contains(&departement))
        .map(|b| b.name.to_string())
        .collect();
    if local.is_empty() {
        "Non".to_owned()
    } else {
        format!("Oui ({})", local.join(", "))
    }
}

fn row(company: &Company, buyers: &[Buyer]) -> CompanyRow {
    let identifier = CompanyIdentifier::parse(&company.identifier).ok();
    CompanyRow {
        key: company.identifier.clone(),
        identifier_label: identifier.as_ref().map_or("SIRET", |i| i.kind().label()),
        identifier: identifier
            .as_ref()
            .map_or_else(|| company.identifier.clone(), |i| i.id().to_owned()),
        name: company.name.clone(),
        kind: StructureKind::from_code(&company.structure_kind).map_or("—", |k| k.label()),
        size: company
            .size_class
            .as_deref()
            .and_then(SizeClass::from_code)
            .map_or("—", |s| s.label()),
        place: match (&company.postal_code, &company.departement) {
            (Some(code), _) => code.clone(),
            (None, Some(dep)) => dep.clone(),
            _ => "—".to_owned(),
        },
        local: locality(company, buyers),
        contact_email: company
            .contact_email
            .clone()
            .unwrap_or_else(|| "— (aucune relance ne peut lui être envoyée)".to_owned()),
        contact_value: company.contact_email.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "companies.html")]
struct CompaniesPage {
    shell: Shell,
    q: String,
    structures: bool,
    rows: Vec<CompanyRow>,
    pager: Pager,
    /// Why the filter was refused, shown beside it.
    refusal: Option<String>,
}

/// `GET /entreprises?q=&structures=true&page=`.
pub async fn list(
    viewer: Viewer<can::ReadCompanies>,
    query: web::Query<CompaniesQuery>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let mut query = query.into_inner();
    query.per_page = Some(25);
    let (asked, caller) = (query.typed()?, viewer.caller());
    let (found, buyers, refusal) = super::listing_or_refusal(
        crate::web::run(&database, move |conn| {
            app::companies::with_buyers(conn, &caller, &asked)
        })
        .await,
    )?;
    let pager = Pager::of(
        &found,
        "/entreprises",
        &[
            ("q", query.q.clone()),
            ("structures", query.structures.then(|| "true".to_owned())),
        ],
    );
    let page = CompaniesPage {
        shell: viewer.shell("Entreprises et structures"),
        q: query.q.clone().unwrap_or_default(),
        structures: query.structures,
        rows: found.items.iter().map(|c| row(c, &buyers)).collect(),
        pager,
        refusal,
    };
    super::listing_html(&page, &page.refusal)
}

pub struct HeldLot {
    pub contract_id: i64,
    pub reference: String,
    pub object: String,
    /// « Lot 2 — Gros œuvre », or « Marché sans lots »: never a lot 0.
    pub lot: String,
    pub hours: String,
    pub status: &'static str,
    pub status_code: &'static str,
    /// The attestation of the lot's closed clause.
    pub attestation: Option<AttestationLink>,
}

pub struct AttestationLink {
    pub url: String,
    pub closed_on: String,
}

/// Hours an insertion structure provided on a lot to one client company.
pub struct ProvidedLine {
    pub contract_id: i64,
    pub reference: String,
    pub lot: String,
    pub client_siret: String,
    pub client: String,
    pub hours: String,
}

fn provided_line(p: &ProvidedHours) -> ProvidedLine {
    ProvidedLine {
        contract_id: p.contract_id.get(),
        reference: p.reference.clone(),
        lot: lot_heading(p.lot, p.lot_title.as_deref()),
        client_siret: p.client_siret.clone(),
        client: p.client_name.clone(),
        hours: text::hours(p.hours),
    }
}

#[derive(Template)]
#[template(path = "company.html")]
struct CompanyPage {
    shell: Shell,
    company: Option<CompanyRow>,
    /// The company as its address names it: its SIRET, or `TVA:FR64443061841`.
    siret: String,
    /// The same for people, where the company's facts are not shown.
    shown: String,
    delivered: String,
    lots: Vec<HeldLot>,
    /// Hours provided as an insertion structure, and their total.
    provided: Vec<ProvidedLine>,
    provided_total: String,
    at: String,
    method: String,
    csrf: String,
    /// What was just saved, said above the forms.
    saved: Option<&'static str>,
    /// The contact address form, for those who may change it.
    contact: Option<ContactForm>,
    /// The name and postcode form, for those who may change them.
    details: Option<DetailsForm>,
    /// Whether someone who changes companies may not change this one, and why a change was
    /// just refused.
    details_closed: bool,
    closed_refusal: Refusal,
}

/// The contact address form: the value shown (as typed, after a refusal) and why it was
/// refused.
pub struct ContactForm {
    pub value: String,
    pub refusal: Refusal,
}

/// The name and postcode form, as stored or as typed, and why it was refused.
pub struct DetailsForm {
    pub draft: CompanyDraft,
    pub refusal: Refusal,
}

#[derive(Deserialize)]
pub struct ShowParams {
    message: Option<String>,
}

/// What each form saved says once back on the page.
const SAVED: &[(&str, &str)] = &[
    (
        "courriel",
        "Le courriel de contact est enregistré : les relances iront à cette adresse.",
    ),
    (
        "entreprise",
        "La raison sociale et le code postal sont enregistrés ; les parts d'entreprises locales en tiennent compte.",
    ),
];

/// `GET /entreprises/{siret}`: a company sees its own page only (the statement's rule).
pub async fn show(
    viewer: Viewer<can::ReadStatements>,
    siret: web::Path<String>,
    params: web::Query<ShowParams>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let saved = SAVED
        .iter()
        .find(|(key, _)| params.message.as_deref() == Some(*key))
        .map(|(_, said)| *said);
    let typed = Typed {
        saved,
        ..Typed::default()
    };
    let page = company_page(&viewer, &database, siret.into_inner(), typed).await?;
    Ok(HttpResponse::Ok().content_type(HTML).body(page.render()?))
}

/// What the forms bring back to the page: the one typed, as typed, with why it was refused;
/// or what was saved.
#[derive(Default)]
struct Typed {
    contact: Option<ContactForm>,
    details: Option<DetailsForm>,
    saved: Option<&'static str>,
}

fn lot_hours(lot: &LotStatement) -> i64 {
    lot.months.iter().map(|m| m.hours.hundredths()).sum()
}

/// A lot of the company's statement, with the attestation of its clause if it is closed.
fn held_lot(lot: &LotStatement, closures: &[Closure]) -> HeldLot {
    HeldLot {
        contract_id: lot.clause.contract_id.get(),
        reference: lot.clause.reference.clone(),
        object: lot.clause.object.clone(),
        lot: lot_heading(lot.clause.lot, lot.clause.lot_title.as_deref()),
        hours: text::hundredths(lot_hours(lot)),
        status: lot.clause.status_label.unwrap_or("—"),
        status_code: lot.clause.status.map_or("none", |s| s.code()),
        attestation: closures
            .iter()
            .find(|c| c.lot_id == lot.clause.lot_id)
            .map(|c| AttestationLink {
                url: format!("/api/lots/{}/attestation.pdf", c.lot_id),
                closed_on: c.closed_at.format("%d/%m/%Y").to_string(),
            }),
    }
}

async fn company_page<P: crate::domain::authorization::Permission>(
    viewer: &Viewer<P>,
    database: &web::Data<Database>,
    siret: String,
    typed: Typed,
) -> Result<CompanyPage, PageError> {
    let typed_siret = app::companies::company_of(&siret)?;
    let shown = match typed_siret.siret() {
        Some(_) => format!("SIRET {siret}"),
        None => typed_siret.to_string(),
    };
    let caller = viewer.caller();
    let detail = crate::web::run(database, move |conn| {
        app::companies::detail(conn, &caller, &typed_siret)
    })
    .await?;
    let statement = detail.statement;
    let company = detail.company.as_ref().map(|c| row(c, &detail.buyers));
    let delivered: i64 = statement.lots.iter().map(lot_hours).sum();
    let lots = statement
        .lots
        .iter()
        .map(|lot| held_lot(lot, &detail.closures))
        .collect();
    let title = company
        .as_ref()
        .map_or_else(|| statement.subject.clone(), |c| c.name.clone());
    let provided_total = detail.provided.iter().map(|p| p.hours.hundredths()).sum();
    // Only for a company the person reaches, and may change.
    let contact = company
        .as_ref()
        .filter(|_| viewer.may(Action::ManageCompanies))
        .map(|c| {
            typed.contact.unwrap_or_else(|| ContactForm {
                value: c.contact_value.clone(),
                refusal: Refusal::default(),
            })
        });
    // A refusal of a company one may not change: said without its form.
    let (typed_details, closed_refusal) = match typed.details {
        Some(form) if !detail.changeable => (None, form.refusal),
        other => (other, Refusal::default()),
    };
    let details = detail
        .company
        .as_ref()
        .filter(|_| detail.changeable)
        .map(|c| {
            typed_details.unwrap_or_else(|| DetailsForm {
                draft: CompanyDraft {
                    name: c.name.clone(),
                    postal_code: c.postal_code.clone().unwrap_or_default(),
                },
                refusal: Refusal::default(),
            })
        });
    Ok(CompanyPage {
        shell: viewer.shell(&title),
        details_closed: company.is_some() && details.is_none() && viewer.may(Action::EditCompanies),
        closed_refusal,
        contact,
        details,
        csrf: viewer.csrf.clone(),
        saved: typed.saved,
        provided: detail.provided.iter().map(provided_line).collect(),
        provided_total: text::hundredths(provided_total),
        company,
        delivered: text::hundredths(delivered),
        lots,
        at: statement.at.format("%d/%m/%Y").to_string(),
        method: statement.method,
        siret,
        shown,
    })
}

/// After a form: back to the page saying what was saved (`message`); or, when the use case
/// refused what was typed (422) or the company (403), the page again with the form as typed
/// (`typed` makes it of the refusal).
async fn answer<P: crate::domain::authorization::Permission>(
    (viewer, database): (&Viewer<P>, &web::Data<Database>),
    siret: String,
    outcome: Result<(), AppError>,
    (message, typed): (&str, impl FnOnce(Refusal) -> Typed),
) -> Result<HttpResponse, PageError> {
    let error = match outcome {
        Ok(()) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, format!("/entreprises/{siret}?message={message}")))
                .finish());
        }
        Err(error) if error.code == ErrorCode::OutOfScope || error.code.status() == 422 => error,
        Err(error) => return Err(PageError::Refused(error)),
    };
    let page = company_page(viewer, database, siret, typed(Refusal::of(&error))).await?;
    super::refused(&error, &page)
}

#[derive(Deserialize)]
pub struct ContactPosted {
    csrf_token: String,
    #[serde(default)]
    contact_email: String,
}

impl CsrfForm for ContactPosted {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// `POST /entreprises/{siret}/contact`: the contact address set (blank clears it), through
/// the use case of `PATCH /api/companies/{siret}`; back to the page saying so, or the page
/// again with the address as typed and what to change (422).
pub async fn set_contact(
    posted: Posted<can::ManageCompanies, ContactPosted>,
    siret: web::Path<String>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (viewer, form) = (posted.viewer, posted.form);
    let siret = siret.into_inner();
    let typed_siret = app::companies::company_of(&siret)?;
    let caller = viewer.caller();
    let email = form.contact_email.clone();
    let saved = crate::web::run(&database, move |conn| {
        app::companies::set_contact_email(conn, &caller, &typed_siret, Some(&email)).map(drop)
    })
    .await
    .map_err(|error| AppError {
        field: Some("contact_email".into()),
        ..error
    });
    let typed = |refusal| Typed {
        contact: Some(ContactForm {
            value: form.contact_email,
            refusal,
        }),
        ..Typed::default()
    };
    answer((&viewer, &database), siret, saved, ("courriel", typed)).await
}

/// `POST /entreprises/{siret}/modifier`: the company's name and postcode; back to the page
/// saying so, or the page again with the form as typed and what to change.
pub async fn change(
    posted: Posted<can::EditCompanies, Fields>,
    siret: web::Path<String>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let (viewer, fields) = (posted.viewer, posted.form);
    let siret = siret.into_inner();
    let typed_siret = app::companies::company_of(&siret)?;
    let draft = CompanyDraft {
        name: fields.text("name"),
        postal_code: fields.text("postal_code"),
    };
    let (caller, asked) = (viewer.caller(), draft.clone());
    let saved = crate::web::run(&database, move |conn| {
        app::companies::change(conn, &caller, &typed_siret, &asked)
    })
    .await;
    let typed = |refusal| Typed {
        details: Some(DetailsForm { draft, refusal }),
        ..Typed::default()
    };
    answer((&viewer, &database), siret, saved, ("entreprise", typed)).await
}
