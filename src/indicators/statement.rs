//! What a contract's or a company's clauses owe and what was done, month by month: the
//! statement a facilitateur sends to a company, and the follow-up of one contract.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::clauses::{self, ClauseView};
use super::{DataScope, ScopeError};
use crate::domain::{ClauseFacts, CompanyIdentifier, Hours, Month};
use crate::storage::indicators::{self as sums, HoursFilter};
use crate::storage::{ContractId, DbConnection, LotId, companies, contracts};

/// At most this many months are listed per lot (twenty years of a framework agreement).
const MAX_MONTHS: usize = 240;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// "Marché 2024-017 : Réhabilitation…" or "Entreprise BATI SUD (SIRET …)".
    pub subject: String,
    /// The date the clauses are assessed at; hours of the months up to it.
    pub at: NaiveDate,
    pub lots: Vec<LotStatement>,
    pub method: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotStatement {
    pub clause: ClauseView,
    /// From the notification month to the month of the date (or the end, if sooner).
    pub months: Vec<MonthLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthLine {
    pub month: Month,
    /// Declared in the month, every modality.
    pub hours: Hours,
    /// Of which training.
    pub training: Hours,
    /// Declared from the start up to this month included.
    pub cumulative: Hours,
    /// What an even pace over the contract's duration would have reached at the month's end;
    /// unknown without an end date.
    pub expected: Option<Hours>,
}

pub const METHOD: &str = "Heures validées des relevés mensuels (dernière valeur des relevés corrigés) ; celles en attente de validation sont données à part, lot par lot. \
Le réalisé retenu pour l'objectif ne compte la formation que si la clause le prévoit et s'arrête au plafond par participant s'il y en a un ; \
les colonnes mensuelles montrent toutes les heures déclarées. L'attendu suit un rythme régulier de la notification à la fin du marché.";

#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error(transparent)]
    Scope(#[from] ScopeError),
    #[error("Aucun marché n'a ce numéro dans votre périmètre.")]
    UnknownContract,
    #[error("Aucune entreprise n'a cet identifiant : {0}.")]
    UnknownCompany(CompanyIdentifier),
    #[error("Une entreprise ne voit que son propre relevé.")]
    OtherCompany,
    #[error(transparent)]
    Storage(#[from] diesel::result::Error),
}

/// The statement of a contract within the caller's resolved scope (a company: a contract it
/// holds).
pub fn of_contract(
    conn: &mut DbConnection,
    scope: &DataScope,
    contract_id: ContractId,
    at: NaiveDate,
) -> Result<Statement, StatementError> {
    let (buyer_id, reference, object) =
        contracts::heading(conn, contract_id)?.ok_or(StatementError::UnknownContract)?;
    let visible = scope
        .buyer_ids
        .as_ref()
        .is_none_or(|ids| ids.contains(&buyer_id))
        && match scope.company_id {
            Some(company) => contracts::is_held_by(conn, contract_id, company)?,
            None => true,
        };
    if !visible {
        return Err(StatementError::UnknownContract);
    }
    Ok(build(
        conn,
        scope,
        format!("marché {reference} : {object}"),
        at,
        |clause| clause.contract_id == contract_id,
    )?)
}

/// The statement of a company: its lots with a clause within the caller's resolved buyers, and
/// its own hours on them (the caller checks that a company account asks only for its own).
pub fn of_company(
    conn: &mut DbConnection,
    buyers: &DataScope,
    company: &CompanyIdentifier,
    at: NaiveDate,
) -> Result<Statement, StatementError> {
    let unknown = || StatementError::UnknownCompany(company.clone());
    let company_id = companies::id_of(conn, company.as_str())?.ok_or_else(unknown)?;
    // A company that works for none of the caller's buyers is answered as one not known: its
    // name and its existence are not the caller's to learn.
    if let Some(ids) = &buyers.buyer_ids
        && !companies::works_for(conn, company_id, ids)?
    {
        return Err(unknown());
    }
    let name = companies::list_by_ids(conn, &[company_id])?
        .into_iter()
        .next()
        .map_or_else(|| company.to_string(), |c| c.name);
    let scope = DataScope {
        company_id: Some(company_id),
        ..buyers.clone()
    };
    Ok(build(
        conn,
        &scope,
        format!("entreprise {name} ({})", labelled(company)),
        at,
        |_| true,
    )?)
}

/// « SIRET 443 061 841 00047 », or « TVA intracommunautaire FR64443061841 ».
fn labelled(company: &CompanyIdentifier) -> String {
    match company.siret() {
        Some(siret) => format!("SIRET {siret}"),
        None => company.to_string(),
    }
}

/// The statement of the clauses in `scope`, kept to those `keep` selects.
pub fn build(
    conn: &mut DbConnection,
    scope: &DataScope,
    subject: String,
    at: NaiveDate,
    keep: impl Fn(&ClauseView) -> bool,
) -> Result<Statement, diesel::result::Error> {
    let views: Vec<ClauseView> = clauses::assess(conn, scope, at)?
        .into_iter()
        .filter(|v| keep(v))
        .collect();
    let lot_ids: Vec<LotId> = views.iter().map(|v| v.lot_id).collect();
    let filter = HoursFilter {
        buyer_ids: scope.buyer_ids.clone(),
        company_id: scope.company_id,
        from_month: 0,
        to_month: Month::of_date(at).map_or(i32::MAX, Month::yyyymm),
        counted: scope.counted(),
    };
    let mut by_lot: HashMap<LotId, Vec<sums::LotMonth>> = HashMap::new();
    for row in sums::lot_months(conn, &filter, &lot_ids)? {
        by_lot.entry(row.lot_id).or_default().push(row);
    }
    let lots = views
        .into_iter()
        .map(|clause| {
            let rows = by_lot.remove(&clause.lot_id).unwrap_or_default();
            LotStatement {
                months: month_lines(&clause, &rows, at),
                clause,
            }
        })
        .collect();
    Ok(Statement {
        subject,
        at,
        lots,
        method: METHOD.to_owned(),
    })
}

/// Every month from the start to the date (or the end), hours or not, so that a chart of the
/// cumulative hours has no gap.
fn month_lines(clause: &ClauseView, rows: &[sums::LotMonth], at: NaiveDate) -> Vec<MonthLine> {
    let declared: HashMap<Month, (Hours, Hours)> = rows
        .iter()
        .map(|r| (r.month, (r.hours, r.training)))
        .collect();
    let last = clause.end.map_or(at, |end| end.min(at));
    let (Ok(mut month), Ok(last_month)) = (Month::of_date(clause.start), Month::of_date(last))
    else {
        return Vec::new();
    };
    // Hours declared before the notification month still count in the running total.
    let mut cumulative: Hours = rows
        .iter()
        .filter(|r| r.month < month)
        .map(|r| r.hours)
        .sum();
    let mut lines = Vec::new();
    while month <= last_month && lines.len() < MAX_MONTHS {
        let (hours, training) = declared.get(&month).copied().unwrap_or_default();
        cumulative = [cumulative, hours].into_iter().sum();
        let expected = clause.end.map(|end| {
            let month_end = month
                .next()
                .and_then(|next| next.first_day().pred_opt())
                .unwrap_or(end);
            ClauseFacts {
                target: clause.target,
                counted: clause.counted,
                start: clause.start,
                end,
                penalty_per_hour: None,
            }
            .assess(month_end)
            .expected
        });
        lines.push(MonthLine {
            month,
            hours,
            training,
            cumulative,
            expected,
        });
        match month.next() {
            Some(next) => month = next,
            None => break,
        }
    }
    lines
}
