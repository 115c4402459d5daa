//! Edits kept beside the base: current columns, row order and changed cells, shared cheaply with snapshots.

use super::base::Base;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Stable identity of a row across inserts, deletes, view sorts and saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowId(u64);

/// Ids of rows the user inserted have this bit set; base rows are their record index.
const NEW_ROW: u64 = 1 << 63;

impl RowId {
    pub(crate) fn base(row: usize) -> RowId {
        RowId(row as u64)
    }

    pub(crate) fn new_row(n: u64) -> RowId {
        RowId(NEW_ROW | n)
    }

    /// The id as a plain number, for carrying through the engine's job keys.
    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// The id back from [`RowId::as_u64`].
    pub fn from_u64(raw: u64) -> RowId {
        RowId(raw)
    }

    /// The record index this id has in a base opened from the file (not re-saved since).
    fn base_row(self) -> Option<usize> {
        if self.0 & NEW_ROW == 0 {
            usize::try_from(self.0).ok()
        } else {
            None
        }
    }
}

/// Stable identity of a column: kept through inserts, deletes, renames, moves, undo and
/// saves, so what refers to a column (an enrichment's inputs and outputs, widths, hidden
/// columns) follows it. In memory only: what is persisted names columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ColumnId(u64);

impl ColumnId {
    pub(crate) fn new(n: u64) -> ColumnId {
        ColumnId(n)
    }
}

/// Where a column's values come from: a field of the base records, or the overlay only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ColKey {
    Base(usize),
    New(u32),
}

/// One current column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnDef {
    pub(crate) key: ColKey,
    pub(crate) name: String,
    pub(crate) id: ColumnId,
}

/// How many overlay cells a row has, and how many of them replace base fields.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RowMark {
    cells: u32,
    pub(crate) base_edits: u32,
}

/// The edit state; every part is behind an `Arc` so a snapshot is a few reference counts.
#[derive(Clone)]
pub(crate) struct Overlay {
    pub(crate) columns: Arc<Vec<ColumnDef>>,
    /// `None` while rows are exactly the base records in file order.
    pub(crate) order: Option<Arc<Vec<RowId>>>,
    cells: Arc<HashMap<(RowId, ColKey), String>>,
    marks: Arc<HashMap<RowId, RowMark>>,
    /// Ids of the base records when the base is a file saved after rows moved; `None`: record `i` is `RowId(i)`.
    base_ids: Option<Arc<Vec<RowId>>>,
    /// `base_ids` sorted, with record indexes, built on first use.
    base_index: Arc<OnceLock<Vec<(RowId, usize)>>>,
}

impl Overlay {
    /// No edits: the base's header as columns (with `column_ids`, one per header field), its
    /// records as rows.
    pub(crate) fn of(
        base: &Base,
        base_ids: Option<Arc<Vec<RowId>>>,
        column_ids: &[ColumnId],
    ) -> Overlay {
        let columns = base
            .header
            .iter()
            .zip(column_ids)
            .enumerate()
            .map(|(i, (name, &id))| ColumnDef {
                key: ColKey::Base(i),
                name: name.clone(),
                id,
            })
            .collect();
        Overlay {
            columns: Arc::new(columns),
            order: None,
            cells: Arc::default(),
            marks: Arc::default(),
            base_ids,
            base_index: Arc::default(),
        }
    }

    /// The base record a row reads from; `None` for rows inserted since the base was read.
    pub(crate) fn record_of(&self, id: RowId) -> Option<usize> {
        let Some(ids) = &self.base_ids else {
            return id.base_row();
        };
        let index = self.base_index.get_or_init(|| {
            let mut v: Vec<(RowId, usize)> =
                ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
            v.sort_unstable();
            v
        });
        let i = index.binary_search_by(|(x, _)| x.cmp(&id)).ok()?;
        Some(index[i].1)
    }

    /// Ids of the rows in current order, for a save that becomes the next base.
    pub(crate) fn saved_ids(&self) -> Option<Arc<Vec<RowId>>> {
        self.order.clone().or_else(|| self.base_ids.clone())
    }

    pub(crate) fn row_count(&self, base: &Base) -> usize {
        match &self.order {
            Some(order) => order.len(),
            None => base.row_count(),
        }
    }

    pub(crate) fn id_at(&self, row: usize, base: &Base) -> Option<RowId> {
        match &self.order {
            Some(order) => order.get(row).copied(),
            None => (row < base.row_count()).then(|| base_id(&self.base_ids, row)),
        }
    }

    /// The overlay's value of a cell, if it has one.
    pub(crate) fn cell(&self, id: RowId, key: ColKey) -> Option<&String> {
        if self.marks.contains_key(&id) {
            self.cells.get(&(id, key))
        } else {
            None
        }
    }

    pub(crate) fn mark(&self, id: RowId) -> Option<RowMark> {
        self.marks.get(&id).copied()
    }

    /// Sets (or with `None` removes) an overlay cell; returns what was there.
    pub(crate) fn put(&mut self, id: RowId, key: ColKey, value: Option<String>) -> Option<String> {
        let cells = Arc::make_mut(&mut self.cells);
        let old = match value {
            Some(v) => cells.insert((id, key), v),
            None => cells.remove(&(id, key)),
        };
        let delta: i64 = match (&old, cells.contains_key(&(id, key))) {
            (None, true) => 1,
            (Some(_), false) => -1,
            _ => 0,
        };
        if delta != 0 {
            let base_edit = self.record_of(id).is_some() && matches!(key, ColKey::Base(_));
            let marks = Arc::make_mut(&mut self.marks);
            let mark = marks.entry(id).or_default();
            let step = |n: u32| {
                if delta > 0 {
                    n + 1
                } else {
                    n.saturating_sub(1)
                }
            };
            mark.cells = step(mark.cells);
            if base_edit {
                mark.base_edits = step(mark.base_edits);
            }
            if mark.cells == 0 {
                marks.remove(&id);
            }
        }
        old
    }

    /// Row order as an explicit list, for inserting and deleting rows.
    pub(crate) fn order_mut(&mut self, base: &Base) -> &mut Vec<RowId> {
        let ids = &self.base_ids;
        let order = self.order.get_or_insert_with(|| {
            Arc::new((0..base.row_count()).map(|r| base_id(ids, r)).collect())
        });
        Arc::make_mut(order)
    }

    pub(crate) fn columns_mut(&mut self) -> &mut Vec<ColumnDef> {
        Arc::make_mut(&mut self.columns)
    }

    /// The current columns are the base's, in file order, followed only by added ones:
    /// unedited records can then be written as their original bytes.
    pub(crate) fn appends_only(&self, base: &Base) -> bool {
        let h = base.header.len();
        self.columns.len() >= h
            && self.columns[..h]
                .iter()
                .enumerate()
                .all(|(i, c)| c.key == ColKey::Base(i))
            && self.columns[h..]
                .iter()
                .all(|c| matches!(c.key, ColKey::New(_)))
    }

    /// `appends_only`, and the base columns keep their names.
    pub(crate) fn header_kept(&self, base: &Base) -> bool {
        self.appends_only(base)
            && self
                .columns
                .iter()
                .zip(&base.header)
                .all(|(c, name)| &c.name == name)
    }
}

/// The id of base record `record`.
fn base_id(ids: &Option<Arc<Vec<RowId>>>, record: usize) -> RowId {
    match ids {
        Some(ids) => ids.get(record).copied().unwrap_or(RowId::base(record)),
        None => RowId::base(record),
    }
}
