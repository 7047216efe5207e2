//! What the register's checks need to know of the database, read before anything is written.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::obligations::Choice;
use crate::domain::{Hours, Siret};
use crate::storage::{BuyerId, CompanyId};

/// A lot whose clause is closed: what its closure froze, and what a row changing it is refused
/// with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedLot {
    pub target: Hours,
    pub notification_date: NaiveDate,
    pub duration_months: Option<i32>,
    pub end_date: Option<NaiveDate>,
    pub message: String,
}

pub struct Context {
    /// Buyer SIRET → id, for every buyer the uploader may import for.
    pub buyers: HashMap<Siret, BuyerId>,
    /// Buyers that exist but are outside the uploader's scope.
    pub other_buyers: Vec<Siret>,
    /// The buyer the file was sent for, when one was given.
    pub only_buyer: Option<Siret>,
    /// Known establishments (SIRET → id and kind code).
    pub companies: HashMap<String, (CompanyId, String)>,
    /// The grounds the obligation rules accept for leaving out a social condition.
    pub grounds: Vec<Choice>,
    /// (buyer, contract reference, lot number) → the lot, when its clause is closed.
    pub closed: HashMap<(BuyerId, String, i32), ClosedLot>,
}
