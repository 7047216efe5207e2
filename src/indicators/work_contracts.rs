//! Work contracts of a period: how many, held by how many people, of which type and length.
//! Funders ask for contracts beside people because one person often holds several (about 1,5
//! nationally). Groups are groups of people: the small-group rules apply to them.

use std::collections::{BTreeMap, HashSet};

use super::small_groups::{self, BuyerCell};
use super::{DataScope, Period};
use crate::domain::decimal::format_fixed;
use crate::domain::work_contract::{ContractLength, WorkContractPeriod, per_person_hundredths};
use crate::domain::{EmploymentContract, Labelled};
use crate::storage::work_contracts::{self as stored, ContractRow, ContractsFilter};
use crate::storage::{BuyerId, DbConnection, ParticipantId, WorkContractId};

/// What is said of how the contracts are counted.
pub const METHOD: &str = "Contrats de travail en cours au moins un jour de la période, sur les lots des marchés du périmètre : ceux du registre des contrats envoyé par le facilitateur, et pour les participants qu'aucun registre ne nomme, ceux déduits des relevés d'heures (un contrat par participant, employeur, type de contrat et suite de mois consécutifs avec des heures ; heures rejetées exclues). Personnes : participants distincts titulaires d'au moins un de ces contrats.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkContracts {
    /// Absent when the scope holds too few people to show them.
    pub contracts: Option<i64>,
    pub people: Option<i64>,
    /// Contracts per person, in hundredths.
    pub per_person: Option<i64>,
    /// "1,50 contrat par personne", or what stands in its place.
    pub per_person_text: String,
    /// Of the contracts, those derived from the hour statements.
    pub derived: Option<i64>,
    /// Mean length in days of the contracts with an end date.
    pub mean_days: Option<i64>,
    pub by_type: Vec<ContractGroup>,
    pub by_length: Vec<ContractGroup>,
    pub method: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractGroup {
    /// The code grouped on; `None` on the one line standing for the hidden groups.
    pub key: Option<String>,
    pub label: String,
    /// Absent when suppressed.
    pub contracts: Option<i64>,
    pub people: Option<i64>,
    pub suppressed: bool,
}

/// One contract once, with the buyers whose lots it served.
struct Contract {
    participant: ParticipantId,
    kind: EmploymentContract,
    period: WorkContractPeriod,
    derived: bool,
    buyers: Vec<BuyerId>,
}

fn contracts_of(rows: Vec<ContractRow>) -> Vec<Contract> {
    let mut by_id: BTreeMap<WorkContractId, Contract> = BTreeMap::new();
    for row in rows {
        let contract = by_id.entry(row.id).or_insert_with(|| Contract {
            participant: row.participant_id,
            kind: row.contract_type,
            // Stored rows hold an end after the start (a check of the table).
            period: WorkContractPeriod::new(row.start_date, row.end_date)
                .unwrap_or_else(|_| WorkContractPeriod::new(row.start_date, None).expect("open")),
            derived: row.derived,
            buyers: Vec::new(),
        });
        contract.buyers.push(row.buyer_id);
    }
    by_id.into_values().collect()
}

/// The work contracts of the scope running in the period; small groups hidden when `suppress`.
pub fn compute(
    conn: &mut DbConnection,
    scope: &DataScope,
    period: Period,
    suppress: bool,
) -> Result<WorkContracts, diesel::result::Error> {
    let filter = ContractsFilter {
        buyer_ids: scope.buyer_ids.clone(),
        company_id: scope.company_id,
        from: period.from,
        to: period.to,
    };
    let contracts = contracts_of(stored::running(conn, &filter)?);
    let several_buyers = scope.buyer_ids.as_ref().is_none_or(|ids| ids.len() > 1);
    Ok(summarise(&contracts, suppress, several_buyers))
}

fn summarise(contracts: &[Contract], suppress: bool, several_buyers: bool) -> WorkContracts {
    let people = contracts
        .iter()
        .map(|c| c.participant)
        .collect::<HashSet<_>>()
        .len() as i64;
    let count = contracts.len() as i64;
    let few = suppress && small_groups::is_small(people);
    let ended: Vec<i64> = contracts.iter().filter_map(|c| c.period.days()).collect();
    let mean_days = (!ended.is_empty()).then(|| ended.iter().sum::<i64>() / ended.len() as i64);
    let per_person = per_person_hundredths(count, people);
    let by_type = groups(
        contracts,
        suppress,
        several_buyers,
        |c| c.kind.code(),
        |code| EmploymentContract::from_code(code).map_or(code, Labelled::label),
    );
    let by_length = groups(
        contracts,
        suppress,
        several_buyers,
        |c| c.period.length().code(),
        |code| ContractLength::from_code(code).map_or(code, Labelled::label),
    );
    let shown = |value: i64| (!few).then_some(value);
    WorkContracts {
        contracts: shown(count),
        people: shown(people),
        per_person: per_person.filter(|_| !few),
        per_person_text: match (few, per_person) {
            (true, _) => "non montré (moins de 5 personnes)".to_owned(),
            (false, None) => "sans objet".to_owned(),
            (false, Some(p)) => format!("{} contrat(s) par personne", format_fixed(p, 2)),
        },
        derived: shown(contracts.iter().filter(|c| c.derived).count() as i64),
        mean_days: mean_days.filter(|_| !few),
        by_type: if few { Vec::new() } else { by_type },
        by_length: if few { Vec::new() } else { by_length },
        method: METHOD,
    }
}

/// Contracts and people of each group `key_of` gives, the hidden ones (under the threshold, the
/// next smallest with a lone one, those hidden in one buyer's own figures) standing together.
fn groups(
    contracts: &[Contract],
    suppress: bool,
    several_buyers: bool,
    key_of: impl Fn(&Contract) -> &'static str,
    label_of: impl Fn(&'static str) -> &'static str,
) -> Vec<ContractGroup> {
    let mut counted: BTreeMap<&'static str, (i64, HashSet<ParticipantId>)> = BTreeMap::new();
    let mut by_buyer: BTreeMap<(BuyerId, &'static str), HashSet<ParticipantId>> = BTreeMap::new();
    for c in contracts {
        let key = key_of(c);
        let slot = counted.entry(key).or_default();
        slot.0 += 1;
        slot.1.insert(c.participant);
        for buyer in &c.buyers {
            by_buyer
                .entry((*buyer, key))
                .or_default()
                .insert(c.participant);
        }
    }
    let keys: Vec<&'static str> = counted.keys().copied().collect();
    let people: Vec<i64> = counted.values().map(|(_, p)| p.len() as i64).collect();
    let hidden = if suppress {
        let elsewhere = if several_buyers {
            let cells: Vec<BuyerCell<BuyerId>> = by_buyer
                .iter()
                .map(|((buyer, key), p)| BuyerCell {
                    buyer: *buyer,
                    key: Some((*key).to_owned()),
                    participants: p.len() as i64,
                })
                .collect();
            small_groups::hidden_in_some_buyer(&cells, |_| false)
        } else {
            HashSet::new()
        };
        let forced: Vec<bool> = keys
            .iter()
            .map(|k| elsewhere.contains(&Some((*k).to_owned())))
            .collect();
        small_groups::hidden(&people, &forced, &[])
    } else {
        vec![false; keys.len()]
    };
    let mut shown: Vec<ContractGroup> = counted
        .iter()
        .zip(&hidden)
        .filter(|(_, hide)| !**hide)
        .map(|((key, (n, p)), _)| ContractGroup {
            key: Some((*key).to_owned()),
            label: label_of(key).to_owned(),
            contracts: Some(*n),
            people: Some(p.len() as i64),
            suppressed: false,
        })
        .collect();
    if hidden.iter().any(|h| *h) {
        shown.push(ContractGroup {
            key: None,
            label: small_groups::MASKED_LABEL.to_owned(),
            contracts: None,
            people: None,
            suppressed: true,
        });
    }
    shown
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn contract(participant: i64, kind: EmploymentContract, buyer: i64) -> Contract {
        let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        Contract {
            participant: participant.into(),
            kind,
            period: WorkContractPeriod::new(start, NaiveDate::from_ymd_opt(2025, 1, 31)).unwrap(),
            derived: false,
            buyers: vec![buyer.into()],
        }
    }

    #[test]
    fn contracts_people_and_types_are_counted_apart() {
        // Six people: five CDDI, one of them also a CTTI, and one CDI.
        let mut list: Vec<Contract> = (1..=5)
            .map(|p| contract(p, EmploymentContract::InsertionFixedTerm, 1))
            .collect();
        list.push(contract(1, EmploymentContract::InsertionTemporary, 1));
        list.push(contract(6, EmploymentContract::Permanent, 1));
        let open = summarise(&list, false, false);
        assert_eq!((open.contracts, open.people), (Some(7), Some(6)));
        assert_eq!(open.per_person, Some(117));
        assert_eq!(open.by_type.len(), 3);
        assert_eq!(open.mean_days, Some(31));

        // Seen from outside: the CTTI and CDI groups (one person each) are hidden together.
        let outside = summarise(&list, true, false);
        assert_eq!(outside.contracts, Some(7));
        let shown: Vec<_> = outside
            .by_type
            .iter()
            .map(|g| (g.key.clone(), g.people))
            .collect();
        assert_eq!(
            shown,
            [
                (Some("insertion_fixed_term".to_owned()), Some(5)),
                (None, None)
            ]
        );
    }

    #[test]
    fn a_scope_of_fewer_than_five_people_shows_no_count() {
        let list = vec![contract(1, EmploymentContract::Permanent, 1)];
        let outside = summarise(&list, true, false);
        assert_eq!((outside.contracts, outside.people), (None, None));
        assert!(outside.by_type.is_empty() && outside.by_length.is_empty());
    }
}
