//! The buyers a caller follows, and recording one.

use super::{AppError, Caller, ErrorCode};
use crate::domain::{AuditAction, Name, ObligationRules, Siret, Territory};
use crate::storage::buyers::{self, Buyer, BuyerError};
use crate::storage::{DbConnection, audit, figures_transaction};

/// All of them, or those of the caller's scope (none for a company).
pub fn visible(conn: &mut DbConnection, caller: &Caller) -> Result<Vec<Buyer>, AppError> {
    Ok(buyers::list(conn)?
        .into_iter()
        .filter(|buyer| caller.sees_buyer(buyer.id))
        .collect())
}

/// The buyers one follows, for a caller whose role may list them; none otherwise.
pub fn followed(conn: &mut DbConnection, caller: &Caller) -> Result<Vec<Buyer>, AppError> {
    if caller.may(crate::domain::authorization::Action::ReadBuyers) {
        visible(conn, caller)
    } else {
        Ok(Vec::new())
    }
}

/// What recording a buyer takes: its type as written (the rules' default when `None`).
pub struct NewBuyer<'a> {
    pub siret: &'a Siret,
    pub name: &'a Name,
    pub territory: &'a Territory,
    pub buyer_type: Option<&'a str>,
}

/// Records a buyer, its territory and its type; answers the type's label.
pub fn add(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    new: &NewBuyer<'_>,
) -> Result<String, AppError> {
    let kind = match new.buyer_type {
        Some(written) => rules
            .buyer_type(written)
            .map_err(|message| AppError::with(ErrorCode::InvalidBuyerType, message))?,
        None => rules.default_buyer_type(),
    };
    let siret = new.siret;
    figures_transaction(conn, |conn, touched| -> Result<(), BuyerError> {
        let id = buyers::insert(conn, siret, new.name, new.territory)?;
        touched.buyers([id]);
        buyers::set_type(conn, id, &kind.code)?;
        audit::record_detailed(
            conn,
            &caller.actor,
            AuditAction::BuyerCreated,
            siret.as_str(),
            Some(&kind.label),
        )?;
        Ok(())
    })
    .map_err(|error| match error {
        BuyerError::AlreadyExists(_) => AppError::with(ErrorCode::BuyerExists, error),
        BuyerError::Query(detail) => AppError::internal(&detail),
        BuyerError::Storage(detail) => AppError::internal(&detail),
    })?;
    Ok(kind.label.clone())
}

/// Whether a facilitateur's (or an administrator's) own hour statements on the buyer's lots are
/// validated as they are imported (on by default); an administrator's choice, audited.
pub fn set_reviewers_imports_validated(
    conn: &mut DbConnection,
    caller: &Caller,
    siret: &Siret,
    validated: bool,
) -> Result<(), AppError> {
    if caller.role != crate::domain::Role::Admin {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let id = buyers::id_by_siret(conn, siret)?.ok_or_else(|| {
        AppError::with(
            ErrorCode::UnknownBuyer,
            format!("Aucun acheteur n'a le SIRET {siret}."),
        )
    })?;
    figures_transaction(conn, |conn, touched| {
        touched.buyers([id]);
        buyers::set_reviewers_imports_validated(conn, id, validated)?;
        let setting = if validated {
            "relevés des facilitateurs validés à l'import"
        } else {
            "relevés des facilitateurs à valider comme les autres"
        };
        audit::record_detailed(
            conn,
            &caller.actor,
            AuditAction::BuyerReviewSetting,
            siret.as_str(),
            Some(setting),
        )?;
        Ok::<_, AppError>(())
    })
}
