//! Counting, in the background, what a new enrichment's scope will cost (see
//! [`crate::plan::estimate`]): rows skipped for a missing input, rows left alone because
//! their outputs are filled, and rows whose first call the response cache already answers.

use crate::plan::{Plan, RowScope, Rules, estimate};
use crate::store::Store;
use crate::table::SheetSnapshot;
use crate::tui::event::{AppEvent, WorkerResult, spawn_worker};
use std::sync::mpsc::Sender;

/// Rows looked at most; beyond that the count is scaled to the whole scope.
const MAX_CHECKED: usize = 20_000;

/// What to count: a scope's rows of a sheet, for one plan.
pub struct Estimate {
    pub snapshot: SheetSnapshot,
    pub plan: Plan,
    pub scope: RowScope,
    pub rules: Rules,
    pub store: Option<Store>,
    pub generation: u64,
}

impl Estimate {
    /// Counts on a worker; the result arrives as [`WorkerResult::Estimate`] (a file that
    /// cannot be read counts as nothing known).
    pub fn spawn(self, tx: Sender<AppEvent>) {
        spawn_worker("leadgrid-estimate", move || {
            let estimate = estimate::estimate(
                &self.snapshot,
                &self.plan,
                &self.scope,
                &self.rules,
                self.store.as_ref(),
                MAX_CHECKED,
            )
            .unwrap_or_default();
            let generation = self.generation;
            let _ = tx.send(AppEvent::Worker(WorkerResult::Estimate {
                generation,
                estimate,
            }));
        });
    }
}
