//! The grid's enrichments: which integration fills which columns from which inputs, and
//! what is known about every cell. No keys and no drawing here: components read it, and the
//! app changes it through the operations in `planning` (cells planned on a worker and
//! submitted), `jobs` (engine work and results), `cells` (what a cell shows) and `edits`
//! (adding and removing, tied to undo).

mod cells;
mod chain;
mod column;
mod edits;
mod jobs;
mod planning;
mod rate;
mod structure;

pub use column::{
    CellInfo, Counts, EnrichColumn, InputSource, NewEnrichment, Output, SPINNER, STALE, Spend,
};
pub use planning::{Report, Request};
pub use rate::RateWindow;

use crate::engine::Engine;
use crate::providers::keys::MissingKeys;
use crate::table::{ColumnId, Sheet};
use std::sync::Arc;
use std::time::Instant;
pub(crate) use structure::StructureHistory;

/// Hears each value an enrichment writes into the sheet (its column, the value), e.g. to
/// widen the column so it shows whole.
pub type OnWrite<'a> = &'a mut dyn FnMut(ColumnId, &str);

/// The connection to the engine, and all enrichment columns.
pub struct Enrichments {
    pub engine: Option<Arc<Engine>>,
    /// The engine's caller, for calls made, shared and cached.
    pub caller: Option<Arc<crate::engine::caller::Caller>>,
    pub columns: Vec<EnrichColumn>,
    next_id: u32,
    /// Spinner frame, advanced by ticks while anything runs.
    pub spinner: usize,
    /// How fast cells finished lately, for the ETA.
    pub rate: RateWindow,
    /// Enrichments added and removed, for undo and redo.
    history: StructureHistory<EnrichColumn>,
    /// The set of enrichments changed since the app last saved their definitions.
    definitions_changed: bool,
    /// Providers without an API key: the picker marks their integrations.
    pub missing_keys: MissingKeys,
    /// Running against the built-in demo server: nothing is charged.
    pub demo: bool,
    /// The latest health notice of each provider that had one (for the runs panel).
    pub provider_health: std::collections::BTreeMap<
        crate::providers::ProviderId,
        crate::engine::breaker::ProviderNotice,
    >,
    /// Plans whose cells are still arriving from their workers.
    planning: Vec<planning::Planning>,
    /// The engine's events, in batches, one waiting at a time.
    pub events: Option<std::sync::mpsc::Receiver<Vec<crate::engine::Event>>>,
    next_plan: u64,
    /// Cells waiting for their source cell in the same row, by row (see `chain`).
    waiting: std::collections::HashMap<crate::table::RowId, Vec<chain::Waiting>>,
}

impl Default for Enrichments {
    fn default() -> Self {
        Enrichments {
            engine: None,
            caller: None,
            missing_keys: MissingKeys::none(),
            demo: false,
            provider_health: std::collections::BTreeMap::new(),
            columns: Vec::new(),
            next_id: 0,
            spinner: 0,
            rate: RateWindow::default(),
            history: StructureHistory::default(),
            definitions_changed: false,
            planning: Vec::new(),
            next_plan: 0,
            events: None,
            waiting: std::collections::HashMap::new(),
        }
    }
}

impl Enrichments {
    /// Enrichments backed by `engine`.
    pub fn new(engine: Arc<Engine>) -> Enrichments {
        Enrichments {
            engine: Some(engine),
            ..Enrichments::default()
        }
    }

    /// Counts over every column.
    pub fn totals(&self) -> Counts {
        let mut total = Counts::default();
        for c in &self.columns {
            total.merge(&c.counts);
        }
        total
    }

    /// Whether any job is queued or running, or cells are still being planned.
    pub fn is_running(&self) -> bool {
        self.is_planning() || self.columns.iter().any(|c| c.counts.pending() > 0)
    }

    /// A fresh column id.
    pub fn allocate_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id - 1
    }

    pub(crate) fn column_mut(&mut self, id: u32) -> Option<&mut EnrichColumn> {
        self.columns.iter_mut().find(|c| c.id == id)
    }

    /// The enrichment with this id.
    pub fn column(&self, id: u32) -> Option<&EnrichColumn> {
        self.columns.iter().find(|c| c.id == id)
    }

    /// Where the enrichment with this id is in [`Enrichments::columns`].
    pub fn position(&self, id: u32) -> Option<usize> {
        self.columns.iter().position(|c| c.id == id)
    }

    /// The enrichment and output index sheet column `col` shows, if it is an output.
    pub fn at_column(&self, sheet: &Sheet, col: usize) -> Option<(usize, usize)> {
        let id = sheet.columns().get(col)?.id;
        self.columns.iter().enumerate().find_map(|(ci, c)| {
            c.outputs
                .iter()
                .position(|o| o.column == id)
                .map(|oi| (ci, oi))
        })
    }

    /// The enrichment shown at sheet column `col`, and its cell in sheet row `row`.
    pub fn cell_at(
        &self,
        sheet: &Sheet,
        row: usize,
        col: usize,
    ) -> Option<(&EnrichColumn, Option<&CellInfo>)> {
        let (ci, _) = self.at_column(sheet, col)?;
        let column = self.columns.get(ci)?;
        let id = sheet.row_id(row)?;
        Some((column, column.cells.get(&id)))
    }

    /// Whether the set of enrichments, or the names their columns are saved under, changed
    /// since the last call (so their definitions are saved again).
    pub fn take_definitions_changed(&mut self) -> bool {
        std::mem::take(&mut self.definitions_changed)
    }

    /// Columns were renamed or the file was saved: the names the definitions give columns
    /// may have changed.
    pub fn column_names_changed(&mut self) {
        self.definitions_changed |= !self.columns.is_empty();
    }

    /// Advances the spinner and the rate estimate; called on every tick, `now`.
    pub fn tick(&mut self, now: Instant) {
        self.spinner = self.spinner.wrapping_add(1);
        for column in &mut self.columns {
            if column.counts.pending() > 0 {
                column.rate.sample(now, column.counts.finished());
            } else {
                column.rate.reset();
            }
        }
        if self.is_running() {
            self.rate.sample(now, self.totals().finished());
        } else {
            self.rate.reset();
        }
    }

    /// Calls made and reused, and their price, over every enrichment (the status bar and
    /// the runs panel show these same figures).
    pub fn spend(&self) -> Spend {
        let mut total = Spend::default();
        for column in &self.columns {
            total.add(&column.spend());
        }
        total
    }
}
