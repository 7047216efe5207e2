//! Buyers (acheteurs) and their territory.

use diesel::prelude::*;

use super::schema::{buyer_departements, buyers, contracts, lots};
use super::{BuyerId, DbConnection, LotId, corrupt, is_unique_violation, now};
use crate::domain::{Departement, Name, Siret, Territory};

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Buyer {
    #[schema(value_type = i64)]
    pub id: BuyerId,
    pub siret: Siret,
    pub name: Name,
    pub territory: Territory,
    /// Code of the obligation rules' buyer type (`local_authority`, `state`…).
    pub buyer_type: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BuyerError {
    #[error("Un acheteur existe déjà avec le SIRET {0}.")]
    AlreadyExists(Siret),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error(transparent)]
    Storage(#[from] super::StorageError),
}

/// Records a buyer and its territory; the caller provides the transaction.
pub fn insert(
    conn: &mut DbConnection,
    siret: &Siret,
    name: &Name,
    territory: &Territory,
) -> Result<BuyerId, BuyerError> {
    let id: BuyerId = diesel::insert_into(buyers::table)
        .values((
            buyers::siret.eq(siret.as_str()),
            buyers::name.eq(name.as_str()),
            buyers::created_at.eq(now()),
        ))
        .returning(buyers::id)
        .get_result(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                BuyerError::AlreadyExists(siret.clone())
            } else {
                e.into()
            }
        })?;
    // One row at a time: MultiBackend cannot express a batch insert (SQLite has no DEFAULT in
    // VALUES), and a territory is a handful of départements.
    for departement in territory.departements() {
        diesel::insert_into(buyer_departements::table)
            .values((
                buyer_departements::buyer_id.eq(id),
                buyer_departements::departement.eq(departement.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

pub fn id_by_siret(conn: &mut DbConnection, siret: &Siret) -> QueryResult<Option<BuyerId>> {
    buyers::table
        .filter(buyers::siret.eq(siret.as_str()))
        .select(buyers::id)
        .first(conn)
        .optional()
}

/// The buyer's type: a code of the obligation rules, which the caller has checked.
pub fn set_type(conn: &mut DbConnection, id: BuyerId, code: &str) -> QueryResult<()> {
    diesel::update(buyers::table.find(id))
        .set(buyers::buyer_type.eq(code))
        .execute(conn)
        .map(drop)
}

/// Of these lots, those whose buyer validates a facilitateur's own hour statements at import.
pub fn lots_validating_reviewers_imports(
    conn: &mut DbConnection,
    lot_ids: &[LotId],
) -> QueryResult<std::collections::HashSet<LotId>> {
    let rows = super::in_slices(lot_ids, |slice| {
        lots::table
            .inner_join(contracts::table.inner_join(buyers::table))
            .filter(lots::id.eq_any(slice))
            .filter(buyers::reviewers_imports_validated)
            .select(lots::id)
            .load(conn)
    })?;
    Ok(rows.into_iter().collect())
}

/// Whether a facilitateur's own hour statements on the buyer's lots are validated at import.
pub fn set_reviewers_imports_validated(
    conn: &mut DbConnection,
    id: BuyerId,
    validated: bool,
) -> QueryResult<()> {
    diesel::update(buyers::table.find(id))
        .set(buyers::reviewers_imports_validated.eq(validated))
        .execute(conn)
        .map(drop)
}

/// Every buyer with its territory, by name.
pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Buyer>> {
    let rows: Vec<(BuyerId, String, String, String)> = buyers::table
        .select((buyers::id, buyers::siret, buyers::name, buyers::buyer_type))
        .order((super::sort_key(buyers::name).asc(), buyers::id.asc()))
        .load(conn)?;
    let departements: Vec<(BuyerId, String)> = buyer_departements::table
        .select((
            buyer_departements::buyer_id,
            buyer_departements::departement,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, siret, name, buyer_type)| {
            let codes = departements
                .iter()
                .filter(|(buyer, _)| *buyer == id)
                .map(|(_, code)| Departement::parse(code).map_err(|e| corrupt("département", e)))
                .collect::<QueryResult<Vec<_>>>()?;
            Ok(Buyer {
                id,
                siret: Siret::parse(&siret).map_err(|e| corrupt("SIRET d'acheteur", e))?,
                name: Name::parse(&name).map_err(|e| corrupt("nom d'acheteur", e))?,
                territory: Territory::new(codes).map_err(|e| corrupt("territoire", e))?,
                buyer_type,
            })
        })
        .collect()
}

/// A buyer's SPASER targets, unset when it has not chosen them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Targets {
    pub social: Option<crate::domain::Rate>,
    pub environmental: Option<crate::domain::Rate>,
}

/// Sets the buyer's SPASER targets (`None` clears one).
pub fn set_targets(conn: &mut DbConnection, id: BuyerId, targets: Targets) -> QueryResult<()> {
    diesel::update(buyers::table.find(id))
        .set((
            buyers::social_target_bp.eq(targets.social),
            buyers::environmental_target_bp.eq(targets.environmental),
        ))
        .execute(conn)
        .map(drop)
}

/// Every buyer's SIRET, name and SPASER targets.
pub fn targets(conn: &mut DbConnection) -> QueryResult<Vec<(String, String, Targets)>> {
    let rows: Vec<(
        String,
        String,
        Option<crate::domain::Rate>,
        Option<crate::domain::Rate>,
    )> = buyers::table
        .select((
            buyers::siret,
            buyers::name,
            buyers::social_target_bp,
            buyers::environmental_target_bp,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(siret, name, social, environmental)| {
            (
                siret,
                name,
                Targets {
                    social,
                    environmental,
                },
            )
        })
        .collect())
}
