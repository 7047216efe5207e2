//! What the « À faire » list needs beside the sums: how its lots are named, and who holds them.

use diesel::prelude::*;

use super::located::located;
use super::schema::{awards, buyers, companies, contracts, lots};
use super::{ContractId, DbConnection, LotId};
use crate::domain::AwardRole;

/// A lot as an item names it: its buyer, contract and number.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct LotNames {
    pub lot_id: LotId,
    pub contract_id: ContractId,
    pub buyer_siret: String,
    pub buyer_name: String,
    pub reference: String,
    pub lot_number: i32,
}

pub fn lot_names(conn: &mut DbConnection, lot_ids: &[LotId]) -> QueryResult<Vec<LotNames>> {
    located(conn, &["lots"], |conn| {
        super::in_slices(lot_ids, |slice| {
            lots::table
                .inner_join(contracts::table.inner_join(buyers::table))
                .filter(lots::id.eq_any(slice))
                .select((
                    lots::id,
                    contracts::id,
                    buyers::siret,
                    buyers::name,
                    contracts::reference,
                    lots::number,
                ))
                .load(conn)
        })
    })
}

/// A contract as an item names it: its buyer and reference.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ContractNames {
    pub contract_id: ContractId,
    pub buyer_siret: String,
    pub buyer_name: String,
    pub reference: String,
}

pub fn contract_names(
    conn: &mut DbConnection,
    contract_ids: &[ContractId],
) -> QueryResult<Vec<ContractNames>> {
    located(conn, &["contracts"], |conn| {
        super::in_slices(contract_ids, |slice| {
            contracts::table
                .inner_join(buyers::table)
                .filter(contracts::id.eq_any(slice))
                .select((
                    contracts::id,
                    buyers::siret,
                    buyers::name,
                    contracts::reference,
                ))
                .load(conn)
        })
    })
}

/// The holder of each of these lots that has one, as (lot, SIRET, name); a lot held by a
/// group of companies gives its first holder recorded.
pub fn holders(
    conn: &mut DbConnection,
    lot_ids: &[LotId],
) -> QueryResult<Vec<(LotId, String, String)>> {
    located(conn, &["awards"], |conn| {
        super::in_slices(lot_ids, |slice| {
            awards::table
                .inner_join(companies::table)
                .filter(awards::lot_id.eq_any(slice))
                .filter(awards::role.eq(AwardRole::Holder))
                .order((awards::lot_id, awards::id))
                .select((awards::lot_id, companies::identifier, companies::name))
                .load(conn)
        })
    })
}
