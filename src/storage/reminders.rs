//! Reminders by e-mail, one row per company and set of items, updated as it goes from claimed
//! to sent or failed. Claims are taken with the company's row locked, so that two instances
//! sharing one PostgreSQL never both claim the same reminder (SQLite has one writer at a time).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{awards, companies, contracts, lots, reminders};
use super::{BuyerId, CompanyId, DbConnection, ReminderId};
use crate::domain::ReminderState;
use crate::domain::reminder::Earlier;

/// Holds the company's row until the transaction ends: another instance claiming a reminder
/// for it waits, then sees this one's claim.
pub fn lock_company(conn: &mut DbConnection, company_id: CompanyId) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("SELECT id FROM companies WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::BigInt, _>(company_id.get())
            .execute(pg)?;
    }
    Ok(())
}

/// The latest reminder recorded for these items of the company.
pub fn latest(
    conn: &mut DbConnection,
    company_id: CompanyId,
    fingerprint: &str,
) -> QueryResult<Option<(ReminderId, Earlier)>> {
    let row: Option<(
        ReminderId,
        ReminderState,
        NaiveDateTime,
        Option<NaiveDateTime>,
    )> = reminders::table
        .filter(reminders::company_id.eq(company_id))
        .filter(reminders::fingerprint.eq(fingerprint))
        .order(reminders::id.desc())
        .select((
            reminders::id,
            reminders::state,
            reminders::claimed_at,
            reminders::sent_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(id, state, claimed_at, sent_at)| {
        (
            id,
            Earlier {
                state,
                claimed_at,
                sent_at,
            },
        )
    }))
}

/// A reminder as a run claims it.
pub struct NewReminder<'a> {
    pub company_id: CompanyId,
    pub recipient: &'a str,
    /// The lines of the message, one lot each.
    pub items: &'a str,
    pub fingerprint: &'a str,
    pub state: ReminderState,
    pub at: NaiveDateTime,
    pub created_by: &'a str,
}

pub fn insert(conn: &mut DbConnection, new: &NewReminder<'_>) -> QueryResult<ReminderId> {
    diesel::insert_into(reminders::table)
        .values((
            reminders::company_id.eq(new.company_id),
            reminders::recipient.eq(new.recipient),
            reminders::items.eq(new.items),
            reminders::fingerprint.eq(new.fingerprint),
            reminders::state.eq(new.state),
            reminders::attempts.eq(0),
            reminders::created_at.eq(new.at),
            reminders::claimed_at.eq(new.at),
            reminders::created_by.eq(new.created_by),
        ))
        .returning(reminders::id)
        .get_result(conn)
}

/// Takes up a reminder again, to the company's address as it is now.
pub fn reclaim(
    conn: &mut DbConnection,
    id: ReminderId,
    state: ReminderState,
    recipient: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(reminders::table.find(id))
        .set((
            reminders::state.eq(state),
            reminders::recipient.eq(recipient),
            reminders::claimed_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The company's reminders not sent whose items are no longer the current ones.
pub fn replace_others(
    conn: &mut DbConnection,
    company_id: CompanyId,
    fingerprint: &str,
) -> QueryResult<usize> {
    diesel::update(
        reminders::table
            .filter(reminders::company_id.eq(company_id))
            .filter(reminders::fingerprint.ne(fingerprint))
            .filter(reminders::state.eq_any([ReminderState::ToSend, ReminderState::Failed])),
    )
    .set(reminders::state.eq(ReminderState::Replaced))
    .execute(conn)
}

/// What became of a sending: sent, or failed with the relay's answer.
pub fn finish(
    conn: &mut DbConnection,
    id: ReminderId,
    outcome: Result<NaiveDateTime, &str>,
) -> QueryResult<()> {
    let (state, sent_at, error) = match outcome {
        Ok(at) => (ReminderState::Sent, Some(at), None),
        Err(error) => (ReminderState::Failed, None, Some(error)),
    };
    diesel::update(reminders::table.find(id))
        .set((
            reminders::state.eq(state),
            reminders::sent_at.eq(sent_at),
            reminders::error.eq(error),
            reminders::attempts.eq(reminders::attempts + 1),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A reminder as listed.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Reminder {
    pub id: ReminderId,
    pub company_siret: String,
    pub company_name: String,
    pub recipient: String,
    pub items: String,
    pub state: ReminderState,
    pub error: Option<String>,
    pub attempts: i32,
    pub created_at: NaiveDateTime,
    pub claimed_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// The most recent reminders, newest first: of every company, or of the companies holding a
/// lot of these buyers.
pub fn recent(
    conn: &mut DbConnection,
    buyer_ids: Option<&[BuyerId]>,
    limit: i64,
) -> QueryResult<Vec<Reminder>> {
    let mut query = reminders::table
        .inner_join(companies::table)
        .select((
            reminders::id,
            companies::identifier,
            companies::name,
            reminders::recipient,
            reminders::items,
            reminders::state,
            reminders::error,
            reminders::attempts,
            reminders::created_at,
            reminders::claimed_at,
            reminders::sent_at,
        ))
        .order(reminders::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(buyer_ids) = buyer_ids {
        query = query.filter(diesel::dsl::exists(
            awards::table
                .inner_join(lots::table.inner_join(contracts::table))
                .filter(awards::company_id.eq(reminders::company_id))
                .filter(contracts::buyer_id.eq_any(buyer_ids.to_vec())),
        ));
    }
    query.load(conn)
}
