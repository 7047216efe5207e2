//! Clauses at a date, calibrations and targets, as the API answers and reads them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::calibration::below_minimum_warning;
use crate::domain::{Assessment, Calibration, ClauseStatus, Hours, Money, Rate};
use crate::indicators::clauses::ClauseView;
use crate::storage::ids::{ContractId, LotId};

/// A lot's clause at a date: its target, the hours done and its status.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClauseJson {
    #[schema(value_type = i64)]
    pub lot_id: LotId,
    #[schema(value_type = i64)]
    pub contract_id: ContractId,
    pub buyer_siret: String,
    pub reference: String,
    pub object: String,
    /// 0 for a contract without lots.
    pub lot: i32,
    pub lot_title: Option<String>,
    pub start: NaiveDate,
    /// Unknown when the register gives neither duration nor end date.
    pub end: Option<NaiveDate>,
    /// The clause's target, in hundredths of an hour.
    pub target_hours_hundredths: i64,
    /// "calibrated" (with its parameters stored) or "typed".
    pub target_source: String,
    /// Every hour declared on the lot up to the date, in hundredths of an hour.
    pub worked_hours_hundredths: i64,
    /// Those counted toward the target (training only where the clause says so, each
    /// participant's hours up to the clause's cap), in hundredths of an hour.
    pub counted_hours_hundredths: i64,
    /// Declared on the lot up to the date and awaiting validation, in hundredths of an hour
    /// (in the worked and counted hours only when asked with `pending=true`).
    pub pending_hours_hundredths: i64,
    pub status: Option<ClauseStatus>,
    pub status_label: Option<&'static str>,
    pub assessment: Option<AssessmentJson>,
    /// The share of the counted hours the clause reserves to residents of priority
    /// neighbourhoods (QPV), in basis points; absent when it reserves none.
    pub qpv_share_basis_points: Option<i64>,
    /// Of the counted hours, those of QPV residents, in hundredths of an hour; absent when
    /// the clause reserves no share, and for those who do not follow participants one by one
    /// (administrators and facilitateurs do): on a lot of few people it tells where they live.
    pub qpv_hours_hundredths: Option<i64>,
}

/// The clause's assessment at the date.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentJson {
    pub status: ClauseStatus,
    /// Share of the period from notification to end elapsed at the date, in basis points.
    pub elapsed_basis_points: i64,
    /// Hours that would be done by now at an even pace, in hundredths of an hour.
    pub expected_hours_hundredths: i64,
    /// Hours at the end date if the pace so far goes on, in hundredths of an hour.
    pub projected_hours_hundredths: Option<i64>,
    /// Hours still missing to reach the target, in hundredths of an hour.
    pub missing_hours_hundredths: i64,
    /// What the missing hours would cost at the clause's penalty per hour, in cents.
    pub penalty_cents: Option<i64>,
    /// Counted ÷ target, in basis points.
    pub realisation_basis_points: Option<i64>,
}

impl From<&ClauseView> for ClauseJson {
    fn from(c: &ClauseView) -> ClauseJson {
        ClauseJson {
            lot_id: c.lot_id,
            contract_id: c.contract_id,
            buyer_siret: c.buyer_siret.clone(),
            reference: c.reference.clone(),
            object: c.object.clone(),
            lot: c.lot,
            lot_title: c.lot_title.clone(),
            start: c.start,
            end: c.end,
            target_hours_hundredths: c.target.hundredths(),
            target_source: c.target_source.clone(),
            worked_hours_hundredths: c.worked.hundredths(),
            counted_hours_hundredths: c.counted.hundredths(),
            pending_hours_hundredths: c.pending.hundredths(),
            status: c.status,
            status_label: c.status_label,
            assessment: c.assessment.as_ref().map(AssessmentJson::from),
            qpv_share_basis_points: c.qpv_share.map(Rate::basis_points),
            qpv_hours_hundredths: c.qpv_counted.map(Hours::hundredths),
        }
    }
}

impl From<&Assessment> for AssessmentJson {
    fn from(a: &Assessment) -> AssessmentJson {
        AssessmentJson {
            status: a.status,
            elapsed_basis_points: a.elapsed.basis_points(),
            expected_hours_hundredths: a.expected.hundredths(),
            projected_hours_hundredths: a.projected.map(Hours::hundredths),
            missing_hours_hundredths: a.missing.hundredths(),
            penalty_cents: a.penalty.map(Money::cents),
            realisation_basis_points: a.realisation.map(Rate::basis_points),
        }
    }
}

/// The parameters of a calibrated target: `target = base amount × labour share × insertion
/// rate ÷ hourly cost`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalibrationJson {
    /// The lot's amount the clause is computed on, in cents.
    pub base_amount_cents: Money,
    /// Share of the amount that pays for labour, in basis points (50 % is 5000).
    pub labour_share_basis_points: Rate,
    /// Share of that labour set aside for insertion, in basis points (5 % is 500).
    pub insertion_rate_basis_points: Rate,
    /// Loaded cost of one hour of work, in cents.
    pub hourly_cost_cents: Money,
}

impl From<CalibrationJson> for Calibration {
    fn from(c: CalibrationJson) -> Calibration {
        Calibration {
            base_amount: c.base_amount_cents,
            labour_share: c.labour_share_basis_points,
            insertion_rate: c.insertion_rate_basis_points,
            hourly_cost: c.hourly_cost_cents,
        }
    }
}

impl From<Calibration> for CalibrationJson {
    fn from(c: Calibration) -> CalibrationJson {
        CalibrationJson {
            base_amount_cents: c.base_amount,
            labour_share_basis_points: c.labour_share,
            insertion_rate_basis_points: c.insertion_rate,
            hourly_cost_cents: c.hourly_cost,
        }
    }
}

/// A target computed from its parameters, with the warning a small one deserves.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetJson {
    /// In hundredths of an hour.
    pub target_hours_hundredths: i64,
    /// "calibrated" or "typed".
    pub target_source: &'static str,
    pub calibration: Option<CalibrationJson>,
    /// Below the recommended minimum, what to consider.
    pub warning: Option<String>,
}

impl TargetJson {
    pub fn of(target: Hours, calibration: Option<Calibration>) -> TargetJson {
        TargetJson {
            target_hours_hundredths: target.hundredths(),
            target_source: if calibration.is_some() {
                "calibrated"
            } else {
                "typed"
            },
            calibration: calibration.map(CalibrationJson::from),
            warning: below_minimum_warning(target),
        }
    }
}

/// The clause of a lot: either calibrated (its parameters) or a target typed as such.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClauseRequest {
    pub calibration: Option<CalibrationJson>,
    /// The target, in hundredths of an hour, when typed rather than calibrated.
    pub target_hours_hundredths: Option<Hours>,
    /// The penalty per missing hour, in cents.
    pub penalty_per_hour_cents: Option<Money>,
    #[serde(default)]
    pub training_counts: bool,
    /// Most hours counted per participant, in hundredths of an hour.
    pub cap_per_participant_hours_hundredths: Option<Hours>,
    /// Share of the counted hours to be worked by residents of a priority neighbourhood
    /// (QPV), in basis points (2 000 = 20 %).
    pub qpv_share_basis_points: Option<Rate>,
}
