//! Who asks: an account signed in, or the operator at the command line, with its role and the
//! buyers (or the company) it reaches. Every use case takes one; the scope of the data it may
//! see is resolved here and nowhere else.

use crate::domain::authorization::{Action, is_allowed, sees_small_groups};
use crate::domain::{Departement, Role, Siret};
use crate::indicators::{DataScope, scope};
use crate::storage::DbConnection;
use crate::storage::audit::Actor;
use crate::storage::users::{Account, BuyerScope};

use super::AppError;

#[derive(Debug, Clone)]
pub struct Caller {
    /// `None` for the command line.
    pub account_id: Option<i64>,
    pub role: Role,
    pub scope: BuyerScope,
    /// As the audit log names it.
    pub actor: Actor,
}

impl Caller {
    pub fn of(account: &Account) -> Caller {
        Caller {
            account_id: Some(account.id),
            role: account.role,
            scope: account.scope.clone(),
            actor: Actor::user(account),
        }
    }

    /// The operator at the command line sees and changes everything, as an administrator.
    pub fn command_line() -> Caller {
        Caller {
            account_id: None,
            role: Role::Admin,
            scope: BuyerScope::AllBuyers,
            actor: Actor::command_line(),
        }
    }

    /// Whether the role may also do `action` (a use case gathering several answers).
    pub fn may(&self, action: Action) -> bool {
        is_allowed(self.role, action)
    }

    /// Whether groups of fewer than five people are shown to this caller.
    pub fn sees_small_groups(&self) -> bool {
        sees_small_groups(self.role)
    }

    /// Whether this buyer is within the caller's scope (a company follows no buyer).
    pub fn sees_buyer(&self, buyer_id: i64) -> bool {
        scope::sees_buyer(&self.scope, buyer_id)
    }

    /// The buyers a listing is kept to; `None` for every buyer.
    pub fn buyer_ids(&self) -> Option<Vec<i64>> {
        match &self.scope {
            BuyerScope::AllBuyers | BuyerScope::Company { .. } => None,
            BuyerScope::Buyers { buyer_ids } => Some(buyer_ids.clone()),
        }
    }

    /// The company a company account is, by SIRET.
    pub fn company(&self) -> Option<&str> {
        match &self.scope {
            BuyerScope::Company { siret } => Some(siret),
            _ => None,
        }
    }

    /// The data this caller may see, narrowed as asked: the one place a scope is resolved.
    pub fn data_scope(
        &self,
        conn: &mut DbConnection,
        narrowing: &Narrowing,
    ) -> Result<DataScope, AppError> {
        Ok(scope::resolve(
            conn,
            &self.scope,
            narrowing.buyer.as_ref(),
            narrowing.departement.as_ref(),
        )?)
    }
}

/// A caller's scope narrowed to one buyer, or to the buyers of one département.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowing {
    pub buyer: Option<Siret>,
    pub departement: Option<Departement>,
}

impl Narrowing {
    /// From the texts of a form or an address; blank means not asked.
    pub fn parse(buyer: Option<&str>, departement: Option<&str>) -> Result<Narrowing, AppError> {
        Ok(Narrowing {
            buyer: buyer_of(buyer)?,
            departement: filled(departement)
                .map(|t| {
                    Departement::parse(t).map_err(|e| AppError::invalid("invalid_departement", e))
                })
                .transpose()?,
        })
    }
}

fn filled(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// A buyer's SIRET given as a filter, checked; blank means none.
pub fn buyer_of(text: Option<&str>) -> Result<Option<Siret>, AppError> {
    filled(text)
        .map(|t| Siret::parse(t).map_err(|e| AppError::invalid("invalid_buyer", e)))
        .transpose()
}
