//! The contracts register: one row per lot × awardee, grouped into contracts (buyer and
//! reference) and lots (number; none for a contract without lots).
//!
//! Each row is read once into a typed view (`row`), goes through the named checks (`checks`)
//! as it joins its contract and lot (`register`), and the contracts are then written (`write`).

mod checks;
mod closed;
mod context;
mod contract;
mod register;
mod row;
mod write;

pub use context::{ClosedLot, Context};
pub use contract::{Award, ClausePlan, Contract, Lot};
pub use register::{gather, validate};
pub use row::{CLEARABLE, COLUMNS, RegisterRow};
pub use write::{write, write_lots};
