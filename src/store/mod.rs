//! Response cache and run journal (SQLite), owned by one dedicated thread.
//!
//! Callers hold a cheap, cloneable [`Store`] handle. Every operation is a command on a channel
//! to the store thread; operations that must answer (cache lookups, journal writes) wait on a
//! reply. Writes waiting at the same time share one transaction (group commit), so a journal
//! write is durable when it returns without each cell paying for its own fsync.
//!
//! `Store` implements [`crate::providers::ResponseCache`] (lookups are awaited, never
//! blocking a runtime thread), so the engine's caller built over it makes answers persistent.
//! Requests can also be answered through a callback ([`Store::save_columns_then`],
//! [`Store::journal_lookup_then`], [`Store::load_columns_then`]), so the UI thread hands work
//! to the store thread and never waits for it.
//!
//! Location: see [`store_path`]. A store that cannot be opened is a typed [`StoreError`];
//! callers then run without one. Failures during a run are returned (journal) or counted in
//! [`StoreStats`] (cache), never panics.

mod cache;
mod error;
mod journal;
mod key;
pub mod location;
mod schema;
mod seam;
mod stats;
mod worker;

pub use cache::{CachePolicy, ProviderPolicy};
pub use error::StoreError;
pub use journal::JournalEntry;
pub use key::{RunId, input_hash};
pub use location::{STORE_ENV, STORE_FILE, store_path};
pub use schema::SCHEMA_VERSION;
pub use stats::StoreStats;

use crate::providers::{Cached, RequestKey};
use journal::JournalRow;
use stats::Counters;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;
use worker::{Callback, Command, Reply, Worker};

/// Source of "now" for TTLs and timestamps; injectable so tests control time.
pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    /// Seconds since the Unix epoch.
    fn now_unix(&self) -> i64;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}

/// How a store behaves once open.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// TTL and cost per provider.
    pub cache: CachePolicy,
    /// Clock for TTLs and timestamps.
    pub clock: Arc<dyn Clock>,
    /// How long to wait for another process's lock before giving up with [`StoreError::Locked`].
    pub busy_timeout: Duration,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            cache: CachePolicy::default(),
            clock: Arc::new(SystemClock),
            busy_timeout: Duration::from_secs(2),
        }
    }
}

/// A handle to the store thread; clone freely. The thread stops (and the file is closed)
/// when the last handle is dropped.
#[derive(Clone)]
pub struct Store {
    // Declared before `shared`: the channel must close before the last handle joins the thread.
    tx: Sender<Command>,
    shared: Arc<Shared>,
    refresh: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.shared.path)
            .field("refresh", &self.refresh)
            .finish_non_exhaustive()
    }
}

/// State shared by every handle.
struct Shared {
    path: PathBuf,
    policy: CachePolicy,
    counters: Arc<Counters>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        let thread = self
            .thread
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            // Every sender is gone, so the thread finishes its last batch and closes the file.
            let _ = thread.join();
        }
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path, config: StoreConfig) -> Result<Store, StoreError> {
        let conn = schema::open(path, config.busy_timeout)?;
        Store::start(conn, path.to_path_buf(), config)
    }

    /// Opens the store at [`store_path`]`(explicit)`.
    pub fn open_default(explicit: Option<&Path>, config: StoreConfig) -> Result<Store, StoreError> {
        Store::open(&store_path(explicit)?, config)
    }

    /// A private in-memory store (tests, or running without a file).
    pub fn open_in_memory(config: StoreConfig) -> Result<Store, StoreError> {
        Store::start(schema::open_in_memory()?, PathBuf::from(":memory:"), config)
    }

    fn start(
        conn: rusqlite::Connection,
        path: PathBuf,
        config: StoreConfig,
    ) -> Result<Store, StoreError> {
        let counters = Arc::new(Counters::default());
        // Expired answers are dropped once per session; reads ignore them meanwhile.
        if let Err(e) = cache::prune(&conn, &config.cache, config.clock.now_unix()) {
            counters.error(&StoreError::from_sqlite(&path, &e));
        }
        let worker = Worker {
            conn,
            path: path.clone(),
            policy: config.cache.clone(),
            clock: config.clock,
            counters: Arc::clone(&counters),
        };
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("leadgrid-store".into())
            .spawn(move || worker.run(rx))
            .map_err(|e| StoreError::Sqlite {
                path: path.clone(),
                detail: format!("cannot start the store thread: {e}"),
            })?;
        Ok(Store {
            tx,
            shared: Arc::new(Shared {
                path,
                policy: config.cache,
                counters,
                thread: Mutex::new(Some(thread)),
            }),
            refresh: false,
        })
    }

    /// The file this store lives in (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// A handle whose cache lookups always miss (`--refresh`); its answers are still stored.
    pub fn with_refresh(&self, refresh: bool) -> Store {
        Store {
            refresh,
            ..self.clone()
        }
    }

    fn request<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, StoreError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.tx
            .send(make(Reply::Blocking(reply)))
            .map_err(|_| StoreError::Closed)?;
        answer.recv().map_err(|_| StoreError::Closed)?
    }

    /// Like `request`, awaiting the answer instead of blocking the thread (for tokio tasks).
    async fn request_async<T>(
        &self,
        make: impl FnOnce(Reply<T>) -> Command,
    ) -> Result<T, StoreError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.tx
            .send(make(Reply::Async(reply)))
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Like `request`, handing the answer to `then` (run on the store thread, so it must be
    /// quick: pass the answer on) instead of waiting for it.
    fn request_then<T: 'static>(
        &self,
        make: impl FnOnce(Reply<T>) -> Command,
        then: impl FnOnce(Result<T, StoreError>) + Send + 'static,
    ) {
        // A command that cannot be sent is dropped, and its callback then hears `Closed`.
        let _ = self.tx.send(make(Reply::Callback(Callback::new(then))));
    }

    /// The fresh cached answer for `key`, blocking this thread until the store answers. A
    /// failed lookup is a miss (and counted as an error): the caller then makes the call,
    /// which is always safe.
    pub fn cache_get(&self, key: &RequestKey) -> Option<Cached> {
        let found = if self.refresh {
            None
        } else {
            self.request(|reply| Command::CacheGet {
                key: key.clone(),
                reply,
            })
            .ok()
            .flatten()
        };
        self.count_lookup(key, found)
    }

    /// [`Store::cache_get`] for async code: awaits the store's answer, so a lookup never
    /// blocks a runtime thread.
    pub async fn cache_get_async(&self, key: &RequestKey) -> Option<Cached> {
        let found = if self.refresh {
            None
        } else {
            self.request_async(|reply| Command::CacheGet {
                key: key.clone(),
                reply,
            })
            .await
            .ok()
            .flatten()
        };
        self.count_lookup(key, found)
    }

    fn count_lookup(&self, key: &RequestKey, found: Option<Cached>) -> Option<Cached> {
        match &found {
            Some(_) => self
                .shared
                .counters
                .hit(self.shared.policy.get(key.provider()).cost_per_call),
            None => self.shared.counters.miss(),
        }
        found
    }

    /// Whether a fresh answer for `key` is cached, without counting a hit or a miss
    /// (for estimates; with `refresh` nothing counts as cached).
    pub fn cache_has(&self, key: &RequestKey) -> bool {
        !self.refresh
            && self
                .request(|reply| Command::CacheGet {
                    key: key.clone(),
                    reply,
                })
                .ok()
                .flatten()
                .is_some()
    }

    /// Stores an answer without waiting; a later lookup through any handle sees it. Failures
    /// are counted in [`Store::stats`]: losing a cache entry only costs a repeat call.
    pub fn cache_put(&self, key: &RequestKey, answer: &Cached) {
        let sent = self.tx.send(Command::CachePut {
            key: key.clone(),
            answer: answer.clone(),
        });
        if sent.is_err() {
            self.shared.counters.error(&StoreError::Closed);
        }
    }

    /// Journals one cell result; it is on disk when this returns `Ok`.
    pub fn journal_put(&self, run: &RunId, entry: &JournalEntry) -> Result<(), StoreError> {
        self.journal_put_many(run, std::slice::from_ref(entry))
    }

    /// Journals several cell results in one commit (all or none); on disk when this returns
    /// `Ok`. For a consumer that drains many finished cells at once, this costs one fsync.
    pub fn journal_put_many(
        &self,
        run: &RunId,
        entries: &[JournalEntry],
    ) -> Result<(), StoreError> {
        let rows = journal_rows(run, entries)?;
        self.request(|reply| Command::JournalPut { rows, reply })
    }

    /// [`Store::journal_put_many`] for async code: awaits the commit without blocking a
    /// runtime thread, so engine tasks can journal their results concurrently (and share
    /// commits).
    pub async fn journal_put_async(
        &self,
        run: &RunId,
        entries: &[JournalEntry],
    ) -> Result<(), StoreError> {
        let rows = journal_rows(run, entries)?;
        self.request_async(|reply| Command::JournalPut { rows, reply })
            .await
    }

    /// Every journaled cell of `run`.
    pub fn journal_load(&self, run: &RunId) -> Result<Vec<JournalEntry>, StoreError> {
        self.request(|reply| Command::JournalLoad {
            run: run.as_str().to_string(),
            with_calls: true,
            reply,
        })
    }

    /// Every entry of `run` without its calls (`calls` is `null`): what resuming needs, at a
    /// fraction of the memory. [`Store::journal_lookup`] has one cell's calls when wanted.
    pub fn journal_load_results(&self, run: &RunId) -> Result<Vec<JournalEntry>, StoreError> {
        self.request(|reply| Command::JournalLoad {
            run: run.as_str().to_string(),
            with_calls: false,
            reply,
        })
    }

    /// The journaled result of one cell, if any.
    pub fn journal_lookup(
        &self,
        run: &RunId,
        integration: &str,
        input_hash: &str,
    ) -> Result<Option<JournalEntry>, StoreError> {
        self.request(|reply| Command::JournalLookup {
            run: run.as_str().to_string(),
            integration: integration.to_string(),
            input_hash: input_hash.to_string(),
            reply,
        })
    }

    /// [`Store::journal_lookup`] without waiting: `then` gets the entry.
    pub fn journal_lookup_then(
        &self,
        run: &RunId,
        integration: &str,
        input_hash: &str,
        then: impl FnOnce(Result<Option<JournalEntry>, StoreError>) + Send + 'static,
    ) {
        self.request_then(
            |reply| Command::JournalLookup {
                run: run.as_str().to_string(),
                integration: integration.to_string(),
                input_hash: input_hash.to_string(),
                reply,
            },
            then,
        );
    }

    /// Saves the run's enrichment column definitions (integration, input mapping, outputs),
    /// durably, replacing earlier ones, without waiting: `then` hears whether the commit
    /// succeeded.
    pub fn save_columns_then(
        &self,
        run: &RunId,
        columns: &serde_json::Value,
        then: impl FnOnce(Result<(), StoreError>) + Send + 'static,
    ) {
        let columns = columns.to_string();
        self.request_then(
            |reply| Command::SaveColumns {
                run: run.as_str().to_string(),
                columns,
                reply,
            },
            then,
        );
    }

    /// The column definitions saved for `run`, if any, handed to `then` (no waiting).
    pub fn load_columns_then(
        &self,
        run: &RunId,
        then: impl FnOnce(Result<Option<serde_json::Value>, StoreError>) + Send + 'static,
    ) {
        self.request_then(
            |reply| Command::LoadColumns {
                run: run.as_str().to_string(),
                reply,
            },
            move |text| {
                then(text.and_then(|t| Ok(t.map(|t| serde_json::from_str(&t)).transpose()?)));
            },
        );
    }

    /// Waits until every earlier command (including [`Store::cache_put`]s) has been carried
    /// out; fails if the last batch's commit failed (earlier failures are in [`Store::stats`]).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.request(|reply| Command::Flush { reply })
    }

    /// Counters since the store was opened.
    pub fn stats(&self) -> StoreStats {
        self.shared.counters.snapshot()
    }
}

/// Entries turned into column text on the caller's thread, so the store thread only writes.
fn journal_rows(run: &RunId, entries: &[JournalEntry]) -> Result<Vec<JournalRow>, StoreError> {
    entries
        .iter()
        .map(|entry| JournalRow::new(run, entry))
        .collect()
}
