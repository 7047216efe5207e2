//! One's own account: signing in and out, changing one's password.

use secrecy::SecretString;

use super::AppError;
use crate::accounts::throttle::ThrottlePolicy;
use crate::accounts::{self, PasswordChange, login};
use crate::storage::DbConnection;
use crate::storage::users::Account;

/// Checks the credentials, throttled per pair of account and client address.
pub fn sign_in(
    conn: &mut DbConnection,
    email: &str,
    password: &SecretString,
    client_address: &str,
    policy: &ThrottlePolicy,
) -> Result<Account, AppError> {
    Ok(login::login(conn, email, password, client_address, policy)?)
}

/// Ends every session of the account.
pub fn sign_out(conn: &mut DbConnection, account: &Account) -> Result<(), AppError> {
    Ok(accounts::sign_out(conn, account)?)
}

/// Changes one's own password after checking the current one (throttled as sign-ins are);
/// every session ends.
pub fn change_password(
    conn: &mut DbConnection,
    account: &Account,
    change: &PasswordChange,
    policy: &ThrottlePolicy,
) -> Result<(), AppError> {
    Ok(accounts::change_password(conn, account, change, policy)?)
}
