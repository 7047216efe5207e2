//! Contracts and participants as the listings answer them.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{CompanyIdentifier, ContractType};
use crate::storage::contracts::{AwardView, ContractView, LotView};
use crate::storage::ids::{ContractId, LotId};
use crate::storage::participants::ParticipantView;

/// A contract with its lots, their awardees and clauses.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractJson {
    #[schema(value_type = i64)]
    pub id: ContractId,
    pub buyer_siret: String,
    pub reference: String,
    pub object: String,
    /// DECP nature: contract, partnership or defence_or_security.
    pub nature: String,
    pub procedure: Option<String>,
    pub cpv_code: Option<String>,
    pub ccag: Option<String>,
    pub notification_date: NaiveDate,
    pub duration_months: Option<i32>,
    pub end_date: Option<NaiveDate>,
    pub social_criterion: bool,
    /// When the consultation was launched: it tells whether the obligations apply.
    pub launch_date: Option<NaiveDate>,
    /// works, supplies or services (from the CPV code when the register leaves it out).
    pub contract_type: Option<ContractType>,
    /// Estimated value of the whole contract (all lots), in cents HT.
    pub estimated_value_cents: Option<i64>,
    /// A social condition of execution other than an insertion clause.
    pub social_condition: bool,
    pub environmental_condition: bool,
    pub environmental_criterion: bool,
    /// Code of the ground recorded for leaving out a social condition.
    pub social_exemption_ground: Option<String>,
    pub social_exemption_text: Option<String>,
    pub lots: Vec<LotJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LotJson {
    #[schema(value_type = i64)]
    pub id: LotId,
    /// 0 for a contract without lots.
    pub number: i32,
    pub title: Option<String>,
    /// The lot's amount, in cents.
    pub amount_cents: i64,
    pub reservation: String,
    /// The clause's target, in hundredths of an hour, when the lot has a clause.
    pub target_hours_hundredths: Option<i64>,
    pub target_source: Option<String>,
    pub awards: Vec<AwardJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AwardJson {
    /// Null for a company the DECP identifies otherwise than by a SIRET.
    pub siret: Option<String>,
    /// `SIRET`, or the DECP's kind of identifier (`TVA`, `HORS-UE`…).
    pub identifier_kind: String,
    /// The SIRET, or the kind's code, a colon and the identifier (`TVA:FR64443061841`).
    pub identifier: String,
    pub name: String,
    pub role: String,
    /// Declared share of the lot, in cents.
    pub amount_cents: Option<i64>,
}

/// A participant as facilitateurs list them: pseudonymous, with the hours declared for them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantJson {
    /// The participant's page is `/participants/{id}`.
    pub id: i64,
    pub pseudonym: String,
    pub criterion: String,
    pub validated_on: Option<NaiveDate>,
    pub prescriber: Option<String>,
    pub birth_year: Option<i32>,
    pub sex: Option<String>,
    pub qpv_resident: Option<bool>,
    pub exit_outcome: Option<String>,
    pub exit_date: Option<NaiveDate>,
    /// Set once the retention period has passed and the personal data were erased.
    pub anonymised_at: Option<NaiveDateTime>,
    /// Where the participant stands six months after exit (`no_news`: sans nouvelles).
    pub six_month_situation: Option<String>,
    /// When that situation was learnt.
    pub six_month_on: Option<NaiveDate>,
    /// Hours declared for the participant on every lot, in hundredths of an hour.
    pub hours_hundredths: i64,
}

impl From<ContractView> for ContractJson {
    fn from(c: ContractView) -> ContractJson {
        ContractJson {
            id: c.id,
            buyer_siret: c.buyer_siret,
            reference: c.reference,
            object: c.object,
            nature: c.nature,
            procedure: c.procedure,
            cpv_code: c.cpv_code,
            ccag: c.ccag,
            notification_date: c.notification_date,
            duration_months: c.duration_months,
            end_date: c.end_date,
            social_criterion: c.social_criterion,
            launch_date: c.register.launch_date,
            contract_type: c.register.contract_type,
            estimated_value_cents: c.register.estimated_value.map(|m| m.cents()),
            social_condition: c.register.social_condition,
            environmental_condition: c.register.environmental_condition,
            environmental_criterion: c.register.environmental_criterion,
            social_exemption_ground: c.register.exemption_ground,
            social_exemption_text: c.register.exemption_text,
            lots: c.lots.into_iter().map(LotJson::from).collect(),
        }
    }
}

impl From<LotView> for LotJson {
    fn from(l: LotView) -> LotJson {
        LotJson {
            id: l.id,
            number: l.number,
            title: l.title,
            amount_cents: l.amount,
            reservation: l.reservation,
            target_hours_hundredths: l.target_hours,
            target_source: l.target_source,
            awards: l.awards.into_iter().map(AwardJson::from).collect(),
        }
    }
}

impl From<AwardView> for AwardJson {
    fn from(a: AwardView) -> AwardJson {
        let parsed = CompanyIdentifier::parse(&a.identifier).ok();
        AwardJson {
            siret: parsed
                .as_ref()
                .and_then(CompanyIdentifier::siret)
                .map(|s| s.as_str().to_owned()),
            identifier_kind: parsed.map_or("SIRET", |c| c.kind().code()).to_owned(),
            identifier: a.identifier,
            name: a.name,
            role: a.role,
            amount_cents: a.amount,
        }
    }
}

impl From<ParticipantView> for ParticipantJson {
    fn from(p: ParticipantView) -> ParticipantJson {
        ParticipantJson {
            id: p.id.get(),
            pseudonym: p.pseudonym,
            criterion: p.criterion,
            validated_on: p.validated_on,
            prescriber: p.prescriber,
            birth_year: p.birth_year,
            sex: p.sex,
            qpv_resident: p.qpv_resident,
            exit_outcome: p.exit_outcome,
            exit_date: p.exit_date,
            anonymised_at: p.anonymised_at,
            six_month_situation: p.six_month_situation,
            six_month_on: p.six_month_on,
            hours_hundredths: p.hours,
        }
    }
}
