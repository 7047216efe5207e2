//! Accounts: creating users with a role and a scope, and the first administrator.

pub mod login;
pub mod password;
pub mod signing_key;
pub mod throttle;
pub mod tokens;

use secrecy::SecretString;

use crate::domain::{AuditAction, Email, Labelled, Name, Role, ScopeError, Siret, UserScope};
use crate::storage::audit::{self, Actor};
pub use crate::storage::users::UserInsertError;
use crate::storage::users::{self, Account, BuyerScope, NewUserRow};
use crate::storage::{BuyerId, DbConnection, StorageError, UserId, buyers, write_transaction};
use password::PasswordError;
use throttle::ThrottlePolicy;

/// An account to create, already parsed from what the operator typed.
pub struct NewAccount {
    pub email: Email,
    pub display_name: Name,
    pub role: Role,
    pub scope: UserScope,
    pub password: SecretString,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Scope(#[from] ScopeError),
    #[error("Aucun acheteur n'a le SIRET {0} : créez-le d'abord (suivi-clauses buyer add).")]
    UnknownBuyer(Siret),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("Le mot de passe actuel est incorrect.")]
    WrongCurrentPassword,
    #[error("Trop d'essais erronés du mot de passe actuel : réessayez dans {0}.")]
    Throttled(throttle::Wait),
    #[error("Ce compte n'existe pas.")]
    NoSuchAccount,
    #[error(transparent)]
    Insert(#[from] UserInsertError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::storage::query_error_through_storage!(AccountError);

/// Creates an account after checking its scope fits its role and its buyers exist; records it
/// in the audit log. Hashing happens before the write transaction so the lock is held briefly.
pub fn create(
    conn: &mut DbConnection,
    account: NewAccount,
    actor: &Actor,
) -> Result<UserId, AccountError> {
    account.scope.validate_for(account.role)?;
    password::check_strength(&account.password)?;
    let password_hash = password::hash(&account.password)?;
    write_transaction(conn, |conn| {
        let buyer_ids = buyer_ids_of(conn, &account.scope)?;
        let id = users::insert(
            conn,
            &NewUserRow {
                email: &account.email,
                display_name: &account.display_name,
                role: account.role,
                all_buyers: account.scope == UserScope::AllBuyers,
                company_siret: company_of(&account.scope),
                buyer_ids: &buyer_ids,
                password_hash: &password_hash,
            },
        )?;
        let created = users::find_by_id(conn, id)?.ok_or(AccountError::NoSuchAccount)?;
        let details = described(conn, &created)?;
        audit::record_detailed(
            conn,
            actor,
            AuditAction::UserCreated,
            account.email.as_str(),
            Some(&details),
        )?;
        Ok(id)
    })
}

/// The ids of the buyers a scope names, each of which must exist.
fn buyer_ids_of(conn: &mut DbConnection, scope: &UserScope) -> Result<Vec<BuyerId>, AccountError> {
    let UserScope::Buyers(sirets) = scope else {
        return Ok(Vec::new());
    };
    sirets
        .iter()
        .map(|siret| {
            buyers::id_by_siret(conn, siret)?
                .ok_or_else(|| AccountError::UnknownBuyer(siret.clone()))
        })
        .collect()
}

fn company_of(scope: &UserScope) -> Option<&str> {
    match scope {
        UserScope::Company(siret) => Some(siret.as_str()),
        _ => None,
    }
}

/// An account's role and scope in words, as the audit log keeps them before and after a change:
/// « Agent acheteur ; acheteurs : 21310001700016 ; actif ».
fn described(conn: &mut DbConnection, account: &Account) -> Result<String, AccountError> {
    let scope = match &account.scope {
        BuyerScope::AllBuyers => "tous les acheteurs".to_owned(),
        BuyerScope::Company { siret } => format!("entreprise : {siret}"),
        BuyerScope::Buyers { buyer_ids } => {
            let sirets: Vec<String> = buyers::list(conn)?
                .into_iter()
                .filter(|b| buyer_ids.contains(&b.id))
                .map(|b| b.siret.as_str().to_owned())
                .collect();
            format!("acheteurs : {}", sirets.join(", "))
        }
    };
    let state = if account.active {
        "actif"
    } else {
        "désactivé"
    };
    Ok(format!("{} ; {scope} ; {state}", account.role.label()))
}

/// A change of an account, as the audit log keeps it: « avant : … → après : … ».
fn before_after(before: &str, after: &str) -> String {
    format!("avant : {before} → après : {after}")
}

/// Gives an account another role and scope, after checking they fit each other and the buyers
/// exist; audited with the account before and after. Returns the account as it now is.
pub fn change_role_and_scope(
    conn: &mut DbConnection,
    id: UserId,
    role: Role,
    scope: &UserScope,
    actor: &Actor,
) -> Result<Account, AccountError> {
    scope.validate_for(role)?;
    write_transaction(conn, |conn| {
        let before = users::find_by_id(conn, id)?.ok_or(AccountError::NoSuchAccount)?;
        let buyer_ids = buyer_ids_of(conn, scope)?;
        let change = users::RoleAndScope {
            role,
            all_buyers: *scope == UserScope::AllBuyers,
            company_siret: company_of(scope),
            buyer_ids: &buyer_ids,
        };
        users::set_role_and_scope(conn, id, &change)?;
        let after = users::find_by_id(conn, id)?.ok_or(AccountError::NoSuchAccount)?;
        audited_change(conn, actor, AuditAction::UserUpdated, &before, &after)?;
        Ok(after)
    })
}

/// One audit line for a change of an account, naming it and saying it before and after.
fn audited_change(
    conn: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
    before: &Account,
    after: &Account,
) -> Result<(), AccountError> {
    let details = before_after(&described(conn, before)?, &described(conn, after)?);
    audit::record_detailed(conn, actor, action, before.email.as_str(), Some(&details))?;
    Ok(())
}

/// Opens a deactivated account again, audited before and after.
pub fn reactivate(conn: &mut DbConnection, id: UserId, actor: &Actor) -> Result<(), AccountError> {
    write_transaction(conn, |conn| {
        let before = users::find_by_id(conn, id)?.ok_or(AccountError::NoSuchAccount)?;
        users::reactivate(conn, id)?;
        let after = users::find_by_id(conn, id)?.ok_or(AccountError::NoSuchAccount)?;
        audited_change(conn, actor, AuditAction::UserReactivated, &before, &after)
    })
}

/// Gives an account a new generated password (to be shown once): the old one stops working and
/// every session of the account ends. Audited without the password.
pub fn reset_password(
    conn: &mut DbConnection,
    id: UserId,
    actor: &Actor,
) -> Result<SecretString, AccountError> {
    let generated = password::generate();
    let hash = password::hash(&generated)?;
    write_transaction(conn, |conn| {
        let account = users::find_by_id(conn, id)?.ok_or(AccountError::NoSuchAccount)?;
        users::set_password_hash(conn, id, &hash)?;
        audit::record(
            conn,
            actor,
            AuditAction::PasswordReset,
            Some(account.email.as_str()),
            None,
        )?;
        Ok::<_, AccountError>(())
    })?;
    Ok(generated)
}

/// The administrator account created on the first start.
pub struct InitialAdmin {
    pub email: Email,
    /// Set when the password was generated: shown once, never stored in clear.
    pub generated_password: Option<SecretString>,
}

/// Creates the first administrator when no active one exists, with the given password or a
/// generated one. Returns `None` when an administrator already exists.
pub fn bootstrap_admin(
    conn: &mut DbConnection,
    email: Email,
    password: Option<SecretString>,
) -> Result<Option<InitialAdmin>, AccountError> {
    if users::count_active_with_role(conn, Role::Admin)? > 0 {
        return Ok(None);
    }
    let generated_password = password.is_none().then(password::generate);
    let chosen = password
        .or_else(|| generated_password.clone())
        .expect("one of the two is set");
    let account = NewAccount {
        email: email.clone(),
        display_name: Name::parse("Administrateur").expect("a valid name"),
        role: Role::Admin,
        scope: UserScope::AllBuyers,
        password: chosen,
    };
    create(conn, account, &Actor::system())?;
    audit::record(
        conn,
        &Actor::system(),
        AuditAction::AdminBootstrapped,
        Some(email.as_str()),
        None,
    )?;
    Ok(Some(InitialAdmin {
        email,
        generated_password,
    }))
}

/// Changes one's own password after checking the current one, throttled as sign-ins are (the
/// same pair of account and address); ends every session. Failures and success are audited.
pub fn change_password(
    conn: &mut DbConnection,
    account: &Account,
    change: &PasswordChange,
    policy: &ThrottlePolicy,
) -> Result<(), AccountError> {
    let pair = throttle::subject(account.email.as_str(), &change.client_address);
    let audited = |conn: &mut DbConnection, action| {
        audit::record(
            conn,
            &Actor::user(account),
            action,
            Some(account.email.as_str()),
            Some(&change.client_address),
        )
    };
    if let Err(wait) = throttle::check(conn, &pair, policy)? {
        audited(conn, AuditAction::PasswordChangeThrottled)?;
        return Err(AccountError::Throttled(wait));
    }
    let stored = users::password_hash(conn, account.id)?;
    if !password::verify(&change.current, &stored) {
        throttle::record_failure(conn, &pair)?;
        audited(conn, AuditAction::PasswordChangeFailed)?;
        return Err(AccountError::WrongCurrentPassword);
    }
    password::check_strength(&change.new)?;
    let hash = password::hash(&change.new)?;
    write_transaction(conn, |conn| {
        users::set_password_hash(conn, account.id, &hash)?;
        throttle::clear(conn, &pair)?;
        audited(conn, AuditAction::PasswordChanged)?;
        Ok(())
    })
}

/// A password change as asked: the current password, the new one, and where from.
pub struct PasswordChange {
    pub current: SecretString,
    pub new: SecretString,
    pub client_address: String,
}

/// Deactivates an account; its sessions end at once. Audited before and after.
pub fn deactivate(conn: &mut DbConnection, id: UserId, actor: &Actor) -> Result<(), AccountError> {
    write_transaction(conn, |conn| {
        let before = users::find_by_id(conn, id)?.ok_or(AccountError::NoSuchAccount)?;
        users::deactivate(conn, id)?;
        let after = users::find_by_id(conn, id)?.ok_or(AccountError::NoSuchAccount)?;
        audited_change(conn, actor, AuditAction::UserDeactivated, &before, &after)
    })
}

/// Ends every session of the account.
pub fn sign_out(conn: &mut DbConnection, account: &Account) -> Result<(), AccountError> {
    write_transaction(conn, |conn| {
        users::revoke_tokens(conn, account.id)?;
        audit::record(
            conn,
            &Actor::user(account),
            AuditAction::SignedOut,
            None,
            None,
        )?;
        Ok(())
    })
}
