//! Which rows a plan covers: every row, a set of rows (a view, a selection, cells to re-run),
//! at most the first N, and only those a condition keeps.

use crate::table::RowId;
use std::sync::Arc;

/// A condition on a row's values: rows it rejects are not in scope. The hook for run
/// conditions (`src/expr` programs); any `Fn(&[String]) -> bool` is one.
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
    /// At most this many rows are in scope: the first ones looked at that the filter keeps.
    pub limit: Option<usize>,
    /// Only rows this keeps are in scope.
    pub filter: Option<Arc<dyn RowFilter>>,
}

impl std::fmt::Debug for RowScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowScope")
            .field("rows", &self.rows)
            .field("limit", &self.limit)
            .field("filter", &self.filter.is_some())
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

    /// Whether the next row looked at is in scope; `taken` counts the rows admitted so far
    /// (start at 0) and grows by one when this one is.
    pub fn admits(&self, taken: &mut usize, row: &[String]) -> bool {
        if self.is_full(*taken) || self.filter.as_ref().is_some_and(|f| !f.keeps(row)) {
            return false;
        }
        *taken += 1;
        true
    }

    /// Whether `taken` rows fill the scope, so no later row can be in it.
    pub fn is_full(&self, taken: usize) -> bool {
        self.limit.is_some_and(|n| taken >= n)
    }

    /// Whether the rows in scope can only be known by reading them (a condition decides).
    pub fn reads_rows(&self) -> bool {
        self.filter.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(v: &str) -> Vec<String> {
        vec![v.to_owned()]
    }

    #[test]
    fn the_limit_counts_rows_the_filter_keeps() {
        let scope = RowScope {
            filter: Some(Arc::new(|r: &[String]| r[0] != "skip")),
            ..RowScope::all()
        }
        .limited(Some(2));
        let mut taken = 0;
        let admitted: Vec<bool> = ["a", "skip", "b", "c"]
            .iter()
            .map(|v| scope.admits(&mut taken, &row(v)))
            .collect();
        assert_eq!(admitted, [true, false, true, false]);
        assert!(scope.is_full(taken));
        assert!(scope.reads_rows());
        let mut taken = 0;
        assert!((0..5).all(|_| RowScope::all().admits(&mut taken, &row("x"))));
        assert!(!RowScope::all().reads_rows());
    }
}
