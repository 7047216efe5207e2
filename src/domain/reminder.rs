//! Reminders by e-mail: what one reminder asks of a company (its lots and the months missing),
//! the states a reminder goes through, and when a company may be reminded again. The months
//! come from the « À faire » list's own `missing_statement` items: nothing is recomputed here.

use chrono::{Duration, Months, NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};

use super::labels::labelled_enum;
use super::month::Month;

labelled_enum! {
    /// Where a reminder stands.
    pub enum ReminderState ("un état de relance reconnu (to_send, sending, sent, failed, replaced)") {
        /// Recorded while no SMTP relay is set up: sent by the first run that has one.
        ToSend = "to_send", "À envoyer";
        /// Claimed by a run that is handing it to the relay.
        Sending = "sending", "En cours d'envoi";
        Sent = "sent", "Envoyée";
        /// The relay refused it; the next run tries again.
        Failed = "failed", "Échec de l'envoi";
        /// Not sent, and the company's missing statements have changed since: a newer reminder
        /// carries them.
        Replaced = "replaced", "Remplacée par une relance plus récente";
    }
}

/// The months of a lot a reminder asks for: from the month the item stands since to the last
/// whole month before `today`.
pub fn missing_months(since: NaiveDate, today: NaiveDate) -> Vec<Month> {
    let (Ok(mut month), Some(last)) = (
        Month::of_date(since),
        today
            .checked_sub_months(Months::new(1))
            .and_then(|d| Month::of_date(d).ok()),
    ) else {
        return Vec::new();
    };
    let mut months = Vec::new();
    while month <= last {
        months.push(month);
        let Some(next) = month.next() else { break };
        month = next;
    }
    months
}

/// One lot of a reminder and the months it misses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingLot {
    pub lot_id: i64,
    pub buyer_name: String,
    pub reference: String,
    pub lot: i32,
    pub months: Vec<Month>,
}

impl MissingLot {
    /// « 2025-SV-002, lot 1 (Département) : août 2025, septembre 2025 ».
    pub fn line(&self) -> String {
        format!(
            "Marché {}, {} ({}) : {}",
            self.reference,
            super::lot::lot_heading(self.lot, None).to_lowercase(),
            self.buyer_name,
            months_text(&self.months)
        )
    }
}

/// The months in words; a long run as its first and last month.
pub fn months_text(months: &[Month]) -> String {
    match months {
        [] => String::new(),
        [first, .., last] if months.len() > 6 => {
            format!("de {first} à {last} ({} mois)", months.len())
        }
        _ => months
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// What identifies the items of a reminder: the lots and their months, whatever their order.
pub fn fingerprint(items: &[MissingLot]) -> String {
    let mut keys: Vec<String> = items
        .iter()
        .map(|i| {
            let months: Vec<String> = i.months.iter().map(|m| m.iso()).collect();
            format!("{}:{}", i.lot_id, months.join(","))
        })
        .collect();
    keys.sort();
    let digest = Sha256::digest(keys.join(";").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A reminder already recorded for the same company and items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earlier {
    pub state: ReminderState,
    /// When a run last claimed it (to send it, or to record it while no relay is set up).
    pub claimed_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// What a run does with a company's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Nothing is recorded for these items: a new reminder.
    New,
    /// The reminder recorded is taken up again (not sent yet, or its sending was cut off).
    Again,
    /// Sent within the quiet period, or being sent by another run right now.
    Skip,
}

/// How long a claim to send keeps other runs away: past it, the run is taken to have died.
pub const SENDING_LEASE_MINUTES: i64 = 10;

/// The rule: the same items are not sent twice within `quiet_days`; what was not sent is sent
/// by the next run; a sending claimed by another run is left to it while its lease lasts.
pub fn claim(earlier: Option<&Earlier>, now: NaiveDateTime, quiet_days: u32) -> Claim {
    let Some(earlier) = earlier else {
        return Claim::New;
    };
    match earlier.state {
        ReminderState::Sent => {
            let sent = earlier.sent_at.unwrap_or(earlier.claimed_at);
            if now - sent < Duration::days(i64::from(quiet_days)) {
                Claim::Skip
            } else {
                Claim::New
            }
        }
        ReminderState::Sending
            if now - earlier.claimed_at < Duration::minutes(SENDING_LEASE_MINUTES) =>
        {
            Claim::Skip
        }
        ReminderState::Sending | ReminderState::Failed | ReminderState::ToSend => Claim::Again,
        ReminderState::Replaced => Claim::New,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::labels::assert_consistent;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(d: u32, h: u32) -> NaiveDateTime {
        day(2025, 10, d).and_hms_opt(h, 0, 0).unwrap()
    }

    fn earlier(state: ReminderState, claimed: NaiveDateTime) -> Earlier {
        Earlier {
            state,
            claimed_at: claimed,
            sent_at: (state == ReminderState::Sent).then_some(claimed),
        }
    }

    #[test]
    fn labels_are_consistent() {
        assert_consistent::<ReminderState>();
    }

    #[test]
    fn the_months_run_from_the_item_to_the_last_whole_month() {
        let months = missing_months(day(2025, 8, 1), day(2025, 10, 15));
        let isos: Vec<String> = months.iter().map(|m| m.iso()).collect();
        assert_eq!(isos, ["2025-08", "2025-09"]);
        assert_eq!(months_text(&months), "août 2025, septembre 2025");
        let long = missing_months(day(2024, 2, 10), day(2025, 10, 15));
        assert_eq!(long.len(), 20);
        assert_eq!(
            months_text(&long),
            "de février 2024 à septembre 2025 (20 mois)"
        );
    }

    #[test]
    fn the_fingerprint_ignores_the_order_and_tells_months_apart() {
        let lot = |id, months: &[&str]| MissingLot {
            lot_id: id,
            buyer_name: "B".into(),
            reference: "R".into(),
            lot: 1,
            months: months.iter().map(|m| Month::parse(m).unwrap()).collect(),
        };
        let a = [lot(1, &["2025-08"]), lot(2, &["2025-09"])];
        let b = [lot(2, &["2025-09"]), lot(1, &["2025-08"])];
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let c = [lot(1, &["2025-08", "2025-09"]), lot(2, &["2025-09"])];
        assert_ne!(fingerprint(&a), fingerprint(&c));
        assert_eq!(fingerprint(&a).len(), 64);
    }

    #[test]
    fn a_company_is_not_reminded_twice_within_the_quiet_period() {
        use ReminderState::*;
        assert_eq!(claim(None, at(1, 9), 7), Claim::New);
        let sent = earlier(Sent, at(1, 9));
        assert_eq!(claim(Some(&sent), at(8, 8), 7), Claim::Skip);
        assert_eq!(claim(Some(&sent), at(8, 9), 7), Claim::New);
        for state in [Failed, ToSend] {
            assert_eq!(
                claim(Some(&earlier(state, at(1, 9))), at(1, 10), 7),
                Claim::Again
            );
        }
        let sending = earlier(Sending, at(1, 9));
        assert_eq!(claim(Some(&sending), at(1, 9), 7), Claim::Skip);
        assert_eq!(claim(Some(&sending), at(1, 10), 7), Claim::Again);
        assert_eq!(
            claim(Some(&earlier(Replaced, at(1, 9))), at(1, 10), 7),
            Claim::New
        );
    }
}
