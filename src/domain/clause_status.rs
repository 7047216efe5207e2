//! Where a clause stands at a date: from its target, the hours counted toward it, and the
//! share of the contract's duration elapsed.

use chrono::NaiveDate;

use super::labels::labelled_enum;
use super::{Hours, Money, Rate};

labelled_enum! {
    /// The status of an insertion clause, as facilitateurs report it.
    pub enum ClauseStatus ("un état de clause reconnu") {
        NotStarted = "not_started", "Non commencée";
        OnTrack = "on_track", "Dans les temps";
        Behind = "behind", "En retard";
        Fulfilled = "fulfilled", "Réalisée";
        EndedShort = "ended_short", "Terminée non atteinte";
    }
}

/// A clause without any hour yet is "not started" until this share of its duration has
/// elapsed (the preparation time before the first hires); after it, it is behind.
pub const START_GRACE: Rate = match Rate::const_from_basis_points(2_500) {
    Some(rate) => rate,
    None => panic!("25 %"),
};

/// What is known of a clause at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClauseFacts {
    pub target: Hours,
    /// Hours counted toward the target (training only where the clause says so, capped per
    /// participant where it has a cap).
    pub counted: Hours,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub penalty_per_hour: Option<Money>,
}

/// The clause's assessment at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessment {
    pub status: ClauseStatus,
    /// Share of the period from notification to end elapsed at the date.
    pub elapsed: Rate,
    /// Hours that would be done by now at an even pace: target × elapsed.
    pub expected: Hours,
    /// Hours at the end date if the pace so far goes on: counted ÷ elapsed.
    pub projected: Option<Hours>,
    /// Hours still missing to reach the target.
    pub missing: Hours,
    /// What the missing hours would cost at the clause's penalty per hour.
    pub penalty: Option<Money>,
    /// Counted ÷ target.
    pub realisation: Option<Rate>,
}

impl ClauseFacts {
    pub fn assess(&self, at: NaiveDate) -> Assessment {
        let elapsed = elapsed_share(self.start, self.end, at);
        let (target, counted) = (self.target, self.counted);
        let expected = target.times(elapsed);
        let missing = target.saturating_sub(counted);
        let projected = counted.divided_by(elapsed);
        let status = if counted >= target && target > Hours::ZERO {
            ClauseStatus::Fulfilled
        } else if at >= self.end {
            ClauseStatus::EndedShort
        } else if counted == Hours::ZERO && elapsed <= START_GRACE {
            ClauseStatus::NotStarted
        } else if counted >= expected {
            ClauseStatus::OnTrack
        } else {
            ClauseStatus::Behind
        };
        let penalty = self.penalty_per_hour.and_then(|per_hour| {
            // hundredths of an hour × cents per hour ÷ 100, rounded half up.
            let cents =
                (i128::from(missing.hundredths()) * i128::from(per_hour.cents()) + 50) / 100;
            i64::try_from(cents)
                .ok()
                .and_then(|c| Money::from_cents(c).ok())
        });
        Assessment {
            status,
            elapsed,
            expected,
            projected,
            missing,
            penalty,
            realisation: Rate::ratio(counted.min(target).hundredths(), target.hundredths()),
        }
    }
}

/// Share of [start, end] elapsed at `at`, between 0 and 100 %, by days.
pub fn elapsed_share(start: NaiveDate, end: NaiveDate, at: NaiveDate) -> Rate {
    let total = (end - start).num_days();
    if total <= 0 || at >= end {
        return Rate::FULL;
    }
    let done = (at - start).num_days().clamp(0, total);
    Rate::ratio(done, total).unwrap_or(Rate::FULL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::labels::assert_consistent;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// 1 000 h over 2025 (365 days), 30 €/h of penalty.
    fn clause(counted: i64) -> ClauseFacts {
        ClauseFacts {
            target: Hours::from_whole(1_000).unwrap(),
            counted: Hours::from_whole(counted).unwrap(),
            start: day(2025, 1, 1),
            end: day(2026, 1, 1),
            penalty_per_hour: Some(Money::from_euros(30).unwrap()),
        }
    }

    #[test]
    fn labels_are_consistent() {
        assert_consistent::<ClauseStatus>();
    }

    #[test]
    fn halfway_through_the_year_500_hours_are_on_track() {
        // 1 July 2025: 181 of 365 days = 49,59 % → 495,90 h expected.
        let a = clause(500).assess(day(2025, 7, 1));
        assert_eq!(a.elapsed.basis_points(), 4_959);
        assert_eq!(a.expected.hundredths(), 49_590);
        assert_eq!(a.status, ClauseStatus::OnTrack);
        // 500 ÷ 0,4959 = 1 008,27 h at this pace.
        assert_eq!(a.projected.unwrap().hundredths(), 100_827);
        assert_eq!(a.missing.hundredths(), 50_000);
        assert_eq!(a.penalty.unwrap().cents(), 1_500_000);
        assert_eq!(a.realisation.unwrap().basis_points(), 5_000);
    }

    #[test]
    fn fewer_hours_than_the_even_pace_are_behind() {
        assert_eq!(
            clause(400).assess(day(2025, 7, 1)).status,
            ClauseStatus::Behind
        );
    }

    #[test]
    fn no_hours_is_not_started_until_a_quarter_of_the_period_then_behind() {
        assert_eq!(
            clause(0).assess(day(2024, 12, 1)).status,
            ClauseStatus::NotStarted
        );
        assert_eq!(
            clause(0).assess(day(2025, 3, 1)).status,
            ClauseStatus::NotStarted
        );
        assert_eq!(
            clause(0).assess(day(2025, 5, 1)).status,
            ClauseStatus::Behind
        );
    }

    #[test]
    fn the_end_date_decides_between_fulfilled_and_ended_short() {
        let short = clause(900).assess(day(2026, 1, 1));
        assert_eq!(short.status, ClauseStatus::EndedShort);
        assert_eq!(short.missing.hundredths(), 10_000);
        assert_eq!(short.penalty.unwrap().cents(), 300_000);
        let done = clause(1_200).assess(day(2025, 10, 1));
        assert_eq!(done.status, ClauseStatus::Fulfilled);
        assert_eq!(done.missing, Hours::ZERO);
        assert_eq!(done.penalty.unwrap(), Money::ZERO);
        assert_eq!(done.realisation.unwrap(), Rate::FULL);
    }
}
