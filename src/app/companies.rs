//! Companies and insertion structures, and a company's statement.

use chrono::NaiveDate;

use super::{AppError, Caller, ErrorCode, Listed, Narrowing, buyers};
use crate::domain::authorization::Action;
use crate::domain::{
    AuditAction, CompanyIdentifier, Departement, Email, Labelled, Month, Name, PostalCode, Siret,
    StructureKind, Update,
};
use crate::indicators::statement::{self, Statement};
use crate::storage::audit;
use crate::storage::buyers::Buyer;
use crate::storage::companies::{self, Company, CompanyFilter, CompanyUpsert};
use crate::storage::indicators::{self, HoursFilter, ProvidedHours};
use crate::storage::shared_records::{self, StoredCompany};
use crate::storage::{
    CompanyId, DbConnection, PageRequest, figures_transaction, write_transaction,
};

/// A company as an address names it, checked: its SIRET, or for a company the DECP names
/// otherwise, its identifier's key (`TVA:FR64443061841`), so that existing addresses by SIRET
/// stay as they are.
pub fn company_of(text: &str) -> Result<CompanyIdentifier, AppError> {
    CompanyIdentifier::parse(text).map_err(|e| AppError::with(ErrorCode::InvalidCompany, e))
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
    siret: &CompanyIdentifier,
    at: NaiveDate,
) -> Result<Statement, AppError> {
    if caller.company().is_some_and(|own| own != siret.as_str()) {
        return Err(statement::StatementError::OtherCompany.into());
    }
    let buyers = caller.data_scope(conn, &Narrowing::default())?;
    let statement = statement::of_company(conn, &buyers, siret, at)?;
    Ok(super::contracts::as_seen_by(statement, caller))
}

/// The hours `siret` provided as an insertion structure (secondment, subcontracting) to the
/// companies that declared them, on the lots of the caller's buyers, up to `at`. For a
/// company account, its own page only (checked with its statement).
fn provided(
    conn: &mut DbConnection,
    caller: &Caller,
    siret: &CompanyIdentifier,
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
    /// Whether the caller may change its name and postcode (`change`'s rule).
    pub changeable: bool,
}

pub fn detail(
    conn: &mut DbConnection,
    caller: &Caller,
    siret: &CompanyIdentifier,
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
            changeable: false,
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
        .find(|c| c.identifier == siret.as_str());
    let changeable = match companies::id_of(conn, siret.as_str())? {
        Some(id) if company.is_some() => may_change(conn, caller, id).is_ok(),
        _ => false,
    };
    Ok(CompanyDetail {
        statement,
        provided,
        company,
        buyers: buyers::followed(conn, caller)?,
        closures,
        changeable,
    })
}

/// A company's name and postcode as its form gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyDraft {
    pub name: String,
    /// Blank clears it (the département goes with it).
    pub postal_code: String,
}

fn invalid_details(field: &'static str, error: impl std::fmt::Display) -> AppError {
    AppError::with(ErrorCode::InvalidCompanyDetails, error).at(field)
}

impl CompanyDraft {
    fn parse(&self) -> Result<(Name, Update<PostalCode>), AppError> {
        let name = Name::parse(&self.name).map_err(|e| invalid_details("name", e))?;
        let postal_code = match self.postal_code.trim() {
            "" => Update::Clear,
            code => {
                Update::Set(PostalCode::parse(code).map_err(|e| invalid_details("postal_code", e))?)
            }
        };
        Ok((name, postal_code))
    }
}

const TIED_TO_OTHERS: &str = "Cette entreprise travaille aussi pour des acheteurs hors de votre périmètre : seul un administrateur, ou un facilitateur de tous ses acheteurs, peut changer sa raison sociale ou son code postal.";

/// Whether the caller may change the company: its role allows it, the company holds a lot of
/// one of the caller's buyers (else it answers as unknown), and every buyer it is tied to is
/// the caller's (a shared record).
fn may_change(conn: &mut DbConnection, caller: &Caller, id: CompanyId) -> Result<(), AppError> {
    if !caller.may(Action::EditCompanies) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    if let Some(buyer_ids) = caller.buyer_ids()
        && !companies::works_for(conn, id, &buyer_ids)?
    {
        return Err(AppError::new(ErrorCode::UnknownCompany));
    }
    let ties = shared_records::buyers_of_companies(conn, &[id])?;
    caller.answers_for(ties.get(&id).into_iter().flatten(), TIED_TO_OTHERS)
}

/// What changed, for the audit log: « raison sociale : A → B ; code postal : — → 31000 ».
fn changes(stored: &StoredCompany, name: &Name, postal_code: &Update<PostalCode>) -> String {
    let shown = |code: Option<&PostalCode>| code.map_or("—", PostalCode::as_str).to_owned();
    let mut said = Vec::new();
    let before = stored.name.as_ref().map_or("—", Name::as_str);
    if before != name.as_str() {
        said.push(format!("raison sociale : {before} → {name}"));
    }
    let (old, new) = (stored.postal_code.as_ref(), postal_code.given());
    if old != new {
        said.push(format!("code postal : {} → {}", shown(old), shown(new)));
    }
    if said.is_empty() {
        "aucun changement".to_owned()
    } else {
        said.join(" ; ")
    }
}

/// Changes a company's name and postcode (its département follows), checked as the
/// structures import checks them; audited with what changed. The scope is checked in the
/// write's transaction, so that a tie made meanwhile is not missed.
pub fn change(
    conn: &mut DbConnection,
    caller: &Caller,
    siret: &CompanyIdentifier,
    draft: &CompanyDraft,
) -> Result<(), AppError> {
    if !caller.may(Action::EditCompanies) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let (name, postal_code) = draft.parse()?;
    // Every buyer's figures: a company is a record shared between buyers.
    figures_transaction(conn, |conn, _| {
        let stored = shared_records::companies_by_identifier(conn, &[siret.as_str()])?
            .remove(siret.as_str())
            .ok_or_else(|| AppError::new(ErrorCode::UnknownCompany))?;
        may_change(conn, caller, stored.id)?;
        companies::upsert(
            conn,
            &CompanyUpsert {
                identifier: siret,
                name: Some(&name),
                kind: None,
                postal_code: postal_code.as_ref(),
                size_class: Update::Keep,
            },
        )?;
        let detail = changes(&stored, &name, &postal_code);
        audit::record_detailed(
            conn,
            &caller.actor,
            AuditAction::CompanyChanged,
            siret.as_str(),
            Some(&detail),
        )?;
        Ok(())
    })
}

/// Sets a company's contact address, where reminders are sent; blank clears it. A scoped
/// account reaches only the companies holding a lot of its buyers.
pub fn set_contact_email(
    conn: &mut DbConnection,
    caller: &Caller,
    siret: &CompanyIdentifier,
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
