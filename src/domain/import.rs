//! What can be imported, and where an import stands.

use super::labels::labelled_enum;

labelled_enum! {
    /// The kinds of spreadsheet suivi-clauses imports.
    pub enum ImportKind ("un type d'import reconnu") {
        Contracts = "contracts", "Registre des marchés", ["Marchés", "Registre"];
        Structures = "structures", "Structures", ["Entreprises", "Structures d'insertion"];
        Participants = "participants", "Participants", ["Bénéficiaires"];
        Hours = "hours", "Relevé d'heures d'insertion", ["Heures", "Relevé d'heures"];
        WorkContracts = "work_contracts", "Contrats de travail", ["Contrats de travail des participants"];
    }
}

labelled_enum! {
    pub enum ImportStatus ("un état d'import reconnu") {
        Running = "running", "En cours";
        Succeeded = "succeeded", "Importé";
        Refused = "refused", "Refusé";
        // Cut off before the end (process stopped, database lost): nothing was written.
        Interrupted = "interrupted", "Interrompu";
        // Imported, then undone: its entries removed, the values it replaced restored.
        Undone = "undone", "Annulé";
    }
}

labelled_enum! {
    /// Where a running import is: the file is read and checked, then its rows are written.
    pub enum ImportPhase ("une étape d'import reconnue") {
        Reading = "reading", "Lecture et contrôle du fichier";
        Writing = "writing", "Écriture des lignes";
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::labels::{Labelled, assert_consistent};

    #[test]
    fn labels_are_consistent() {
        assert_consistent::<ImportKind>();
        assert_consistent::<ImportStatus>();
        assert_consistent::<ImportPhase>();
        assert_eq!(
            ImportKind::parse_label("heures").unwrap(),
            ImportKind::Hours
        );
    }
}
