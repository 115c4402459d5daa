//! Selected rows: marked by stable row id, so sorting, filtering and edits keep them.
//!
//! A selection is what the picker's "selected rows" scope and the re-run keys act on.

use super::action::{Action, key_label};
use super::app::App;
use crate::table::RowId;
use std::collections::HashSet;

/// The rows the user marked.
#[derive(Debug, Default)]
pub struct Selection {
    rows: HashSet<RowId>,
}

impl Selection {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn contains(&self, id: RowId) -> bool {
        self.rows.contains(&id)
    }

    /// Marks or unmarks a row; returns whether it is selected now.
    fn toggle(&mut self, id: RowId) -> bool {
        if self.rows.remove(&id) {
            false
        } else {
            self.rows.insert(id);
            true
        }
    }

    fn clear(&mut self) {
        self.rows.clear();
    }

    /// Keeps only the rows `exists` still finds.
    fn retain(&mut self, exists: impl Fn(RowId) -> bool) {
        self.rows.retain(|&id| exists(id));
    }

    fn ids(&self) -> impl Iterator<Item = RowId> + '_ {
        self.rows.iter().copied()
    }
}

impl App {
    /// Selects or unselects the row under the cursor, then moves down (so Space, Space, …
    /// marks a run of rows).
    pub(super) fn toggle_selected(&mut self) {
        let Some(id) = self.current_row().and_then(|r| self.sheet.row_id(r)) else {
            return;
        };
        self.selection.toggle(id);
        self.cursor_row += 1;
        self.say_selected();
    }

    /// Selects every row of the current view (all rows, or those the filter shows); with
    /// every one of them selected already, unselects them.
    pub(super) fn select_view(&mut self) {
        let ids: Vec<RowId> = (0..self.view_rows())
            .filter_map(|v| self.row_at(v))
            .filter_map(|r| self.sheet.row_id(r))
            .collect();
        if ids.iter().all(|&id| self.selection.contains(id)) {
            for id in ids {
                self.selection.toggle(id);
            }
        } else {
            self.selection.rows.extend(ids);
        }
        self.say_selected();
    }

    /// Drops the selection; returns whether there was one.
    pub(super) fn clear_selection(&mut self) -> bool {
        if self.selection.is_empty() {
            return false;
        }
        self.selection.clear();
        self.info_message("selection cleared");
        true
    }

    /// Rows were deleted (or an insert undone): forget them, so counts stay true.
    pub(super) fn prune_selection(&mut self) {
        if !self.selection.is_empty() {
            let sheet = &self.sheet;
            self.selection.retain(|id| sheet.row_of(id).is_some());
        }
    }

    /// Sheet positions of the selected rows still in the sheet, in file order.
    pub fn selected_rows(&self) -> Vec<usize> {
        let mut rows: Vec<usize> = self
            .selection
            .ids()
            .filter_map(|id| self.sheet.row_of(id))
            .collect();
        rows.sort_unstable();
        rows
    }

    /// What a row command acts on: the selected rows, or else the row under the cursor.
    pub(super) fn rows_to_act_on(&self) -> Vec<usize> {
        let selected = self.selected_rows();
        if selected.is_empty() {
            self.current_row().into_iter().collect()
        } else {
            selected
        }
    }

    /// Whether the sheet row at `row` is selected.
    pub fn is_selected(&self, row: usize) -> bool {
        !self.selection.is_empty()
            && self
                .sheet
                .row_id(row)
                .is_some_and(|id| self.selection.contains(id))
    }

    fn say_selected(&mut self) {
        if self.selection.is_empty() {
            self.info_message("no rows selected");
        } else {
            // The count is in the status bar; the message says what a selection is for.
            self.info_message(format!(
                "selection: {} enrich · {} re-run · {} delete · Esc clear",
                key_label(Action::AddEnrichment),
                key_label(Action::RerunRow),
                key_label(Action::DeleteRow)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_twice_unselects() {
        let mut s = Selection::default();
        let id = RowId::from_u64(3);
        assert!(s.toggle(id));
        assert!(s.contains(id));
        assert!(!s.toggle(id));
        assert!(s.is_empty());
    }
}
