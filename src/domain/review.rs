//! Statements of hours are reviewed before they count: sent as declared, then validated or
//! rejected by a facilitateur (or an administrator); a validated month can be reopened.

use super::account::Role;
use super::audit::AuditAction;
use super::authorization::{Action, is_allowed};
use super::labels::labelled_enum;

labelled_enum! {
    /// Where an hour entry stands. Only validated hours count, unless pending ones are asked
    /// for too; rejected hours count nowhere.
    pub enum ReviewState ("un état de validation reconnu (déclarées, validées, rejetées)") {
        Declared = "declared", "En attente de validation", ["Déclarées", "En attente"];
        Validated = "validated", "Validées";
        Rejected = "rejected", "Rejetées";
    }
}

labelled_enum! {
    /// What a reviewer decides about statements.
    pub enum Decision ("une décision reconnue (valider, rejeter, rouvrir)") {
        Validate = "validate", "Valider";
        Reject = "reject", "Rejeter";
        Reopen = "reopen", "Rouvrir";
    }
}

impl Decision {
    /// The entries a decision applies to: pending ones, or validated ones for a reopening.
    pub fn applies_to(self) -> ReviewState {
        match self {
            Decision::Validate | Decision::Reject => ReviewState::Declared,
            Decision::Reopen => ReviewState::Validated,
        }
    }

    /// Where the entries stand after it.
    pub fn leads_to(self) -> ReviewState {
        match self {
            Decision::Validate => ReviewState::Validated,
            Decision::Reject => ReviewState::Rejected,
            Decision::Reopen => ReviewState::Declared,
        }
    }

    pub fn audit_action(self) -> AuditAction {
        match self {
            Decision::Validate => AuditAction::HoursValidated,
            Decision::Reject => AuditAction::HoursRejected,
            Decision::Reopen => AuditAction::HoursReopened,
        }
    }

    /// The reason kept with the decision: required to reject or reopen, optional to validate;
    /// at most 500 characters.
    pub fn reason(self, text: Option<&str>) -> Result<Option<String>, &'static str> {
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        match text {
            Some(t) if t.chars().count() > 500 => {
                Err("Le motif est trop long : 500 caractères au plus.")
            }
            Some(t) => Ok(Some(t.to_owned())),
            None if self == Decision::Validate => Ok(None),
            None if self == Decision::Reject => {
                Err("Donnez le motif du rejet : l'entreprise le lira pour corriger son relevé.")
            }
            None => Err("Donnez le motif de la réouverture du mois validé."),
        }
    }
}

/// How hours enter at import: a facilitateur's or an administrator's own statements are
/// validated at once where the lot's buyer allows it; everyone else's wait for validation.
pub fn state_at_import(uploader: Role, buyer_validates_reviewers_imports: bool) -> ReviewState {
    if may_review(uploader) && buyer_validates_reviewers_imports {
        ReviewState::Validated
    } else {
        ReviewState::Declared
    }
}

/// Who decides about statements (within their buyers): the authorization table says.
pub fn may_review(role: Role) -> bool {
    is_allowed(role, Action::ReviewHours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_consistent() {
        crate::domain::labels::assert_consistent::<ReviewState>();
        crate::domain::labels::assert_consistent::<Decision>();
    }

    #[test]
    fn a_rejection_or_a_reopening_needs_a_reason() {
        assert_eq!(Decision::Validate.reason(Some("  ")), Ok(None));
        assert!(Decision::Reject.reason(None).is_err());
        assert!(Decision::Reopen.reason(Some(" ")).is_err());
        assert_eq!(
            Decision::Reject.reason(Some(" heures en double ")),
            Ok(Some("heures en double".to_owned()))
        );
        assert!(Decision::Reject.reason(Some(&"x".repeat(501))).is_err());
    }

    #[test]
    fn only_reviewers_own_imports_are_validated_and_only_where_the_buyer_allows() {
        assert_eq!(
            state_at_import(Role::Facilitator, true),
            ReviewState::Validated
        );
        assert_eq!(
            state_at_import(Role::Facilitator, false),
            ReviewState::Declared
        );
        assert_eq!(state_at_import(Role::Company, true), ReviewState::Declared);
        assert_eq!(
            state_at_import(Role::BuyerOfficer, true),
            ReviewState::Declared
        );
    }

    #[test]
    fn decisions_move_between_states() {
        assert_eq!(Decision::Reopen.applies_to(), ReviewState::Validated);
        assert_eq!(Decision::Reopen.leads_to(), ReviewState::Declared);
        assert_eq!(Decision::Reject.leads_to(), ReviewState::Rejected);
    }
}
