//! What a run tells whoever follows it cell by cell: `leadgrid run --events ndjson` writes
//! one JSON object a line, and agents (`leadgrid mcp`) turn them into progress.

use serde::Serialize;
use tokio_util::sync::CancellationToken;

/// One state change of a cell, or a notice about the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    /// The plan is made: how many cells will be sent to the engine, and how many the
    /// journal of an earlier run answers.
    Planned {
        /// Cells to run.
        cells: usize,
        /// Cells restored.
        restored: usize,
    },
    /// A cell's call started.
    Started {
        /// 1-based data row of the input.
        row: usize,
        /// The integration.
        integration: String,
    },
    /// A retryable failure; attempt `attempt` of `max` comes next.
    Retrying {
        /// 1-based data row.
        row: usize,
        /// The integration.
        integration: String,
        /// The attempt about to be made.
        attempt: u32,
        /// Attempts allowed.
        max: u32,
        /// Why the last attempt failed.
        reason: String,
    },
    /// A cell finished: `done`, `no data`, `failed`, `skipped`, `cancelled`.
    Finished {
        /// 1-based data row.
        row: usize,
        /// The integration.
        integration: String,
        /// Its final state.
        state: String,
        /// Why it did not succeed, when it did not.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// Taken from the journal of an earlier run (nothing paid).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        restored: bool,
    },
    /// Something the user should know (a provider paused, a column stopped, a warning).
    Notice {
        /// One line.
        message: String,
    },
}

/// How a run is followed and stopped from outside.
#[derive(Default)]
pub struct RunHooks<'a> {
    /// Called with every event, in order.
    pub events: Option<&'a mut dyn FnMut(&RunEvent)>,
    /// Cancelling it stops the run as Ctrl-C does (the partial result is written).
    pub cancel: Option<CancellationToken>,
    /// Print nothing on stderr (the events tell everything).
    pub quiet: bool,
}

impl RunHooks<'_> {
    /// Passes `event` on, if anyone listens.
    pub fn emit(&mut self, event: RunEvent) {
        if let Some(listen) = self.events.as_mut() {
            listen(&event);
        }
    }

    /// Whether anyone listens (events are only built then).
    pub fn listening(&self) -> bool {
        self.events.is_some()
    }
}
