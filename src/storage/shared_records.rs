//! Records shared between buyers — companies and participants — as an import about to change
//! them needs them: their stored facts, and the buyers each is tied to (those whose contracts a
//! company holds, and those on whose lots a company, an insertion employer or a participant has
//! hours).

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::{
    awards, companies, contracts, hour_entries, lots, participants, work_contract_lots,
    work_contracts,
};
use super::{BuyerId, CompanyId, DbConnection, ParticipantId};
use crate::domain::{
    EligibilityCriterion, ExitOutcome, Labelled, Name, PostalCode, Sex, SixMonthSituation,
    SizeClass, StructureKind,
};

/// Keys looked up per query: well under the bound parameters either backend takes.
const CHUNK: usize = 500;

/// A company as stored, in the domain's types.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCompany {
    pub id: CompanyId,
    pub name: Option<Name>,
    pub kind: Option<StructureKind>,
    pub postal_code: Option<PostalCode>,
    pub size_class: Option<SizeClass>,
}

/// A participant as stored, in the domain's types.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredParticipant {
    pub id: ParticipantId,
    pub criterion: Option<EligibilityCriterion>,
    pub validated_on: Option<NaiveDate>,
    pub prescriber: Option<String>,
    pub birth_year: Option<i32>,
    pub sex: Option<Sex>,
    pub qpv: Option<bool>,
    pub exit_outcome: Option<ExitOutcome>,
    pub exit_date: Option<NaiveDate>,
    pub six_month_situation: Option<SixMonthSituation>,
    pub six_month_on: Option<NaiveDate>,
    pub six_month_source: Option<String>,
}

type CompanyRow = (
    String,
    CompanyId,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// The known companies among `keys` (their identifiers' keys: a SIRET for most), by key.
pub fn companies_by_identifier(
    conn: &mut DbConnection,
    keys: &[&str],
) -> QueryResult<HashMap<String, StoredCompany>> {
    let mut found = HashMap::new();
    for chunk in keys.chunks(CHUNK) {
        let rows: Vec<CompanyRow> = companies::table
            .filter(companies::identifier.eq_any(chunk))
            .select((
                companies::identifier,
                companies::id,
                companies::name,
                companies::structure_kind,
                companies::postal_code,
                companies::size_class,
            ))
            .load(conn)?;
        found.extend(
            rows.into_iter()
                .map(|(siret, id, name, kind, postal, size)| {
                    let company = StoredCompany {
                        id,
                        name: Name::parse(&name).ok(),
                        kind: StructureKind::from_code(&kind),
                        postal_code: postal.and_then(|p| PostalCode::parse(&p).ok()),
                        size_class: size.as_deref().and_then(SizeClass::from_code),
                    };
                    (siret, company)
                }),
        );
    }
    Ok(found)
}

type ParticipantRow = (
    String,
    ParticipantId,
    String,
    Option<NaiveDate>,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<bool>,
    Option<String>,
    Option<NaiveDate>,
    Option<String>,
    Option<NaiveDate>,
    Option<String>,
);

/// The known participants among `pseudonyms`, by identifier.
pub fn participants_by_pseudonym(
    conn: &mut DbConnection,
    pseudonyms: &[&str],
) -> QueryResult<HashMap<String, StoredParticipant>> {
    let mut found = HashMap::new();
    for chunk in pseudonyms.chunks(CHUNK) {
        let rows: Vec<ParticipantRow> = participants::table
            .filter(participants::pseudonym.eq_any(chunk))
            .select((
                participants::pseudonym,
                participants::id,
                participants::criterion,
                participants::validated_on,
                participants::prescriber,
                participants::birth_year,
                participants::sex,
                participants::qpv_resident,
                participants::exit_outcome,
                participants::exit_date,
                participants::six_month_situation,
                participants::six_month_on,
                participants::six_month_source,
            ))
            .load(conn)?;
        found.extend(rows.into_iter().map(|row| {
            let (pseudonym, id, criterion, validated_on, prescriber, birth_year) =
                (row.0, row.1, row.2, row.3, row.4, row.5);
            let participant = StoredParticipant {
                id,
                criterion: EligibilityCriterion::from_code(&criterion),
                validated_on,
                prescriber,
                birth_year,
                sex: row.6.as_deref().and_then(Sex::from_code),
                qpv: row.7,
                exit_outcome: row.8.as_deref().and_then(ExitOutcome::from_code),
                exit_date: row.9,
                six_month_situation: row.10.as_deref().and_then(SixMonthSituation::from_code),
                six_month_on: row.11,
                six_month_source: row.12,
            };
            (pseudonym, participant)
        }));
    }
    Ok(found)
}

/// The buyers each of the companies `ids` is tied to: as an awardee of their contracts, as the
/// company or the insertion employer of hours on their lots, as the employer or the insertion
/// structure of a work contract that served their lots.
pub fn buyers_of_companies(
    conn: &mut DbConnection,
    ids: &[CompanyId],
) -> QueryResult<HashMap<CompanyId, BTreeSet<BuyerId>>> {
    let mut ties: Vec<(CompanyId, BuyerId)> = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        ties.extend(
            awards::table
                .inner_join(lots::table.inner_join(contracts::table))
                .filter(awards::company_id.eq_any(chunk))
                .select((awards::company_id, contracts::buyer_id))
                .distinct()
                .load::<(CompanyId, BuyerId)>(conn)?,
        );
        ties.extend(
            hour_entries::table
                .inner_join(lots::table.inner_join(contracts::table))
                .filter(hour_entries::company_id.eq_any(chunk))
                .select((hour_entries::company_id, contracts::buyer_id))
                .distinct()
                .load::<(CompanyId, BuyerId)>(conn)?,
        );
        ties.extend(
            hour_entries::table
                .inner_join(lots::table.inner_join(contracts::table))
                .filter(hour_entries::insertion_employer_id.eq_any(chunk))
                .select((
                    hour_entries::insertion_employer_id.assume_not_null(),
                    contracts::buyer_id,
                ))
                .distinct()
                .load::<(CompanyId, BuyerId)>(conn)?,
        );
        let served = || {
            work_contracts::table.inner_join(
                work_contract_lots::table.inner_join(lots::table.inner_join(contracts::table)),
            )
        };
        ties.extend(
            served()
                .filter(work_contracts::employer_id.eq_any(chunk))
                .select((work_contracts::employer_id, contracts::buyer_id))
                .distinct()
                .load::<(CompanyId, BuyerId)>(conn)?,
        );
        ties.extend(
            served()
                .filter(work_contracts::insertion_employer_id.eq_any(chunk))
                .select((
                    work_contracts::insertion_employer_id.assume_not_null(),
                    contracts::buyer_id,
                ))
                .distinct()
                .load::<(CompanyId, BuyerId)>(conn)?,
        );
    }
    Ok(grouped(ties))
}

/// The buyers on whose lots each of the participants `ids` has hours or a work contract.
pub fn buyers_of_participants(
    conn: &mut DbConnection,
    ids: &[ParticipantId],
) -> QueryResult<HashMap<ParticipantId, BTreeSet<BuyerId>>> {
    let mut ties: Vec<(ParticipantId, BuyerId)> = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        ties.extend(
            hour_entries::table
                .inner_join(lots::table.inner_join(contracts::table))
                .filter(hour_entries::participant_id.eq_any(chunk))
                .select((hour_entries::participant_id, contracts::buyer_id))
                .distinct()
                .load::<(ParticipantId, BuyerId)>(conn)?,
        );
        ties.extend(
            work_contracts::table
                .inner_join(
                    work_contract_lots::table.inner_join(lots::table.inner_join(contracts::table)),
                )
                .filter(work_contracts::participant_id.eq_any(chunk))
                .select((work_contracts::participant_id, contracts::buyer_id))
                .distinct()
                .load::<(ParticipantId, BuyerId)>(conn)?,
        );
    }
    Ok(grouped(ties))
}

fn grouped<R: std::hash::Hash + Eq>(ties: Vec<(R, BuyerId)>) -> HashMap<R, BTreeSet<BuyerId>> {
    let mut by_record: HashMap<R, BTreeSet<BuyerId>> = HashMap::new();
    for (record, buyer) in ties {
        by_record.entry(record).or_default().insert(buyer);
    }
    by_record
}
