//! Closing a lot's clause: when it may be closed, the figures it is closed on (from the same
//! assessment as everywhere else), the penalty as waived or reduced, and what a refused write
//! on a closed clause says.

use chrono::NaiveDate;

use super::labels::labelled_enum;
use super::{ClauseFacts, Hours, Money};

labelled_enum! {
    /// How the penalty the clause provides was changed before closing.
    pub enum PenaltyChange ("« waived » (levée) ou « reduced » (réduite)") {
        Waived = "waived", "Pénalité levée";
        Reduced = "reduced", "Pénalité réduite";
    }
}

/// Longest reason, signatory name or role kept.
pub const MAX_REASON: usize = 500;
pub const MAX_SIGNATORY: usize = 120;

/// The penalty asked instead of the clause's: waived, or reduced to a lower amount per hour;
/// always with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PenaltyAdjustment {
    pub change: PenaltyChange,
    /// The reduced amount per missing hour (only for a reduction).
    pub per_hour: Option<Money>,
    pub reason: String,
}

/// What a closure records of the clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosureFigures {
    pub counted: Hours,
    pub target: Hours,
    pub reached: bool,
    pub missing: Hours,
    /// What the clause provides per missing hour.
    pub clause_penalty_per_hour: Option<Money>,
    /// What is applied: the clause's, or lower when waived or reduced.
    pub penalty_per_hour: Option<Money>,
    /// Missing hours × the amount applied per hour, rounded to the cent.
    pub penalty: Option<Money>,
}

/// The figures of a clause closed with every hour counted so far: assessed at its end, so
/// that missing hours and the penalty come from the one formula of [`ClauseFacts::assess`].
pub fn figures(
    facts: &ClauseFacts,
    adjustment: Option<&PenaltyAdjustment>,
) -> Result<ClosureFigures, String> {
    let clause_rate = facts.penalty_per_hour;
    let applied = applied_rate(facts, adjustment)?;
    let assessed = ClauseFacts {
        penalty_per_hour: applied,
        ..*facts
    }
    .assess(facts.end);
    Ok(ClosureFigures {
        counted: facts.counted,
        target: facts.target,
        reached: assessed.missing == Hours::ZERO,
        missing: assessed.missing,
        clause_penalty_per_hour: clause_rate,
        penalty_per_hour: applied,
        penalty: assessed.penalty,
    })
}

/// The amount per missing hour applied: the clause's unless changed; a change needs a penalty
/// to change and hours missing, and a reduction stays below the clause's amount.
fn applied_rate(
    facts: &ClauseFacts,
    adjustment: Option<&PenaltyAdjustment>,
) -> Result<Option<Money>, String> {
    let Some(adjustment) = adjustment else {
        return Ok(facts.penalty_per_hour);
    };
    let Some(clause_rate) = facts.penalty_per_hour else {
        return Err("La clause ne prévoit pas de pénalité : il n'y a rien à lever ni à réduire ; retirez la modification de la pénalité.".to_owned());
    };
    if facts.counted >= facts.target {
        return Err("L'objectif est atteint : aucune pénalité n'est due, il n'y a rien à lever ni à réduire.".to_owned());
    }
    match (adjustment.change, adjustment.per_hour) {
        (PenaltyChange::Waived, None) => Ok(Some(Money::ZERO)),
        (PenaltyChange::Waived, Some(_)) => Err("Une pénalité levée n'a pas de montant par heure : retirez le montant, ou choisissez « réduite ».".to_owned()),
        (PenaltyChange::Reduced, Some(rate)) if rate < clause_rate => Ok(Some(rate)),
        (PenaltyChange::Reduced, Some(_)) => Err(format!(
            "Une pénalité réduite est inférieure à celle de la clause ({clause_rate} par heure manquante) : donnez un montant plus bas, ou levez-la."
        )),
        (PenaltyChange::Reduced, None) => Err("Donnez le montant réduit de la pénalité par heure manquante (en centimes).".to_owned()),
    }
}

/// A reason as kept: trimmed, required, at most [`MAX_REASON`] characters.
pub fn reason(text: Option<&str>, missing: &str) -> Result<String, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Err(missing.to_owned()),
        Some(t) if t.chars().count() > MAX_REASON => Err(format!(
            "Le motif est trop long : {MAX_REASON} caractères au plus."
        )),
        Some(t) => Ok(t.to_owned()),
    }
}

/// A clause is closed after its lot's last day of execution; before it, or when that day is
/// not known, only with the reason for closing early. The early reason kept, if any.
pub fn early_reason(
    end: Option<NaiveDate>,
    today: NaiveDate,
    asked: Option<&str>,
) -> Result<Option<String>, String> {
    match end {
        Some(end) if today > end => Ok(None),
        Some(end) => reason(
            asked,
            &format!(
                "L'exécution du lot court jusqu'au {} : clôturez la clause après cette date, ou dites pourquoi vous la clôturez dès maintenant (motif de clôture anticipée).",
                end.format("%d/%m/%Y")
            ),
        )
        .map(Some),
        None => reason(
            asked,
            "La fin d'exécution du lot n'est pas connue (ni durée, ni date de fin) : dites pourquoi vous clôturez la clause (motif de clôture anticipée).",
        )
        .map(Some),
    }
}

/// The signatory's name or role, as kept.
pub fn signatory(text: &str, what: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("Donnez {what} : il figure sur l'attestation."));
    }
    if text.chars().count() > MAX_SIGNATORY {
        return Err(format!(
            "{what} est trop long : {MAX_SIGNATORY} caractères au plus."
        ));
    }
    Ok(text.to_owned())
}

/// What a write refused on a closed clause says: which lot, since when, by whom, and whom to
/// ask.
pub fn frozen_message(reference: &str, lot: i32, closed_on: NaiveDate, closed_by: &str) -> String {
    let lot = if lot == 0 {
        format!("du marché {reference}")
    } else {
        format!("du lot {lot} du marché {reference}")
    };
    format!(
        "La clause d'insertion {lot} est close depuis le {} (clôturée par {closed_by}) : ses heures, son objectif et la période du marché ne changent plus. Pour la corriger, demandez à un administrateur de rouvrir la clause.",
        closed_on.format("%d/%m/%Y")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::labels::assert_consistent;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// 1 000 h over 2025, 900,50 h counted, 30 €/h.
    fn facts() -> ClauseFacts {
        ClauseFacts {
            target: Hours::from_whole(1_000).unwrap(),
            counted: Hours::from_hundredths(90_050).unwrap(),
            start: day(2025, 1, 1),
            end: day(2025, 12, 31),
            penalty_per_hour: Some(Money::from_euros(30).unwrap()),
        }
    }

    fn change(change: PenaltyChange, per_hour: Option<i64>) -> PenaltyAdjustment {
        PenaltyAdjustment {
            change,
            per_hour: per_hour.map(|c| Money::from_cents(c).unwrap()),
            reason: "motif".to_owned(),
        }
    }

    #[test]
    fn labels_are_consistent() {
        assert_consistent::<PenaltyChange>();
    }

    #[test]
    fn a_clause_short_of_its_target_owes_the_missing_hours_at_its_rate() {
        let f = figures(&facts(), None).unwrap();
        // 99,50 h missing × 30 € = 2 985 €.
        assert_eq!(f.missing.hundredths(), 9_950);
        assert!(!f.reached);
        assert_eq!(f.penalty.unwrap().cents(), 298_500);
        assert_eq!(f.penalty_per_hour, f.clause_penalty_per_hour);
    }

    #[test]
    fn a_penalty_is_waived_or_reduced_below_the_clause_rate_only() {
        let waived = figures(&facts(), Some(&change(PenaltyChange::Waived, None))).unwrap();
        assert_eq!(waived.penalty.unwrap(), Money::ZERO);
        assert_eq!(waived.clause_penalty_per_hour.unwrap().cents(), 3_000);
        // 99,50 h × 12,34 € = 1 227,83 € (1 227,83 exactly: 9 950 × 1 234 ÷ 100).
        let reduced =
            figures(&facts(), Some(&change(PenaltyChange::Reduced, Some(1_234)))).unwrap();
        assert_eq!(reduced.penalty.unwrap().cents(), 122_783);
        assert!(figures(&facts(), Some(&change(PenaltyChange::Reduced, Some(3_000)))).is_err());
        assert!(figures(&facts(), Some(&change(PenaltyChange::Reduced, None))).is_err());
        let reached = ClauseFacts {
            counted: Hours::from_whole(1_000).unwrap(),
            ..facts()
        };
        assert!(figures(&reached, Some(&change(PenaltyChange::Waived, None))).is_err());
        let f = figures(&reached, None).unwrap();
        assert!(f.reached && f.penalty == Some(Money::ZERO));
    }

    #[test]
    fn closing_before_the_end_needs_a_reason() {
        let end = Some(day(2025, 12, 31));
        assert_eq!(early_reason(end, day(2026, 1, 1), None), Ok(None));
        assert!(early_reason(end, day(2025, 12, 31), None).is_err());
        assert_eq!(
            early_reason(end, day(2025, 6, 1), Some(" résiliation ")),
            Ok(Some("résiliation".to_owned()))
        );
        assert!(early_reason(None, day(2026, 1, 1), Some("  ")).is_err());
    }

    #[test]
    fn a_refused_write_names_the_lot_the_date_and_whom_to_ask() {
        let message = frozen_message("2025-TX-014", 2, day(2026, 1, 15), "Mme Durand");
        assert!(
            message.contains("du lot 2 du marché 2025-TX-014"),
            "{message}"
        );
        assert!(message.contains("15/01/2026") && message.contains("administrateur"));
    }
}
