//! `leadgrid run` with integrations reading each other's outputs (`-i find_ceo,hunter_email`
//! with `--map first_name=ceo_name`): a dependent cell waits in the read-ahead window until
//! its sources' cells in the row finish, then runs with the values they wrote, or is skipped
//! when a source ended without an answer ([`crate::plan::chain`] decides which).

use crate::cell::{CellState, SkipReason};
use crate::engine::{JobKey, JobResult};
use crate::integrations::Fields;
use crate::plan::{Chain, Decision, Plan, Readiness, Rules, chain};

/// Where a row's cells stand, for the dependents waiting on them.
#[derive(Debug, Default)]
pub struct RowCells {
    /// Per plan: its cell's state in the row; `None` when it does not run for the row (the
    /// row's value stands).
    pub states: Vec<Option<CellState>>,
    /// Dependent cells not yet started, waiting for their sources.
    pub waiting: Vec<usize>,
}

/// What becomes of a released cell.
#[derive(Debug)]
pub enum Step {
    /// A job for the engine, with these inputs (read from the row once its sources wrote).
    Submit(Fields),
    /// Finished without the engine: skipped, restored from the journal, or cancelled.
    Finished {
        /// The cell's result.
        result: JobResult,
        /// Whether the journal answered it.
        restored: bool,
    },
}

/// The plans of a run and how they feed each other.
pub struct Chained<'a> {
    /// Which plan reads which.
    pub chain: &'a Chain,
    /// The run's plans.
    pub plans: &'a [Plan],
    /// How cells are decided.
    pub rules: &'a Rules,
}

impl Chained<'_> {
    /// Whether plan `c`'s cell, decided `decision` when its row was read, waits for its
    /// sources rather than starting from the row as read.
    pub fn defers(&self, c: usize, decision: &Decision) -> bool {
        !self.chain.sources(c).is_empty()
            && matches!(decision, Decision::Run | Decision::Restore(_))
    }

    /// Releases row `r`'s waiting cells whose sources have settled, in chain order. A cell
    /// finished here has its outputs written into `row` at once, so a cell further down the
    /// chain reads them; after `stop` (Ctrl-C) nothing new is submitted.
    pub fn release(
        &self,
        r: usize,
        row: &mut [String],
        cells: &mut RowCells,
        stop: bool,
    ) -> Vec<(usize, Step)> {
        let mut steps = Vec::new();
        loop {
            let mut released = false;
            for &c in self.chain.order() {
                if !cells.waiting.contains(&c) {
                    continue;
                }
                let Some(plan) = self.plans.get(c) else {
                    continue;
                };
                let key = JobKey {
                    row: r as u64,
                    column: c as u32,
                };
                let readiness = self
                    .chain
                    .readiness(c, |s| cells.states.get(s).cloned().flatten());
                let step = match readiness {
                    Readiness::Wait(_) => continue,
                    Readiness::Skip(s) => {
                        let source = self.plans.get(s).map_or("?", Plan::name);
                        finished(key, chain::skipped_for(source))
                    }
                    Readiness::Ready => {
                        let cell = self.rules.decide(plan, row);
                        match cell.decision {
                            Decision::Unmet => {
                                finished(key, CellState::Skipped(SkipReason::Condition))
                            }
                            Decision::Filled => {
                                finished(key, CellState::Skipped(SkipReason::AlreadyFilled))
                            }
                            Decision::Restore(found) => Step::Finished {
                                result: found.into_result(key),
                                restored: true,
                            },
                            Decision::Run if stop => finished(key, CellState::Cancelled),
                            Decision::Run => Step::Submit(cell.inputs),
                        }
                    }
                };
                cells.waiting.retain(|&w| w != c);
                let state = match &step {
                    Step::Submit(_) => CellState::Queued,
                    Step::Finished { result, .. } => {
                        if result.state == CellState::Done {
                            write_outputs(plan, row, &result.fields);
                        }
                        result.state.clone()
                    }
                };
                if let Some(slot) = cells.states.get_mut(c) {
                    *slot = Some(state);
                }
                steps.push((c, step));
                released = true;
            }
            if !released {
                return steps;
            }
        }
    }
}

/// A cell that ends without the engine or the journal: skipped or cancelled.
fn finished(key: JobKey, state: CellState) -> Step {
    Step::Finished {
        result: JobResult {
            key,
            state,
            fields: Fields::new(),
            error: None,
            calls: Vec::new(),
            notes: Vec::new(),
        },
        restored: false,
    }
}

/// A done cell's values into its row's output columns.
pub fn write_outputs(plan: &Plan, row: &mut [String], fields: &Fields) {
    for &(name, column) in &plan.outputs {
        if let Some(cell) = row.get_mut(column) {
            *cell = fields.get(name).cloned().unwrap_or_default();
        }
    }
}
