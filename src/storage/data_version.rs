//! The version of the data the figures are computed from, as a whole and per buyer.
//!
//! Computed indicators are kept in memory under the version they were computed at
//! (`indicators::cache`). Every write that can change a figure goes through
//! `figures_transaction`, which raises the version as the last statement of its transaction:
//! readers see the new data and the new version together, on every instance sharing the
//! database, and nothing computed before is taken for current.
//!
//! The write also stamps the buyers whose figures it changes with that new version
//! (`buyer_data_versions`), so that figures kept for the other buyers stay valid: an import for
//! one buyer does not make every dashboard compute again. A scope of some buyers is at the
//! greatest stamp among them and the row standing for every buyer (`every_buyer`, stamped by
//! writes that change records shared between buyers); a scope of all buyers is at the version
//! itself. Stamps only grow, each write's above every earlier one, so a write touching a buyer
//! of a scope always moves that scope's version.

use std::collections::{BTreeSet, HashMap};

use diesel::dsl::max;
use diesel::prelude::*;

use super::schema::{buyer_data_versions, data_version};
use super::transaction::write_transaction;
use super::{BuyerId, DbConnection};

/// The row of `buyer_data_versions` stamped by writes that change every buyer's figures (no
/// buyer has id 0).
fn every_buyer() -> BuyerId {
    BuyerId::from(0)
}

/// Whose figures a write changes: every buyer's unless the write says which, so that a write
/// that forgets to say can only cost a computation, never leave a figure stale.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// `None`: every buyer.
    buyers: Option<BTreeSet<BuyerId>>,
}

impl Touched {
    /// The write changes the figures of these buyers (and of those named by earlier calls),
    /// of no other.
    pub fn buyers(&mut self, buyers: impl IntoIterator<Item = BuyerId>) {
        self.buyers.get_or_insert_default().extend(buyers);
    }

    /// The write changes no figure (a refused file records only its report).
    pub fn nobody(&mut self) {
        self.buyers = Some(BTreeSet::new());
    }

    /// The rows to stamp; none when nothing changed.
    fn rows(&self) -> Vec<BuyerId> {
        match &self.buyers {
            None => vec![every_buyer()],
            Some(buyers) => buyers.iter().copied().collect(),
        }
    }
}

/// The version now committed, that of the figures of every buyer.
pub fn current(conn: &mut DbConnection) -> QueryResult<i64> {
    data_version::table
        .select(data_version::version)
        .first(conn)
}

/// The version of the figures of `buyers` (`None`: every buyer), in one query.
pub fn of_buyers(conn: &mut DbConnection, buyers: Option<&[BuyerId]>) -> QueryResult<i64> {
    let Some(buyers) = buyers else {
        return current(conn);
    };
    let rows: Vec<BuyerId> = buyers.iter().copied().chain([every_buyer()]).collect();
    let stamp = super::in_slices(&rows, |slice| {
        buyer_data_versions::table
            .filter(buyer_data_versions::buyer_id.eq_any(slice))
            .select(max(buyer_data_versions::version))
            .load::<Option<i64>>(conn)
    })?;
    Ok(stamp.into_iter().flatten().max().unwrap_or(0))
}

/// Every stamp at once, for a look at many scopes (the cache's refresh).
#[derive(Debug, Clone, Default)]
pub struct Versions {
    current: i64,
    every_buyer: i64,
    by_buyer: HashMap<BuyerId, i64>,
}

impl Versions {
    pub fn read(conn: &mut DbConnection) -> QueryResult<Versions> {
        let current = current(conn)?;
        let mut by_buyer: HashMap<BuyerId, i64> = buyer_data_versions::table
            .select((buyer_data_versions::buyer_id, buyer_data_versions::version))
            .load(conn)?
            .into_iter()
            .collect();
        let every_buyer = by_buyer.remove(&every_buyer()).unwrap_or(0);
        Ok(Versions {
            current,
            every_buyer,
            by_buyer,
        })
    }

    /// What `of_buyers` answers, from the stamps read.
    pub fn of_buyers(&self, buyers: Option<&[BuyerId]>) -> i64 {
        match buyers {
            None => self.current,
            Some(buyers) => buyers
                .iter()
                .filter_map(|b| self.by_buyer.get(b).copied())
                .fold(self.every_buyer, i64::max),
        }
    }
}

/// Runs `f` in a write transaction that, when `f` succeeds, also raises the data version and
/// stamps the buyers `f` says it touched (every buyer if it says nothing). Last, so that on
/// PostgreSQL the counter's row stays locked only for the commit; that lock also orders the
/// stamps of concurrent writes as their commits.
pub fn figures_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection, &mut Touched) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    write_transaction(conn, |conn| {
        let mut touched = Touched::default();
        let value = f(conn, &mut touched)?;
        stamp(conn, &touched)?;
        Ok(value)
    })
}

fn stamp(conn: &mut DbConnection, touched: &Touched) -> QueryResult<()> {
    let rows = touched.rows();
    if rows.is_empty() {
        return Ok(());
    }
    let version: i64 = diesel::update(data_version::table)
        .set(data_version::version.eq(data_version::version + 1))
        .returning(data_version::version)
        .get_result(conn)?;
    for slice in rows.chunks(super::MAX_IN_LIST) {
        let stamped = diesel::update(buyer_data_versions::table)
            .filter(buyer_data_versions::buyer_id.eq_any(slice))
            .set(buyer_data_versions::version.eq(version))
            .execute(conn)?;
        if stamped < slice.len() {
            first_stamps(conn, slice, version)?;
        }
    }
    Ok(())
}

/// The buyers of `rows` stamped for the first time. No concurrent write inserts them too: the
/// data version's row, updated just before, is held until the commit.
fn first_stamps(conn: &mut DbConnection, rows: &[BuyerId], version: i64) -> QueryResult<()> {
    let known: BTreeSet<BuyerId> = buyer_data_versions::table
        .filter(buyer_data_versions::buyer_id.eq_any(rows))
        .select(buyer_data_versions::buyer_id)
        .load::<BuyerId>(conn)?
        .into_iter()
        .collect();
    // One row at a time: diesel's MultiConnection has no multi-row insert, and a write
    // stamps few buyers.
    for buyer in rows.iter().filter(|b| !known.contains(b)) {
        diesel::insert_into(buyer_data_versions::table)
            .values((
                buyer_data_versions::buyer_id.eq(*buyer),
                buyer_data_versions::version.eq(version),
            ))
            .execute(conn)?;
    }
    Ok(())
}
