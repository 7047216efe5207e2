//! Companies and insertion structures, and a company's statement.

use chrono::NaiveDate;

use super::{AppError, Caller, ErrorCode, Listed, Narrowing, buyers};
use crate::domain::authorization::Action;
use crate::domain::{AuditAction, Departement, Email, Labelled, Month, Siret, StructureKind};
use crate::indicators::statement::{self, Statement};
use crate::storage::audit;
use crate::storage::buyers::Buyer;
use crate::storage::companies::{self, Company, CompanyFilter};
use crate::storage::indicators::{self, HoursFilter, ProvidedHours};
use crate::storage::{DbConnection, PageRequest, write_transaction};

/// A company's SIRET as given in an address, checked.
pub fn siret_of(text: &str) -> Result<Siret, AppError> {
    Siret::parse(text).map_err(|e| AppError::with(ErrorCode::InvalidCompany, e))
}

#[derive(Debug, Clone)]
pub struct CompanyQuery {
    /// Only insertion and disability employers (SIAE, GEIQ, EA, ESAT…).
    pub structures: bool,
    /// Only the awardees of this buyer (of the caller's scope).
    pub buyer: Option<Siret>,
    /// Establishments located in this département.
    pub departement: Option<Departement>,
    /// Part of the name or of the SIRET.
    pub search: Option<String>,
    pub page: PageRequest,
}

/// A page of companies (awardees of the caller's buyers, for a scoped account).
pub fn page(
    conn: &mut DbConnection,
    caller: &Caller,
    query: &CompanyQuery,
) -> Result<Listed<Company>, AppError> {
    let kinds = if query.structures {
        StructureKind::ALL
            .iter()
            .filter(|k| **k != StructureKind::Company)
            .map(|k| k.code().to_owned())
            .collect()
    } else {
        Vec::new()
    };
    let narrowing = Narrowing {
        buyer: query.buyer.clone(),
        departement: None,
        with_pending: false,
    };
    let scope = caller.data_scope(conn, &narrowing)?;
    let filter = CompanyFilter {
        kinds,
        departement: query.departement.as_ref().map(|d| d.as_str().to_owned()),
        search: super::listing::search(query.search.as_deref())?,
        buyer_ids: scope.buyer_ids,
    };
    Ok(Listed::of(
        companies::page(conn, &filter, query.page)?,
        query.page,
    ))
}

/// A page of companies with the buyers one follows, to say which are local.
pub fn with_buyers(
    conn: &mut DbConnection,
    caller: &Caller,
    query: &CompanyQuery,
) -> Result<(Listed<Company>, Vec<Buyer>), AppError> {
    let found = page(conn, caller, query)?;
    Ok((found, buyers::followed(conn, caller)?))
}

/// A company's lots with a clause within the caller's buyers, and its hours on them. A company
/// account sees only its own.
pub fn statement(
    conn: &mut DbConnection,
    caller: &Caller,
    siret: &Siret,
    at: NaiveDate,
) -> Result<Statement, AppError> {
    if caller.company().is_some_and(|own| own != siret.as_str()) {
        return Err(statement::StatementError::OtherCompany.into());
    }
    let buyers = caller.data_scope(conn, &Narrowing::default())?;
    Ok(statement::of_company(conn, &buyers, siret, at)?)
}

/// The hours `siret` provided as an insertion structure (secondment, subcontracting) to the
/// companies that declared them, on the lots of the caller's buyers, up to `at`. For a
/// company account, its own page only (checked with its statement).
fn provided(
    conn: &mut DbConnection,
    caller: &Caller,
    siret: &Siret,
    at: NaiveDate,
) -> Result<Vec<ProvidedHours>, AppError> {
    let Some(structure) = companies::id_of(conn, siret.as_str())? else {
        return Ok(Vec::new());
    };
    let scope = caller.data_scope(conn, &Narrowing::default())?;
    let filter = HoursFilter {
        // The structure is not the declaring company: its clients are.
        company_id: None,
        to_month: Month::of_date(at).map_or(i32::MAX, Month::yyyymm),
        ..scope.hours_of(None)
    };
    Ok(indicators::provided_by(conn, &filter, structure)?)
}

/// What a company's page shows: its statement today, the hours it provided as an insertion
/// structure and, for those who may list companies, the company itself with the buyers one
/// follows.
pub struct CompanyDetail {
    pub statement: Statement,
    pub provided: Vec<ProvidedHours>,
    pub company: Option<Company>,
    pub buyers: Vec<Buyer>,
    /// The closures standing on its lots of the statement (none for a role that may not read
    /// them).
    pub closures: Vec<crate::storage::closures::Closure>,
}

pub fn detail(
    conn: &mut DbConnection,
    caller: &Caller,
    siret: &Siret,
) -> Result<CompanyDetail, AppError> {
    let statement = statement(conn, caller, siret, super::today())?;
    let provided = provided(conn, caller, siret, statement.at)?;
    let lot_ids: Vec<_> = statement.lots.iter().map(|l| l.clause.lot_id).collect();
    let closures = super::closures::standing_on(conn, caller, &lot_ids)?;
    if !caller.may(Action::ReadCompanies) {
        return Ok(CompanyDetail {
            statement,
            provided,
            company: None,
            buyers: Vec::new(),
            closures,
        });
    }
    let query = CompanyQuery {
        structures: false,
        buyer: None,
        departement: None,
        search: Some(siret.as_str().to_owned()),
        page: PageRequest::new(None, None),
    };
    let company = page(conn, caller, &query)?
        .items
        .into_iter()
        .find(|c| c.siret == siret.as_str());
    Ok(CompanyDetail {
        statement,
        provided,
        company,
        buyers: buyers::followed(conn, caller)?,
        closures,
    })
}

/// Sets a company's contact address, where reminders are sent; blank clears it. A scoped
/// account reaches only the companies holding a lot of its buyers.
pub fn set_contact_email(
    conn: &mut DbConnection,
    caller: &Caller,
    siret: &Siret,
    email: Option<&str>,
) -> Result<Option<Email>, AppError> {
    if !caller.may(Action::ManageCompanies) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let email = email
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            Email::parse(e).map_err(|error| AppError::with(ErrorCode::InvalidContactEmail, error))
        })
        .transpose()?;
    let scope = caller.data_scope(conn, &Narrowing::default())?;
    write_transaction(conn, |conn| {
        let unknown = || AppError::new(ErrorCode::UnknownCompany);
        let id = companies::id_of(conn, siret.as_str())?.ok_or_else(unknown)?;
        if let Some(buyer_ids) = &scope.buyer_ids
            && !companies::works_for(conn, id, buyer_ids)?
        {
            return Err(unknown());
        }
        companies::set_contact_email(conn, siret, email.as_ref())?;
        audit::record_detailed(
            conn,
            &caller.actor,
            AuditAction::CompanyContactSet,
            siret.as_str(),
            Some(email.as_ref().map_or("effacé", Email::as_str)),
        )?;
        Ok(email)
    })
}
