//! The register's rows gathered into contracts and lots, each row through the checks as it
//! joins them. Contracts and lots are found through maps, never searched row after row.

use std::collections::HashMap;

use super::checks;
use super::context::Context;
use super::contract::{Award, ClausePlan, Contract, Lot};
use super::row::RegisterRow;
use crate::domain::{AwardRole, CompanyIdentifier, Name};
use crate::import::problem::Problems;
use crate::import::profile::Profile;
use crate::import::refusal::Refusal;
use crate::import::reporter::Reporter;
use crate::import::rows::{ParsedRow, RowView};
use crate::storage::BuyerId;

/// The contracts of the register, grouped as their rows come (rows of one contract may be
/// anywhere in the file).
pub fn validate(
    profile: &Profile,
    sheet: &str,
    rows: &[ParsedRow],
    context: &Context,
    problems: &mut Problems,
) -> Vec<Contract> {
    let mut report = Reporter::new(sheet, profile, problems);
    let mut register = Register {
        context,
        names: names_given(profile, rows),
        contracts: Vec::new(),
        by_reference: HashMap::new(),
        awards: HashMap::new(),
    };
    for row in rows {
        let Some(row) = RegisterRow::read(profile, row) else {
            continue; // its empty required cells are already reported
        };
        if let Err(refusal) = register.add(&row) {
            report.refuse(row.number, refusal);
        }
    }
    for contract in &register.contracts {
        for lot in contract.lots.values() {
            if let Err(refusal) = checks::lot_has_a_holder(&contract.reference, lot) {
                report.refuse(lot.first_row, refusal);
            }
        }
    }
    let mut contracts = register.contracts;
    super::closed::refuse_changes_to_closed(&mut contracts, context, &mut report);
    contracts
}

/// The register's checks over rows that come from elsewhere than a file (the contract's form):
/// the contracts they make, or every refusal with the row it is on.
pub fn gather(
    rows: &[RegisterRow],
    context: &Context,
) -> Result<Vec<Contract>, Vec<(u32, Refusal)>> {
    let names = rows
        .iter()
        .filter_map(|row| {
            let name = Name::parse(row.holder_name.as_deref()?).ok()?;
            Some((row.holder.clone(), name))
        })
        .collect();
    let mut register = Register {
        context,
        names,
        contracts: Vec::new(),
        by_reference: HashMap::new(),
        awards: HashMap::new(),
    };
    let mut refused: Vec<(u32, Refusal)> = rows
        .iter()
        .filter_map(|row| {
            checks::siret_unless_known(row, context)
                .and_then(|()| register.add(row))
                .err()
                .map(|r| (row.number, r))
        })
        .collect();
    for contract in &register.contracts {
        for lot in contract.lots.values() {
            if let Err(refusal) = checks::lot_has_a_holder(&contract.reference, lot) {
                refused.push((lot.first_row, refusal));
            }
        }
    }
    let mut contracts = register.contracts;
    refused.extend(super::closed::changes_to_closed(&mut contracts, context));
    if refused.is_empty() {
        Ok(contracts)
    } else {
        Err(refused)
    }
}

/// A company named on one row may be left bare on the others: the first valid name of each
/// company in the file, on any row.
fn names_given(profile: &Profile, rows: &[ParsedRow]) -> HashMap<CompanyIdentifier, Name> {
    let mut names = HashMap::new();
    for row in rows {
        let view = RowView { profile, row };
        if let (Some(company), Some(Ok(name))) = (
            view.company("holder_siret"),
            view.text("holder_name").map(|t| Name::parse(&t)),
        ) {
            names.entry(company).or_insert(name);
        }
    }
    names
}

struct Register<'c> {
    context: &'c Context,
    names: HashMap<CompanyIdentifier, Name>,
    /// In the order of their first row: the order they are written in.
    contracts: Vec<Contract>,
    /// (buyer, reference) → index in `contracts`.
    by_reference: HashMap<(BuyerId, String), usize>,
    /// (contract index, lot, company, role) → the row of that award.
    awards: HashMap<(usize, i32, CompanyIdentifier, AwardRole), u32>,
}

impl Register<'_> {
    /// Adds the row to its contract and lot, unless a check refuses it. A check refusing the row
    /// leaves what the rows before it established.
    fn add(&mut self, row: &RegisterRow) -> Result<(), Refusal> {
        checks::reference_fits_decp(row)?;
        checks::buyer_is_the_one_sent_for(row, self.context)?;
        let buyer_id = checks::buyer_in_scope(row, self.context)?;
        checks::duration_between_1_and_600_months(row)?;
        checks::ends_after_notification(row)?;
        let exemption = checks::exemption_recorded(row, &self.context.grounds)?;
        let index = self.contract_of(row, buyer_id, exemption)?;
        let lots = &mut self.contracts[index].lots;
        let number = checks::lot_number_is_positive(row)?;
        checks::lots_all_numbered_or_none(lots, number)?;
        checks::no_hours_without_clause(row)?;
        let lot = lots.entry(number).or_insert_with(|| Lot {
            first_row: row.number,
            title: row.lot_title.clone(),
            reservation: row.reservation,
            clause: ClausePlan::Unsaid,
            awards: Vec::new(),
        });
        checks::one_reservation_per_lot(lot, row)?;
        lot.clause = checks::clause_agrees(lot.clause, checks::clause_said(row))?;
        let award_key = (index, number, row.holder.clone(), row.role);
        checks::award_not_repeated(row, self.awards.get(&award_key).copied())?;
        let name = checks::holder_named_or_known(row, &self.names, self.context)?;
        self.awards.insert(award_key, row.number);
        lot.awards.push(Award {
            row: row.number,
            company: row.holder.clone(),
            name,
            postal_code: row.postal_code.clone(),
            size_class: row.size_class,
            role: row.role,
            amount: row.amount,
        });
        Ok(())
    }

    /// The index of the row's contract, added on its first row; a later row must give the same
    /// contract.
    fn contract_of(
        &mut self,
        row: &RegisterRow,
        buyer_id: BuyerId,
        exemption: Option<(String, String)>,
    ) -> Result<usize, Refusal> {
        let mut this = row.contract(buyer_id);
        if let Some((ground, text)) = exemption {
            this.obligations.exemption_ground = Some(ground);
            this.obligations.exemption_text = Some(text);
        }
        let key = (buyer_id, row.reference.clone());
        if let Some(&index) = self.by_reference.get(&key) {
            let known = &mut self.contracts[index];
            checks::same_contract_as_first_row(known, &this)?;
            super::contract::complete(&mut known.obligations, this.obligations);
            return Ok(index);
        }
        self.by_reference.insert(key, self.contracts.len());
        self.contracts.push(this);
        Ok(self.contracts.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::super::row::{BUYER, HOLDER};
    use super::*;
    use crate::domain::Siret;

    const OTHER_BUYER: &str = "44306184100047";

    fn context() -> Context {
        Context {
            buyers: HashMap::from([
                (Siret::parse(BUYER).unwrap(), BuyerId::from(1)),
                (Siret::parse(OTHER_BUYER).unwrap(), BuyerId::from(2)),
            ]),
            other_buyers: Vec::new(),
            only_buyer: None,
            companies: HashMap::from([(HOLDER.to_owned(), (9.into(), "company".to_owned()))]),
            grounds: crate::domain::ObligationRules::built_in().grounds,
            closed: HashMap::new(),
        }
    }

    fn register(context: &Context) -> Register<'_> {
        Register {
            context,
            names: HashMap::new(),
            contracts: Vec::new(),
            by_reference: HashMap::new(),
            awards: HashMap::new(),
        }
    }

    fn row(number: u32, lot: i64) -> RegisterRow {
        RegisterRow {
            number,
            lot,
            ..RegisterRow::example()
        }
    }

    #[test]
    fn rows_gather_by_buyer_and_reference_wherever_they_are() {
        let context = context();
        let mut register = register(&context);
        register.add(&row(2, 1)).unwrap();
        let other_buyer = RegisterRow {
            buyer: Siret::parse(OTHER_BUYER).unwrap(),
            ..row(3, 1)
        };
        register.add(&other_buyer).unwrap();
        register.add(&row(4, 2)).unwrap();
        let contracts: Vec<(i64, u32, Vec<i32>)> = register
            .contracts
            .iter()
            .map(|c| {
                let lots = c.lots.keys().copied().collect();
                (c.buyer_id.get(), c.first_row, lots)
            })
            .collect();
        assert_eq!(contracts, [(1, 2, vec![1, 2]), (2, 3, vec![1])]);
    }

    #[test]
    fn an_award_repeated_further_down_names_its_first_row() {
        let context = context();
        let mut register = register(&context);
        register.add(&row(2, 1)).unwrap();
        register.add(&row(3, 2)).unwrap();
        let refusal = register.add(&row(9, 1)).unwrap_err();
        assert!(refusal.message.starts_with("Cette ligne répète la ligne 2"));
        let co_contractor = RegisterRow {
            role: AwardRole::CoContractor,
            ..row(10, 1)
        };
        register.add(&co_contractor).unwrap();
        assert_eq!(register.contracts[0].lots[&1].awards.len(), 2);
    }

    #[test]
    fn a_refused_row_keeps_what_earlier_rows_established() {
        let context = context();
        let mut register = register(&context);
        let refused = RegisterRow {
            insertion_clause: Some(false),
            insertion_hours: Some(crate::domain::Hours::from_whole(10).unwrap()),
            ..row(2, 1)
        };
        assert_eq!(register.add(&refused).unwrap_err().key, "insertion_hours");
        // The contract was met on row 2: a later row that disagrees is compared with it.
        let other_object = RegisterRow {
            object: "Autre objet".to_owned(),
            ..row(3, 1)
        };
        let refusal = register.add(&other_object).unwrap_err();
        assert!(
            refusal
                .message
                .starts_with("La ligne 2 donne une autre valeur pour l'objet")
        );
    }
}
