//! A clause's closure as the API answers it, and the request that closes or reopens one.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::closures::{CloseRequest, ClosureDetail};
use crate::domain::{Labelled, Money, PenaltyChange};

/// Closing a lot's clause: who signs the attestation; why it is closed early, if it is; the
/// penalty waived or reduced, with the reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseClauseRequest {
    /// The signatory's name, as printed on the attestation.
    pub signatory_name: String,
    /// The signatory's role (« Directrice de la commande publique »).
    pub signatory_role: String,
    /// Required before the end of the lot's execution (or when that end is unknown): why the
    /// clause is closed now.
    pub early_reason: Option<String>,
    /// `waived` (levée) or `reduced` (réduite); absent: the clause's penalty applies.
    pub penalty_change: Option<PenaltyChange>,
    /// For `reduced`: the amount per missing hour, in cents, below the clause's.
    pub reduced_penalty_per_hour_cents: Option<Money>,
    /// Why the penalty is waived or reduced (required with `penalty_change`).
    pub penalty_reason: Option<String>,
}

impl From<CloseClauseRequest> for CloseRequest {
    fn from(r: CloseClauseRequest) -> CloseRequest {
        CloseRequest {
            signatory_name: r.signatory_name,
            signatory_role: r.signatory_role,
            early_reason: r.early_reason,
            penalty_change: r.penalty_change,
            reduced_penalty_per_hour: r.reduced_penalty_per_hour_cents,
            penalty_reason: r.penalty_reason,
        }
    }
}

/// Reopening a closed clause.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    pub reason: String,
}

/// A company holding the lot.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureCompanyJson {
    pub siret: String,
    pub name: String,
    /// Its role on the lot, in French.
    pub role: &'static str,
}

/// Validated hours of one modality.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModalityHoursJson {
    pub modality: String,
    pub modality_label: &'static str,
    pub hours_hundredths: i64,
}

/// An insertion structure through which hours were worked on the lot.
#[derive(Debug, Serialize, ToSchema)]
pub struct StructureHoursJson {
    pub siret: String,
    pub name: String,
    pub hours_hundredths: i64,
}

/// A closed clause: the figures it was closed on, frozen, and what its attestation names.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureJson {
    pub lot_id: i64,
    pub contract_id: i64,
    pub reference: String,
    pub object: String,
    pub lot: i32,
    pub buyer_name: String,
    pub buyer_siret: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub closed_at: NaiveDateTime,
    /// Who recorded the closure (the account's e-mail address).
    pub closed_by: String,
    /// Validated hours counted toward the target (training and caps as the clause says).
    pub counted_hours_hundredths: i64,
    pub target_hours_hundredths: i64,
    pub reached: bool,
    pub missing_hours_hundredths: i64,
    /// What the clause provides per missing hour (absent: no penalty provided).
    pub clause_penalty_per_hour_cents: Option<i64>,
    /// What was applied per missing hour.
    pub penalty_per_hour_cents: Option<i64>,
    /// Missing hours × the amount applied, rounded to the cent.
    pub penalty_cents: Option<i64>,
    pub penalty_change: Option<PenaltyChange>,
    pub penalty_change_label: Option<&'static str>,
    pub penalty_reason: Option<String>,
    /// Why it was closed before the end of the lot's execution.
    pub early_reason: Option<String>,
    pub signatory_name: String,
    pub signatory_role: String,
    pub companies: Vec<ClosureCompanyJson>,
    pub hours_by_modality: Vec<ModalityHoursJson>,
    pub structures: Vec<StructureHoursJson>,
    /// Where the attestation is downloaded.
    pub attestation_url: String,
}

impl From<&ClosureDetail> for ClosureJson {
    fn from(d: &ClosureDetail) -> ClosureJson {
        let c = &d.closure;
        ClosureJson {
            lot_id: c.lot_id.get(),
            contract_id: d.contract_id.get(),
            reference: d.reference.clone(),
            object: d.object.clone(),
            lot: d.lot,
            buyer_name: d.buyer_name.clone(),
            buyer_siret: d.buyer_siret.clone(),
            start: d.start,
            end: d.end,
            closed_at: c.closed_at,
            closed_by: c.closed_by_label.clone(),
            counted_hours_hundredths: c.counted.hundredths(),
            target_hours_hundredths: c.target.hundredths(),
            reached: c.reached,
            missing_hours_hundredths: c.missing.hundredths(),
            clause_penalty_per_hour_cents: c.clause_penalty_per_hour.map(Money::cents),
            penalty_per_hour_cents: c.penalty_per_hour.map(Money::cents),
            penalty_cents: c.penalty.map(Money::cents),
            penalty_change: c.penalty_change,
            penalty_change_label: c.penalty_change.map(|p| p.label()),
            penalty_reason: c.penalty_reason.clone(),
            early_reason: c.early_reason.clone(),
            signatory_name: c.signatory_name.clone(),
            signatory_role: c.signatory_role.clone(),
            companies: d
                .companies
                .iter()
                .map(|(siret, name, role)| ClosureCompanyJson {
                    siret: siret.clone(),
                    name: name.clone(),
                    role,
                })
                .collect(),
            hours_by_modality: d
                .by_modality
                .iter()
                .map(|(m, h)| ModalityHoursJson {
                    modality: m.code().to_owned(),
                    modality_label: m.label(),
                    hours_hundredths: h.hundredths(),
                })
                .collect(),
            structures: d
                .structures
                .iter()
                .map(|(siret, name, h)| StructureHoursJson {
                    siret: siret.clone(),
                    name: name.clone(),
                    hours_hundredths: h.hundredths(),
                })
                .collect(),
            attestation_url: format!("/api/lots/{}/attestation.pdf", c.lot_id),
        }
    }
}
