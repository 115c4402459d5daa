//! What changed in a sheet since someone last asked: the cells, by column, and the rows
//! inserted, so values computed from other cells (formula columns) recompute only the rows
//! that need it.

use super::overlay::{ColumnId, RowId};
use std::collections::{HashMap, HashSet};

/// Rows listed per column before the list gives way to "every row": a large change (an
/// undo over a whole column) costs one full recompute, not a set as large as the sheet.
const MAX_ROWS: usize = 4096;

/// The cells of one column that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnChange {
    /// These rows.
    Rows(HashSet<RowId>),
    /// Too many to list, or the column itself came or went: every row.
    All,
}

/// Changes to a sheet's values since [`crate::table::Sheet::take_changes`] was last called.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Per column, the rows whose cell changed.
    pub columns: HashMap<ColumnId, ColumnChange>,
    /// Rows inserted: every cell of theirs is new.
    pub inserted: Vec<RowId>,
}

impl Changes {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty() && self.inserted.is_empty()
    }

    /// Records the cell of row `row` in column `col`.
    pub(crate) fn cell(&mut self, col: ColumnId, row: RowId) {
        let change = self
            .columns
            .entry(col)
            .or_insert_with(|| ColumnChange::Rows(HashSet::new()));
        if let ColumnChange::Rows(rows) = change {
            rows.insert(row);
            if rows.len() > MAX_ROWS {
                *change = ColumnChange::All;
            }
        }
    }

    /// Records every cell of column `col` (inserted, deleted, or brought back).
    pub(crate) fn column(&mut self, col: ColumnId) {
        self.columns.insert(col, ColumnChange::All);
    }

    /// Records inserted rows; past the limit every column counts as changed.
    pub(crate) fn rows(&mut self, rows: impl IntoIterator<Item = RowId>) {
        self.inserted.extend(rows);
    }

    /// The rows changed in any of `cols`, or `None` when every row must be looked at.
    pub fn rows_in(&self, cols: &[ColumnId]) -> Option<HashSet<RowId>> {
        let mut rows: HashSet<RowId> = self.inserted.iter().copied().collect();
        for col in cols {
            match self.columns.get(col) {
                Some(ColumnChange::All) => return None,
                Some(ColumnChange::Rows(changed)) => rows.extend(changed),
                None => {}
            }
        }
        (rows.len() <= MAX_ROWS).then_some(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_listed_per_column_until_there_are_too_many() {
        let (a, b) = (ColumnId::new(1), ColumnId::new(2));
        let mut changes = Changes::default();
        assert!(changes.is_empty());
        changes.cell(a, RowId::base(3));
        changes.rows([RowId::base(9)]);
        let rows = changes.rows_in(&[a]).expect("listed");
        assert_eq!(rows, HashSet::from([RowId::base(3), RowId::base(9)]));
        assert_eq!(changes.rows_in(&[b]), Some(HashSet::from([RowId::base(9)])));
        for r in 0..=MAX_ROWS {
            changes.cell(b, RowId::base(r));
        }
        assert_eq!(changes.rows_in(&[b]), None, "too many: every row");
        changes.column(a);
        assert_eq!(changes.rows_in(&[a]), None);
    }
}
