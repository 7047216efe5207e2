//! Companies and insertion employers, one row per establishment: by SIRET, or for a company
//! the DECP names otherwise, by its identifier (`identifier` holds the key of either).

use diesel::prelude::*;

use super::schema::companies;
use super::{BuyerId, CompanyId, DbConnection, now};
use crate::domain::{
    CompanyIdentifier, Email, Labelled, Name, PostalCode, SizeClass, StructureKind, Update,
};

pub struct CompanyUpsert<'a> {
    pub identifier: &'a CompanyIdentifier,
    /// Required to create the establishment; when absent, a known name is kept.
    pub name: Option<&'a Name>,
    /// When absent, a known kind is kept (an ordinary firm when created).
    pub kind: Option<StructureKind>,
    pub postal_code: Update<&'a PostalCode>,
    pub size_class: Update<SizeClass>,
}

/// Creates the establishment, or updates it; facts not said keep what is known.
pub fn upsert(conn: &mut DbConnection, company: &CompanyUpsert<'_>) -> QueryResult<CompanyId> {
    let at = now();
    let existing: Option<CompanyId> = companies::table
        .filter(companies::identifier.eq(company.identifier))
        .select(companies::id)
        .first(conn)
        .optional()?;
    let postal_code = company.postal_code.written();
    let departement = postal_code.map(|code| code.and_then(PostalCode::departement));
    let size_class = company.size_class.written();
    match existing {
        Some(id) => diesel::update(companies::table.find(id))
            .set((
                companies::updated_at.eq(at),
                company.name.map(|name| companies::name.eq(name.as_str())),
                company
                    .kind
                    .map(|kind| companies::structure_kind.eq(kind.code())),
                postal_code.map(|code| companies::postal_code.eq(code.map(PostalCode::as_str))),
                departement
                    .as_ref()
                    .map(|d| companies::departement.eq(d.as_ref().map(|d| d.as_str()))),
                size_class.map(|size| companies::size_class.eq(size.map(|s| s.code()))),
            ))
            .execute(conn)
            .map(|_| id),
        None => diesel::insert_into(companies::table)
            .values((
                companies::siret.eq(company.identifier.siret().map(|s| s.as_str().to_owned())),
                companies::identifier_kind.eq(company.identifier.kind().code()),
                companies::identifier.eq(company.identifier),
                companies::name.eq(company
                    .name
                    .map(Name::as_str)
                    .ok_or(diesel::result::Error::NotFound)?),
                companies::structure_kind.eq(company.kind.unwrap_or(StructureKind::Company).code()),
                companies::size_class.eq(size_class.flatten().map(|s| s.code())),
                companies::postal_code.eq(postal_code.flatten().map(PostalCode::as_str)),
                companies::departement.eq(departement.flatten().as_ref().map(|d| d.as_str())),
                companies::created_at.eq(at),
                companies::updated_at.eq(at),
            ))
            .returning(companies::id)
            .get_result(conn),
    }
}

#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, Queryable, Selectable, utoipa::ToSchema,
)]
#[diesel(table_name = companies)]
pub struct Company {
    /// Null for a company identified otherwise (`identifier_kind`).
    pub siret: Option<String>,
    /// `SIRET`, or the DECP's other kind (`TVA`, `HORS-UE`…).
    pub identifier_kind: String,
    /// The SIRET, or the kind's code, a colon and the identifier (`TVA:FR64443061841`).
    pub identifier: String,
    pub name: String,
    pub structure_kind: String,
    pub size_class: Option<String>,
    pub postal_code: Option<String>,
    pub departement: Option<String>,
    /// Where reminders about its missing statements are sent.
    pub contact_email: Option<String>,
}

/// Sets or clears the establishment's contact address; false when the company is not known.
pub fn set_contact_email(
    conn: &mut DbConnection,
    company: &CompanyIdentifier,
    email: Option<&Email>,
) -> QueryResult<bool> {
    let changed = diesel::update(companies::table.filter(companies::identifier.eq(company)))
        .set((
            companies::contact_email.eq(email.map(Email::as_str)),
            companies::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(changed > 0)
}

/// An establishment as a reminder addresses it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Contact {
    pub id: CompanyId,
    /// Its identifier's key (see `Company::identifier`).
    pub siret: String,
    pub name: String,
    pub email: Option<String>,
}

/// The id, name and contact address of the establishments with these identifiers' keys.
pub fn contacts(conn: &mut DbConnection, sirets: &[String]) -> QueryResult<Vec<Contact>> {
    super::in_slices(sirets, |slice| {
        companies::table
            .filter(companies::identifier.eq_any(slice))
            .select((
                companies::id,
                companies::identifier,
                companies::name,
                companies::contact_email,
            ))
            .load(conn)
    })
}

/// Every establishment, by name.
pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Company>> {
    companies::table
        .select(Company::as_select())
        .order((super::sort_key(companies::name).asc(), companies::id.asc()))
        .load(conn)
}

/// The id of the establishment with this identifier's key (a SIRET), if known.
pub fn id_of(conn: &mut DbConnection, key: &str) -> QueryResult<Option<CompanyId>> {
    companies::table
        .filter(companies::identifier.eq(key))
        .select(companies::id)
        .first(conn)
        .optional()
}

/// The id of every known establishment, by SIRET. Companies without one have no statements:
/// the hours' checks look them up by SIRET only.
pub fn ids_by_siret(
    conn: &mut DbConnection,
) -> QueryResult<std::collections::HashMap<String, CompanyId>> {
    let rows: Vec<(String, CompanyId)> = companies::table
        .filter(companies::siret.is_not_null())
        .select((companies::siret.assume_not_null(), companies::id))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Id and kind of every known establishment, by its identifier's key (a SIRET for most).
pub fn kinds_by_identifier(
    conn: &mut DbConnection,
) -> QueryResult<std::collections::HashMap<String, (CompanyId, String)>> {
    let rows: Vec<(String, CompanyId, String)> = companies::table
        .select((
            companies::identifier,
            companies::id,
            companies::structure_kind,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(siret, id, kind)| (siret, (id, kind)))
        .collect())
}

/// Which establishments a listing shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyFilter {
    /// Only these kinds (codes); all when empty.
    pub kinds: Vec<String>,
    pub departement: Option<String>,
    /// Part of the name or of the identifier (a SIRET for most).
    pub search: Option<String>,
    /// Only the awardees of these buyers' contracts; all establishments when `None`.
    pub buyer_ids: Option<Vec<BuyerId>>,
}

/// Whether the company holds (or co-holds, or subcontracts) a lot of one of these buyers.
pub fn works_for(
    conn: &mut DbConnection,
    company_id: CompanyId,
    buyer_ids: &[BuyerId],
) -> QueryResult<bool> {
    use super::schema::{awards, contracts, lots};
    diesel::select(diesel::dsl::exists(
        awards::table
            .inner_join(lots::table.inner_join(contracts::table))
            .filter(awards::company_id.eq(company_id))
            .filter(contracts::buyer_id.eq_any(buyer_ids.to_vec())),
    ))
    .get_result(conn)
}

/// One page of establishments, by name, and how many there are in all.
pub fn page(
    conn: &mut DbConnection,
    filter: &CompanyFilter,
    page: super::PageRequest,
) -> QueryResult<(Vec<Company>, i64)> {
    use super::schema::{awards, contracts, lots};
    let query = || {
        let mut query = companies::table.into_boxed();
        if !filter.kinds.is_empty() {
            query = query.filter(companies::structure_kind.eq_any(filter.kinds.clone()));
        }
        if let Some(departement) = &filter.departement {
            query = query.filter(companies::departement.eq(departement.clone()));
        }
        if let Some(search) = &filter.search {
            let pattern = super::contains_pattern(search);
            query = query.filter(
                super::fold(companies::name)
                    .like(pattern.clone())
                    .escape('\\')
                    // Folded as the search is: other identifiers hold letters.
                    .or(super::fold(companies::identifier)
                        .like(pattern)
                        .escape('\\')),
            );
        }
        if let Some(ids) = &filter.buyer_ids {
            query = query.filter(diesel::dsl::exists(
                awards::table
                    .inner_join(lots::table.inner_join(contracts::table))
                    .filter(awards::company_id.eq(companies::id))
                    .filter(contracts::buyer_id.eq_any(ids.clone())),
            ));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .select(Company::as_select())
        .order((super::sort_key(companies::name).asc(), companies::id.asc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((items, total))
}

/// The establishments with these ids.
pub fn list_by_ids(conn: &mut DbConnection, ids: &[CompanyId]) -> QueryResult<Vec<Company>> {
    companies::table
        .filter(companies::id.eq_any(ids))
        .select(Company::as_select())
        .load(conn)
}
