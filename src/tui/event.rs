//! Everything the UI loop wakes up for, and how background work reports back.
//!
//! Workers never touch UI state: each gets a snapshot and this module's channel, and its
//! result arrives as a [`WorkerResult`] that `App::update` hands to whoever asked.

use crate::plan::Estimate;
use crate::providers::CallRecord;
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
    /// The enrichment engine reported progress: a batch of its events is waiting (see
    /// [`crate::tui::attach_engine`]).
    Engine,
}

/// Results of background work, tagged so stale ones can be dropped.
pub enum WorkerResult {
    /// A frequency table or duplicate groups, for the panel that asked.
    Counted(crate::tui::census::Counted),
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
    /// The project file beside the sheet was trusted: the catalog with its integrations.
    ProjectTrusted(Box<crate::integrations::user::Catalog>),
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
    /// The enrichment definitions saved with the store for this sheet (`None`: none).
    Definitions(Result<Option<serde_json::Value>, String>),
    /// A plan has a batch of decided cells waiting. The batch itself waits in the plan's
    /// one-slot channel, not here: a planner is never more than one batch ahead of the UI,
    /// so a million planned cells never queue up in front of the user's keys.
    Planned {
        plan: u64,
    },
    /// A plan sent its last batch, and what went wrong (the journal or the file could not
    /// be read).
    PlanDone {
        plan: u64,
        problem: Option<String>,
    },
    /// What the user should know about how the file was read (an unbalanced quote, ragged
    /// rows), once it is indexed.
    ReadNotices(Vec<String>),
    /// What the picker's scope will cost.
    Estimate {
        generation: u64,
        estimate: Estimate,
    },
    /// The calls of a restored cell, read from the journal for the inspector.
    JournalCalls {
        column: u32,
        row: RowId,
        calls: Vec<CallRecord>,
    },
    /// A formula's computation `job` finished: the values that changed, or why it could not
    /// read the sheet.
    Formula(crate::tui::formula::compute::Finished),
    /// Background work failed in a way the user should hear about.
    Problem(String),
}

/// Starts background work on its own thread.
pub fn spawn_worker(name: &str, f: impl FnOnce() + Send + 'static) {
    // A worker that can't start is reported by its missing result; the UI stays usable.
    let _ = std::thread::Builder::new().name(name.to_string()).spawn(f);
}
