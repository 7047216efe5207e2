//! One's own account: signing in and out, changing one's password.

use secrecy::SecretString;

use super::AppError;
use crate::accounts::{self, login};
use crate::storage::DbConnection;
use crate::storage::users::Account;

/// Checks the credentials, throttled per account and per client address.
pub fn sign_in(
    conn: &mut DbConnection,
    email: &str,
    password: &SecretString,
    client_address: &str,
    policy: &login::ThrottlePolicy,
) -> Result<Account, AppError> {
    Ok(login::login(conn, email, password, client_address, policy)?)
}

/// Ends every session of the account.
pub fn sign_out(conn: &mut DbConnection, account: &Account) -> Result<(), AppError> {
    Ok(accounts::sign_out(conn, account)?)
}

/// Changes one's own password after checking the current one; every session ends.
pub fn change_password(
    conn: &mut DbConnection,
    account: &Account,
    current: &SecretString,
    new: &SecretString,
) -> Result<(), AppError> {
    Ok(accounts::change_password(conn, account, current, new)?)
}
