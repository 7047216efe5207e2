//! Accounts as stored: hash, role and scope.

use diesel::prelude::*;

use super::schema::{user_buyers, users};
use super::{BuyerId, DbConnection, UserId, corrupt, is_unique_violation, now};
use crate::domain::{Email, Labelled, Name, Role};

/// What the account service hands to storage once everything is validated and hashed.
pub struct NewUserRow<'a> {
    pub email: &'a Email,
    pub display_name: &'a Name,
    pub role: Role,
    pub all_buyers: bool,
    pub company_siret: Option<&'a str>,
    pub buyer_ids: &'a [BuyerId],
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
pub fn insert(conn: &mut DbConnection, row: &NewUserRow<'_>) -> Result<UserId, UserInsertError> {
    let at = now();
    let id: UserId = diesel::insert_into(users::table)
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
    insert_buyers(conn, id, row.buyer_ids)?;
    Ok(id)
}

fn insert_buyers(conn: &mut DbConnection, id: UserId, buyer_ids: &[BuyerId]) -> QueryResult<()> {
    for buyer in buyer_ids {
        diesel::insert_into(user_buyers::table)
            .values((
                user_buyers::user_id.eq(id),
                user_buyers::buyer_id.eq(*buyer),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// An account's role and scope as an administrator sets them, validated and resolved to ids.
pub struct RoleAndScope<'a> {
    pub role: Role,
    pub all_buyers: bool,
    pub company_siret: Option<&'a str>,
    pub buyer_ids: &'a [BuyerId],
}

/// Replaces the account's role and scope (its buyers' rows too); the caller provides the
/// transaction. Sessions go on: every request reloads the account, so the new scope applies
/// at once.
pub fn set_role_and_scope(
    conn: &mut DbConnection,
    id: UserId,
    change: &RoleAndScope<'_>,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::role.eq(change.role.code()),
            users::all_buyers.eq(change.all_buyers),
            users::company_siret.eq(change.company_siret),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    diesel::delete(user_buyers::table.filter(user_buyers::user_id.eq(id))).execute(conn)?;
    insert_buyers(conn, id, change.buyer_ids)
}

pub fn count_active_with_role(conn: &mut DbConnection, role: Role) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(role.code()))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)
}

/// An account as the session layer sees it: identity, role, resolved scope, token version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Account {
    #[schema(value_type = i64)]
    pub id: UserId,
    pub email: Email,
    pub display_name: Name,
    pub role: Role,
    pub active: bool,
    #[serde(skip)]
    pub token_version: i32,
    pub scope: BuyerScope,
    /// When the account last signed in; never when absent.
    pub last_sign_in_at: Option<chrono::NaiveDateTime>,
}

/// The buyers an account reaches, as database ids.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BuyerScope {
    AllBuyers,
    Buyers {
        #[schema(value_type = Vec<i64>)]
        buyer_ids: Vec<BuyerId>,
    },
    Company {
        siret: String,
    },
}

impl BuyerScope {
    /// Whether an account of this scope follows the buyer: the one reading of the scope's
    /// visibility (a company follows no buyer; it sees the lots it holds).
    pub fn follows(&self, buyer_id: BuyerId) -> bool {
        match self {
            BuyerScope::AllBuyers => true,
            BuyerScope::Buyers { buyer_ids } => buyer_ids.contains(&buyer_id),
            BuyerScope::Company { .. } => false,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct AccountRow {
    id: UserId,
    email: String,
    display_name: String,
    role: String,
    active: bool,
    token_version: i32,
    all_buyers: bool,
    company_siret: Option<String>,
    last_sign_in_at: Option<chrono::NaiveDateTime>,
}

fn to_account(conn: &mut DbConnection, row: AccountRow) -> QueryResult<Account> {
    let scope = match (row.all_buyers, row.company_siret) {
        (true, _) => BuyerScope::AllBuyers,
        (false, Some(siret)) => BuyerScope::Company { siret },
        (false, None) => BuyerScope::Buyers {
            buyer_ids: user_buyers::table
                .filter(user_buyers::user_id.eq(row.id))
                .select(user_buyers::buyer_id)
                .order(user_buyers::buyer_id.asc())
                .load(conn)?,
        },
    };
    Ok(Account {
        id: row.id,
        email: Email::parse(&row.email).map_err(|e| corrupt("adresse de compte", e))?,
        display_name: Name::parse(&row.display_name).map_err(|e| corrupt("nom de compte", e))?,
        role: Role::from_code(&row.role).ok_or_else(|| corrupt("rôle", &row.role))?,
        active: row.active,
        token_version: row.token_version,
        scope,
        last_sign_in_at: row.last_sign_in_at,
    })
}

pub fn find_by_id(conn: &mut DbConnection, id: UserId) -> QueryResult<Option<Account>> {
    let row: Option<AccountRow> = users::table
        .find(id)
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|row| to_account(conn, row)).transpose()
}

/// The account and its password hash, for login.
pub fn find_for_login(
    conn: &mut DbConnection,
    email: &Email,
) -> QueryResult<Option<(Account, String)>> {
    let row: Option<(AccountRow, String)> = users::table
        .filter(users::email.eq(email.as_str()))
        .select((AccountRow::as_select(), users::password_hash))
        .first(conn)
        .optional()?;
    row.map(|(row, hash)| Ok((to_account(conn, row)?, hash)))
        .transpose()
}

pub fn password_hash(conn: &mut DbConnection, id: UserId) -> QueryResult<String> {
    users::table
        .find(id)
        .select(users::password_hash)
        .first(conn)
}

/// Which accounts a list shows; every field left empty lets every account through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFilter {
    pub role: Option<Role>,
    /// Accounts given this buyer by name (not those that see every buyer).
    pub buyer: Option<BuyerId>,
    pub active: Option<bool>,
    pub signed_in: Option<SignedIn>,
}

/// When an account last signed in, as a list filters on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedIn {
    Never,
    Since(chrono::NaiveDateTime),
    NotSince(chrono::NaiveDateTime),
}

/// The accounts the filter lets through, by e-mail.
pub fn list(conn: &mut DbConnection, filter: &AccountFilter) -> QueryResult<Vec<Account>> {
    let mut query = users::table.into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role.code()));
    }
    if let Some(buyer) = filter.buyer {
        query = query.filter(
            users::id.eq_any(
                user_buyers::table
                    .filter(user_buyers::buyer_id.eq(buyer))
                    .select(user_buyers::user_id),
            ),
        );
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    query = match filter.signed_in {
        None => query,
        Some(SignedIn::Never) => query.filter(users::last_sign_in_at.is_null()),
        Some(SignedIn::Since(at)) => query.filter(users::last_sign_in_at.ge(at)),
        Some(SignedIn::NotSince(at)) => query.filter(
            users::last_sign_in_at
                .is_null()
                .or(users::last_sign_in_at.lt(at)),
        ),
    };
    let rows: Vec<AccountRow> = query
        .select(AccountRow::as_select())
        .order(users::email.asc())
        .load(conn)?;
    rows.into_iter().map(|row| to_account(conn, row)).collect()
}

/// Notes the moment of a successful sign-in.
pub fn record_sign_in(conn: &mut DbConnection, id: UserId) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::last_sign_in_at.eq(now()))
        .execute(conn)
}

/// Replaces the password hash; every token issued before stops working.
pub fn set_password_hash(conn: &mut DbConnection, id: UserId, hash: &str) -> QueryResult<usize> {
    let at = now();
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::password_changed_at.eq(at),
            users::updated_at.eq(at),
            users::token_version.eq(users::token_version + 1),
        ))
        .execute(conn)
}

/// Ends every session of the account (logout).
pub fn revoke_tokens(conn: &mut DbConnection, id: UserId) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::token_version.eq(users::token_version + 1),
            users::updated_at.eq(now()),
        ))
        .execute(conn)
}

/// Deactivates the account and ends its sessions.
pub fn deactivate(conn: &mut DbConnection, id: UserId) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::active.eq(false),
            users::token_version.eq(users::token_version + 1),
            users::updated_at.eq(now()),
        ))
        .execute(conn)
}

/// Opens a deactivated account again; its old sessions stay ended (their version is past).
pub fn reactivate(conn: &mut DbConnection, id: UserId) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::active.eq(true), users::updated_at.eq(now())))
        .execute(conn)
}
