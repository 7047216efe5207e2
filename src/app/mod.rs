//! The application layer: one function per use case, shared by the JSON API, the pages and the
//! command line. Each takes the caller (its role and scope) and typed inputs, resolves the
//! caller's scope once through [`Caller::data_scope`], and answers typed results or an
//! [`AppError`]. Adapters parse, call one use case, and render; none resolves a scope itself.
//!
//! Use cases run on a connection the adapter provides (the web layer from its blocking pool,
//! the command line its own), so that one call is one unit of work.

pub mod account;
pub mod audit;
pub mod buyers;
pub mod caller;
pub mod clauses;
pub mod closures;
pub mod companies;
pub mod contract_changes;
pub mod contract_drafts;
pub mod contracts;
pub mod dashboard;
pub mod error;
mod error_code;
pub mod exports;
pub mod followup;
pub mod import_undo;
pub mod imports;
pub mod indicators;
pub mod listing;
pub mod obligations;
pub mod participant_drafts;
pub mod participants;
pub mod reminders;
pub mod reviews;
pub mod rollups;
pub mod spaser;
pub mod users;

pub use caller::{Caller, Narrowing};
pub use error::{AppError, ErrorCode};
pub use listing::Listed;

/// Today, as the date figures are assessed at when none is asked.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
