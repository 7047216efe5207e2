//! Which counts of people a reader who may see aggregates only is shown: the one rule behind
//! the API, the dashboard and the compliance workbook.
//!
//! With health (RQTH, AAH) and justice criteria, a group of fewer than five people names a
//! person. Hiding those groups is not enough when the others can be subtracted from a total:
//! - within a breakdown, when one group only is hidden, the next smallest is hidden too, so that
//!   the total minus the groups shown gives two groups together, never one;
//! - across buyers, a group hidden in one buyer's own breakdown stays hidden in every figure
//!   that counts that buyer (all buyers, a département): otherwise the figure of all buyers
//!   minus those of the others gives it (Muret: 10 participants, 8 women shown, so 2 men);
//! - a scope with fewer than five participants shows no count of participants at all;
//! - where special-category data may not be shown (health, justice: elected officials,
//!   companies, workbooks), those groups are hidden whatever their size, and never alone: a
//!   group that may be shown is hidden with them, so that no difference gives their sum.
//!
//! What remains visible is a sum of groups that are each empty or of five people and more, in
//! every buyer they count; a hidden group enters no figure shown, so no difference gives it.

use std::collections::HashSet;

/// Groups of fewer distinct participants than this are not shown to those who may only see
/// aggregates.
pub const THRESHOLD: i64 = 5;

/// Said where groups are hidden, in place of their keys and figures.
pub const MASKED_LABEL: &str =
    "Groupes masqués (moins de 5 personnes, ou qui se déduiraient des autres chiffres)";

/// Said when a scope holds too few people for any count of them to be shown.
pub const FEW_PEOPLE_NOTE: &str = "Moins de 5 participants dans ce périmètre : leur nombre, leurs sorties et les répartitions par personne (critère, sexe, âge, QPV, sortie) ne sont pas montrés, pour qu'aucune personne ne puisse être reconnue. Élargissez le périmètre (plusieurs acheteurs, une année entière) pour les voir.";

/// A count of people too small to show: one to four.
pub fn is_small(participants: i64) -> bool {
    participants > 0 && participants < THRESHOLD
}

/// Whether a count of people may be shown.
pub fn shown(participants: i64) -> bool {
    !is_small(participants)
}

/// Which groups of one breakdown are hidden, given each group's participants: those under the
/// threshold, those `forced` (hidden in a buyer the breakdown counts), the `sensitive` ones
/// (special-category data the reader may not see), and, while that leaves one group hidden or
/// only sensitive ones, the next smallest of the others with them.
pub fn hidden(participants: &[i64], forced: &[bool], sensitive: &[bool]) -> Vec<bool> {
    let flag = |flags: &[bool], i: usize| flags.get(i).copied().unwrap_or(false);
    let mut hidden: Vec<bool> = (0..participants.len())
        .map(|i| is_small(participants[i]) || flag(forced, i) || flag(sensitive, i))
        .collect();
    loop {
        let hidden_ones: Vec<usize> = (0..hidden.len()).filter(|i| hidden[*i]).collect();
        let alone = hidden_ones.len() == 1;
        let only_sensitive =
            !hidden_ones.is_empty() && hidden_ones.iter().all(|i| flag(sensitive, *i));
        if !alone && !only_sensitive {
            return hidden;
        }
        let next = (0..participants.len())
            .filter(|i| !hidden[*i] && !flag(sensitive, *i))
            .min_by_key(|i| (participants[*i], *i));
        match next {
            Some(next) => hidden[next] = true,
            None => return hidden,
        }
    }
}

/// One group of one buyer: its key and its distinct participants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerCell<B> {
    pub buyer: B,
    pub key: Option<String>,
    pub participants: i64,
}

/// The keys hidden in the breakdown of at least one buyer, each buyer's breakdown suppressed
/// on its own (threshold, sensitive keys, then the next smallest): they must stay hidden
/// wherever that buyer is counted.
pub fn hidden_in_some_buyer<B: Eq + Copy>(
    cells: &[BuyerCell<B>],
    sensitive: impl Fn(Option<&str>) -> bool,
) -> HashSet<Option<String>> {
    let mut keys = HashSet::new();
    let mut buyers: Vec<B> = Vec::new();
    for cell in cells {
        if !buyers.contains(&cell.buyer) {
            buyers.push(cell.buyer);
        }
    }
    for buyer in buyers {
        let own: Vec<&BuyerCell<B>> = cells.iter().filter(|c| c.buyer == buyer).collect();
        let counts: Vec<i64> = own.iter().map(|c| c.participants).collect();
        let special: Vec<bool> = own.iter().map(|c| sensitive(c.key.as_deref())).collect();
        for (cell, hide) in own.iter().zip(hidden(&counts, &[], &special)) {
            if hide && cell.participants > 0 {
                keys.insert(cell.key.clone());
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(buyer: u8, key: &str, participants: i64) -> BuyerCell<u8> {
        BuyerCell {
            buyer,
            key: Some(key.to_owned()),
            participants,
        }
    }

    #[test]
    fn groups_of_one_to_four_people_are_small_and_empty_ones_are_not() {
        assert!((1..5).all(is_small));
        assert!(!is_small(0) && !is_small(5));
        assert!(shown(0) && shown(12) && !shown(3));
    }

    #[test]
    fn one_hidden_group_takes_the_next_smallest_with_it() {
        // Muret: 8 women, 2 men: the men hidden, and the women with them.
        assert_eq!(hidden(&[8, 2], &[], &[]), [true, true]);
        // Three groups: the smallest of the others goes too, the largest stays.
        assert_eq!(hidden(&[20, 3, 6], &[], &[]), [false, true, true]);
        // Two small groups already hide each other.
        assert_eq!(hidden(&[20, 3, 4, 6], &[], &[]), [false, true, true, false]);
        // Nothing small, nothing hidden.
        assert_eq!(hidden(&[5, 9], &[], &[]), [false, false]);
        // A lone group under the threshold is hidden with nothing beside it.
        assert_eq!(hidden(&[3], &[], &[]), [true]);
    }

    #[test]
    fn a_group_hidden_elsewhere_is_hidden_and_completed_like_the_others() {
        assert_eq!(
            hidden(&[30, 40, 9], &[false, true, false], &[]),
            [false, true, true]
        );
        assert_eq!(hidden(&[30, 40], &[true, true], &[]), [true, true]);
    }

    #[test]
    fn a_group_hidden_in_one_buyer_is_hidden_wherever_that_buyer_counts() {
        // Muret (1): 8 women, 2 men, both hidden there; Toulouse (2): 12 women, 5 men, shown.
        let cells = [
            cell(1, "F", 8),
            cell(1, "H", 2),
            cell(2, "F", 12),
            cell(2, "H", 5),
        ];
        let keys = hidden_in_some_buyer(&cells, |_| false);
        assert_eq!(
            keys,
            HashSet::from([Some("F".to_owned()), Some("H".to_owned())])
        );
        // Toulouse alone hides nothing.
        assert!(hidden_in_some_buyer(&cells[2..], |_| false).is_empty());
        // A criterion one buyer has only a few of: hidden with its next smallest there.
        let criteria = [
            cell(1, "RSA", 30),
            cell(1, "TH", 1),
            cell(1, "JEUNE", 6),
            cell(2, "RSA", 40),
            cell(2, "JEUNE", 9),
        ];
        assert_eq!(
            hidden_in_some_buyer(&criteria, |_| false),
            HashSet::from([Some("TH".to_owned()), Some("JEUNE".to_owned())])
        );
    }

    #[test]
    fn sensitive_groups_are_hidden_whatever_their_size_and_never_alone() {
        // RSA 30, TH 12, JEUNE 6: TH hidden, and JEUNE with it so that 48 − 30 gives no TH.
        assert_eq!(
            hidden(&[30, 12, 6], &[], &[false, true, false]),
            [false, true, true]
        );
        // TH and AAH both sensitive: hidden together, still with a shown group beside them.
        assert_eq!(
            hidden(&[30, 12, 7, 9], &[], &[false, true, true, false]),
            [false, true, true, true]
        );
        // A small group already hidden beside a sensitive one: nothing more to hide.
        assert_eq!(
            hidden(&[30, 12, 3], &[], &[false, true, false]),
            [false, true, true]
        );
        // Nothing but sensitive groups: all hidden, nothing else to take.
        assert_eq!(hidden(&[8, 9], &[], &[true, true]), [true, true]);
        // Across buyers: one buyer's companion of its sensitive group stays hidden everywhere.
        let cells = [cell(1, "RSA", 30), cell(1, "TH", 6), cell(1, "JEUNE", 7)];
        assert_eq!(
            hidden_in_some_buyer(&cells, |key| key == Some("TH")),
            HashSet::from([Some("TH".to_owned()), Some("JEUNE".to_owned())])
        );
    }
}
