//! Which rows an enrichment runs on: the scopes the picker offers, and the row sets (view
//! order, selection) they are read from.

use std::sync::Arc;

/// Which rows an enrichment runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    AllRows,
    /// The rows the user selected, in file order.
    SelectedRows,
    /// Rows shown by the current filter, in view order.
    ViewRows,
    /// The first N rows of the view: a cheap test run.
    FirstRows(usize),
    /// Rows whose output cells are empty or failed.
    EmptyOrFailed,
}

impl Scope {
    /// How the scope is written in the picker.
    pub fn label(&self) -> String {
        match self {
            Scope::AllRows => "all rows".into(),
            Scope::SelectedRows => "selected rows".into(),
            Scope::ViewRows => "rows in the current view".into(),
            Scope::FirstRows(n) => format!("first {n} rows (test run)"),
            Scope::EmptyOrFailed => "only rows whose outputs are empty or failed".into(),
        }
    }

    /// The scope after this one; "selected rows" is offered only when there is a selection.
    pub fn next(self, has_selection: bool) -> Scope {
        match self {
            Scope::AllRows if has_selection => Scope::SelectedRows,
            Scope::AllRows | Scope::SelectedRows => Scope::ViewRows,
            Scope::ViewRows => Scope::FirstRows(10),
            Scope::FirstRows(_) => Scope::EmptyOrFailed,
            Scope::EmptyOrFailed => Scope::AllRows,
        }
    }
}

/// The grid's row sets a scope is read from: its view order and its selection.
#[derive(Debug, Clone, Default)]
pub struct RowScopes {
    /// Row positions in view order when sorted or filtered; `None`: every row, in file order.
    pub view: Option<Arc<Vec<u32>>>,
    /// Selected row positions, in file order.
    pub selected: Vec<usize>,
    /// The row under the cursor (a dry run of an AI column reads it).
    pub current: Option<usize>,
}

impl RowScopes {
    /// Rows in the view of a sheet with `total` rows.
    pub fn view_len(&self, total: usize) -> usize {
        self.view.as_ref().map_or(total, |order| order.len())
    }

    fn view_rows(&self, n: usize) -> Vec<usize> {
        match &self.view {
            Some(order) => order.iter().take(n).map(|&p| p as usize).collect(),
            None => (0..n).collect(),
        }
    }

    /// Rows a scope covers, as an estimate for the confirm line ("empty or failed" counts
    /// every row: at most that many).
    pub fn count(&self, scope: Scope, total: usize) -> usize {
        match scope {
            Scope::AllRows | Scope::EmptyOrFailed => total,
            Scope::SelectedRows => self.selected.len(),
            Scope::ViewRows => self.view_len(total),
            Scope::FirstRows(n) => n.min(self.view_len(total)),
        }
    }

    /// Row positions of a scope, in the order they run; `None` for "empty or failed", which
    /// the enrichment's cells decide.
    pub fn rows(&self, scope: Scope, total: usize) -> Option<Vec<usize>> {
        match scope {
            Scope::AllRows => Some((0..total).collect()),
            Scope::SelectedRows => Some(self.selected.clone()),
            Scope::ViewRows => Some(self.view_rows(self.view_len(total))),
            Scope::FirstRows(n) => Some(self.view_rows(n.min(self.view_len(total)))),
            Scope::EmptyOrFailed => None,
        }
    }

    /// Row positions of a scope in file order, for a scan of the sheet; `None`: every row.
    pub fn positions(&self, scope: Scope, total: usize) -> Option<Vec<u32>> {
        let mut rows: Vec<u32> = match scope {
            Scope::AllRows | Scope::EmptyOrFailed => return None,
            Scope::SelectedRows => self.selected.iter().map(|&r| r as u32).collect(),
            _ => self
                .rows(scope, total)?
                .into_iter()
                .map(|r| r as u32)
                .collect(),
        };
        rows.sort_unstable();
        Some(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_the_view_and_the_selection() {
        let scopes = RowScopes {
            view: Some(Arc::new(vec![4, 1, 3])),
            selected: vec![0, 2],
            current: None,
        };
        assert_eq!(scopes.rows(Scope::AllRows, 5), Some(vec![0, 1, 2, 3, 4]));
        assert_eq!(scopes.rows(Scope::ViewRows, 5), Some(vec![4, 1, 3]));
        assert_eq!(scopes.rows(Scope::FirstRows(2), 5), Some(vec![4, 1]));
        assert_eq!(scopes.positions(Scope::FirstRows(2), 5), Some(vec![1, 4]));
        assert_eq!(scopes.count(Scope::SelectedRows, 5), 2);
        assert_eq!(scopes.count(Scope::EmptyOrFailed, 5), 5);
        assert_eq!(scopes.rows(Scope::EmptyOrFailed, 5), None);
    }
}
