//! Failed logins within the throttling window, shared by every instance on one database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::login_failures;
use super::{DbConnection, now};

pub fn record(conn: &mut DbConnection, subject: &str) -> QueryResult<()> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::subject.eq(subject),
            login_failures::occurred_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

/// How many failures of `subject` since then, and when the last one happened.
pub fn recent(
    conn: &mut DbConnection,
    subject: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    login_failures::table
        .filter(login_failures::subject.eq(subject))
        .filter(login_failures::occurred_at.ge(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(login_failures::occurred_at),
        ))
        .get_result(conn)
}

pub fn clear(conn: &mut DbConnection, subject: &str) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::subject.eq(subject)))
        .execute(conn)
        .map(drop)
}

/// Forgets failures older than the window: the table never holds more than recent attempts.
pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::occurred_at.lt(before)))
        .execute(conn)
        .map(drop)
}
