//! `Sheet`: the base file plus the user's edits, with undo and redo.

use super::base::{Base, IndexProgress};
use super::changes::Changes;
use super::dialect::{Dialect, Encoding, OpenOptions};
use super::error::{LoadError, SaveError};
use super::overlay::{ColKey, ColumnDef, ColumnId, Overlay, RowId};
use super::save::{SaveStats, SavedFile};
use super::snapshot::SheetSnapshot;
use super::stamp::DiskStamp;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A column as the grid shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The name as in the file (saved as is, even when empty or duplicated).
    pub name: String,
    /// A unique, non-empty name for display: `(empty 3)`, `email (2)`.
    pub display: String,
    /// Its identity, whatever its name or position.
    pub id: ColumnId,
}

/// One undoable edit, holding what is needed to apply it in either direction.
#[derive(Debug, Clone)]
enum Edit {
    Cell {
        id: RowId,
        key: ColKey,
        old: Option<String>,
        new: Option<String>,
    },
    InsertRow {
        at: usize,
        id: RowId,
    },
    DeleteRow {
        at: usize,
        id: RowId,
    },
    /// Rows (position before the edit, id) in ascending position, inserted in one pass.
    InsertRows(Vec<(usize, RowId)>),
    /// Rows (position before the edit, id) in ascending position, deleted in one pass.
    DeleteRows(Vec<(usize, RowId)>),
    InsertColumn {
        at: usize,
        def: ColumnDef,
    },
    DeleteColumn {
        at: usize,
        def: ColumnDef,
    },
    RenameColumn {
        at: usize,
        old: String,
        new: String,
    },
    /// Several edits undone and redone as one step.
    Group(Vec<Edit>),
}

impl Edit {
    fn inverse(self) -> Edit {
        match self {
            Edit::Cell { id, key, old, new } => Edit::Cell {
                id,
                key,
                old: new,
                new: old,
            },
            Edit::InsertRow { at, id } => Edit::DeleteRow { at, id },
            Edit::DeleteRow { at, id } => Edit::InsertRow { at, id },
            Edit::InsertRows(rows) => Edit::DeleteRows(rows),
            Edit::DeleteRows(rows) => Edit::InsertRows(rows),
            Edit::InsertColumn { at, def } => Edit::DeleteColumn { at, def },
            Edit::DeleteColumn { at, def } => Edit::InsertColumn { at, def },
            Edit::RenameColumn { at, old, new } => Edit::RenameColumn {
                at,
                old: new,
                new: old,
            },
            Edit::Group(edits) => Edit::Group(edits.into_iter().rev().map(Edit::inverse).collect()),
        }
    }
}

/// An open lead list: an immutable indexed base file plus an overlay of edits.
pub struct Sheet {
    path: PathBuf,
    base: Arc<Base>,
    overlay: Overlay,
    columns: Vec<Column>,
    next_row: u64,
    next_col: u32,
    /// The next fresh column id.
    next_column_id: u64,
    /// The columns of the file on disk (as opened or last saved): ids and names there.
    saved_names: Vec<(ColumnId, String)>,
    undo: Vec<Edit>,
    redo: Vec<Edit>,
    /// The undo depth at which the sheet equals the file on disk; `None` once that state
    /// can no longer be reached by undo or redo.
    saved_depth: Option<usize>,
    /// Columns written without an undo step (enrichment results) since the last save: while
    /// one of them is on the sheet, the sheet differs from the file.
    untracked: HashSet<ColKey>,
    /// Bumped by every change, so a background save can tell whether it saved the latest state.
    version: u64,
    /// Sorted (id, position) pairs, built on demand once rows were inserted or deleted.
    positions: OnceLock<Vec<(RowId, usize)>>,
    /// What `path` held when this sheet last saved it (None: what the base read).
    disk: Option<DiskStamp>,
    /// Cells changed since [`Sheet::take_changes`] last took them.
    changes: Changes,
}

impl Sheet {
    /// Opens a CSV file: header and dialect now, the record index in the background (small files: now).
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Sheet, LoadError> {
        let base = Base::open(path, opts)?;
        Ok(Sheet::on_base(path.to_path_buf(), base, None, &[], 0))
    }

    /// A sheet reading `base`, its rows known by `ids` and its header columns by
    /// `column_ids` (fresh ids from `next_column_id` on for the rest).
    fn on_base(
        path: PathBuf,
        base: Arc<Base>,
        ids: Option<Arc<Vec<RowId>>>,
        column_ids: &[ColumnId],
        mut next_column_id: u64,
    ) -> Sheet {
        let column_ids: Vec<ColumnId> = (0..base.header.len())
            .map(|i| {
                column_ids.get(i).copied().unwrap_or_else(|| {
                    next_column_id += 1;
                    ColumnId::new(next_column_id - 1)
                })
            })
            .collect();
        let saved_names = column_ids
            .iter()
            .copied()
            .zip(base.header.iter().cloned())
            .collect();
        let overlay = Overlay::of(&base, ids, &column_ids);
        let mut sheet = Sheet {
            path,
            base,
            overlay,
            columns: Vec::new(),
            next_row: 0,
            next_col: 0,
            next_column_id,
            saved_names,
            undo: Vec::new(),
            redo: Vec::new(),
            saved_depth: Some(0),
            untracked: HashSet::new(),
            version: 0,
            positions: OnceLock::new(),
            disk: None,
            changes: Changes::default(),
        };
        sheet.refresh_columns();
        sheet
    }

    /// The file this sheet saves to by default.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The detected (or forced) dialect, used for everything the sheet writes.
    pub fn dialect(&self) -> &Dialect {
        &self.base.dialect
    }

    /// How the file's bytes are decoded.
    pub fn encoding(&self) -> Encoding {
        self.base.encoding
    }

    /// Current columns, in display order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Where the column `id` is now; `None` once deleted.
    pub fn column_index(&self, id: ColumnId) -> Option<usize> {
        self.columns.iter().position(|c| c.id == id)
    }

    /// The name column `id` has in the file on disk (as opened or last saved); `None` for a
    /// column that is not in it.
    pub fn saved_name(&self, id: ColumnId) -> Option<&str> {
        self.saved_names
            .iter()
            .find(|(saved, _)| *saved == id)
            .map(|(_, name)| name.as_str())
    }

    /// Rows known so far (header excluded); grows while the background index is built.
    pub fn row_count(&self) -> usize {
        self.overlay.row_count(&self.base)
    }

    /// Progress of the background indexer.
    pub fn index_progress(&self) -> IndexProgress {
        self.base.progress()
    }

    /// Blocks until the index is complete; returns its final progress.
    pub fn wait_indexed(&self) -> IndexProgress {
        self.base.wait_indexed();
        self.base.progress()
    }

    /// An error the background indexer stopped at (rows before it stay usable).
    pub fn index_error(&self) -> Option<LoadError> {
        self.base.error()
    }

    /// Records (indexed so far) whose field count differs from the header's.
    pub fn ragged_rows(&self) -> usize {
        self.base.ragged()
    }

    /// The value of one cell; `""` when out of range or the record is short.
    pub fn cell(&self, row: usize, col: usize) -> String {
        let (Some(id), Some(def)) = (self.row_id(row), self.overlay.columns.get(col)) else {
            return String::new();
        };
        if let Some(v) = self.overlay.cell(id, def.key) {
            return v.clone();
        }
        match (self.overlay.record_of(id), def.key) {
            (Some(r), ColKey::Base(k)) => self
                .base
                .row(r)
                .and_then(|f| f.get(k).cloned())
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// The values of one row in current column order (empty when out of range).
    pub fn row_cells(&self, row: usize) -> Vec<String> {
        let Some(id) = self.row_id(row) else {
            return Vec::new();
        };
        let fields = self.overlay.record_of(id).and_then(|r| self.base.row(r));
        self.overlay
            .columns
            .iter()
            .map(|def| {
                if let Some(v) = self.overlay.cell(id, def.key) {
                    return v.clone();
                }
                match (&fields, def.key) {
                    (Some(f), ColKey::Base(k)) => f.get(k).cloned().unwrap_or_default(),
                    _ => String::new(),
                }
            })
            .collect()
    }

    /// The stable identity of the row now at `row`.
    pub fn row_id(&self, row: usize) -> Option<RowId> {
        self.overlay.id_at(row, &self.base)
    }

    /// Where the row `id` is now; `None` once deleted.
    pub fn row_of(&self, id: RowId) -> Option<usize> {
        match &self.overlay.order {
            None => self
                .overlay
                .record_of(id)
                .filter(|&r| r < self.base.row_count()),
            Some(order) => {
                let positions = self.positions.get_or_init(|| {
                    let mut v: Vec<(RowId, usize)> =
                        order.iter().enumerate().map(|(i, &id)| (id, i)).collect();
                    v.sort_unstable();
                    v
                });
                let i = positions.binary_search_by(|(x, _)| x.cmp(&id)).ok()?;
                Some(positions[i].1)
            }
        }
    }

    /// Unsaved changes exist: the sheet differs from the file as opened or last saved
    /// (undoing every edit since makes it clean again).
    pub fn is_dirty(&self) -> bool {
        self.saved_depth != Some(self.undo.len())
            || self
                .overlay
                .columns
                .iter()
                .any(|c| self.untracked.contains(&c.key))
    }

    /// Sets a cell (undoable). Ignored out of range or when the value is unchanged.
    pub fn set_cell(&mut self, row: usize, col: usize, value: String) {
        if let Some(edit) = self.cell_edit(row, col, value) {
            self.record(edit);
        }
    }

    /// Sets a cell without an undo step (enrichment results); still marks the sheet dirty.
    pub fn set_cell_untracked(&mut self, row: usize, col: usize, value: String) {
        if let Some(edit) = self.cell_edit(row, col, value) {
            if let Edit::Cell { key, .. } = &edit {
                self.untracked.insert(*key);
            }
            self.apply(edit);
        }
    }

    /// Sets cells of column `col` by row id without an undo step (values computed from
    /// others, which the caller found different); rows deleted since are passed over.
    pub fn fill_untracked(
        &mut self,
        col: usize,
        values: impl IntoIterator<Item = (RowId, String)>,
    ) {
        let Some(key) = self.overlay.columns.get(col).map(|c| c.key) else {
            return;
        };
        self.untracked.insert(key);
        for (id, value) in values {
            if self.row_of(id).is_none() {
                continue;
            }
            let old = self.overlay.cell(id, key).cloned();
            self.apply(Edit::Cell {
                id,
                key,
                old,
                new: Some(value),
            });
        }
    }

    fn cell_edit(&self, row: usize, col: usize, value: String) -> Option<Edit> {
        let id = self.row_id(row)?;
        let key = self.overlay.columns.get(col)?.key;
        if self.cell(row, col) == value {
            return None;
        }
        Some(Edit::Cell {
            id,
            key,
            old: self.overlay.cell(id, key).cloned(),
            new: Some(value),
        })
    }

    /// Inserts an empty row at `at` (clamped to the end). Waits for the index to finish.
    pub fn insert_row(&mut self, at: usize) {
        self.base.wait_indexed();
        let at = at.min(self.row_count());
        let id = RowId::new_row(self.next_row);
        self.next_row += 1;
        self.record(Edit::InsertRow { at, id });
    }

    /// Deletes the row at `row` (ignored when out of range). Waits for the index to finish.
    pub fn delete_row(&mut self, row: usize) {
        self.base.wait_indexed();
        if let Some(id) = self.row_id(row) {
            self.record(Edit::DeleteRow { at: row, id });
        }
    }

    /// Deletes the rows at `rows` (any order; out of range ignored) as one undo step.
    /// Waits for the index to finish.
    pub fn delete_rows(&mut self, rows: &[usize]) {
        self.base.wait_indexed();
        let mut rows: Vec<usize> = rows.to_vec();
        rows.sort_unstable();
        rows.dedup();
        let doomed: Vec<(usize, RowId)> = rows
            .into_iter()
            .filter_map(|r| self.row_id(r).map(|id| (r, id)))
            .collect();
        match doomed.as_slice() {
            [] => {}
            [(at, id)] => self.record(Edit::DeleteRow { at: *at, id: *id }),
            _ => self.record(Edit::DeleteRows(doomed)),
        }
    }

    /// Inserts an empty column named `name` at `at` (clamped); returns its index.
    pub fn insert_column(&mut self, at: usize, name: String) -> usize {
        let at = at.min(self.columns.len());
        let def = ColumnDef {
            key: ColKey::New(self.next_col),
            name,
            id: ColumnId::new(self.next_column_id),
        };
        self.next_col += 1;
        self.next_column_id += 1;
        self.record(Edit::InsertColumn { at, def });
        at
    }

    /// Deletes a column (ignored when out of range); its values come back on undo.
    pub fn delete_column(&mut self, col: usize) {
        if let Some(def) = self.overlay.columns.get(col).cloned() {
            self.record(Edit::DeleteColumn { at: col, def });
        }
    }

    /// Renames a column (ignored when out of range or unchanged).
    pub fn rename_column(&mut self, col: usize, name: String) {
        if let Some(def) = self.overlay.columns.get(col)
            && def.name != name
        {
            let old = def.name.clone();
            self.record(Edit::RenameColumn {
                at: col,
                old,
                new: name,
            });
        }
    }

    /// Runs `f` and makes the edits it records one undo step (e.g. removing an enrichment's
    /// output columns).
    pub fn as_one_step<R>(&mut self, f: impl FnOnce(&mut Sheet) -> R) -> R {
        let start = self.undo.len();
        let out = f(self);
        if self.undo.len() > start + 1 {
            let edits = self.undo.split_off(start);
            self.undo.push(Edit::Group(edits));
        }
        out
    }

    /// Records an undo step that changes no cell, for a change beside the sheet (a formula's
    /// new expression) that undo must find at its place in the history.
    pub fn record_step(&mut self) {
        self.record(Edit::Group(Vec::new()));
    }

    /// Undo steps available: the position in the history, for state kept beside the sheet.
    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    /// Redo steps available (0 once a new edit cut the undone ones off).
    pub fn redo_depth(&self) -> usize {
        self.redo.len()
    }

    /// Reverts the last edit; false when there is none.
    pub fn undo(&mut self) -> bool {
        let Some(edit) = self.undo.pop() else {
            return false;
        };
        let inverse = edit.inverse();
        self.apply(inverse.clone());
        self.redo.push(inverse.inverse());
        true
    }

    /// Re-applies the last undone edit; false when there is none.
    pub fn redo(&mut self) -> bool {
        let Some(edit) = self.redo.pop() else {
            return false;
        };
        self.apply(edit.clone());
        self.undo.push(edit);
        true
    }

    fn record(&mut self, edit: Edit) {
        // Below the saved state, a new edit cuts off the redo steps that led back to it.
        if self.saved_depth.is_some_and(|d| self.undo.len() < d) {
            self.saved_depth = None;
        }
        self.apply(edit.clone());
        self.undo.push(edit);
        self.redo.clear();
    }

    fn apply(&mut self, edit: Edit) {
        match edit {
            Edit::Cell { id, key, new, .. } => {
                if let Some(def) = self.overlay.columns.iter().find(|c| c.key == key) {
                    self.changes.cell(def.id, id);
                }
                self.overlay.put(id, key, new);
            }
            Edit::InsertRow { at, id } => {
                self.changes.rows([id]);
                let order = self.overlay.order_mut(&self.base);
                order.insert(at.min(order.len()), id);
                self.positions = OnceLock::new();
            }
            Edit::DeleteRow { at, id } => {
                let order = self.overlay.order_mut(&self.base);
                if order.get(at) == Some(&id) {
                    order.remove(at);
                }
                self.positions = OnceLock::new();
            }
            Edit::DeleteRows(rows) => {
                let gone: std::collections::HashSet<RowId> =
                    rows.iter().map(|&(_, id)| id).collect();
                self.overlay
                    .order_mut(&self.base)
                    .retain(|id| !gone.contains(id));
                self.positions = OnceLock::new();
            }
            Edit::InsertRows(rows) => {
                self.changes.rows(rows.iter().map(|&(_, id)| id));
                // One merge, not one shifting insert a row: positions are where each row
                // stands once all are back.
                let order = self.overlay.order_mut(&self.base);
                let mut merged = Vec::with_capacity(order.len() + rows.len());
                let mut rest = order.drain(..);
                let mut back = rows.into_iter().peekable();
                loop {
                    match back.peek() {
                        Some(&(at, id)) if at <= merged.len() => {
                            merged.push(id);
                            back.next();
                        }
                        _ => match rest.next() {
                            Some(id) => merged.push(id),
                            None => {
                                merged.extend(back.map(|(_, id)| id));
                                break;
                            }
                        },
                    }
                }
                drop(rest);
                *order = merged;
                self.positions = OnceLock::new();
            }
            Edit::InsertColumn { at, def } => {
                self.changes.column(def.id);
                let cols = self.overlay.columns_mut();
                cols.insert(at.min(cols.len()), def);
                self.refresh_columns();
            }
            Edit::DeleteColumn { at, def } => {
                self.changes.column(def.id);
                let cols = self.overlay.columns_mut();
                if at < cols.len() {
                    cols.remove(at);
                }
                self.refresh_columns();
            }
            Edit::RenameColumn { at, new, .. } => {
                if let Some(c) = self.overlay.columns_mut().get_mut(at) {
                    c.name = new;
                }
                self.refresh_columns();
            }
            Edit::Group(edits) => {
                for edit in edits {
                    self.apply(edit);
                }
            }
        }
        self.version += 1;
    }

    fn refresh_columns(&mut self) {
        self.columns = display_names(self.overlay.columns.iter().map(|c| (c.name.as_str(), c.id)));
    }

    /// The cells changed since the last call (edits, undo and redo, enrichment results), and
    /// forgets them.
    pub fn take_changes(&mut self) -> Changes {
        std::mem::take(&mut self.changes)
    }

    /// A cheap, sendable copy of the current state for background work.
    pub fn snapshot(&self) -> SheetSnapshot {
        let stamp = self.disk.or_else(|| self.base.stamp());
        let disk = stamp.map(|s| (self.path.clone(), s));
        SheetSnapshot::new(self.base.clone(), self.overlay.clone(), self.version, disk)
    }

    /// Saves atomically to `target` (or the sheet's own path) and continues on the saved file.
    pub fn save(&mut self, target: Option<&Path>) -> Result<SaveStats, SaveError> {
        let target = target.unwrap_or(&self.path).to_path_buf();
        let saved = self.snapshot().save_to(&target)?;
        let stats = saved.stats().clone();
        self.mark_saved(saved);
        Ok(stats)
    }

    /// Adopts a save made from a snapshot: the sheet now belongs to the saved file, and when
    /// nothing changed since the snapshot it is clean. Without undo history it then reads
    /// from the saved file (edits held in memory are let go); with history it stays on the
    /// old base, so undo and redo reach back past the save. Row ids are kept either way.
    pub fn mark_saved(&mut self, saved: SavedFile) {
        let SavedFile {
            path,
            version,
            base,
            ids,
            columns,
            stamp,
            ..
        } = saved;
        self.saved_names = columns;
        self.disk = stamp;
        if version != self.version {
            // Later edits refer to the old base, whose open handle still reads the old bytes;
            // the state saved is behind them, where undo cannot tell.
            self.path = path;
            self.saved_depth = None;
            return;
        }
        if !self.undo.is_empty() || !self.redo.is_empty() {
            // Edits in the history are written against the old base (its column keys, its
            // values as "unchanged"); its open handle reads the old bytes even after the
            // rename replaced the file, and the bytes of unedited rows are the same.
            self.path = path;
            self.saved_depth = Some(self.undo.len());
            self.untracked.clear();
            return;
        }
        let next_row = self.next_row;
        let next_col = self.next_col;
        // The saved file's columns are the current ones, in order: they keep their ids.
        let column_ids: Vec<ColumnId> = self.columns.iter().map(|c| c.id).collect();
        let changes = std::mem::take(&mut self.changes);
        *self = Sheet::on_base(path, base, ids, &column_ids, self.next_column_id);
        self.changes = changes;
        self.disk = stamp;
        self.next_row = next_row;
        self.next_col = next_col;
        self.version = version;
    }
}

/// Display names: empty names become `(empty N)` (N = column number), repeats get ` (2)`, ` (3)`...
fn display_names<'a>(names: impl Iterator<Item = (&'a str, ColumnId)>) -> Vec<Column> {
    let names: Vec<(&str, ColumnId)> = names.collect();
    let mut taken = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(names.len());
    for (i, &(name, id)) in names.iter().enumerate() {
        let stem = if name.trim().is_empty() {
            format!("(empty {})", i + 1)
        } else {
            (*name).to_string()
        };
        let mut display = stem.clone();
        let mut n = 2;
        while !taken.insert(display.clone()) {
            display = format!("{stem} ({n})");
            n += 1;
        }
        out.push(Column {
            name: name.to_string(),
            display,
            id,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_unique_and_non_empty() {
        let names = ["email", "", "email", "email (2)", " "];
        let cols = display_names((0..).map(ColumnId::new).zip(names).map(|(id, n)| (n, id)));
        let d: Vec<&str> = cols.iter().map(|c| c.display.as_str()).collect();
        assert_eq!(
            d,
            [
                "email",
                "(empty 2)",
                "email (2)",
                "email (2) (2)",
                "(empty 5)"
            ]
        );
        assert_eq!(cols[1].name, "");
    }
}
