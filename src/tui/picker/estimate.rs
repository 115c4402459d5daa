//! Counting, in the background, what a new enrichment's scope will cost: rows skipped for
//! a missing input, and rows whose first call the response cache already answers.

use crate::integrations::Integration;
use crate::store::{CacheKey, Store};
use crate::table::SheetSnapshot;
use crate::tui::enrich::{Resolved, inputs_from};
use crate::tui::event::{AppEvent, CacheEstimate, WorkerResult, spawn_worker};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::mpsc::Sender;

/// Rows checked at most; beyond that the count is extrapolated.
const MAX_CHECKED: usize = 20_000;

/// What to count: a scope's rows of a sheet, for one integration and input mapping.
pub struct Estimate {
    pub snapshot: SheetSnapshot,
    /// Row positions in scope, sorted; `None`: every row.
    pub rows: Option<Vec<u32>>,
    pub integration: Arc<dyn Integration>,
    pub resolved: Vec<Resolved>,
    pub store: Option<Store>,
    pub generation: u64,
}

impl Estimate {
    /// Counts on a worker; the result arrives as [`WorkerResult::CacheEstimate`].
    pub fn spawn(self, tx: Sender<AppEvent>) {
        spawn_worker("leadgrid-estimate", move || {
            let estimate = self.count();
            let _ = tx.send(AppEvent::Worker(WorkerResult::CacheEstimate(estimate)));
        });
    }

    fn count(&self) -> CacheEstimate {
        let spec = self.integration.spec();
        let tool = spec.tools.first().copied();
        let (mut scanned, mut checked, mut cached, mut missing) = (0, 0, 0, 0);
        let mut usage: Option<crate::providers::Usage> = None;
        let mut complete = true;
        let _ = self.snapshot.for_each_row(|pos, cells| {
            if let Some(rows) = &self.rows
                && rows.binary_search(&(pos as u32)).is_err()
            {
                return ControlFlow::Continue(());
            }
            if scanned == MAX_CHECKED {
                complete = false;
                return ControlFlow::Break(());
            }
            scanned += 1;
            let inputs = inputs_from(&self.resolved, cells);
            let lacks_input = spec.inputs.iter().any(|input| {
                input.required && inputs.get(input.name).is_none_or(|v| v.trim().is_empty())
            });
            if lacks_input {
                missing += 1;
                return ControlFlow::Continue(());
            }
            let mut answered = false;
            if let (Some(store), Some(tool), Some(params)) =
                (&self.store, tool, self.integration.first_request(&inputs))
            {
                checked += 1;
                answered = store.cache_has(&CacheKey::new(spec.provider, tool, &params));
                cached += usize::from(answered);
            }
            if !answered && let Some(row) = self.integration.estimate(&inputs) {
                usage.get_or_insert_with(Default::default).add(&row);
            }
            ControlFlow::Continue(())
        });
        CacheEstimate {
            generation: self.generation,
            scanned,
            checked,
            cached,
            missing,
            complete,
            usage,
        }
    }
}
