//! Contracts: a searchable list with the state of each clause, and a contract's page with its
//! lots, awardees, clause calibration and hours month by month against the expected line.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::chart::{LineChart, Series, markup};
use super::clause_form::{ClauseForm, Typed};
use super::pager::Pager;
use super::shell::Shell;
use super::viewer::Viewer;
use super::{HTML, PageError, text};
use crate::app;
use crate::app::obligations::ContractObligations;
use crate::domain::authorization::{Action, Permission};
use crate::domain::lot::lot_heading;
use crate::domain::obligations::ObligationGap;
use crate::domain::{
    AwardRole, ClauseStatus, CompanyIdentifier, Hours, Labelled, ObligationRules, Rate, Reservation,
};
use crate::indicators::statement::LotStatement;
use crate::storage::closures::Closure;
use crate::storage::contracts::ContractView;
use crate::storage::{ContractId, Database, LotId};
use crate::web::api::listings::ContractsQuery;
use crate::web::auth::can;

pub struct Badge {
    pub lot: i32,
    pub label: &'static str,
    pub code: &'static str,
}

pub struct ContractRow {
    pub id: ContractId,
    pub reference: String,
    pub object: String,
    pub notified: String,
    pub amount: String,
    pub target: String,
    pub holders: String,
    pub badges: Vec<Badge>,
}

fn row(contract: ContractView, statuses: &HashMap<LotId, ClauseStatus>) -> ContractRow {
    let target: i64 = contract.lots.iter().filter_map(|l| l.target_hours).sum();
    let mut holders: Vec<String> = contract
        .lots
        .iter()
        .flat_map(|l| &l.awards)
        .filter(|a| a.role == AwardRole::Holder.code())
        .map(|a| a.name.clone())
        .collect();
    holders.sort();
    holders.dedup();
    ContractRow {
        id: contract.id,
        notified: contract.notification_date.format("%d/%m/%Y").to_string(),
        amount: text::cents(contract.lots.iter().map(|l| l.amount).sum()),
        target: if target > 0 {
            text::hundredths(target)
        } else {
            "—".to_owned()
        },
        holders: holders.join(", "),
        badges: contract
            .lots
            .iter()
            .filter_map(|l| {
                statuses.get(&l.id).map(|status| Badge {
                    lot: l.number,
                    label: status.label(),
                    code: status.code(),
                })
            })
            .collect(),
        reference: contract.reference,
        object: contract.object,
    }
}

#[derive(Template)]
#[template(path = "contracts.html")]
struct ContractsPage {
    shell: Shell,
    q: String,
    year: String,
    /// The obligation filter's options (code, label, chosen); none for a caller who may not
    /// see obligations.
    gaps: Vec<(&'static str, &'static str, bool)>,
    rows: Vec<ContractRow>,
    pager: Pager,
    /// Why the filter was refused, shown beside it.
    refusal: Option<String>,
    /// Whether to offer « Nouveau marché ».
    may_create: bool,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct ListParams {
    message: Option<String>,
}

/// `GET /marches?q=&year=&buyer=&page=`.
pub async fn list(
    viewer: Viewer<can::ReadContracts>,
    query: web::Query<ContractsQuery>,
    params: web::Query<ListParams>,
    database: web::Data<Database>,
    rules: web::Data<ObligationRules>,
) -> Result<HttpResponse, PageError> {
    let mut links = query.into_inner();
    links.per_page = Some(25);
    let (asked, caller) = (links.typed()?, viewer.caller());
    let gaps = gap_options(&caller, asked.gap);
    let (found, statuses, refusal) = super::listing_or_refusal(
        crate::web::run(&database, move |conn| {
            app::contracts::with_statuses(conn, &caller, &rules, &asked)
        })
        .await,
    )?;
    let pager = Pager::of(
        &found,
        "/marches",
        &[
            ("q", links.q.clone()),
            ("year", links.year.map(|y| y.to_string())),
            ("buyer", links.buyer.clone()),
            ("obligation", links.obligation.clone()),
        ],
    );
    let page = ContractsPage {
        shell: viewer.shell("Marchés"),
        q: links.q.clone().unwrap_or_default(),
        year: links.year.map(|y| y.to_string()).unwrap_or_default(),
        gaps,
        pager,
        rows: found.items.into_iter().map(|c| row(c, &statuses)).collect(),
        refusal,
        may_create: viewer.may(Action::ManageContracts),
        notice: (params.message.as_deref() == Some("supprime"))
            .then_some("Marché supprimé, avec ses lots, attributaires et clauses."),
    };
    super::listing_html(&page, &page.refusal)
}

/// The choices of the obligation filter, for a caller who may see obligations.
fn gap_options(
    caller: &app::Caller,
    chosen: Option<ObligationGap>,
) -> Vec<(&'static str, &'static str, bool)> {
    if !caller.may(Action::ReadObligations) {
        return Vec::new();
    }
    ObligationGap::ALL
        .iter()
        .map(|g| (g.code(), g.label(), Some(*g) == chosen))
        .collect()
}

/// A contract's obligations as its page says them.
pub struct ObligationBlock {
    pub social: &'static str,
    pub social_code: &'static str,
    pub ground: Option<String>,
    pub justification: Option<String>,
    pub environmental: &'static str,
    pub environmental_code: &'static str,
    pub launch: String,
    pub nature: String,
    pub estimated: String,
}

fn obligation_block(contract: &ContractView, o: ContractObligations) -> ObligationBlock {
    let register = &contract.register;
    let unknown = || "inconnue".to_owned();
    ObligationBlock {
        social: o.status.social.label(),
        social_code: o.status.social.code(),
        ground: o.ground.map(|(_, label)| label),
        justification: o.justification,
        environmental: o.status.environmental.label(),
        environmental_code: o.status.environmental.code(),
        launch: register
            .launch_date
            .map_or_else(unknown, |d| d.format("%d/%m/%Y").to_string()),
        nature: register
            .contract_type
            .map_or_else(unknown, |t| t.label().to_owned()),
        estimated: register
            .estimated_value
            .map_or_else(unknown, |m| text::cents(m.cents())),
    }
}

pub struct AwardLine {
    /// The SIRET, or the other identifier after its kind's name.
    pub identifier: String,
    pub name: String,
    pub role: &'static str,
    pub amount: String,
}

pub struct LotBlock {
    pub id: i64,
    pub number: i32,
    pub heading: String,
    pub amount: String,
    pub reservation: &'static str,
    pub awards: Vec<AwardLine>,
    pub clause: Option<ClauseBlock>,
    /// For those who may set it: the clause's calibration form.
    pub clause_form: Option<ClauseForm>,
    /// Said in place of the clause's follow-up when there is none to show.
    pub without_clause: &'static str,
}

/// Why a lot shows no clause: a company sees only the follow-up of the lots it holds, so
/// another company's lot is said to be so, whether or not it has a clause.
fn without_clause(lot: &crate::storage::contracts::LotView, company: Option<&str>) -> &'static str {
    match company {
        Some(siret) if !lot.awards.iter().any(|a| a.identifier == siret) => {
            "Lot d'une autre entreprise : son suivi ne vous est pas montré."
        }
        _ => "Ce lot n'a pas de clause d'insertion.",
    }
}

pub struct ClauseBlock {
    pub target: String,
    pub source: String,
    pub counted: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub expected: String,
    pub projected: String,
    /// Says whether the hours are still to be made before the end, or were lacking at it.
    pub missing_label: String,
    pub missing: String,
    pub penalty_label: &'static str,
    pub penalty: String,
    pub chart: String,
    /// The share of the counted hours worked by QPV residents and the share reserved, when
    /// the clause reserves one.
    pub qpv: Option<(String, String)>,
    /// The closure standing on the clause, if it is closed.
    pub closed: Option<ClosedBlock>,
}

/// A closed clause as the page says it.
pub struct ClosedBlock {
    pub summary: String,
    pub attestation_url: String,
}

fn closed_block(c: &Closure) -> ClosedBlock {
    let result = if c.reached {
        "objectif atteint".to_owned()
    } else {
        format!(
            "objectif non atteint, {} manquantes",
            text::hours(c.missing)
        )
    };
    let penalty = c.penalty.map_or_else(
        || "aucune pénalité prévue".to_owned(),
        |p| format!("pénalité due {}", text::euros(p)),
    );
    ClosedBlock {
        summary: format!(
            "Clause close le {} par {} : {} comptées sur {}, {result}, {penalty}. Signataire : {}, {}.",
            c.closed_at.format("%d/%m/%Y"),
            c.closed_by_label,
            text::hours(c.counted),
            text::hours(c.target),
            c.signatory_name,
            c.signatory_role,
        ),
        attestation_url: format!("/api/lots/{}/attestation.pdf", c.lot_id),
    }
}

/// What the hours between the count and the target are, on the date of the page: still to
/// be made by the lot's end, or lacking once it has ended.
fn missing_wording(end: Option<NaiveDate>, at: NaiveDate) -> (String, &'static str) {
    match end {
        Some(end) if at < end => (
            format!(
                "Heures restant à réaliser d'ici la fin ({})",
                end.format("%d/%m/%Y")
            ),
            "Pénalité si elles manquent encore à la fin",
        ),
        Some(end) => (
            format!("Heures manquantes à la fin ({})", end.format("%d/%m/%Y")),
            "Pénalité correspondante",
        ),
        None => (
            "Heures restant à réaliser (date de fin inconnue)".to_owned(),
            "Pénalité si elles manquent encore à la fin",
        ),
    }
}

fn clause_block(lot: &LotStatement, at: NaiveDate) -> ClauseBlock {
    let c = &lot.clause;
    let a = c.assessment.as_ref();
    let axis = lot.months.iter().map(|m| m.month.to_string()).collect();
    let done = lot
        .months
        .iter()
        .map(|m| Some(m.cumulative.hundredths()))
        .collect();
    let expected = lot
        .months
        .iter()
        .map(|m| m.expected.map(Hours::hundredths))
        .collect();
    let summary = format!(
        "Objectif {} ; {} comptées au {} ; {} attendues à ce rythme.",
        text::hours(c.target),
        text::hours(c.counted),
        lot.months
            .last()
            .map_or_else(String::new, |m| m.month.to_string()),
        a.map_or_else(|| "—".to_owned(), |a| text::hours(a.expected)),
    );
    let chart = LineChart::new(
        &format!("lot-{}", c.lot_id),
        &if c.lot == 0 {
            "Heures cumulées et ligne attendue".to_owned()
        } else {
            format!("Lot {} : heures cumulées et ligne attendue", c.lot)
        },
        summary,
        axis,
        vec![
            Series {
                name: "Heures déclarées cumulées".to_owned(),
                dashed: false,
                values: done,
            },
            Series {
                name: "Attendu à rythme régulier".to_owned(),
                dashed: true,
                values: expected,
            },
        ],
        text::hundredths,
    );
    let (missing_label, penalty_label) = missing_wording(c.end, at);
    ClauseBlock {
        missing_label,
        penalty_label,
        target: text::hours(c.target),
        source: format!("Objectif {}", c.target_source_label().to_lowercase()),
        counted: text::hours(c.counted),
        status: c.status_label.unwrap_or("—"),
        status_code: c.status.map_or("none", |s| s.code()),
        expected: a.map_or_else(|| "—".to_owned(), |a| text::hours(a.expected)),
        projected: a
            .and_then(|a| a.projected)
            .map_or_else(|| "—".to_owned(), text::hours),
        missing: a.map_or_else(|| "—".to_owned(), |a| text::hours(a.missing)),
        penalty: a
            .and_then(|a| a.penalty)
            .map_or_else(|| "—".to_owned(), text::euros),
        chart: markup(&chart),
        qpv: c
            .qpv_share
            .map(|goal| qpv_figure(goal, c.counted, c.qpv_counted)),
        closed: None,
    }
}

/// « 15 % » and « pour 20 % réservés aux résidents des QPV (150 h sur 1 000 h comptées) »;
/// without the QPV hours (a caller who does not follow people), the share reserved alone.
fn qpv_figure(goal: Rate, counted: Hours, qpv: Option<Hours>) -> (String, String) {
    let Some(qpv) = qpv else {
        return (
            "—".to_owned(),
            format!(
                "{goal} réservés aux résidents des QPV ; la part atteinte est suivie par les facilitateurs"
            ),
        );
    };
    let share = Rate::ratio(qpv.hundredths(), counted.hundredths())
        .map_or_else(|| "—".to_owned(), |r| r.to_string());
    let method = format!(
        "pour {goal} réservés aux résidents des QPV ({} sur {} comptées)",
        text::hours(qpv),
        text::hours(counted)
    );
    (share, method)
}

#[derive(Template)]
#[template(path = "contract.html")]
struct ContractPage {
    shell: Shell,
    contract: ContractView,
    notified: String,
    procedure: String,
    lots: Vec<LotBlock>,
    obligations: Option<ObligationBlock>,
    at: String,
    method: String,
    notice: Option<&'static str>,
    /// The session's anti-CSRF token, for the clause forms.
    csrf: String,
    /// Whether the viewer may close clauses (the close form is shown).
    may_close: bool,
    /// A closure refused: on which lot, and why.
    refusal: Option<(i64, String)>,
    /// Whether to offer « Modifier ce marché ».
    may_edit: bool,
}

#[derive(Deserialize)]
pub struct ContractParams {
    message: Option<String>,
}

/// `GET /marches/{id}`.
pub async fn show(
    viewer: Viewer<can::ReadContracts>,
    id: web::Path<i64>,
    params: web::Query<ContractParams>,
    database: web::Data<Database>,
    rules: web::Data<ObligationRules>,
) -> Result<HttpResponse, PageError> {
    let mut answer = page_with(&viewer, (&database, &rules), id.into_inner(), None).await?;
    answer.notice = match params.message.as_deref() {
        Some("clause") => Some("Clause enregistrée : son objectif compte dès maintenant."),
        Some("cloturee") => Some("La clause a été close : son attestation peut être téléchargée."),
        Some("cree") => {
            Some("Marché enregistré. Fixez maintenant la clause d'insertion de ses lots.")
        }
        Some("modifie") => {
            Some("Marché modifié : ses lots et attributaires sont ceux enregistrés.")
        }
        _ => None,
    };
    answer.respond()
}

/// The contract's page, answered once its notice is set.
pub struct Answer {
    page: ContractPage,
    status: StatusCode,
    notice: Option<&'static str>,
}

impl Answer {
    /// The page with why closing a lot's clause was refused, beside that lot's form.
    pub fn refusing_closure(mut self, lot: i64, error: &crate::app::AppError) -> Answer {
        self.page.refusal = Some((lot, error.message().to_owned()));
        self.status = crate::web::error::status_of(error.code);
        self
    }

    pub fn respond(mut self) -> Result<HttpResponse, PageError> {
        self.page.notice = self.notice;
        Ok(HttpResponse::build(self.status)
            .content_type(HTML)
            .body(self.page.render()?))
    }
}

fn lot_block(
    lot: &crate::storage::contracts::LotView,
    clause: Option<ClauseBlock>,
    clause_form: Option<ClauseForm>,
    company: Option<&str>,
) -> LotBlock {
    LotBlock {
        id: lot.id.get(),
        number: lot.number,
        heading: lot_heading(lot.number, lot.title.as_deref()),
        amount: text::cents(lot.amount),
        reservation: Reservation::from_code(&lot.reservation).map_or("—", |r| r.label()),
        awards: lot
            .awards
            .iter()
            .map(|a| AwardLine {
                identifier: CompanyIdentifier::shown(&a.identifier),
                name: a.name.clone(),
                role: AwardRole::from_code(&a.role).map_or("—", |r| r.label()),
                amount: a.amount.map_or_else(|| "—".to_owned(), text::cents),
            })
            .collect(),
        clause,
        clause_form,
        without_clause: without_clause(lot, company),
    }
}

/// The contract's page; with `typed`, one lot's clause form as it was typed (its preview, or
/// why it was refused, answered with the refusal's status).
pub async fn page_with<P: Permission>(
    viewer: &Viewer<P>,
    (database, rules): (&web::Data<Database>, &web::Data<ObligationRules>),
    id: i64,
    typed: Option<Typed>,
) -> Result<Answer, PageError> {
    let (caller, rules) = (viewer.caller(), rules.clone());
    let company = caller.company().map(str::to_owned);
    let sheet = crate::web::run(database, move |conn| {
        app::contracts::sheet(conn, &caller, &rules, id.into())
    })
    .await?;
    let obligations = sheet
        .obligations
        .map(|o| obligation_block(&sheet.contract, o));
    let may_calibrate = viewer.may(Action::ManageClauses);
    let mut clauses: HashMap<LotId, ClauseBlock> = sheet
        .statement
        .lots
        .iter()
        .map(|lot| (lot.clause.lot_id, clause_block(lot, sheet.statement.at)))
        .collect();
    for closure in &sheet.closures {
        if let Some(block) = clauses.get_mut(&closure.lot_id) {
            block.closed = Some(closed_block(closure));
        }
    }
    let form_of = |lot_id: LotId| {
        let form = ClauseForm::stored(id, lot_id, sheet.settings.get(&lot_id));
        match &typed {
            Some(t) if t.lot_id == lot_id => t.apply(form),
            _ => form,
        }
    };
    let lots = sheet
        .contract
        .lots
        .iter()
        .map(|lot| {
            let clause = clauses.remove(&lot.id);
            // A closed clause's target no longer changes: no form to calibrate it.
            let open = clause.as_ref().is_none_or(|c| c.closed.is_none());
            let form = (may_calibrate && open).then(|| form_of(lot.id));
            lot_block(lot, clause, form, company.as_deref())
        })
        .collect();
    let contract = sheet.contract;
    let page = ContractPage {
        shell: viewer.shell(&format!("Marché {}", contract.reference)),
        notified: contract.notification_date.format("%d/%m/%Y").to_string(),
        procedure: contract
            .procedure
            .as_deref()
            .and_then(crate::domain::Procedure::from_code)
            .map_or("—", |p| p.label())
            .to_owned(),
        at: sheet.statement.at.format("%d/%m/%Y").to_string(),
        method: sheet.statement.method,
        lots,
        obligations,
        contract,
        notice: None,
        csrf: viewer.csrf.clone(),
        may_close: viewer.may(Action::CloseClauses),
        refusal: None,
        may_edit: viewer.may(Action::ManageContracts),
    };
    let status = typed
        .and_then(|t| t.refusal)
        .map_or(StatusCode::OK, |e| crate::web::error::status_of(e.code));
    Ok(Answer {
        page,
        status,
        notice: None,
    })
}
