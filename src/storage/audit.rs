//! The audit log: who did what, when. Never passwords, tokens or participant data.

use diesel::prelude::*;

use super::schema::audit_log;
use super::{DbConnection, UserId, now};
use crate::domain::{AuditAction, Labelled};

/// Who acted: an account, or an operator at the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub label: String,
}

impl Actor {
    /// Someone not signed in (a failed login).
    pub fn anonymous() -> Actor {
        Actor {
            user_id: None,
            label: "anonyme".to_owned(),
        }
    }

    pub fn user(account: &crate::storage::users::Account) -> Actor {
        Actor {
            user_id: Some(account.id),
            label: account.email.as_str().to_owned(),
        }
    }

    pub fn command_line() -> Actor {
        Actor {
            user_id: None,
            label: "ligne de commande".to_owned(),
        }
    }

    pub fn system() -> Actor {
        Actor {
            user_id: None,
            label: "suivi-clauses".to_owned(),
        }
    }
}

pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
    target: Option<&str>,
    client_ip: Option<&str>,
) -> QueryResult<()> {
    insert(conn, actor, action, target, None, client_ip)
}

/// A line with what it needs said beside its target (a decision's reason).
pub fn record_detailed(
    conn: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
    target: &str,
    details: Option<&str>,
) -> QueryResult<()> {
    insert(conn, actor, action, Some(target), details, None)
}

fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
    target: Option<&str>,
    details: Option<&str>,
    client_ip: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::occurred_at.eq(now()),
            audit_log::actor_user_id.eq(actor.user_id),
            audit_log::actor_label.eq(&actor.label),
            audit_log::action.eq(action.code()),
            audit_log::target.eq(target),
            audit_log::details.eq(details),
            audit_log::client_ip.eq(client_ip),
        ))
        .execute(conn)
        .map(drop)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub occurred_at: chrono::NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    /// What the action said beside its target: a review decision's reason.
    pub details: Option<String>,
}

/// The most recent entries first.
pub fn recent(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .select((
            audit_log::occurred_at,
            audit_log::actor_label,
            audit_log::action,
            audit_log::target,
            audit_log::details,
        ))
        .order((audit_log::occurred_at.desc(), audit_log::id.desc()))
        .limit(limit)
        .load::<(
            chrono::NaiveDateTime,
            String,
            String,
            Option<String>,
            Option<String>,
        )>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(occurred_at, actor, action, target, details)| AuditEntry {
                    occurred_at,
                    actor,
                    action,
                    target,
                    details,
                })
                .collect()
        })
}
