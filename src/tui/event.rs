//! Everything the UI loop wakes up for, and how background work reports back.
//!
//! Workers never touch UI state: each gets a snapshot and this module's channel, and its
//! result arrives as a [`WorkerResult`] that `App::update` hands to whoever asked.

use crate::providers::CallRecord;
use crate::resume::Restored;
use crate::table::{RowId, SaveError, SavedFile};
use std::path::PathBuf;

/// One thing that happened: input, a timer, or a background result.
pub enum AppEvent {
    /// Key, mouse, paste or resize from the terminal.
    Input(crossterm::event::Event),
    /// Periodic wake-up while something animates or loads.
    Tick,
    /// A background scan or save finished.
    Worker(WorkerResult),
    /// The enrichment engine reported progress.
    Engine(crate::engine::Event),
}

/// Results of background work, tagged so stale ones can be dropped.
pub enum WorkerResult {
    /// An integration file was saved: the reloaded catalog, the file and the name, or why not.
    IntegrationSaved(
        Result<
            (
                Box<crate::integrations::user::Catalog>,
                std::path::PathBuf,
                String,
            ),
            String,
        >,
    ),
    View {
        generation: u64,
        order: Vec<u32>,
    },
    Search {
        generation: u64,
        hits: Vec<(u32, u32)>,
    },
    Saved {
        path: PathBuf,
        result: Result<SavedFile, SaveError>,
    },
    /// Journaled cells of the enrichment columns saved for this sheet.
    Restored(RestoreResult),
    /// How much of the picker's scope the response cache answers.
    CacheEstimate(CacheEstimate),
    /// The calls of a restored cell, read from the journal for the inspector.
    JournalCalls {
        column: u32,
        row: RowId,
        calls: Vec<CallRecord>,
    },
}

/// Rows in scope whose first call the response cache already answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CacheEstimate {
    pub generation: u64,
    /// Rows looked at (the first ones in scope, up to a bound).
    pub scanned: usize,
    /// Of those, rows whose request is known up front (0: the integration can't tell).
    pub checked: usize,
    /// Of those, rows answered from the cache.
    pub cached: usize,
    /// Rows looked at that have no value for a required input: skipped, not paid.
    pub missing: usize,
    /// Every row in scope was checked.
    pub complete: bool,
    /// What the rows looked at that will be paid are expected to use (tokens, dollars), for
    /// integrations billed by usage (AI columns).
    pub usage: Option<crate::providers::Usage>,
}

/// What the background restore found for one column: per row position, its journaled cell.
pub struct RestoredColumn {
    pub column_id: u32,
    pub cells: Vec<(u32, crate::integrations::Fields, Option<Restored>)>,
}

/// What the background restore found: cells per column, and why the journal could not be
/// read, if it could not (then every cell runs).
pub struct RestoreResult {
    pub columns: Vec<RestoredColumn>,
    pub journal_error: Option<String>,
}

/// Starts background work on its own thread.
pub fn spawn_worker(name: &str, f: impl FnOnce() + Send + 'static) {
    // A worker that can't start is reported by its missing result; the UI stays usable.
    let _ = std::thread::Builder::new().name(name.to_string()).spawn(f);
}
