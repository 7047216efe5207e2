//! A contract as the API creates or changes it: its fields, its lots and their awardees.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::contract_changes::{AwardInput, ContractInput, LotInput};
use crate::domain::{
    AwardRole, CompanyIdentifier, ContractType, CpvCode, Money, Procedure, Reservation, Siret,
};
use crate::storage::contracts::RegisterFacts;

/// A contract with all its lots: those of a stored contract left out are removed (refused when
/// hours are declared on them).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractRequest {
    /// One of the caller's buyers.
    pub buyer_siret: Siret,
    /// 16 characters at most (DECP); one per buyer.
    pub reference: String,
    pub object: String,
    pub procedure: Option<Procedure>,
    pub cpv_code: Option<CpvCode>,
    pub notification_date: NaiveDate,
    /// 1 to 600.
    pub duration_months: Option<i64>,
    /// Not before the notification.
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub social_criterion: bool,
    /// When the consultation was launched (the buyer's obligations depend on it).
    pub launch_date: Option<NaiveDate>,
    /// works, supplies or services (from the CPV code when left out).
    pub contract_type: Option<ContractType>,
    /// The estimated value of every lot, in cents, excluding tax.
    pub estimated_value_cents: Option<Money>,
    #[serde(default)]
    pub social_condition: bool,
    #[serde(default)]
    pub environmental_condition: bool,
    #[serde(default)]
    pub environmental_criterion: bool,
    /// Why there is no social condition: a ground of the obligation rules (code or label),
    /// given with its justification.
    pub social_exemption_ground: Option<String>,
    pub social_exemption_text: Option<String>,
    /// At least one; a contract without lots is one lot numbered 0.
    pub lots: Vec<LotRequest>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LotRequest {
    /// 0 for a contract without lots; otherwise every lot is numbered.
    #[serde(default)]
    pub number: i64,
    pub title: Option<String>,
    /// None when absent.
    pub reservation: Option<Reservation>,
    /// At least one holder or co-contractor. The lot's amount is its holders' and
    /// co-contractors' shares.
    pub awards: Vec<AwardRequest>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardRequest {
    /// The awardee's SIRET; for a company the DECP identifies otherwise, already known, its
    /// identifier (`TVA:FR64443061841`).
    pub siret: CompanyIdentifier,
    /// Needed for a company not yet known; a known company keeps its stored name.
    pub name: Option<String>,
    /// The holder when absent.
    pub role: Option<AwardRole>,
    /// The awardee's share of the lot, in cents.
    pub amount_cents: Money,
}

impl From<ContractRequest> for ContractInput {
    fn from(r: ContractRequest) -> ContractInput {
        ContractInput {
            buyer: r.buyer_siret,
            reference: r.reference,
            object: r.object,
            procedure: r.procedure,
            cpv: r.cpv_code,
            notification_date: r.notification_date,
            duration_months: r.duration_months,
            end_date: r.end_date,
            social_criterion: r.social_criterion,
            register: RegisterFacts {
                launch_date: r.launch_date,
                contract_type: r.contract_type,
                estimated_value: r.estimated_value_cents,
                social_condition: r.social_condition,
                environmental_condition: r.environmental_condition,
                environmental_criterion: r.environmental_criterion,
                exemption_ground: r.social_exemption_ground,
                exemption_text: r.social_exemption_text,
            },
            lots: r
                .lots
                .into_iter()
                .enumerate()
                .map(|(place, lot)| LotInput {
                    place,
                    number: lot.number,
                    title: lot.title,
                    reservation: lot.reservation.unwrap_or(Reservation::None),
                    awards: lot
                        .awards
                        .into_iter()
                        .enumerate()
                        .map(|(place, a)| AwardInput {
                            place,
                            company: a.siret,
                            name: a.name,
                            role: a.role.unwrap_or(AwardRole::Holder),
                            amount: a.amount_cents,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
