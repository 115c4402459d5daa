//! Everything the UI loop wakes up for.

use crate::table::{SaveError, SavedFile};
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
    Restored(super::persist::RestoreResult),
    /// How much of the picker's scope the response cache answers.
    CacheEstimate(super::picker::CacheEstimate),
    /// The calls of a restored cell, read from the journal for the inspector.
    JournalCalls {
        column: u32,
        row: crate::table::RowId,
        calls: Vec<crate::providers::CallRecord>,
    },
}
