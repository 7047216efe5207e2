//! A statement once checked: what is written, under the key it replaces an earlier value of.

use crate::domain::{EmploymentContract, Hours, Modality, Month};
use crate::storage::{CompanyId, LotId, ParticipantId};

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub row: u32,
    pub entry: EntryKey,
    pub insertion_employer_id: Option<CompanyId>,
    pub hours: Hours,
    pub employment_contract: Option<EmploymentContract>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryKey {
    pub lot_id: LotId,
    pub company_id: CompanyId,
    pub participant_id: ParticipantId,
    pub month: Month,
    pub modality: Modality,
}
