//! The SPASER report of the caller's buyers for a year, its workbook and its open-data CSV,
//! and the buyer's targets it is measured against.

use chrono::NaiveDate;

use super::{AppError, Caller, ErrorCode, Narrowing};
use crate::domain::{AuditAction, ObligationRules, Obligations, Rate, Role, Siret};
use crate::export::{self, ExportError};
use crate::indicators::spaser::{self as figures, BuyerReport, SpaserContract, Targets};
use crate::storage::obligations::{ObligationRecord, contract_values};
use crate::storage::{DbConnection, audit, buyers, figures_transaction};

/// The two files of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpaserFormat {
    Xlsx,
    Csv,
}

/// One report per buyer of the caller's scope that has contracts up to the end of `year`.
pub fn reports(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    year: i32,
    narrowing: &Narrowing,
) -> Result<Vec<BuyerReport>, AppError> {
    let year = super::listing::year(year)?;
    let end = NaiveDate::from_ymd_opt(year, 12, 31)
        .ok_or_else(|| AppError::new(ErrorCode::InvalidYear))?;
    let facts = super::obligations::facts_until(conn, caller, rules, narrowing, end)?;
    let ids: Vec<_> = facts.iter().map(|(r, _)| r.contract_id).collect();
    let values = contract_values(conn, &ids)?;
    let contracts: Vec<SpaserContract> = facts
        .into_iter()
        .map(|(record, status)| {
            let value = values.get(&record.contract_id).copied();
            contract(record, status, value.unwrap_or(crate::domain::Money::ZERO))
        })
        .collect();
    let mut reports = Vec::new();
    for (siret, name, targets) in buyers::targets(conn)? {
        let own: Vec<SpaserContract> = contracts
            .iter()
            .filter(|c| c.buyer_siret == siret)
            .cloned()
            .collect();
        if !own.is_empty() {
            let targets = Targets::of(targets.social, targets.environmental);
            reports.push(figures::buyer_report((siret, name), targets, year, &own));
        }
    }
    reports.sort_by(|a, b| a.siret.cmp(&b.siret));
    Ok(reports)
}

fn contract(
    record: ObligationRecord,
    status: Obligations,
    value: crate::domain::Money,
) -> SpaserContract {
    SpaserContract {
        buyer_siret: record.buyer_siret,
        reference: record.reference,
        notified: record.notification_date,
        value,
        insertion_clause: record.insertion_clause,
        social_condition: record.social_condition,
        social_criterion: record.social_criterion,
        reserved: record.reserved,
        environmental_condition: record.environmental_condition,
        environmental_criterion: record.environmental_criterion,
        status,
    }
}

/// The report as a file.
pub fn file(
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
    year: i32,
    narrowing: &Narrowing,
    format: SpaserFormat,
) -> Result<Vec<u8>, AppError> {
    let reports = reports(conn, caller, rules, year, narrowing)?;
    Ok(match format {
        SpaserFormat::Xlsx => {
            export::spaser::workbook(&reports, year).map_err(ExportError::from)?
        }
        SpaserFormat::Csv => export::spaser::csv(&reports)?,
    })
}

/// Sets a buyer's SPASER targets (`None`: the national plan's 30 % for the social one, none
/// for the environmental one); an administrator's choice, audited.
pub fn set_targets(
    conn: &mut DbConnection,
    caller: &Caller,
    siret: &Siret,
    social: Option<Rate>,
    environmental: Option<Rate>,
) -> Result<(), AppError> {
    if caller.role != Role::Admin {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let id = buyers::id_by_siret(conn, siret)?.ok_or_else(|| {
        AppError::with(
            ErrorCode::UnknownBuyer,
            format!("Aucun acheteur n'a le SIRET {siret}."),
        )
    })?;
    let targets = buyers::Targets {
        social,
        environmental,
    };
    let detail = format!(
        "cible sociale : {} ; cible environnementale : {}",
        social.map_or_else(|| "PNAD (30 %)".to_owned(), |r| r.to_string()),
        environmental.map_or_else(|| "aucune".to_owned(), |r| r.to_string()),
    );
    figures_transaction(conn, |conn, touched| {
        touched.buyers([id]);
        buyers::set_targets(conn, id, targets)?;
        audit::record_detailed(
            conn,
            &caller.actor,
            AuditAction::BuyerSpaserTargets,
            siret.as_str(),
            Some(&detail),
        )?;
        Ok::<_, AppError>(())
    })
}
