//! Hour statements under review and the decisions on them, as the API answers and reads them.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::reviews::{Decided, ReviewLine};
use crate::domain::{Decision, Labelled, ReviewState};

/// The statements of one import on one lot in one month, sent by one company, in one state.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewLineJson {
    /// The import that sent them (absent for hours recorded without one).
    pub import_id: Option<i64>,
    pub lot_id: i64,
    /// The contract's reference and the lot's number.
    pub reference: String,
    pub lot: i32,
    pub company_siret: String,
    pub company_name: String,
    /// The month worked, `2025-03`.
    pub month: String,
    pub state: ReviewState,
    /// The state in French.
    pub state_label: &'static str,
    /// Why they were rejected (or a validated month reopened).
    pub reason: Option<String>,
    /// Hour entries (participant × modality).
    pub entries: i64,
    /// Hours, in hundredths of an hour.
    pub hours_hundredths: i64,
    /// When the oldest of them was written.
    pub since: Option<NaiveDateTime>,
}

impl From<&ReviewLine> for ReviewLineJson {
    fn from(l: &ReviewLine) -> ReviewLineJson {
        let g = &l.group;
        ReviewLineJson {
            import_id: g.import_id.map(|id| id.get()),
            lot_id: g.lot_id.get(),
            reference: l.reference.clone(),
            lot: l.lot,
            company_siret: l.company_siret.clone(),
            company_name: l.company_name.clone(),
            month: g.month.iso(),
            state: g.state,
            state_label: g.state.label(),
            reason: g.reason.clone(),
            entries: g.entries,
            hours_hundredths: g.hours.hundredths(),
            since: g.since,
        }
    }
}

/// A decision on statements.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// `validate`, `reject` or `reopen` (a validated month, back to awaiting validation).
    pub decision: String,
    /// Required to reject or reopen: the company reads it.
    pub reason: Option<String>,
}

/// What a decision changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecidedJson {
    pub decision: Decision,
    /// Where the statements stand now.
    pub state: ReviewState,
    /// Hour entries changed.
    pub entries: i64,
    /// Their hours, in hundredths of an hour.
    pub hours_hundredths: i64,
}

impl From<&Decided> for DecidedJson {
    fn from(d: &Decided) -> DecidedJson {
        DecidedJson {
            decision: d.decision,
            state: d.state,
            entries: d.entries,
            hours_hundredths: d.hours.hundredths(),
        }
    }
}
