//! Which rows an enrichment runs on: the scopes the picker offers, and the row sets (view
//! order, selection) they are read from.

use crate::plan::{RowScope, Rows};
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

    /// Whether rows whose outputs are all filled are left alone.
    pub fn skips_filled(self) -> bool {
        matches!(self, Scope::EmptyOrFailed)
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

    /// The rows a scope covers, in the order they run, as the plan layer reads them; which
    /// rows "empty or failed" leaves alone is the plan's rule ([`Scope::skips_filled`]).
    pub fn plan_scope(&self, scope: Scope) -> RowScope {
        let view = || match &self.view {
            Some(order) => RowScope::rows(Rows::Positions(order.clone())),
            None => RowScope::all(),
        };
        match scope {
            Scope::AllRows | Scope::EmptyOrFailed => RowScope::all(),
            Scope::SelectedRows => {
                let rows = self
                    .selected
                    .iter()
                    .filter_map(|&r| u32::try_from(r).ok())
                    .collect();
                RowScope::rows(Rows::Positions(Arc::new(rows)))
            }
            Scope::ViewRows => view(),
            Scope::FirstRows(n) => view().limited(Some(n)),
        }
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
        let rows = |scope| {
            let planned = scopes.plan_scope(scope);
            let rows = match planned.rows {
                Rows::All => None,
                Rows::Positions(p) => Some(p.to_vec()),
                Rows::Ids(_) => unreachable!("scopes are positions"),
            };
            (rows, planned.limit)
        };
        assert_eq!(rows(Scope::AllRows), (None, None));
        assert_eq!(rows(Scope::ViewRows), (Some(vec![4, 1, 3]), None));
        assert_eq!(rows(Scope::FirstRows(2)), (Some(vec![4, 1, 3]), Some(2)));
        assert_eq!(rows(Scope::SelectedRows), (Some(vec![0, 2]), None));
        assert_eq!(rows(Scope::EmptyOrFailed), (None, None));
        assert!(Scope::EmptyOrFailed.skips_filled() && !Scope::AllRows.skips_filled());
        assert_eq!(scopes.count(Scope::SelectedRows, 5), 2);
        assert_eq!(scopes.count(Scope::FirstRows(2), 5), 2);
        assert_eq!(scopes.count(Scope::EmptyOrFailed, 5), 5);
    }
}
