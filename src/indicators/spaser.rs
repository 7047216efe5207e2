//! The SPASER report: per buyer and year, how many contracts were notified and for how much,
//! and how many of them carry a social or environmental consideration, against the buyer's
//! own targets. Pure: the contracts and their obligation status come in, figures come out.

use chrono::{Datelike, NaiveDate};

use crate::domain::{Money, ObligationStatus, Obligations, Rate};

/// The national plan's (PNAD) share of contracts with a social consideration: the social
/// target of a buyer that has not set its own.
pub const PNAD_SOCIAL_TARGET: Rate = match Rate::const_from_basis_points(3_000) {
    Some(rate) => rate,
    None => panic!("30 % is a share"),
};

/// A notified contract as the report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaserContract {
    pub buyer_siret: String,
    pub reference: String,
    pub notified: NaiveDate,
    /// The sum of its lots' amounts.
    pub value: Money,
    pub insertion_clause: bool,
    pub social_condition: bool,
    pub social_criterion: bool,
    pub reserved: bool,
    pub environmental_condition: bool,
    pub environmental_criterion: bool,
    /// Its status under the obligation rules.
    pub status: Obligations,
}

impl SpaserContract {
    fn social(&self) -> bool {
        self.insertion_clause || self.social_condition || self.social_criterion || self.reserved
    }

    fn environmental(&self) -> bool {
        self.environmental_condition || self.environmental_criterion
    }

    /// Short of the social or the environmental obligation, without a ground.
    pub fn missing(&self) -> bool {
        self.status.social == ObligationStatus::Missing
            || self.status.environmental == ObligationStatus::Missing
    }
}

/// What the report counts, in the order of its tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indicator {
    Notified,
    Social,
    InsertionClause,
    OtherSocialCondition,
    SocialCriterion,
    Reserved,
    Environmental,
}

impl Indicator {
    pub const ALL: [Indicator; 7] = [
        Indicator::Notified,
        Indicator::Social,
        Indicator::InsertionClause,
        Indicator::OtherSocialCondition,
        Indicator::SocialCriterion,
        Indicator::Reserved,
        Indicator::Environmental,
    ];

    /// The stable code of the open-data file.
    pub fn code(self) -> &'static str {
        match self {
            Indicator::Notified => "marches_notifies",
            Indicator::Social => "consideration_sociale",
            Indicator::InsertionClause => "clause_insertion",
            Indicator::OtherSocialCondition => "autre_condition_sociale",
            Indicator::SocialCriterion => "critere_social",
            Indicator::Reserved => "marche_reserve",
            Indicator::Environmental => "consideration_environnementale",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Indicator::Notified => "Marchés notifiés",
            Indicator::Social => "Marchés avec une considération sociale",
            Indicator::InsertionClause => "dont clause d'insertion",
            Indicator::OtherSocialCondition => "dont autre condition sociale d'exécution",
            Indicator::SocialCriterion => "dont critère social d'attribution",
            Indicator::Reserved => "dont marché réservé",
            Indicator::Environmental => "Marchés avec une considération environnementale",
        }
    }

    fn counts(self, contract: &SpaserContract) -> bool {
        match self {
            Indicator::Notified => true,
            Indicator::Social => contract.social(),
            Indicator::InsertionClause => contract.insertion_clause,
            Indicator::OtherSocialCondition => contract.social_condition,
            Indicator::SocialCriterion => contract.social_criterion,
            Indicator::Reserved => contract.reserved,
            Indicator::Environmental => contract.environmental(),
        }
    }
}

/// The buyer's targets as the report applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub social: Rate,
    /// Whether the social target is the buyer's own or the national plan's.
    pub social_own: bool,
    pub environmental: Option<Rate>,
}

impl Targets {
    pub fn of(social: Option<Rate>, environmental: Option<Rate>) -> Targets {
        Targets {
            social: social.unwrap_or(PNAD_SOCIAL_TARGET),
            social_own: social.is_some(),
            environmental,
        }
    }

    pub fn of_indicator(self, indicator: Indicator) -> Option<Rate> {
        match indicator {
            Indicator::Social => Some(self.social),
            Indicator::Environmental => self.environmental,
            _ => None,
        }
    }
}

/// One indicator of one year: how many contracts and for how much, and their shares of the
/// contracts notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure {
    pub indicator: Indicator,
    pub count: i64,
    pub value: Money,
    pub share_by_count: Option<Rate>,
    pub share_by_value: Option<Rate>,
    pub target: Option<Rate>,
}

/// A year's figures for one buyer, in the order of `Indicator::ALL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearFigures {
    pub year: i32,
    pub figures: Vec<Figure>,
}

impl YearFigures {
    pub fn figure(&self, indicator: Indicator) -> Option<&Figure> {
        self.figures.iter().find(|f| f.indicator == indicator)
    }
}

/// One buyer's report: the requested year last, after the earlier years with contracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerReport {
    pub siret: String,
    pub name: String,
    pub targets: Targets,
    pub years: Vec<YearFigures>,
    /// The contracts of the requested year short of an obligation, without a ground.
    pub missing: Vec<SpaserContract>,
}

fn sum(contracts: &[&SpaserContract]) -> Money {
    contracts.iter().fold(Money::ZERO, |total, c| {
        total.checked_add(c.value).unwrap_or(total)
    })
}

/// A year's figures from its contracts.
pub fn year_figures(year: i32, contracts: &[&SpaserContract], targets: Targets) -> YearFigures {
    let whole = (contracts.len() as i64, sum(contracts));
    let figures = Indicator::ALL
        .into_iter()
        .map(|indicator| {
            let counted: Vec<&SpaserContract> = contracts
                .iter()
                .copied()
                .filter(|c| indicator.counts(c))
                .collect();
            let value = sum(&counted);
            Figure {
                indicator,
                count: counted.len() as i64,
                value,
                share_by_count: Rate::ratio(counted.len() as i64, whole.0),
                share_by_value: Rate::ratio(value.cents(), whole.1.cents()),
                target: targets.of_indicator(indicator),
            }
        })
        .collect();
    YearFigures { year, figures }
}

/// A buyer's report for `year` from all its contracts notified up to then: the years before
/// with at least one contract, then the requested year, even empty.
pub fn buyer_report(
    (siret, name): (String, String),
    targets: Targets,
    year: i32,
    contracts: &[SpaserContract],
) -> BuyerReport {
    let mut years: Vec<i32> = contracts
        .iter()
        .map(|c| c.notified.year())
        .filter(|y| *y < year)
        .collect();
    years.sort_unstable();
    years.dedup();
    years.push(year);
    let of_year = |y: i32| -> Vec<&SpaserContract> {
        contracts
            .iter()
            .filter(|c| c.notified.year() == y)
            .collect()
    };
    BuyerReport {
        years: years
            .into_iter()
            .map(|y| year_figures(y, &of_year(y), targets))
            .collect(),
        missing: of_year(year)
            .into_iter()
            .filter(|c| c.missing())
            .cloned()
            .collect(),
        siret,
        name,
        targets,
    }
}

/// How each figure is worked out, for the method sheet and the documentation.
pub const METHOD: &[(&str, &str)] = &[
    (
        "Marchés notifiés",
        "Marchés de l'acheteur dont la date de notification tombe dans l'année civile ; valeur : somme des montants de leurs lots (HT).",
    ),
    (
        "Considération sociale",
        "Marché qui a au moins l'un de : une clause d'insertion sur un lot, une autre condition sociale d'exécution, un critère social d'attribution, un lot réservé (SIAE, ESAT-EA).",
    ),
    (
        "Considération environnementale",
        "Marché qui a une condition environnementale d'exécution ou un critère environnemental d'attribution.",
    ),
    (
        "Part en nombre",
        "Nombre de marchés de l'indicateur ÷ nombre de marchés notifiés de l'année, arrondi au point de base (0,01 %) le plus proche.",
    ),
    (
        "Part en valeur",
        "Valeur des marchés de l'indicateur ÷ valeur des marchés notifiés de l'année, arrondie au point de base le plus proche.",
    ),
    (
        "Cible",
        "Cible de l'acheteur fixée dans son SPASER ; sans cible sociale propre, celle du plan national pour des achats durables (PNAD) : 30 % des marchés. Pas de cible environnementale par défaut.",
    ),
    (
        "Marchés manquants",
        "Marchés notifiés dans l'année dont la condition sociale ou environnementale est « manquante » selon les règles des obligations de l'acheteur : soumis à l'obligation, sans condition ni motif justifié.",
    ),
    (
        "Tendance",
        "Les années antérieures où l'acheteur a notifié au moins un marché, puis l'année demandée.",
    ),
];
