//! One enrichment column and its cells: which integration fills which outputs from which
//! inputs, and what is known about every cell.

use super::RateWindow;
use crate::cell::CellState;
use crate::integrations::{EnrichError, Fields, Integration};
use crate::plan::{Mapping, Plan, Source};
use crate::providers::budget::Budget;
use crate::providers::{CallRecord, ProviderId, Usage};
use crate::table::{ColumnId, RowId, Sheet};
use crate::tui::bound::Bound;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where an input's value comes from: a column, by identity so renaming, moving or
/// inserting columns does not break it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    Column(ColumnId),
    Constant(String),
    Unmapped,
}

/// What is known about one enrichment cell (one row of one enrichment column).
#[derive(Debug, Clone)]
pub struct CellInfo {
    pub state: CellState,
    pub error: Option<EnrichError>,
    pub calls: Vec<CallRecord>,
    pub notes: Vec<String>,
    /// The input values the job was given.
    pub inputs: Fields,
    /// Restored from the journal without its calls (they are most of a journal's size):
    /// the inspector reads them when it is opened.
    pub calls_in_journal: bool,
    /// When it finished (for the inspector).
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl CellInfo {
    pub(crate) fn queued(inputs: Fields) -> CellInfo {
        CellInfo {
            state: CellState::Queued,
            error: None,
            calls: Vec::new(),
            notes: Vec::new(),
            inputs,
            calls_in_journal: false,
            finished_at: None,
        }
    }
}

/// Per-column counters for the status bar and the runs panel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub queued: usize,
    pub running: usize,
    pub done: usize,
    pub no_data: usize,
    pub failed: usize,
    pub skipped: usize,
    pub cancelled: usize,
    /// Stopped by the column's budget.
    pub budget: usize,
}

impl Counts {
    /// Moves `delta` cells into (or out of) `state`'s count.
    pub fn add(&mut self, state: &CellState, delta: isize) {
        let slot = match state {
            CellState::Empty => return,
            CellState::Queued => &mut self.queued,
            CellState::Running | CellState::Retrying { .. } => &mut self.running,
            CellState::Done => &mut self.done,
            CellState::NoData => &mut self.no_data,
            CellState::Failed => &mut self.failed,
            CellState::Skipped(_) => &mut self.skipped,
            CellState::Cancelled => &mut self.cancelled,
            CellState::Budget => &mut self.budget,
        };
        *slot = slot.saturating_add_signed(delta);
    }

    /// Jobs not yet finished.
    pub fn pending(&self) -> usize {
        self.queued + self.running
    }

    /// Jobs finished.
    pub fn finished(&self) -> usize {
        self.done + self.no_data + self.failed + self.skipped + self.cancelled + self.budget
    }

    /// Cells a re-run may still fill: failed, cancelled or stopped by the budget.
    pub fn unfinished(&self) -> usize {
        self.failed + self.cancelled + self.budget
    }

    /// Adds another column's counts.
    pub fn merge(&mut self, other: &Counts) {
        self.queued += other.queued;
        self.running += other.running;
        self.done += other.done;
        self.no_data += other.no_data;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.cancelled += other.cancelled;
        self.budget += other.budget;
    }
}

/// Calls made and answers reused, priced at the integration's cost per call.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spend {
    /// HTTP attempts made (each one paid).
    pub calls: u64,
    /// Answers taken from the cache or shared with another cell's call (not paid).
    pub reused: u64,
    /// What the calls made cost, in US dollars (estimated).
    pub cost_usd: f64,
    /// What the reused answers would have cost.
    pub saved_usd: f64,
}

impl Spend {
    /// Adds another enrichment's figures.
    pub fn add(&mut self, other: &Spend) {
        self.calls += other.calls;
        self.reused += other.reused;
        self.cost_usd += other.cost_usd;
        self.saved_usd += other.saved_usd;
    }
}

/// One output of an enrichment and the sheet column it fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    /// The integration's name for it.
    pub name: &'static str,
    pub column: ColumnId,
}

/// One enrichment: an integration, its input mapping, the outputs shown as columns, and its cells.
pub struct EnrichColumn {
    pub id: u32,
    pub integration: Arc<dyn Integration>,
    /// One per integration input, in spec order.
    pub sources: Vec<InputSource>,
    /// The outputs shown as sheet columns.
    pub outputs: Vec<Output>,
    /// By row; ordered, so cells planned in table order are appended, not scattered over
    /// a table that would touch a fresh page of memory with almost every insert.
    pub cells: BTreeMap<RowId, CellInfo>,
    pub counts: Counts,
    /// Paused by the user: its queued jobs were withdrawn and come back on resume.
    pub paused: bool,
    /// HTTP attempts its jobs made, answers from cache or shared calls, and total latency.
    pub attempts: u64,
    pub reused: u64,
    pub latency_ms: u64,
    /// How fast its cells finished lately, for its ETA.
    pub rate: RateWindow,
    /// What its paid calls used and cost (tokens, dollars where priced), this session.
    pub spent: Usage,
    /// What its paid calls used and cost, by provider (a waterfall calls several).
    pub spent_by_provider: BTreeMap<ProviderId, Usage>,
    /// The most dollars its calls may spend (the picker's budget, or one set in the runs
    /// panel); its jobs carry it, so the caller enforces it as `--max-cost` does headless.
    pub budget: Option<Arc<Budget>>,
    /// Set when an authentication failure stopped it.
    pub stopped: Option<String>,
    /// Only rows where this holds run ("only run if").
    pub condition: Option<Bound>,
}

impl EnrichColumn {
    /// Its calls and reused answers: what the calls reported costing (tokens, priced calls),
    /// else priced at the integration's cost per call (its cost per row spread over the tools
    /// a row calls).
    pub fn spend(&self) -> Spend {
        let spec = self.integration.spec();
        let per_call = spec.cost_per_row_usd / spec.tools.len().max(1) as f64;
        Spend {
            calls: self.attempts,
            reused: self.reused,
            cost_usd: self.spent.usd.unwrap_or(self.attempts as f64 * per_call),
            saved_usd: self.reused as f64 * per_call,
        }
    }

    /// A new column with no cells yet.
    pub fn new(
        id: u32,
        integration: Arc<dyn Integration>,
        sources: Vec<InputSource>,
        outputs: Vec<Output>,
        budget_usd: Option<f64>,
    ) -> EnrichColumn {
        EnrichColumn {
            id,
            integration,
            sources,
            outputs,
            cells: BTreeMap::new(),
            counts: Counts::default(),
            paused: false,
            attempts: 0,
            reused: 0,
            latency_ms: 0,
            rate: RateWindow::default(),
            spent: Usage::default(),
            spent_by_provider: BTreeMap::new(),
            budget: budget_usd.map(|usd| Arc::new(Budget::new(usd))),
            stopped: None,
            condition: None,
        }
    }

    /// Sets its budget to `usd`, or raises (lowers) the one it has: jobs already queued
    /// hold the same budget, so the new limit applies to them at once.
    pub fn set_budget(&mut self, usd: f64) {
        match &self.budget {
            Some(budget) => budget.set_limit(usd),
            None => self.budget = Some(Arc::new(Budget::new(usd))),
        }
    }

    /// Its budget's limit, if it has one.
    pub fn budget_usd(&self) -> Option<f64> {
        self.budget.as_ref().map(|b| b.state().limit_usd)
    }

    /// Records a cell, replacing what the row had.
    pub(crate) fn put_cell(&mut self, row: RowId, cell: CellInfo) {
        self.counts.add(&cell.state, 1);
        if let Some(old) = self.cells.insert(row, cell) {
            self.counts.add(&old.state, -1);
        }
    }

    pub(crate) fn set_state(&mut self, row: RowId, state: CellState) -> Option<&mut CellInfo> {
        let cell = self.cells.get_mut(&row)?;
        self.counts.add(&cell.state, -1);
        self.counts.add(&state, 1);
        cell.state = state;
        Some(cell)
    }

    /// The name of its `_error` column, as `leadgrid run` writes it.
    pub fn error_column(&self) -> String {
        crate::plan::errors::column_name(self.integration.spec().name)
    }

    /// Its plan on `sheet`: inputs and outputs bound to where their columns are now (a
    /// deleted input column is unmapped, a deleted output column not filled).
    pub fn plan(&self, sheet: &Sheet) -> Plan {
        let inputs = self
            .integration
            .spec()
            .inputs
            .iter()
            .zip(&self.sources)
            .map(|(input, source)| {
                let source = match source {
                    InputSource::Column(id) => sheet.column_index(*id).map(Source::Column),
                    InputSource::Constant(v) => Some(Source::Constant(v.clone())),
                    InputSource::Unmapped => None,
                };
                (input.name, source)
            })
            .collect();
        Plan {
            condition: self.condition.as_ref().map(|c| c.filter(sheet)),
            integration: self.integration.clone(),
            mapping: Mapping { inputs },
            outputs: self
                .outputs
                .iter()
                .filter_map(|o| Some((o.name, sheet.column_index(o.column)?)))
                .collect(),
        }
    }
}

/// Marks a finished cell whose inputs have been edited since it ran.
pub const STALE: &str = "≠";

/// Spinner frames for running cells.
pub const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

/// An enrichment the user chose in the picker, before it has an id and cells.
pub struct NewEnrichment {
    pub integration: Arc<dyn Integration>,
    pub sources: Vec<InputSource>,
    /// Each chosen output and the name of the column it fills: a column of that name is
    /// reused (filled in place), else one is added.
    pub outputs: Vec<(&'static str, String)>,
    /// Only rows where this holds run ("only run if").
    pub condition: Option<Bound>,
    /// The most dollars its calls may spend, if the user set a budget.
    pub budget_usd: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_move_between_states() {
        let mut c = Counts::default();
        c.add(&CellState::Queued, 1);
        c.add(&CellState::Queued, 1);
        c.add(&CellState::Queued, -1);
        c.add(&CellState::Done, 1);
        assert_eq!(c.queued, 1);
        assert_eq!(c.done, 1);
        assert_eq!(c.pending(), 1);
        assert_eq!(c.finished(), 1);
    }
}
