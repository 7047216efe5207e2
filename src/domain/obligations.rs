//! The buyer's legal obligations on each contract: a social condition of execution above the
//! European thresholds (unless a ground is recorded), an environmental one always, for
//! consultations launched from the entry into force. The thresholds, buyer types, grounds and
//! date are data (`rules/obligations.toml`), read into [`ObligationRules`]; the rule is pure.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::labels::{labelled_enum, normalize};
use super::{ContractType, Money};

labelled_enum! {
    /// Where a contract stands against one part of the obligation.
    pub enum ObligationStatus ("un état d'obligation reconnu") {
        /// Launched before the entry into force, or below the threshold (social part).
        NotSubject = "not_subject", "Non soumis";
        Compliant = "compliant", "Conforme";
        /// No social condition, but a ground and its justification are recorded.
        Justified = "justified", "Dérogation justifiée";
        /// No condition and no ground.
        Missing = "missing", "Manquante";
        /// The launch date, nature or estimated value is unknown: the rule cannot be applied.
        Incomplete = "incomplete", "Données incomplètes";
    }
}

/// The rules built into the program; the settings may name another file.
pub const BUILT_IN: &str = include_str!("../../rules/obligations.toml");

labelled_enum! {
    /// What the contracts list may be narrowed to: the contracts short of an obligation.
    pub enum ObligationGap ("un manque reconnu (social_missing, environmental_missing ou incomplete)") {
        SocialMissing = "social_missing", "Sans condition sociale ni justification";
        EnvironmentalMissing = "environmental_missing", "Sans condition environnementale";
        Incomplete = "incomplete", "Données incomplètes pour les obligations";
    }
}

impl ObligationGap {
    pub fn matches(self, status: Obligations) -> bool {
        match self {
            ObligationGap::SocialMissing => status.social == ObligationStatus::Missing,
            ObligationGap::EnvironmentalMissing => {
                status.environmental == ObligationStatus::Missing
            }
            ObligationGap::Incomplete => {
                status.social == ObligationStatus::Incomplete
                    || status.environmental == ObligationStatus::Incomplete
            }
        }
    }
}

/// A value the rules list: a buyer type or a ground.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub synonyms: Vec<String>,
    #[serde(default)]
    pub default: bool,
}

impl Choice {
    fn matches(&self, input: &str) -> bool {
        let wanted = normalize(input);
        !wanted.is_empty()
            && std::iter::once(&self.code)
                .chain([&self.label])
                .chain(&self.synonyms)
                .any(|spelling| normalize(spelling) == wanted)
    }
}

/// The thresholds in force from a day on, in euros HT as the rules file writes them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    from: NaiveDate,
    works: i64,
    supplies_and_services: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    entry_into_force: NaiveDate,
    buyer_types: Vec<Choice>,
    grounds: Vec<Choice>,
    periods: Vec<RawPeriod>,
}

/// The thresholds in force from `from` until the next period.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Period {
    pub from: NaiveDate,
    pub works: Money,
    /// By buyer type code.
    pub supplies_and_services: BTreeMap<String, Money>,
}

/// The rules, checked: one default buyer type, a threshold for every buyer type in every
/// period, periods in order from before the entry into force.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(try_from = "RawRules")]
pub struct ObligationRules {
    pub entry_into_force: NaiveDate,
    pub buyer_types: Vec<Choice>,
    pub grounds: Vec<Choice>,
    pub periods: Vec<Period>,
}

/// What is known of a contract for its obligations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractFacts<'a> {
    pub launch: Option<NaiveDate>,
    pub contract_type: Option<ContractType>,
    pub estimated_value: Option<Money>,
    pub buyer_type: &'a str,
    /// An insertion clause on a lot, another social condition of execution, or a reserved lot.
    pub social_condition: bool,
    /// A ground recorded together with its justification.
    pub ground_justified: bool,
    pub environmental_condition: bool,
}

/// A contract's status on each part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Obligations {
    pub social: ObligationStatus,
    pub environmental: ObligationStatus,
}

impl Obligations {
    /// Subject to the social condition, without one and without a ground.
    pub fn lacks_social_condition(&self) -> bool {
        self.social == ObligationStatus::Missing
    }
}

impl TryFrom<RawRules> for ObligationRules {
    type Error = String;

    fn try_from(raw: RawRules) -> Result<ObligationRules, String> {
        let defaults = raw.buyer_types.iter().filter(|t| t.default).count();
        if defaults != 1 {
            return Err(format!(
                "un seul type d'acheteur doit porter « default = true » ({defaults} le portent)."
            ));
        }
        if raw.grounds.is_empty() {
            return Err("la liste des motifs (grounds) est vide.".to_owned());
        }
        let periods = raw
            .periods
            .into_iter()
            .map(|p| period(p, &raw.buyer_types))
            .collect::<Result<Vec<_>, _>>()?;
        let ordered = periods.windows(2).all(|w| w[0].from < w[1].from);
        if !ordered
            || periods
                .first()
                .is_none_or(|p| p.from > raw.entry_into_force)
        {
            return Err(format!(
                "les périodes doivent se suivre par date croissante, la première commençant au plus tard le {} (entrée en vigueur).",
                raw.entry_into_force.format("%d/%m/%Y")
            ));
        }
        Ok(ObligationRules {
            entry_into_force: raw.entry_into_force,
            buyer_types: raw.buyer_types,
            grounds: raw.grounds,
            periods,
        })
    }
}

fn euros(amount: i64, what: &str) -> Result<Money, String> {
    Money::from_euros(amount).map_err(|e| format!("seuil {what} : {e}"))
}

fn period(raw: RawPeriod, types: &[Choice]) -> Result<Period, String> {
    let when = raw.from.format("%d/%m/%Y");
    let mut by_type = BTreeMap::new();
    for kind in types {
        let amount = raw.supplies_and_services.get(&kind.code).ok_or_else(|| {
            format!(
                "la période du {when} n'a pas de seuil de fournitures et services pour « {} ».",
                kind.code
            )
        })?;
        by_type.insert(kind.code.clone(), euros(*amount, &kind.code)?);
    }
    if let Some(unknown) = raw
        .supplies_and_services
        .keys()
        .find(|code| !types.iter().any(|t| &t.code == *code))
    {
        return Err(format!(
            "la période du {when} nomme « {unknown} », qui n'est pas un type d'acheteur."
        ));
    }
    Ok(Period {
        from: raw.from,
        works: euros(raw.works, "travaux")?,
        supplies_and_services: by_type,
    })
}

impl ObligationRules {
    /// The built-in rules, checked by the tests below.
    pub fn built_in() -> ObligationRules {
        toml::from_str(BUILT_IN).expect("the built-in rules are valid")
    }

    pub fn default_buyer_type(&self) -> &Choice {
        self.buyer_types
            .iter()
            .find(|t| t.default)
            .expect("checked at load: one default")
    }

    /// The buyer type written by code, label or synonym.
    pub fn buyer_type(&self, input: &str) -> Result<&Choice, String> {
        find(&self.buyer_types, input, "type d'acheteur")
    }

    /// The ground written by code, label or synonym.
    pub fn ground(&self, input: &str) -> Result<&Choice, String> {
        ground_among(&self.grounds, input)
    }

    /// The label of a stored code, or the code itself if the rules no longer list it.
    pub fn label_of<'a>(choices: &'a [Choice], code: &'a str) -> &'a str {
        choices
            .iter()
            .find(|c| c.code == code)
            .map_or(code, |c| c.label.as_str())
    }

    /// The threshold in force on `launch` for this nature and buyer type.
    pub fn threshold(
        &self,
        launch: NaiveDate,
        kind: ContractType,
        buyer_type: &str,
    ) -> Option<Money> {
        let period = self.periods.iter().rev().find(|p| p.from <= launch)?;
        match kind {
            ContractType::Works => Some(period.works),
            ContractType::Supplies | ContractType::Services => {
                period.supplies_and_services.get(buyer_type).copied()
            }
        }
    }

    pub fn assess(&self, facts: &ContractFacts<'_>) -> Obligations {
        Obligations {
            social: self.social(facts),
            environmental: self.environmental(facts),
        }
    }

    fn social(&self, facts: &ContractFacts<'_>) -> ObligationStatus {
        let Some(launch) = facts.launch else {
            return ObligationStatus::Incomplete;
        };
        if launch < self.entry_into_force {
            return ObligationStatus::NotSubject;
        }
        let threshold = facts
            .contract_type
            .and_then(|kind| self.threshold(launch, kind, facts.buyer_type));
        let (Some(threshold), Some(value)) = (threshold, facts.estimated_value) else {
            return ObligationStatus::Incomplete;
        };
        if value < threshold {
            ObligationStatus::NotSubject
        } else if facts.social_condition {
            ObligationStatus::Compliant
        } else if facts.ground_justified {
            ObligationStatus::Justified
        } else {
            ObligationStatus::Missing
        }
    }

    fn environmental(&self, facts: &ContractFacts<'_>) -> ObligationStatus {
        match facts.launch {
            None => ObligationStatus::Incomplete,
            Some(launch) if launch < self.entry_into_force => ObligationStatus::NotSubject,
            Some(_) if facts.environmental_condition => ObligationStatus::Compliant,
            Some(_) => ObligationStatus::Missing,
        }
    }
}

/// « 3 marchés sans condition sociale ni justification »: what the dashboard and the command
/// line say of the contracts whose social part is missing.
pub fn missing_social_sentence(count: usize) -> String {
    match count {
        0 => "Aucun marché sans condition sociale ni justification".to_owned(),
        1 => "1 marché sans condition sociale ni justification".to_owned(),
        n => format!("{n} marchés sans condition sociale ni justification"),
    }
}

/// Of these grounds, the one written by code, label or synonym; the refusal names them all.
pub fn ground_among<'a>(grounds: &'a [Choice], input: &str) -> Result<&'a Choice, String> {
    find(grounds, input, "motif d'absence de condition sociale")
}

fn find<'a>(choices: &'a [Choice], input: &str, what: &str) -> Result<&'a Choice, String> {
    choices.iter().find(|c| c.matches(input)).ok_or_else(|| {
        let allowed: Vec<String> = choices.iter().map(|c| format!("« {} »", c.label)).collect();
        format!(
            "« {} » n'est pas un {what} reconnu : écrivez {}.",
            input.trim(),
            or_list(&allowed)
        )
    })
}

/// "a, b ou c".
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} ou {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> ObligationRules {
        ObligationRules::built_in()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn euros(e: i64) -> Option<Money> {
        Some(Money::from_euros(e).unwrap())
    }

    /// Services of a local authority launched on the entry into force, at the threshold,
    /// without any condition.
    fn facts() -> ContractFacts<'static> {
        ContractFacts {
            launch: Some(date(2026, 8, 22)),
            contract_type: Some(ContractType::Services),
            estimated_value: euros(216_000),
            buyer_type: "local_authority",
            social_condition: false,
            ground_justified: false,
            environmental_condition: false,
        }
    }

    fn social(facts: ContractFacts<'_>) -> ObligationStatus {
        rules().assess(&facts).social
    }

    #[test]
    fn thresholds_follow_the_period_nature_and_buyer_type() {
        let rules = rules();
        let t = |y, kind, buyer| rules.threshold(date(y, 6, 1), kind, buyer);
        assert_eq!(t(2025, ContractType::Works, "state"), euros(5_538_000));
        assert_eq!(t(2026, ContractType::Works, "state"), euros(5_404_000));
        assert_eq!(
            t(2025, ContractType::Supplies, "local_authority"),
            euros(221_000)
        );
        assert_eq!(t(2026, ContractType::Services, "state"), euros(140_000));
        assert_eq!(
            t(2027, ContractType::Services, "contracting_entity"),
            euros(432_000)
        );
        assert_eq!(t(2026, ContractType::Services, "unknown"), None);
        assert_eq!(rules.default_buyer_type().code, "local_authority");
    }

    #[test]
    fn the_social_part_from_the_entry_into_force_and_the_threshold() {
        use ObligationStatus::*;
        assert_eq!(social(facts()), Missing);
        let day_before = ContractFacts {
            launch: Some(date(2026, 8, 21)),
            ..facts()
        };
        assert_eq!(social(day_before), NotSubject);
        let below = ContractFacts {
            estimated_value: euros(215_999),
            ..facts()
        };
        assert_eq!(social(below), NotSubject);
        let state_at_threshold = ContractFacts {
            estimated_value: euros(140_000),
            buyer_type: "state",
            ..facts()
        };
        assert_eq!(social(state_at_threshold), Missing);
        let with_condition = ContractFacts {
            social_condition: true,
            ground_justified: true,
            ..facts()
        };
        assert_eq!(social(with_condition), Compliant);
        let justified = ContractFacts {
            ground_justified: true,
            ..facts()
        };
        assert_eq!(social(justified), Justified);
    }

    #[test]
    fn an_unknown_launch_nature_or_value_is_incomplete() {
        use ObligationStatus::Incomplete;
        let no_value = ContractFacts {
            estimated_value: None,
            ..facts()
        };
        assert_eq!(social(no_value), Incomplete);
        let no_nature = ContractFacts {
            contract_type: None,
            ..facts()
        };
        assert_eq!(social(no_nature), Incomplete);
        let no_launch = ContractFacts {
            launch: None,
            ..facts()
        };
        assert_eq!(rules().assess(&no_launch).social, Incomplete);
        assert_eq!(rules().assess(&no_launch).environmental, Incomplete);
    }

    #[test]
    fn the_environmental_part_has_no_threshold() {
        use ObligationStatus::*;
        let small = ContractFacts {
            estimated_value: euros(1_000),
            ..facts()
        };
        assert_eq!(rules().assess(&small).environmental, Missing);
        let green = ContractFacts {
            environmental_condition: true,
            ..small.clone()
        };
        assert_eq!(rules().assess(&green).environmental, Compliant);
        let before = ContractFacts {
            launch: Some(date(2026, 8, 21)),
            ..small
        };
        assert_eq!(rules().assess(&before).environmental, NotSubject);
    }

    #[test]
    fn grounds_and_types_are_read_by_label_code_or_synonym() {
        let rules = rules();
        assert_eq!(
            rules
                .ground("pas de lien suffisant avec l’objet du marché")
                .unwrap()
                .code,
            "no_link_with_object"
        );
        assert_eq!(rules.buyer_type("Etat").unwrap().code, "state");
        let refused = rules.ground("Trop cher").unwrap_err();
        assert_eq!(
            refused,
            "« Trop cher » n'est pas un motif d'absence de condition sociale reconnu : écrivez « Solution immédiatement disponible », « Pas de lien suffisant avec l'objet du marché » ou « Restriction de la concurrence ou exécution difficile »."
        );
    }

    #[test]
    fn a_rules_file_without_a_threshold_for_a_buyer_type_is_refused() {
        let broken = BUILT_IN.replace("state = 140000, ", "");
        let error = toml::from_str::<ObligationRules>(&broken)
            .unwrap_err()
            .to_string();
        assert!(error.contains("pas de seuil de fournitures et services pour « state »"));
        let two_defaults = BUILT_IN.replace("label = \"État\"", "label = \"État\"\ndefault = true");
        assert!(toml::from_str::<ObligationRules>(&two_defaults).is_err());
    }

    #[test]
    fn labels_are_consistent() {
        crate::domain::labels::assert_consistent::<ObligationStatus>();
        crate::domain::labels::assert_consistent::<ObligationGap>();
    }
}
