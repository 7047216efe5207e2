//! Accounts as stored: hash, role and scope.

use diesel::prelude::*;

use super::schema::{user_buyers, users};
use super::{DbConnection, is_unique_violation, now};
use crate::domain::{Email, Labelled, Name, Role};

/// What the account service hands to storage once everything is validated and hashed.
pub struct NewUserRow<'a> {
    pub email: &'a Email,
    pub display_name: &'a Name,
    pub role: Role,
    pub all_buyers: bool,
    pub company_siret: Option<&'a str>,
    pub buyer_ids: &'a [i64],
    pub password_hash: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum UserInsertError {
    #[error("Un compte existe déjà pour l'adresse {0}.")]
    EmailTaken(Email),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

/// Inserts the account and its buyer scope; the caller provides the transaction.
pub fn insert(conn: &mut DbConnection, row: &NewUserRow<'_>) -> Result<i64, UserInsertError> {
    let at = now();
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::email.eq(row.email.as_str()),
            users::display_name.eq(row.display_name.as_str()),
            users::role.eq(row.role.code()),
            users::all_buyers.eq(row.all_buyers),
            users::company_siret.eq(row.company_siret),
            users::password_hash.eq(row.password_hash),
            users::active.eq(true),
            users::token_version.eq(0),
            users::password_changed_at.eq(at),
            users::created_at.eq(at),
            users::updated_at.eq(at),
        ))
        .returning(users::id)
        .get_result(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                UserInsertError::EmailTaken(row.email.clone())
            } else {
                e.into()
            }
        })?;
    for buyer in row.buyer_ids {
        diesel::insert_into(user_buyers::table)
            .values((
                user_buyers::user_id.eq(id),
                user_buyers::buyer_id.eq(*buyer),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

pub fn count_active_with_role(conn: &mut DbConnection, role: Role) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(role.code()))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)
}
