//! Enrichments reading other enrichments' outputs in the grid: a dependent cell waits,
//! queued and marked "waiting on <source>", until its source cell in the row finishes, then
//! runs with the value the source wrote, or is skipped when the source ended without one
//! ([`crate::plan::chain`] decides, as it does for `leadgrid run`).

use super::Enrichments;
use crate::cell::CellState;
use crate::engine::{Job, JobKey};
use crate::plan::{Chain, Readiness, chain};
use crate::table::{RowId, Sheet};

/// A dependent cell not yet handed to the engine.
#[derive(Debug, Clone)]
pub(crate) struct Waiting {
    /// Its enrichment.
    column: u32,
    /// Asked for fresh answers (refresh).
    fresh: bool,
    /// The enrichment it waits on, for the grid.
    pub(crate) on: &'static str,
}

impl Enrichments {
    /// Which enrichment reads which (by [`Enrichments::columns`] position); `None` when they
    /// feed each other in a loop (the picker refuses those).
    fn chain(&self, sheet: &Sheet) -> Option<Chain> {
        let plans: Vec<_> = self.columns.iter().map(|c| c.plan(sheet)).collect();
        Chain::of(&plans).ok()
    }

    /// Of planned jobs, the ones to submit now: a job whose source cell in its row is still
    /// queued or running waits (see [`Enrichments::release`]); one whose source ended
    /// without an answer is skipped; the others read their inputs from the row as it is now.
    pub(crate) fn hold_back(&mut self, sheet: &Sheet, jobs: Vec<Job>) -> Vec<Job> {
        let Some(chain) = self.chain(sheet).filter(Chain::is_chained) else {
            return jobs;
        };
        let mut ready = Vec::with_capacity(jobs.len());
        for job in jobs {
            let independent = self
                .position(job.key.column)
                .is_none_or(|ci| chain.sources(ci).is_empty());
            if independent {
                ready.push(job);
                continue;
            }
            let row = RowId::from_u64(job.key.row);
            ready.extend(self.start(sheet, &chain, row, job.key.column, job.fresh));
        }
        ready
    }

    /// Cells of `row` waiting on a cell that just finished: those whose sources are all
    /// done are submitted, those whose source has no answer skipped (and so on down the
    /// chain).
    pub(crate) fn release(&mut self, sheet: &Sheet, row: RowId) {
        if !self.waiting.contains_key(&row) {
            return;
        }
        let Some(chain) = self.chain(sheet) else {
            return;
        };
        loop {
            let waiting = self.waiting.remove(&row).unwrap_or_default();
            let before = waiting.len();
            let mut jobs = Vec::new();
            for w in waiting {
                if let Some(job) = self.start(sheet, &chain, row, w.column, w.fresh) {
                    jobs.push(job);
                }
            }
            if let (Some(engine), false) = (&self.engine, jobs.is_empty()) {
                engine.submit(jobs);
            }
            let after = self.waiting.get(&row).map_or(0, Vec::len);
            if after == 0 || after == before {
                return;
            }
        }
    }

    /// Starts, holds back or skips the cell of enrichment `column` in `row`; returns its job
    /// when it can run now.
    fn start(
        &mut self,
        sheet: &Sheet,
        chain: &Chain,
        row: RowId,
        column: u32,
        fresh: bool,
    ) -> Option<Job> {
        let ci = self.position(column)?;
        let state_of = |s: usize| {
            let source = self.columns.get(s)?;
            source.cells.get(&row).map(|c| c.state.clone())
        };
        match chain.readiness(ci, state_of) {
            Readiness::Wait(s) => {
                let on = self.columns.get(s)?.integration.spec().name;
                self.waiting
                    .entry(row)
                    .or_default()
                    .push(Waiting { column, fresh, on });
                None
            }
            Readiness::Skip(s) => {
                let source = self.columns.get(s)?.integration.spec().name;
                self.columns
                    .get_mut(ci)?
                    .set_state(row, chain::skipped_for(source));
                None
            }
            Readiness::Ready => {
                let plan = self.columns.get(ci)?.plan(sheet);
                let inputs = plan.inputs(&sheet.row_cells(sheet.row_of(row)?));
                if let Some(cell) = self.columns.get_mut(ci)?.cells.get_mut(&row) {
                    cell.inputs.clone_from(&inputs);
                }
                Some(plan.job(
                    JobKey {
                        row: row.as_u64(),
                        column,
                    },
                    inputs,
                    fresh,
                ))
            }
        }
    }

    /// The enrichment the cell of `column` in `row` waits on, if it waits.
    pub fn waiting_on(&self, row: RowId, column: u32) -> Option<&'static str> {
        let waiting = self.waiting.get(&row)?;
        waiting.iter().find(|w| w.column == column).map(|w| w.on)
    }

    /// Withdraws the waiting cells of enrichment `id` (every one with `None`): cancelled,
    /// like the queued jobs withdrawn with them.
    pub(crate) fn cancel_waiting(&mut self, id: Option<u32>) {
        let mut cancelled = Vec::new();
        self.waiting.retain(|row, cells| {
            cells.retain(|w| {
                let drop = id.is_none_or(|id| id == w.column);
                if drop {
                    cancelled.push((*row, w.column));
                }
                !drop
            });
            !cells.is_empty()
        });
        for (row, column) in cancelled {
            if let Some(c) = self.column_mut(column) {
                c.set_state(row, CellState::Cancelled);
            }
        }
    }
}
