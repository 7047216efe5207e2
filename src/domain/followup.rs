//! What needs someone today (« À faire »): the kinds of follow-up item, their order of urgency,
//! who is shown which kind, and the date rules that decide when a lot or a clause needs
//! attention. The hours and penalties come from the clause assessment (`clause_status`): no
//! figure is computed here a second way.

use std::sync::Arc;

use chrono::{Days, Months, NaiveDate};

use super::account::Role;
use super::authorization::{Action, is_allowed};
use super::clause_status::{Assessment, ClauseFacts, ClauseStatus};
use super::labels::labelled_enum;
use super::obligations::{ObligationRules, ObligationStatus, Obligations};
use super::{Hours, Money, Month, Rate};

labelled_enum! {
    /// The kinds of item, declared in their order of urgency (see [`FollowupKind::urgency`]).
    pub enum FollowupKind ("un type d'élément à suivre reconnu (behind_pace, ended_short, missing_statement, pending_validation, eligibility_pending, obligation_missing, qpv_share_short, exit_followup_due)") {
        BehindPace = "behind_pace", "Clause en retard, fin proche";
        EndedShort = "ended_short", "Clause terminée sous l'objectif";
        MissingStatement = "missing_statement", "Relevé d'heures manquant";
        PendingValidation = "pending_validation", "Relevé à valider";
        EligibilityPending = "eligibility_pending", "Éligibilité à valider";
        ObligationMissing = "obligation_missing", "Condition sociale ou environnementale manquante";
        QpvShareShort = "qpv_share_short", "Part QPV sous l'objectif";
        ExitFollowupDue = "exit_followup_due", "Situation à six mois à recueillir";
    }
}

impl FollowupKind {
    /// Lower is more urgent: a clause that can still be saved before its end, then money due
    /// on an ended clause, then the statements the figures wait for (missing, then awaiting
    /// validation), then what makes hours count (eligibility), then the contracts that lack a
    /// condition the law requires: already awarded, they get no worse by waiting and are
    /// answered by recording a ground or an amendment; then what is not yet built.
    pub fn urgency(self) -> usize {
        use super::labels::Labelled;
        FollowupKind::ALL
            .iter()
            .position(|k| *k == self)
            .unwrap_or(usize::MAX)
    }

    /// Whether a role that has the « À faire » list is shown this kind, by the authorization
    /// table: clause assessments to those who read indicators, participants (and a clause's
    /// QPV share, which can tell where a lot's few participants live) to those who follow
    /// them one by one, statements to everyone who has the list (a company: its own),
    /// the buyer's obligations to those who read them (not companies).
    pub fn shown_to(self, role: Role) -> bool {
        let action = match self {
            FollowupKind::ObligationMissing => Action::ReadObligations,
            FollowupKind::BehindPace | FollowupKind::EndedShort => Action::ReadIndicators,
            // A lot's QPV hours can tell where its one or two participants live: for those
            // who follow people one by one only.
            FollowupKind::EligibilityPending
            | FollowupKind::ExitFollowupDue
            | FollowupKind::QpvShareShort => Action::ReadParticipants,
            FollowupKind::MissingStatement | FollowupKind::PendingValidation => {
                Action::ReadFollowup
            }
        };
        is_allowed(role, Action::ReadFollowup) && is_allowed(role, action)
    }

    /// The kinds a role is shown, in the order of urgency.
    pub fn shown_to_role(role: Role) -> Vec<FollowupKind> {
        use super::labels::Labelled;
        FollowupKind::ALL
            .iter()
            .copied()
            .filter(|k| k.shown_to(role))
            .collect()
    }
}

/// The settings of the date rules, and the obligation rules in force.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FollowupRules {
    /// A lot in execution with no hours declared for this many whole months is missing its
    /// statements.
    pub missing_months: u32,
    /// A clause projected short is listed from this many days before its end.
    pub ending_within_days: u32,
    /// What decides which contracts lack a social or environmental condition.
    pub obligations: Arc<ObligationRules>,
}

impl Default for FollowupRules {
    fn default() -> FollowupRules {
        FollowupRules {
            missing_months: 2,
            ending_within_days: 90,
            obligations: Arc::new(ObligationRules::built_in()),
        }
    }
}

/// What the missing-statement rule reads of a lot with a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementFacts {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// The last month with hours declared (awaiting validation or validated) up to today's.
    pub last_month: Option<Month>,
}

/// A clause's shortfall: hours missing to its target and what they cost at its penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    /// Since when the item stands.
    pub since: NaiveDate,
    /// Projected hours at the end (behind pace) or counted hours (ended).
    pub hours: Hours,
    pub missing: Hours,
    pub penalty: Option<Money>,
}

impl FollowupRules {
    /// The first month of the window that must hold hours: `missing_months` whole months
    /// before today's month.
    fn window_start(&self, today: NaiveDate) -> Option<Month> {
        let this_month = Month::of_date(today).ok()?.first_day();
        let first = this_month.checked_sub_months(Months::new(self.missing_months))?;
        Month::of_date(first).ok()
    }

    /// A lot in execution (today between its start and its end) that has run through the whole
    /// window and has no hours declared in it nor since: since when statements are missing
    /// (the month after the last one declared, or the start). A lot whose end is unknown is not
    /// said to be in execution.
    pub fn missing_statement(&self, facts: &StatementFacts, today: NaiveDate) -> Option<NaiveDate> {
        let end = facts.end?;
        if today < facts.start || today > end {
            return None;
        }
        let window = self.window_start(today)?;
        if Month::of_date(facts.start).ok()? > window {
            return None;
        }
        if facts.last_month.is_some_and(|last| last >= window) {
            return None;
        }
        let after_last = facts.last_month.and_then(Month::next).map(Month::first_day);
        Some(after_last.map_or(facts.start, |day| day.max(facts.start)))
    }

    /// A clause still running whose end falls within `ending_within_days` and whose projected
    /// hours at the end are below its target: the hours it would miss at this pace and their
    /// penalty, from the clause's own assessment at its end with the projected hours counted.
    /// Listed since the window before its end opened.
    pub fn behind_pace(
        &self,
        facts: &ClauseFacts,
        now: &Assessment,
        today: NaiveDate,
    ) -> Option<Shortfall> {
        let window_opens = facts
            .end
            .checked_sub_days(Days::new(u64::from(self.ending_within_days)))?;
        if today >= facts.end || today < window_opens {
            return None;
        }
        let projected = now.projected?;
        if projected >= facts.target {
            return None;
        }
        let at_end = ClauseFacts {
            counted: projected,
            ..*facts
        }
        .assess(facts.end);
        Some(Shortfall {
            since: window_opens.max(facts.start),
            hours: projected,
            missing: at_end.missing,
            penalty: at_end.penalty,
        })
    }
}

/// A participant who left on `exit` and whose situation six months later is not recorded: due
/// since exit + 6 months, once that day has come.
pub fn six_month_situation_due(
    exit: NaiveDate,
    recorded: bool,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let due = super::insertion::six_month_due_on(exit)?;
    (!recorded && due <= today).then_some(due)
}

/// A clause that ended below its target: the hours missing and the penalty due, since its end.
/// Closed clauses are left out by whoever gathers the clauses (`indicators::followup`).
pub fn ended_short(facts: &ClauseFacts, now: &Assessment) -> Option<Shortfall> {
    (now.status == ClauseStatus::EndedShort && now.missing > Hours::ZERO).then_some(Shortfall {
        since: facts.end,
        hours: facts.counted,
        missing: now.missing,
        penalty: now.penalty,
    })
}

/// A clause whose hours of residents of priority neighbourhoods (QPV) are a smaller share of
/// its counted hours than it reserves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QpvShortfall {
    /// The share reserved by the clause.
    pub goal: Rate,
    /// The share reached: QPV hours ÷ counted hours.
    pub share: Rate,
    pub counted: Hours,
    pub qpv: Hours,
    /// QPV hours missing for the share to be reached at the hours counted so far (the hours
    /// still to come change the share: this is where it stands today).
    pub missing: Hours,
}

/// The QPV share of a clause that reserves one, when hours are counted and the share of them
/// worked by QPV residents is below it. Closed clauses are left out by whoever gathers the
/// clauses, as for the other clause items.
pub fn qpv_share_short(goal: Rate, counted: Hours, qpv: Hours) -> Option<QpvShortfall> {
    let (whole, part) = (counted.hundredths(), qpv.hundredths());
    // Hours due to QPV residents, rounded up to the hundredth: a share is reached, not nearly.
    let due = (i128::from(goal.basis_points()) * i128::from(whole) + 9_999) / 10_000;
    let missing = i64::try_from(due).ok()? - part;
    if whole <= 0 || missing <= 0 {
        return None;
    }
    Some(QpvShortfall {
        goal,
        share: Rate::ratio(part, whole)?,
        counted,
        qpv,
        missing: Hours::from_hundredths(missing).ok()?,
    })
}

/// The parts of a contract's obligations that are required and missing, without a ground:
/// social, environmental. None when neither is (not subject, compliant, justified, or facts
/// too incomplete to apply the rule).
pub fn obligation_missing(status: Obligations) -> Option<MissingParts> {
    let parts = MissingParts {
        social: status.social == ObligationStatus::Missing,
        environmental: status.environmental == ObligationStatus::Missing,
    };
    (parts.social || parts.environmental).then_some(parts)
}

/// Which conditions a contract lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingParts {
    pub social: bool,
    pub environmental: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::labels::{Labelled, assert_consistent};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn month(y: i32, m: u32) -> Month {
        Month::new(y, m).unwrap()
    }

    fn lot(last_month: Option<Month>) -> StatementFacts {
        StatementFacts {
            start: day(2025, 2, 10),
            end: Some(day(2026, 2, 9)),
            last_month,
        }
    }

    /// 1 000 h over 2025, 30 €/h of penalty.
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
    fn labels_are_consistent_and_declared_in_urgency_order() {
        assert_consistent::<FollowupKind>();
        let ranks: Vec<usize> = FollowupKind::ALL.iter().map(|k| k.urgency()).collect();
        assert_eq!(ranks, (0..FollowupKind::ALL.len()).collect::<Vec<_>>());
    }

    #[test]
    fn statements_are_missing_after_two_whole_months_without_hours() {
        let rules = FollowupRules::default();
        // On 15 October, August and September must hold hours.
        let today = day(2025, 10, 15);
        assert_eq!(
            rules.missing_statement(&lot(Some(month(2025, 7))), today),
            Some(day(2025, 8, 1))
        );
        assert_eq!(
            rules.missing_statement(&lot(Some(month(2025, 8))), today),
            None
        );
        // Never declared: missing since the start.
        assert_eq!(
            rules.missing_statement(&lot(None), today),
            Some(day(2025, 2, 10))
        );
        // Started in September: the window is not over yet.
        let recent = StatementFacts {
            start: day(2025, 9, 1),
            ..lot(None)
        };
        assert_eq!(rules.missing_statement(&recent, today), None);
        // Started in August: August and September both ran.
        let august = StatementFacts {
            start: day(2025, 8, 20),
            ..lot(None)
        };
        assert_eq!(
            rules.missing_statement(&august, today),
            Some(day(2025, 8, 20))
        );
    }

    #[test]
    fn only_lots_in_execution_miss_statements() {
        let rules = FollowupRules::default();
        let ended = day(2026, 2, 10);
        assert_eq!(rules.missing_statement(&lot(None), ended), None);
        assert!(
            rules
                .missing_statement(&lot(None), day(2026, 2, 9))
                .is_some()
        );
        let no_end = StatementFacts {
            end: None,
            ..lot(None)
        };
        assert_eq!(rules.missing_statement(&no_end, day(2025, 10, 15)), None);
        let three = FollowupRules {
            missing_months: 3,
            ..rules
        };
        assert_eq!(
            three.missing_statement(&lot(Some(month(2025, 7))), day(2025, 10, 15)),
            None
        );
    }

    #[test]
    fn a_clause_projected_short_is_listed_within_90_days_of_its_end() {
        let rules = FollowupRules::default();
        // 1 November 2025: 304 of 365 days (83,29 %); 700 h → 840,44 h projected.
        let today = day(2025, 11, 1);
        let facts = clause(700);
        let shortfall = rules
            .behind_pace(&facts, &facts.assess(today), today)
            .unwrap();
        assert_eq!(shortfall.hours.hundredths(), 84_044);
        assert_eq!(shortfall.missing.hundredths(), 15_956);
        // 159,56 h × 30 € = 4 786,80 €.
        assert_eq!(shortfall.penalty.unwrap().cents(), 478_680);
        // The window opened 90 days before 1 January 2026.
        assert_eq!(shortfall.since, day(2025, 10, 3));
        // On pace, or too far from the end, or ended: nothing.
        let on_pace = clause(900);
        assert_eq!(
            rules.behind_pace(&on_pace, &on_pace.assess(today), today),
            None
        );
        let early = day(2025, 10, 2);
        assert_eq!(rules.behind_pace(&facts, &facts.assess(early), early), None);
        let ended = day(2026, 1, 1);
        assert_eq!(rules.behind_pace(&facts, &facts.assess(ended), ended), None);
    }

    #[test]
    fn an_ended_clause_below_its_target_owes_its_penalty() {
        let facts = clause(900);
        let ended = ended_short(&facts, &facts.assess(day(2026, 3, 1))).unwrap();
        assert_eq!(ended.since, day(2026, 1, 1));
        assert_eq!(ended.missing.hundredths(), 10_000);
        assert_eq!(ended.penalty.unwrap().cents(), 300_000);
        let done = clause(1_000);
        assert_eq!(ended_short(&done, &done.assess(day(2026, 3, 1))), None);
        assert_eq!(ended_short(&facts, &facts.assess(day(2025, 12, 1))), None);
    }

    #[test]
    fn a_contract_is_listed_for_each_condition_required_and_missing() {
        use ObligationStatus::*;
        let of = |social, environmental| {
            obligation_missing(Obligations {
                social,
                environmental,
            })
        };
        assert_eq!(
            of(Missing, Compliant),
            Some(MissingParts {
                social: true,
                environmental: false
            })
        );
        assert_eq!(
            of(Justified, Missing),
            Some(MissingParts {
                social: false,
                environmental: true
            })
        );
        assert_eq!(
            of(Missing, Missing),
            Some(MissingParts {
                social: true,
                environmental: true
            })
        );
        for social in [NotSubject, Compliant, Justified, Incomplete] {
            for environmental in [NotSubject, Compliant, Incomplete] {
                assert_eq!(of(social, environmental), None);
            }
        }
    }

    #[test]
    fn a_six_month_situation_is_due_from_six_months_after_exit_until_recorded() {
        let exit = day(2025, 3, 31);
        assert_eq!(six_month_situation_due(exit, false, day(2025, 9, 29)), None);
        assert_eq!(
            six_month_situation_due(exit, false, day(2025, 9, 30)),
            Some(day(2025, 9, 30))
        );
        assert_eq!(six_month_situation_due(exit, true, day(2026, 1, 1)), None);
    }

    #[test]
    fn companies_see_their_statements_and_participants_stay_with_facilitators() {
        assert_eq!(
            FollowupKind::shown_to_role(Role::Company),
            vec![
                FollowupKind::MissingStatement,
                FollowupKind::PendingValidation
            ]
        );
        assert!(!FollowupKind::EligibilityPending.shown_to(Role::BuyerOfficer));
        assert!(FollowupKind::BehindPace.shown_to(Role::BuyerOfficer));
        assert!(FollowupKind::ObligationMissing.shown_to(Role::BuyerOfficer));
        assert!(!FollowupKind::ObligationMissing.shown_to(Role::Company));
        assert_eq!(
            FollowupKind::shown_to_role(Role::Facilitator).len(),
            FollowupKind::ALL.len()
        );
        assert!(FollowupKind::shown_to_role(Role::Elected).is_empty());
    }

    #[test]
    fn a_qpv_share_below_the_goal_says_the_hours_missing_at_todays_count() {
        let h = |hundredths| Hours::from_hundredths(hundredths).unwrap();
        let goal = Rate::parse("20 %").unwrap();
        // 1 000 h counted, 150 h by QPV residents: 200 h due, 50 h missing, 15 % reached.
        let short = qpv_share_short(goal, h(100_000), h(15_000)).unwrap();
        assert_eq!(short.missing, h(5_000));
        assert_eq!(short.share, Rate::parse("15 %").unwrap());
        // Reached exactly, or beyond: nothing to follow.
        assert_eq!(qpv_share_short(goal, h(100_000), h(20_000)), None);
        assert_eq!(qpv_share_short(goal, h(100_000), h(90_000)), None);
        // No hours counted yet: no share to judge.
        assert_eq!(qpv_share_short(goal, h(0), h(0)), None);
        // Rounded up: 12,5 % of 0,03 h is 0,00375 h, so 0,01 h is due.
        let goal = Rate::parse("12,5 %").unwrap();
        assert_eq!(qpv_share_short(goal, h(3), h(0)).unwrap().missing, h(1));
    }
}
