//! The « À faire » list as the API answers it: each item with its kind, where it stands, since
//! when, the page to act on it, and the figures of its kind (absent for the other kinds).

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::followup::FollowupLine;
use crate::domain::{FollowupKind, Labelled};
use crate::indicators::followup::Figures;

/// One thing that needs someone.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowupItemJson {
    /// `behind_pace`, `ended_short`, `missing_statement`, `pending_validation`,
    /// `eligibility_pending`, `obligation_missing`, `qpv_share_short`, `exit_followup_due`.
    pub kind: FollowupKind,
    /// The kind in French.
    pub kind_label: &'static str,
    /// Since when it stands.
    pub since: NaiveDate,
    pub buyer_siret: String,
    pub buyer_name: String,
    pub contract_id: i64,
    pub reference: String,
    /// Absent for an item about the whole contract (`obligation_missing`).
    pub lot_id: Option<i64>,
    /// 0 for a contract without lots; absent for an item about the whole contract.
    pub lot: Option<i32>,
    /// The lot's holder, or the company that declared the hours; absent for
    /// `obligation_missing`.
    pub company_siret: Option<String>,
    pub company_name: Option<String>,
    /// The page to act on it (a path of this service).
    pub link: String,
    /// The item in one French sentence.
    pub detail: String,
    /// `missing_statement`: the last month with hours declared, `2025-07` (absent if none).
    pub last_month_declared: Option<String>,
    /// `missing_statement`, `behind_pace`, `ended_short`, `qpv_share_short` (when known): the
    /// end of the contract.
    pub end_date: Option<NaiveDate>,
    /// `behind_pace`, `ended_short`: the clause's target, in hundredths of an hour.
    pub target_hours_hundredths: Option<i64>,
    /// `behind_pace`: hours projected at the end at the pace so far; `ended_short`: hours
    /// counted toward the target. In hundredths of an hour.
    pub hours_at_end_hundredths: Option<i64>,
    /// `behind_pace`, `ended_short`: hours missing to the target; `qpv_share_short`: hours of
    /// QPV residents missing for the share to be reached at the hours counted so far. In
    /// hundredths of an hour.
    pub missing_hours_hundredths: Option<i64>,
    /// `behind_pace`: the penalty the missing hours would cost; `ended_short`: the penalty
    /// due. In cents; absent when the clause has no penalty per hour.
    pub penalty_cents: Option<i64>,
    /// `pending_validation`: the import that sent the statements (absent without one).
    pub import_id: Option<i64>,
    /// `pending_validation`: the month worked; `eligibility_pending`: the first month with
    /// hours; `exit_followup_due`: the last month worked. `2025-03`.
    pub month: Option<String>,
    /// `pending_validation`: hour entries awaiting validation.
    pub entries: Option<i64>,
    /// `pending_validation`: hours awaiting validation; `eligibility_pending`: the
    /// participant's hours on the lot. In hundredths of an hour.
    pub hours_hundredths: Option<i64>,
    /// `eligibility_pending`, `exit_followup_due`: the participant's pseudonym (never a name).
    pub pseudonym: Option<String>,
    /// `obligation_missing`: the day the consultation was launched.
    pub launch_date: Option<NaiveDate>,
    /// `obligation_missing`: the parts required and missing without a ground, among
    /// `social` and `environmental`.
    pub missing_conditions: Option<Vec<&'static str>>,
    /// `exit_followup_due`: the day the participant left.
    pub exit_date: Option<NaiveDate>,
    /// `qpv_share_short`: the share of the counted hours the clause reserves to residents of
    /// priority neighbourhoods, in basis points.
    pub qpv_goal_basis_points: Option<i64>,
    /// `qpv_share_short`: the share they worked, in basis points.
    pub qpv_share_basis_points: Option<i64>,
    /// `qpv_share_short`: the hours counted toward the clause, and of them those of QPV
    /// residents, in hundredths of an hour.
    pub counted_hours_hundredths: Option<i64>,
    pub qpv_hours_hundredths: Option<i64>,
}

impl From<&FollowupLine> for FollowupItemJson {
    fn from(line: &FollowupLine) -> FollowupItemJson {
        let i = &line.item;
        let mut json = FollowupItemJson {
            kind: i.kind,
            kind_label: i.kind.label(),
            since: i.since,
            buyer_siret: i.buyer_siret.clone(),
            buyer_name: i.buyer_name.clone(),
            contract_id: i.contract_id.get(),
            reference: i.reference.clone(),
            lot_id: i.lot_id.map(|id| id.get()),
            lot: i.lot,
            company_siret: i.company.as_ref().map(|c| c.siret.clone()),
            company_name: i.company.as_ref().map(|c| c.name.clone()),
            link: line.link.clone(),
            detail: i.detail(),
            last_month_declared: None,
            end_date: None,
            target_hours_hundredths: None,
            hours_at_end_hundredths: None,
            missing_hours_hundredths: None,
            penalty_cents: None,
            import_id: None,
            month: None,
            entries: None,
            hours_hundredths: None,
            pseudonym: None,
            launch_date: None,
            missing_conditions: None,
            exit_date: None,
            qpv_goal_basis_points: None,
            qpv_share_basis_points: None,
            counted_hours_hundredths: None,
            qpv_hours_hundredths: None,
        };
        json.set_figures(&i.figures);
        json
    }
}

impl FollowupItemJson {
    fn set_figures(&mut self, figures: &Figures) {
        match figures {
            Figures::MissingStatement { end, last_month } => {
                self.end_date = Some(*end);
                self.last_month_declared = last_month.map(|m| m.iso());
            }
            Figures::Clause {
                end,
                target,
                shortfall,
            } => {
                self.end_date = Some(*end);
                self.target_hours_hundredths = Some(target.hundredths());
                self.hours_at_end_hundredths = Some(shortfall.hours.hundredths());
                self.missing_hours_hundredths = Some(shortfall.missing.hundredths());
                self.penalty_cents = shortfall.penalty.map(|p| p.cents());
            }
            Figures::PendingValidation {
                import_id,
                month,
                entries,
                hours,
            } => {
                self.import_id = import_id.map(|id| id.get());
                self.month = Some(month.iso());
                self.entries = Some(*entries);
                self.hours_hundredths = Some(hours.hundredths());
            }
            Figures::EligibilityPending {
                pseudonym,
                first_month,
                hours,
            } => {
                self.pseudonym = Some(pseudonym.clone());
                self.month = Some(first_month.iso());
                self.hours_hundredths = Some(hours.hundredths());
            }
            Figures::ObligationMissing { launch, missing } => {
                self.launch_date = Some(*launch);
                let parts = [
                    (missing.social, "social"),
                    (missing.environmental, "environmental"),
                ];
                self.missing_conditions =
                    Some(parts.into_iter().filter(|p| p.0).map(|p| p.1).collect());
            }
            Figures::QpvShare { end, shortfall } => {
                self.end_date = *end;
                self.missing_hours_hundredths = Some(shortfall.missing.hundredths());
                self.qpv_goal_basis_points = Some(shortfall.goal.basis_points());
                self.qpv_share_basis_points = Some(shortfall.share.basis_points());
                self.counted_hours_hundredths = Some(shortfall.counted.hundredths());
                self.qpv_hours_hundredths = Some(shortfall.qpv.hundredths());
            }
            Figures::ExitFollowupDue {
                pseudonym,
                exit_date,
                last_month,
                ..
            } => {
                self.pseudonym = Some(pseudonym.clone());
                self.exit_date = Some(*exit_date);
                self.month = Some(last_month.iso());
            }
        }
    }
}
