//! Contracts and lots: the DECP 2024 enumerations and the reservation articles.

use super::labels::labelled_enum;

labelled_enum! {
    /// DECP `nature`.
    pub enum ContractNature ("une nature de marché reconnue") {
        Contract = "contract", "Marché", ["Marché public"];
        Partnership = "partnership", "Marché de partenariat";
        DefenceOrSecurity = "defence_or_security", "Marché de défense ou de sécurité";
    }
}

labelled_enum! {
    /// DECP `procedure`.
    pub enum Procedure ("une procédure reconnue") {
        Adapted = "adapted", "Procédure adaptée", ["MAPA", "Marché à procédure adaptée"];
        OpenTender = "open_tender", "Appel d'offres ouvert", ["AOO"];
        RestrictedTender = "restricted_tender", "Appel d'offres restreint", ["AOR"];
        Negotiated = "negotiated", "Procédure avec négociation", ["Procédure négociée"];
        WithoutCompetition = "without_competition",
            "Marché passé sans publicité ni mise en concurrence préalable",
            ["Sans publicité ni mise en concurrence", "Gré à gré"];
        CompetitiveDialogue = "competitive_dialogue", "Dialogue compétitif";
    }
}

labelled_enum! {
    /// DECP `ccag`: the general administrative terms the contract refers to.
    pub enum Ccag ("un CCAG reconnu") {
        Works = "works", "Travaux", ["CCAG Travaux", "CCAG-Travaux"];
        ProjectManagement = "project_management", "Maitrise d'œuvre", ["CCAG MOE", "MOE"];
        SuppliesAndServices = "supplies_and_services", "Fournitures courantes et services", ["CCAG FCS", "FCS"];
        Industrial = "industrial", "Marchés industriels", ["CCAG MI", "MI"];
        Intellectual = "intellectual", "Prestations intellectuelles", ["CCAG PI"];
        InformationTechnology = "information_technology",
            "Techniques de l'information et de la communication", ["CCAG TIC", "TIC"];
        None = "none", "Pas de CCAG", ["Aucun", "Sans CCAG"];
    }
}

labelled_enum! {
    /// Whether a lot is reserved, and under which article of the code de la commande publique.
    pub enum Reservation ("une réservation reconnue (Non, L2113-12, L2113-13 ou L2113-15)") {
        None = "none", "Non", ["Aucune", "Non réservé", "Pas de réservation"];
        /// Entreprises adaptées and ESAT (disability).
        Disability = "l2113_12", "L2113-12", ["Réservé EA ESAT", "EA/ESAT"];
        /// SIAE (insertion).
        Insertion = "l2113_13", "L2113-13", ["Réservé SIAE", "SIAE"];
        /// Entreprises de l'économie sociale et solidaire.
        SocialEconomy = "l2113_15", "L2113-15", ["Réservé ESS", "ESS"];
    }
}

impl Reservation {
    pub fn is_reserved(self) -> bool {
        self != Reservation::None
    }
}

labelled_enum! {
    /// The part a company plays on a lot.
    pub enum AwardRole ("un rôle reconnu (Titulaire, Co-traitant ou Sous-traitant)") {
        Holder = "holder", "Titulaire", ["Attributaire", "Mandataire"];
        CoContractor = "co_contractor", "Co-traitant", ["Cotraitant"];
        Subcontractor = "subcontractor", "Sous-traitant", ["Soustraitant"];
    }
}

labelled_enum! {
    /// Works, supplies or services, as derived from the CPV division.
    pub enum ContractType ("un type de marché reconnu") {
        Works = "works", "Travaux";
        Supplies = "supplies", "Fournitures";
        Services = "services", "Services";
    }
}

labelled_enum! {
    /// DECP `considerationsSociales`.
    pub enum SocialConsideration ("une considération sociale reconnue") {
        Clause = "clause", "Clause sociale";
        Criterion = "criterion", "Critère social";
        Reserved = "reserved", "Marché réservé";
        None = "none", "Pas de considération sociale";
    }
}

labelled_enum! {
    /// DECP `considerationsEnvironnementales`.
    pub enum EnvironmentalConsideration ("une considération environnementale reconnue") {
        Clause = "clause", "Clause environnementale";
        Criterion = "criterion", "Critère environnemental";
        None = "none", "Pas de considération environnementale";
    }
}

impl EnvironmentalConsideration {
    /// The DECP values a contract carries: every one that applies, or "none" alone.
    pub fn of(has_condition: bool, has_criterion: bool) -> Vec<EnvironmentalConsideration> {
        applying(
            &[
                (has_condition, EnvironmentalConsideration::Clause),
                (has_criterion, EnvironmentalConsideration::Criterion),
            ],
            EnvironmentalConsideration::None,
        )
    }
}

impl SocialConsideration {
    /// The DECP values a lot carries: every one that applies, or "none" alone.
    pub fn of(
        has_clause: bool,
        has_criterion: bool,
        reservation: Reservation,
    ) -> Vec<SocialConsideration> {
        applying(
            &[
                (has_clause, SocialConsideration::Clause),
                (has_criterion, SocialConsideration::Criterion),
                (reservation.is_reserved(), SocialConsideration::Reserved),
            ],
            SocialConsideration::None,
        )
    }
}

/// The values whose flag is set, or `none` alone: DECP lists never stay empty.
fn applying<T: Copy>(flagged: &[(bool, T)], none: T) -> Vec<T> {
    let found: Vec<T> = flagged
        .iter()
        .filter_map(|(applies, value)| applies.then_some(*value))
        .collect();
    if found.is_empty() { vec![none] } else { found }
}

/// The last day of a contract: its end date, else notification plus duration (the day before
/// the same date so many months later). `None` when neither is known.
pub fn last_day(
    notification: chrono::NaiveDate,
    duration_months: Option<i32>,
    end_date: Option<chrono::NaiveDate>,
) -> Option<chrono::NaiveDate> {
    end_date.or_else(|| {
        let months = u32::try_from(duration_months?).ok()?;
        notification
            .checked_add_months(chrono::Months::new(months))?
            .pred_opt()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::labels::Labelled;

    #[test]
    fn parses_decp_labels_and_usual_abbreviations() {
        assert_eq!(Procedure::parse_label("MAPA").unwrap(), Procedure::Adapted);
        assert_eq!(
            Procedure::parse_label("appel d’offres ouvert").unwrap(),
            Procedure::OpenTender
        );
        assert_eq!(
            Ccag::parse_label("maîtrise d'oeuvre").unwrap(),
            Ccag::ProjectManagement
        );
        assert_eq!(
            Reservation::parse_label("L. 2113-13").unwrap(),
            Reservation::Insertion
        );
        assert_eq!(Reservation::parse_label("non").unwrap(), Reservation::None);
        assert_eq!(
            AwardRole::parse_label("CO-TRAITANT").unwrap(),
            AwardRole::CoContractor
        );
        assert!(AwardRole::parse_label("Fournisseur").is_err());
        assert_eq!(
            ContractNature::parse_label("marche").unwrap(),
            ContractNature::Contract
        );
    }

    #[test]
    fn labels_are_consistent() {
        use crate::domain::labels::assert_consistent;
        assert_consistent::<ContractNature>();
        assert_consistent::<Procedure>();
        assert_consistent::<Ccag>();
        assert_consistent::<Reservation>();
        assert_consistent::<AwardRole>();
        assert_consistent::<ContractType>();
        assert_consistent::<SocialConsideration>();
        assert_consistent::<EnvironmentalConsideration>();
    }

    #[test]
    fn social_considerations_follow_clause_criterion_and_reservation() {
        assert_eq!(
            SocialConsideration::of(false, false, Reservation::None),
            vec![SocialConsideration::None]
        );
        assert_eq!(
            SocialConsideration::of(true, true, Reservation::Insertion),
            vec![
                SocialConsideration::Clause,
                SocialConsideration::Criterion,
                SocialConsideration::Reserved
            ]
        );
    }

    #[test]
    fn serializes_codes_and_reads_labels() {
        assert_eq!(
            serde_json::to_string(&Reservation::Disability).unwrap(),
            "\"l2113_12\""
        );
        assert_eq!(
            serde_json::from_str::<Reservation>("\"L2113-12\"").unwrap(),
            Reservation::Disability
        );
        assert_eq!(
            serde_json::from_str::<Reservation>("\"l2113_12\"").unwrap(),
            Reservation::Disability
        );
        assert!(serde_json::from_str::<Reservation>("\"L2113-99\"").is_err());
    }
}
