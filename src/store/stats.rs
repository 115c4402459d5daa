//! Honest accounting: what the cache saved and what the store failed to do, this session.

use super::StoreError;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Counters since the store was opened.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreStats {
    /// Lookups answered from the cache: calls not paid for.
    pub hits: u64,
    /// Lookups that found nothing fresh (or were refreshed). The caller then pays for a call,
    /// or shares a concurrent identical one: paid calls are the engine's `CallerStats`.
    pub misses: u64,
    /// `hits` × each provider's cost per call.
    pub cost_saved: f64,
    /// Answers written to the cache.
    pub cache_writes: u64,
    /// Cell results committed to the journal.
    pub journal_writes: u64,
    /// Write transactions committed; writes per commit is the group-commit batch size.
    pub commits: u64,
    /// Store operations that failed (the run goes on; results stay in memory).
    pub errors: u64,
    /// The most recent failure, for the status bar.
    pub last_error: Option<String>,
}

/// Shared between the handles and the store thread.
#[derive(Debug, Default)]
pub(crate) struct Counters(Mutex<StoreStats>);

impl Counters {
    /// A poisoned lock only means another thread panicked mid-update of plain counters: keep going.
    fn lock(&self) -> MutexGuard<'_, StoreStats> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn hit(&self, cost: f64) {
        let mut s = self.lock();
        s.hits += 1;
        s.cost_saved += cost;
    }

    pub(crate) fn miss(&self) {
        self.lock().misses += 1;
    }

    pub(crate) fn cache_written(&self) {
        self.lock().cache_writes += 1;
    }

    pub(crate) fn journal_written(&self, entries: u64) {
        self.lock().journal_writes += entries;
    }

    pub(crate) fn committed(&self) {
        self.lock().commits += 1;
    }

    pub(crate) fn error(&self, err: &StoreError) {
        let mut s = self.lock();
        s.errors += 1;
        s.last_error = Some(err.to_string());
    }

    pub(crate) fn snapshot(&self) -> StoreStats {
        self.lock().clone()
    }
}
