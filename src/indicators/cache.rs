//! Computed figures kept in memory under the data version they were computed at.
//!
//! Dashboards are read far more often than the data changes, and at national scale one
//! computation takes seconds where a kept answer takes microseconds. A figure is served from
//! memory only while the data version of its scope's buyers (`storage::data_version`) is the
//! one it was computed at: a write on any instance makes the figures of the buyers it touches
//! stale at once, and leaves the others' valid. Requests for a figure being
//! computed wait for that computation instead of running it again. After a write, `refresh`
//! recomputes in the background the figures read lately, so that the first reader after an
//! import does not pay for them.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::NaiveDate;
use diesel::result::Error;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use super::clauses::{self, ClauseView};
use super::followup::{self, FollowupItem, FollowupRequest};
use super::{Breakdowns, DataScope, Indicators, Options, Period, YearFigures};
use crate::storage::data_version::{self, Versions};
use crate::storage::{BuyerId, DbConnection, PageRequest};

/// Figures kept per kind: every scope, period and option set read lately fits.
const CAPACITY: usize = 1_000;
/// Figures read within this time are recomputed after a write; older ones wait for a reader.
const RECENTLY_READ: Duration = Duration::from_secs(15 * 60);
/// At most this many figures recomputed after a write, the most recently read first.
const MAX_REFRESHED: usize = 200;
/// Bytes of JSON answers kept: at national scale one answer with every breakdown weighs
/// about 12 MB.
const JSON_BYTES: u64 = 256 * 1024 * 1024;

type IndicatorsKey = (DataScope, Period, Options);
/// A JSON answer: the data version, the figures, the page of the large breakdowns.
type JsonKey = (i64, IndicatorsKey, PageRequest);

/// Renders the indicators as the JSON the API answers, with one page of the groups of each
/// lot, contract or establishment.
pub type Render = fn(&Indicators, PageRequest) -> serde_json::Result<Vec<u8>>;
type ClausesKey = (DataScope, NaiveDate);

/// The indicators and clause assessments of the whole application, shared by its workers.
pub struct FigureCache {
    indicators: Versioned<IndicatorsKey, Arc<Indicators>>,
    /// The indicators as the API sends them, serialized once per data version: writing the
    /// 12 MB answer with every breakdown took longer than serving the figures (benchmarks).
    indicators_json: Cache<JsonKey, Bytes, JsonWeight>,
    clauses: Versioned<ClausesKey, Arc<Vec<ClauseView>>>,
    /// The « À faire » list: its count is shown in the menu of every page.
    followup: Versioned<FollowupRequest, Arc<Vec<FollowupItem>>>,
}

/// What a `refresh` did: figures of earlier versions dropped, figures computed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refreshed {
    pub forgotten: usize,
    pub recomputed: usize,
}

/// JSON answers are kept within a number of bytes, not of answers.
#[derive(Clone)]
struct JsonWeight;

impl Weighter<JsonKey, Bytes> for JsonWeight {
    fn weight(&self, _: &JsonKey, json: &Bytes) -> u64 {
        json.len() as u64
    }
}

impl Default for FigureCache {
    fn default() -> Self {
        FigureCache {
            indicators: Versioned::new(|conn, (scope, period, options)| {
                super::compute(conn, scope, *period, *options).map(Arc::new)
            }),
            indicators_json: Cache::with_weighter(CAPACITY, JSON_BYTES, JsonWeight),
            clauses: Versioned::new(|conn, (scope, at)| {
                clauses::assess(conn, scope, *at).map(Arc::new)
            }),
            followup: Versioned::new(|conn, request| followup::gather(conn, request).map(Arc::new)),
        }
    }
}

impl FigureCache {
    /// `indicators::compute`, computed once per data version.
    pub fn indicators(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        period: Period,
        options: Options,
    ) -> Result<Arc<Indicators>, Error> {
        self.indicators.get(conn, (scope.clone(), period, options))
    }

    /// `indicators` as JSON, rendered once per data version and page by `render` (the API's
    /// wire type lives with the API; there is only one).
    pub fn indicators_json(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        period: Period,
        (options, page): (Options, PageRequest),
        render: Render,
    ) -> Result<Bytes, Error> {
        let version = scope.version(conn)?;
        let key = (scope.clone(), period, options);
        self.indicators_json
            .get_or_insert_with(&(version, key.clone(), page), || {
                let figures = self.indicators.get_at(conn, version, key)?;
                render(&figures, page)
                    .map(Bytes::from)
                    .map_err(|e| Error::SerializationError(Box::new(e)))
            })
    }

    /// The main figures year by year, `from` to `to` included (at most 50 years), without
    /// breakdowns; each year computed once per data version.
    pub fn series(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        from: i32,
        to: i32,
        options: Options,
    ) -> Result<Vec<YearFigures>, Error> {
        let options = Options {
            breakdowns: Breakdowns::NONE,
            ..options
        };
        let version = scope.version(conn)?;
        super::series_years(from, to)
            .map(|(year, period)| {
                let key = (scope.clone(), period, options);
                Ok(YearFigures::of(
                    year,
                    &*self.indicators.get_at(conn, version, key)?,
                ))
            })
            .collect()
    }

    /// `clauses::assess`, computed once per data version.
    pub fn clauses(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        at: NaiveDate,
    ) -> Result<Arc<Vec<ClauseView>>, Error> {
        self.clauses.get(conn, (scope.clone(), at))
    }

    /// `followup::gather`, computed once per data version.
    pub fn followup(
        &self,
        conn: &mut DbConnection,
        request: &FollowupRequest,
    ) -> Result<Arc<Vec<FollowupItem>>, Error> {
        self.followup.get(conn, request.clone())
    }

    /// Forgets the figures of earlier versions of their scopes (no request can want them
    /// again: at national scale each weighs megabytes), then recomputes the figures read lately
    /// that the current versions lack. Every version is read in one look.
    pub fn refresh(&self, conn: &mut DbConnection) -> Result<Refreshed, Error> {
        let versions = Versions::read(conn)?;
        let kept = self.len();
        self.indicators_json
            .retain(|(at, key, _), _| *at >= versions.of_buyers(key.buyers()));
        self.indicators.forget_before(&versions);
        self.clauses.forget_before(&versions);
        self.followup.forget_before(&versions);
        let forgotten = kept - self.len();
        Ok(Refreshed {
            forgotten,
            recomputed: self.indicators.refresh(conn, &versions)?
                + self.clauses.refresh(conn, &versions)?
                + self.followup.refresh(conn, &versions)?,
        })
    }

    /// Figures kept, of every kind.
    fn len(&self) -> usize {
        self.indicators.entries.len()
            + self.indicators_json.len()
            + self.clauses.entries.len()
            + self.followup.entries.len()
    }
}

/// A request for figures, over the buyers of its scope.
trait Scoped {
    /// `None`: every buyer.
    fn buyers(&self) -> Option<&[BuyerId]>;
}

impl Scoped for DataScope {
    fn buyers(&self) -> Option<&[BuyerId]> {
        self.buyer_ids.as_deref()
    }
}

impl DataScope {
    /// The data version of the figures of this scope's buyers.
    fn version(&self, conn: &mut DbConnection) -> Result<i64, Error> {
        data_version::of_buyers(conn, self.buyers())
    }
}

impl Scoped for IndicatorsKey {
    fn buyers(&self) -> Option<&[BuyerId]> {
        self.0.buyers()
    }
}

impl Scoped for ClausesKey {
    fn buyers(&self) -> Option<&[BuyerId]> {
        self.0.buyers()
    }
}

impl Scoped for FollowupRequest {
    fn buyers(&self) -> Option<&[BuyerId]> {
        self.scope.buyers()
    }
}

/// One kind of figure, by request and data version (values shared, not copied, on each read), with when each request was last read.
struct Versioned<K, V> {
    entries: Cache<(i64, K), V>,
    read: Mutex<HashMap<K, Instant>>,
    compute: fn(&mut DbConnection, &K) -> Result<V, Error>,
}

impl<K: Clone + Eq + Hash + Scoped, V: Clone> Versioned<K, V> {
    fn new(compute: fn(&mut DbConnection, &K) -> Result<V, Error>) -> Self {
        Versioned {
            entries: Cache::new(CAPACITY),
            read: Mutex::new(HashMap::new()),
            compute,
        }
    }

    fn get(&self, conn: &mut DbConnection, key: K) -> Result<V, Error> {
        let version = data_version::of_buyers(conn, key.buyers())?;
        self.get_at(conn, version, key)
    }

    /// `get` for a data version already read: one look at the version for several figures.
    fn get_at(&self, conn: &mut DbConnection, version: i64, key: K) -> Result<V, Error> {
        self.read
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone(), Instant::now());
        self.fetch(conn, (version, key))
    }

    fn fetch(&self, conn: &mut DbConnection, entry: (i64, K)) -> Result<V, Error> {
        // An error is returned to the caller and not kept: the next request tries again.
        self.entries
            .get_or_insert_with(&entry, || (self.compute)(conn, &entry.1))
    }

    fn forget_before(&self, versions: &Versions) {
        self.entries
            .retain(|(at, key), _| *at >= versions.of_buyers(key.buyers()));
    }

    fn refresh(&self, conn: &mut DbConnection, versions: &Versions) -> Result<usize, Error> {
        let keys = self.recently_read();
        let mut refreshed = 0;
        for key in keys {
            let entry = (versions.of_buyers(key.buyers()), key);
            if self.entries.peek(&entry).is_none() {
                self.fetch(conn, entry)?;
                refreshed += 1;
            }
        }
        Ok(refreshed)
    }

    /// The requests read within `RECENTLY_READ`, most recent first; forgets the others.
    fn recently_read(&self) -> Vec<K> {
        let mut read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        read.retain(|_, at| at.elapsed() < RECENTLY_READ);
        let mut keys: Vec<(K, Instant)> = read.iter().map(|(k, at)| (k.clone(), *at)).collect();
        keys.sort_by_key(|(_, at)| std::cmp::Reverse(*at));
        keys.truncate(MAX_REFRESHED);
        keys.into_iter().map(|(k, _)| k).collect()
    }
}
