//! Adding and removing enrichments as sheet edits: the output columns change as one undo
//! step, and undoing the removal of an enrichment brings back its columns *and* the
//! enrichment (cells, states, inspector history); undoing its addition withdraws it; redo
//! does the reverse. Deleting a column an enrichment uses says what that does to it.

use super::{EnrichColumn, Enrichments, InputSource, NewEnrichment, Output};
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
        let before = sheet.undo_depth();
        let outputs = bind_outputs(sheet, &new.outputs);
        let id = self.allocate_id();
        let mut column =
            EnrichColumn::new(id, new.integration, new.sources, outputs, new.budget_usd);
        column.condition = new.condition;
        self.columns.push(column);
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
            for output in column.outputs.iter().rev() {
                if let Some(col) = sheet.column_index(output.column) {
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
    /// Returns `None` when there was nothing to undo (redo), else the enrichments it brought
    /// back (by id).
    pub fn undo(&mut self, sheet: &mut Sheet, undo: bool) -> Option<Vec<u32>> {
        if sheet.redo_depth() == 0 {
            self.history.cut_redo();
        }
        let done = if undo { sheet.undo() } else { sheet.redo() };
        if !done {
            return None;
        }
        let mut back = Vec::new();
        let mut history = std::mem::take(&mut self.history);
        history.sync(sheet.undo_depth(), |id, stash, present| {
            self.set_present(id, stash, present);
            if present {
                back.push(id);
            }
        });
        self.history = history;
        // Enrichments, their output columns or column names may have changed.
        self.column_names_changed();
        Some(back)
    }

    /// The enrichment the next undo (or redo) would take out while it still runs: its index
    /// and how many of its cells are queued, running or being planned.
    pub fn undo_would_stop(&self, sheet: &Sheet, undo: bool) -> Option<(usize, usize)> {
        let id = self.history.takes_out(sheet.undo_depth(), undo)?;
        let ci = self.position(id)?;
        self.is_column_running(ci)
            .then(|| (ci, self.columns[ci].counts.pending()))
    }

    /// Deletes sheet column `col` (one undo step brings it back, bound as before). An
    /// enrichment no longer fills a deleted output column, and deleting the last output
    /// column it has on the sheet removes the enrichment, as the runs panel does.
    pub fn delete_column(&mut self, sheet: &mut Sheet, col: usize) -> Option<Message> {
        let column = sheet.columns().get(col)?;
        let (id, name) = (column.id, column.display.clone());
        if let Some((ci, _)) = self.at_column(sheet, col) {
            let shown = self.columns[ci]
                .outputs
                .iter()
                .filter(|o| sheet.column_index(o.column).is_some())
                .count();
            if shown == 1 {
                return self.remove(sheet, ci);
            }
        }
        sheet.delete_column(col);
        let names = |uses: &dyn Fn(&EnrichColumn) -> bool| {
            let names: Vec<&str> = self
                .columns
                .iter()
                .filter(|c| uses(c))
                .map(|c| c.integration.spec().name)
                .collect();
            names.join(", ")
        };
        let filled = names(&|c| c.outputs.iter().any(|o| o.column == id));
        let read = names(&|c| c.sources.contains(&InputSource::Column(id)));
        let effect = match (filled.is_empty(), read.is_empty()) {
            (false, _) => format!("; {filled} no longer fills it"),
            (true, false) => format!("; {read} has lost an input: rows re-run without it"),
            (true, true) => String::new(),
        };
        self.definitions_changed |= !effect.is_empty();
        Some(Message::info(format!(
            "column '{name}' deleted{effect} ({} to undo)",
            key_label(Action::Undo)
        )))
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

/// Binds each output to the column named for it: a column of that name (from a list enriched
/// before) is reused, the others are appended, as one undo step.
fn bind_outputs(sheet: &mut Sheet, outputs: &[(&'static str, String)]) -> Vec<Output> {
    sheet.as_one_step(|sheet| {
        outputs
            .iter()
            .filter_map(|(name, column)| {
                let at = match sheet.columns().iter().position(|c| c.name == *column) {
                    Some(at) => at,
                    None => sheet.insert_column(sheet.columns().len(), column.clone()),
                };
                let column = sheet.columns().get(at)?.id;
                Some(Output { name, column })
            })
            .collect()
    })
}

/// Cells that were queued or running when their enrichment was taken out never heard back
/// from the engine: they are cancelled now, and can be re-run (a cell missing an input is
/// skipped, as the engine would have).
fn settle_pending(column: &mut EnrichColumn) {
    let integration = column.integration.clone();
    for cell in column.cells.values_mut() {
        if cell.state.is_pending() {
            let state = match integration.missing(&cell.inputs) {
                Some(why) => CellState::Skipped(SkipReason::MissingInput(why)),
                None => CellState::Cancelled,
            };
            column.counts.add(&cell.state, -1);
            column.counts.add(&state, 1);
            cell.state = state;
        }
    }
}
