//! What each kind of file means once its rows are parsed: checks across rows, then writing.

pub mod contracts;
pub mod hours;
pub mod lots;
pub mod participants;
pub mod structures;
pub mod work_contracts;

use crate::domain::ImportKind;

/// The columns of each kind where « effacer » clears a stored fact of a shared record (an empty
/// cell keeps it).
pub fn clearable_columns(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Structures => structures::CLEARABLE,
        ImportKind::Contracts => contracts::CLEARABLE,
        ImportKind::Participants => participants::CLEARABLE,
        ImportKind::Hours | ImportKind::WorkContracts => &[],
    }
}
