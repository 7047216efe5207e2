//! A contract as typed in its form: every value a text, read with the domain's parsers (the
//! ones the register import reads cells with), a faulty one named by its field. Rows of lots and
//! awardees left blank are not part of the contract.

use super::contract_changes::{AwardInput, ContractInput, LotInput, award_field, lot_field};
use super::{AppError, ErrorCode};
use crate::domain::date::parse_date;
use crate::domain::decimal::format_fixed;
use crate::domain::lot::parse_lot_number;
use crate::domain::{
    AwardRole, CompanyIdentifier, ContractType, CpvCode, Labelled, Money, Procedure, Reservation,
    Siret,
};
use crate::storage::contracts::{ContractView, LotView, RegisterFacts};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractDraft {
    pub buyer_siret: String,
    pub reference: String,
    pub object: String,
    pub procedure: String,
    pub cpv: String,
    pub notification_date: String,
    pub duration_months: String,
    pub end_date: String,
    pub social_criterion: bool,
    pub launch_date: String,
    /// A nature's code or label (works, supplies, services); blank when unknown.
    pub contract_type: String,
    pub estimated_value: String,
    pub social_condition: bool,
    pub environmental_condition: bool,
    pub environmental_criterion: bool,
    /// A ground of the obligation rules, by code or label; blank for none.
    pub social_exemption_ground: String,
    pub social_exemption_text: String,
    pub lots: Vec<LotDraft>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LotDraft {
    /// Blank for a contract without lots.
    pub number: String,
    pub title: String,
    /// A reservation's code or label; blank for none.
    pub reservation: String,
    pub awards: Vec<AwardDraft>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwardDraft {
    pub siret: String,
    pub name: String,
    /// A role's code or label; blank for the holder.
    pub role: String,
    pub amount: String,
}

impl AwardDraft {
    fn is_blank(&self) -> bool {
        [&self.siret, &self.name, &self.amount]
            .iter()
            .all(|t| t.trim().is_empty())
    }
}

impl LotDraft {
    fn is_blank(&self) -> bool {
        self.number.trim().is_empty()
            && self.title.trim().is_empty()
            && self.awards.iter().all(AwardDraft::is_blank)
    }
}

fn field_error(field: String, label: &str, error: impl std::fmt::Display) -> AppError {
    AppError::with(ErrorCode::InvalidContract, format!("{label} : {error}")).at(field)
}

fn filled(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// The value typed in a field, read by `parse`; none when left blank.
fn optional<T, E: std::fmt::Display>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    field: &str,
    label: &str,
) -> Result<Option<T>, AppError> {
    filled(text)
        .map(|t| parse(t).map_err(|e| field_error(field.to_owned(), label, e)))
        .transpose()
}

fn required<T, E: std::fmt::Display>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    field: &str,
    label: &str,
) -> Result<T, AppError> {
    optional(text, parse, field, label)?
        .ok_or_else(|| field_error(field.to_owned(), label, "à remplir"))
}

fn text(t: &str) -> Result<String, std::convert::Infallible> {
    Ok(t.to_owned())
}

pub(super) fn date(t: &str) -> Result<chrono::NaiveDate, String> {
    parse_date(t).ok_or_else(|| {
        format!("« {t} » n'est pas une date : écrivez-la en chiffres, par exemple 14/03/2025.")
    })
}

fn months(t: &str) -> Result<i64, String> {
    t.parse().map_err(|_| {
        format!("« {t} » n'est pas un nombre de mois : écrivez-le en chiffres, par exemple 24.")
    })
}

impl AwardDraft {
    fn parse(&self, lot: usize, place: usize) -> Result<AwardInput, AppError> {
        let field = |name| award_field(lot, place, name);
        Ok(AwardInput {
            place,
            company: required(
                &self.siret,
                CompanyIdentifier::parse,
                &field("siret"),
                "SIRET",
            )?,
            name: filled(&self.name).map(str::to_owned),
            role: optional(&self.role, AwardRole::parse_label, &field("role"), "Rôle")?
                .unwrap_or(AwardRole::Holder),
            amount: required(&self.amount, Money::parse, &field("amount"), "Montant")?,
        })
    }
}

impl LotDraft {
    fn parse(&self, place: usize) -> Result<LotInput, AppError> {
        let field = |name| lot_field(place, name);
        let awards = self
            .awards
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.is_blank())
            .map(|(a, award)| award.parse(place, a))
            .collect::<Result<_, _>>()?;
        Ok(LotInput {
            place,
            number: optional(
                &self.number,
                parse_lot_number,
                &field("number"),
                "Numéro de lot",
            )?
            .unwrap_or(0),
            title: filled(&self.title).map(str::to_owned),
            reservation: optional(
                &self.reservation,
                Reservation::parse_label,
                &field("reservation"),
                "Réservation",
            )?
            .unwrap_or(Reservation::None),
            awards,
        })
    }
}

impl ContractDraft {
    /// What it says for the buyer's obligations; the ground as typed, which the register's
    /// checks read against the rules.
    fn register(&self) -> Result<RegisterFacts, AppError> {
        Ok(RegisterFacts {
            launch_date: optional(&self.launch_date, date, "launch_date", "Lancement")?,
            contract_type: optional(
                &self.contract_type,
                ContractType::parse_label,
                "contract_type",
                "Nature",
            )?,
            estimated_value: optional(
                &self.estimated_value,
                Money::parse,
                "estimated_value",
                "Valeur estimée",
            )?,
            social_condition: self.social_condition,
            environmental_condition: self.environmental_condition,
            environmental_criterion: self.environmental_criterion,
            exemption_ground: filled(&self.social_exemption_ground).map(str::to_owned),
            exemption_text: filled(&self.social_exemption_text).map(str::to_owned),
        })
    }

    /// The contract it asks for, each value checked, a faulty one named by its field.
    pub fn parse(&self) -> Result<ContractInput, AppError> {
        let mut input = ContractInput {
            buyer: required(&self.buyer_siret, Siret::parse, "buyer_siret", "Acheteur")?,
            reference: required(&self.reference, text, "reference", "Référence")?,
            object: required(&self.object, text, "object", "Objet")?,
            procedure: optional(
                &self.procedure,
                Procedure::parse_label,
                "procedure",
                "Procédure",
            )?,
            cpv: optional(&self.cpv, CpvCode::parse, "cpv", "Code CPV")?,
            notification_date: required(
                &self.notification_date,
                date,
                "notification_date",
                "Date de notification",
            )?,
            duration_months: optional(&self.duration_months, months, "duration_months", "Durée")?,
            end_date: optional(&self.end_date, date, "end_date", "Date de fin")?,
            social_criterion: self.social_criterion,
            register: self.register()?,
            lots: Vec::new(),
        };
        input.lots = self
            .lots
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.is_blank())
            .map(|(place, lot)| lot.parse(place))
            .collect::<Result<_, _>>()?;
        Ok(input)
    }

    /// A stored contract as its form shows it, to be changed.
    pub fn of_stored(c: &ContractView) -> ContractDraft {
        let r = &c.register;
        let day = |d: chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
        ContractDraft {
            buyer_siret: c.buyer_siret.clone(),
            reference: c.reference.clone(),
            object: c.object.clone(),
            procedure: c.procedure.clone().unwrap_or_default(),
            cpv: c.cpv_code.clone().unwrap_or_default(),
            notification_date: day(c.notification_date),
            duration_months: c.duration_months.map(|d| d.to_string()).unwrap_or_default(),
            end_date: c.end_date.map(day).unwrap_or_default(),
            social_criterion: c.social_criterion,
            launch_date: r.launch_date.map(day).unwrap_or_default(),
            contract_type: r
                .contract_type
                .map(|t| t.code().to_owned())
                .unwrap_or_default(),
            estimated_value: r
                .estimated_value
                .map(|m| format_fixed(m.cents(), 2))
                .unwrap_or_default(),
            social_condition: r.social_condition,
            environmental_condition: r.environmental_condition,
            environmental_criterion: r.environmental_criterion,
            social_exemption_ground: r.exemption_ground.clone().unwrap_or_default(),
            social_exemption_text: r.exemption_text.clone().unwrap_or_default(),
            lots: c.lots.iter().map(LotDraft::of_stored).collect(),
        }
    }
}

impl LotDraft {
    fn of_stored(lot: &LotView) -> LotDraft {
        LotDraft {
            number: if lot.number == 0 {
                String::new()
            } else {
                lot.number.to_string()
            },
            title: lot.title.clone().unwrap_or_default(),
            reservation: lot.reservation.clone(),
            awards: lot
                .awards
                .iter()
                .map(|a| AwardDraft {
                    siret: a.identifier.clone(),
                    name: a.name.clone(),
                    role: a.role.clone(),
                    amount: a
                        .amount
                        .map(|cents| format_fixed(cents, 2))
                        .unwrap_or_default(),
                })
                .collect(),
        }
    }
}
