//! A statement row, its cells read once into named, typed fields.

use crate::domain::{EmploymentContract, Hours, Modality, Month, Siret};
use crate::import::cells::Value;
use crate::import::profile::{Profile, ValueType};
use crate::import::rows::{ParsedRow, RowView};

/// The columns an hours profile must declare.
pub const COLUMNS: &[(&str, ValueType)] = &[
    ("reference", ValueType::Text),
    ("lot", ValueType::Lot),
    ("company_siret", ValueType::Siret),
    ("month", ValueType::Month),
    ("pseudonym", ValueType::Text),
    ("modality", ValueType::Modality),
    ("structure_siret", ValueType::Siret),
    ("hours", ValueType::Hours),
    ("employment_contract", ValueType::EmploymentContract),
];

/// A statement row whose required cells all hold a value.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementRow {
    pub number: u32,
    pub reference: String,
    /// 0 when empty: a contract without lots.
    pub lot: i64,
    pub company: Siret,
    pub month: Month,
    pub pseudonym: String,
    pub modality: Modality,
    pub hours: Hours,
    /// The insertion structure, for the modalities that go through one.
    pub structure: Option<Siret>,
    pub employment_contract: Option<EmploymentContract>,
}

impl StatementRow {
    /// The row's fields; `None` when a required cell is empty or refused, which the row parser
    /// has already reported.
    pub fn read(profile: &Profile, row: &ParsedRow) -> Option<StatementRow> {
        let view = RowView { profile, row };
        let (Some(Value::Month(month)), Some(Value::Modality(modality)), Some(Value::Hours(hours))) =
            (view.get("month"), view.get("modality"), view.get("hours"))
        else {
            return None;
        };
        Some(StatementRow {
            number: row.number,
            reference: view.text("reference")?,
            lot: view.integer("lot").unwrap_or(0),
            company: view.siret("company_siret")?,
            month: *month,
            pseudonym: view.text("pseudonym")?,
            modality: *modality,
            hours: *hours,
            structure: view.siret("structure_siret"),
            employment_contract: match view.get("employment_contract") {
                Some(Value::EmploymentContract(c)) => Some(*c),
                _ => None,
            },
        })
    }
}
