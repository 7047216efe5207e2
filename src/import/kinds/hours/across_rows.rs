//! The checks that look at the rows of a file together, and at the hours already stored.

use std::collections::{HashMap, HashSet};

use super::statement::{EntryKey, Statement};
use crate::domain::{Hours, Month};
use crate::import::reporter::Reporter;
use crate::storage::ParticipantId;

// The two checks below look at every row of the file together. They sort the rows in place
// instead of keeping a map of every key: a million-row statement would hold its keys twice more.

/// A row with the key (lot, company, participant, month, modality) of an earlier row is
/// refused, and named with the first row of that key; returns the rows refused.
pub fn refuse_repeated(statements: &mut [Statement], report: &mut Reporter<'_>) -> HashSet<u32> {
    statements.sort_unstable_by_key(|s| (s.entry, s.row));
    let mut refused = HashSet::new();
    let mut first: Option<&Statement> = None;
    for statement in statements.iter() {
        match first {
            Some(first) if first.entry == statement.entry => {
                refused.insert(statement.row);
                report.add(
                    statement.row,
                    "pseudonym",
                    None,
                    format!(
                        "Cette ligne répète la ligne {} (même lot, entreprise, participant, mois et modalité) : gardez-en une.",
                        first.row
                    ),
                );
            }
            _ => first = Some(statement),
        }
    }
    refused
}

/// Counted in the file's order, the row with which a participant's hours of a month (all
/// lots, companies and modalities of the file) pass the ceiling is refused, and those after it;
/// returns them. Rows already `refused` do not count.
pub fn refuse_past_ceiling(
    statements: &mut [Statement],
    max: Hours,
    refused: &HashSet<u32>,
    report: &mut Reporter<'_>,
) -> HashSet<u32> {
    statements.sort_unstable_by_key(|s| (s.entry.participant_id, s.entry.month, s.row));
    let mut past = HashSet::new();
    let mut month: Option<(ParticipantId, Month)> = None;
    let mut total = Hours::ZERO;
    for statement in statements.iter().filter(|s| !refused.contains(&s.row)) {
        let this = (statement.entry.participant_id, statement.entry.month);
        if month != Some(this) {
            month = Some(this);
            total = Hours::ZERO;
        }
        total = total
            .checked_add(statement.hours)
            .unwrap_or(statement.hours);
        if total > max {
            past.insert(statement.row);
            report.add(
                statement.row,
                "hours",
                Some(statement.hours.to_string()),
                format!(
                    "Avec cette ligne, le participant dépasse {max} en {} : vérifiez les heures déclarées.",
                    statement.entry.month
                ),
            );
        }
    }
    past
}

/// Hours already stored count toward the monthly ceiling too, except the entries this file
/// replaces. Reported on the file's last row for that participant and month.
pub fn check_stored_totals(
    statements: &[Statement],
    stored: &[(EntryKey, Hours)],
    max: Hours,
    report: &mut Reporter<'_>,
) {
    // Only the participants' months with hours stored are concerned, usually few: the maps
    // below hold those, not every row of a large file.
    let stored_keys: HashSet<EntryKey> = stored.iter().map(|(key, _)| *key).collect();
    let replaced: HashSet<EntryKey> = statements
        .iter()
        .map(|s| s.entry)
        .filter(|key| stored_keys.contains(key))
        .collect();
    let mut stored_by_month: HashMap<(ParticipantId, Month), Hours> = HashMap::new();
    for (key, hours) in stored.iter().filter(|(key, _)| !replaced.contains(key)) {
        let sum = stored_by_month
            .entry((key.participant_id, key.month))
            .or_insert(Hours::ZERO);
        *sum = sum.checked_add(*hours).unwrap_or(*sum);
    }
    let mut in_file: HashMap<(ParticipantId, Month), (Hours, u32)> = HashMap::new();
    for s in statements {
        let month = (s.entry.participant_id, s.entry.month);
        if !stored_by_month.contains_key(&month) {
            continue;
        }
        let slot = in_file.entry(month).or_insert((Hours::ZERO, s.row));
        slot.0 = slot.0.checked_add(s.hours).unwrap_or(slot.0);
        slot.1 = slot.1.max(s.row);
    }
    let mut pairs: Vec<_> = in_file.into_iter().collect();
    pairs.sort_by_key(|(_, (_, row))| *row);
    for ((participant, month), (file_total, last_row)) in pairs {
        let already = stored_by_month
            .get(&(participant, month))
            .copied()
            .unwrap_or(Hours::ZERO);
        if already > Hours::ZERO
            && file_total
                .checked_add(already)
                .is_none_or(|total| total > max)
        {
            report.add(
                last_row,
                "hours",
                Some(file_total.to_string()),
                format!(
                    "Avec les {already} déjà enregistrées pour ce participant en {month} (autres lots ou entreprises), il dépasserait {max} : vérifiez les heures déclarées."
                ),
            );
        }
    }
}
