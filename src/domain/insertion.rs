//! Insertion hours: how they are delivered, who is eligible, how participants leave.

use chrono::{Months, NaiveDate};

use super::labels::labelled_enum;

labelled_enum! {
    /// How an awardee delivers its insertion hours (modalité de réalisation).
    pub enum Modality ("une modalité de réalisation reconnue") {
        DirectHire = "direct_hire", "Embauche directe", ["Embauche", "Recrutement direct"];
        Secondment = "secondment", "Mise à disposition", ["MAD", "Mise à dispo", "Intérim d'insertion"];
        Subcontracting = "subcontracting", "Sous-traitance", ["Soustraitance"];
        CoContracting = "co_contracting", "Co-traitance", ["Cotraitance"];
        Training = "training", "Formation", ["Heures de formation"];
    }
}

impl Modality {
    /// Hours delivered through a structure are reported with that structure's SIRET.
    pub fn needs_insertion_structure(self) -> bool {
        matches!(
            self,
            Self::Secondment | Self::Subcontracting | Self::CoContracting
        )
    }
}

labelled_enum! {
    /// Eligibility criterion validated for a participant (codes of the domain brief).
    pub enum EligibilityCriterion ("un critère d'éligibilité reconnu") {
        Rsa = "RSA", "Bénéficiaire du RSA";
        Ass = "ASS", "Bénéficiaire de l'ASS";
        Aah = "AAH", "Bénéficiaire de l'AAH";
        VeryLongTermJobSeeker = "DETLD", "Demandeur d'emploi de très longue durée (24 mois et plus)";
        LongTermJobSeeker = "DELD", "Demandeur d'emploi de longue durée (12 à 24 mois)";
        YoungUnqualified = "JEUNE", "Jeune de moins de 26 ans sans qualification";
        Senior = "SENIOR", "Demandeur d'emploi de 50 ans et plus";
        DisabledWorker = "TH", "Travailleur handicapé (RQTH)", ["RQTH"];
        LowQualification = "CAP_BEP", "Niveau de qualification CAP/BEP ou inférieur";
        PriorityNeighbourhood = "QPV", "Résident d'un quartier prioritaire (QPV)";
        ChildWelfare = "ASE", "Jeune relevant de l'aide sociale à l'enfance";
        SingleParent = "PI", "Parent isolé";
        Refugee = "REF_DA", "Réfugié ou demandeur d'asile";
        RuralRevitalisation = "ZRR", "Résident d'une zone de revitalisation rurale (ZRR)";
        UnderJudicialSupervision = "DETENTION_MJ", "Personne détenue ou sous main de justice";
        FrenchAsForeignLanguage = "FLE", "Besoin d'apprentissage du français (FLE)";
        Migrant = "PM", "Personne migrante primo-arrivante";
        SiaeEmployee = "SIAE", "Salarié en parcours d'insertion (SIAE)";
        Other = "OTHER", "Autre public validé par le facilitateur", ["Autre"];
    }
}

impl EligibilityCriterion {
    /// Level-1 criteria are enough on their own; level-2 ones combine under local rules.
    pub fn is_level_one(self) -> bool {
        matches!(
            self,
            Self::Rsa | Self::Ass | Self::Aah | Self::VeryLongTermJobSeeker
        )
    }

    /// Health data (GDPR art. 9) or data on offences (art. 10): never shown outside the
    /// facilitateur's own views, even as a small aggregate.
    pub fn is_special_category(self) -> bool {
        matches!(
            self,
            Self::DisabledWorker | Self::Aah | Self::UnderJudicialSupervision
        )
    }
}

labelled_enum! {
    pub enum Sex ("un sexe reconnu (Femme ou Homme)") {
        Female = "female", "Femme", ["F"];
        Male = "male", "Homme", ["H", "M"];
    }
}

labelled_enum! {
    /// How a participant's pathway ended (catégories de sortie of the insertion sector).
    pub enum ExitOutcome ("une sortie reconnue") {
        SustainableEmployment = "sustainable_employment", "Emploi durable", ["CDI", "CDD de 6 mois et plus"];
        TransitionalEmployment = "transitional_employment", "Emploi de transition", ["CDD de moins de 6 mois"];
        PositiveExit = "positive_exit", "Sortie positive", ["Formation qualifiante"];
        Other = "other", "Autre sortie", ["Sans solution", "Abandon"];
    }
}

impl ExitOutcome {
    pub fn is_employment(self) -> bool {
        matches!(
            self,
            Self::SustainableEmployment | Self::TransitionalEmployment
        )
    }
}

labelled_enum! {
    /// Where a participant stands six months after exit: the exit categories, or no news.
    /// The first four share the codes of [`ExitOutcome`], so that both read side by side.
    pub enum SixMonthSituation ("une situation à six mois reconnue") {
        SustainableEmployment = "sustainable_employment", "Emploi durable", ["CDI", "CDD de 6 mois et plus"];
        TransitionalEmployment = "transitional_employment", "Emploi de transition", ["CDD de moins de 6 mois", "Intérim"];
        PositiveExit = "positive_exit", "Sortie positive", ["Formation qualifiante"];
        Other = "other", "Autre situation", ["Autre", "Sans solution", "Sans emploi"];
        NoNews = "no_news", "Sans nouvelles", ["Sans nouvelle", "Injoignable", "Perdu de vue"];
    }
}

/// The source of a six-month situation names who told (the participant, the employer, France
/// Travail), in a few words: never a person's name.
pub const MAX_SITUATION_SOURCE_CHARS: usize = 120;

/// The day a participant's situation six months after exit is due: the exit date plus six
/// months (the last day of the month when it has fewer days).
pub fn six_month_due_on(exit: NaiveDate) -> Option<NaiveDate> {
    exit.checked_add_months(Months::new(6))
}

labelled_enum! {
    /// Employment contract under which the hours were worked (Type de contrat).
    pub enum EmploymentContract ("un type de contrat reconnu") {
        Permanent = "permanent", "CDI", ["Contrat à durée indéterminée"];
        FixedTerm = "fixed_term", "CDD", ["Contrat à durée déterminée"];
        InsertionFixedTerm = "insertion_fixed_term", "CDDI", ["CDD d'insertion"];
        Temporary = "temporary", "Intérim", ["CTT", "Contrat de travail temporaire", "Mission d'intérim"];
        // The temporary contract of an ETTI, counted apart from ordinary interim work.
        InsertionTemporary = "insertion_temporary", "CTTI", ["Contrat de travail temporaire d'insertion", "Intérim d'insertion"];
        Professionalisation = "professionalisation", "Contrat de professionnalisation", ["Professionnalisation"];
        Apprenticeship = "apprenticeship", "Contrat d'apprentissage", ["Apprentissage"];
        Subsidised = "subsidised", "Contrat aidé (PEC)", ["PEC", "CUI"];
        Other = "other", "Autre contrat", ["Autre"];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::labels::{Labelled, assert_consistent};

    #[test]
    fn labels_are_consistent() {
        assert_consistent::<Modality>();
        assert_consistent::<EligibilityCriterion>();
        assert_consistent::<Sex>();
        assert_consistent::<ExitOutcome>();
        assert_consistent::<SixMonthSituation>();
        assert_consistent::<EmploymentContract>();
    }

    #[test]
    fn parses_modalities_as_spreadsheets_write_them() {
        assert_eq!(
            Modality::parse_label("Mise a disposition").unwrap(),
            Modality::Secondment
        );
        assert_eq!(
            Modality::parse_label("SOUS TRAITANCE").unwrap(),
            Modality::Subcontracting
        );
        assert_eq!(
            Modality::parse_label("embauche directe").unwrap(),
            Modality::DirectHire
        );
        let error = Modality::parse_label("Bénévolat").unwrap_err().to_string();
        assert!(
            error.contains("n'est pas une modalité de réalisation reconnue"),
            "{error}"
        );
        assert!(error.contains("Mise à disposition"), "{error}");
    }

    #[test]
    fn knows_which_modalities_need_a_structure() {
        assert!(Modality::Secondment.needs_insertion_structure());
        assert!(Modality::CoContracting.needs_insertion_structure());
        assert!(!Modality::DirectHire.needs_insertion_structure());
        assert!(!Modality::Training.needs_insertion_structure());
    }

    #[test]
    fn criteria_codes_are_those_of_the_brief() {
        assert_eq!(
            EligibilityCriterion::parse_label("cap_bep").unwrap(),
            EligibilityCriterion::LowQualification
        );
        assert_eq!(
            EligibilityCriterion::parse_label("RQTH").unwrap(),
            EligibilityCriterion::DisabledWorker
        );
        assert_eq!(EligibilityCriterion::ALL.len(), 19);
        assert!(
            EligibilityCriterion::Rsa.is_level_one()
                && !EligibilityCriterion::Senior.is_level_one()
        );
        assert!(EligibilityCriterion::DisabledWorker.is_special_category());
        assert!(
            ExitOutcome::TransitionalEmployment.is_employment()
                && !ExitOutcome::PositiveExit.is_employment()
        );
    }

    #[test]
    fn the_six_month_situation_is_due_six_months_after_exit() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(six_month_due_on(day(2025, 3, 14)), Some(day(2025, 9, 14)));
        assert_eq!(six_month_due_on(day(2025, 8, 31)), Some(day(2026, 2, 28)));
        for outcome in ExitOutcome::ALL {
            let same = SixMonthSituation::from_code(outcome.code()).unwrap();
            assert_eq!(same.code(), outcome.code());
        }
        assert_eq!(
            SixMonthSituation::parse_label(" Retraite ")
                .unwrap_err()
                .value,
            "Retraite"
        );
        assert_eq!(
            SixMonthSituation::parse_label("SANS NOUVELLES").unwrap(),
            SixMonthSituation::NoNews
        );
    }
}
