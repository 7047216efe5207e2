//! What the audit log records.

use super::labels::labelled_enum;

labelled_enum! {
    /// An action worth a line in the audit log.
    pub enum AuditAction ("une action du journal reconnue") {
        BuyerCreated = "buyer.created", "Création d'un acheteur";
        UserCreated = "user.created", "Création d'un compte";
        AdminBootstrapped = "user.bootstrapped", "Création du compte administrateur initial";
        UserDeactivated = "user.deactivated", "Désactivation d'un compte";
        UserUpdated = "user.updated", "Changement du rôle ou du périmètre d'un compte";
        UserReactivated = "user.reactivated", "Réactivation d'un compte";
        PasswordReset = "user.password_reset", "Nouveau mot de passe donné par un administrateur";
        PasswordChanged = "user.password_changed", "Changement de mot de passe";
        PasswordChangeFailed = "user.password_change_failed", "Mot de passe actuel erroné lors d'un changement";
        PasswordChangeThrottled = "user.password_change_throttled", "Changement de mot de passe refusé après trop d'échecs";
        LoginSucceeded = "login.succeeded", "Connexion";
        LoginFailed = "login.failed", "Échec de connexion";
        LoginThrottled = "login.throttled", "Connexion refusée après trop d'échecs";
        SignedOut = "login.signed_out", "Déconnexion";
        ParticipantsPurged = "participants.purged", "Effacement des données de participants";
        SixMonthSituationSet = "participant.six_month_situation", "Situation à six mois d'un participant";
        ParticipantCreated = "participant.created", "Création d'un participant";
        ParticipantChanged = "participant.changed", "Modification d'un participant";
        ImportSucceeded = "import.succeeded", "Import de fichier";
        ImportRefused = "import.refused", "Fichier refusé à l'import";
        ImportUndone = "import.undone", "Import annulé";
        ClauseSet = "clause.set", "Objectif d'une clause fixé";
        ClauseClosed = "clause.closed", "Clause clôturée";
        ClauseReopened = "clause.reopened", "Clause rouverte";
        ContractCreated = "contract.created", "Création d'un marché";
        ContractChanged = "contract.changed", "Modification d'un marché, de ses lots ou attributaires";
        ContractDeleted = "contract.deleted", "Suppression d'un marché";
        HoursValidated = "hours.validated", "Relevés d'heures validés";
        HoursRejected = "hours.rejected", "Relevés d'heures rejetés";
        HoursReopened = "hours.reopened", "Mois validé rouvert";
        BuyerReviewSetting = "buyer.review_setting", "Validation à l'import des relevés des facilitateurs";
        BuyerSpaserTargets = "buyer.spaser_targets", "Cibles du SPASER d'un acheteur";
        CompanyContactSet = "company.contact_set", "Courriel de contact d'une entreprise";
        CompanyChanged = "company.changed", "Raison sociale ou code postal d'une entreprise";
        ReminderSent = "reminder.sent", "Relance envoyée";
        ReminderFailed = "reminder.failed", "Relance refusée par le relais SMTP";
        ReminderRecorded = "reminder.recorded", "Relance à envoyer (aucun relais SMTP)";
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_are_consistent() {
        crate::domain::labels::assert_consistent::<super::AuditAction>();
    }
}
