//! The register's rows once grouped: contracts, their lots, and each lot's awards.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::{
    AwardRole, CompanyIdentifier, CpvCode, Hours, Money, Name, PostalCode, Procedure, Reservation,
    SizeClass, Update,
};
use crate::storage::companies::CompanyUpsert;
use crate::storage::contracts::{ContractFields, RegisterFacts};
use crate::storage::{BuyerId, ImportId};

#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    pub first_row: u32,
    pub buyer_id: BuyerId,
    pub reference: String,
    pub object: String,
    pub procedure: Option<Procedure>,
    pub cpv: Option<CpvCode>,
    pub notification_date: NaiveDate,
    pub duration_months: Option<i32>,
    pub end_date: Option<NaiveDate>,
    pub social_criterion: bool,
    pub obligations: RegisterFacts,
    pub lots: BTreeMap<i32, Lot>,
}

impl Contract {
    /// The contract's own fields as stored, from the import `import_id` or none.
    pub fn fields(&self, import_id: Option<ImportId>) -> ContractFields<'_> {
        ContractFields {
            buyer_id: self.buyer_id,
            reference: &self.reference,
            object: &self.object,
            procedure: self.procedure,
            cpv: self.cpv.as_ref(),
            notification_date: self.notification_date,
            duration_months: self.duration_months,
            end_date: self.end_date,
            social_criterion: self.social_criterion,
            import_id,
            register: &self.obligations,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lot {
    pub first_row: u32,
    pub title: Option<String>,
    pub reservation: Reservation,
    pub clause: ClausePlan,
    pub awards: Vec<Award>,
}

/// What the register says of a lot's insertion clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClausePlan {
    /// Nothing: a clause set by a facilitator stays as it is.
    Unsaid,
    /// "Non": the lot has no clause.
    No { row: u32 },
    /// "Oui" or target hours given; the row the hours came from.
    Yes {
        hours: Option<(Hours, u32)>,
        row: u32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Award {
    pub row: u32,
    pub company: CompanyIdentifier,
    pub name: Option<Name>,
    pub postal_code: Update<PostalCode>,
    pub size_class: Update<SizeClass>,
    pub role: AwardRole,
    pub amount: Money,
}

/// What another row of the contract adds to `known`: a value left empty on the first row, a
/// condition or criterion said on any row.
pub fn complete(known: &mut RegisterFacts, other: RegisterFacts) {
    known.launch_date = known.launch_date.or(other.launch_date);
    known.contract_type = known.contract_type.or(other.contract_type);
    known.estimated_value = known.estimated_value.or(other.estimated_value);
    known.social_condition |= other.social_condition;
    known.environmental_condition |= other.environmental_condition;
    known.environmental_criterion |= other.environmental_criterion;
    if known.exemption_ground.is_none() {
        known.exemption_ground = other.exemption_ground;
        known.exemption_text = other.exemption_text;
    }
}

impl Award {
    /// What the row writes of its company: the facts given, none else.
    pub fn as_upsert(&self) -> CompanyUpsert<'_> {
        CompanyUpsert {
            identifier: &self.company,
            name: self.name.as_ref(),
            kind: None,
            postal_code: self.postal_code.as_ref(),
            size_class: self.size_class,
        }
    }
}
