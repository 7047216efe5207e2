//! What the audit log records.

use super::labels::labelled_enum;

labelled_enum! {
    /// An action worth a line in the audit log.
    pub enum AuditAction ("une action du journal reconnue") {
        BuyerCreated = "buyer.created", "Création d'un acheteur";
        UserCreated = "user.created", "Création d'un compte";
        AdminBootstrapped = "user.bootstrapped", "Création du compte administrateur initial";
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_are_consistent() {
        crate::domain::labels::assert_consistent::<super::AuditAction>();
    }
}
