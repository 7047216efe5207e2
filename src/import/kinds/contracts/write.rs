//! Writing the register: contracts, lots, awards and clauses, in the import's transaction.

use super::contract::{ClausePlan, Contract, Lot};
use crate::domain::{AwardRole, Money};
use crate::import::progress::Progress;
use crate::storage::DbConnection;
use crate::storage::companies;
use crate::storage::contracts as repository;
use crate::storage::{ContractId, ImportId};

/// Writes every contract, lot, award and clause; returns how many award rows were written.
/// The caller provides the transaction.
pub fn write(
    conn: &mut DbConnection,
    contracts: &[Contract],
    import_id: ImportId,
    progress: &mut dyn Progress,
) -> diesel::QueryResult<usize> {
    let mut written = 0;
    for contract in contracts {
        let contract_id = repository::upsert_contract(conn, &contract.fields(Some(import_id)))?;
        written += write_lots(conn, contract_id, contract, progress)?;
    }
    Ok(written)
}

/// Writes the lots of `contract`, stored as `contract_id`, with their awards and clauses;
/// returns how many award rows were written.
pub fn write_lots(
    conn: &mut DbConnection,
    contract_id: ContractId,
    contract: &Contract,
    progress: &mut dyn Progress,
) -> diesel::QueryResult<usize> {
    let mut written = 0;
    for (number, lot) in &contract.lots {
        write_lot(conn, contract_id, *number, lot, progress)?;
        written += lot.awards.len();
    }
    Ok(written)
}

/// Writes a lot of the contract `contract_id`, its awards (their companies created or
/// completed) and its clause.
fn write_lot(
    conn: &mut DbConnection,
    contract_id: ContractId,
    number: i32,
    lot: &Lot,
    progress: &mut dyn Progress,
) -> diesel::QueryResult<()> {
    // The lot's amount: its holders' and co-contractors' shares; subcontracting is paid out of
    // them.
    let amount = lot
        .awards
        .iter()
        .filter(|a| a.role != AwardRole::Subcontractor)
        .try_fold(Money::ZERO, |sum, a| sum.checked_add(a.amount))
        .ok_or_else(|| {
            diesel::result::Error::SerializationError("montant du lot trop grand".into())
        })?;
    let lot_id = repository::upsert_lot(
        conn,
        contract_id,
        number,
        lot.title.as_deref(),
        amount,
        lot.reservation,
    )?;
    let mut awards = Vec::with_capacity(lot.awards.len());
    for award in &lot.awards {
        let company_id = companies::upsert(conn, &award.as_upsert())?;
        awards.push((company_id, award.role, award.amount));
        progress.row_written();
    }
    repository::replace_awards(conn, lot_id, &awards)?;
    match lot.clause {
        ClausePlan::Unsaid => Ok(()),
        ClausePlan::No { .. } => repository::remove_clause(conn, lot_id),
        ClausePlan::Yes { hours, .. } => {
            repository::set_clause(conn, lot_id, hours.map(|(h, _)| h))
        }
    }
}
