//! Accounts: listing, creating, deactivating.

use secrecy::SecretString;

use super::{AppError, Caller, ErrorCode};
use crate::accounts::{self, NewAccount, password};
use crate::domain::{Email, Labelled, Name, Role, Siret, UserScope};
use crate::storage::users::{self, Account};
use crate::storage::{DbConnection, UserId};

pub fn list(conn: &mut DbConnection) -> Result<Vec<Account>, AppError> {
    Ok(users::list(conn)?)
}

/// An account as asked, every field as typed.
pub struct AccountDraft {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub buyers: Vec<String>,
    pub all_buyers: bool,
    pub company_siret: Option<String>,
    /// Generated when absent.
    pub password: Option<SecretString>,
}

/// An account just created, and its password when it was generated (shown once).
pub struct Created {
    pub account: Account,
    pub generated_password: Option<SecretString>,
}

fn invalid(message: impl std::fmt::Display) -> AppError {
    AppError::with(ErrorCode::InvalidAccount, message)
}

/// Checks every field, then creates the account.
fn new_account(draft: AccountDraft) -> Result<(NewAccount, Option<SecretString>), AppError> {
    let role = Role::parse_label(&draft.role).map_err(invalid)?;
    let buyers = draft
        .buyers
        .iter()
        .map(|s| Siret::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    let company = draft
        .company_siret
        .as_deref()
        .map(Siret::parse)
        .transpose()
        .map_err(invalid)?;
    let scope = UserScope::for_role(role, draft.all_buyers, buyers, company).map_err(invalid)?;
    let generated = draft.password.is_none().then(password::generate);
    let account = NewAccount {
        email: Email::parse(&draft.email).map_err(invalid)?,
        display_name: Name::parse(&draft.display_name).map_err(invalid)?,
        role,
        scope,
        password: draft
            .password
            .or_else(|| generated.clone())
            .expect("one of the two is set"),
    };
    Ok((account, generated))
}

pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    draft: AccountDraft,
) -> Result<Created, AppError> {
    let (account, generated_password) = new_account(draft)?;
    let id = accounts::create(conn, account, &caller.actor)?;
    let account = users::find_by_id(conn, id)?.ok_or_else(AppError::not_found)?;
    Ok(Created {
        account,
        generated_password,
    })
}

/// Deactivates an account: its sessions end at once. Not one's own.
pub fn deactivate(conn: &mut DbConnection, caller: &Caller, id: UserId) -> Result<(), AppError> {
    if caller.account_id == Some(id) {
        return Err(invalid(
            "Vous ne pouvez pas désactiver votre propre compte.",
        ));
    }
    Ok(accounts::deactivate(conn, id, &caller.actor)?)
}
