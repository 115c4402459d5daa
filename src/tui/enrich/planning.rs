//! Enrichment cells planned off the UI thread: each request becomes a [`Stream`] on a
//! worker, reading the rows in scope from a snapshot; its batches are applied here as they
//! arrive (cells recorded, jobs handed to the engine), so confirming an enrichment on a
//! million rows costs the UI thread one batch at a time, never a pass over the sheet.

use super::{CellInfo, Enrichments, OnWrite};
use crate::cell::{CellState, SkipReason};
use crate::engine::{Job, JobKey};
use crate::plan::{Cell, Decision, Planned, RowScope, Rules, Stream};
use crate::resume::Journal;
use crate::store::{RunId, Store};
use crate::table::Sheet;
use crate::tui::event::{AppEvent, WorkerResult, spawn_worker};
use crate::tui::message::Message;
use crate::tui::text::count;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::mpsc::Sender;
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

/// A plan whose batches are still arriving.
pub(crate) struct Planning {
    id: u64,
    /// The enrichment of each of the stream's plans.
    columns: Vec<u32>,
    fresh: bool,
    /// Enrichments cancelled since the plan started: their cells arrive skipped, not queued.
    withdrawn: HashSet<u32>,
    cancel: CancellationToken,
    report: Report,
    queued: usize,
    restored: usize,
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
        spawn_worker("leadgrid-plan", move || {
            let mut problem = None;
            if let Some((store, run)) = journal {
                // Reading the journal is disk work: here, not on the UI thread.
                match Journal::load(&store, &run) {
                    Ok(journal) => stream.rules.journal = Some(Arc::new(journal)),
                    Err(e) => problem = Some(format!("could not read the run journal ({e})")),
                }
            }
            let send = |cells| {
                let batch = WorkerResult::Planned { plan: id, cells };
                if tx.send(AppEvent::Worker(batch)).is_err() {
                    // The app is gone: nobody wants the rest.
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
            columns,
            fresh: request.fresh,
            withdrawn: HashSet::new(),
            cancel,
            report: request.report,
            queued: 0,
            restored: 0,
        });
        true
    }

    /// Applies a batch of planned cells: restored ones show their journaled result (a done
    /// cell's values go into the sheet), the others are queued, or skipped when their
    /// enrichment was cancelled or paused since the plan started.
    pub fn apply_planned(
        &mut self,
        sheet: &mut Sheet,
        plan: u64,
        cells: Vec<Planned>,
        on_write: OnWrite,
    ) {
        let Some(pi) = self.planning.iter().position(|p| p.id == plan) else {
            return;
        };
        let (mut jobs, mut restored) = (Vec::new(), 0);
        for planned in cells {
            let planning = &self.planning[pi];
            let Some(&id) = planning.columns.get(planned.plan) else {
                continue;
            };
            let withdrawn = planning.withdrawn.contains(&id);
            let fresh = planning.fresh;
            // Removed since, or the row was deleted meanwhile.
            let (Some(ci), Some(row)) = (self.position(id), sheet.row_of(planned.row)) else {
                continue;
            };
            let Cell { inputs, decision } = planned.cell;
            let info = match decision {
                Decision::Filled => continue,
                Decision::Restore(found) => {
                    if found.state == CellState::Done {
                        self.write_outputs(sheet, ci, row, &found.fields, on_write);
                    }
                    restored += 1;
                    CellInfo {
                        state: found.state,
                        error: found.error,
                        calls_in_journal: true,
                        ..CellInfo::queued(inputs)
                    }
                }
                Decision::Run if withdrawn || self.columns[ci].paused => CellInfo {
                    state: CellState::Skipped(SkipReason::Cancelled),
                    ..CellInfo::queued(inputs)
                },
                Decision::Run => {
                    let key = JobKey {
                        row: planned.row.as_u64(),
                        column: id,
                    };
                    let integration = self.columns[ci].integration.clone();
                    jobs.push(Job {
                        key,
                        integration,
                        inputs: inputs.clone(),
                        fresh,
                    });
                    CellInfo::queued(inputs)
                }
            };
            self.columns[ci].put_cell(planned.row, info);
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
