//! Signing in: one answer for every failure, the same work whether the account exists or not,
//! and throttling per account and per address.

use std::sync::OnceLock;
use std::time::Duration;

use secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::password;
use crate::domain::{AuditAction, Email};
use crate::storage::audit::{self, Actor};
use crate::storage::users::{self, Account};
use crate::storage::{DbConnection, StorageError, login_failures, now};

/// How many failures, within which window, before logins are refused for a while.
#[derive(Debug, Clone)]
pub struct ThrottlePolicy {
    pub window: Duration,
    pub max_failures_per_account: i64,
    pub max_failures_per_address: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("Adresse électronique ou mot de passe incorrect.")]
    InvalidCredentials,
    #[error(
        "Trop de tentatives de connexion échouées : réessayez dans {minutes} minutes, ou demandez à un administrateur de vérifier votre compte."
    )]
    Throttled { minutes: u64 },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::storage::query_error_through_storage!(LoginError);

/// A hash of a random password, verified when the account does not exist so that an unknown
/// address costs the same time as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        password::hash(&password::generate()).expect("hashing a generated password")
    })
}

/// Computes the decoy hash ahead of the first login (call at start-up, off the async workers).
pub fn warm_up() {
    decoy_hash();
}

/// Throttling keys: the typed address is hashed, so a password typed in the wrong field is
/// never stored.
fn subjects(typed_email: &str, client_address: &str) -> (String, String) {
    let digest = Sha256::digest(typed_email.trim().to_lowercase().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    (
        format!("account:{hex}"),
        format!("address:{client_address}"),
    )
}

pub fn login(
    conn: &mut DbConnection,
    typed_email: &str,
    typed_password: &SecretString,
    client_address: &str,
    policy: &ThrottlePolicy,
) -> Result<Account, LoginError> {
    let since =
        now() - chrono::Duration::from_std(policy.window).unwrap_or(chrono::Duration::minutes(15));
    login_failures::prune(conn, since)?;
    let (account_key, address_key) = subjects(typed_email, client_address);
    let found = match Email::parse(typed_email) {
        Ok(email) => users::find_for_login(conn, &email)?,
        Err(_) => None,
    };
    let target = found
        .as_ref()
        .map(|(account, _)| account.email.as_str().to_owned());

    let throttled = login_failures::count_since(conn, &account_key, since)?
        >= policy.max_failures_per_account
        || login_failures::count_since(conn, &address_key, since)?
            >= policy.max_failures_per_address;
    if throttled {
        audit::record(
            conn,
            &Actor::anonymous(),
            AuditAction::LoginThrottled,
            target.as_deref(),
            Some(client_address),
        )?;
        return Err(LoginError::Throttled {
            minutes: policy.window.as_secs().div_ceil(60),
        });
    }

    let verified = password::verify(
        typed_password,
        found.as_ref().map_or(decoy_hash(), |(_, hash)| hash),
    );
    match found {
        Some((account, _)) if verified && account.active => {
            login_failures::clear(conn, &account_key)?;
            let actor = Actor::user(&account);
            audit::record(
                conn,
                &actor,
                AuditAction::LoginSucceeded,
                None,
                Some(client_address),
            )?;
            Ok(account)
        }
        _ => {
            login_failures::record(conn, &account_key)?;
            login_failures::record(conn, &address_key)?;
            audit::record(
                conn,
                &Actor::anonymous(),
                AuditAction::LoginFailed,
                target.as_deref(),
                Some(client_address),
            )?;
            Err(LoginError::InvalidCredentials)
        }
    }
}
