//! Counters the demo server keeps, so tests and benchmarks can check what was called and paid.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};
use tokio::sync::watch;

/// A snapshot of the demo server's counters (also served as JSON on `GET /stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoStats {
    /// Requests to any provider route, including rejected and faulted ones.
    pub requests: u64,
    /// Requests by provider (`datagen`, `anthropic`, `openai`, `apollo`, `hunter`), including
    /// rejected and faulted ones.
    #[serde(default)]
    pub by_provider: BTreeMap<String, u64>,
    /// Requests being handled right now.
    pub in_flight: u64,
    /// The most requests ever handled at once.
    pub peak_in_flight: u64,
    /// Requests rejected for a wrong or missing key.
    pub unauthorized: u64,
    /// Injected faults.
    pub faults: u64,
    /// Injected faults by kind: DataGen's `429`, `500`, `524`, `524_in_body`, `drop`, and the
    /// other providers' own statuses (`403`, `502`, `503`, `504`, `529`…).
    pub faults_by_kind: BTreeMap<String, u64>,
    /// Answered ("paid") calls by DataGen tool or by provider endpoint (`apollo/people_match`…);
    /// faults and rejections are not counted.
    pub by_tool: BTreeMap<String, u64>,
    /// Answered tool runs that repeated an earlier (tool, input) pair: money a good client never spends.
    pub duplicate_paid: u64,
    /// Answered tool runs by tool, then by the input that identifies them (the normalized profile URL).
    /// Left empty by [`StatsCollector::summary`], since it grows with every distinct input.
    pub by_param: BTreeMap<String, BTreeMap<String, u64>>,
}

impl DemoStats {
    /// The most times any single input was paid for with `tool` (1 means no duplicates).
    pub fn max_paid_per_param(&self, tool: &str) -> u64 {
        self.by_param
            .get(tool)
            .and_then(|m| m.values().max().copied())
            .unwrap_or(0)
    }

    /// Total answered tool runs.
    pub fn paid_calls(&self) -> u64 {
        self.by_tool.values().sum()
    }
}

/// Thread-safe collector behind [`DemoStats`].
#[derive(Debug)]
pub struct StatsCollector {
    inner: Mutex<Counters>,
    /// Bumped on every change, so waiters wake on a signal instead of polling.
    changed: watch::Sender<()>,
}

impl Default for StatsCollector {
    fn default() -> Self {
        StatsCollector {
            inner: Mutex::default(),
            changed: watch::channel(()).0,
        }
    }
}

/// The per-input counts live apart so that a summary does not copy a million-entry map.
#[derive(Debug, Default)]
struct Counters {
    stats: DemoStats,
    by_param: HashMap<String, HashMap<String, u64>>,
}

/// Counts a request as in flight until dropped (also when the client goes away mid-request).
pub struct InFlight<'a> {
    stats: &'a StatsCollector,
    /// The request's number since start or the last reset.
    pub number: u64,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.stats
            .update(|c| c.stats.in_flight = c.stats.in_flight.saturating_sub(1));
    }
}

impl StatsCollector {
    fn lock(&self) -> MutexGuard<'_, Counters> {
        // Counters stay usable even if a handler panicked while holding the lock.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update<T>(&self, change: impl FnOnce(&mut Counters) -> T) -> T {
        let out = change(&mut self.lock());
        self.changed.send_replace(());
        out
    }

    /// A request for `provider` arrived.
    pub fn enter(&self, provider: &str) -> InFlight<'_> {
        let number = self.update(|c| {
            let s = &mut c.stats;
            s.requests += 1;
            *s.by_provider.entry(provider.to_string()).or_default() += 1;
            s.in_flight += 1;
            s.peak_in_flight = s.peak_in_flight.max(s.in_flight);
            s.requests - 1
        });
        InFlight {
            stats: self,
            number,
        }
    }

    /// A request was rejected for its key.
    pub fn unauthorized(&self) {
        self.update(|c| c.stats.unauthorized += 1);
    }

    /// A fault was injected.
    pub fn fault(&self, kind: &str) {
        self.update(|c| {
            c.stats.faults += 1;
            *c.stats.faults_by_kind.entry(kind.to_string()).or_default() += 1;
        });
    }

    /// A tool or endpoint ran and answered for `key`.
    pub fn paid(&self, tool: &str, key: String) {
        self.update(|c| c.paid(tool, key));
    }

    /// Resolves once `done` holds for the summary counters; woken by every change, never polling.
    pub async fn wait_until(&self, done: impl Fn(&DemoStats) -> bool) {
        let mut changes = self.changed.subscribe();
        while !done(&self.summary()) {
            // The sender lives as long as `self`, so this cannot fail while we borrow it.
            if changes.changed().await.is_err() {
                return;
            }
        }
    }
}

impl Counters {
    fn paid(&mut self, tool: &str, key: String) {
        let count = self
            .by_param
            .entry(tool.to_string())
            .or_default()
            .entry(key)
            .or_default();
        *count += 1;
        let repeated = *count > 1;
        *self.stats.by_tool.entry(tool.to_string()).or_default() += 1;
        if repeated {
            self.stats.duplicate_paid += 1;
        }
    }
}

impl StatsCollector {
    /// The counters now, with every per-input count.
    pub fn snapshot(&self) -> DemoStats {
        let c = self.lock();
        let by_param = c
            .by_param
            .iter()
            .map(|(tool, m)| {
                (
                    tool.clone(),
                    m.iter().map(|(k, v)| (k.clone(), *v)).collect(),
                )
            })
            .collect();
        DemoStats {
            by_param,
            ..c.stats.clone()
        }
    }

    /// The counters now without `by_param`: cheap enough to call on every frame.
    pub fn summary(&self) -> DemoStats {
        self.lock().stats.clone()
    }

    /// Zeroes every counter except requests still in flight.
    pub fn reset(&self) {
        self.update(|c| {
            let in_flight = c.stats.in_flight;
            *c = Counters {
                stats: DemoStats {
                    in_flight,
                    peak_in_flight: in_flight,
                    ..DemoStats::default()
                },
                by_param: HashMap::new(),
            };
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_flight_tracks_guards() {
        let c = StatsCollector::default();
        let a = c.enter("datagen");
        let b = c.enter("hunter");
        assert_eq!((a.number, b.number), (0, 1));
        assert_eq!(c.snapshot().in_flight, 2);
        drop(a);
        drop(b);
        let s = c.snapshot();
        assert_eq!((s.requests, s.in_flight, s.peak_in_flight), (2, 0, 2));
        assert_eq!(s.by_provider.get("hunter"), Some(&1));
    }

    #[test]
    fn paid_counts_and_reset() {
        let c = StatsCollector::default();
        c.paid("t", "u1".into());
        c.paid("t", "u1".into());
        c.paid("t", "u2".into());
        c.fault("429");
        let s = c.snapshot();
        assert_eq!(s.paid_calls(), 3);
        assert_eq!(s.max_paid_per_param("t"), 2);
        assert_eq!(s.faults_by_kind.get("429"), Some(&1));
        assert_eq!(s.duplicate_paid, 1);
        assert!(c.summary().by_param.is_empty());
        assert_eq!(c.summary().paid_calls(), 3);
        c.reset();
        assert_eq!(c.snapshot(), DemoStats::default());
    }
}
