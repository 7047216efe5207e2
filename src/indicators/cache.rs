//! Computed figures kept in memory under the data version they were computed at.
//!
//! Dashboards are read far more often than the data changes, and at national scale one
//! computation takes seconds where a kept answer takes microseconds. A figure is current while
//! the data version of its scope's buyers (`storage::data_version`) is the one it was computed
//! at: a write on any instance makes the figures of the buyers it touches out of date at once,
//! and leaves the others' current.
//!
//! Readers never wait long for figures that were computed before: when the current version's
//! are not computed yet, the refresh loop is woken to compute them, and a reader that does not
//! get them within a short wait (`FigureCache::new`) is answered the newest kept, flagged stale
//! with the time they were computed. The wait spares a « mise à jour en cours » to the figures
//! computed in a few milliseconds, most of them. `refresh` computes
//! one figure at a time, the most recently read first, and concurrent requests for the same
//! figure share one computation, so a burst of readers after an import starts one computation
//! per figure, not one per reader. Only a figure never computed makes its first reader wait.
//! Documents (workbooks, reports) ask for current figures and wait for them: a document states
//! one version of the data.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::result::Error;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use tokio::sync::Notify;

use super::clauses::{self, ClauseView};
use super::followup::{self, FollowupItem, FollowupRequest};
use super::obligations;
use super::{Breakdowns, DataScope, Indicators, Options, Period, YearFigures};
use crate::domain::ObligationRules;
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
/// A JSON answer: the data version of its figures, the figures asked, the page of the large
/// breakdowns, and whether it says they are stale (the same figures are answered stale while
/// newer ones are computed, then no more).
type JsonKey = (i64, IndicatorsKey, PageRequest, bool);

/// Renders the indicators as the JSON the API answers, with one page of the groups of each
/// lot, contract or establishment, and when they were computed.
pub type Render = fn(&Indicators, PageRequest, Freshness) -> serde_json::Result<Vec<u8>>;
type ClausesKey = (DataScope, NaiveDate);
type ObligationsKey = (DataScope, ObligationRules);

/// When figures were computed, and whether the data has changed since (newer figures are
/// being computed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    pub computed_at: DateTime<Utc>,
    pub stale: bool,
}

impl Freshness {
    /// Of figures made of several parts: the oldest part's time, stale if any part is.
    pub fn and(self, other: Freshness) -> Freshness {
        Freshness {
            computed_at: self.computed_at.min(other.computed_at),
            stale: self.stale || other.stale,
        }
    }
}

/// Figures as kept, with their freshness.
#[derive(Debug, Clone)]
pub struct Kept<V> {
    pub value: V,
    pub freshness: Freshness,
    /// The data version they were computed at.
    version: i64,
}

impl<V> Kept<V> {
    /// The same figures, seen otherwise (a caller's view of them), with their freshness.
    pub fn map<W>(self, f: impl FnOnce(V) -> W) -> Kept<W> {
        Kept {
            value: f(self.value),
            freshness: self.freshness,
            version: self.version,
        }
    }
}

/// Which figures a request takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Those of the current data version, waiting for them if need be.
    Current,
    /// The newest kept, at once, even of an earlier version.
    Latest,
}

/// The indicators and clause assessments of the whole application, shared by its workers.
pub struct FigureCache {
    indicators: Versioned<IndicatorsKey, Arc<Indicators>>,
    /// The indicators as the API sends them, serialized once per data version: writing the
    /// 12 MB answer with every breakdown took longer than serving the figures (benchmarks).
    indicators_json: Cache<JsonKey, Bytes, JsonWeight>,
    clauses: Versioned<ClausesKey, Arc<Vec<ClauseView>>>,
    /// The « À faire » list: its count is shown in the menu of every page.
    followup: Versioned<FollowupRequest, Arc<Vec<FollowupItem>>>,
    /// The contracts lacking a social condition, counted: the dashboard shows the count on
    /// every answer, and it reads every contract of the scope.
    lacking_social: Versioned<ObligationsKey, usize>,
    signals: Arc<Signals>,
}

/// Between readers and the refresh loop.
struct Signals {
    /// Told when a reader meets figures of an earlier version: the refresh loop computes the
    /// current ones without waiting for its next tick.
    stale_met: Notify,
    /// Counts the figures computed, and wakes the readers waiting for current ones.
    computed: Mutex<u64>,
    computed_changed: Condvar,
    /// How long a reader waits for the current figures before taking the newest kept.
    wait: Duration,
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

/// For a command, that computes what it reads once: nothing is ever stale there.
impl Default for FigureCache {
    fn default() -> Self {
        FigureCache::new(Duration::ZERO)
    }
}

impl FigureCache {
    /// A cache whose readers wait at most `wait` for the figures of a new data version before
    /// they are answered the previous ones. Its `refresh` must run (the application's refresh
    /// loop does): it computes what readers are waiting for.
    pub fn new(wait: Duration) -> Self {
        let signals = Arc::new(Signals {
            stale_met: Notify::new(),
            computed: Mutex::new(0),
            computed_changed: Condvar::new(),
            wait,
        });
        FigureCache {
            indicators: Versioned::new(signals.clone(), |conn, (scope, period, options)| {
                super::compute(conn, scope, *period, *options).map(Arc::new)
            }),
            indicators_json: Cache::with_weighter(CAPACITY, JSON_BYTES, JsonWeight),
            clauses: Versioned::new(signals.clone(), |conn, (scope, at)| {
                clauses::assess(conn, scope, *at).map(Arc::new)
            }),
            followup: Versioned::new(signals.clone(), |conn, request| {
                followup::gather(conn, request).map(Arc::new)
            }),
            lacking_social: Versioned::new(signals.clone(), |conn, (scope, rules)| {
                obligations::lacking_social_condition(conn, scope, rules)
            }),
            signals,
        }
    }

    /// `indicators::compute` of the current data version, computed once per version.
    pub fn indicators(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        period: Period,
        options: Options,
    ) -> Result<Arc<Indicators>, Error> {
        let key = (scope.clone(), period, options);
        Ok(self.indicators.get(conn, key, Want::Current)?.value)
    }

    /// The newest indicators kept, at once (see the module's comment).
    pub fn latest_indicators(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        period: Period,
        options: Options,
    ) -> Result<Kept<Arc<Indicators>>, Error> {
        let key = (scope.clone(), period, options);
        self.indicators.get(conn, key, Want::Latest)
    }

    /// `latest_indicators` as JSON, rendered once per data version, page and freshness by
    /// `render` (the API's wire type lives with the API; there is only one).
    pub fn indicators_json(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        period: Period,
        (options, page): (Options, PageRequest),
        render: Render,
    ) -> Result<Bytes, Error> {
        let key = (scope.clone(), period, options);
        let figures = self.indicators.get(conn, key.clone(), Want::Latest)?;
        let freshness = figures.freshness;
        self.indicators_json.get_or_insert_with(
            &(figures.version, key, page, freshness.stale),
            || {
                render(&figures.value, page, freshness)
                    .map(Bytes::from)
                    .map_err(|e| Error::SerializationError(Box::new(e)))
            },
        )
    }

    /// The main figures year by year, `from` to `to` included (at most 50 years), without
    /// breakdowns, of the current data version; each year computed once per version.
    pub fn series(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        from: i32,
        to: i32,
        options: Options,
    ) -> Result<Vec<YearFigures>, Error> {
        Ok(self
            .series_of(conn, scope, (from, to), options, Want::Current)?
            .value)
    }

    /// `series` from the newest figures kept, at once.
    pub fn latest_series(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        (from, to): (i32, i32),
        options: Options,
    ) -> Result<Kept<Vec<YearFigures>>, Error> {
        self.series_of(conn, scope, (from, to), options, Want::Latest)
    }

    fn series_of(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        (from, to): (i32, i32),
        options: Options,
        want: Want,
    ) -> Result<Kept<Vec<YearFigures>>, Error> {
        let options = Options {
            breakdowns: Breakdowns::NONE,
            ..options
        };
        // One look at the version for every year.
        let version = data_version::of_buyers(conn, scope.buyers())?;
        let mut years = Vec::new();
        let mut freshness: Option<Freshness> = None;
        for (year, period) in super::series_years(from, to) {
            let key = (scope.clone(), period, options);
            let kept = self.indicators.at(conn, version, key, want)?;
            freshness = Some(freshness.map_or(kept.freshness, |f| f.and(kept.freshness)));
            years.push(YearFigures::of(year, &kept.value));
        }
        Ok(Kept {
            value: years,
            freshness: freshness.unwrap_or(Freshness {
                computed_at: Utc::now(),
                stale: false,
            }),
            version,
        })
    }

    /// `clauses::assess` of the current data version, computed once per version.
    pub fn clauses(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        at: NaiveDate,
    ) -> Result<Arc<Vec<ClauseView>>, Error> {
        let key = (scope.clone(), at);
        Ok(self.clauses.get(conn, key, Want::Current)?.value)
    }

    /// The newest clause assessments kept, at once.
    pub fn latest_clauses(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        at: NaiveDate,
    ) -> Result<Kept<Arc<Vec<ClauseView>>>, Error> {
        self.clauses.get(conn, (scope.clone(), at), Want::Latest)
    }

    /// `followup::gather` of the current data version, computed once per version.
    pub fn followup(
        &self,
        conn: &mut DbConnection,
        request: &FollowupRequest,
    ) -> Result<Arc<Vec<FollowupItem>>, Error> {
        Ok(self
            .followup
            .get(conn, request.clone(), Want::Current)?
            .value)
    }

    /// `obligations::lacking_social_condition` of the current data version, computed once per
    /// version: a second at most at national scale, where the refresh loop may be busy for
    /// minutes with the indicators, and a ground just recorded must leave the count at once.
    pub fn lacking_social_condition(
        &self,
        conn: &mut DbConnection,
        scope: &DataScope,
        rules: &ObligationRules,
    ) -> Result<usize, Error> {
        let key = (scope.clone(), rules.clone());
        Ok(self.lacking_social.get(conn, key, Want::Current)?.value)
    }

    /// Returns once a reader has met figures of an earlier version since the last call (at
    /// once if one did meanwhile): the refresh loop's cue.
    pub async fn stale_met(&self) {
        self.signals.stale_met.notified().await;
    }

    /// Computes the figures read lately that the current versions of their scopes lack, the
    /// most recently read first, then forgets the figures they supersede (no request wants
    /// them again: at national scale each weighs megabytes). Every version is read in one look.
    pub fn refresh(&self, conn: &mut DbConnection) -> Result<Refreshed, Error> {
        let versions = Versions::read(conn)?;
        let kept = self.len();
        let recomputed = self.indicators.refresh(conn, &versions)?
            + self.clauses.refresh(conn, &versions)?
            + self.followup.refresh(conn, &versions)?
            + self.lacking_social.refresh(conn, &versions)?;
        self.indicators.forget_superseded();
        self.clauses.forget_superseded();
        self.followup.forget_superseded();
        self.lacking_social.forget_superseded();
        let newest = self.indicators.newest_versions();
        self.indicators_json
            .retain(|(at, key, _, _), _| newest.get(key).is_some_and(|n| at >= n));
        Ok(Refreshed {
            forgotten: (kept + recomputed).saturating_sub(self.len()),
            recomputed,
        })
    }

    /// Figures kept, of every kind.
    fn len(&self) -> usize {
        self.indicators.entries.len()
            + self.indicators_json.len()
            + self.clauses.entries.len()
            + self.followup.entries.len()
            + self.lacking_social.entries.len()
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

impl Scoped for ObligationsKey {
    fn buyers(&self) -> Option<&[BuyerId]> {
        self.0.buyers()
    }
}

impl Scoped for FollowupRequest {
    fn buyers(&self) -> Option<&[BuyerId]> {
        self.scope.buyers()
    }
}

/// Figures as computed: shared, not copied, on each read.
#[derive(Clone)]
struct Computed<V> {
    value: V,
    at: DateTime<Utc>,
}

/// One kind of figure, by request and data version, with the newest version computed for each
/// request and when each request was last read.
struct Versioned<K, V> {
    /// Computed once per request and version: concurrent requests for the same wait for one
    /// computation.
    entries: Cache<(i64, K), Computed<V>>,
    newest: Mutex<HashMap<K, i64>>,
    read: Mutex<HashMap<K, Instant>>,
    compute: fn(&mut DbConnection, &K) -> Result<V, Error>,
    signals: Arc<Signals>,
}

impl<K: Clone + Eq + Hash + Scoped, V: Clone> Versioned<K, V> {
    fn new(signals: Arc<Signals>, compute: fn(&mut DbConnection, &K) -> Result<V, Error>) -> Self {
        Versioned {
            entries: Cache::new(CAPACITY),
            newest: Mutex::new(HashMap::new()),
            read: Mutex::new(HashMap::new()),
            compute,
            signals,
        }
    }

    fn get(&self, conn: &mut DbConnection, key: K, want: Want) -> Result<Kept<V>, Error> {
        let version = data_version::of_buyers(conn, key.buyers())?;
        self.at(conn, version, key, want)
    }

    /// `get` for a data version already read: one look at the version for several figures.
    fn at(
        &self,
        conn: &mut DbConnection,
        version: i64,
        key: K,
        want: Want,
    ) -> Result<Kept<V>, Error> {
        lock(&self.read).insert(key.clone(), Instant::now());
        match self.kept(version, &key) {
            Some(kept) if !kept.freshness.stale => Ok(kept),
            Some(stale) if want == Want::Latest => {
                self.signals.stale_met.notify_one();
                Ok(self.wait_current(version, &key).unwrap_or(stale))
            }
            _ => self.fetch(conn, version, key),
        }
    }

    /// The figures of `version` if the refresh loop computes them within the readers' wait.
    fn wait_current(&self, version: i64, key: &K) -> Option<Kept<V>> {
        let deadline = Instant::now() + self.signals.wait;
        let mut computed = lock(&self.signals.computed);
        loop {
            // Looked at with the count held: a computation ending now is not missed.
            if let Some(kept) = self.kept(version, key).filter(|k| !k.freshness.stale) {
                return Some(kept);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            computed = (self.signals.computed_changed)
                .wait_timeout(computed, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// The newest figures kept for `key`, stale when older than `version`.
    fn kept(&self, version: i64, key: &K) -> Option<Kept<V>> {
        let newest = *lock(&self.newest).get(key)?;
        let computed = self.entries.get(&(newest, key.clone()))?;
        Some(Kept {
            value: computed.value,
            freshness: Freshness {
                computed_at: computed.at,
                stale: newest < version,
            },
            version: newest,
        })
    }

    /// The figures of `version`, computed unless they are kept or being computed.
    fn fetch(&self, conn: &mut DbConnection, version: i64, key: K) -> Result<Kept<V>, Error> {
        // An error is returned to the caller and not kept: the next request tries again.
        let computed =
            self.entries
                .get_or_insert_with(&(version, key.clone()), || -> Result<_, Error> {
                    let value = (self.compute)(conn, &key)?;
                    Ok(Computed {
                        value,
                        at: Utc::now(),
                    })
                })?;
        {
            let mut newest = lock(&self.newest);
            let slot = newest.entry(key).or_insert(version);
            *slot = (*slot).max(version);
        }
        *lock(&self.signals.computed) += 1;
        self.signals.computed_changed.notify_all();
        Ok(Kept {
            value: computed.value,
            freshness: Freshness {
                computed_at: computed.at,
                stale: false,
            },
            version,
        })
    }

    /// Drops the figures older than the newest computed for their request, and forgets the
    /// newest version of requests whose figures were evicted.
    fn forget_superseded(&self) {
        let newest = self.newest_versions();
        self.entries
            .retain(|(at, key), _| newest.get(key).is_some_and(|n| at >= n));
        lock(&self.newest).retain(|key, at| self.entries.contains_key(&(*at, key.clone())));
    }

    fn newest_versions(&self) -> HashMap<K, i64> {
        lock(&self.newest).clone()
    }

    fn refresh(&self, conn: &mut DbConnection, versions: &Versions) -> Result<usize, Error> {
        let mut refreshed = 0;
        for key in self.recently_read() {
            let version = versions.of_buyers(key.buyers());
            let computed = lock(&self.newest).get(&key).copied();
            if computed < Some(version) {
                self.fetch(conn, version, key)?;
                refreshed += 1;
            }
        }
        Ok(refreshed)
    }

    /// The requests read within `RECENTLY_READ`, most recent first; forgets the others.
    fn recently_read(&self) -> Vec<K> {
        let mut read = lock(&self.read);
        read.retain(|_, at| at.elapsed() < RECENTLY_READ);
        let mut keys: Vec<(K, Instant)> = read.iter().map(|(k, at)| (k.clone(), *at)).collect();
        keys.sort_by_key(|(_, at)| std::cmp::Reverse(*at));
        keys.truncate(MAX_REFRESHED);
        keys.into_iter().map(|(k, _)| k).collect()
    }
}

/// A poisoned lock only means a reader panicked: the map is still whole.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
