//! What the register's checks need to know of the database, read before anything is written.

use std::collections::HashMap;

use crate::domain::Siret;
use crate::domain::obligations::Choice;
use crate::storage::{BuyerId, CompanyId};

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
}
