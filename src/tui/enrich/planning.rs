//! Enrichment cells planned off the UI thread: each request becomes a [`Stream`] on a
//! worker, reading the rows in scope from a snapshot; its batches are applied here as they
//! arrive (cells recorded, jobs handed to the engine), so confirming an enrichment on a
//! million rows costs the UI thread one batch at a time, never a pass over the sheet.

use super::{CellInfo, Enrichments, OnWrite};
use crate::cell::{CellState, SkipReason};
use crate::engine::{Job, JobKey};
use crate::integrations::{Fields, Integration};
use crate::plan::{Cell, Decision, Planned, RowScope, Rules, Stream};
use crate::providers::budget::Budget;
use crate::resume::Journal;
use crate::store::{RunId, Store};
use crate::table::{RowId, Sheet};
use crate::tui::event::{AppEvent, WorkerResult, spawn_worker};
use crate::tui::message::Message;
use crate::tui::text::count;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, sync_channel};
use tokio_util::sync::CancellationToken;

/// What is asked of a plan besides its rows.
#[derive(Default)]
pub struct Request {
    /// Ask the providers again (refresh): the memo and cache do not answer.
    pub fresh: bool,
    /// Leave rows whose outputs are all filled.
    pub skip_filled: bool,
    /// Restore settled cells from this journal (read on the worker).
    pub journal: Option<(Store, RunId)>,
    /// What to tell the user once the plan is done.
    pub report: Report,
}

/// What the user hears when a plan is done.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// Nothing: whoever asked already said what happens.
    #[default]
    Quiet,
    /// How many rows of this new enrichment were queued.
    Queued(&'static str),
    /// How many cells the journal restored, and how many run.
    Restored,
}

/// A planned cell made ready on the worker (its record and its job built, inputs cloned),
/// so the UI thread only files it.
pub(crate) struct Prepared {
    row: RowId,
    column: u32,
    cell: CellInfo,
    /// The job to submit; `None` for a cell restored from the journal.
    job: Option<Job>,
    /// A restored done cell's values, for the sheet.
    values: Option<Fields>,
}

/// A plan whose batches are still arriving.
pub(crate) struct Planning {
    id: u64,
    /// The worker's batches, one at a time (see [`WorkerResult::Planned`]).
    batches: Receiver<Vec<Prepared>>,
    /// The enrichment of each of the stream's plans.
    columns: Vec<u32>,
    /// Enrichments cancelled since the plan started: their cells arrive skipped, not queued.
    withdrawn: HashSet<u32>,
    cancel: CancellationToken,
    report: Report,
    queued: usize,
    restored: usize,
}

impl Drop for Planning {
    fn drop(&mut self) {
        // Nobody will apply its cells: the worker stops reading rows.
        self.cancel.cancel();
    }
}

impl Enrichments {
    /// Plans the cells of enrichments `cis` over `scope` on a worker, from a snapshot of
    /// `sheet`; the cells arrive as [`WorkerResult::Planned`] batches, then
    /// [`WorkerResult::PlanDone`]. Returns false when nothing was planned (no engine, no
    /// such enrichment).
    pub fn plan(
        &mut self,
        sheet: &Sheet,
        cis: &[usize],
        scope: RowScope,
        request: Request,
        tx: &Sender<AppEvent>,
    ) -> bool {
        if self.engine.is_none() {
            return false;
        }
        let (plans, columns): (Vec<_>, Vec<u32>) = cis
            .iter()
            .filter_map(|&ci| self.columns.get(ci))
            .map(|c| (c.plan(sheet), c.id))
            .unzip();
        // Each plan's jobs count against their enrichment's budget.
        let budgets: Vec<_> = cis
            .iter()
            .filter_map(|&ci| self.columns.get(ci))
            .map(|c| c.budget.clone())
            .collect();
        if plans.is_empty() {
            return false;
        }
        for column in self.columns.iter_mut().filter(|c| columns.contains(&c.id)) {
            column.paused = false;
        }
        self.next_plan += 1;
        let id = self.next_plan;
        let cancel = CancellationToken::new();
        let mut stream = Stream {
            snapshot: sheet.snapshot(),
            plans,
            scope,
            rules: Rules {
                journal: None,
                skip_filled: request.skip_filled,
            },
            cancel: cancel.clone(),
        };
        let (journal, tx, stop) = (request.journal, tx.clone(), cancel.clone());
        let (ids, fresh) = (columns.clone(), request.fresh);
        let (batch_tx, batches) = sync_channel(1);
        spawn_worker("leadgrid-plan", move || {
            let mut problem = None;
            if let Some((store, run)) = journal {
                // Reading the journal is disk work: here, not on the UI thread.
                match Journal::load(&store, &run) {
                    Ok(journal) => stream.rules.journal = Some(Arc::new(journal)),
                    Err(e) => problem = Some(format!("could not read the run journal ({e})")),
                }
            }
            let integrations: Vec<_> = stream.plans.iter().map(|p| p.integration.clone()).collect();
            let send = |cells: Vec<Planned>| {
                let ready = cells
                    .into_iter()
                    .filter_map(|p| prepare(p, &ids, &integrations, &budgets, fresh))
                    .collect();
                // Waits while the UI has not taken the previous batch yet.
                let handed = batch_tx.send(ready).is_ok()
                    && tx
                        .send(AppEvent::Worker(WorkerResult::Planned { plan: id }))
                        .is_ok();
                if !handed {
                    // The plan or the app is gone: nobody wants the rest.
                    stop.cancel();
                }
            };
            if let Err(e) = stream.run(send) {
                problem.get_or_insert_with(|| format!("could not read the file ({e})"));
            }
            let _ = tx.send(AppEvent::Worker(WorkerResult::PlanDone {
                plan: id,
                problem,
            }));
        });
        self.planning.push(Planning {
            id,
            batches,
            columns,
            withdrawn: HashSet::new(),
            cancel,
            report: request.report,
            queued: 0,
            restored: 0,
        });
        true
    }

    /// Applies the batches of planned cells waiting from plan `plan`: restored ones show
    /// their journaled result (a done cell's values go into the sheet), the others are
    /// queued, or skipped when their enrichment was cancelled or paused since the plan
    /// started.
    pub fn apply_planned(&mut self, sheet: &mut Sheet, plan: u64, on_write: OnWrite) {
        let Some(pi) = self.planning.iter().position(|p| p.id == plan) else {
            return;
        };
        while let Ok(cells) = self.planning[pi].batches.try_recv() {
            self.apply_batch(sheet, pi, cells, on_write);
        }
    }

    fn apply_batch(
        &mut self,
        sheet: &mut Sheet,
        pi: usize,
        cells: Vec<Prepared>,
        on_write: OnWrite,
    ) {
        let (mut jobs, mut restored) = (Vec::new(), 0);
        for mut ready in cells {
            // Removed since, or the row was deleted meanwhile.
            let (Some(ci), Some(row)) = (self.position(ready.column), sheet.row_of(ready.row))
            else {
                continue;
            };
            let withdrawn =
                self.columns[ci].paused || self.planning[pi].withdrawn.contains(&ready.column);
            match ready.job.take() {
                // Withdrawn before it reached the engine: cancelled, unless the engine would
                // have skipped it anyway for a missing input.
                Some(job) if withdrawn => {
                    ready.cell.state = match job.integration.missing(&job.inputs) {
                        Some(why) => CellState::Skipped(SkipReason::MissingInput(why)),
                        None => CellState::Cancelled,
                    };
                }
                Some(job) => jobs.push(job),
                None => {
                    restored += 1;
                    if let Some(values) = &ready.values {
                        self.write_outputs(sheet, ci, row, values, on_write);
                    }
                }
            }
            self.columns[ci].put_cell(ready.row, ready.cell);
        }
        let alive = |id: &u32| self.columns.iter().any(|c| c.id == *id);
        let planning = &self.planning[pi];
        if !planning.columns.iter().any(alive) {
            // Every enrichment it plans for was removed: stop reading rows for nothing.
            planning.cancel.cancel();
        }
        let planning = &mut self.planning[pi];
        planning.queued += jobs.len();
        planning.restored += restored;
        // Every cell of the batch is recorded first: a dependent sees its source queued.
        let jobs = self.hold_back(sheet, jobs);
        if let (Some(engine), false) = (&self.engine, jobs.is_empty()) {
            engine.submit(jobs);
        }
    }

    /// A plan sent its last batch; returns what to tell the user.
    pub fn plan_done(&mut self, plan: u64, problem: Option<String>) -> Option<Message> {
        let pi = self.planning.iter().position(|p| p.id == plan)?;
        let p = self.planning.remove(pi);
        match (p.report, problem) {
            (Report::Restored, Some(problem)) => Some(Message::error(format!(
                "{problem}: {} queued again",
                count(p.queued, "cell")
            ))),
            (_, Some(problem)) => Some(Message::error(problem)),
            (Report::Restored, None) => Some(Message::info(format!(
                "restored {} from the journal; {} to run (missing or failed)",
                count(p.restored, "enrichment cell"),
                count(p.queued, "cell")
            ))),
            (Report::Queued(name), None) => {
                Some(Message::info(format!("{name}: {} rows queued", p.queued)))
            }
            (Report::Quiet, None) => None,
        }
    }

    /// Whether any plan is still arriving.
    pub fn is_planning(&self) -> bool {
        !self.planning.is_empty()
    }

    /// Whether enrichment `ci` has cells queued or running, or still being planned.
    pub fn is_column_running(&self, ci: usize) -> bool {
        self.columns.get(ci).is_some_and(|c| {
            c.counts.pending() > 0 || self.planning.iter().any(|p| p.columns.contains(&c.id))
        })
    }

    /// Withdraws enrichment `id` (every one with `None`) from the plans still arriving:
    /// their later cells come in skipped (cancelled) rather than queued.
    pub(crate) fn withdraw(&mut self, id: Option<u32>) {
        for p in &mut self.planning {
            match id {
                Some(id) if p.columns.contains(&id) => {
                    p.withdrawn.insert(id);
                }
                Some(_) => {}
                None => p.withdrawn.extend(p.columns.iter().copied()),
            }
        }
    }
}

/// Builds a planned cell's record and job on the worker; `None` for a cell left alone.
fn prepare(
    planned: Planned,
    columns: &[u32],
    integrations: &[Arc<dyn Integration>],
    budgets: &[Option<Arc<Budget>>],
    fresh: bool,
) -> Option<Prepared> {
    let column = *columns.get(planned.plan)?;
    let Cell { inputs, decision } = planned.cell;
    let (cell, job, values) = match decision {
        Decision::Filled => return None,
        // Never sent: nothing is paid for a row the condition leaves out.
        Decision::Unmet => (
            CellInfo {
                state: CellState::Skipped(SkipReason::Condition),
                ..CellInfo::queued(inputs)
            },
            None,
            None,
        ),
        Decision::Restore(found) => {
            let values = (found.state == CellState::Done).then_some(found.fields);
            let cell = CellInfo {
                state: found.state,
                error: found.error,
                calls_in_journal: true,
                ..CellInfo::queued(inputs)
            };
            (cell, None, values)
        }
        Decision::Run => {
            let job = Job {
                key: JobKey {
                    row: planned.row.as_u64(),
                    column,
                },
                integration: integrations.get(planned.plan)?.clone(),
                inputs: inputs.clone(),
                fresh,
                budget: budgets.get(planned.plan).cloned().flatten(),
            };
            (CellInfo::queued(inputs), Some(job), None)
        }
    };
    Some(Prepared {
        row: planned.row,
        column,
        cell,
        job,
        values,
    })
}
