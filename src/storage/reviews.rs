//! The review of hour statements: the statements grouped as a reviewer decides on them (an
//! import's lines on one lot in one month), and the decisions, which change the entries' state.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::located::located;
use super::schema::{companies, contracts, hour_entries, lots};
use super::{BuyerId, CompanyId, DbConnection, ImportId, LotId};
use crate::domain::{Hours, Month, ReviewState};

/// Which statements a list shows: of the buyers in scope (all when `None`), of one company, of
/// one import, in these states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFilter {
    pub buyer_ids: Option<Vec<BuyerId>>,
    pub company_id: Option<CompanyId>,
    pub import_id: Option<ImportId>,
    pub states: Vec<ReviewState>,
}

/// The entries of one import on one lot in one month, sent by one company, in one state.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ReviewGroup {
    pub import_id: Option<ImportId>,
    pub lot_id: LotId,
    pub company_id: CompanyId,
    pub month: Month,
    pub state: ReviewState,
    pub reason: Option<String>,
    pub entries: i64,
    pub hours: Hours,
    /// When the oldest of them was written.
    pub since: Option<NaiveDateTime>,
}

/// At most this many groups are listed at once, the oldest first.
pub const MAX_GROUPS: i64 = 500;

/// The statements of the filter, grouped, the oldest first.
pub fn groups(conn: &mut DbConnection, filter: &ReviewFilter) -> QueryResult<Vec<ReviewGroup>> {
    let keys = (
        hour_entries::import_id,
        hour_entries::lot_id,
        hour_entries::company_id,
        hour_entries::month,
        hour_entries::review,
        hour_entries::review_reason,
    );
    let mut query = hour_entries::table
        .filter(hour_entries::review.eq_any(filter.states.clone()))
        .group_by(keys)
        .select((
            keys.0,
            keys.1,
            keys.2,
            keys.3,
            keys.4,
            keys.5,
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>("COALESCE(CAST(SUM(hour_entries.hours) AS BIGINT), 0)"),
            diesel::dsl::min(hour_entries::updated_at),
        ))
        .into_boxed();
    if let Some(ids) = &filter.buyer_ids {
        query = query.filter(
            hour_entries::lot_id.eq_any(
                lots::table
                    .inner_join(contracts::table)
                    .filter(contracts::buyer_id.eq_any(ids.clone()))
                    .select(lots::id),
            ),
        );
    }
    if let Some(company) = filter.company_id {
        query = query.filter(hour_entries::company_id.eq(company));
    }
    if let Some(import) = filter.import_id {
        query = query.filter(hour_entries::import_id.eq(import));
    }
    located(conn, &["hour_entries"], |conn| {
        query
            .order((
                diesel::dsl::min(hour_entries::updated_at),
                hour_entries::import_id,
                hour_entries::lot_id,
                hour_entries::month,
            ))
            .limit(MAX_GROUPS)
            .load(conn)
    })
}

/// The SIRET and name of these companies, by id.
pub fn company_names(
    conn: &mut DbConnection,
    ids: &[CompanyId],
) -> QueryResult<Vec<(CompanyId, String, String)>> {
    super::in_slices(ids, |slice| {
        companies::table
            .filter(companies::id.eq_any(slice))
            .select((companies::id, companies::identifier, companies::name))
            .load(conn)
    })
}

/// What a decision is about: every entry of an import, or of a lot in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    Import(ImportId),
    LotMonth(LotId, Month),
}

/// The entries of the selection in `state`, as a boxed query.
macro_rules! selected {
    ($selection:expr, $state:expr) => {{
        let mut query = hour_entries::table
            .filter(hour_entries::review.eq($state))
            .into_boxed();
        match $selection {
            Selection::Import(id) => query = query.filter(hour_entries::import_id.eq(id)),
            Selection::LotMonth(lot, month) => {
                query = query
                    .filter(hour_entries::lot_id.eq(lot))
                    .filter(hour_entries::month.eq(month));
            }
        }
        query
    }};
}

/// The buyers whose lots the entries of the selection in `state` are on.
pub fn buyers_of(
    conn: &mut DbConnection,
    selection: Selection,
    state: ReviewState,
) -> QueryResult<Vec<BuyerId>> {
    let lot_ids: Vec<LotId> = selected!(selection, state)
        .select(hour_entries::lot_id)
        .distinct()
        .load(conn)?;
    super::contracts::buyers_of_lots(conn, &lot_ids)
}

/// How many entries of the selection are in `state`, and their hours.
pub fn totals(
    conn: &mut DbConnection,
    selection: Selection,
    state: ReviewState,
) -> QueryResult<(i64, Hours)> {
    located(conn, &["hour_entries"], |conn| {
        selected!(selection, state)
            .select((
                sql::<BigInt>("COUNT(*)"),
                sql::<BigInt>("COALESCE(CAST(SUM(hour_entries.hours) AS BIGINT), 0)"),
            ))
            .first(conn)
    })
}

/// Moves the entries of the selection from `from` to `to`, keeping `reason` with them (a
/// validation clears an earlier one). Returns how many moved.
pub fn decide(
    conn: &mut DbConnection,
    selection: Selection,
    from: ReviewState,
    to: ReviewState,
    reason: Option<&str>,
) -> QueryResult<usize> {
    let ids: Vec<super::HourEntryId> = selected!(selection, from)
        .select(hour_entries::id)
        .load(conn)?;
    let mut moved = 0;
    let mut participants = Vec::new();
    for chunk in ids.chunks(super::MAX_IN_LIST) {
        participants.extend(
            hour_entries::table
                .filter(hour_entries::id.eq_any(chunk))
                .select(hour_entries::participant_id)
                .distinct()
                .load::<super::ParticipantId>(conn)?,
        );
        // The roll-ups follow the entries from one review state to the other.
        super::rollups::remove_rows(conn, super::rollups::Entries::Ids(chunk))?;
        // Only those still in `from`: the roll-ups were moved for them.
        let still = hour_entries::table
            .filter(hour_entries::id.eq_any(chunk))
            .filter(hour_entries::review.eq(from));
        moved += diesel::update(still)
            .set((
                hour_entries::review.eq(to),
                hour_entries::review_reason.eq(reason),
                hour_entries::updated_at.eq(super::now()),
            ))
            .execute(conn)?;
        super::rollups::add_rows(conn, super::rollups::Entries::Ids(chunk))?;
    }
    // Rejected hours stand for no contract; hours validated again do.
    if from == ReviewState::Rejected || to == ReviewState::Rejected {
        super::work_contracts::rederive(conn, &participants)?;
    }
    Ok(moved)
}
