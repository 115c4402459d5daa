//! Counters the demo server keeps, so tests and benchmarks can check what was called and paid.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A snapshot of the demo server's counters (also served as JSON on `GET /stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoStats {
    /// Requests to the execute endpoint, including rejected and faulted ones.
    pub requests: u64,
    /// Requests being handled right now.
    pub in_flight: u64,
    /// The most requests ever handled at once.
    pub peak_in_flight: u64,
    /// Requests rejected for a wrong or missing key.
    pub unauthorized: u64,
    /// Injected faults.
    pub faults: u64,
    /// Injected faults by kind (`429`, `500`, `524`, `524_in_body`, `drop`).
    pub faults_by_kind: BTreeMap<String, u64>,
    /// Answered ("paid") tool runs by tool; faults and rejections are not counted.
    pub by_tool: BTreeMap<String, u64>,
    /// Answered tool runs by tool, then by the input that identifies them (the normalized profile URL).
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
#[derive(Debug, Default)]
pub struct StatsCollector {
    inner: Mutex<DemoStats>,
}

/// Counts a request as in flight until dropped (also when the client goes away mid-request).
pub struct InFlight<'a> {
    stats: &'a StatsCollector,
    /// The request's number since start or the last reset.
    pub number: u64,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut s = self.stats.lock();
        s.in_flight = s.in_flight.saturating_sub(1);
    }
}

impl StatsCollector {
    fn lock(&self) -> MutexGuard<'_, DemoStats> {
        // Counters stay usable even if a handler panicked while holding the lock.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A request arrived.
    pub fn enter(&self) -> InFlight<'_> {
        let mut s = self.lock();
        let number = s.requests;
        s.requests += 1;
        s.in_flight += 1;
        s.peak_in_flight = s.peak_in_flight.max(s.in_flight);
        InFlight {
            stats: self,
            number,
        }
    }

    /// A request was rejected for its key.
    pub fn unauthorized(&self) {
        self.lock().unauthorized += 1;
    }

    /// A fault was injected.
    pub fn fault(&self, kind: &str) {
        let mut s = self.lock();
        s.faults += 1;
        *s.faults_by_kind.entry(kind.to_string()).or_default() += 1;
    }

    /// A tool ran and answered for `key`.
    pub fn paid(&self, tool: &str, key: String) {
        let mut s = self.lock();
        *s.by_tool.entry(tool.to_string()).or_default() += 1;
        *s.by_param
            .entry(tool.to_string())
            .or_default()
            .entry(key)
            .or_default() += 1;
    }

    /// The counters now.
    pub fn snapshot(&self) -> DemoStats {
        self.lock().clone()
    }

    /// Zeroes every counter except requests still in flight.
    pub fn reset(&self) {
        let mut s = self.lock();
        let in_flight = s.in_flight;
        *s = DemoStats {
            in_flight,
            peak_in_flight: in_flight,
            ..DemoStats::default()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_flight_tracks_guards() {
        let c = StatsCollector::default();
        let a = c.enter();
        let b = c.enter();
        assert_eq!((a.number, b.number), (0, 1));
        assert_eq!(c.snapshot().in_flight, 2);
        drop(a);
        drop(b);
        let s = c.snapshot();
        assert_eq!((s.requests, s.in_flight, s.peak_in_flight), (2, 0, 2));
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
        c.reset();
        assert_eq!(c.snapshot(), DemoStats::default());
    }
}
