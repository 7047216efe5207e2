//! A statement once checked: what is written, under the key it replaces an earlier value of.

use crate::domain::{EmploymentContract, Hours, Modality, Month};

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub row: u32,
    pub entry: EntryKey,
    pub insertion_employer_id: Option<i64>,
    pub hours: Hours,
    pub employment_contract: Option<EmploymentContract>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryKey {
    pub lot_id: i64,
    pub company_id: i64,
    pub participant_id: i64,
    pub month: Month,
    pub modality: Modality,
}
