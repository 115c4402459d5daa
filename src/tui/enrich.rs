//! Enrichment columns in the grid: adding them through the picker, streaming
//! engine results into cells, inspecting, re-running, pausing and cancelling.

use super::action::{Action, key_label};
use super::app::{App, ConfirmKind, Mode};
use super::layout::count;
use super::picker::{Picker, Scope, Source, Step};
use crate::cell::{CellState, SkipReason};
use crate::engine::{Engine, Event as EngineEvent, Job, JobKey, JobResult};
use crate::integrations::{EnrichError, Fields, Integration};
use crate::providers::{CallRecord, ErrorKind};
use crate::table::RowId;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;
use tui_input::backend::crossterm::to_input_request;

/// Where an input's value comes from, by column *name* so inserting columns does not break it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    Column(String),
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
    fn queued(inputs: Fields) -> CellInfo {
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
        };
        *slot = slot.saturating_add_signed(delta);
    }

    /// Jobs not yet finished.
    pub fn pending(&self) -> usize {
        self.queued + self.running
    }

    /// Jobs finished.
    pub fn finished(&self) -> usize {
        self.done + self.no_data + self.failed + self.skipped
    }

    /// Adds another column's counts.
    pub fn merge(&mut self, other: &Counts) {
        self.queued += other.queued;
        self.running += other.running;
        self.done += other.done;
        self.no_data += other.no_data;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

/// One enrichment: an integration, its input mapping, the outputs shown as columns, and its cells.
pub struct EnrichColumn {
    pub id: u32,
    pub integration: Arc<dyn Integration>,
    /// One per integration input, in spec order.
    pub sources: Vec<InputSource>,
    /// Output names that are sheet columns.
    pub outputs: Vec<&'static str>,
    pub cells: HashMap<RowId, CellInfo>,
    pub counts: Counts,
    /// Paused by the user: its queued jobs were withdrawn and come back on resume.
    pub paused: bool,
    /// HTTP attempts its jobs made, answers from cache or shared calls, and total latency.
    pub attempts: u64,
    pub reused: u64,
    pub latency_ms: u64,
    pub started: Instant,
    /// Set when an authentication failure stopped it.
    pub stopped: Option<String>,
}

impl EnrichColumn {
    /// A new column with no cells yet.
    pub fn new(
        id: u32,
        integration: Arc<dyn Integration>,
        sources: Vec<InputSource>,
        outputs: Vec<&'static str>,
    ) -> EnrichColumn {
        EnrichColumn {
            id,
            integration,
            sources,
            outputs,
            cells: HashMap::new(),
            counts: Counts::default(),
            paused: false,
            attempts: 0,
            reused: 0,
            latency_ms: 0,
            started: Instant::now(),
            stopped: None,
        }
    }

    fn set_state(&mut self, row: RowId, state: CellState) -> Option<&mut CellInfo> {
        let cell = self.cells.get_mut(&row)?;
        self.counts.add(&cell.state, -1);
        self.counts.add(&state, 1);
        cell.state = state;
        Some(cell)
    }

    /// The name of its `_error` column, as `leadgrid run` writes it.
    pub fn error_column(&self) -> String {
        format!("{}_error", self.integration.spec().name)
    }
}

/// The connection to the engine, and all enrichment columns.
pub struct Enrichments {
    pub engine: Option<Arc<Engine>>,
    /// The engine's caller, for calls made, shared and cached.
    pub caller: Option<Arc<crate::engine::caller::Caller>>,
    pub columns: Vec<EnrichColumn>,
    next_id: u32,
    /// Spinner frame, advanced by ticks while anything runs.
    pub spinner: usize,
    /// Finished jobs per second, smoothed.
    pub rate: f64,
    rate_window: (Instant, usize),
}

impl Default for Enrichments {
    fn default() -> Self {
        Enrichments {
            engine: None,
            caller: None,
            columns: Vec::new(),
            next_id: 0,
            spinner: 0,
            rate: 0.0,
            rate_window: (Instant::now(), 0),
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

    /// Whether any job is queued or running.
    pub fn is_running(&self) -> bool {
        self.columns.iter().any(|c| c.counts.pending() > 0)
    }

    /// A fresh column id.
    pub fn allocate_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id - 1
    }

    fn column_mut(&mut self, id: u32) -> Option<&mut EnrichColumn> {
        self.columns.iter_mut().find(|c| c.id == id)
    }

    /// The enrichment column and output index a sheet column shows, by header name.
    pub fn output_at(&self, header: &str) -> Option<(usize, usize)> {
        self.columns.iter().enumerate().find_map(|(ci, c)| {
            c.outputs
                .iter()
                .position(|o| *o == header)
                .map(|oi| (ci, oi))
        })
    }

    /// Advances the spinner and the rate estimate; called on every tick.
    pub fn tick(&mut self) {
        self.spinner = self.spinner.wrapping_add(1);
        let finished = self.totals().finished();
        let (since, before) = self.rate_window;
        let elapsed = since.elapsed().as_secs_f64();
        if elapsed >= 1.0 {
            let now_rate = finished.saturating_sub(before) as f64 / elapsed;
            self.rate = if self.rate == 0.0 {
                now_rate
            } else {
                0.5 * self.rate + 0.5 * now_rate
            };
            self.rate_window = (Instant::now(), finished);
        }
    }
}

/// Where one input of an enrichment is read from.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub name: &'static str,
    pub column: Option<usize>,
    pub constant: Option<String>,
}

/// A row's values for an enrichment's inputs; unmapped inputs are left out.
pub fn inputs_from(resolved: &[Resolved], cells: &[String]) -> Fields {
    resolved
        .iter()
        .filter_map(|r| {
            let value = match (r.column, &r.constant) {
                (Some(c), _) => cells.get(c).cloned().unwrap_or_default(),
                (None, Some(v)) => v.clone(),
                (None, None) => return None,
            };
            Some((r.name.to_string(), value))
        })
        .collect()
}

/// Marks a finished cell whose inputs have been edited since it ran.
pub const STALE: &str = "≠";

/// Spinner frames for running cells.
pub const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

impl App {
    /// Whether an enrichment column shows at this sheet column: (enrichment index, output index).
    pub fn enrichment_at(&self, col: usize) -> Option<(usize, usize)> {
        let header = &self.sheet.columns().get(col)?.name;
        self.enrich.output_at(header)
    }

    /// The enrichment cell under the cursor, if the cursor is on an enrichment column.
    pub fn current_enrichment_cell(&self) -> Option<(&EnrichColumn, Option<&CellInfo>)> {
        let (ci, _) = self.enrichment_at(self.current_col()?)?;
        let column = self.enrich.columns.get(ci)?;
        let id = self.sheet.row_id(self.current_row()?)?;
        Some((column, column.cells.get(&id)))
    }

    /// Inputs of a finished cell whose value in its row (`cells`) changed since it ran:
    /// (input, value it ran with, value now).
    pub fn input_changes<'a>(
        &'a self,
        column: &'a EnrichColumn,
        info: &'a CellInfo,
        cells: &'a [String],
    ) -> impl Iterator<Item = (&'static str, &'a str, &'a str)> + 'a {
        let finished = matches!(
            info.state,
            CellState::Done | CellState::NoData | CellState::Failed
        );
        let spec = column.integration.spec();
        spec.inputs
            .iter()
            .zip(&column.sources)
            .filter(move |_| finished)
            .filter_map(move |(input, source)| {
                let InputSource::Column(name) = source else {
                    return None;
                };
                let col = self.sheet.columns().iter().position(|c| c.name == *name)?;
                let now = cells.get(col).map_or("", String::as_str);
                let then = info.inputs.get(input.name).map_or("", String::as_str);
                (now != then).then_some((input.name, then, now))
            })
    }

    pub(super) fn enrich_action(&mut self, action: Action) {
        if self.enrich.engine.is_none() {
            self.error_message(
                "enrichment needs an engine: start with --demo or set DATAGEN_API_KEY",
            );
            return;
        }
        match action {
            Action::AddEnrichment => {
                let picker = Picker::new(crate::integrations::registry(), self.selection.len());
                self.mode = Mode::Picker(Box::new(picker));
            }
            Action::Inspect => {
                if self.current_enrichment_cell().is_some() {
                    self.load_journaled_calls();
                    self.mode = Mode::Inspector { scroll: 0 };
                } else {
                    self.error_message("not an enrichment cell: move to a column marked ✦");
                }
            }
            Action::NextFailed => self.jump_to_failed(true),
            Action::PrevFailed => self.jump_to_failed(false),
            Action::FailedOnly => self.filter_failed_rows(),
            Action::RerunCell => self.rerun_current(false),
            Action::RefreshCell => self.ask_refresh(),
            Action::RerunRow => self.rerun_current(true),
            Action::RerunColumn => {
                if let Some((ci, _)) = self.current_col().and_then(|c| self.enrichment_at(c)) {
                    self.rerun_column(ci, false);
                } else {
                    self.error_message("not an enrichment column");
                }
            }
            Action::RerunFailed => {
                let n: usize = (0..self.enrich.columns.len())
                    .map(|ci| self.rerun_column(ci, true))
                    .sum();
                self.info_message(format!("re-running {n} failed cells"));
            }
            Action::CancelRun => {
                if self.enrich.is_running() {
                    self.mode = Mode::Confirm(ConfirmKind::CancelRun);
                } else {
                    self.info_message("nothing is running");
                }
            }
            Action::Runs => self.mode = Mode::Runs { selected: 0 },
            _ => {}
        }
    }

    /// Keys while the picker is open.
    pub(super) fn picker_key(&mut self, key: KeyEvent) {
        let headers: Vec<String> = self
            .sheet
            .columns()
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let Mode::Picker(picker) = &mut self.mode else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match picker.step {
            Step::Search => match key.code {
                KeyCode::Esc => self.mode = Mode::Normal,
                KeyCode::Down => {
                    picker.selected =
                        (picker.selected + 1).min(picker.matches.len().saturating_sub(1))
                }
                KeyCode::Up => picker.selected = picker.selected.saturating_sub(1),
                KeyCode::Char('n') if ctrl => {
                    picker.selected =
                        (picker.selected + 1).min(picker.matches.len().saturating_sub(1))
                }
                KeyCode::Char('p') if ctrl => picker.selected = picker.selected.saturating_sub(1),
                KeyCode::Enter => {
                    picker.choose(&headers);
                }
                _ => {
                    if let Some(req) = to_input_request(&crossterm::event::Event::Key(key)) {
                        picker.query.handle(req);
                        picker.selected = 0;
                        picker.refilter();
                    }
                }
            },
            Step::Map => {
                if let Some(input) = &mut picker.constant {
                    match key.code {
                        KeyCode::Esc => picker.constant = None,
                        KeyCode::Enter => {
                            let value = input.value().to_string();
                            if let Some(slot) = picker.sources.get_mut(picker.input_cursor) {
                                *slot = if value.trim().is_empty() {
                                    Source::Unmapped
                                } else {
                                    Source::Constant(value)
                                };
                            }
                            picker.constant = None;
                        }
                        _ => {
                            if let Some(req) = to_input_request(&crossterm::event::Event::Key(key))
                            {
                                input.handle(req);
                            }
                        }
                    }
                    return;
                }
                let inputs = picker.sources.len();
                match key.code {
                    KeyCode::Esc | KeyCode::Backspace => picker.step = Step::Search,
                    KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                        picker.input_cursor =
                            (picker.input_cursor + 1).min(inputs.saturating_sub(1))
                    }
                    KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                        picker.input_cursor = picker.input_cursor.saturating_sub(1)
                    }
                    KeyCode::Right | KeyCode::Char('l') => picker.cycle_source(headers.len(), true),
                    KeyCode::Left | KeyCode::Char('h') => picker.cycle_source(headers.len(), false),
                    KeyCode::Char('c') => {
                        let allowed = picker
                            .spec()
                            .and_then(|s| s.inputs.get(picker.input_cursor))
                            .is_some_and(|i| i.allows_constant);
                        if allowed {
                            let current = match picker.sources.get(picker.input_cursor) {
                                Some(Source::Constant(v)) => v.clone(),
                                _ => String::new(),
                            };
                            picker.constant = Some(tui_input::Input::new(current));
                        } else {
                            picker.problem = Some("this input comes from a column; one value for all rows is not allowed".into());
                        }
                    }
                    KeyCode::Enter => match picker.unmapped_required() {
                        Some(problem) => picker.problem = Some(problem),
                        None => {
                            picker.problem = None;
                            picker.step = Step::Outputs;
                            self.start_cache_estimate();
                        }
                    },
                    _ => {}
                }
            }
            Step::Outputs => {
                let lines = picker.outputs.len() + 1;
                match key.code {
                    KeyCode::Esc | KeyCode::Backspace => picker.step = Step::Map,
                    KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                        picker.output_cursor = (picker.output_cursor + 1).min(lines - 1)
                    }
                    KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                        picker.output_cursor = picker.output_cursor.saturating_sub(1)
                    }
                    KeyCode::Char(' ') => {
                        let on_scope = picker.output_cursor >= picker.outputs.len();
                        picker.toggle();
                        if on_scope {
                            self.start_cache_estimate();
                        }
                    }
                    KeyCode::Char('+') | KeyCode::Right => {
                        picker.adjust_first_rows(true);
                        self.start_cache_estimate();
                    }
                    KeyCode::Char('-') | KeyCode::Left => {
                        picker.adjust_first_rows(false);
                        self.start_cache_estimate();
                    }
                    KeyCode::Enter => {
                        if picker.chosen_outputs().is_empty() {
                            picker.problem =
                                Some("choose at least one output (Space toggles)".into());
                            return;
                        }
                        let Mode::Picker(picker) = std::mem::replace(&mut self.mode, Mode::Normal)
                        else {
                            return;
                        };
                        self.add_enrichment(*picker, &headers);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Counts, in the background, the rows in the picker's scope that will be skipped for a
    /// missing input and those whose first call the response cache already answers (so the
    /// confirm step can say what is free).
    fn start_cache_estimate(&mut self) {
        /// Rows checked at most; beyond that the count is extrapolated.
        const MAX_CHECKED: usize = 20_000;
        let store = self.persist.as_ref().map(|p| p.store.clone());
        let view_rows: Vec<u32> = match &self.mode {
            Mode::Picker(p) => match p.scope {
                Scope::ViewRows | Scope::FirstRows(_) => {
                    let n = match p.scope {
                        Scope::FirstRows(n) => n.min(self.view_rows()),
                        _ => self.view_rows(),
                    };
                    let mut rows: Vec<u32> = (0..n)
                        .filter_map(|v| self.row_at(v))
                        .map(|r| r as u32)
                        .collect();
                    rows.sort_unstable();
                    rows
                }
                Scope::SelectedRows => self.selected_rows().into_iter().map(|r| r as u32).collect(),
                Scope::AllRows | Scope::EmptyOrFailed => Vec::new(),
            },
            _ => return,
        };
        let headers = self.sheet.columns().len();
        let snapshot = self.sheet.snapshot();
        let tx = self.tx();
        let Mode::Picker(picker) = &mut self.mode else {
            return;
        };
        let Some(integration) = picker.current().cloned() else {
            return;
        };
        let spec = integration.spec();
        let tool = spec.tools.first().copied();
        let every_row = matches!(picker.scope, Scope::AllRows | Scope::EmptyOrFailed);
        let resolved: Vec<Resolved> = spec
            .inputs
            .iter()
            .zip(&picker.sources)
            .map(|(input, source)| Resolved {
                name: input.name,
                column: match source {
                    Source::Column(c) if *c < headers => Some(*c),
                    _ => None,
                },
                constant: match source {
                    Source::Constant(v) => Some(v.clone()),
                    _ => None,
                },
            })
            .collect();
        picker.estimate_generation += 1;
        picker.cache_estimate = None;
        let generation = picker.estimate_generation;
        super::app::spawn_worker("leadgrid-estimate", move || {
            let (mut scanned, mut checked, mut cached, mut missing) = (0, 0, 0, 0);
            let mut complete = true;
            let _ = snapshot.for_each_row(|pos, cells| {
                if !every_row && view_rows.binary_search(&(pos as u32)).is_err() {
                    return ControlFlow::Continue(());
                }
                if scanned == MAX_CHECKED {
                    complete = false;
                    return ControlFlow::Break(());
                }
                scanned += 1;
                let inputs = inputs_from(&resolved, cells);
                let lacks_input = spec.inputs.iter().any(|input| {
                    input.required && inputs.get(input.name).is_none_or(|v| v.trim().is_empty())
                });
                if lacks_input {
                    missing += 1;
                } else if let (Some(store), Some(tool), Some(params)) =
                    (&store, tool, integration.first_request(&inputs))
                {
                    checked += 1;
                    if store.cache_has(&crate::store::CacheKey::new(spec.provider, tool, &params)) {
                        cached += 1;
                    }
                }
                ControlFlow::Continue(())
            });
            let _ = tx.send(super::event::AppEvent::Worker(
                super::event::WorkerResult::CacheEstimate(super::picker::CacheEstimate {
                    generation,
                    scanned,
                    checked,
                    cached,
                    missing,
                    complete,
                }),
            ));
        });
    }

    /// Rows the scope covers, as an estimate for the confirm line.
    pub fn scope_rows(&self, scope: Scope) -> usize {
        match scope {
            Scope::AllRows => self.sheet.row_count(),
            Scope::SelectedRows => self.selection.len(),
            Scope::ViewRows => self.view_rows(),
            Scope::FirstRows(n) => n.min(self.view_rows()),
            Scope::EmptyOrFailed => self.sheet.row_count(),
        }
    }

    fn add_enrichment(&mut self, picker: Picker, headers: &[String]) {
        let Some(integration) = picker.current().cloned() else {
            return;
        };
        let spec = integration.spec();
        let outputs = picker.chosen_outputs();
        let sources: Vec<InputSource> = picker
            .sources
            .iter()
            .map(|s| match s {
                Source::Column(c) => headers
                    .get(*c)
                    .map_or(InputSource::Unmapped, |h| InputSource::Column(h.clone())),
                Source::Constant(v) => InputSource::Constant(v.clone()),
                Source::Unmapped => InputSource::Unmapped,
            })
            .collect();
        let depth = self.append_output_columns(&outputs);
        self.columns_changed();
        let id = self.enrich.allocate_id();
        self.record_structure(depth, id, None);
        self.enrich
            .columns
            .push(EnrichColumn::new(id, integration, sources, outputs.clone()));
        self.save_column_definitions();
        let rows = self.rows_in_scope(picker.scope, self.enrich.columns.len() - 1);
        let n = self.submit_rows(self.enrich.columns.len() - 1, &rows);
        if let Some(first) = outputs.first()
            && let Some(col) = self.sheet.columns().iter().position(|c| c.name == *first)
            && let Some(pos) = self.visible_columns().iter().position(|&c| c == col)
        {
            self.cursor_col = pos;
        }
        self.info_message(format!("{}: {n} rows queued", spec.name));
    }

    /// Sheet rows a scope selects for an enrichment column.
    fn rows_in_scope(&self, scope: Scope, ci: usize) -> Vec<usize> {
        match scope {
            Scope::AllRows => (0..self.sheet.row_count()).collect(),
            Scope::SelectedRows => self.selected_rows(),
            Scope::ViewRows => (0..self.view_rows())
                .filter_map(|v| self.row_at(v))
                .collect(),
            Scope::FirstRows(n) => (0..self.view_rows().min(n))
                .filter_map(|v| self.row_at(v))
                .collect(),
            Scope::EmptyOrFailed => {
                let Some(column) = self.enrich.columns.get(ci) else {
                    return Vec::new();
                };
                let cols: Vec<usize> = column
                    .outputs
                    .iter()
                    .filter_map(|o| self.sheet.columns().iter().position(|c| c.name == *o))
                    .collect();
                let mut rows = Vec::new();
                let snapshot = self.sheet.snapshot();
                let _ = snapshot.for_each_row(|pos, cells| {
                    let failed = self
                        .sheet
                        .row_id(pos)
                        .and_then(|id| column.cells.get(&id))
                        .is_some_and(|c| c.state == CellState::Failed);
                    let empty = cols
                        .iter()
                        .any(|&c| cells.get(c).is_none_or(|v| v.trim().is_empty()));
                    if failed || empty {
                        rows.push(pos);
                    }
                    ControlFlow::Continue(())
                });
                rows
            }
        }
    }

    /// Where each input of an integration is read from: a column index or a constant.
    pub(super) fn resolve_sources(
        &self,
        inputs: &'static [crate::integrations::InputSpec],
        sources: &[InputSource],
    ) -> Vec<Resolved> {
        inputs
            .iter()
            .zip(sources)
            .map(|(input, source)| Resolved {
                name: input.name,
                column: match source {
                    InputSource::Column(name) => {
                        self.sheet.columns().iter().position(|c| c.name == *name)
                    }
                    _ => None,
                },
                constant: match source {
                    InputSource::Constant(v) => Some(v.clone()),
                    _ => None,
                },
            })
            .collect()
    }

    /// Builds and submits jobs for `rows` of enrichment column `ci`; returns how many.
    pub(super) fn submit_rows(&mut self, ci: usize, rows: &[usize]) -> usize {
        self.submit(ci, rows, false)
    }

    /// Queues `rows` of column `ci`; `fresh` bypasses remembered answers.
    fn submit(&mut self, ci: usize, rows: &[usize], fresh: bool) -> usize {
        let Some(engine) = self.enrich.engine.clone() else {
            return 0;
        };
        let Some(column) = self.enrich.columns.get(ci) else {
            return 0;
        };
        let resolved = self.resolve_sources(column.integration.spec().inputs, &column.sources);
        let (id, integration) = (column.id, column.integration.clone());
        let mut jobs = Vec::with_capacity(rows.len());
        let mut cells = Vec::with_capacity(rows.len());
        for &row in rows {
            let Some(row_id) = self.sheet.row_id(row) else {
                continue;
            };
            let inputs = inputs_from(&resolved, &self.sheet.row_cells(row));
            jobs.push(Job {
                key: JobKey {
                    row: row_id.as_u64(),
                    column: id,
                },
                integration: integration.clone(),
                inputs: inputs.clone(),
                fresh,
            });
            cells.push((row_id, inputs));
        }
        let Some(column) = self.enrich.columns.get_mut(ci) else {
            return 0;
        };
        for (row_id, inputs) in cells {
            if let Some(old) = column.cells.insert(row_id, CellInfo::queued(inputs)) {
                column.counts.add(&old.state, -1);
            }
            column.counts.add(&CellState::Queued, 1);
        }
        column.paused = false;
        let n = jobs.len();
        engine.submit(jobs);
        n
    }

    /// Writes a done cell's output values into the sheet, widening columns to fit.
    pub(super) fn write_outputs(&mut self, ci: usize, row: usize, fields: &Fields) {
        let Some(outputs) = self.enrich.columns.get(ci).map(|c| c.outputs.clone()) else {
            return;
        };
        for name in outputs {
            if let Some(col) = self.sheet.columns().iter().position(|c| c.name == name) {
                let value = fields.get(name).cloned().unwrap_or_default();
                if self.sheet.cell(row, col) != value {
                    self.grow_to_fit(col, &value);
                    self.sheet.set_cell_untracked(row, col, value);
                }
            }
        }
    }

    /// The row an engine event is about.
    fn event_row(&self, key: JobKey) -> RowId {
        RowId::from_u64(key.row)
    }

    /// Applies one engine event.
    pub(super) fn engine_event(&mut self, event: EngineEvent) {
        match event {
            EngineEvent::Queued(_) | EngineEvent::Idle => {}
            EngineEvent::Running(key) => {
                let row = self.event_row(key);
                if let Some(c) = self.enrich.column_mut(key.column) {
                    c.set_state(row, CellState::Running);
                }
            }
            EngineEvent::Retrying {
                key, attempt, max, ..
            } => {
                let row = self.event_row(key);
                if let Some(c) = self.enrich.column_mut(key.column) {
                    c.set_state(row, CellState::Retrying { attempt, max });
                }
            }
            EngineEvent::Finished(result) => self.job_finished(*result),
            EngineEvent::Provider(notice) => self.error_message(notice.message()),
            EngineEvent::ColumnStopped { column, error } => {
                let name = self.enrich.column_mut(column).map(|c| {
                    c.stopped = Some(error.message.clone());
                    c.integration.spec().name
                });
                if let Some(name) = name {
                    self.error_message(format!("{name} stopped: {}", error.message));
                }
            }
        }
    }

    fn job_finished(&mut self, result: JobResult) {
        let row_id = self.event_row(result.key);
        let row = self.sheet.row_of(row_id);
        let Some(column) = self.enrich.column_mut(result.key.column) else {
            return;
        };
        let paid = result
            .calls
            .iter()
            .filter(|c| !c.cached && !c.shared)
            .count() as u64;
        column.attempts += result
            .calls
            .iter()
            .filter(|c| !c.cached && !c.shared)
            .map(|c| c.attempts.len() as u64)
            .sum::<u64>();
        column.reused += result.calls.len() as u64 - paid;
        column.latency_ms += result
            .calls
            .iter()
            .flat_map(|c| c.attempts.iter())
            .map(|a| a.duration_ms)
            .sum::<u64>();
        let Some(cell) = column.set_state(row_id, result.state.clone()) else {
            return;
        };
        cell.error = result.error;
        cell.calls = result.calls;
        cell.notes = result.notes;
        cell.finished_at = Some(chrono::Utc::now());
        // Values go into the sheet so search, sort and save see them.
        if let Some(row) = row
            && result.state == CellState::Done
            && let Some(ci) = self
                .enrich
                .columns
                .iter()
                .position(|c| c.id == result.key.column)
        {
            self.write_outputs(ci, row, &result.fields);
        }
    }

    /// After an input cell changed, says which of the row's enrichments are now out of date.
    pub(super) fn input_edited(&mut self, row: usize, col: usize) {
        let Some(header) = self.sheet.columns().get(col).map(|c| c.name.clone()) else {
            return;
        };
        let Some(id) = self.sheet.row_id(row) else {
            return;
        };
        let stale: Vec<&str> = self
            .enrich
            .columns
            .iter()
            .filter(|c| {
                c.sources
                    .iter()
                    .any(|s| *s == InputSource::Column(header.clone()))
            })
            .filter(|c| c.cells.get(&id).is_some_and(|cell| cell.state.is_final()))
            .map(|c| c.integration.spec().name)
            .collect();
        if !stale.is_empty() {
            self.info_message(format!(
                "{} of row {} used the old value: {} re-runs the row",
                stale.join(", "),
                row + 1,
                key_label(Action::RerunRow)
            ));
        }
    }

    /// Re-runs the cell under the cursor, or every enrichment of its row; with rows
    /// selected, the same for every selected row.
    fn rerun_current(&mut self, whole_row: bool) {
        let rows = self.rows_to_act_on();
        if rows.is_empty() {
            return;
        }
        let targets: Vec<usize> = if whole_row {
            (0..self.enrich.columns.len()).collect()
        } else {
            match self.current_col().and_then(|c| self.enrichment_at(c)) {
                Some((ci, _)) => vec![ci],
                None => {
                    self.error_message(format!(
                        "not an enrichment cell ({} re-runs the whole row)",
                        key_label(Action::RerunRow)
                    ));
                    return;
                }
            }
        };
        if targets.is_empty() {
            self.error_message("this sheet has no enrichment columns");
            return;
        }
        for ci in &targets {
            self.submit_rows(*ci, &rows);
        }
        let what = match rows.as_slice() {
            [one] => format!("row {}", one + 1),
            many => format!("{} selected rows", many.len()),
        };
        self.info_message(format!(
            "re-running {what} ({})",
            count(targets.len(), "enrichment")
        ));
    }

    /// Refreshes the cell under the cursor at once; the selected rows of its column after
    /// asking (each is paid for again).
    fn ask_refresh(&mut self) {
        let Some((ci, _)) = self.current_col().and_then(|c| self.enrichment_at(c)) else {
            self.error_message("not an enrichment cell: move to a column marked ✦");
            return;
        };
        let rows = self.rows_to_act_on();
        if rows.len() > 1 {
            self.mode = Mode::Confirm(ConfirmKind::Refresh {
                ci,
                rows: rows.len(),
            });
        } else {
            self.refresh(ci, &rows);
        }
    }

    /// Runs `rows` of column `ci` again with fresh answers from the provider.
    pub(super) fn refresh(&mut self, ci: usize, rows: &[usize]) {
        if let Some(engine) = &self.enrich.engine
            && let Some(column) = self.enrich.columns.get_mut(ci)
        {
            engine.resume_column(column.id);
            column.stopped = None;
        }
        let n = self.submit(ci, rows, true);
        self.info_message(format!(
            "refreshing {}: asking the provider again, not the cache",
            count(n, "cell")
        ));
    }

    /// Re-runs a column: every row that has a cell, or only the failed ones. Returns how many.
    fn rerun_column(&mut self, ci: usize, failed_only: bool) -> usize {
        let Some(column) = self.enrich.columns.get(ci) else {
            return 0;
        };
        let mut rows: Vec<usize> = column
            .cells
            .iter()
            .filter(|(_, c)| !failed_only || c.state == CellState::Failed)
            .filter(|(_, c)| !c.state.is_pending())
            .filter_map(|(id, _)| self.sheet.row_of(*id))
            .collect();
        rows.sort_unstable();
        if let Some(engine) = &self.enrich.engine
            && let Some(column) = self.enrich.columns.get_mut(ci)
        {
            engine.resume_column(column.id);
            column.stopped = None;
        }
        let n = self.submit_rows(ci, &rows);
        if !failed_only {
            self.info_message(format!("re-running {n} cells"));
        }
        n
    }

    /// Pauses a column (withdraws its queued jobs) or resumes it (queues them again).
    pub(super) fn toggle_pause(&mut self, ci: usize) {
        let Some(engine) = self.enrich.engine.clone() else {
            return;
        };
        let Some(column) = self.enrich.columns.get_mut(ci) else {
            return;
        };
        if column.paused {
            let rows: Vec<usize> = column
                .cells
                .iter()
                .filter(|(_, c)| c.state == CellState::Skipped(SkipReason::Cancelled))
                .filter_map(|(id, _)| self.sheet.row_of(*id))
                .collect();
            let n = self.submit_rows(ci, &rows);
            self.info_message(format!("resumed: {n} cells queued again"));
        } else {
            column.paused = true;
            engine.cancel_column(column.id);
            self.info_message("paused: queued cells withdrawn (p resumes)");
        }
    }

    /// Cancels one column's jobs.
    pub(super) fn cancel_column(&mut self, ci: usize) {
        if let (Some(engine), Some(column)) = (&self.enrich.engine, self.enrich.columns.get(ci)) {
            engine.cancel_column(column.id);
        }
    }

    /// Cancels every job.
    pub(super) fn cancel_all(&mut self) {
        if let Some(engine) = &self.enrich.engine {
            engine.cancel_all();
        }
        self.info_message(format!(
            "run cancelled; cancelled cells are skipped ({} re-runs a column)",
            key_label(Action::RerunColumn)
        ));
    }

    /// Removes an enrichment column and its output columns (undoable as column deletions).
    pub(super) fn remove_enrichment(&mut self, ci: usize) {
        if ci >= self.enrich.columns.len() {
            return;
        }
        self.cancel_column(ci);
        let column = self.enrich.columns.remove(ci);
        let depth = self.sheet.undo_depth();
        self.sheet.as_one_step(|sheet| {
            for name in column.outputs.iter().rev() {
                if let Some(col) = sheet.columns().iter().position(|c| c.name == *name) {
                    sheet.delete_column(col);
                }
            }
        });
        self.columns_changed();
        let name = column.integration.spec().name;
        self.record_structure(depth, column.id, Some(column));
        self.save_column_definitions();
        self.info_message(format!(
            "removed {name} ({} brings it back with its cells)",
            key_label(Action::Undo)
        ));
    }

    /// Moves to the next or previous failed enrichment cell in view order.
    fn jump_to_failed(&mut self, forward: bool) {
        let visible = self.visible_columns();
        let failed_cols: Vec<(usize, usize)> = visible
            .iter()
            .enumerate()
            .filter_map(|(vi, &c)| self.enrichment_at(c).map(|(ci, _)| (vi, ci)))
            .collect();
        if failed_cols.is_empty() || self.enrich.totals().failed == 0 {
            self.info_message("no failed cells");
            return;
        }
        let rows = self.view_rows();
        let is_failed = |app: &App, view_row: usize, ci: usize| {
            app.row_at(view_row)
                .and_then(|r| app.sheet.row_id(r))
                .and_then(|id| app.enrich.columns.get(ci)?.cells.get(&id))
                .is_some_and(|c| c.state == CellState::Failed)
        };
        let here = (self.cursor_row, self.cursor_col);
        let mut found = None;
        for step in 1..=rows {
            let v = if forward {
                (self.cursor_row + step) % rows.max(1)
            } else {
                (self.cursor_row + rows - step % rows.max(1)) % rows.max(1)
            };
            let candidates: Vec<(usize, usize)> = failed_cols
                .iter()
                .filter(|(_, ci)| is_failed(self, v, *ci))
                .map(|(vi, _)| (v, *vi))
                .collect();
            if let Some(&hit) = if forward {
                candidates.first()
            } else {
                candidates.last()
            } {
                found = Some(hit);
                break;
            }
        }
        // Same row, later column first.
        let same_row: Vec<(usize, usize)> = failed_cols
            .iter()
            .filter(|(vi, ci)| {
                is_failed(self, here.0, *ci) && if forward { *vi > here.1 } else { *vi < here.1 }
            })
            .map(|(vi, _)| (here.0, *vi))
            .collect();
        let same = if forward {
            same_row.first()
        } else {
            same_row.last()
        };
        if let Some(&(r, c)) = same.or(found.as_ref()) {
            self.cursor_row = r;
            self.cursor_col = c;
        }
    }

    /// Filters the view to rows with at least one failed enrichment cell.
    fn filter_failed_rows(&mut self) {
        let mut rows: Vec<u32> = self
            .enrich
            .columns
            .iter()
            .flat_map(|c| c.cells.iter())
            .filter(|(_, c)| c.state == CellState::Failed)
            .filter_map(|(id, _)| self.sheet.row_of(*id))
            .map(|r| r as u32)
            .collect();
        rows.sort_unstable();
        rows.dedup();
        if rows.is_empty() {
            self.info_message("no failed cells");
            return;
        }
        self.set_filter(super::view::Filter::Rows(Arc::new(rows)));
    }

    /// Writes `<integration>_error` columns for enrichments that failed anywhere, as `leadgrid run` does.
    pub(super) fn write_error_columns(&mut self) {
        for ci in 0..self.enrich.columns.len() {
            let column = &self.enrich.columns[ci];
            if column.counts.failed == 0 {
                continue;
            }
            let name = column.error_column();
            let failures: Vec<(RowId, String)> = column
                .cells
                .iter()
                .filter(|(_, c)| c.state == CellState::Failed)
                .map(|(id, c)| {
                    (
                        *id,
                        c.error
                            .as_ref()
                            .map(|e| e.message.clone())
                            .unwrap_or_default(),
                    )
                })
                .collect();
            let cleared: HashSet<RowId> = column
                .cells
                .iter()
                .filter(|(_, c)| c.state != CellState::Failed)
                .map(|(id, _)| *id)
                .collect();
            let col = match self.sheet.columns().iter().position(|c| c.name == name) {
                Some(c) => c,
                None => {
                    let at = self.sheet.columns().len();
                    self.sheet.insert_column(at, name)
                }
            };
            for (id, message) in failures {
                if let Some(row) = self.sheet.row_of(id) {
                    self.sheet.set_cell_untracked(row, col, message);
                }
            }
            for id in cleared {
                if let Some(row) = self.sheet.row_of(id)
                    && !self.sheet.cell(row, col).is_empty()
                {
                    self.sheet.set_cell_untracked(row, col, String::new());
                }
            }
        }
        self.columns_changed();
    }

    /// What an enrichment cell shows in the grid: the value when done, else a state mark.
    pub fn enrichment_text(
        &self,
        ci: usize,
        row: usize,
        cells: &[String],
        value: &str,
    ) -> (String, CellState) {
        let column = self.enrich.columns.get(ci);
        let info = self.sheet.row_id(row).and_then(|id| column?.cells.get(&id));
        let state = info.map_or(CellState::Empty, |c| c.state.clone());
        if let (Some(column), Some(info)) = (column, info)
            && self.input_changes(column, info, cells).next().is_some()
        {
            // Ran on inputs the row no longer has: the answer may belong to the old value.
            let shown = match &state {
                CellState::Done => value.to_string(),
                other => other.label().to_string(),
            };
            return (format!("{STALE} {shown}"), state);
        }
        let text = match &state {
            CellState::Empty | CellState::Done => value.to_string(),
            CellState::Running => {
                format!("{} running", SPINNER[self.enrich.spinner % SPINNER.len()])
            }
            CellState::Retrying { attempt, max } => {
                format!("{} retry {attempt}/{max}", state.glyph())
            }
            other => format!("{} {}", other.glyph(), other.label()),
        };
        (text, state)
    }

    /// Keys in the runs panel.
    pub(super) fn runs_key(&mut self, key: KeyEvent) {
        let Mode::Runs { selected } = &mut self.mode else {
            return;
        };
        let n = self.enrich.columns.len();
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => {
                *selected = (*selected + 1).min(n.saturating_sub(1))
            }
            KeyCode::Up | KeyCode::Char('k') => *selected = selected.saturating_sub(1),
            KeyCode::Char('p') => {
                let ci = *selected;
                self.toggle_pause(ci);
            }
            KeyCode::Char('c') => {
                let ci = *selected;
                if self
                    .enrich
                    .columns
                    .get(ci)
                    .is_some_and(|c| c.counts.pending() > 0)
                {
                    self.mode = Mode::Confirm(ConfirmKind::CancelColumn { ci });
                } else {
                    self.info_message("nothing of this column is queued or running");
                }
            }
            KeyCode::Char('r') => {
                let ci = *selected;
                self.rerun_column(ci, false);
            }
            KeyCode::Char('f') => {
                let ci = *selected;
                let n = self.rerun_column(ci, true);
                self.info_message(format!("re-running {n} failed cells"));
            }
            KeyCode::Char('d') => {
                let ci = *selected;
                self.remove_enrichment(ci);
                if let Mode::Runs { selected } = &mut self.mode {
                    *selected = selected.saturating_sub(1);
                }
            }
            _ => self.mode = Mode::Normal,
        }
    }

    /// A one-line summary of the run for the status bar.
    pub fn run_summary(&self) -> Option<String> {
        if self.enrich.columns.is_empty() {
            return None;
        }
        let t = self.enrich.totals();
        let mut s = String::new();
        if let Some(caller) = &self.enrich.caller {
            let calls = caller.stats();
            s.push_str(&format!("{} calls", calls.attempts));
            // Answers shared with another cell or taken from the cache were not paid again.
            let reused = calls.shared + calls.cached;
            if reused > 0 {
                s.push_str(&format!(", {reused} reused"));
            }
            let saved = self
                .persist
                .as_ref()
                .map_or(0.0, |p| p.store.stats().cost_saved);
            if saved > 0.0 {
                s.push_str(&format!(" (${saved:.2} saved)"));
            }
            s.push_str(" │ ");
        }
        s.push_str(&format!("✓{} ∅{} ✗{}", t.done, t.no_data, t.failed));
        if t.skipped > 0 {
            s.push_str(&format!(" –{}", t.skipped));
        }
        if t.pending() > 0 {
            s.push_str(&format!(" ◌{} ·{}", t.running, t.queued));
            if self.enrich.rate > 0.0 {
                let eta = t.pending() as f64 / self.enrich.rate;
                s.push_str(&format!(
                    " {:.1}/s ETA {}",
                    self.enrich.rate,
                    format_eta(eta)
                ));
            }
        }
        Some(s)
    }
}

/// `95 s` → `1m35s`.
pub fn format_eta(seconds: f64) -> String {
    let s = seconds.round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// The inspector's text for a cell, as lines.
pub fn inspector_lines(
    column: &EnrichColumn,
    cell: Option<&CellInfo>,
    changes: &[(&str, &str, &str)],
) -> Vec<String> {
    let spec = column.integration.spec();
    let mut lines = vec![format!(
        "integration  {} ({})",
        spec.name,
        spec.provider.name()
    )];
    let Some(cell) = cell else {
        lines.push("state        not requested".into());
        return lines;
    };
    lines.push(format!(
        "state        {} {}",
        cell.state.glyph(),
        cell.state.label()
    ));
    if let CellState::Skipped(reason) = &cell.state {
        lines.push(format!("reason       {reason}"));
    }
    if let Some(e) = &cell.error {
        lines.push(format!(
            "error        [{}] {}",
            error_kind_label(e.kind),
            e.message
        ));
    }
    if let Some(at) = cell.finished_at {
        lines.push(format!(
            "finished     {}",
            at.format("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    lines.push(String::new());
    lines.push("inputs".into());
    for (k, v) in &cell.inputs {
        lines.push(format!("  {k} = {v}"));
    }
    if !changes.is_empty() {
        lines.push(format!(
            "{STALE} edited since this ran ({} re-runs the row):",
            key_label(Action::RerunRow)
        ));
        for (name, _, now) in changes {
            lines.push(format!("  {name} is now {now}"));
        }
    }
    for note in &cell.notes {
        lines.push(format!("note         {note}"));
    }
    if cell.calls_in_journal {
        lines.push(String::new());
        lines.push("calls        reading them from the journal…".into());
    }
    for (i, call) in cell.calls.iter().enumerate() {
        lines.push(String::new());
        let how = if call.cached {
            " (from cache: not paid)"
        } else if call.shared {
            " (shared with another column's call: not paid)"
        } else {
            ""
        };
        lines.push(format!("call {}: {}{how}", i + 1, call.tool));
        for (n, a) in call.attempts.iter().enumerate() {
            lines.push(format!(
                "  attempt {}  {}  {:>5} ms  {}  {}",
                n + 1,
                a.started_at.format("%H:%M:%S%.3f"),
                a.duration_ms,
                a.status.map_or("---".to_string(), |s| s.to_string()),
                a.outcome
            ));
        }
        lines.push("  request".into());
        let request = serde_json::to_string_pretty(&call.request).unwrap_or_default();
        lines.extend(request.lines().map(|l| format!("    {l}")));
        lines.push("  response".into());
        match &call.raw_response {
            Some(raw) => {
                let pretty = serde_json::from_str::<serde_json::Value>(raw)
                    .ok()
                    .and_then(|v| serde_json::to_string_pretty(&v).ok())
                    .unwrap_or_else(|| raw.clone());
                lines.extend(pretty.lines().map(|l| format!("    {l}")));
            }
            None => lines.push("    (no response body)".into()),
        }
    }
    lines
}

fn error_kind_label(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Auth => "auth",
        ErrorKind::RateLimited => "rate limited",
        ErrorKind::Transient => "transient",
        ErrorKind::NoData => "no data",
        ErrorKind::Permanent => "permanent",
        ErrorKind::Cancelled => "cancelled",
    }
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

    #[test]
    fn eta_is_readable() {
        assert_eq!(format_eta(5.4), "5s");
        assert_eq!(format_eta(95.0), "1m35s");
        assert_eq!(format_eta(7300.0), "2h01m");
    }
}
