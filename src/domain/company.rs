//! Companies and insertion employers: what kind of structure, what size.

use super::labels::labelled_enum;
use super::money::Money;

labelled_enum! {
    /// What an establishment is: an ordinary firm or one of the insertion and disability employers.
    pub enum StructureKind ("un type de structure reconnu") {
        Company = "company", "Entreprise", ["Entreprise classique", "Entreprise ordinaire", "Société"];
        Aci = "aci", "ACI", ["Atelier chantier d'insertion", "Atelier et chantier d'insertion"];
        Ai = "ai", "AI", ["Association intermédiaire"];
        Ei = "ei", "EI", ["Entreprise d'insertion"];
        Etti = "etti", "ETTI", ["Entreprise de travail temporaire d'insertion"];
        Eiti = "eiti", "EITI", ["Entreprise d'insertion par le travail indépendant"];
        Geiq = "geiq", "GEIQ", ["Groupement d'employeurs pour l'insertion et la qualification"];
        Ea = "ea", "EA", ["Entreprise adaptée"];
        Eatt = "eatt", "EATT", ["Entreprise adaptée de travail temporaire"];
        Esat = "esat", "ESAT", ["Établissement et service d'aide par le travail"];
    }
}

impl StructureKind {
    /// Structures d'insertion par l'activité économique, conventionnées par l'État.
    pub fn is_siae(self) -> bool {
        matches!(
            self,
            Self::Aci | Self::Ai | Self::Ei | Self::Etti | Self::Eiti
        )
    }

    /// Employers of disabled workers (articles L2113-12 reservations).
    pub fn is_disability_employer(self) -> bool {
        matches!(self, Self::Ea | Self::Eatt | Self::Esat)
    }

    /// Any structure through which insertion hours may be delivered other than direct hire.
    pub fn is_insertion_structure(self) -> bool {
        self != Self::Company
    }

    /// Structures that can second (mettre à disposition) their staff to an awardee.
    pub fn can_second_staff(self) -> bool {
        matches!(self, Self::Etti | Self::Eatt | Self::Ai | Self::Geiq)
    }
}

labelled_enum! {
    /// Company size class of décret n° 2008-1354.
    pub enum SizeClass ("une catégorie d'entreprise reconnue") {
        Micro = "micro", "TPE", ["Microentreprise", "Micro-entreprise", "Très petite entreprise"];
        Sme = "sme", "PME", ["Petite et moyenne entreprise", "Petite ou moyenne entreprise"];
        MidCap = "mid_cap", "ETI", ["Entreprise de taille intermédiaire"];
        Large = "large", "GE", ["Grande entreprise"];
    }
}

impl SizeClass {
    /// Classifies from staff, turnover and balance sheet total (décret 2008-1354, art. 3):
    /// micro under 10 staff and 2 M€; PME under 250 staff and 50 M€ turnover or 43 M€ balance
    /// sheet; ETI under 5 000 staff; otherwise GE.
    pub fn from_figures(staff: u32, turnover: Money, balance_sheet: Money) -> SizeClass {
        let million = |m: i64| m * 100_000_000;
        let under = |limit: i64| turnover.cents() <= limit || balance_sheet.cents() <= limit;
        if staff < 10 && under(million(2)) {
            SizeClass::Micro
        } else if staff < 250
            && (turnover.cents() <= million(50) || balance_sheet.cents() <= million(43))
        {
            SizeClass::Sme
        } else if staff < 5_000 {
            SizeClass::MidCap
        } else {
            SizeClass::Large
        }
    }

    /// TPE and PME count together in the charter's small-business share.
    pub fn is_small_or_medium(self) -> bool {
        matches!(self, Self::Micro | Self::Sme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::labels::Labelled;

    #[test]
    fn parses_kinds_as_written() {
        assert_eq!(
            StructureKind::parse_label("etti").unwrap(),
            StructureKind::Etti
        );
        assert_eq!(
            StructureKind::parse_label("Entreprise adaptée").unwrap(),
            StructureKind::Ea
        );
        assert_eq!(
            StructureKind::parse_label("ETABLISSEMENT ET SERVICE D'AIDE PAR LE TRAVAIL").unwrap(),
            StructureKind::Esat
        );
        let error = StructureKind::parse_label("Coopérative").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("« Coopérative » n'est pas un type de structure reconnu")
        );
        assert!(error.to_string().contains("ETTI"));
    }

    #[test]
    fn labels_are_consistent() {
        crate::domain::labels::assert_consistent::<StructureKind>();
        crate::domain::labels::assert_consistent::<SizeClass>();
    }

    #[test]
    fn knows_what_each_kind_may_do() {
        assert!(StructureKind::Aci.is_siae() && !StructureKind::Aci.can_second_staff());
        assert!(StructureKind::Etti.can_second_staff() && StructureKind::Geiq.can_second_staff());
        assert!(StructureKind::Esat.is_disability_employer() && !StructureKind::Esat.is_siae());
        assert!(!StructureKind::Company.is_insertion_structure());
    }

    #[test]
    fn classifies_by_size() {
        let eur = |m: i64| Money::from_euros(m * 1_000_000).unwrap();
        assert_eq!(SizeClass::from_figures(5, eur(1), eur(1)), SizeClass::Micro);
        assert_eq!(SizeClass::from_figures(5, eur(3), eur(3)), SizeClass::Sme);
        assert_eq!(
            SizeClass::from_figures(120, eur(60), eur(40)),
            SizeClass::Sme
        );
        assert_eq!(
            SizeClass::from_figures(120, eur(60), eur(60)),
            SizeClass::MidCap
        );
        assert_eq!(
            SizeClass::from_figures(4_999, eur(900), eur(900)),
            SizeClass::MidCap
        );
        assert_eq!(
            SizeClass::from_figures(12_000, eur(900), eur(900)),
            SizeClass::Large
        );
        assert_eq!(SizeClass::parse_label("tpe").unwrap(), SizeClass::Micro);
        assert!(SizeClass::Sme.is_small_or_medium() && !SizeClass::MidCap.is_small_or_medium());
    }
}
