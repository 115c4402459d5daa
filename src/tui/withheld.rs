//! Cells a scan (sort, filter, search) must see as empty because the grid shows a state in
//! them instead of a value: enrichment cells that are not done.

use crate::expr::RowValues;
use crate::table::RowId;
use std::collections::HashSet;
use std::sync::Arc;

/// Enrichment cells that show a state instead of a value, by sheet column index: a scan
/// sees them as empty, as the grid shows them.
#[derive(Debug, Clone, Default)]
pub struct Withheld {
    columns: Vec<(usize, Arc<HashSet<RowId>>)>,
}

impl Withheld {
    /// Nothing withheld.
    pub fn none() -> Withheld {
        Withheld::default()
    }

    /// Whether nothing is withheld.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// Withholds the cells of `rows` in sheet column `col`.
    pub fn add(&mut self, col: usize, rows: Arc<HashSet<RowId>>) {
        if !rows.is_empty() {
            self.columns.push((col, rows));
        }
    }

    /// Whether the cell of row `id` in sheet column `col` is withheld.
    pub fn hides(&self, col: usize, id: RowId) -> bool {
        self.columns
            .iter()
            .any(|(c, rows)| *c == col && rows.contains(&id))
    }

    /// Marks, in `hidden` (one flag per column), the cells of row `id` that are withheld.
    pub fn mark(&self, id: Option<RowId>, hidden: &mut [bool]) {
        for (col, rows) in &self.columns {
            if let Some(flag) = hidden.get_mut(*col) {
                *flag = id.is_some_and(|id| rows.contains(&id));
            }
        }
    }
}

/// A row as a scan sees it: its cells, less the withheld ones; `map` translates a bound
/// expression's column indexes to the sheet's current ones.
pub struct Shown<'a> {
    /// The row's values in current column order.
    pub cells: &'a [String],
    /// Per current column, whether its cell is withheld (see [`Withheld::mark`]).
    pub hidden: &'a [bool],
    /// Per column index the expression was bound with, where that column is now.
    pub map: &'a [Option<usize>],
}

impl RowValues for Shown<'_> {
    fn cell(&self, col: usize) -> Option<&str> {
        let col = (*self.map.get(col)?)?;
        if self.hidden.get(col).copied().unwrap_or(false) {
            return None;
        }
        self.cells.cell(col)
    }
}
