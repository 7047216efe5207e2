//! Reminders by e-mail: each company with missing statements in the caller's scope — the
//! `missing_statement` items of the « À faire » list, the one source of what is missing —
//! gets one message listing its lots and months, at most once per quiet period for the same
//! items. Every reminder is recorded before it is sent and its outcome after, so that nothing
//! is lost: a refused one is sent again by the next run; without a relay, it waits « à
//! envoyer ».

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::followup::{self, FollowupQuery};
use super::{AppError, Caller, ErrorCode};
use crate::domain::authorization::Action;
use crate::domain::reminder::{self, Claim, MissingLot};
use crate::domain::{AuditAction, FollowupKind, FollowupRules, Labelled, ReminderState};
use crate::indicators::FigureCache;
use crate::indicators::followup::FollowupItem;
use crate::mail::Outbox;
use crate::mail::reminder::{Addressee, letter};
use crate::storage::reminders::{self, NewReminder, Reminder};
use crate::storage::{
    CompanyId, DbConnection, ReminderId, audit, companies, now, write_transaction,
};

/// What a run is asked: the date the « À faire » rules are applied at, and whether it only
/// says what it would send.
#[derive(Debug, Clone, Copy)]
pub struct RemindRequest {
    pub today: NaiveDate,
    pub dry_run: bool,
}

/// What became of one company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Dry run: would be sent (or recorded « à envoyer » without a relay).
    WouldSend,
    /// No contact address recorded: nothing sent, nothing recorded.
    NoAddress,
    /// Reminded of the same items within the quiet period, or being sent by another run.
    AlreadyReminded,
    /// Recorded « à envoyer »: no relay is set up.
    ToSend,
    Sent,
    /// The relay refused it: its answer. The next run tries again.
    Failed(String),
}

/// One company's reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyReminder {
    pub siret: String,
    pub name: String,
    pub recipient: Option<String>,
    pub items: Vec<MissingLot>,
    pub outcome: Outcome,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemindReport {
    pub today: NaiveDate,
    pub dry_run: bool,
    /// Whether an SMTP relay is set up.
    pub relay: bool,
    pub companies: Vec<CompanyReminder>,
}

/// A company and its items, before anything is recorded.
struct Due {
    company_id: CompanyId,
    reminder: CompanyReminder,
    /// The buyer's name when all its items are one buyer's: the sender's name.
    from_name: String,
}

/// Reminds each company of the caller's scope that misses statements.
pub fn remind(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    rules: &FollowupRules,
    outbox: &Outbox,
    request: RemindRequest,
) -> Result<RemindReport, AppError> {
    if !caller.may(Action::SendReminders) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let query = FollowupQuery {
        kind: Some(FollowupKind::MissingStatement),
        ..FollowupQuery::all_at(request.today)
    };
    let lines = followup::list(conn, cache, caller, rules, &query)?;
    let items: Vec<&FollowupItem> = lines.iter().map(|l| &l.item).collect();
    let mut done = Vec::new();
    for due in due(conn, &items, request.today)? {
        let mut reminder = due.reminder.clone();
        reminder.outcome = if reminder.recipient.is_none() {
            Outcome::NoAddress
        } else if request.dry_run {
            Outcome::WouldSend
        } else {
            send(conn, caller, outbox, &due)?
        };
        done.push(reminder);
    }
    Ok(RemindReport {
        today: request.today,
        dry_run: request.dry_run,
        relay: outbox.mailer.has_relay(),
        companies: done,
    })
}

/// The items grouped by company (those of a lot with no holder have no one to write to), with
/// each company's contact address, by name.
fn due(
    conn: &mut DbConnection,
    items: &[&FollowupItem],
    today: NaiveDate,
) -> Result<Vec<Due>, AppError> {
    let mut by_siret: BTreeMap<&str, Vec<&FollowupItem>> = BTreeMap::new();
    for item in items {
        if let Some(firm) = &item.company {
            by_siret.entry(firm.siret.as_str()).or_default().push(item);
        }
    }
    let sirets: Vec<String> = by_siret.keys().map(|s| (*s).to_owned()).collect();
    let mut due = Vec::new();
    for contact in companies::contacts(conn, &sirets)? {
        let Some(items) = by_siret.get(contact.siret.as_str()) else {
            continue;
        };
        let buyers: std::collections::BTreeSet<&str> =
            items.iter().map(|i| i.buyer_name.as_str()).collect();
        due.push(Due {
            company_id: contact.id,
            from_name: match buyers.iter().next() {
                Some(only) if buyers.len() == 1 => (*only).to_owned(),
                _ => String::new(),
            },
            reminder: CompanyReminder {
                siret: contact.siret,
                name: contact.name,
                recipient: contact.email,
                items: items.iter().filter_map(|i| missing_lot(i, today)).collect(),
                outcome: Outcome::WouldSend,
            },
        });
    }
    due.sort_by(|a, b| {
        (&a.reminder.name, &a.reminder.siret).cmp(&(&b.reminder.name, &b.reminder.siret))
    });
    Ok(due)
}

/// The lot a missing statement is about (every such item has one).
fn missing_lot(item: &FollowupItem, today: NaiveDate) -> Option<MissingLot> {
    Some(MissingLot {
        lot_id: item.lot_id?.get(),
        buyer_name: item.buyer_name.clone(),
        reference: item.reference.clone(),
        lot: item.lot?,
        months: reminder::missing_months(item.since, today),
    })
}

/// Claims the reminder, then hands it to the relay (outside any transaction) and records
/// what the relay answered.
fn send(
    conn: &mut DbConnection,
    caller: &Caller,
    outbox: &Outbox,
    due: &Due,
) -> Result<Outcome, AppError> {
    let Some(id) = claim(conn, caller, outbox, due)? else {
        return Ok(Outcome::AlreadyReminded);
    };
    let r = &due.reminder;
    let recipient = r.recipient.as_deref().unwrap_or_default();
    if !outbox.mailer.has_relay() {
        let target = format!("{} ({}) → {recipient}", r.name, r.siret);
        audit::record(
            conn,
            &caller.actor,
            AuditAction::ReminderRecorded,
            Some(&target),
            None,
        )?;
        return Ok(Outcome::ToSend);
    }
    let to = Addressee {
        name: &r.name,
        siret: &r.siret,
        email: recipient,
    };
    let message = letter(
        &to,
        &r.items,
        &outbox.public_url,
        &due.from_name,
        outbox.quiet_days,
    );
    let sent = outbox.mailer.send(&message);
    write_transaction(conn, |conn| {
        reminders::finish(
            conn,
            id,
            sent.as_ref().map(|()| now()).map_err(String::as_str),
        )?;
        let (action, details) = match &sent {
            Ok(()) => (AuditAction::ReminderSent, lines_of(&r.items)),
            Err(error) => (AuditAction::ReminderFailed, error.clone()),
        };
        let target = format!("{} ({}) → {recipient}", r.name, r.siret);
        audit::record_detailed(conn, &caller.actor, action, &target, Some(&details))
    })?;
    Ok(match sent {
        Ok(()) => Outcome::Sent,
        Err(error) => Outcome::Failed(error),
    })
}

fn lines_of(items: &[MissingLot]) -> String {
    items
        .iter()
        .map(MissingLot::line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Records the reminder as this run's, with the company's row locked so that another run
/// waits and then sees it; `None` when the rule says it is not to be sent now.
fn claim(
    conn: &mut DbConnection,
    caller: &Caller,
    outbox: &Outbox,
    due: &Due,
) -> Result<Option<ReminderId>, AppError> {
    let r = &due.reminder;
    let fingerprint = reminder::fingerprint(&r.items);
    let recipient = r.recipient.as_deref().unwrap_or_default();
    let state = if outbox.mailer.has_relay() {
        ReminderState::Sending
    } else {
        ReminderState::ToSend
    };
    let at = now();
    Ok(write_transaction(conn, |conn| {
        reminders::lock_company(conn, due.company_id)?;
        let earlier = reminders::latest(conn, due.company_id, &fingerprint)?;
        let id = match reminder::claim(earlier.as_ref().map(|e| &e.1), at, outbox.quiet_days) {
            Claim::Skip => return Ok::<_, diesel::result::Error>(None),
            Claim::Again => {
                let id = earlier
                    .map(|e| e.0)
                    .ok_or(diesel::result::Error::NotFound)?;
                reminders::reclaim(conn, id, state, recipient, at)?;
                id
            }
            Claim::New => {
                reminders::replace_others(conn, due.company_id, &fingerprint)?;
                reminders::insert(
                    conn,
                    &NewReminder {
                        company_id: due.company_id,
                        recipient,
                        items: &lines_of(&r.items),
                        fingerprint: &fingerprint,
                        state,
                        at,
                        created_by: &caller.actor.label,
                    },
                )?
            }
        };
        Ok(Some(id))
    })?)
}

/// The most recent reminders of the companies in the caller's scope, newest first.
pub fn recent(conn: &mut DbConnection, caller: &Caller) -> Result<Vec<Reminder>, AppError> {
    if !caller.may(Action::SendReminders) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let scope = caller.data_scope(conn, &super::Narrowing::default())?;
    Ok(reminders::recent(conn, scope.buyer_ids.as_deref(), 200)?)
}

/// What is said when no relay is set up.
pub const NO_RELAY: &str = "Aucun relais SMTP n'est configuré (réglage mail.smtp_host) : les relances sont enregistrées « à envoyer » et partiront à la première relance lancée une fois le relais configuré.";

impl Outcome {
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::WouldSend => "would_send",
            Outcome::NoAddress => "no_address",
            Outcome::AlreadyReminded => "already_reminded",
            Outcome::ToSend => "to_send",
            Outcome::Sent => "sent",
            Outcome::Failed(_) => "failed",
        }
    }

    pub fn label(&self) -> String {
        match self {
            Outcome::WouldSend => "Serait envoyée".to_owned(),
            Outcome::NoAddress => {
                "Pas de courriel de contact : renseignez-le pour relancer l'entreprise".to_owned()
            }
            Outcome::AlreadyReminded => "Déjà relancée pour ces relevés récemment".to_owned(),
            Outcome::ToSend => ReminderState::ToSend.label().to_owned(),
            Outcome::Sent => ReminderState::Sent.label().to_owned(),
            Outcome::Failed(error) => format!("{} : {error}", ReminderState::Failed.label()),
        }
    }
}

impl RemindReport {
    /// The run in one French sentence.
    pub fn summary(&self) -> String {
        let count = |code: &str| {
            self.companies
                .iter()
                .filter(|c| c.outcome.code() == code)
                .count()
        };
        if self.companies.is_empty() {
            return "Aucune entreprise n'a de relevé manquant : aucune relance.".to_owned();
        }
        let mut parts = if self.dry_run {
            vec![format!(
                "Simulation : {} relance(s) seraient envoyées, rien n'est envoyé ni enregistré",
                count("would_send")
            )]
        } else {
            vec![
                format!("{} relance(s) envoyée(s)", count("sent")),
                format!("{} refusée(s) par le relais", count("failed")),
                format!("{} « à envoyer »", count("to_send")),
                format!("{} déjà relancée(s) récemment", count("already_reminded")),
            ]
        };
        parts.push(format!(
            "{} entreprise(s) sans courriel de contact",
            count("no_address")
        ));
        let mut summary = format!("{}.", parts.join(", "));
        if !self.relay {
            summary = format!("{NO_RELAY} {summary}");
        }
        summary
    }
}
