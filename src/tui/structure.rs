//! Enrichment columns added and removed, tied to the sheet's undo history: undoing the
//! removal of an enrichment brings back its output columns *and* the enrichment (cells,
//! states, inspector history); undoing its addition withdraws it; redo does the reverse.
//!
//! Each change is recorded with the sheet's undo depth right after the grouped column edit
//! that came with it; after every undo or redo, changes above the new depth are reverted and
//! undone changes at or below it are applied again.

use super::app::App;
use super::enrich::EnrichColumn;
use crate::cell::{CellState, SkipReason};

/// What happened to an enrichment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Added,
    Removed,
}

struct Change {
    /// The sheet's undo depth just after the change.
    depth: usize,
    kind: Kind,
    id: u32,
    /// The enrichment while it is out of the sheet.
    stash: Option<EnrichColumn>,
}

/// Changes that undo can revert (`done`) and redo can apply again (`undone`).
#[derive(Default)]
pub struct StructureHistory {
    done: Vec<Change>,
    undone: Vec<Change>,
}

impl App {
    /// Appends the output columns the sheet lacks (a column of that name, from a list enriched
    /// before, is reused) as one undo step. Returns the undo depth before it, for
    /// [`App::record_structure`].
    pub(super) fn append_output_columns(&mut self, outputs: &[&'static str]) -> usize {
        let depth = self.sheet.undo_depth();
        self.sheet.as_one_step(|sheet| {
            for name in outputs {
                if !sheet.columns().iter().any(|c| c.name == *name) {
                    let at = sheet.columns().len();
                    sheet.insert_column(at, (*name).to_string());
                }
            }
        });
        depth
    }

    /// Records an enrichment added (present now) or removed (`stash` holds it), when the sheet
    /// edit that came with it is in the undo history.
    pub(super) fn record_structure(
        &mut self,
        depth_before: usize,
        id: u32,
        removed: Option<EnrichColumn>,
    ) {
        let depth = self.sheet.undo_depth();
        if depth <= depth_before {
            return; // no column was added or removed: nothing undo would find
        }
        let kind = if removed.is_some() {
            Kind::Removed
        } else {
            Kind::Added
        };
        self.structure.undone.clear();
        self.structure.done.push(Change {
            depth,
            kind,
            id,
            stash: removed,
        });
    }

    /// Brings enrichments in line with the sheet's undo position, after an undo or redo.
    pub(super) fn sync_structure(&mut self) {
        let depth = self.sheet.undo_depth();
        let mut changed = false;
        while self.structure.done.last().is_some_and(|c| c.depth > depth) {
            let Some(mut change) = self.structure.done.pop() else {
                break;
            };
            let present = change.kind == Kind::Removed;
            self.set_present(&mut change, present);
            self.structure.undone.push(change);
            changed = true;
        }
        while self
            .structure
            .undone
            .last()
            .is_some_and(|c| c.depth <= depth)
        {
            let Some(mut change) = self.structure.undone.pop() else {
                break;
            };
            let present = change.kind == Kind::Added;
            self.set_present(&mut change, present);
            self.structure.done.push(change);
            changed = true;
        }
        if changed {
            self.save_column_definitions();
        }
    }

    /// Call before an undo or redo: drops undone changes a new edit has cut off (the sheet
    /// forgets its redo steps on any new edit).
    pub(super) fn prune_structure(&mut self) {
        if self.sheet.redo_depth() == 0 {
            self.structure.undone.clear();
        }
    }

    /// Puts the change's enrichment into the sheet, or takes it out into the stash.
    fn set_present(&mut self, change: &mut Change, present: bool) {
        if present {
            if let Some(mut column) = change.stash.take() {
                settle_pending(&mut column);
                self.enrich.columns.push(column);
            }
        } else if let Some(ci) = self.enrich.columns.iter().position(|c| c.id == change.id) {
            self.cancel_column(ci);
            change.stash = Some(self.enrich.columns.remove(ci));
        }
    }
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
