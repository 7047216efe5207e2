//! `GET /api/obligations` and `obligations --json`: each contract's status against the buyer's
//! legal obligations.

use chrono::NaiveDate;
use serde::Serialize;

use crate::app::obligations::ContractObligations;
use crate::domain::ObligationStatus;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ObligationsJson {
    /// Contracts notified during this year.
    pub year: i32,
    /// Consultations launched from this day on are subject (the rules in force).
    pub entry_into_force: NaiveDate,
    /// By buyer SIRET and reference.
    pub contracts: Vec<ContractObligationsJson>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContractObligationsJson {
    pub reference: String,
    pub buyer_siret: String,
    pub social: SocialJson,
    pub environmental: EnvironmentalJson,
}

/// The social condition of execution, required above the European thresholds.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SocialJson {
    pub status: ObligationStatus,
    /// Code of the ground recorded for leaving it out, if any.
    pub ground: Option<String>,
}

/// The environmental condition of execution, required of every contract.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnvironmentalJson {
    pub status: ObligationStatus,
}

impl From<ContractObligations> for ContractObligationsJson {
    fn from(c: ContractObligations) -> ContractObligationsJson {
        ContractObligationsJson {
            social: SocialJson {
                status: c.status.social,
                ground: c.ground.map(|(code, _)| code),
            },
            environmental: EnvironmentalJson {
                status: c.status.environmental,
            },
            reference: c.reference,
            buyer_siret: c.buyer_siret,
        }
    }
}

impl ObligationsJson {
    pub fn new(
        year: i32,
        entry_into_force: NaiveDate,
        contracts: Vec<ContractObligations>,
    ) -> ObligationsJson {
        ObligationsJson {
            year,
            entry_into_force,
            contracts: contracts.into_iter().map(Into::into).collect(),
        }
    }
}
