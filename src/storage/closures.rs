//! Closures of lots' clauses: the figures a clause was closed on, the standing closure of a lot,
//! reopening, and what the attestation lists (validated hours by modality and by insertion
//! structure).

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::located::located;
use super::schema::{buyers, clause_closures, companies, contracts, hour_entries, lots};
use super::{BuyerId, ClosureId, ContractId, DbConnection, LotId, UserId, now};
use crate::domain::{ClosureFigures, Hours, Modality, Money, PenaltyChange, ReviewState};

/// A closure as asked, with its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClosure<'a> {
    pub lot_id: LotId,
    pub closed_by: Option<UserId>,
    pub closed_by_label: &'a str,
    pub figures: ClosureFigures,
    pub penalty_change: Option<(PenaltyChange, &'a str)>,
    pub early_reason: Option<&'a str>,
    pub signatory_name: &'a str,
    pub signatory_role: &'a str,
}

/// A closure as stored (fields in the order of the query's columns).
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Closure {
    pub id: ClosureId,
    pub lot_id: LotId,
    pub closed_at: NaiveDateTime,
    pub closed_by_label: String,
    pub counted: Hours,
    pub target: Hours,
    pub reached: bool,
    pub missing: Hours,
    pub clause_penalty_per_hour: Option<Money>,
    pub penalty_per_hour: Option<Money>,
    pub penalty: Option<Money>,
    pub penalty_change: Option<PenaltyChange>,
    pub penalty_reason: Option<String>,
    pub early_reason: Option<String>,
    pub signatory_name: String,
    pub signatory_role: String,
}

type ClosureColumns = (
    clause_closures::id,
    clause_closures::lot_id,
    clause_closures::closed_at,
    clause_closures::closed_by_label,
    clause_closures::counted_hours,
    clause_closures::target_hours,
    clause_closures::reached,
    clause_closures::missing_hours,
    clause_closures::clause_penalty_per_hour_cents,
    clause_closures::penalty_per_hour_cents,
    clause_closures::penalty_cents,
    clause_closures::penalty_change,
    clause_closures::penalty_reason,
    clause_closures::early_reason,
    clause_closures::signatory_name,
    clause_closures::signatory_role,
);

const COLUMNS: ClosureColumns = (
    clause_closures::id,
    clause_closures::lot_id,
    clause_closures::closed_at,
    clause_closures::closed_by_label,
    clause_closures::counted_hours,
    clause_closures::target_hours,
    clause_closures::reached,
    clause_closures::missing_hours,
    clause_closures::clause_penalty_per_hour_cents,
    clause_closures::penalty_per_hour_cents,
    clause_closures::penalty_cents,
    clause_closures::penalty_change,
    clause_closures::penalty_reason,
    clause_closures::early_reason,
    clause_closures::signatory_name,
    clause_closures::signatory_role,
);

/// Records the closure; the caller checked that none stands on the lot (the unique index
/// refuses a second one).
pub fn insert(conn: &mut DbConnection, closure: &NewClosure<'_>) -> QueryResult<ClosureId> {
    let f = &closure.figures;
    diesel::insert_into(clause_closures::table)
        .values((
            clause_closures::lot_id.eq(closure.lot_id),
            clause_closures::closed_at.eq(now()),
            clause_closures::closed_by.eq(closure.closed_by),
            clause_closures::closed_by_label.eq(closure.closed_by_label),
            clause_closures::counted_hours.eq(f.counted),
            clause_closures::target_hours.eq(f.target),
            clause_closures::reached.eq(f.reached),
            clause_closures::missing_hours.eq(f.missing),
            clause_closures::clause_penalty_per_hour_cents.eq(f.clause_penalty_per_hour),
            clause_closures::penalty_per_hour_cents.eq(f.penalty_per_hour),
            clause_closures::penalty_cents.eq(f.penalty),
            clause_closures::penalty_change.eq(closure.penalty_change.map(|(c, _)| c)),
            clause_closures::penalty_reason.eq(closure.penalty_change.map(|(_, r)| r)),
            clause_closures::early_reason.eq(closure.early_reason),
            clause_closures::signatory_name.eq(closure.signatory_name),
            clause_closures::signatory_role.eq(closure.signatory_role),
        ))
        .returning(clause_closures::id)
        .get_result(conn)
}

/// The closure standing on the lot, if any.
pub fn standing(conn: &mut DbConnection, lot_id: LotId) -> QueryResult<Option<Closure>> {
    located(conn, &["clause_closures"], |conn| {
        clause_closures::table
            .filter(clause_closures::lot_id.eq(lot_id))
            .filter(clause_closures::reopened_at.is_null())
            .select(COLUMNS)
            .first(conn)
            .optional()
    })
}

/// The closures standing on these lots.
pub fn standing_on(conn: &mut DbConnection, lot_ids: &[LotId]) -> QueryResult<Vec<Closure>> {
    located(conn, &["clause_closures"], |conn| {
        super::in_slices(lot_ids, |slice| {
            clause_closures::table
                .filter(clause_closures::lot_id.eq_any(slice))
                .filter(clause_closures::reopened_at.is_null())
                .select(COLUMNS)
                .load(conn)
        })
    })
}

/// Marks the closure reopened, by whom and why: the lot's hours and clause may change again.
pub fn reopen(
    conn: &mut DbConnection,
    id: ClosureId,
    by_label: &str,
    reason: &str,
) -> QueryResult<()> {
    diesel::update(clause_closures::table.filter(clause_closures::id.eq(id)))
        .set((
            clause_closures::reopened_at.eq(Some(now())),
            clause_closures::reopened_by_label.eq(Some(by_label)),
            clause_closures::reopen_reason.eq(Some(reason)),
        ))
        .execute(conn)
        .map(drop)
}

/// Takes the write lock of these lots' rows until the transaction ends (a no-op update), so
/// that a closure and a write on the same lot's hours or clause take turns on PostgreSQL: the
/// second one then sees what the first committed. SQLite has one writer at a time already.
pub fn lock_lots(conn: &mut DbConnection, lot_ids: &[LotId]) -> QueryResult<()> {
    super::in_slices(lot_ids, |slice| {
        diesel::update(lots::table.filter(lots::id.eq_any(slice)))
            .set(lots::updated_at.eq(lots::updated_at))
            .execute(conn)
            .map(|_| Vec::<()>::new())
    })
    .map(drop)
}

/// The lots on which the import has entries in `state`.
pub fn lots_of_import(
    conn: &mut DbConnection,
    import_id: super::ImportId,
    state: ReviewState,
) -> QueryResult<Vec<LotId>> {
    hour_entries::table
        .filter(hour_entries::import_id.eq(import_id))
        .filter(hour_entries::review.eq(state))
        .select(hour_entries::lot_id)
        .distinct()
        .load(conn)
}

/// The lot's validated hours by modality, in the modalities' order.
pub fn hours_by_modality(
    conn: &mut DbConnection,
    lot_id: LotId,
) -> QueryResult<Vec<(Modality, Hours)>> {
    let mut rows: Vec<(Modality, Hours)> = located(conn, &["hour_entries"], |conn| {
        hour_entries::table
            .filter(hour_entries::lot_id.eq(lot_id))
            .filter(hour_entries::review.eq(ReviewState::Validated))
            .group_by(hour_entries::modality)
            .select((
                hour_entries::modality,
                sql::<BigInt>("COALESCE(CAST(SUM(hour_entries.hours) AS BIGINT), 0)"),
            ))
            .load::<(Modality, i64)>(conn)
    })?
    .into_iter()
    .filter_map(|(m, h)| Hours::from_hundredths(h).ok().map(|h| (m, h)))
    .collect();
    rows.sort_by_key(|(m, _)| *m);
    Ok(rows)
}

/// The insertion structures through which validated hours were worked on the lot: SIRET,
/// name and hours, the most hours first.
pub fn structures_of_lot(
    conn: &mut DbConnection,
    lot_id: LotId,
) -> QueryResult<Vec<(String, String, Hours)>> {
    let rows: Vec<(String, String, i64)> = hour_entries::table
        .inner_join(
            companies::table.on(hour_entries::insertion_employer_id.eq(companies::id.nullable())),
        )
        .filter(hour_entries::lot_id.eq(lot_id))
        .filter(hour_entries::review.eq(ReviewState::Validated))
        .group_by((companies::identifier, companies::name))
        .select((
            companies::identifier,
            companies::name,
            sql::<BigInt>("COALESCE(CAST(SUM(hour_entries.hours) AS BIGINT), 0)"),
        ))
        .load(conn)?;
    let mut rows: Vec<(String, String, Hours)> = rows
        .into_iter()
        .filter_map(|(s, n, h)| Hours::from_hundredths(h).ok().map(|h| (s, n, h)))
        .collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    Ok(rows)
}

/// Where the lot stands: its contract, and its buyer's id, name and SIRET.
pub fn lot_place(
    conn: &mut DbConnection,
    lot_id: LotId,
) -> QueryResult<Option<(ContractId, BuyerId, String, String)>> {
    lots::table
        .inner_join(contracts::table.inner_join(buyers::table))
        .filter(lots::id.eq(lot_id))
        .select((contracts::id, buyers::id, buyers::name, buyers::siret))
        .first(conn)
        .optional()
}
