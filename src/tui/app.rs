//! The application state and `update`, the only place it changes.

use super::action::{Action, action_for};
use super::enrich::Enrichments;
use super::event::{AppEvent, WorkerResult};
use super::layout;
use super::picker::Picker;
use super::view::{self, Filter, Progress, SortSpec};
use crate::table::{Sheet, SheetSnapshot};
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

/// Most search hits kept; beyond that the search stops and says so.
const SEARCH_LIMIT: usize = 1_000_000;
/// Rows sampled to fit column widths.
const WIDTH_SAMPLE: usize = 200;
const MIN_WIDTH: u16 = 3;
const MAX_FIT_WIDTH: u16 = 40;

/// What the bottom line is asking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    GoToRow,
    Search,
    Filter,
    Edit { row: usize, col: usize },
    InsertColumn { at: usize },
    RenameColumn { col: usize },
    SaveAs,
}

impl PromptKind {
    /// The label before the input.
    pub fn label(&self) -> &'static str {
        match self {
            PromptKind::GoToRow => "go to row: ",
            PromptKind::Search => "/",
            PromptKind::Filter => "filter (text, or column = != ~ !~ < > value, column empty): ",
            PromptKind::Edit { .. } => "edit: ",
            PromptKind::InsertColumn { .. } => "new column name: ",
            PromptKind::RenameColumn { .. } => "rename column to: ",
            PromptKind::SaveAs => "save as: ",
        }
    }
}

/// A yes/no question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmKind {
    /// Quit with unsaved changes: save first, discard, or stay.
    QuitUnsaved,
    /// Quit while enrichment jobs are still queued or running.
    QuitRunning,
    /// Cancel every queued and running enrichment job.
    CancelRun,
    /// Cancel the queued and running jobs of enrichment column `ci`.
    CancelColumn { ci: usize },
    /// Pay again for the selected rows of enrichment column `ci` (bypassing the cache).
    Refresh { ci: usize, rows: usize },
}

/// Which screen or popup has the keyboard.
pub enum Mode {
    Normal,
    Prompt {
        kind: PromptKind,
        input: Input,
    },
    Help {
        scroll: u16,
    },
    CellView {
        scroll: u16,
    },
    Confirm(ConfirmKind),
    /// Adding an enrichment column.
    Picker(Box<Picker>),
    /// Looking at one enrichment cell's history.
    Inspector {
        scroll: u16,
    },
    /// The runs panel: one line per enrichment column.
    Runs {
        selected: usize,
    },
    /// A problem that stops normal work until dismissed (e.g. the file turned out not to be UTF-8).
    Fatal(String),
}

/// How serious a status-bar message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// A background scan in progress, identified by generation so stale results are dropped.
pub struct Pending {
    pub generation: u64,
    pub what: &'static str,
    pub progress: Arc<Progress>,
}

/// Search results and where the user is in them.
pub struct SearchState {
    pub needle: String,
    /// (row position, column), in file order.
    pub hits: Vec<(u32, u32)>,
    pub done: bool,
}

/// The whole state of the grid UI.
pub struct App {
    pub sheet: Sheet,
    pub mode: Mode,
    /// Cursor: index into the view's rows and into the visible columns.
    pub cursor_row: usize,
    pub cursor_col: usize,
    /// First view row and first visible column on screen.
    pub top: usize,
    pub left: usize,
    /// Terminal size (columns, lines).
    pub size: (u16, u16),
    /// Width of each sheet column.
    pub widths: Vec<u16>,
    pub hidden: BTreeSet<usize>,
    pub sort: Option<SortSpec>,
    pub filter: Option<Filter>,
    /// Row positions in view order, when sorted or filtered.
    pub order: Option<Arc<Vec<u32>>>,
    pub pending_view: Option<Pending>,
    pub pending_search: Option<Pending>,
    pub search: Option<SearchState>,
    pub message: Option<(String, Level)>,
    /// A save running in the background; edits wait until it ends.
    pub saving: Option<PathBuf>,
    /// Enrichment columns and the engine behind them.
    pub enrich: Enrichments,
    /// The last text copied, numbered so the event loop hands each copy to the terminal once.
    pub copied: Option<(u64, String)>,
    /// Rows the user marked (picker scope, re-runs).
    pub selection: super::selection::Selection,
    /// Enrichments added and removed, for undo and redo.
    pub(super) structure: super::structure::StructureHistory,
    /// The store and run this sheet's enrichments are journaled under.
    pub persist: Option<super::persist::Persistence>,
    quit_after_save: bool,
    /// `G` pressed while the file is still loading: keep going to the last row as it grows.
    follow_bottom: bool,
    /// The file's index was complete at the last tick (so its final state has been drawn).
    loaded: bool,
    /// Rows the column widths were last fitted to (at most the sample size).
    fitted_rows: usize,
    /// Enrichment columns are being restored from the journal in the background.
    pub(super) restoring: bool,
    pub quit: bool,
    generation: u64,
    tx: Sender<AppEvent>,
}

impl App {
    /// A new app on an opened sheet; `tx` carries background results back to the loop.
    pub fn new(sheet: Sheet, tx: Sender<AppEvent>) -> App {
        let mut app = App {
            sheet,
            mode: Mode::Normal,
            cursor_row: 0,
            cursor_col: 0,
            top: 0,
            left: 0,
            size: (80, 24),
            widths: Vec::new(),
            hidden: BTreeSet::new(),
            sort: None,
            filter: None,
            order: None,
            pending_view: None,
            pending_search: None,
            search: None,
            message: None,
            saving: None,
            enrich: Enrichments::default(),
            copied: None,
            selection: Default::default(),
            structure: Default::default(),
            persist: None,
            quit_after_save: false,
            follow_bottom: false,
            loaded: false,
            fitted_rows: 0,
            restoring: false,
            quit: false,
            generation: 0,
            tx,
        };
        app.fit_all_widths();
        if app.sheet.ragged_rows() > 0 {
            app.info(format!(
                "{} rows have more or fewer fields than the header; extra fields are kept on save",
                app.sheet.ragged_rows()
            ));
        }
        app
    }

    /// Applies one event.
    pub fn update(&mut self, event: AppEvent) {
        match event {
            AppEvent::Input(Event::Key(key)) if key.kind != KeyEventKind::Release => self.key(key),
            AppEvent::Input(Event::Mouse(m)) => self.mouse(m),
            AppEvent::Input(Event::Paste(text)) => self.paste(&text),
            AppEvent::Input(Event::Resize(w, h)) => self.resize(w, h),
            AppEvent::Input(_) => {}
            AppEvent::Tick => self.tick(),
            AppEvent::Worker(result) => self.worker_result(result),
            AppEvent::Engine(event) => self.engine_event(event),
        }
    }

    /// Number of rows in the view.
    pub fn view_rows(&self) -> usize {
        match &self.order {
            Some(order) => order.len(),
            None => self.sheet.row_count(),
        }
    }

    /// Sheet row position of a view row.
    pub fn row_at(&self, view_row: usize) -> Option<usize> {
        match &self.order {
            Some(order) => order.get(view_row).map(|&p| p as usize),
            None => (view_row < self.sheet.row_count()).then_some(view_row),
        }
    }

    /// Sheet columns on screen, in order.
    pub fn visible_columns(&self) -> Vec<usize> {
        (0..self.sheet.columns().len())
            .filter(|c| !self.hidden.contains(c))
            .collect()
    }

    /// Sheet column under the cursor.
    pub fn current_col(&self) -> Option<usize> {
        self.visible_columns().get(self.cursor_col).copied()
    }

    /// Sheet row under the cursor.
    pub fn current_row(&self) -> Option<usize> {
        self.row_at(self.cursor_row)
    }

    /// The text of the cell under the cursor.
    pub fn current_cell(&self) -> String {
        match (self.current_row(), self.current_col()) {
            (Some(r), Some(c)) => self.sheet.cell(r, c),
            _ => String::new(),
        }
    }

    /// Whether there is anything not yet saved.
    pub fn is_dirty(&self) -> bool {
        self.sheet.is_dirty()
    }

    /// Whether something is running that needs periodic redraws.
    pub fn is_busy(&self) -> bool {
        !self.loaded
            || self.pending_view.is_some()
            || self.pending_search.is_some()
            || self.saving.is_some()
            || self.restoring
            || self.enrich.is_running()
            || (matches!(self.mode, Mode::Inspector { .. })
                && self
                    .current_enrichment_cell()
                    .is_some_and(|(_, cell)| cell.is_some_and(|c| c.calls_in_journal)))
            || matches!(&self.mode, Mode::Picker(p) if p.estimate_generation > 0 && p.cache_estimate.is_none())
    }

    /// Lines available for data rows.
    pub fn body_height(&self) -> usize {
        usize::from(self.size.1.saturating_sub(2)).max(1)
    }

    fn info(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), Level::Info));
    }

    fn error(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), Level::Error));
    }

    /// Where background workers send their results.
    pub(super) fn tx(&self) -> Sender<AppEvent> {
        self.tx.clone()
    }

    pub(super) fn info_message(&mut self, text: impl Into<String>) {
        self.info(text);
    }

    pub(super) fn error_message(&mut self, text: impl Into<String>) {
        self.error(text);
    }

    fn resize(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        self.scroll_to_cursor();
    }

    fn tick(&mut self) {
        self.enrich.tick();
        if let Some(err) = self.sheet.index_error()
            && !matches!(self.mode, Mode::Fatal(_))
        {
            self.mode = Mode::Fatal(err.to_string());
        }
        // Read once: the index may finish between two looks.
        let done = self.sheet.index_progress().done;
        self.widen_to_new_rows();
        if self.follow_bottom {
            self.cursor_row = usize::MAX;
            self.follow_bottom = !done;
        }
        if done && !self.loaded {
            self.restore_enrichments();
        }
        self.loaded = done;
        self.clamp_cursor();
        self.scroll_to_cursor();
    }

    fn key(&mut self, key: KeyEvent) {
        match &mut self.mode {
            Mode::Normal => {
                self.message = None;
                if let Some(action) = action_for(&key) {
                    self.apply(action);
                }
            }
            Mode::Prompt { .. } => self.prompt_key(key),
            Mode::Help { scroll } | Mode::CellView { scroll } => match key.code {
                KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
                KeyCode::PageDown => *scroll = scroll.saturating_add(10),
                KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                _ => self.mode = Mode::Normal,
            },
            Mode::Picker(_) => self.picker_key(key),
            Mode::Runs { .. } => self.runs_key(key),
            Mode::Inspector { scroll } => match key.code {
                KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
                KeyCode::PageDown => *scroll = scroll.saturating_add(10),
                KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                KeyCode::Char('r') => {
                    self.mode = Mode::Normal;
                    self.apply(Action::RerunCell);
                }
                KeyCode::Char('R') => {
                    self.mode = Mode::Normal;
                    self.apply(Action::RerunRow);
                }
                KeyCode::Char('f') => {
                    self.mode = Mode::Normal;
                    self.apply(Action::RefreshCell);
                }
                _ => self.mode = Mode::Normal,
            },
            Mode::Confirm(kind) => {
                let kind = *kind;
                self.confirm_key(kind, key);
            }
            Mode::Fatal(_) => match key.code {
                KeyCode::Char('q') | KeyCode::Esc | KeyCode::Enter => self.quit = true,
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    self.quit = true
                }
                _ => {}
            },
        }
    }

    fn confirm_key(&mut self, kind: ConfirmKind, key: KeyEvent) {
        match (kind, key.code) {
            (ConfirmKind::QuitUnsaved, KeyCode::Char('y') | KeyCode::Char('s')) => {
                self.mode = Mode::Normal;
                self.quit_after_save = true;
                self.start_save(None);
            }
            (ConfirmKind::QuitUnsaved, KeyCode::Char('n') | KeyCode::Char('d')) => {
                self.quit = true;
            }
            (ConfirmKind::QuitRunning, KeyCode::Char('y')) => {
                self.mode = Mode::Normal;
                self.cancel_all();
                if self.is_dirty() {
                    self.mode = Mode::Confirm(ConfirmKind::QuitUnsaved);
                } else {
                    self.quit = true;
                }
            }
            (ConfirmKind::CancelRun, KeyCode::Char('y')) => {
                self.mode = Mode::Normal;
                self.cancel_all();
            }
            (ConfirmKind::CancelColumn { ci }, KeyCode::Char('y')) => {
                self.mode = Mode::Runs { selected: ci };
                self.cancel_column(ci);
                self.info_message("column cancelled: its cancelled cells are skipped (r re-runs)");
            }
            (ConfirmKind::Refresh { ci, .. }, KeyCode::Char('y')) => {
                self.mode = Mode::Normal;
                let rows = self.rows_to_act_on();
                self.refresh(ci, &rows);
            }
            _ => {
                self.mode = match kind {
                    ConfirmKind::CancelColumn { ci } => Mode::Runs { selected: ci },
                    _ => Mode::Normal,
                };
                self.info(match kind {
                    ConfirmKind::CancelRun | ConfirmKind::CancelColumn { .. } => "run goes on",
                    ConfirmKind::Refresh { .. } => "nothing refreshed",
                    _ => "quit cancelled",
                });
            }
        }
    }

    /// Carries out one command.
    pub fn apply(&mut self, action: Action) {
        let page = self.body_height();
        self.follow_bottom =
            action == Action::Bottom && self.order.is_none() && !self.sheet.index_progress().done;
        match action {
            Action::MoveUp => self.move_rows(-1),
            Action::MoveDown => self.move_rows(1),
            Action::PageUp => self.move_rows(-(page as i64)),
            Action::PageDown => self.move_rows(page as i64),
            Action::MoveLeft => self.cursor_col = self.cursor_col.saturating_sub(1),
            Action::MoveRight => self.cursor_col += 1,
            Action::FirstColumn => self.cursor_col = 0,
            Action::LastColumn => self.cursor_col = usize::MAX,
            Action::Top => self.cursor_row = 0,
            Action::Bottom => self.cursor_row = usize::MAX,
            Action::GoToRow => self.prompt(PromptKind::GoToRow, String::new()),
            Action::Search => self.prompt(PromptKind::Search, String::new()),
            Action::SearchNext => self.jump_to_hit(true),
            Action::SearchPrev => self.jump_to_hit(false),
            Action::Filter => self.prompt(PromptKind::Filter, String::new()),
            Action::ClearView => {
                if !self.clear_selection() {
                    self.clear_view();
                }
            }
            Action::SelectRow => self.toggle_selected(),
            Action::SelectView => self.select_view(),
            Action::SortAsc | Action::SortDesc => self.sort_by_current(action == Action::SortDesc),
            Action::HideColumn => self.hide_current(),
            Action::ShowColumns => {
                let n = self.hidden.len();
                self.hidden.clear();
                self.info(format!("{n} hidden columns shown"));
            }
            Action::NarrowColumn => self.adjust_width(-2),
            Action::WidenColumn => self.adjust_width(2),
            Action::FitColumn => {
                if let Some(c) = self.current_col() {
                    self.fit_width(c);
                }
            }
            Action::ViewCell => {
                if self.current_row().is_some() {
                    self.mode = Mode::CellView { scroll: 0 };
                }
            }
            Action::CopyCell => self.copy_cell(),
            Action::EditCell => {
                if let (Some(row), Some(col)) = (self.current_row(), self.current_col()) {
                    let value = self.sheet.cell(row, col);
                    self.prompt(PromptKind::Edit { row, col }, value);
                }
            }
            Action::InsertRowBelow | Action::InsertRowAbove => self.insert_row(action),
            Action::DeleteRow => self.delete_row(),
            Action::InsertColumn => {
                let at = self.current_col().map_or(0, |c| c + 1);
                self.prompt(PromptKind::InsertColumn { at }, String::new());
            }
            Action::DeleteColumn => self.delete_column(),
            Action::RenameColumn => {
                if let Some(col) = self.current_col() {
                    let name = self.sheet.columns()[col].name.clone();
                    self.prompt(PromptKind::RenameColumn { col }, name);
                }
            }
            Action::Undo => self.undo_redo(true),
            Action::Redo => self.undo_redo(false),
            Action::Save => self.start_save(None),
            Action::SaveAs => {
                let current = self.sheet.path().display().to_string();
                self.prompt(PromptKind::SaveAs, current);
            }
            Action::Help => self.mode = Mode::Help { scroll: 0 },
            Action::Quit => {
                if self.enrich.is_running() {
                    self.mode = Mode::Confirm(ConfirmKind::QuitRunning);
                } else if self.is_dirty() {
                    self.mode = Mode::Confirm(ConfirmKind::QuitUnsaved);
                } else {
                    self.quit = true;
                }
            }
            Action::AddEnrichment
            | Action::Inspect
            | Action::NextFailed
            | Action::PrevFailed
            | Action::FailedOnly
            | Action::RerunCell
            | Action::RefreshCell
            | Action::RerunRow
            | Action::RerunColumn
            | Action::RerunFailed
            | Action::CancelRun
            | Action::Runs => self.enrich_action(action),
        }
        self.clamp_cursor();
        self.scroll_to_cursor();
    }

    /// Copies the cell under the cursor (its value, as saved) for the terminal's clipboard.
    fn copy_cell(&mut self) {
        if self.current_row().is_none() {
            return;
        }
        let text = self.current_cell();
        if text.len() > super::clipboard::MAX_COPY {
            self.error("this cell is too large for the terminal clipboard (100 KB at most)");
            return;
        }
        let n = self.copied.as_ref().map_or(1, |(n, _)| n + 1);
        self.info(format!(
            "copied {} to the clipboard",
            layout::count(text.chars().count(), "character")
        ));
        self.copied = Some((n, text));
    }

    fn move_rows(&mut self, delta: i64) {
        let target = self.cursor_row as i64 + delta;
        self.cursor_row = target.max(0) as usize;
    }

    fn clamp_cursor(&mut self) {
        let rows = self.view_rows();
        self.cursor_row = self.cursor_row.min(rows.saturating_sub(1));
        let cols = self.visible_columns().len();
        self.cursor_col = self.cursor_col.min(cols.saturating_sub(1));
        self.top = self.top.min(self.cursor_row);
    }

    /// Moves the window so the cursor is on screen.
    pub fn scroll_to_cursor(&mut self) {
        let height = self.body_height();
        if self.cursor_row < self.top {
            self.top = self.cursor_row;
        } else if self.cursor_row >= self.top + height {
            self.top = self.cursor_row + 1 - height;
        }
        if self.cursor_col < self.left {
            self.left = self.cursor_col;
        }
        let visible = self.visible_columns();
        let widths: Vec<u16> = visible.iter().map(|&c| self.width_of(c)).collect();
        let avail = self.size.0.saturating_sub(layout::gutter_width(self)) as usize;
        while self.left < self.cursor_col {
            let used: usize = widths
                [self.left..=self.cursor_col.min(widths.len().saturating_sub(1))]
                .iter()
                .map(|&w| usize::from(w) + 1)
                .sum();
            if used <= avail {
                break;
            }
            self.left += 1;
        }
    }

    /// Width of a sheet column on screen.
    pub fn width_of(&self, col: usize) -> u16 {
        self.widths.get(col).copied().unwrap_or(10)
    }

    fn fit_all_widths(&mut self) {
        self.widths = self.fitted_widths();
    }

    /// Widths fitted to the header and the first rows, remembering how many rows were there.
    fn fitted_widths(&mut self) -> Vec<u16> {
        let rows: Vec<Vec<String>> = (0..self.sheet.row_count().min(WIDTH_SAMPLE))
            .map(|r| self.sheet.row_cells(r))
            .collect();
        self.fitted_rows = rows.len();
        (0..self.sheet.columns().len())
            .map(|c| {
                fitted_width(
                    &self.sheet.columns()[c].display,
                    rows.iter().map(|r| r.get(c)),
                )
            })
            .collect()
    }

    /// A large file's first screen is drawn before its first rows are indexed: once more of
    /// the sample has arrived, columns grow to fit it (never shrink, so a width set by hand stays).
    fn widen_to_new_rows(&mut self) {
        if self.fitted_rows >= WIDTH_SAMPLE || self.sheet.row_count() <= self.fitted_rows {
            return;
        }
        let fitted = self.fitted_widths();
        for (width, fit) in self.widths.iter_mut().zip(fitted) {
            *width = (*width).max(fit);
        }
    }

    fn fit_width(&mut self, col: usize) {
        let rows: Vec<Vec<String>> = (0..self.view_rows().min(WIDTH_SAMPLE))
            .filter_map(|v| self.row_at(self.top + v))
            .map(|r| self.sheet.row_cells(r))
            .collect();
        if let Some(column) = self.sheet.columns().get(col) {
            let w = fitted_width(&column.display, rows.iter().map(|r| r.get(col)));
            if let Some(slot) = self.widths.get_mut(col) {
                *slot = w;
            }
        }
    }

    /// Widens a column (up to the fitting limit) so a value that just arrived shows whole.
    pub(super) fn grow_to_fit(&mut self, col: usize, value: &str) {
        let wanted =
            (layout::text_width(&crate::sanitize::for_display(value)) as u16).min(MAX_FIT_WIDTH);
        if let Some(w) = self.widths.get_mut(col)
            && *w < wanted
        {
            *w = wanted;
        }
    }

    fn adjust_width(&mut self, delta: i16) {
        if let Some(c) = self.current_col()
            && let Some(w) = self.widths.get_mut(c)
        {
            *w = w.saturating_add_signed(delta).clamp(MIN_WIDTH, 200);
        }
    }

    /// Keeps widths and hidden columns in step after the column set changed.
    pub(super) fn columns_changed(&mut self) {
        if self.widths.len() != self.sheet.columns().len() {
            self.hidden.clear();
            self.fit_all_widths();
        }
    }

    fn hide_current(&mut self) {
        if self.visible_columns().len() <= 1 {
            self.error("can't hide the last visible column");
            return;
        }
        if let Some(c) = self.current_col() {
            self.hidden.insert(c);
            let name = self.sheet.columns()[c].display.clone();
            self.info(format!(
                "column '{name}' hidden ({} to show all)",
                super::action::key_label(Action::ShowColumns)
            ));
        }
    }

    fn prompt(&mut self, kind: PromptKind, initial: String) {
        if self.saving.is_some() && is_edit_prompt(kind) {
            self.error("saving… try again in a moment");
            return;
        }
        self.mode = Mode::Prompt {
            kind,
            input: Input::new(initial),
        };
    }

    fn prompt_key(&mut self, key: KeyEvent) {
        let Mode::Prompt { kind, input } = &mut self.mode else {
            return;
        };
        match key.code {
            KeyCode::Esc => self.mode = Mode::Normal,
            KeyCode::Enter => {
                let kind = *kind;
                let value = input.value().to_string();
                self.mode = Mode::Normal;
                self.submit_prompt(kind, value);
                self.clamp_cursor();
                self.scroll_to_cursor();
            }
            _ => {
                if let Some(req) = to_input_request(&Event::Key(key)) {
                    input.handle(req);
                }
            }
        }
    }

    fn paste(&mut self, text: &str) {
        if let Mode::Prompt { input, .. } = &mut self.mode {
            for c in text.chars().filter(|c| *c != '\r') {
                input.handle(tui_input::InputRequest::InsertChar(c));
            }
        }
    }

    fn submit_prompt(&mut self, kind: PromptKind, value: String) {
        match kind {
            PromptKind::GoToRow => match value.trim().parse::<usize>() {
                Ok(n) if n >= 1 => self.go_to_sheet_row(n - 1),
                _ => self.error(format!("not a row number: '{}'", value.trim())),
            },
            PromptKind::Search => self.start_search(value),
            PromptKind::Filter => {
                if value.trim().is_empty() {
                    self.filter = None;
                    self.rebuild_view();
                    return;
                }
                let headers: Vec<String> = self
                    .sheet
                    .columns()
                    .iter()
                    .map(|c| c.display.clone())
                    .collect();
                match Filter::parse(&value, &headers) {
                    Ok(f) => {
                        self.filter = Some(f);
                        self.rebuild_view();
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            PromptKind::Edit { row, col } => {
                if self.sheet.cell(row, col) != value {
                    self.sheet.set_cell(row, col, value);
                    self.input_edited(row, col);
                }
            }
            PromptKind::InsertColumn { at } => {
                let name = value.trim().to_string();
                if name.is_empty() {
                    self.error("a column needs a name");
                    return;
                }
                let col = self.sheet.insert_column(at, name);
                self.columns_changed();
                if let Some(pos) = self.visible_columns().iter().position(|&c| c == col) {
                    self.cursor_col = pos;
                }
            }
            PromptKind::RenameColumn { col } => {
                let name = value.trim().to_string();
                if name.is_empty() {
                    self.error("a column needs a name");
                } else {
                    self.sheet.rename_column(col, name);
                }
            }
            PromptKind::SaveAs => {
                let path = PathBuf::from(value.trim());
                if value.trim().is_empty() {
                    self.error("no file name given");
                } else {
                    self.start_save(Some(path));
                }
            }
        }
    }

    /// Applies a filter to the view (built in the background).
    pub(super) fn set_filter(&mut self, filter: Filter) {
        self.filter = Some(filter);
        self.rebuild_view();
    }

    fn go_to_sheet_row(&mut self, row: usize) {
        if row >= self.sheet.row_count() {
            self.error(format!(
                "row {} is past the end ({} rows)",
                row + 1,
                self.sheet.row_count()
            ));
            return;
        }
        let view_row = match &self.order {
            Some(order) => order.iter().position(|&p| p as usize == row),
            None => Some(row),
        };
        match view_row {
            Some(v) => self.cursor_row = v,
            None => self.error(format!("row {} is hidden by the filter", row + 1)),
        }
    }

    fn edits_blocked(&mut self) -> bool {
        if self.saving.is_some() {
            self.error("saving… try again in a moment");
            return true;
        }
        false
    }

    fn insert_row(&mut self, action: Action) {
        if self.edits_blocked() {
            return;
        }
        let at = match self.current_row() {
            Some(r) if action == Action::InsertRowBelow => r + 1,
            Some(r) => r,
            None => 0,
        };
        self.sheet.insert_row(at);
        self.structure_changed();
        self.go_to_sheet_row(at);
    }

    /// Deletes the selected rows (one undo step), or else the row under the cursor.
    fn delete_row(&mut self) {
        if self.edits_blocked() {
            return;
        }
        let rows = self.rows_to_act_on();
        let what = match rows.as_slice() {
            [] => return,
            [one] => format!("row {}", one + 1),
            many => layout::count(many.len(), "row"),
        };
        self.sheet.delete_rows(&rows);
        self.structure_changed();
        self.info(format!(
            "{what} deleted ({} to undo)",
            super::action::key_label(Action::Undo)
        ));
    }

    fn delete_column(&mut self) {
        if self.edits_blocked() {
            return;
        }
        if let Some(c) = self.current_col() {
            let name = self.sheet.columns()[c].display.clone();
            self.sheet.delete_column(c);
            self.columns_changed();
            self.info(format!(
                "column '{name}' deleted ({} to undo)",
                super::action::key_label(Action::Undo)
            ));
        }
    }

    fn undo_redo(&mut self, undo: bool) {
        if self.edits_blocked() {
            return;
        }
        let rows_before = self.sheet.row_count();
        self.prune_structure();
        let done = if undo {
            self.sheet.undo()
        } else {
            self.sheet.redo()
        };
        if !done {
            self.info(if undo {
                "nothing to undo"
            } else {
                "nothing to redo"
            });
            return;
        }
        self.sync_structure();
        self.columns_changed();
        if self.sheet.row_count() != rows_before {
            self.structure_changed();
        }
    }

    /// Rows were added or removed: positions in the view order are stale.
    fn structure_changed(&mut self) {
        self.search = None;
        self.prune_selection();
        if self.sort.is_some() || self.filter.is_some() {
            self.rebuild_view();
        } else {
            self.order = None;
        }
    }

    fn sort_by_current(&mut self, descending: bool) {
        let Some(col) = self.current_col() else {
            return;
        };
        self.sort = Some(SortSpec { col, descending });
        self.rebuild_view();
    }

    fn clear_view(&mut self) {
        let had = self.sort.is_some() || self.filter.is_some() || self.search.is_some();
        let keep = self.current_row();
        self.sort = None;
        self.filter = None;
        self.order = None;
        self.search = None;
        for pending in [self.pending_view.take(), self.pending_search.take()]
            .into_iter()
            .flatten()
        {
            pending.progress.cancel();
        }
        if let Some(r) = keep {
            self.cursor_row = r;
        }
        if had {
            self.info("view cleared: file order, all rows");
        }
    }

    fn next_generation(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    /// Recomputes the view order in the background for the current sort and filter.
    fn rebuild_view(&mut self) {
        if let Some(p) = self.pending_view.take() {
            p.progress.cancel();
        }
        if self.sort.is_none() && self.filter.is_none() {
            self.order = None;
            return;
        }
        let generation = self.next_generation();
        let progress = Arc::new(Progress::default());
        let snapshot = self.sheet.snapshot();
        let (sort, filter) = (self.sort, self.filter.clone());
        let tx = self.tx.clone();
        let worker_progress = progress.clone();
        spawn_worker("leadgrid-view", move || {
            if let Some(order) =
                view::build_order(&snapshot, sort, filter.as_ref(), &worker_progress)
            {
                let _ = tx.send(AppEvent::Worker(WorkerResult::View { generation, order }));
            }
        });
        self.pending_view = Some(Pending {
            generation,
            what: if self.sort.is_some() {
                "sorting"
            } else {
                "filtering"
            },
            progress,
        });
    }

    fn start_search(&mut self, needle: String) {
        if let Some(p) = self.pending_search.take() {
            p.progress.cancel();
        }
        let needle = needle.trim().to_lowercase();
        if needle.is_empty() {
            self.search = None;
            return;
        }
        let generation = self.next_generation();
        let progress = Arc::new(Progress::default());
        let snapshot: SheetSnapshot = self.sheet.snapshot();
        let tx = self.tx.clone();
        let worker_progress = progress.clone();
        let worker_needle = needle.clone();
        spawn_worker("leadgrid-search", move || {
            if let Some(hits) =
                view::search(&snapshot, &worker_needle, SEARCH_LIMIT, &worker_progress)
            {
                let _ = tx.send(AppEvent::Worker(WorkerResult::Search { generation, hits }));
            }
        });
        self.search = Some(SearchState {
            needle,
            hits: Vec::new(),
            done: false,
        });
        self.pending_search = Some(Pending {
            generation,
            what: "searching",
            progress,
        });
    }

    /// Moves to the next (or previous) search hit in view order, wrapping around.
    fn jump_to_hit(&mut self, forward: bool) {
        let Some(search) = &self.search else {
            self.info(format!(
                "no search: press {} to search",
                super::action::key_label(Action::Search)
            ));
            return;
        };
        if !search.done {
            self.info("still searching…");
            return;
        }
        let visible = self.visible_columns();
        // Hits as (view row, visible column index), in view order.
        let mut hits: Vec<(usize, usize)> = match &self.order {
            None => search
                .hits
                .iter()
                .filter_map(|&(r, c)| {
                    Some((r as usize, visible.iter().position(|&v| v == c as usize)?))
                })
                .collect(),
            Some(order) => {
                let mut view_of = vec![u32::MAX; self.sheet.row_count()];
                for (v, &p) in order.iter().enumerate() {
                    if let Some(slot) = view_of.get_mut(p as usize) {
                        *slot = v as u32;
                    }
                }
                search
                    .hits
                    .iter()
                    .filter_map(|&(r, c)| {
                        let v = *view_of.get(r as usize)?;
                        (v != u32::MAX).then_some(())?;
                        Some((v as usize, visible.iter().position(|&x| x == c as usize)?))
                    })
                    .collect()
            }
        };
        hits.sort_unstable();
        if hits.is_empty() {
            let needle = search.needle.clone();
            self.error(format!("'{needle}' not found"));
            return;
        }
        let here = (self.cursor_row, self.cursor_col);
        let target = if forward {
            hits.iter().find(|&&h| h > here).or(hits.first())
        } else {
            hits.iter().rev().find(|&&h| h < here).or(hits.last())
        };
        if let Some(&(r, c)) = target {
            let index = hits.iter().position(|&h| h == (r, c)).unwrap_or(0) + 1;
            self.cursor_row = r;
            self.cursor_col = c;
            self.info(format!("match {index}/{}", hits.len()));
        }
    }

    fn worker_result(&mut self, result: WorkerResult) {
        match result {
            WorkerResult::View { generation, order } => {
                if self
                    .pending_view
                    .as_ref()
                    .is_some_and(|p| p.generation == generation)
                {
                    self.pending_view = None;
                    let n = order.len();
                    self.order = Some(Arc::new(order));
                    self.cursor_row = 0;
                    self.top = 0;
                    if self.filter.is_some() {
                        self.info(format!("{n} rows match"));
                    }
                }
            }
            WorkerResult::Search { generation, hits } => {
                if self
                    .pending_search
                    .as_ref()
                    .is_some_and(|p| p.generation == generation)
                {
                    self.pending_search = None;
                    if let Some(search) = &mut self.search {
                        search.hits = hits;
                        search.done = true;
                    }
                    self.jump_to_hit(true);
                }
            }
            WorkerResult::Restored(columns) => self.apply_restored(columns),
            WorkerResult::JournalCalls { column, row, calls } => {
                self.apply_journaled_calls(column, row, calls)
            }
            WorkerResult::CacheEstimate(estimate) => {
                if let Mode::Picker(picker) = &mut self.mode
                    && picker.estimate_generation == estimate.generation
                {
                    picker.cache_estimate = Some(estimate);
                }
            }
            WorkerResult::Saved { path, result } => {
                self.saving = None;
                match result {
                    Ok(saved) => {
                        self.sheet.mark_saved(saved);
                        self.info(format!("saved {}", path.display()));
                        if self.quit_after_save {
                            self.quit = true;
                        }
                    }
                    Err(e) => {
                        self.quit_after_save = false;
                        self.error(format!("not saved: {e} (your data is still here)"));
                    }
                }
            }
        }
        self.clamp_cursor();
        self.scroll_to_cursor();
    }

    fn start_save(&mut self, target: Option<PathBuf>) {
        if self.saving.is_some() {
            self.info("already saving…");
            return;
        }
        if let Some(err) = self.sheet.index_error() {
            self.error(format!("can't save: {err}"));
            return;
        }
        if !self.sheet.index_progress().done {
            self.error("still reading the file; save when the row count is final");
            self.quit_after_save = false;
            return;
        }
        let path = target.unwrap_or_else(|| self.sheet.path().to_path_buf());
        self.write_error_columns();
        let snapshot = self.sheet.snapshot();
        let tx = self.tx.clone();
        let worker_path = path.clone();
        spawn_worker("leadgrid-save", move || {
            let result = snapshot.save_checked(&worker_path);
            let _ = tx.send(AppEvent::Worker(WorkerResult::Saved {
                path: worker_path,
                result,
            }));
        });
        self.info(format!("saving {}…", path.display()));
        self.saving = Some(path);
    }

    fn mouse(&mut self, m: MouseEvent) {
        if !matches!(self.mode, Mode::Normal) {
            match (m.kind, &mut self.mode) {
                (MouseEventKind::ScrollDown, Mode::Help { scroll } | Mode::CellView { scroll }) => {
                    *scroll = scroll.saturating_add(3)
                }
                (MouseEventKind::ScrollUp, Mode::Help { scroll } | Mode::CellView { scroll }) => {
                    *scroll = scroll.saturating_sub(3)
                }
                _ => {}
            }
            return;
        }
        match m.kind {
            MouseEventKind::ScrollDown => {
                let max_top = self.view_rows().saturating_sub(self.body_height());
                self.top = (self.top + 3).min(max_top);
                self.cursor_row = self
                    .cursor_row
                    .max(self.top)
                    .min(self.top + self.body_height() - 1);
                self.clamp_cursor();
            }
            MouseEventKind::ScrollUp => {
                self.top = self.top.saturating_sub(3);
                self.cursor_row = self.cursor_row.min(self.top + self.body_height() - 1);
            }
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some((row, col)) = layout::hit(self, m.column, m.row) {
                    self.cursor_row = row;
                    self.cursor_col = col;
                    self.clamp_cursor();
                }
            }
            _ => {}
        }
    }
}

fn is_edit_prompt(kind: PromptKind) -> bool {
    matches!(
        kind,
        PromptKind::Edit { .. }
            | PromptKind::InsertColumn { .. }
            | PromptKind::RenameColumn { .. }
            | PromptKind::SaveAs
    )
}

/// Width that shows the header and most sampled values, within bounds.
fn fitted_width<'a>(header: &str, values: impl Iterator<Item = Option<&'a String>>) -> u16 {
    let header_w = layout::text_width(header) + 2;
    let widest = values
        .flatten()
        .map(|v| layout::text_width(&crate::sanitize::for_display(v)))
        .max()
        .unwrap_or(0);
    (header_w.max(widest) as u16).clamp(MIN_WIDTH, MAX_FIT_WIDTH)
}

pub(super) fn spawn_worker(name: &str, f: impl FnOnce() + Send + 'static) {
    // A worker that can't start is reported by its missing result; the UI stays usable.
    let _ = std::thread::Builder::new().name(name.to_string()).spawn(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::OpenOptions;

    #[test]
    fn columns_grow_once_the_first_rows_arrive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("leads.csv");
        std::fs::write(&path, "n,email\n1,ada.quill@brightforge.example\n").expect("write");
        let sheet = Sheet::open(&path, &OpenOptions::default()).expect("open");
        let (tx, _rx) = std::sync::mpsc::channel();
        let mut app = App::new(sheet, tx);
        let fitted = app.widths.clone();
        assert_eq!(fitted[1], "ada.quill@brightforge.example".len() as u16);
        // As if the first screen had been drawn before the index held a row; a column the
        // user widened by hand keeps its width.
        app.fitted_rows = 0;
        app.widths = vec![12, MIN_WIDTH];
        app.update(AppEvent::Tick);
        assert_eq!(app.widths, [12, fitted[1]]);
    }
}
