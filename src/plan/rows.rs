//! Which rows a plan covers: every row, a set of rows (a view, a selection, cells to re-run),
//! at most the first N of those a plan's run condition keeps.

use crate::table::RowId;
use std::sync::Arc;

/// A condition on a row's values: a plan's "only run if" (`src/expr` programs); any
/// `Fn(&[String]) -> bool` is one.
pub trait RowFilter: Send + Sync {
    /// Whether the row (values in column order) is in scope.
    fn keeps(&self, row: &[String]) -> bool;
}

impl<F: Fn(&[String]) -> bool + Send + Sync> RowFilter for F {
    fn keeps(&self, row: &[String]) -> bool {
        self(row)
    }
}

/// The rows a plan looks at, in the order their cells run.
#[derive(Debug, Clone, Default)]
pub enum Rows {
    /// Every row, in table order.
    #[default]
    All,
    /// These row positions, in this order (a sorted or filtered view, a selection).
    Positions(Arc<Vec<u32>>),
    /// These rows by identity (cells to re-run), found in the table when planned and taken
    /// in table order.
    Ids(Arc<Vec<RowId>>),
}

/// Which rows are in scope.
#[derive(Clone, Default)]
pub struct RowScope {
    /// The rows looked at, in order.
    pub rows: Rows,
    /// At most this many rows are in scope: the first ones looked at where some plan's run
    /// condition holds (rows where none does are skipped, and do not count).
    pub limit: Option<usize>,
}

impl std::fmt::Debug for RowScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowScope")
            .field("rows", &self.rows)
            .field("limit", &self.limit)
            .finish()
    }
}

impl RowScope {
    /// Every row.
    pub fn all() -> RowScope {
        RowScope::default()
    }

    /// These rows, in this order.
    pub fn rows(rows: Rows) -> RowScope {
        RowScope {
            rows,
            ..RowScope::default()
        }
    }

    /// At most `limit` rows of this scope (`None`: no bound).
    pub fn limited(self, limit: Option<usize>) -> RowScope {
        RowScope { limit, ..self }
    }

    /// Whether `taken` rows fill the scope, so no later row can be in it.
    pub fn is_full(&self, taken: usize) -> bool {
        self.limit.is_some_and(|n| taken >= n)
    }
}

/// Whether a row's cells count toward the scope's limit: some plan's condition holds (a row
/// every plan skips for its condition was looked at, not enriched).
pub fn counts(cells: &[super::Cell]) -> bool {
    cells.is_empty()
        || cells
            .iter()
            .any(|c| !matches!(c.decision, super::Decision::Unmet))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Cell, Decision};

    #[test]
    fn a_row_every_plan_skips_for_its_condition_does_not_count() {
        let cell = |decision| Cell {
            inputs: Default::default(),
            decision,
        };
        assert!(counts(&[cell(Decision::Run), cell(Decision::Unmet)]));
        assert!(!counts(&[cell(Decision::Unmet)]));
        assert!(counts(&[]));
        let scope = RowScope::all().limited(Some(2));
        assert!(!scope.is_full(1) && scope.is_full(2));
        assert!(!RowScope::all().is_full(usize::MAX));
    }
}
