//! Reminders by e-mail as the API answers them: what a run did for each company, and the
//! reminders recorded.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::reminders::{CompanyReminder, Outcome, RemindReport};
use crate::domain::reminder::MissingLot;
use crate::domain::{Labelled, ReminderState};
use crate::storage::reminders::Reminder;

/// One lot a company misses statements for.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissingLotJson {
    pub lot_id: i64,
    pub buyer_name: String,
    pub reference: String,
    /// 0 for a contract without lots.
    pub lot: i32,
    /// The months missing, `2025-08`.
    pub months: Vec<String>,
}

/// What a run did for one company.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyReminderJson {
    pub company_siret: String,
    pub company_name: String,
    /// The company's contact address; absent when none is recorded (nothing is sent).
    pub recipient: Option<String>,
    /// `would_send` (dry run), `no_address`, `already_reminded`, `to_send` (no relay set
    /// up), `sent`, `failed`.
    pub outcome: &'static str,
    /// The outcome in French.
    pub outcome_label: String,
    /// `failed`: the relay's answer.
    pub error: Option<String>,
    pub lots: Vec<MissingLotJson>,
}

/// What a run did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemindReportJson {
    pub as_of: NaiveDate,
    pub dry_run: bool,
    /// Whether an SMTP relay is set up; without one, reminders are recorded « à envoyer ».
    pub relay_configured: bool,
    /// What the run did, in one French sentence.
    pub summary: String,
    pub companies: Vec<CompanyReminderJson>,
}

/// A reminder recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderJson {
    pub id: i64,
    pub company_siret: String,
    pub company_name: String,
    pub recipient: String,
    /// The lots and months, one per line, as the message lists them.
    pub items: String,
    /// `to_send`, `sending`, `sent`, `failed`, `replaced`.
    pub state: ReminderState,
    pub state_label: &'static str,
    /// `failed`: the relay's answer.
    pub error: Option<String>,
    /// Deliveries tried.
    pub attempts: i32,
    pub created_at: chrono::NaiveDateTime,
    pub sent_at: Option<chrono::NaiveDateTime>,
}

impl From<&MissingLot> for MissingLotJson {
    fn from(lot: &MissingLot) -> MissingLotJson {
        MissingLotJson {
            lot_id: lot.lot_id,
            buyer_name: lot.buyer_name.clone(),
            reference: lot.reference.clone(),
            lot: lot.lot,
            months: lot.months.iter().map(|m| m.iso()).collect(),
        }
    }
}

impl From<&CompanyReminder> for CompanyReminderJson {
    fn from(r: &CompanyReminder) -> CompanyReminderJson {
        CompanyReminderJson {
            company_siret: r.siret.clone(),
            company_name: r.name.clone(),
            recipient: r.recipient.clone(),
            outcome: r.outcome.code(),
            outcome_label: r.outcome.label(),
            error: match &r.outcome {
                Outcome::Failed(error) => Some(error.clone()),
                _ => None,
            },
            lots: r.items.iter().map(MissingLotJson::from).collect(),
        }
    }
}

impl From<&RemindReport> for RemindReportJson {
    fn from(report: &RemindReport) -> RemindReportJson {
        RemindReportJson {
            as_of: report.today,
            dry_run: report.dry_run,
            relay_configured: report.relay,
            summary: report.summary(),
            companies: report
                .companies
                .iter()
                .map(CompanyReminderJson::from)
                .collect(),
        }
    }
}

impl From<&Reminder> for ReminderJson {
    fn from(r: &Reminder) -> ReminderJson {
        ReminderJson {
            id: r.id.get(),
            company_siret: r.company_siret.clone(),
            company_name: r.company_name.clone(),
            recipient: r.recipient.clone(),
            items: r.items.clone(),
            state: r.state,
            state_label: r.state.label(),
            error: r.error.clone(),
            attempts: r.attempts,
            created_at: r.created_at,
            sent_at: r.sent_at,
        }
    }
}
