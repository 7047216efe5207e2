//! What the kinds' checks need from the database, read once before the file is parsed.

use std::collections::HashMap;

use super::error::ImportError;
use super::kinds;
use super::limits::ImportLimits;
use super::upload::Upload;
use crate::domain::{ImportKind, ObligationRules, Siret};
use crate::storage::buyers::Buyer;
use crate::storage::closures::Closure;
use crate::storage::contracts::LotPeriod;
use crate::storage::users::BuyerScope;
use crate::storage::{BuyerId, CompanyId, LotId};
use crate::storage::{DbConnection, buyers, closures, companies, contracts, participants};

/// The context of each kind's checks; only the uploaded kind's is filled.
pub struct KindsContext {
    pub contracts: kinds::contracts::Context,
    pub hours: kinds::hours::Context,
    pub work_contracts: kinds::work_contracts::Context,
}

/// Known establishments (SIRET → id and kind code).
type Companies = HashMap<String, (CompanyId, String)>;

impl KindsContext {
    pub fn load(
        conn: &mut DbConnection,
        upload: &Upload,
        limits: &ImportLimits,
        obligations: &ObligationRules,
    ) -> Result<KindsContext, ImportError> {
        // Only the register and hour statements are checked against buyers and companies.
        let uses_buyers = matches!(
            upload.kind,
            ImportKind::Contracts | ImportKind::Hours | ImportKind::WorkContracts
        );
        let (mine, others) = if uses_buyers {
            buyers_by_scope(buyers::list(conn)?, &upload.scope)
        } else {
            Default::default()
        };
        let companies = if uses_buyers {
            companies::kinds_by_identifier(conn)?
        } else {
            Default::default()
        };
        let hours = if upload.kind == ImportKind::Hours {
            hours_context(conn, upload, &mine, companies.clone(), limits)?
        } else {
            kinds::hours::Context {
                lots: Vec::new(),
                holders: Default::default(),
                companies: Default::default(),
                participants: Default::default(),
                only_company: None,
                max_hours_per_month: limits.max_hours_per_month,
                closed: Default::default(),
            }
        };
        let work_contracts = if upload.kind == ImportKind::WorkContracts {
            work_contracts_context(conn, &mine, companies.clone())?
        } else {
            Default::default()
        };
        let closed = if upload.kind == ImportKind::Contracts {
            register_closed(conn, &mine)?
        } else {
            HashMap::new()
        };
        Ok(KindsContext {
            contracts: kinds::contracts::Context {
                buyers: mine.into_iter().map(|b| (b.siret, b.id)).collect(),
                other_buyers: others.into_iter().map(|b| b.siret).collect(),
                only_buyer: upload.buyer.clone(),
                companies,
                grounds: obligations.grounds.clone(),
                closed,
            },
            hours,
            work_contracts,
        })
    }
}

/// The lots of the uploader's buyers, the known establishments and participants.
fn work_contracts_context(
    conn: &mut DbConnection,
    mine: &[Buyer],
    companies: Companies,
) -> Result<kinds::work_contracts::Context, ImportError> {
    let ids: Vec<BuyerId> = mine.iter().map(|b| b.id).collect();
    Ok(kinds::work_contracts::Context {
        lots: contracts::lots_of_buyers(conn, Some(&ids[..]))?,
        companies,
        participants: participants::ids_by_pseudonym(conn)?,
    })
}

/// The buyers within `scope`, and the others.
fn buyers_by_scope(all: Vec<Buyer>, scope: &BuyerScope) -> (Vec<Buyer>, Vec<Buyer>) {
    all.into_iter().partition(|buyer| scope.follows(buyer.id))
}

fn hours_context(
    conn: &mut DbConnection,
    upload: &Upload,
    mine: &[Buyer],
    companies: Companies,
    limits: &ImportLimits,
) -> Result<kinds::hours::Context, ImportError> {
    // The buyer named at upload, within the scope; otherwise every buyer of the scope.
    let named = |siret: &Siret| upload.buyer.as_ref().is_none_or(|only| only == siret);
    let ids: Vec<BuyerId> = mine
        .iter()
        .filter(|b| named(&b.siret))
        .map(|b| b.id)
        .collect();
    let only_company = match &upload.scope {
        BuyerScope::Company { siret } => Some(siret.clone()),
        _ => None,
    };
    // A company account sees only its own lots: a refused row never names another's.
    let lots = match &only_company {
        Some(siret) => contracts::lots_held_by(conn, siret.as_str())?,
        None => contracts::lots_of_buyers(conn, Some(&ids[..]))?,
    };
    let lot_ids: Vec<LotId> = lots.iter().map(|l| l.lot_id).collect();
    let closed = closed_lots(conn, &lots)?
        .into_iter()
        .map(|(lot, _, message)| (lot.lot_id, message))
        .collect();
    Ok(kinds::hours::Context {
        closed,
        holders: contracts::holders_of(conn, &lot_ids)?.into_iter().collect(),
        lots,
        companies,
        participants: participants::ids_by_pseudonym(conn)?,
        only_company,
        max_hours_per_month: limits.max_hours_per_month,
    })
}

/// The lots among these whose clause is closed: each with its closure and the message a write
/// on it is refused with.
fn closed_lots<'l>(
    conn: &mut DbConnection,
    lots: &'l [LotPeriod],
) -> Result<Vec<(&'l LotPeriod, Closure, String)>, ImportError> {
    let lot_ids: Vec<LotId> = lots.iter().map(|l| l.lot_id).collect();
    let closed = closures::standing_on(conn, &lot_ids)?;
    Ok(closed
        .into_iter()
        .filter_map(|c| {
            let lot = lots.iter().find(|l| l.lot_id == c.lot_id)?;
            let message = crate::domain::closure::frozen_message(
                &lot.reference,
                lot.lot_number,
                c.closed_at.date(),
                &c.closed_by_label,
            );
            Some((lot, c, message))
        })
        .collect())
}

/// The register's closed lots among the buyers' (by buyer, reference and lot number), with
/// what their closure froze.
pub(crate) fn register_closed(
    conn: &mut DbConnection,
    mine: &[Buyer],
) -> Result<HashMap<(BuyerId, String, i32), kinds::contracts::ClosedLot>, ImportError> {
    let ids: Vec<BuyerId> = mine.iter().map(|b| b.id).collect();
    let lots = contracts::lots_of_buyers(conn, Some(&ids[..]))?;
    Ok(closed_lots(conn, &lots)?
        .into_iter()
        .map(|(lot, closure, message)| {
            let key = (lot.buyer_id, lot.reference.clone(), lot.lot_number);
            let frozen = kinds::contracts::ClosedLot {
                target: closure.target,
                notification_date: lot.notification_date,
                duration_months: lot.duration_months,
                end_date: lot.end_date,
                message,
            };
            (key, frozen)
        })
        .collect())
}
