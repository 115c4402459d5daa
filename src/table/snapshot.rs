//! `SheetSnapshot`: a frozen, sendable view of a sheet for background scans and saves.

use super::base::Base;
use super::error::LoadError;
use super::overlay::{ColKey, Overlay, RowId};
use super::record::{Fields, parse_record};
use super::stamp::DiskStamp;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;

/// The sheet as it was when taken: shares the base file and the overlay by reference count.
#[derive(Clone)]
pub struct SheetSnapshot {
    pub(crate) base: Arc<Base>,
    pub(crate) overlay: Overlay,
    pub(crate) version: u64,
    /// The sheet's own file and what it looked like when last read or saved, so a save
    /// over it can tell whether someone else changed it meanwhile.
    pub(crate) disk: Option<(PathBuf, DiskStamp)>,
}

impl SheetSnapshot {
    pub(crate) fn new(
        base: Arc<Base>,
        overlay: Overlay,
        version: u64,
        disk: Option<(PathBuf, DiskStamp)>,
    ) -> SheetSnapshot {
        SheetSnapshot {
            base,
            overlay,
            version,
            disk,
        }
    }

    /// Rows in the snapshot (grows with the index while rows were neither inserted nor deleted).
    pub fn row_count(&self) -> usize {
        self.overlay.row_count(&self.base)
    }

    /// What the user should know about how the file was read, one line each: a quoted field
    /// that seems to swallow rows (with its line), ragged rows, as `leadgrid run` reports
    /// them. Waits for the index, and finding the line reads the file up to it: call it off
    /// the UI thread (the grid does, on a snapshot).
    pub fn read_notices(&self) -> Vec<String> {
        self.base.wait_indexed();
        super::stream::read_notices(&self.base)
    }

    /// Number of columns.
    pub fn column_count(&self) -> usize {
        self.overlay.columns.len()
    }

    /// The stable identity of the row at `row`.
    pub fn row_id(&self, row: usize) -> Option<RowId> {
        self.overlay.id_at(row, &self.base)
    }

    /// Where each of `ids` is, in the order given; rows the snapshot has not got are left out.
    pub fn positions_of(&self, ids: &[RowId]) -> Vec<usize> {
        let Some(order) = &self.overlay.order else {
            let rows = self.base.row_count();
            return ids
                .iter()
                .filter_map(|&id| self.overlay.record_of(id).filter(|&r| r < rows))
                .collect();
        };
        let mut index: Vec<(RowId, usize)> =
            order.iter().enumerate().map(|(i, &id)| (id, i)).collect();
        index.sort_unstable();
        ids.iter()
            .filter_map(|id| {
                let i = index.binary_search_by(|(x, _)| x.cmp(id)).ok()?;
                Some(index[i].1)
            })
            .collect()
    }

    /// Calls `f(row, values)` for every row in order, values in current column order.
    /// Waits for the index first; fails when indexing or reading the file failed.
    pub fn for_each_row(
        &self,
        mut f: impl FnMut(usize, &[String]) -> ControlFlow<()>,
    ) -> Result<(), LoadError> {
        self.for_rows(|rows| 0..rows, |row, _, values| f(row, values))
    }

    /// Calls `f(row, id, values)` for each row position `rows` picks (given the row count
    /// once the file is indexed), in the order it gives them; positions the snapshot has not
    /// got are passed over. Waits for the index first; fails when indexing or reading the
    /// file failed.
    pub fn for_rows<I: IntoIterator<Item = usize>>(
        &self,
        rows: impl FnOnce(usize) -> I,
        mut f: impl FnMut(usize, RowId, &[String]) -> ControlFlow<()>,
    ) -> Result<(), LoadError> {
        if let Some(err) = self.base.wait_indexed() {
            return Err(err);
        }
        let rows = rows(self.row_count());
        let base = &self.base;
        let cols = &self.overlay.columns;
        let term = base.dialect.line_ending.term();
        let mut reader = base.reader();
        let mut fields = Fields::default();
        let mut values = vec![String::new(); cols.len()];
        for row in rows {
            let Some(id) = self.overlay.id_at(row, base) else {
                continue;
            };
            let range = self
                .overlay
                .record_of(id)
                .and_then(|r| base.record_range(r));
            if let Some((a, b)) = range {
                let raw = reader
                    .get(a, b)
                    .map_err(|e| LoadError::from_io(base.path(), &e))?;
                parse_record(raw, base.dialect.delimiter, term, &mut fields);
                let whole = fields.utf8();
                for (value, def) in values.iter_mut().zip(cols.iter()) {
                    match def.key {
                        ColKey::Base(k) => fields.decode_field(k, whole, base.encoding, value),
                        ColKey::New(_) => value.clear(),
                    }
                }
            } else {
                values.iter_mut().for_each(String::clear);
            }
            if self.overlay.mark(id).is_some() {
                for (value, def) in values.iter_mut().zip(cols.iter()) {
                    if let Some(v) = self.overlay.cell(id, def.key) {
                        value.clone_from(v);
                    }
                }
            }
            if f(row, id, &values).is_break() {
                break;
            }
        }
        Ok(())
    }
}
