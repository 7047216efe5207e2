//! A register must not change what a closed clause was closed on: its target (nor remove the
//! clause), and its contract's period (notification, duration, end), over which the clause was
//! assessed. Amounts, titles and awards are not part of the closure and may still change.

use super::context::{ClosedLot, Context};
use super::contract::{ClausePlan, Contract, Lot};
use crate::import::refusal::Refusal;
use crate::import::reporter::Reporter;

/// Refuses the row of each lot of a closed clause that changes what its closure froze. A lot
/// that changes none of it is accepted, its clause left as stored rather than written again.
pub fn refuse_changes_to_closed(
    contracts: &mut [Contract],
    context: &Context,
    report: &mut Reporter,
) {
    for (row, refusal) in changes_to_closed(contracts, context) {
        report.refuse(row, refusal);
    }
}

/// The refusals of `refuse_changes_to_closed`, each with its row.
pub fn changes_to_closed(contracts: &mut [Contract], context: &Context) -> Vec<(u32, Refusal)> {
    let mut refused = Vec::new();
    for contract in contracts {
        let key = |number: i32| (contract.buyer_id, contract.reference.clone(), number);
        let closed: Vec<(i32, &ClosedLot)> = contract
            .lots
            .keys()
            .filter_map(|&n| context.closed.get(&key(n)).map(|c| (n, c)))
            .collect();
        for (number, frozen) in closed {
            let Some(lot) = contract.lots.get(&number) else {
                continue;
            };
            let refusal = period_refusal(contract, lot.first_row, frozen)
                .or_else(|| clause_refusal(lot, frozen));
            let Some(lot) = contract.lots.get_mut(&number) else {
                continue;
            };
            match refusal {
                Some(found) => refused.push(found),
                None => lot.clause = ClausePlan::Unsaid,
            }
        }
    }
    refused
}

/// The clause removed, or its target changed: the row that says so.
fn clause_refusal(lot: &Lot, frozen: &ClosedLot) -> Option<(u32, Refusal)> {
    let (row, key, value) = match lot.clause {
        ClausePlan::No { row } => (row, "insertion_clause", "Non".to_owned()),
        ClausePlan::Yes {
            hours: Some((hours, row)),
            ..
        } if hours != frozen.target => (row, "insertion_hours", hours.to_string()),
        _ => return None,
    };
    Some((row, Refusal::new(key, Some(value), frozen.message.clone())))
}

/// The contract's period changed: the lot's first row, on the first column that differs.
fn period_refusal(contract: &Contract, row: u32, frozen: &ClosedLot) -> Option<(u32, Refusal)> {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%d/%m/%Y").to_string());
    let (key, value) = if contract.notification_date != frozen.notification_date {
        ("notification_date", date(Some(contract.notification_date)))
    } else if contract.duration_months != frozen.duration_months {
        (
            "duration_months",
            contract.duration_months.map(|m| m.to_string()),
        )
    } else if contract.end_date != frozen.end_date {
        ("end_date", date(contract.end_date))
    } else {
        return None;
    };
    let refusal = Refusal::new(key, value, frozen.message.clone());
    Some((row, refusal))
}
