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

/// Which lines of the log to show: by whom, which action, between which days (UTC, both
/// days included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

type Row = (
    chrono::NaiveDateTime,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// One page of the lines the filter selects, the most recent first, and how many in all.
pub fn page(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    page: super::PageRequest,
) -> QueryResult<(Vec<AuditEntry>, i64)> {
    let query = || {
        let mut query = audit_log::table.into_boxed();
        if let Some(actor) = &filter.actor {
            query = query.filter(audit_log::actor_label.eq(actor.clone()));
        }
        if let Some(action) = filter.action {
            query = query.filter(audit_log::action.eq(action.code()));
        }
        if let Some(from) = filter.from {
            query = query.filter(audit_log::occurred_at.ge(from.and_time(chrono::NaiveTime::MIN)));
        }
        if let Some(next_day) = filter.to.and_then(|to| to.succ_opt()) {
            query =
                query.filter(audit_log::occurred_at.lt(next_day.and_time(chrono::NaiveTime::MIN)));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .select((
            audit_log::occurred_at,
            audit_log::actor_label,
            audit_log::action,
            audit_log::target,
            audit_log::details,
        ))
        .order((audit_log::occurred_at.desc(), audit_log::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load::<Row>(conn)?;
    Ok((rows.into_iter().map(entry).collect(), total))
}

/// Who appears in the log, in order, to choose from.
pub fn actors(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    audit_log::table
        .select(audit_log::actor_label)
        .distinct()
        .order(audit_log::actor_label.asc())
        .load(conn)
}

fn entry((occurred_at, actor, action, target, details): Row) -> AuditEntry {
    AuditEntry {
        occurred_at,
        actor,
        action,
        target,
        details,
    }
}
