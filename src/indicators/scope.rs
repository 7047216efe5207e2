//! Whose figures: the buyers (or the company) a caller may see, narrowed to the one asked for.

use crate::domain::{Departement, Month, Siret};
use crate::storage::indicators::{Counted, HoursFilter};
use crate::storage::users::BuyerScope;
use crate::storage::{BuyerId, CompanyId, DbConnection, buyers, companies};

/// The data an indicator is computed over, as database ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataScope {
    /// `None`: every buyer.
    pub buyer_ids: Option<Vec<BuyerId>>,
    /// A company account sees only the hours of its own SIRET.
    pub company_id: Option<CompanyId>,
    /// Said beside every figure: which buyers it covers.
    pub description: String,
    /// Count the hours awaiting validation with the validated ones.
    pub with_pending: bool,
}

impl DataScope {
    /// The hour entries of the scope: of one year's months, or of the whole history.
    pub fn hours_of(&self, year: Option<i32>) -> HoursFilter {
        let month = |m: u32| year.and_then(|y| Month::new(y, m).ok()).map(Month::yyyymm);
        HoursFilter {
            buyer_ids: self.buyer_ids.clone(),
            company_id: self.company_id,
            from_month: month(1).unwrap_or(0),
            to_month: month(12).unwrap_or(i32::MAX),
            counted: self.counted(),
        }
    }

    /// The hours that count: validated, and pending ones too when asked.
    pub fn counted(&self) -> Counted {
        if self.with_pending {
            Counted::WithPending
        } else {
            Counted::Validated
        }
    }
}

impl DataScope {
    /// The last year with hours declared up to `day`, if any.
    pub fn last_year_with_hours(
        &self,
        conn: &mut crate::storage::DbConnection,
        day: chrono::NaiveDate,
    ) -> Result<Option<i32>, diesel::result::Error> {
        let up_to_day = HoursFilter {
            to_month: Month::of_date(day).map_or(i32::MAX, Month::yyyymm),
            ..self.hours_of(None)
        };
        let latest = crate::storage::indicators::latest_month(conn, &up_to_day)?;
        Ok(latest.map(Month::year))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    #[error("Aucun acheteur n'a le SIRET {0}.")]
    UnknownBuyer(Siret),
    #[error("L'acheteur {0} n'est pas dans votre périmètre.")]
    OutOfScope(Siret),
    #[error(transparent)]
    Storage(#[from] diesel::result::Error),
}

/// The caller's scope, narrowed to `buyer` when one is asked for, and to the buyers whose
/// territory holds `departement` when one is.
pub fn resolve(
    conn: &mut DbConnection,
    scope: &BuyerScope,
    buyer: Option<&Siret>,
    departement: Option<&Departement>,
) -> Result<DataScope, ScopeError> {
    let asked = match buyer {
        Some(siret) => Some(
            buyers::id_by_siret(conn, siret)?
                .ok_or_else(|| ScopeError::UnknownBuyer(siret.clone()))?,
        ),
        None => None,
    };
    let (buyer_ids, company_id) = match scope {
        BuyerScope::AllBuyers => (asked.map(|id| vec![id]), None),
        BuyerScope::Buyers { buyer_ids } => match asked {
            Some(id) if buyer_ids.contains(&id) => (Some(vec![id]), None),
            Some(_) => return Err(ScopeError::OutOfScope(buyer.cloned().expect("asked"))),
            None => (Some(buyer_ids.clone()), None),
        },
        BuyerScope::Company { siret } => {
            // A company not yet known has no hours: an id no row has.
            let id = companies::id_of(conn, siret)?.unwrap_or(CompanyId::from(-1));
            (asked.map(|id| vec![id]), Some(id))
        }
    };
    let all = buyers::list(conn)?;
    let buyer_ids = match departement {
        Some(departement) => Some(
            all.iter()
                .filter(|b| buyer_ids.as_ref().is_none_or(|ids| ids.contains(&b.id)))
                .filter(|b| b.territory.contains(departement))
                .map(|b| b.id)
                .collect(),
        ),
        None => buyer_ids,
    };
    let names: Vec<String> = all
        .into_iter()
        .filter(|b| buyer_ids.as_ref().is_none_or(|ids| ids.contains(&b.id)))
        .map(|b| format!("{} ({})", b.name, b.siret))
        .collect();
    let description = match (&buyer_ids, company_id) {
        (_, Some(_)) => "les lots de votre entreprise".to_owned(),
        (None, None) => "tous les acheteurs".to_owned(),
        (Some(_), None) if names.is_empty() => "aucun acheteur".to_owned(),
        (Some(_), None) => names.join(", "),
    };
    Ok(DataScope {
        buyer_ids,
        company_id,
        description,
        with_pending: false,
    })
}
