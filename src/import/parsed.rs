//! What the kind's checks produced from a file: its rows, typed, ready to write.

use super::kinds;

/// The rows of a file that passed its kind's checks.
pub enum Parsed {
    Structures(Vec<kinds::structures::Structure>),
    Contracts(Vec<kinds::contracts::Contract>),
    Participants(Vec<kinds::participants::Participant>),
    Hours(Vec<kinds::hours::Statement>),
    WorkContracts(Vec<kinds::work_contracts::WorkContract>),
}

impl Parsed {
    /// Rows that will be written: structures, or awards (lot × awardee) for the register.
    pub fn rows(&self) -> usize {
        match self {
            Parsed::Structures(list) => list.len(),
            Parsed::Contracts(list) => list
                .iter()
                .flat_map(|c| c.lots.values())
                .map(|l| l.awards.len())
                .sum(),
            Parsed::Participants(list) => list.len(),
            Parsed::Hours(list) => list.len(),
            Parsed::WorkContracts(list) => list.len(),
        }
    }
}
