//! Adding and removing enrichments as sheet edits: the output columns change as one undo
//! step, and undoing the removal of an enrichment brings back its columns *and* the
//! enrichment (cells, states, inspector history); undoing its addition withdraws it; redo
//! does the reverse.

use super::{EnrichColumn, Enrichments, NewEnrichment};
use crate::cell::{CellState, SkipReason};
use crate::table::Sheet;
use crate::tui::action::{Action, key_label};
use crate::tui::message::Message;

impl Enrichments {
    /// Adds an enrichment the user chose: its output columns are appended as one undo step.
    /// Returns its index.
    pub fn add(&mut self, sheet: &mut Sheet, new: NewEnrichment) -> usize {
        self.definitions_changed = true;
        self.bring_back(sheet, new)
    }

    /// Adds an enrichment saved with the store (its definition is saved already); undoable
    /// like one added by hand. Returns its index.
    pub fn bring_back(&mut self, sheet: &mut Sheet, new: NewEnrichment) -> usize {
        let before = append_output_columns(sheet, &new.outputs);
        let id = self.allocate_id();
        self.columns.push(EnrichColumn::new(
            id,
            new.integration,
            new.sources,
            new.outputs,
        ));
        self.history.record(before, sheet.undo_depth(), id, None);
        self.columns.len() - 1
    }

    /// Removes an enrichment and its output columns (one undo step brings both back).
    pub fn remove(&mut self, sheet: &mut Sheet, ci: usize) -> Option<Message> {
        if ci >= self.columns.len() {
            return None;
        }
        self.cancel_column(ci);
        let column = self.columns.remove(ci);
        let before = sheet.undo_depth();
        sheet.as_one_step(|sheet| {
            for name in column.outputs.iter().rev() {
                if let Some(col) = sheet.columns().iter().position(|c| c.name == *name) {
                    sheet.delete_column(col);
                }
            }
        });
        let name = column.integration.spec().name;
        self.history
            .record(before, sheet.undo_depth(), column.id, Some(column));
        self.definitions_changed = true;
        Some(Message::info(format!(
            "removed {name} ({} brings it back with its cells)",
            key_label(Action::Undo)
        )))
    }

    /// Undoes (or redoes) the sheet's last edit, and brings enrichments in line with it.
    /// Returns false when there was nothing to undo (redo).
    pub fn undo(&mut self, sheet: &mut Sheet, undo: bool) -> bool {
        if sheet.redo_depth() == 0 {
            self.history.cut_redo();
        }
        let done = if undo { sheet.undo() } else { sheet.redo() };
        if !done {
            return false;
        }
        let mut history = std::mem::take(&mut self.history);
        let changed = history.sync(sheet.undo_depth(), |id, stash, present| {
            self.set_present(id, stash, present)
        });
        self.history = history;
        self.definitions_changed |= changed;
        true
    }

    /// Puts enrichment `id` back from `stash`, or takes it out into `stash`.
    fn set_present(&mut self, id: u32, stash: &mut Option<EnrichColumn>, present: bool) {
        if present {
            if let Some(mut column) = stash.take() {
                settle_pending(&mut column);
                self.columns.push(column);
            }
        } else if let Some(ci) = self.position(id) {
            self.cancel_column(ci);
            *stash = Some(self.columns.remove(ci));
        }
    }
}

/// Appends the output columns the sheet lacks (a column of that name, from a list enriched
/// before, is reused) as one undo step. Returns the undo depth before it.
fn append_output_columns(sheet: &mut Sheet, outputs: &[&'static str]) -> usize {
    let depth = sheet.undo_depth();
    sheet.as_one_step(|sheet| {
        for name in outputs {
            if !sheet.columns().iter().any(|c| c.name == *name) {
                let at = sheet.columns().len();
                sheet.insert_column(at, (*name).to_string());
            }
        }
    });
    depth
}

/// Cells that were queued or running when their enrichment was taken out never heard back
/// from the engine: they are skipped (cancelled) now, and can be re-run.
fn settle_pending(column: &mut EnrichColumn) {
    let skipped = CellState::Skipped(SkipReason::Cancelled);
    for cell in column.cells.values_mut() {
        if cell.state.is_pending() {
            column.counts.add(&cell.state, -1);
            column.counts.add(&skipped, 1);
            cell.state = skipped.clone();
        }
    }
}
