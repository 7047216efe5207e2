//! Signing in: one answer for every failure, the same work whether the account exists or not,
//! and each (account, address) pair slowed down after failures (`throttle`).

use std::sync::OnceLock;

use secrecy::SecretString;

use super::password;
use super::throttle::{self, ThrottlePolicy, Wait};
use crate::domain::{AuditAction, Email};
use crate::storage::audit::{self, Actor};
use crate::storage::users::{self, Account};
use crate::storage::{DbConnection, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("Adresse électronique ou mot de passe incorrect.")]
    InvalidCredentials,
    #[error(
        "Trop d'essais erronés pour ce compte depuis votre poste : réessayez dans {0}. Ailleurs, le bon mot de passe reste accepté."
    )]
    Throttled(Wait),
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

pub fn login(
    conn: &mut DbConnection,
    typed_email: &str,
    typed_password: &SecretString,
    client_address: &str,
    policy: &ThrottlePolicy,
) -> Result<Account, LoginError> {
    let pair = throttle::subject(typed_email, client_address);
    let found = match Email::parse(typed_email) {
        Ok(email) => users::find_for_login(conn, &email)?,
        Err(_) => None,
    };
    let target = found
        .as_ref()
        .map(|(account, _)| account.email.as_str().to_owned());

    if let Err(wait) = throttle::check(conn, &pair, policy)? {
        audit::record(
            conn,
            &Actor::anonymous(),
            AuditAction::LoginThrottled,
            target.as_deref(),
            Some(client_address),
        )?;
        return Err(LoginError::Throttled(wait));
    }

    let verified = password::verify(
        typed_password,
        found.as_ref().map_or(decoy_hash(), |(_, hash)| hash),
    );
    match found {
        Some((account, _)) if verified && account.active => {
            throttle::clear(conn, &pair)?;
            users::record_sign_in(conn, account.id)?;
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
            throttle::record_failure(conn, &pair)?;
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
