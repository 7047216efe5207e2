//! Companies and insertion structures: a list with where each is established and whether that
//! is local to the buyers one follows, and a page with the lots held and the hours delivered.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::pager::Pager;
use super::shell::Shell;
use super::viewer::Viewer;
use super::{PageError, html, text};
use crate::app;
use crate::domain::lot::lot_heading;
use crate::domain::{Departement, Labelled, SizeClass, StructureKind};
use crate::storage::Database;
use crate::storage::buyers::Buyer;
use crate::storage::companies::Company;
use crate::storage::indicators::ProvidedHours;
use crate::web::api::listings::CompaniesQuery;
use crate::web::auth::can;

pub struct CompanyRow {
    pub siret: String,
    pub name: String,
    pub kind: &'static str,
    pub size: &'static str,
    pub place: String,
    pub local: String,
    /// Where reminders are sent.
    pub contact_email: String,
}

/// "Oui (Département de la Haute-Garonne)" when the establishment's département is in the
/// territory of a buyer one follows: the charter's definition of a local firm.
fn locality(company: &Company, buyers: &[Buyer]) -> String {
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
    CompanyRow {
        siret: company.siret.clone(),
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
    pub lot: i32,
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
    siret: String,
    delivered: String,
    lots: Vec<HeldLot>,
    /// Hours provided as an insertion structure, and their total.
    provided: Vec<ProvidedLine>,
    provided_total: String,
    at: String,
    method: String,
}

/// `GET /entreprises/{siret}`: a company sees its own page only (the statement's rule).
pub async fn show(
    viewer: Viewer<can::ReadStatements>,
    siret: web::Path<String>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let siret = siret.into_inner();
    let typed = app::companies::siret_of(&siret)?;
    let caller = viewer.caller();
    let detail = crate::web::run(&database, move |conn| {
        app::companies::detail(conn, &caller, &typed)
    })
    .await?;
    let statement = detail.statement;
    let company = detail.company.as_ref().map(|c| row(c, &detail.buyers));
    let lot_hours = |lot: &crate::indicators::statement::LotStatement| -> i64 {
        lot.months.iter().map(|m| m.hours.hundredths()).sum()
    };
    let delivered: i64 = statement.lots.iter().map(lot_hours).sum();
    let lots = statement
        .lots
        .iter()
        .map(|lot| HeldLot {
            contract_id: lot.clause.contract_id.get(),
            reference: lot.clause.reference.clone(),
            object: lot.clause.object.clone(),
            lot: lot.clause.lot,
            hours: text::hundredths(lot_hours(lot)),
            status: lot.clause.status_label.unwrap_or("—"),
            status_code: lot.clause.status.map_or("none", |s| s.code()),
            attestation: detail
                .closures
                .iter()
                .find(|c| c.lot_id == lot.clause.lot_id)
                .map(|c| AttestationLink {
                    url: format!("/api/lots/{}/attestation.pdf", c.lot_id),
                    closed_on: c.closed_at.format("%d/%m/%Y").to_string(),
                }),
        })
        .collect();
    let title = company
        .as_ref()
        .map_or_else(|| statement.subject.clone(), |c| c.name.clone());
    let provided_total = detail.provided.iter().map(|p| p.hours.hundredths()).sum();
    html(&CompanyPage {
        shell: viewer.shell(&title),
        provided: detail.provided.iter().map(provided_line).collect(),
        provided_total: text::hundredths(provided_total),
        company,
        delivered: text::hundredths(delivered),
        lots,
        at: statement.at.format("%d/%m/%Y").to_string(),
        method: statement.method,
        siret,
    })
}
