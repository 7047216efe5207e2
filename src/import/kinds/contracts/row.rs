//! A register row, its cells read once into named, typed fields.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::contract::Contract;
use crate::storage::contracts::RegisterFacts;

use crate::domain::{
    AwardRole, CompanyIdentifier, CpvCode, Hours, Money, PostalCode, Procedure, Reservation, Siret,
    SizeClass, Update,
};
use crate::import::cells::Value;
use crate::import::profile::{Profile, ValueType};
use crate::import::rows::{ParsedRow, RowView};
use crate::storage::BuyerId;

/// The columns a contracts profile must declare.
pub const COLUMNS: &[(&str, ValueType)] = &[
    ("reference", ValueType::Text),
    ("object", ValueType::Text),
    ("buyer_siret", ValueType::Siret),
    ("procedure", ValueType::Procedure),
    ("cpv", ValueType::CpvCode),
    ("notification_date", ValueType::Date),
    ("duration_months", ValueType::Integer),
    ("end_date", ValueType::Date),
    ("lot", ValueType::Lot),
    ("lot_title", ValueType::Text),
    ("amount", ValueType::Money),
    ("holder_siret", ValueType::Siret),
    ("holder_name", ValueType::Text),
    ("holder_postal_code", ValueType::PostalCode),
    ("holder_size", ValueType::SizeClass),
    ("role", ValueType::AwardRole),
    ("insertion_clause", ValueType::Boolean),
    ("insertion_hours", ValueType::Hours),
    ("social_criterion", ValueType::Boolean),
    ("reservation", ValueType::Reservation),
    ("launch_date", ValueType::Date),
    ("contract_type", ValueType::ContractType),
    ("estimated_value", ValueType::Money),
    ("social_condition", ValueType::Boolean),
    ("environmental_condition", ValueType::Boolean),
    ("environmental_criterion", ValueType::Boolean),
    ("social_exemption_ground", ValueType::Ground),
    ("social_exemption_text", ValueType::Text),
];

/// Where « effacer » clears what is stored of the awardee.
pub const CLEARABLE: &[&str] = &["holder_postal_code", "holder_size"];

/// A register row whose required cells all hold a value. Optional cells left empty are
/// `None`, or their default where the register gives one.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterRow {
    pub number: u32,
    pub reference: String,
    pub object: String,
    pub buyer: Siret,
    pub notified: NaiveDate,
    pub amount: Money,
    /// A SIRET, unless the register was read from a DECP file naming the company otherwise.
    pub holder: CompanyIdentifier,
    pub procedure: Option<Procedure>,
    pub cpv: Option<CpvCode>,
    pub duration_months: Option<i64>,
    pub end_date: Option<NaiveDate>,
    /// 0 when empty: a contract without lots.
    pub lot: i64,
    pub lot_title: Option<String>,
    pub holder_name: Option<String>,
    pub postal_code: Update<PostalCode>,
    pub size_class: Update<SizeClass>,
    /// The holder when empty.
    pub role: AwardRole,
    pub insertion_clause: Option<bool>,
    pub insertion_hours: Option<Hours>,
    /// No when empty.
    pub social_criterion: bool,
    /// None when empty.
    pub reservation: Reservation,
    pub obligations: RegisterFacts,
}

/// What the row says for the buyer's legal obligations; booleans are No when empty. The ground
/// is as written: the register's checks read it against the rules' grounds.
fn obligation_cells(view: &RowView<'_>) -> RegisterFacts {
    RegisterFacts {
        launch_date: view.date("launch_date"),
        contract_type: match view.get("contract_type") {
            Some(Value::ContractType(t)) => Some(*t),
            _ => None,
        },
        estimated_value: match view.get("estimated_value") {
            Some(Value::Money(m)) => Some(*m),
            _ => None,
        },
        social_condition: view.boolean("social_condition").unwrap_or(false),
        environmental_condition: view.boolean("environmental_condition").unwrap_or(false),
        environmental_criterion: view.boolean("environmental_criterion").unwrap_or(false),
        exemption_ground: view.text("social_exemption_ground"),
        exemption_text: view.text("social_exemption_text"),
    }
}

impl RegisterRow {
    /// The row's fields; `None` when a required cell is empty or refused, which the row parser
    /// has already reported.
    pub fn read(profile: &Profile, row: &ParsedRow) -> Option<RegisterRow> {
        let view = RowView { profile, row };
        let Some(Value::Money(amount)) = view.get("amount") else {
            return None;
        };
        Some(RegisterRow {
            number: row.number,
            reference: view.text("reference")?,
            object: view.text("object")?,
            buyer: view.siret("buyer_siret")?,
            notified: view.date("notification_date")?,
            amount: *amount,
            holder: view.company("holder_siret")?,
            procedure: match view.get("procedure") {
                Some(Value::Procedure(p)) => Some(*p),
                _ => None,
            },
            cpv: match view.get("cpv") {
                Some(Value::CpvCode(c)) => Some(c.clone()),
                _ => None,
            },
            duration_months: view.integer("duration_months"),
            end_date: view.date("end_date"),
            lot: view.integer("lot").unwrap_or(0),
            lot_title: view.text("lot_title"),
            holder_name: view.text("holder_name"),
            postal_code: view.update("holder_postal_code", |value| match value {
                Value::PostalCode(p) => Some(p.clone()),
                _ => None,
            }),
            size_class: view.update("holder_size", |value| match value {
                Value::SizeClass(s) => Some(*s),
                _ => None,
            }),
            role: match view.get("role") {
                Some(Value::AwardRole(r)) => *r,
                _ => AwardRole::Holder,
            },
            insertion_clause: view.boolean("insertion_clause"),
            insertion_hours: match view.get("insertion_hours") {
                Some(Value::Hours(h)) => Some(*h),
                _ => None,
            },
            social_criterion: view.boolean("social_criterion").unwrap_or(false),
            reservation: match view.get("reservation") {
                Some(Value::Reservation(r)) => *r,
                _ => Reservation::None,
            },
            obligations: obligation_cells(&view),
        })
    }

    /// The contract as this row gives it, with no lot yet.
    pub fn contract(&self, buyer_id: BuyerId) -> Contract {
        Contract {
            first_row: self.number,
            buyer_id,
            reference: self.reference.clone(),
            object: self.object.clone(),
            procedure: self.procedure,
            cpv: self.cpv.clone(),
            notification_date: self.notified,
            duration_months: self.duration_months.map(|d| d as i32),
            end_date: self.end_date,
            social_criterion: self.social_criterion,
            // The ground is set once checked, as its code.
            obligations: RegisterFacts {
                contract_type: self
                    .obligations
                    .contract_type
                    .or_else(|| self.cpv.as_ref().map(CpvCode::contract_type)),
                exemption_ground: None,
                exemption_text: None,
                ..self.obligations.clone()
            },
            lots: BTreeMap::new(),
        }
    }
}

/// SIRETs of the example rows of tests: a buyer's and a company's.
#[cfg(test)]
pub const BUYER: &str = "35600000049837";
#[cfg(test)]
pub const HOLDER: &str = "44306184100047";

#[cfg(test)]
impl RegisterRow {
    /// A row that passes every check: row 7, the contract 2025-001 of `BUYER` without lots,
    /// held by `HOLDER`.
    pub fn example() -> RegisterRow {
        RegisterRow {
            number: 7,
            reference: "2025-001".to_owned(),
            object: "Réhabilitation du collège".to_owned(),
            buyer: Siret::parse(BUYER).unwrap(),
            notified: NaiveDate::from_ymd_opt(2025, 3, 14).unwrap(),
            amount: Money::from_cents(100_000).unwrap(),
            holder: Siret::parse(HOLDER).unwrap().into(),
            procedure: None,
            cpv: None,
            duration_months: None,
            end_date: None,
            lot: 0,
            lot_title: None,
            holder_name: None,
            postal_code: Update::Keep,
            size_class: Update::Keep,
            role: AwardRole::Holder,
            insertion_clause: None,
            insertion_hours: None,
            social_criterion: false,
            reservation: Reservation::None,
            obligations: RegisterFacts::default(),
        }
    }
}
