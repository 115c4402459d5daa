//! The application: owns the sheet, the enrichments and every component. `update` is the
//! only place state changes: it routes each event to the component that has the keyboard
//! (or to the model, for background results), then carries out the [`Intent`] it returns.

use super::action::{Action, key_label};
use super::bound::Bound;
use super::cell_view::CellView;
use super::census;
use super::component::{Component, Context, Outcome};
use super::deps::Feeds;
use super::dialog::{Confirm, Fatal};
use super::enrich::{Enrichments, NewEnrichment, Report, Request};
use super::event::{AppEvent, WorkerResult, spawn_worker};
use super::formula::Formulas;
use super::grid::{Grid, RowFilter};
use super::help::Help;
use super::inspector::Inspector;
use super::intent::{ConfirmKind, Intent, Popup, PromptKind};
use super::message::{Level, Message};
use super::mode::Mode;
use super::persist::Persistence;
use super::picker::{self, Picker};
use super::prompt::Prompt;
use super::runs::RunsPanel;
use super::scope::Scope;
use super::text::count;
use super::trust;
use crate::integrations::user::Catalog;
use crate::table::{ColumnId, SaveError, Sheet};
use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseEvent};
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// How long a notice stays in the status bar.
const INFO_TTL: Duration = Duration::from_secs(5);
/// How long an error stays (it has more to read).
const ERROR_TTL: Duration = Duration::from_secs(12);

/// The components' view of the app. A macro, not a method, so that it borrows only the
/// fields it names and a component can be borrowed mutably beside it.
macro_rules! context {
    ($app:expr) => {
        Context {
            sheet: &$app.sheet,
            enrich: &$app.enrich,
            formulas: &$app.formulas,
            store: $app.persist.as_ref().map(|p| &p.store),
            tx: &$app.tx,
            saving: $app.saving.is_some(),
        }
    };
}

/// The whole state of the grid UI.
pub struct App {
    pub sheet: Sheet,
    /// Enrichment columns and the engine behind them.
    pub enrich: Enrichments,
    /// Formula columns.
    pub formulas: Formulas,
    /// The store and run this sheet's enrichments are journaled under.
    pub persist: Option<Persistence>,
    /// Every integration the picker offers, and the files that did not load.
    pub catalog: Catalog,
    pub grid: Grid,
    pub mode: Mode,
    pub message: Option<Message>,
    /// When the message was shown: it goes after a few seconds, or at the next key.
    message_at: Option<Instant>,
    /// The last text copied, numbered so the event loop hands each copy to the terminal once.
    pub copied: Option<(u64, String)>,
    /// A save running in the background; edits wait until it ends.
    pub saving: Option<PathBuf>,
    pub quit: bool,
    quit_after_save: bool,
    /// The file's index was complete at the last tick (so its final state has been drawn).
    loaded: bool,
    /// Enrichment columns are being restored from the journal in the background.
    restoring: bool,
    /// The file's read notices are being looked for in the background.
    checking_notices: bool,
    /// The user has not yet answered whether to trust the project file beside the sheet.
    awaiting_trust: bool,
    /// Restoring waits for that answer (a restored column may be one of its integrations).
    restore_deferred: bool,
    tx: Sender<AppEvent>,
}

impl App {
    /// A new app on an opened sheet; `tx` carries background results back to the loop.
    pub fn new(sheet: Sheet, tx: Sender<AppEvent>) -> App {
        App {
            grid: Grid::new(&sheet),
            sheet,
            enrich: Enrichments::default(),
            formulas: Formulas::default(),
            persist: None,
            catalog: Catalog::current().clone(),
            mode: Mode::Normal,
            message: None,
            message_at: None,
            copied: None,
            saving: None,
            quit: false,
            quit_after_save: false,
            loaded: false,
            restoring: false,
            checking_notices: false,
            awaiting_trust: false,
            restore_deferred: false,
            tx,
        }
    }

    /// Sets the catalog. A project file beside the sheet that is not trusted yet is asked
    /// about first: its integrations join the picker once the user says yes.
    pub fn set_catalog(&mut self, catalog: Catalog) {
        let ask = catalog.project().filter(|p| !p.trusted).cloned();
        self.catalog = catalog;
        if let Some(state) = ask {
            self.awaiting_trust = true;
            self.open(Popup::Confirm(ConfirmKind::TrustProject(Box::new(state))));
        }
    }

    /// The user answered about the project file: restore what waited for the answer.
    fn trust_answered(&mut self) {
        self.awaiting_trust = false;
        if std::mem::take(&mut self.restore_deferred) {
            self.restore_enrichments();
        }
    }

    /// What components read.
    pub fn context(&self) -> Context<'_> {
        context!(self)
    }

    /// Applies one event.
    pub fn update(&mut self, event: AppEvent) {
        match event {
            AppEvent::Input(Event::Key(key)) if key.kind != KeyEventKind::Release => self.key(key),
            AppEvent::Input(Event::Mouse(m)) => self.mouse(m),
            AppEvent::Input(Event::Paste(text)) => {
                if let Mode::Prompt(prompt) = &mut self.mode {
                    prompt.paste(&text);
                }
            }
            AppEvent::Input(Event::Resize(w, h)) => self.grid.resize(&self.sheet, w, h),
            AppEvent::Input(_) => {}
            AppEvent::Tick => self.tick(),
            AppEvent::Worker(result) => self.worker_result(result),
            AppEvent::Engine => {
                let columns = &mut self.grid.columns;
                let grow = &mut |col: ColumnId, value: &str| columns.grow_to_fit(col, value);
                // A dry run's events belong to the AI column form, not to the grid.
                let mut dry_runs = Vec::new();
                let said = self.enrich.apply_engine_events(
                    &mut self.sheet,
                    grow,
                    &mut dry_runs,
                    picker::ai::is_dry_run,
                );
                if let Some(m) = said {
                    self.say(m);
                }
                if let Mode::Picker(p) = &mut self.mode
                    && let Some(form) = &mut p.ai
                {
                    for event in dry_runs {
                        form.dry_run_event(event);
                    }
                }
            }
        }
        let changes = self.sheet.take_changes();
        if !self.formulas.list.is_empty() && !changes.is_empty() {
            let (enrich, sheet) = (&self.enrich, &self.sheet);
            self.formulas
                .changed(sheet, &changes, || enrich.withheld(sheet), &self.tx);
        }
        // Both are asked, so both flags are taken.
        let changed = self.enrich.take_definitions_changed();
        if (self.formulas.take_definitions_changed() || changed)
            && let Some(p) = &self.persist
        {
            p.save_definitions(&self.enrich, &self.formulas, &self.sheet, &self.tx);
        }
    }

    /// Whether there is anything not yet saved.
    pub fn is_dirty(&self) -> bool {
        self.sheet.is_dirty()
    }

    /// Drops the status-bar message once it has shown long enough at `now`: an error stays
    /// longer than a notice, and either goes at the next key.
    pub fn expire_message(&mut self, now: Instant) {
        let ttl = match &self.message {
            Some(m) if m.level == Level::Error => ERROR_TTL,
            Some(_) => INFO_TTL,
            None => return,
        };
        if self
            .message_at
            .is_some_and(|at| now.saturating_duration_since(at) >= ttl)
        {
            self.message = None;
        }
    }

    /// Whether the loop should wake up periodically: something runs, or a message is due to
    /// expire.
    pub fn wants_ticks(&self) -> bool {
        self.is_busy() || self.message.is_some()
    }

    /// Whether something is running that needs periodic redraws.
    pub fn is_busy(&self) -> bool {
        !self.loaded
            || self.grid.is_busy()
            || self.saving.is_some()
            || self.restoring
            || self.checking_notices
            || self.enrich.is_running()
            || self.formulas.is_busy()
            || match &self.mode {
                Mode::Inspector(inspector) => inspector.is_loading(&self.context()),
                Mode::Picker(picker) => picker.is_busy(),
                _ => false,
            }
    }

    /// Shows a message in the status bar (until it expires or the next key).
    pub fn say(&mut self, message: Message) {
        self.message = Some(message);
        self.message_at = Some(Instant::now());
    }

    fn key(&mut self, key: KeyEvent) {
        if matches!(self.mode, Mode::Normal) {
            self.message = None;
        }
        let ctx = context!(self);
        let outcome = match self.mode.component() {
            Some(popup) => popup.handle_key(key, &ctx),
            None => self.grid.handle_key(key, &ctx),
        };
        self.execute(outcome);
        self.grid.settle(&self.sheet);
    }

    fn mouse(&mut self, m: MouseEvent) {
        let ctx = context!(self);
        let outcome = match self.mode.component() {
            Some(popup) => popup.handle_mouse(m, &ctx),
            None => self.grid.handle_mouse(m, &ctx),
        };
        self.execute(outcome);
    }

    fn tick(&mut self) {
        let now = Instant::now();
        self.enrich.tick(now);
        self.expire_message(now);
        if let Some(err) = self.sheet.index_error()
            && !matches!(self.mode, Mode::Fatal(_))
        {
            self.mode = Mode::Fatal(Fatal {
                problem: err.to_string(),
            });
        }
        // Read once: the index may finish between two looks.
        let done = self.sheet.index_progress().done;
        self.grid.loading(&self.sheet, done);
        if done && !self.loaded {
            self.check_read_notices();
            self.restore_enrichments();
        }
        self.loaded = done;
        self.grid.settle(&self.sheet);
    }

    /// Finds, in the background, what the user should know about how the file was read.
    fn check_read_notices(&mut self) {
        self.checking_notices = true;
        let (snapshot, tx) = (self.sheet.snapshot(), self.tx.clone());
        spawn_worker("leadgrid-notices", move || {
            let notices = snapshot.read_notices();
            let _ = tx.send(AppEvent::Worker(WorkerResult::ReadNotices(notices)));
        });
    }

    /// Asks for the enrichments saved for this sheet, once it is fully indexed; they are
    /// brought back when the store answers.
    fn restore_enrichments(&mut self) {
        if self.awaiting_trust {
            self.restore_deferred = true;
            return;
        }
        if let Some(p) = &self.persist {
            p.load_definitions(&self.tx);
            self.restoring = true;
        }
    }

    fn worker_result(&mut self, result: WorkerResult) {
        let message = match result {
            WorkerResult::View { generation, order } => self.grid.view_ready(generation, order),
            WorkerResult::Counted(counted) => {
                if let Some(marked) = census::counted(&mut self.mode, counted) {
                    self.grid.duplicates = Some(std::sync::Arc::new(marked));
                }
                None
            }
            WorkerResult::Search { generation, hits } => {
                self.grid.search_ready(&self.sheet, generation, hits)
            }
            WorkerResult::Definitions(definitions) => {
                self.restoring = false;
                let message = self.persist.as_ref().and_then(|p| {
                    p.restore(
                        &self.catalog,
                        definitions,
                        &mut self.sheet,
                        &mut self.enrich,
                        &mut self.formulas,
                        &self.tx,
                    )
                });
                let withheld = self.enrich.withheld(&self.sheet);
                self.formulas
                    .recompute_all(&self.sheet, &withheld, &self.tx);
                self.grid.columns_changed(&self.sheet);
                message
            }
            WorkerResult::Planned { plan } => {
                let columns = &mut self.grid.columns;
                let grow = &mut |col: ColumnId, value: &str| columns.grow_to_fit(col, value);
                self.enrich.apply_planned(&mut self.sheet, plan, grow);
                None
            }
            WorkerResult::ReadNotices(notices) => {
                self.checking_notices = false;
                (!notices.is_empty()).then(|| Message::error(notices.join("; ")))
            }
            WorkerResult::PlanDone { plan, problem } => {
                let columns = &mut self.grid.columns;
                let grow = &mut |col: ColumnId, value: &str| columns.grow_to_fit(col, value);
                self.enrich.apply_planned(&mut self.sheet, plan, grow);
                self.enrich.plan_done(&self.sheet, plan, problem)
            }
            WorkerResult::JournalCalls { column, row, calls } => {
                self.enrich.apply_journaled_calls(column, row, calls);
                None
            }
            WorkerResult::ProjectTrusted(catalog) => {
                self.catalog = *catalog;
                self.trust_answered();
                Some(trust::trusted_message(&self.catalog))
            }
            WorkerResult::IntegrationSaved(saved) => {
                let headers: Vec<String> = self
                    .sheet
                    .columns()
                    .iter()
                    .map(|c| c.name.clone())
                    .collect();
                match saved {
                    Ok((catalog, path, name)) => {
                        self.catalog = *catalog;
                        if let Mode::Picker(p) = &mut self.mode {
                            p.saved(&self.catalog, &name, &path, &headers);
                        }
                        Some(Message::info(format!("saved {}", path.display())))
                    }
                    Err(why) => match &mut self.mode {
                        Mode::Picker(p) => {
                            p.save_failed(why);
                            None
                        }
                        _ => Some(Message::error(format!("not saved: {why}"))),
                    },
                }
            }
            WorkerResult::Estimate {
                generation,
                estimate,
            } => {
                if let Mode::Picker(picker) = &mut self.mode {
                    picker.estimated(generation, estimate);
                }
                None
            }
            WorkerResult::Formula(finished) => {
                let withheld = self.enrich.withheld(&self.sheet);
                let columns = &mut self.grid.columns;
                let grow = &mut |col: ColumnId, value: &str| columns.grow_to_fit(col, value);
                self.formulas
                    .computed(&mut self.sheet, finished, withheld, &self.tx, grow)
            }
            WorkerResult::Problem(problem) => Some(Message::error(problem)),
            WorkerResult::Saved { path, result } => {
                self.saving = None;
                match result {
                    Ok(saved) => {
                        self.sheet.mark_saved(saved);
                        self.enrich.column_names_changed();
                        self.quit |= self.quit_after_save;
                        Some(Message::info(format!("saved {}", path.display())))
                    }
                    Err(SaveError::ChangedOnDisk { path }) => {
                        self.open(Popup::Confirm(ConfirmKind::ChangedOnDisk { path }));
                        None
                    }
                    Err(e) => {
                        self.quit_after_save = false;
                        Some(Message::error(format!(
                            "not saved: {e} (your data is still here)"
                        )))
                    }
                }
            }
        };
        if let Some(m) = message {
            self.say(m);
        }
        self.grid.settle(&self.sheet);
    }

    fn execute(&mut self, outcome: Outcome) {
        if let Outcome::Request(intent) = outcome {
            self.run(intent);
        }
    }

    /// Carries out what a component asked for.
    fn run(&mut self, intent: Intent) {
        match intent {
            Intent::Notify(m) => self.say(m),
            Intent::Open(popup) => self.open(popup),
            Intent::Close => self.mode = Mode::Normal,
            Intent::Inspect { column, row } => {
                if let Some(p) = &self.persist {
                    p.load_calls(&self.enrich, column, row, &self.tx);
                }
                self.mode = Mode::Inspector(Inspector::new(column, row));
            }
            Intent::Copy(text) => {
                let n = self.copied.as_ref().map_or(1, |(n, _)| n + 1);
                self.say(Message::info(format!(
                    "copied {} to the clipboard",
                    count(text.chars().count(), "character")
                )));
                self.copied = Some((n, text));
            }
            Intent::Submit(kind, value) => {
                self.mode = Mode::Normal;
                self.submit(kind, value);
            }
            Intent::InsertRow(at) => {
                if !self.edits_blocked() {
                    self.sheet.insert_row(at);
                    self.grid.rows_changed(&context!(self));
                    if let Some(m) = self.grid.go_to_sheet_row(&self.sheet, at) {
                        self.say(m);
                    }
                }
            }
            Intent::DeleteRows(rows) => self.delete_rows(&rows),
            Intent::DeleteRowIds(ids) => {
                self.mode = Mode::Normal;
                let mut rows = self.sheet.snapshot().positions_of(&ids);
                rows.sort_unstable();
                self.delete_rows(&rows);
            }
            Intent::CountValues(col) => {
                if let Some(mode) = census::frequency(&self.sheet, &self.enrich, col, &self.tx) {
                    self.mode = mode;
                }
            }
            Intent::FindDuplicates { by_cursor } => {
                let cursor = self.grid.current_col(&self.sheet);
                match census::duplicates(&self.sheet, &self.enrich, by_cursor, cursor, &self.tx) {
                    Ok(mode) => self.mode = mode,
                    Err(m) => self.say(m),
                }
            }
            Intent::ShowRows { rows, label } => {
                self.mode = Mode::Normal;
                let rows = rows
                    .iter()
                    .filter_map(|&r| self.sheet.row_id(r as usize))
                    .collect();
                let filter = RowFilter::Rows {
                    rows: std::sync::Arc::new(rows),
                    label,
                };
                self.grid.set_filter(filter, &context!(self));
            }
            Intent::DeleteColumn(col) => self.delete_column(col),
            Intent::Undo => self.undo(true, false),
            Intent::Redo => self.undo(false, false),
            Intent::Save => self.start_save(None, false),
            Intent::Quit => {
                if self.enrich.is_running() {
                    self.open(Popup::Confirm(ConfirmKind::QuitRunning));
                } else if self.is_dirty() {
                    self.open(Popup::Confirm(ConfirmKind::QuitUnsaved));
                } else {
                    self.quit = true;
                }
            }
            Intent::QuitNow => self.quit = true,
            Intent::Grid(action) => {
                self.mode = Mode::Normal;
                let outcome = self.grid.apply(action, &context!(self));
                self.execute(outcome);
            }
            Intent::AddEnrichment { enrichment, scope } => {
                self.mode = Mode::Normal;
                self.add_enrichment(*enrichment, scope);
            }
            Intent::DryRun {
                integration,
                row,
                inputs,
            } => self.dry_run(integration, row, inputs),
            Intent::SaveIntegration(definition) => {
                picker::ai::save_in_background(self.catalog.clone(), *definition, self.tx.clone())
            }
            Intent::Rerun { columns, rows } => {
                let m = self
                    .enrich
                    .rerun_rows(&self.sheet, &columns, &rows, &self.tx);
                self.say(m);
            }
            Intent::Refresh { ci, rows } => {
                let m = self.enrich.refresh(&self.sheet, ci, &rows, &self.tx);
                self.say(m);
            }
            Intent::RerunColumn {
                ci,
                unfinished_only,
            } => {
                let n = self
                    .enrich
                    .rerun_column(&self.sheet, ci, unfinished_only, &self.tx);
                let what = if unfinished_only {
                    "unfinished cells"
                } else {
                    "cells"
                };
                self.say(Message::info(format!("re-running {n} {what}")));
            }
            Intent::RerunUnfinished => {
                let m = self.enrich.rerun_unfinished(&self.sheet, &self.tx);
                self.say(m);
            }
            Intent::TogglePause(ci) => {
                if let Some(m) = self.enrich.toggle_pause(&self.sheet, ci, &self.tx) {
                    self.say(m);
                }
            }
            Intent::RemoveEnrichment(ci) => {
                let removed = self.enrich.remove(&mut self.sheet, ci);
                self.grid.columns_changed(&self.sheet);
                if let Some(m) = removed {
                    self.say(m);
                }
            }
            Intent::Confirmed(kind) => self.confirmed(kind),
            Intent::Declined(kind) => {
                self.mode = match kind {
                    ConfirmKind::CancelColumn { ci } => Mode::Runs(RunsPanel { selected: ci }),
                    _ => Mode::Normal,
                };
                if matches!(kind, ConfirmKind::ChangedOnDisk { .. }) {
                    self.quit_after_save = false;
                }
                if matches!(kind, ConfirmKind::TrustProject(_)) {
                    self.trust_answered();
                }
                self.say(Message::info(match kind {
                    ConfirmKind::CancelRun | ConfirmKind::CancelColumn { .. } => "run goes on",
                    ConfirmKind::Refresh { .. } => "nothing refreshed",
                    ConfirmKind::ChangedOnDisk { .. } => {
                        "not saved: the file on disk was left as it is"
                    }
                    ConfirmKind::UndoRunning { .. } => "nothing undone: the run goes on",
                    ConfirmKind::ContinueUnfinished { .. } => {
                        "its unfinished cells wait (F re-runs them)"
                    }
                    ConfirmKind::TrustProject(_) => trust::DECLINED,
                    _ if self.enrich.is_running() => "quit cancelled: the run goes on",
                    _ => "quit cancelled",
                }));
            }
        }
    }

    fn open(&mut self, popup: Popup) {
        self.mode = match popup {
            Popup::Prompt(kind, _) if self.saving.is_some() && kind.edits() => {
                self.say(Message::error("saving… try again in a moment"));
                return;
            }
            Popup::Prompt(kind, initial) => Mode::Prompt(Prompt::new(kind, initial)),
            Popup::Help => Mode::Help(Help::default()),
            Popup::CellView => {
                let row = self.grid.current_row(&self.sheet);
                let (Some(row), Some(col)) = (
                    row.and_then(|r| self.sheet.row_id(r)),
                    self.grid.current_col(&self.sheet),
                ) else {
                    return;
                };
                Mode::CellView(CellView::new(row, self.sheet.columns()[col].id))
            }
            Popup::Picker(scopes) => Mode::Picker(Box::new(Picker::new(&self.catalog, scopes))),
            Popup::Runs { selected } => Mode::Runs(RunsPanel { selected }),
            Popup::Confirm(kind) => Mode::Confirm(Confirm { kind }),
        };
    }

    /// Runs a dry run's job through the engine (its events go to the picker's form, see
    /// [`picker::ai::is_dry_run`]), or tells the form there is no engine.
    fn dry_run(
        &mut self,
        integration: std::sync::Arc<dyn crate::integrations::Integration>,
        row: usize,
        inputs: crate::integrations::Fields,
    ) {
        let form = match &mut self.mode {
            Mode::Picker(p) => p.ai.as_mut(),
            _ => None,
        };
        match (&self.enrich.engine, self.sheet.row_id(row)) {
            (Some(engine), Some(row_id)) => {
                picker::ai::submit_dry_run(engine, integration, row_id, inputs)
            }
            _ => {
                if let Some(form) = form {
                    form.no_engine();
                }
            }
        }
    }

    fn confirmed(&mut self, kind: ConfirmKind) {
        self.mode = Mode::Normal;
        match kind {
            ConfirmKind::QuitUnsaved => {
                self.quit_after_save = true;
                self.start_save(None, false);
            }
            ConfirmKind::ChangedOnDisk { path } => self.start_save(Some(path), true),
            ConfirmKind::UndoRunning { undo, .. } => self.undo(undo, true),
            ConfirmKind::ContinueUnfinished { ci } => {
                let n = self.enrich.rerun_column(&self.sheet, ci, true, &self.tx);
                self.say(Message::info(format!(
                    "continuing {}",
                    count(n, "unfinished cell")
                )));
            }
            // Nothing is cancelled until the whole quit is confirmed: quitting drops the
            // engine, which stops the run (finished cells are journaled already).
            ConfirmKind::QuitRunning if self.is_dirty() => {
                self.open(Popup::Confirm(ConfirmKind::QuitUnsaved));
            }
            ConfirmKind::QuitRunning => self.quit = true,
            ConfirmKind::CancelRun => {
                let m = self.enrich.cancel_all();
                self.say(m);
            }
            ConfirmKind::CancelColumn { ci } => {
                self.mode = Mode::Runs(RunsPanel { selected: ci });
                self.enrich.cancel_column(ci);
                self.say(Message::info(format!(
                    "column cancelled: its cells show ⊘ ({} re-runs unfinished cells)",
                    key_label(Action::RerunUnfinished)
                )));
            }
            ConfirmKind::Refresh { ci, rows } => {
                let m = self.enrich.refresh(&self.sheet, ci, &rows, &self.tx);
                self.say(m);
            }
            ConfirmKind::TrustProject(state) => {
                trust::trust_in_background(self.catalog.clone(), *state, self.tx.clone());
            }
        }
    }

    /// The prompt's answer.
    fn submit(&mut self, kind: PromptKind, value: String) {
        let name = value.trim().to_string();
        let message = match kind {
            PromptKind::GoToRow => match name.parse::<usize>() {
                Ok(n) if n >= 1 => self.grid.go_to_sheet_row(&self.sheet, n - 1),
                _ => Some(Message::error(format!("not a row number: '{name}'"))),
            },
            PromptKind::Search => {
                self.grid.search_for(&value, &context!(self));
                None
            }
            PromptKind::Filter => match self.grid.filter_by(&value, &context!(self)) {
                Ok(()) => None,
                Err(e) => {
                    // Asked again, the typed text kept and the problem shown where it is.
                    self.mode =
                        Mode::Prompt(Prompt::with_problem(kind, value, e.pos(), e.to_string()));
                    None
                }
            },
            PromptKind::Edit { row, col } => {
                if self.sheet.cell(row, col) == value {
                    None
                } else {
                    self.sheet.set_cell(row, col, value);
                    self.enrich.stale_after_edit(&self.sheet, row, col)
                }
            }
            PromptKind::InsertColumn { .. } | PromptKind::RenameColumn { .. }
                if name.is_empty() =>
            {
                Some(Message::error("a column needs a name"))
            }
            PromptKind::InsertColumn { at } => {
                let col = self.sheet.insert_column(at, name);
                self.grid.columns_changed(&self.sheet);
                self.grid.focus_column(&self.sheet, col);
                None
            }
            PromptKind::RenameColumn { col } => {
                self.sheet.rename_column(col, name);
                self.enrich.column_names_changed();
                None
            }
            PromptKind::Formula { col } => self.submit_formula(col, value),
            PromptKind::SaveAs if name.is_empty() => Some(Message::error("no file name given")),
            PromptKind::SaveAs => {
                self.start_save(Some(PathBuf::from(name)), false);
                None
            }
            PromptKind::Condition { ci } => {
                if name.is_empty() {
                    self.enrich.set_condition(ci, None)
                } else {
                    match Bound::new(&value, &self.sheet) {
                        Ok(bound) => self.enrich.set_condition(ci, Some(bound)),
                        Err(e) => {
                            // Asked again, the typed text kept and the problem under it.
                            self.mode = Mode::Prompt(Prompt::with_problem(
                                kind,
                                value,
                                e.pos(),
                                e.to_string(),
                            ));
                            None
                        }
                    }
                }
            }
            PromptKind::Budget { ci } => match crate::providers::budget::parse_usd(&name) {
                Some(usd) => self.enrich.set_budget(ci, usd),
                None => Some(Message::error(format!(
                    "not an amount of dollars: '{name}' (e.g. 5 or $5.00)"
                ))),
            },
        };
        if let Some(m) = message {
            self.say(m);
        }
    }

    fn edits_blocked(&mut self) -> bool {
        if self.saving.is_some() {
            self.say(Message::error("saving… try again in a moment"));
            return true;
        }
        false
    }

    /// Deletes rows as one undo step.
    fn delete_rows(&mut self, rows: &[usize]) {
        if self.edits_blocked() {
            return;
        }
        let what = match rows {
            [] => return,
            [one] => format!("row {}", one + 1),
            many => count(many.len(), "row"),
        };
        self.sheet.delete_rows(rows);
        self.grid.rows_changed(&context!(self));
        self.say(Message::info(format!(
            "{what} deleted ({} to undo)",
            key_label(Action::Undo)
        )));
    }

    fn delete_column(&mut self, col: usize) {
        if self.edits_blocked() {
            return;
        }
        let message = match self.formulas.at_column(&self.sheet, col) {
            Some(fi) => {
                self.formulas.remove(&mut self.sheet, fi);
                Some(Message::info(format!(
                    "formula column deleted ({} brings it back)",
                    key_label(Action::Undo)
                )))
            }
            None => self.enrich.delete_column(&mut self.sheet, col),
        };
        self.grid.columns_changed(&self.sheet);
        if let Some(m) = message {
            self.say(m);
        }
    }

    /// Undoes (or redoes) the last edit. A step that would take out an enrichment while it
    /// runs asks first (unless `confirmed`); one that brings back an enrichment with
    /// unfinished cells offers to continue them.
    fn undo(&mut self, undo: bool, confirmed: bool) {
        if self.edits_blocked() {
            return;
        }
        if !confirmed && let Some((ci, _)) = self.enrich.undo_would_stop(&self.sheet, undo) {
            self.open(Popup::Confirm(ConfirmKind::UndoRunning { ci, undo }));
            return;
        }
        let rows_before = self.sheet.row_count();
        self.formulas.before_undo(&self.sheet);
        let Some(back) = self.enrich.undo(&mut self.sheet, undo) else {
            self.say(Message::info(if undo {
                "nothing to undo"
            } else {
                "nothing to redo"
            }));
            return;
        };
        let withheld = self.enrich.withheld(&self.sheet);
        self.formulas.after_undo(&self.sheet, &withheld, &self.tx);
        self.grid.columns_changed(&self.sheet);
        if self.sheet.row_count() != rows_before {
            self.grid.rows_changed(&context!(self));
        }
        // Taken out while it ran (its cells cancelled then): offer to go on.
        let unfinished = back
            .iter()
            .filter_map(|&id| self.enrich.position(id))
            .find(|&ci| self.enrich.columns[ci].counts.cancelled > 0);
        if let Some(ci) = unfinished {
            self.open(Popup::Confirm(ConfirmKind::ContinueUnfinished { ci }));
        }
    }

    /// The `=` prompt's answer, `name = expression`: edits the formula at `col`, or adds a
    /// formula column right of it. A mistake asks again with the problem shown where it is.
    fn submit_formula(&mut self, col: Option<usize>, value: String) -> Option<Message> {
        let kind = PromptKind::Formula { col };
        let mut ask_again = |at: usize, problem: String| {
            self.mode = Mode::Prompt(Prompt::with_problem(kind, value.clone(), at, problem));
            None
        };
        let Some((name, source)) = value.split_once('=') else {
            return ask_again(
                value.len(),
                "write the column's name, then = and the expression: domain = domain_of(email)"
                    .into(),
            );
        };
        let name = name.trim().to_string();
        if name.is_empty() {
            return ask_again(0, "a formula column needs a name before '='".into());
        }
        let offset = value.len() - source.len();
        let bound = match Bound::new(source, &self.sheet) {
            Ok(bound) => bound,
            Err(e) => return ask_again(offset + e.pos(), e.to_string()),
        };
        let editing = col.and_then(|c| self.formulas.at_column(&self.sheet, c));
        let skip = editing.map(|fi| self.formulas.list[fi].id);
        let feeds = Feeds::of(&self.formulas, &self.enrich, skip, None);
        let own = editing.map(|fi| self.formulas.list[fi].column);
        if let Some(path) = own.and_then(|own| feeds.cycle(&bound.reads(), &[own])) {
            let loop_ = crate::tui::deps::describe(&self.sheet, &path);
            return ask_again(
                offset,
                format!("a column cannot be computed from itself: {loop_}"),
            );
        }
        let withheld = self.enrich.withheld(&self.sheet);
        match (editing, col) {
            (Some(fi), Some(col)) => {
                // One undo step for the edit: the rename when the name changed, else a step
                // of its own.
                let before = self.sheet.undo_depth();
                self.sheet.rename_column(col, name.clone());
                if self.sheet.undo_depth() == before {
                    self.sheet.record_step();
                }
                let steps = (before, self.sheet.undo_depth());
                self.formulas
                    .replace(&self.sheet, fi, bound, steps, withheld, &self.tx);
                self.enrich.column_names_changed();
                Some(Message::info(format!(
                    "{name} changed: values fill in as they are computed"
                )))
            }
            _ => {
                let at = col.map_or(self.sheet.columns().len(), |c| c + 1);
                let col =
                    self.formulas
                        .add(&mut self.sheet, name.clone(), bound, at, withheld, &self.tx);
                self.grid.columns_changed(&self.sheet);
                self.grid.focus_column(&self.sheet, col);
                Some(Message::info(format!(
                    "{name} added: values fill in as they are computed ({} undoes it, = on it edits it)",
                    key_label(Action::Undo)
                )))
            }
        }
    }

    /// Adds the enrichment the picker chose and plans its cells on a worker: the UI thread
    /// only records batches of planned cells as they arrive.
    fn add_enrichment(&mut self, enrichment: NewEnrichment, scope: Scope) {
        let name = enrichment.integration.spec().name;
        let ci = self.enrich.add(&mut self.sheet, enrichment);
        self.grid.columns_changed(&self.sheet);
        let scopes = self.grid.scopes(&self.sheet);
        let request = Request {
            skip_filled: scope.skips_filled(),
            report: Report::Queued(name),
            ..Request::default()
        };
        let rows = scopes.count(scope, self.sheet.row_count());
        let planned = self.enrich.plan(
            &self.sheet,
            &[ci],
            scopes.plan_scope(scope),
            request,
            &self.tx,
        );
        let first_output = self.enrich.columns[ci].outputs.first();
        if let Some(col) = first_output.and_then(|o| self.sheet.column_index(o.column)) {
            self.grid.focus_column(&self.sheet, col);
        }
        self.say(Message::info(if planned {
            format!("{name}: queuing {}…", count(rows, "row"))
        } else {
            format!("{name}: 0 rows queued")
        }));
    }

    /// Saves in the background to `target` (else the sheet's file). Over the sheet's own
    /// file a save first checks that nobody changed it since it was read or saved, unless
    /// the user chose to `overwrite` it.
    fn start_save(&mut self, target: Option<PathBuf>, overwrite: bool) {
        if self.saving.is_some() {
            self.say(Message::info("already saving…"));
            return;
        }
        if let Some(err) = self.sheet.index_error() {
            self.say(Message::error(format!("can't save: {err}")));
            return;
        }
        if !self.sheet.index_progress().done {
            self.say(Message::error(
                "still reading the file; save when the row count is final",
            ));
            self.quit_after_save = false;
            return;
        }
        let path = target.unwrap_or_else(|| self.sheet.path().to_path_buf());
        self.enrich.write_error_columns(&mut self.sheet);
        self.grid.columns_changed(&self.sheet);
        let snapshot = self.sheet.snapshot();
        let tx = self.tx.clone();
        let worker_path = path.clone();
        spawn_worker("leadgrid-save", move || {
            let result = if overwrite {
                snapshot.save_to(&worker_path)
            } else {
                snapshot.save_checked(&worker_path)
            };
            let _ = tx.send(AppEvent::Worker(WorkerResult::Saved {
                path: worker_path,
                result,
            }));
        });
        self.say(Message::info(format!("saving {}…", path.display())));
        self.saving = Some(path);
    }
}
