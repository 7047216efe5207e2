//! Each clause at a date: hours counted toward its target and its status.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::DataScope;
use crate::domain::contract::last_day;
use crate::domain::{Assessment, ClauseFacts, ClauseStatus, Hours, Labelled, Money, Month, Rate};
use crate::storage::indicators::{self as sums, Counted, HoursFilter};
use crate::storage::{ContractId, DbConnection, LotId, ParticipantId, participants};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseView {
    pub lot_id: LotId,
    pub contract_id: ContractId,
    pub buyer_siret: String,
    pub reference: String,
    pub object: String,
    pub lot: i32,
    pub lot_title: Option<String>,
    pub start: NaiveDate,
    /// Unknown when the register gives neither duration nor end date.
    pub end: Option<NaiveDate>,
    pub target: Hours,
    /// "calibrated" (with its parameters stored) or "typed".
    pub target_source: String,
    /// Every hour declared on the lot up to the date.
    pub worked: Hours,
    /// Those counted toward the target: training only where the clause says so, each
    /// participant's hours up to the clause's cap.
    pub counted: Hours,
    /// Declared on the lot up to the date and awaiting validation (in `worked` and `counted`
    /// only when pending hours are asked for).
    pub pending: Hours,
    pub status: Option<ClauseStatus>,
    pub status_label: Option<&'static str>,
    pub assessment: Option<Assessment>,
    pub penalty_per_hour: Option<Money>,
    /// The share of the counted hours the clause reserves to residents of a priority
    /// neighbourhood (QPV), if it does.
    pub qpv_share: Option<Rate>,
    /// Of the counted hours, those of participants living in a QPV (same rules: training,
    /// cap); none when the clause reserves no share, or for a caller who may not follow
    /// people one by one (`without_people_figures`).
    pub qpv_counted: Option<Hours>,
}

impl ClauseView {
    /// How the target was set, in French: computed by the calibration tool or typed.
    pub fn target_source_label(&self) -> &'static str {
        if self.target_source == "calibrated" {
            "Calibré"
        } else {
            "Saisi"
        }
    }

    /// What its assessment was made of; `None` when its end is unknown.
    pub fn facts(&self) -> Option<ClauseFacts> {
        Some(ClauseFacts {
            target: self.target,
            counted: self.counted,
            start: self.start,
            end: self.end?,
            penalty_per_hour: self.penalty_per_hour,
        })
    }
}

/// The clauses of the scope, assessed at `at` with the hours of the months up to `at`'s.
pub fn assess(
    conn: &mut DbConnection,
    scope: &DataScope,
    at: NaiveDate,
) -> Result<Vec<ClauseView>, diesel::result::Error> {
    assess_lots(conn, scope, at, None)
}

/// `assess`, of `only` these lots of the scope when given: a page of contracts reads the
/// hours of its own lots, not of the whole scope.
pub fn assess_lots(
    conn: &mut DbConnection,
    scope: &DataScope,
    at: NaiveDate,
    only: Option<&[LotId]>,
) -> Result<Vec<ClauseView>, diesel::result::Error> {
    let lots = sums::clause_lots(conn, scope.buyer_ids.as_deref(), scope.company_id, only)?;
    let filter = HoursFilter {
        buyer_ids: scope.buyer_ids.clone(),
        company_id: scope.company_id,
        from_month: 0,
        to_month: Month::of_date(at).map_or(i32::MAX, Month::yyyymm),
        counted: scope.counted(),
    };
    let pending_only = HoursFilter {
        counted: Counted::PendingOnly,
        ..filter.clone()
    };
    let pending: HashMap<LotId, Hours> = sums::hours_by_lot(conn, &pending_only, only)?
        .into_iter()
        .collect();
    let mut by_lot: HashMap<LotId, Vec<sums::ParticipantHours>> = HashMap::new();
    for row in sums::clause_hours_by_participant(conn, &filter, only)? {
        by_lot.entry(row.lot_id).or_default().push(row);
    }
    let qpv = qpv_residents(conn, &lots, &by_lot)?;
    Ok(lots
        .into_iter()
        .map(|lot| {
            let rows = by_lot.remove(&lot.lot_id).unwrap_or_default();
            let worked: Hours = rows.iter().map(|r| r.hours).sum();
            let counted = counted_hours(&rows, lot.training_counts, lot.cap);
            let qpv_counted = lot.qpv_share.map(|_| {
                let residents = rows.iter().filter(|r| qpv.contains(&r.participant_id));
                counted_hours(residents, lot.training_counts, lot.cap)
            });
            let target = lot.target;
            let end = last_day(lot.notification_date, lot.duration_months, lot.end_date);
            let assessment = end.map(|end| {
                ClauseFacts {
                    target,
                    counted,
                    start: lot.notification_date,
                    end,
                    penalty_per_hour: lot.penalty_per_hour,
                }
                .assess(at)
            });
            ClauseView {
                lot_id: lot.lot_id,
                contract_id: lot.contract_id,
                buyer_siret: lot.buyer_siret,
                reference: lot.reference,
                object: lot.object,
                lot: lot.lot_number,
                lot_title: lot.lot_title,
                start: lot.notification_date,
                end,
                target,
                target_source: lot.target_source,
                worked,
                counted,
                pending: pending.get(&lot.lot_id).copied().unwrap_or_default(),
                status: assessment.map(|a| a.status),
                status_label: assessment.map(|a| a.status.label()),
                assessment,
                penalty_per_hour: lot.penalty_per_hour,
                qpv_share: lot.qpv_share,
                qpv_counted,
            }
        })
        .collect())
}

impl ClauseView {
    /// The clause without its QPV hours: on a lot of one or two participants they tell where
    /// each lives, a fact about a person only those who follow people one by one may read.
    pub fn without_people_figures(&self) -> ClauseView {
        ClauseView {
            qpv_counted: None,
            ..self.clone()
        }
    }
}

/// The QPV residents among the participants of the clauses that reserve them a share: read
/// only when one does.
fn qpv_residents(
    conn: &mut DbConnection,
    lots: &[sums::ClauseLot],
    by_lot: &HashMap<LotId, Vec<sums::ParticipantHours>>,
) -> Result<HashSet<ParticipantId>, diesel::result::Error> {
    let mut ids: Vec<ParticipantId> = lots
        .iter()
        .filter(|l| l.qpv_share.is_some())
        .filter_map(|l| by_lot.get(&l.lot_id))
        .flatten()
        .map(|r| r.participant_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    participants::qpv_residents(conn, &ids)
}

/// Training counts only where the clause says so; each participant's counted hours stop at
/// the cap, when the clause has one.
fn counted_hours<'a>(
    rows: impl IntoIterator<Item = &'a sums::ParticipantHours>,
    training_counts: bool,
    cap: Option<Hours>,
) -> Hours {
    let mut per_participant: HashMap<ParticipantId, Hours> = HashMap::new();
    for row in rows.into_iter().filter(|r| training_counts || !r.training) {
        let sum = per_participant.entry(row.participant_id).or_default();
        *sum = [*sum, row.hours].into_iter().sum();
    }
    per_participant
        .values()
        .map(|&h| cap.map_or(h, |cap| h.min(cap)))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(participant: i64, training: bool, hours: i64) -> sums::ParticipantHours {
        sums::ParticipantHours {
            lot_id: LotId::from(1),
            participant_id: ParticipantId::from(participant),
            training,
            hours: Hours::from_whole(hours).unwrap(),
        }
    }

    #[test]
    fn training_counts_only_when_the_clause_says_so_and_the_cap_applies_per_participant() {
        let rows = [row(1, false, 300), row(1, true, 100), row(2, false, 50)];
        assert_eq!(counted_hours(&rows, false, None).hundredths(), 35_000);
        assert_eq!(counted_hours(&rows, true, None).hundredths(), 45_000);
        // Participant 1: 400 h capped at 250; participant 2: 50 h.
        assert_eq!(
            counted_hours(&rows, true, Some(Hours::from_whole(250).unwrap())).hundredths(),
            30_000
        );
    }
}
