//! Hour statements: hours worked by a participant in a month on a lot, by one modality.
//!
//! Each row is read once into a typed view (`row`) and goes through the named checks of a
//! statement (`checks`); the checks across rows (`across_rows`) then look at the file as a
//! whole, and at the hours already stored; the statements are then staged and published
//! (`write`).

mod across_rows;
mod checks;
mod context;
mod row;
mod statement;
mod validate;
mod write;

pub use across_rows::check_stored_totals;
pub use context::Context;
pub use row::COLUMNS;
pub use statement::{EntryKey, Statement};
pub use validate::validate;
pub use write::{Published, publish, stage};
