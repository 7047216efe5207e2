//! What the API answers and reads, apart from the domain's and storage's own types. Every
//! quantity names its unit in its field, as an integer: `…_hours_hundredths` (14 470,21 h is
//! `1447021`), `…_cents` (euros in cents), `…_basis_points` (5 % is `500`), so that no client
//! can read hundredths of an hour as hours. Counts (contracts, participants) have no suffix.

pub mod clauses;
pub mod closures;
pub mod contract_changes;
pub mod followup;
pub mod imports;
pub mod indicators;
pub mod listings;
pub mod obligations;
pub mod reminders;
pub mod reviews;
pub mod statements;
