//! Accounts, for administrators: listing with filters, creating, changing the role and scope,
//! deactivating and reactivating, giving a new password. The API, the pages and the command
//! line all come through here.

use secrecy::SecretString;

use super::{AppError, Caller, ErrorCode};
use crate::accounts::{self, AccountError, NewAccount, password};
use crate::domain::{Email, Labelled, Name, Role, ScopeError, SignInRecency, Siret, UserScope};
use crate::storage::buyers::{self, Buyer};
use crate::storage::users::{self, Account, AccountFilter, SignedIn};
use crate::storage::{DbConnection, UserId};

/// The filters of a list of accounts, as typed (blank means not asked).
#[derive(Debug, Clone, Default)]
pub struct AccountsAsked {
    pub role: Option<String>,
    /// A buyer's SIRET.
    pub buyer: Option<String>,
    /// `true` or `false`.
    pub active: Option<String>,
    /// A [`SignInRecency`] code.
    pub last_sign_in: Option<String>,
}

fn filled(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

fn filter_error(field: &'static str, message: impl std::fmt::Display) -> AppError {
    AppError::with(ErrorCode::BadRequest, message).at(field)
}

fn active_of(text: Option<&str>) -> Result<Option<bool>, AppError> {
    match filled(text) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(filter_error(
            "active",
            format!("« {other} » : écrivez active=true (actifs) ou active=false (désactivés)."),
        )),
    }
}

fn signed_in_of(text: Option<&str>) -> Result<Option<SignedIn>, AppError> {
    let Some(code) = filled(text) else {
        return Ok(None);
    };
    let recency = SignInRecency::from_code(code).ok_or_else(|| {
        filter_error(
            "last_sign_in",
            format!("« {code} » : écrivez last_sign_in=never, within_30_days ou over_90_days."),
        )
    })?;
    let since = |days| crate::storage::now() - chrono::Duration::days(days);
    Ok(Some(match (recency, recency.days()) {
        (SignInRecency::Recent, Some(days)) => SignedIn::Since(since(days)),
        (SignInRecency::Dormant, Some(days)) => SignedIn::NotSince(since(days)),
        _ => SignedIn::Never,
    }))
}

/// The accounts the filters let through, by e-mail.
pub fn list(conn: &mut DbConnection, asked: &AccountsAsked) -> Result<Vec<Account>, AppError> {
    let role = filled(asked.role.as_deref())
        .map(|r| {
            Role::from_code(r)
                .or_else(|| Role::parse_label(r).ok())
                .ok_or_else(|| {
                    filter_error(
                        "role",
                        format!("« {r} » : choisissez admin, facilitator, buyer_officer, elected ou company."),
                    )
                })
        })
        .transpose()?;
    let buyer = match filled(asked.buyer.as_deref()) {
        None => None,
        Some(text) => {
            let siret = Siret::parse(text)
                .map_err(|e| AppError::with(ErrorCode::InvalidBuyer, e).at("buyer"))?;
            Some(buyers::id_by_siret(conn, &siret)?.ok_or_else(|| {
                AppError::with(
                    ErrorCode::UnknownBuyer,
                    format!("Aucun acheteur n'a le SIRET {siret}."),
                )
                .at("buyer")
            })?)
        }
    };
    let filter = AccountFilter {
        role,
        buyer,
        active: active_of(asked.active.as_deref())?,
        signed_in: signed_in_of(asked.last_sign_in.as_deref())?,
    };
    Ok(users::list(conn, &filter)?)
}

/// An account's role and scope as asked, every field as typed.
#[derive(Debug, Clone, Default)]
pub struct RoleDraft {
    pub role: String,
    pub buyers: Vec<String>,
    pub all_buyers: bool,
    pub company_siret: Option<String>,
}

fn invalid(message: impl std::fmt::Display) -> AppError {
    AppError::with(ErrorCode::InvalidAccount, message)
}

/// The field a scope that does not fit its role is blamed on.
fn scope_field(error: &ScopeError) -> &'static str {
    match error {
        ScopeError::CompanyNeedsSiret => "company_siret",
        _ => "buyers",
    }
}

impl RoleDraft {
    /// The role and the scope, checked against each other.
    pub fn parse(&self) -> Result<(Role, UserScope), AppError> {
        let role = Role::from_code(&self.role)
            .map_or_else(|| Role::parse_label(&self.role), Ok)
            .map_err(|e| invalid(e).at("role"))?;
        let buyers = self
            .buyers
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(Siret::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(e).at("buyers"))?;
        let company = filled(self.company_siret.as_deref())
            .map(Siret::parse)
            .transpose()
            .map_err(|e| invalid(e).at("company_siret"))?;
        let scope = UserScope::for_role(role, self.all_buyers, buyers, company)
            .map_err(|e| invalid(&e).at(scope_field(&e)))?;
        Ok((role, scope))
    }
}

/// An account as asked, every field as typed.
pub struct AccountDraft {
    pub email: String,
    pub display_name: String,
    pub role: RoleDraft,
    /// Generated when absent.
    pub password: Option<SecretString>,
}

/// An account just created, and its password when it was generated (shown once).
pub struct Created {
    pub account: Account,
    pub generated_password: Option<SecretString>,
}

/// An account error, blamed on the field that caused it.
fn account_error(error: AccountError) -> AppError {
    let field = match &error {
        AccountError::UnknownBuyer(_) => Some("buyers"),
        AccountError::Scope(scope) => Some(scope_field(scope)),
        AccountError::Password(_) => Some("password"),
        AccountError::Insert(_) => Some("email"),
        _ => None,
    };
    let app = AppError::from(error);
    match field {
        Some(field) => app.at(field),
        None => app,
    }
}

/// Checks every field, then creates the account.
fn new_account(draft: AccountDraft) -> Result<(NewAccount, Option<SecretString>), AppError> {
    let email = Email::parse(&draft.email).map_err(|e| invalid(e).at("email"))?;
    let display_name =
        Name::parse(&draft.display_name).map_err(|e| invalid(e).at("display_name"))?;
    let (role, scope) = draft.role.parse()?;
    let generated = draft.password.is_none().then(password::generate);
    let account = NewAccount {
        email,
        display_name,
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
    let id = accounts::create(conn, account, &caller.actor).map_err(account_error)?;
    let account = users::find_by_id(conn, id)?.ok_or_else(AppError::not_found)?;
    Ok(Created {
        account,
        generated_password,
    })
}

/// One account, for its page.
pub fn find(conn: &mut DbConnection, id: UserId) -> Result<Account, AppError> {
    users::find_by_id(conn, id)?.ok_or_else(AppError::not_found)
}

/// Refuses an administrator's change to their own account (they could lock themselves out).
fn not_oneself(caller: &Caller, id: UserId, refusal: &str) -> Result<(), AppError> {
    if caller.account_id == Some(id) {
        return Err(invalid(refusal));
    }
    Ok(())
}

/// Gives an account another role and scope; the account as it now is.
pub fn change(
    conn: &mut DbConnection,
    caller: &Caller,
    id: UserId,
    draft: &RoleDraft,
) -> Result<Account, AppError> {
    let (role, scope) = draft.parse()?;
    not_oneself(
        caller,
        id,
        "Vous ne pouvez pas changer le rôle ni le périmètre de votre propre compte : demandez-le à un autre administrateur.",
    )?;
    accounts::change_role_and_scope(conn, id, role, &scope, &caller.actor).map_err(account_error)
}

/// Deactivates an account: its sessions end at once. Not one's own.
pub fn deactivate(conn: &mut DbConnection, caller: &Caller, id: UserId) -> Result<(), AppError> {
    not_oneself(
        caller,
        id,
        "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre administrateur.",
    )?;
    Ok(accounts::deactivate(conn, id, &caller.actor)?)
}

/// Opens a deactivated account again (with its password as it was).
pub fn reactivate(conn: &mut DbConnection, caller: &Caller, id: UserId) -> Result<(), AppError> {
    Ok(accounts::reactivate(conn, id, &caller.actor)?)
}

/// Gives an account a new generated password, to show once; its sessions end. Not one's own
/// (« Mon compte » changes it, knowing the current one).
pub fn reset_password(
    conn: &mut DbConnection,
    caller: &Caller,
    id: UserId,
) -> Result<SecretString, AppError> {
    not_oneself(
        caller,
        id,
        "Pour votre propre compte, changez le mot de passe dans « Mon compte ».",
    )?;
    Ok(accounts::reset_password(conn, id, &caller.actor)?)
}

/// The accounts a list shows, with every buyer the caller sees (to name them and to filter on
/// them); a filter refused leaves the list empty and says why.
pub struct Directory {
    pub accounts: Vec<Account>,
    pub buyers: Vec<Buyer>,
    pub refusal: Option<AppError>,
}

pub fn directory(
    conn: &mut DbConnection,
    caller: &Caller,
    asked: &AccountsAsked,
) -> Result<Directory, AppError> {
    let buyers = super::buyers::visible(conn, caller)?;
    let (accounts, refusal) = match list(conn, asked) {
        Ok(accounts) => (accounts, None),
        Err(error) if error.code.status() < 500 => (Vec::new(), Some(error)),
        Err(error) => return Err(error),
    };
    Ok(Directory {
        accounts,
        buyers,
        refusal,
    })
}

/// One account and the buyers its scope may be chosen among, for its page.
pub fn with_buyers(
    conn: &mut DbConnection,
    caller: &Caller,
    id: UserId,
) -> Result<(Account, Vec<Buyer>), AppError> {
    let account = find(conn, id)?;
    Ok((account, super::buyers::visible(conn, caller)?))
}
