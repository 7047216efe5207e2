//! Who asks: an account signed in, or the operator at the command line, with its role and the
//! buyers (or the company) it reaches. Every use case takes one; the scope of the data it may
//! see is resolved here and nowhere else.

use crate::domain::authorization::{
    Action, is_allowed, may_change_shared_record, sees_small_groups, sees_special_categories,
};
use crate::domain::{Departement, Role, Siret};
use crate::indicators::{DataScope, scope};
use crate::storage::audit::Actor;
use crate::storage::users::{Account, BuyerScope};
use crate::storage::{BuyerId, DbConnection, UserId};

use super::{AppError, ErrorCode};

#[derive(Debug, Clone)]
pub struct Caller {
    /// `None` for the command line.
    pub account_id: Option<UserId>,
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

    /// Whether groups of special-category criteria (health, justice) are shown to this caller.
    pub fn sees_special_categories(&self) -> bool {
        sees_special_categories(self.role)
    }

    /// Whether this buyer is within the caller's scope (a company follows no buyer).
    pub fn sees_buyer(&self, buyer_id: BuyerId) -> bool {
        self.scope.follows(buyer_id)
    }

    /// A record shared between buyers (a company, a participant) tied to `tied` is changed only
    /// by whoever answers for all of them (`may_change_shared_record`); otherwise out of
    /// scope, `message` saying who may.
    pub fn answers_for<'a>(
        &self,
        tied: impl IntoIterator<Item = &'a BuyerId>,
        message: &str,
    ) -> Result<(), AppError> {
        if may_change_shared_record(tied, |b| self.sees_buyer(*b)) {
            Ok(())
        } else {
            Err(AppError::with(ErrorCode::OutOfScope, message))
        }
    }

    /// The buyers a listing is kept to; `None` for every buyer.
    pub fn buyer_ids(&self) -> Option<Vec<BuyerId>> {
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
        let scope = scope::resolve(
            conn,
            &self.scope,
            narrowing.buyer.as_ref(),
            narrowing.departement.as_ref(),
        )?;
        Ok(DataScope {
            with_pending: narrowing.with_pending,
            ..scope
        })
    }
}

/// A caller's scope narrowed to one buyer, or to the buyers of one département.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowing {
    pub buyer: Option<Siret>,
    pub departement: Option<Departement>,
    /// Count the hours awaiting validation with the validated ones (`pending=true`).
    pub with_pending: bool,
}

impl Narrowing {
    /// From the texts of a form or an address; blank means not asked.
    pub fn parse(buyer: Option<&str>, departement: Option<&str>) -> Result<Narrowing, AppError> {
        Ok(Narrowing {
            buyer: buyer_of(buyer)?,
            departement: filled(departement)
                .map(|t| {
                    Departement::parse(t)
                        .map_err(|e| AppError::with(ErrorCode::InvalidDepartement, e))
                })
                .transpose()?,
            with_pending: false,
        })
    }
}

fn filled(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// A buyer's SIRET given as a filter, checked; blank means none.
pub fn buyer_of(text: Option<&str>) -> Result<Option<Siret>, AppError> {
    filled(text)
        .map(|t| Siret::parse(t).map_err(|e| AppError::with(ErrorCode::InvalidBuyer, e)))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(scope: BuyerScope, role: Role) -> Caller {
        Caller {
            account_id: Some(UserId::from(7)),
            role,
            scope,
            actor: Actor::anonymous(),
        }
    }

    #[test]
    fn a_caller_sees_the_buyers_of_its_scope_and_a_company_none() {
        let all = caller(BuyerScope::AllBuyers, Role::Facilitator);
        let some = caller(
            BuyerScope::Buyers {
                buyer_ids: vec![BuyerId::from(1), BuyerId::from(3)],
            },
            Role::BuyerOfficer,
        );
        let company = caller(
            BuyerScope::Company {
                siret: "21310555400017".to_owned(),
            },
            Role::Company,
        );

        let id = BuyerId::from;
        assert!(all.sees_buyer(id(2)) && all.buyer_ids().is_none());
        assert!(some.sees_buyer(id(3)) && !some.sees_buyer(id(2)));
        assert_eq!(some.buyer_ids(), Some(vec![id(1), id(3)]));
        assert!(!company.sees_buyer(id(1)));
        assert_eq!(company.company(), Some("21310555400017"));
        assert!(Caller::command_line().sees_small_groups());
        assert!(!caller(BuyerScope::AllBuyers, Role::Elected).sees_small_groups());
    }

    #[test]
    fn a_narrowing_left_blank_is_none_and_a_bad_one_says_which_field() {
        assert_eq!(
            Narrowing::parse(Some("  "), None).unwrap(),
            Narrowing::default()
        );
        let asked = Narrowing::parse(Some(" 21310555400017 "), Some("31")).unwrap();
        assert_eq!(asked.buyer.unwrap().as_str(), "21310555400017");
        assert_eq!(asked.departement.unwrap().as_str(), "31");

        let buyer = Narrowing::parse(Some("12345678901234"), None).unwrap_err();
        assert_eq!(
            (buyer.code, buyer.code.status()),
            (ErrorCode::InvalidBuyer, 422)
        );
        let departement = Narrowing::parse(None, Some("999")).unwrap_err();
        assert_eq!(departement.code, "invalid_departement");
    }
}
