//! Selected rows: marked by stable row id, so sorting, filtering and edits keep them.
//!
//! A selection is what the picker's "selected rows" scope and the re-run keys act on.

use crate::table::{RowId, Sheet};
use crate::tui::action::{Action, key_label};
use crate::tui::message::Message;
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
    pub fn toggle(&mut self, id: RowId) -> bool {
        if self.rows.remove(&id) {
            false
        } else {
            self.rows.insert(id);
            true
        }
    }

    /// Selects all of `ids`; when every one is selected already, unselects them.
    pub fn toggle_all(&mut self, ids: Vec<RowId>) {
        if ids.iter().all(|id| self.rows.contains(id)) {
            for id in ids {
                self.rows.remove(&id);
            }
        } else {
            self.rows.extend(ids);
        }
    }

    /// Drops the selection; returns whether there was one.
    pub fn clear(&mut self) -> bool {
        let had = !self.rows.is_empty();
        self.rows.clear();
        had
    }

    /// Rows were deleted (or an insert undone): forget them, so counts stay true.
    pub fn prune(&mut self, sheet: &Sheet) {
        self.rows.retain(|&id| sheet.row_of(id).is_some());
    }

    /// Sheet positions of the selected rows still in the sheet, in file order.
    pub fn rows(&self, sheet: &Sheet) -> Vec<usize> {
        let mut rows: Vec<usize> = self
            .rows
            .iter()
            .filter_map(|&id| sheet.row_of(id))
            .collect();
        rows.sort_unstable();
        rows
    }

    /// Whether the sheet row at `row` is selected.
    pub fn has_row(&self, sheet: &Sheet, row: usize) -> bool {
        !self.rows.is_empty() && sheet.row_id(row).is_some_and(|id| self.contains(id))
    }

    /// What the selection is now, and what it is for.
    pub fn said(&self) -> Message {
        if self.rows.is_empty() {
            Message::info("no rows selected")
        } else {
            // The count is in the status bar; the message says what a selection is for.
            Message::info(format!(
                "selection: {} enrich · {} re-run · {} delete · Esc clear",
                key_label(Action::AddEnrichment),
                key_label(Action::RerunRow),
                key_label(Action::DeleteRow)
            ))
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
