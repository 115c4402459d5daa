//! The grid: the cursor and the window on the sheet, the view (sort, filter, search),
//! column widths and the row selection. It runs the grid's command table
//! ([`crate::tui::action`]); what reaches beyond it (edits, enrichment jobs, popups) it
//! returns as an [`Intent`].

mod columns;
mod draw;
mod duplicates;
mod enrich_keys;
mod layout;
mod search;
mod selection;
pub mod view;

pub use columns::Columns;
pub use layout::Placed;
pub use search::{Found, Search};
pub use selection::Selection;
pub use view::{Pending, RowFilter, SortSpec, View};

use super::action::{Action, action_for, key_label};
use super::component::{Component, Context, Outcome};
use super::intent::{Intent, Popup, PromptKind};
use super::message::Message;
use super::scope::RowScopes;
use crate::expr;
use crate::table::{RowId, Sheet};
use crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use std::collections::HashSet;
use std::sync::Arc;

/// Terminals drop larger OSC 52 payloads; larger cells are refused with a message.
pub const MAX_COPY: usize = 100_000;

/// The grid's state.
pub struct Grid {
    /// Cursor: index into the view's rows and into the visible columns.
    pub cursor_row: usize,
    pub cursor_col: usize,
    /// First view row and first visible column on screen.
    pub top: usize,
    pub left: usize,
    /// Terminal size (columns, lines).
    pub size: (u16, u16),
    pub columns: Columns,
    pub view: View,
    pub search: Search,
    /// Rows the user marked (picker scope, re-runs).
    pub selection: Selection,
    /// Rows that repeat a key, marked after `U` (by id, so they stay marked as rows move).
    pub duplicates: Option<Arc<HashSet<RowId>>>,
    /// `G` pressed while the file is still loading: keep going to the last row as it grows.
    follow_bottom: bool,
    /// Tags background scans so only the latest one's result is taken.
    generation: u64,
}

impl Grid {
    /// A grid on `sheet`, its columns fitted to the first rows.
    pub fn new(sheet: &Sheet) -> Grid {
        Grid {
            cursor_row: 0,
            cursor_col: 0,
            top: 0,
            left: 0,
            size: (80, 24),
            columns: Columns::new(sheet),
            view: View::default(),
            search: Search::default(),
            selection: Selection::default(),
            duplicates: None,
            follow_bottom: false,
            generation: 0,
        }
    }

    /// Lines available for data rows.
    pub fn body_height(&self) -> usize {
        usize::from(self.size.1.saturating_sub(2)).max(1)
    }

    /// Number of rows in the view.
    pub fn view_rows(&self, sheet: &Sheet) -> usize {
        self.view.len(sheet)
    }

    /// Sheet row position of a view row.
    pub fn row_at(&self, sheet: &Sheet, view_row: usize) -> Option<usize> {
        self.view.row_at(sheet, view_row)
    }

    /// Sheet columns on screen, in order.
    pub fn visible_columns(&self, sheet: &Sheet) -> Vec<usize> {
        self.columns.visible(sheet)
    }

    /// Sheet column under the cursor.
    pub fn current_col(&self, sheet: &Sheet) -> Option<usize> {
        self.visible_columns(sheet).get(self.cursor_col).copied()
    }

    /// Sheet row under the cursor.
    pub fn current_row(&self, sheet: &Sheet) -> Option<usize> {
        self.row_at(sheet, self.cursor_row)
    }

    /// The text of the cell under the cursor.
    pub fn current_cell(&self, sheet: &Sheet) -> String {
        match (self.current_row(sheet), self.current_col(sheet)) {
            (Some(r), Some(c)) => sheet.cell(r, c),
            _ => String::new(),
        }
    }

    /// Width of the row-number gutter.
    pub fn gutter_width(&self, sheet: &Sheet) -> u16 {
        layout::gutter_width(sheet.row_count())
    }

    /// The columns on screen: the pinned ones, then the others from the first scrolled
    /// into view; the last possibly clipped.
    pub fn placed_columns(&self, sheet: &Sheet) -> Vec<Placed> {
        let visible = self.visible_columns(sheet);
        let pinned = self.columns.pinned_shown(sheet).min(visible.len());
        let width_of = |c| self.columns.width_of(sheet, c);
        let mut placed = layout::placed_columns(
            &visible[..pinned],
            0,
            width_of,
            self.gutter_width(sheet),
            self.size.0,
        );
        let x = placed.last().map_or(self.gutter_width(sheet), |p| {
            p.x.saturating_add(width_of(p.col)).saturating_add(1)
        });
        placed.extend(layout::placed_columns(
            &visible,
            self.left.max(pinned),
            width_of,
            x,
            self.size.0,
        ));
        placed
    }

    /// The (view row, visible column) of the data cell at a screen position, if any.
    fn hit(&self, sheet: &Sheet, x: u16, y: u16) -> Option<(usize, usize)> {
        if y == 0 || usize::from(y) > self.body_height() {
            return None;
        }
        let row = self.top + usize::from(y) - 1;
        if row >= self.view_rows(sheet) {
            return None;
        }
        self.placed_columns(sheet)
            .into_iter()
            .find(|p| x >= p.x && x < p.x + p.width + 1)
            .map(|p| (row, p.visible_index))
    }

    /// A sort, filter or search is being computed in the background.
    pub fn is_busy(&self) -> bool {
        self.view.pending.is_some() || self.search.pending.is_some()
    }

    /// The view order and the selection, for the picker's scopes.
    pub fn scopes(&self, sheet: &Sheet) -> RowScopes {
        RowScopes {
            view: self.view.order.clone(),
            selected: self.selection.rows(sheet),
            current: self.current_row(sheet),
        }
    }

    /// What a row command acts on: the selected rows, or else the row under the cursor.
    pub fn rows_to_act_on(&self, sheet: &Sheet) -> Vec<usize> {
        let selected = self.selection.rows(sheet);
        if selected.is_empty() {
            self.current_row(sheet).into_iter().collect()
        } else {
            selected
        }
    }

    fn next_generation(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    /// Carries out one grid command.
    pub fn apply(&mut self, action: Action, ctx: &Context) -> Outcome {
        let sheet = ctx.sheet;
        let page = self.body_height() as i64;
        self.follow_bottom =
            action == Action::Bottom && self.view.order.is_none() && !sheet.index_progress().done;
        let prompt = |kind, text: String| Outcome::from(Intent::Open(Popup::Prompt(kind, text)));
        let outcome = match action {
            Action::MoveUp => self.move_rows(-1),
            Action::MoveDown => self.move_rows(1),
            Action::PageUp => self.move_rows(-page),
            Action::PageDown => self.move_rows(page),
            Action::MoveLeft => self.move_to_col(self.cursor_col.saturating_sub(1)),
            Action::MoveRight => self.move_to_col(self.cursor_col + 1),
            Action::FirstColumn => self.move_to_col(0),
            Action::LastColumn => self.move_to_col(usize::MAX),
            Action::Top => self.move_to_row(0),
            Action::Bottom => self.move_to_row(usize::MAX),
            Action::GoToRow => prompt(PromptKind::GoToRow, String::new()),
            Action::Search => prompt(PromptKind::Search, String::new()),
            Action::SearchNext => self.jump_to_hit(sheet, true),
            Action::SearchPrev => self.jump_to_hit(sheet, false),
            Action::Filter => prompt(
                PromptKind::Filter,
                self.view.last_typed.clone().unwrap_or_default(),
            ),
            Action::ClearView => self.clear(sheet),
            Action::SelectRow => self.toggle_selected(sheet),
            Action::SelectView => {
                let ids = (0..self.view_rows(sheet))
                    .filter_map(|v| self.row_at(sheet, v))
                    .filter_map(|r| sheet.row_id(r))
                    .collect();
                self.selection.toggle_all(ids);
                Intent::Notify(self.selection.said()).into()
            }
            Action::SortAsc | Action::SortDesc => {
                if let Some(col) = self.current_col(sheet) {
                    let descending = action == Action::SortDesc;
                    let col = sheet.columns()[col].id;
                    self.view.sort = Some(SortSpec { col, descending });
                    self.rebuild_view(ctx);
                }
                Outcome::Consumed
            }
            Action::Frequency => match self.current_col(sheet) {
                Some(col) => Intent::CountValues(col).into(),
                None => Outcome::Consumed,
            },
            Action::Duplicates => Intent::FindDuplicates { by_cursor: false }.into(),
            Action::NextDuplicate => self.jump_to_duplicate(sheet, true),
            Action::PrevDuplicate => self.jump_to_duplicate(sheet, false),
            Action::HideColumn => self.hide_current(sheet),
            Action::PinColumn => self.pin_current(sheet),
            Action::ShowColumns => {
                let n = self.columns.hidden.len();
                self.columns.hidden.clear();
                Intent::Notify(Message::info(format!("{n} hidden columns shown"))).into()
            }
            Action::NarrowColumn => self.adjust_width(sheet, -2),
            Action::WidenColumn => self.adjust_width(sheet, 2),
            Action::FitColumn => {
                if let Some(c) = self.current_col(sheet) {
                    let rows: Vec<usize> = (0..self.view_rows(sheet).min(columns::WIDTH_SAMPLE))
                        .filter_map(|v| self.row_at(sheet, self.top + v))
                        .collect();
                    self.columns.fit(sheet, c, &rows);
                }
                Outcome::Consumed
            }
            Action::ViewCell => match self.current_row(sheet) {
                Some(_) => Intent::Open(Popup::CellView).into(),
                None => Outcome::Consumed,
            },
            Action::CopyCell => self.copy_cell(sheet),
            Action::EditCell => match (self.current_row(sheet), self.current_col(sheet)) {
                (Some(row), Some(col)) => {
                    prompt(PromptKind::Edit { row, col }, sheet.cell(row, col))
                }
                _ => Outcome::Consumed,
            },
            Action::InsertRowBelow | Action::InsertRowAbove => {
                let at = match self.current_row(sheet) {
                    Some(r) if action == Action::InsertRowBelow => r + 1,
                    Some(r) => r,
                    None => 0,
                };
                Intent::InsertRow(at).into()
            }
            Action::DeleteRow => Intent::DeleteRows(self.rows_to_act_on(sheet)).into(),
            Action::InsertColumn => {
                let at = self.current_col(sheet).map_or(0, |c| c + 1);
                prompt(PromptKind::InsertColumn { at }, String::new())
            }
            Action::Formula => {
                let col = self.current_col(sheet);
                let text = col
                    .and_then(|c| Some((c, ctx.formulas.at_column(sheet, c)?)))
                    .map(|(c, fi)| {
                        let name = &sheet.columns()[c].name;
                        format!("{name} = {}", ctx.formulas.list[fi].bound.source)
                    });
                prompt(PromptKind::Formula { col }, text.unwrap_or_default())
            }
            Action::DeleteColumn => match self.current_col(sheet) {
                Some(col) => Intent::DeleteColumn(col).into(),
                None => Outcome::Consumed,
            },
            Action::RenameColumn => match self.current_col(sheet) {
                Some(col) => prompt(
                    PromptKind::RenameColumn { col },
                    sheet.columns()[col].name.clone(),
                ),
                None => Outcome::Consumed,
            },
            Action::Undo => Intent::Undo.into(),
            Action::Redo => Intent::Redo.into(),
            Action::Save => Intent::Save.into(),
            Action::SaveAs => prompt(PromptKind::SaveAs, sheet.path().display().to_string()),
            Action::Help => Intent::Open(Popup::Help).into(),
            Action::Quit => Intent::Quit.into(),
            Action::AddEnrichment
            | Action::Inspect
            | Action::NextFailed
            | Action::PrevFailed
            | Action::FailedOnly
            | Action::RerunCell
            | Action::RefreshCell
            | Action::RerunRow
            | Action::RerunColumn
            | Action::RerunUnfinished
            | Action::CancelRun
            | Action::Runs => self.enrich_action(action, ctx),
        };
        self.settle(sheet);
        outcome
    }

    fn move_rows(&mut self, delta: i64) -> Outcome {
        let target = self.cursor_row as i64 + delta;
        self.move_to_row(target.max(0) as usize)
    }

    fn move_to_row(&mut self, row: usize) -> Outcome {
        self.cursor_row = row;
        Outcome::Consumed
    }

    fn move_to_col(&mut self, col: usize) -> Outcome {
        self.cursor_col = col;
        Outcome::Consumed
    }

    /// Puts the cursor on sheet row `row`, if the view shows it.
    pub fn go_to_sheet_row(&mut self, sheet: &Sheet, row: usize) -> Option<Message> {
        if row >= sheet.row_count() {
            return Some(Message::error(format!(
                "row {} is past the end ({} rows)",
                row + 1,
                sheet.row_count()
            )));
        }
        match self.view.view_row_of(row) {
            Some(v) => {
                self.cursor_row = v;
                None
            }
            None => Some(Message::error(format!(
                "row {} is hidden by the filter",
                row + 1
            ))),
        }
    }

    /// Puts the cursor on sheet column `col`, if it is shown.
    pub fn focus_column(&mut self, sheet: &Sheet, col: usize) {
        if let Some(pos) = self.visible_columns(sheet).iter().position(|&c| c == col) {
            self.cursor_col = pos;
        }
    }

    /// Keeps the cursor inside the view and the window around the cursor.
    pub fn settle(&mut self, sheet: &Sheet) {
        self.clamp_cursor(sheet);
        self.scroll_to_cursor(sheet);
    }

    fn clamp_cursor(&mut self, sheet: &Sheet) {
        let rows = self.view_rows(sheet);
        self.cursor_row = self.cursor_row.min(rows.saturating_sub(1));
        let cols = self.visible_columns(sheet).len();
        self.cursor_col = self.cursor_col.min(cols.saturating_sub(1));
        self.top = self.top.min(self.cursor_row);
    }

    /// Moves the window so the cursor is on screen.
    pub fn scroll_to_cursor(&mut self, sheet: &Sheet) {
        let height = self.body_height();
        if self.cursor_row < self.top {
            self.top = self.cursor_row;
        } else if self.cursor_row >= self.top + height {
            self.top = self.cursor_row + 1 - height;
        }
        // Pinned columns stay on screen; the others scroll beside them.
        let pinned = self.columns.pinned_shown(sheet);
        let widths: Vec<u16> = self
            .visible_columns(sheet)
            .iter()
            .map(|&c| self.columns.width_of(sheet, c))
            .collect();
        let span = |from: usize, to: usize| -> usize {
            widths
                .get(from..=to.min(widths.len().saturating_sub(1)))
                .unwrap_or_default()
                .iter()
                .map(|&w| usize::from(w) + 1)
                .sum()
        };
        let pinned_w = if pinned > 0 { span(0, pinned - 1) } else { 0 };
        let avail = (self.size.0.saturating_sub(self.gutter_width(sheet)) as usize)
            .saturating_sub(pinned_w);
        self.left = self.left.max(pinned);
        if self.cursor_col >= pinned {
            self.left = self.left.min(self.cursor_col);
            while self.left < self.cursor_col && span(self.left, self.cursor_col) > avail {
                self.left += 1;
            }
        }
        // No blank space at the right while columns to the left would fit in it (after the
        // terminal grew, or columns were narrowed or hidden).
        let last = widths.len().saturating_sub(1);
        while self.left > pinned && span(self.left - 1, last) <= avail {
            self.left -= 1;
        }
    }

    /// The terminal changed size.
    pub fn resize(&mut self, sheet: &Sheet, w: u16, h: u16) {
        self.size = (w, h);
        self.scroll_to_cursor(sheet);
    }

    /// More of the file was indexed: widths grow to the new rows, and `G` keeps following
    /// the last row until `done`.
    pub fn loading(&mut self, sheet: &Sheet, done: bool) {
        self.columns.widen_to_new_rows(sheet);
        if self.follow_bottom {
            self.cursor_row = usize::MAX;
            self.follow_bottom = !done;
        }
    }

    /// Rows were added or removed: positions in the view order and the hits are stale.
    pub fn rows_changed(&mut self, ctx: &Context) {
        self.search.found = None;
        self.selection.prune(ctx.sheet);
        if self.view.sort.is_some() || self.view.filter.is_some() {
            self.rebuild_view(ctx);
        } else {
            self.view.order = None;
        }
    }

    /// Columns were added, removed or moved.
    pub fn columns_changed(&mut self, sheet: &Sheet) {
        self.columns.changed(sheet);
    }

    fn rebuild_view(&mut self, ctx: &Context) {
        let generation = self.next_generation();
        let withheld = ctx.enrich.withheld(ctx.sheet);
        self.view.rebuild(ctx.sheet, withheld, ctx.tx, generation);
    }

    /// Shows only the rows `filter` keeps (computed in the background).
    pub fn set_filter(&mut self, filter: RowFilter, ctx: &Context) {
        self.view.filter = Some(filter);
        self.rebuild_view(ctx);
    }

    /// The filter prompt's answer: empty shows every row again; text that does not read as
    /// a filter is refused with where and why.
    pub fn filter_by(&mut self, text: &str, ctx: &Context) -> Result<(), expr::FilterError> {
        if text.trim().is_empty() {
            self.view.filter = None;
            self.rebuild_view(ctx);
            return Ok(());
        }
        self.view.last_typed = Some(text.to_string());
        let filter = RowFilter::typed(text, ctx.sheet)?;
        self.set_filter(filter, ctx);
        Ok(())
    }

    /// The search prompt's answer.
    pub fn search_for(&mut self, text: &str, ctx: &Context) {
        let generation = self.next_generation();
        let withheld = ctx.enrich.withheld(ctx.sheet);
        self.search
            .start(text, ctx.sheet, withheld, ctx.tx, generation);
    }

    /// A background sort or filter finished.
    pub fn view_ready(&mut self, generation: u64, order: Vec<u32>) -> Option<Message> {
        let n = order.len();
        if !self.view.ready(generation, order) {
            return None;
        }
        self.cursor_row = 0;
        self.top = 0;
        self.view
            .filter
            .is_some()
            .then(|| Message::info(format!("{} match", super::text::count(n, "row"))))
    }

    /// A background search finished: the cursor goes to the first hit.
    pub fn search_ready(
        &mut self,
        sheet: &Sheet,
        generation: u64,
        hits: Vec<(u32, u32)>,
    ) -> Option<Message> {
        if !self.search.ready(generation, hits) {
            return None;
        }
        match self.jump_to_hit(sheet, true) {
            Outcome::Request(Intent::Notify(message)) => Some(message),
            _ => None,
        }
    }

    fn jump_to_hit(&mut self, sheet: &Sheet, forward: bool) -> Outcome {
        let order = self.view.order.as_deref().map(Vec::as_slice);
        let visible = self.visible_columns(sheet);
        let here = (self.cursor_row, self.cursor_col);
        let message = match self
            .search
            .step(order, sheet.row_count(), &visible, here, forward)
        {
            Ok(((row, col), message)) => {
                self.cursor_row = row;
                self.cursor_col = col;
                message
            }
            Err(message) => message,
        };
        Intent::Notify(message).into()
    }

    /// Esc: drops the selection first, then the sort, filter and search.
    fn clear(&mut self, sheet: &Sheet) -> Outcome {
        if self.selection.clear() {
            return Intent::Notify(Message::info("selection cleared")).into();
        }
        let keep = self.current_row(sheet);
        let had = self.view.clear() | self.search.clear();
        if let Some(r) = keep {
            self.cursor_row = r;
        }
        if had {
            Intent::Notify(Message::info("view cleared: file order, all rows")).into()
        } else {
            Outcome::Consumed
        }
    }

    /// Selects or unselects the row under the cursor, then moves down (so Space, Space, …
    /// marks a run of rows).
    fn toggle_selected(&mut self, sheet: &Sheet) -> Outcome {
        let Some(id) = self.current_row(sheet).and_then(|r| sheet.row_id(r)) else {
            return Outcome::Consumed;
        };
        self.selection.toggle(id);
        self.cursor_row += 1;
        Intent::Notify(self.selection.said()).into()
    }

    /// Pins the column under the cursor at the left (or unpins it), keeping the cursor on it.
    fn pin_current(&mut self, sheet: &Sheet) -> Outcome {
        let Some(c) = self.current_col(sheet) else {
            return Outcome::Consumed;
        };
        let pinned = self.columns.toggle_pin(sheet, c);
        self.focus_column(sheet, c);
        let name = &sheet.columns()[c].display;
        Intent::Notify(Message::info(if pinned {
            format!(
                "column '{name}' pinned: it stays at the left ({} unpins)",
                key_label(Action::PinColumn)
            )
        } else {
            format!("column '{name}' unpinned")
        }))
        .into()
    }

    fn hide_current(&mut self, sheet: &Sheet) -> Outcome {
        if self.visible_columns(sheet).len() <= 1 {
            return Intent::Notify(Message::error("can't hide the last visible column")).into();
        }
        let Some(c) = self.current_col(sheet) else {
            return Outcome::Consumed;
        };
        self.columns.hide(sheet, c);
        Intent::Notify(Message::info(format!(
            "column '{}' hidden ({} to show all)",
            sheet.columns()[c].display,
            key_label(Action::ShowColumns)
        )))
        .into()
    }

    fn adjust_width(&mut self, sheet: &Sheet, delta: i16) -> Outcome {
        if let Some(c) = self.current_col(sheet) {
            self.columns.adjust(sheet, c, delta);
        }
        Outcome::Consumed
    }

    /// Copies the cell under the cursor (its value, as saved) for the terminal's clipboard.
    fn copy_cell(&mut self, sheet: &Sheet) -> Outcome {
        if self.current_row(sheet).is_none() {
            return Outcome::Consumed;
        }
        let text = self.current_cell(sheet);
        if text.len() > MAX_COPY {
            return Intent::Notify(Message::error(
                "this cell is too large for the terminal clipboard (100 KB at most)",
            ))
            .into();
        }
        Intent::Copy(text).into()
    }
}

impl Component for Grid {
    fn handle_key(&mut self, key: KeyEvent, ctx: &Context) -> Outcome {
        match action_for(&key) {
            Some(action) => self.apply(action, ctx),
            None => Outcome::Ignored,
        }
    }

    fn handle_mouse(&mut self, m: MouseEvent, ctx: &Context) -> Outcome {
        let sheet = ctx.sheet;
        let height = self.body_height();
        match m.kind {
            MouseEventKind::ScrollDown => {
                let max_top = self.view_rows(sheet).saturating_sub(height);
                self.top = (self.top + 3).min(max_top);
                self.cursor_row = self.cursor_row.max(self.top).min(self.top + height - 1);
            }
            MouseEventKind::ScrollUp => {
                self.top = self.top.saturating_sub(3);
                self.cursor_row = self.cursor_row.min(self.top + height - 1);
            }
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some((row, col)) = self.hit(sheet, m.column, m.row) {
                    self.cursor_row = row;
                    self.cursor_col = col;
                }
            }
            _ => return Outcome::Ignored,
        }
        self.clamp_cursor(sheet);
        Outcome::Consumed
    }
}
