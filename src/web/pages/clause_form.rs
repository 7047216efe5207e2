//! The calibration form of a lot's clause, on the contract's page: the target from its
//! parameters (or typed), its preview (computed on the server by « Prévisualiser », live in the
//! browser through `POST /api/calibrations` when scripts run), and saving through the same use
//! case as `PUT /api/lots/{id}/clause`.

use actix_web::HttpResponse;
use actix_web::http::header::LOCATION;
use actix_web::web;

use super::PageError;
use super::form::{Fields, Refusal};
use super::viewer::Posted;
use crate::app;
use crate::app::clauses::ClauseDraft;
use crate::domain::calibration::below_minimum_warning;
use crate::domain::decimal::format_fixed;
use crate::domain::{Hours, Money};
use crate::storage::contracts::{ClauseSettings, StoredClause};
use crate::storage::{Database, LotId};
use crate::web::auth::can;

/// A target as the form's preview shows it: exact, with the warning of a small one.
pub struct Preview {
    pub target: String,
    pub warning: Option<String>,
}

impl Preview {
    fn of(target: Hours) -> Preview {
        Preview {
            target: target.to_string(),
            warning: below_minimum_warning(target),
        }
    }
}

/// The form of one lot's clause: its fields as stored or as typed, and what to say about them.
pub struct ClauseForm {
    pub action: String,
    pub lot_id: i64,
    pub fields: ClauseDraft,
    /// Who set the clause and when; empty for a lot without a clause.
    pub author: String,
    pub preview: Option<Preview>,
    pub refusal: Refusal,
}

fn money(m: Option<Money>) -> String {
    m.map(|m| format_fixed(m.cents(), 2)).unwrap_or_default()
}

fn hours(h: Option<Hours>) -> String {
    h.map(|h| format_fixed(h.hundredths(), 2))
        .unwrap_or_default()
}

fn author(stored: &StoredClause) -> String {
    let when = stored.updated_at.format("%d/%m/%Y à %H:%M");
    match &stored.set_by {
        Some(who) => format!("Clause fixée par {who} le {when}."),
        None => format!("Objectif venu de l'import du registre des marchés, le {when}."),
    }
}

/// A stored clause as its form shows it (a share with its « % », so that it reads back as one).
fn draft_of_settings(s: &ClauseSettings) -> ClauseDraft {
    let c = s.calibration;
    ClauseDraft {
        mode: if c.is_some() { "calibrated" } else { "typed" }.to_owned(),
        base_amount: money(c.map(|c| c.base_amount)),
        labour_share: c.map(|c| c.labour_share.to_string()).unwrap_or_default(),
        insertion_rate: c.map(|c| c.insertion_rate.to_string()).unwrap_or_default(),
        hourly_cost: money(c.map(|c| c.hourly_cost)),
        target_hours: hours(Some(s.target)),
        penalty_per_hour: money(s.penalty_per_hour),
        training_counts: s.training_counts,
        cap_per_participant: hours(s.cap_per_participant),
        qpv_share: s.qpv_share.map(|r| r.to_string()).unwrap_or_default(),
    }
}

impl ClauseForm {
    /// The form of a lot, filled with its stored clause if it has one.
    pub fn stored(contract_id: i64, lot_id: LotId, stored: Option<&StoredClause>) -> ClauseForm {
        ClauseForm {
            action: format!("/marches/{contract_id}/lots/{lot_id}/clause"),
            lot_id: lot_id.get(),
            fields: stored.map_or_else(ClauseDraft::default, |s| draft_of_settings(&s.settings)),
            author: stored.map(author).unwrap_or_default(),
            preview: stored.map(|s| Preview::of(s.settings.target)),
            refusal: Refusal::default(),
        }
    }
}

fn draft_of(fields: &Fields) -> ClauseDraft {
    ClauseDraft {
        mode: fields.text("mode"),
        base_amount: fields.text("base_amount"),
        labour_share: fields.text("labour_share"),
        insertion_rate: fields.text("insertion_rate"),
        hourly_cost: fields.text("hourly_cost"),
        target_hours: fields.text("target_hours"),
        penalty_per_hour: fields.text("penalty_per_hour"),
        training_counts: fields.checked("training_counts"),
        cap_per_participant: fields.text("cap_per_participant"),
        qpv_share: fields.text("qpv_share"),
    }
}

/// What the contract's page shows in place of one lot's stored form: the form as typed, with
/// its preview or why it was refused.
pub struct Typed {
    pub lot_id: LotId,
    pub draft: ClauseDraft,
    pub preview: Option<Hours>,
    pub refusal: Option<app::AppError>,
}

impl Typed {
    pub fn apply(&self, form: ClauseForm) -> ClauseForm {
        ClauseForm {
            fields: self.draft.clone(),
            preview: self.preview.map(Preview::of),
            refusal: self.refusal.as_ref().map(Refusal::of).unwrap_or_default(),
            ..form
        }
    }
}

/// `POST /marches/{id}/lots/{lot}/clause`: « Prévisualiser » shows the page again with the
/// target computed; « Enregistrer » records the clause and goes back to the lot, or shows the
/// form again as typed, the faulty field marked.
pub async fn submit(
    posted: Posted<can::ManageClauses, Fields>,
    path: web::Path<(i64, i64)>,
    database: web::Data<Database>,
    rules: web::Data<crate::domain::ObligationRules>,
) -> Result<HttpResponse, PageError> {
    let (viewer, fields) = (posted.viewer, posted.form);
    let (contract_id, lot_id) = path.into_inner();
    let draft = draft_of(&fields);
    if fields.text("action") == "preview" {
        let (preview, refusal) = match app::clauses::preview(&draft) {
            Ok(target) => (Some(target), None),
            Err(error) => (None, Some(error)),
        };
        let typed = Typed {
            lot_id: lot_id.into(),
            draft,
            preview,
            refusal,
        };
        return super::contracts::page_with(&viewer, (&database, &rules), contract_id, Some(typed))
            .await?
            .respond();
    }
    let (caller, asked) = (viewer.caller(), draft.clone());
    let saved = crate::web::run(&database, move |conn| {
        app::clauses::save_draft(conn, &caller, contract_id.into(), lot_id.into(), &asked)
    })
    .await;
    match saved {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((
                LOCATION,
                format!("/marches/{contract_id}?message=clause#clause-{lot_id}"),
            ))
            .finish()),
        Err(error) if error.code.status() == 422 => {
            let typed = Typed {
                lot_id: lot_id.into(),
                draft,
                preview: None,
                refusal: Some(error),
            };
            super::contracts::page_with(&viewer, (&database, &rules), contract_id, Some(typed))
                .await?
                .respond()
        }
        Err(error) => Err(error.into()),
    }
}
