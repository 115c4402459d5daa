//! An expression bound to a sheet's columns by identity (a formula, an enrichment's run
//! condition): it keeps reading the same columns after others are inserted, moved, renamed
//! or deleted (a deleted one reads as empty), as the grid's filter does.

use crate::expr::{self, EvalCtx, FilterError, Program};
use crate::plan::RowFilter;
use crate::table::{ColumnId, Sheet};
use crate::tui::withheld::Shown;
use std::sync::Arc;

/// An expression, as typed and as bound to the sheet's columns.
#[derive(Debug, Clone)]
pub struct Bound {
    /// What the user typed.
    pub source: String,
    /// The program; its column indexes point into `columns`.
    pub program: Program,
    /// The sheet's columns when it was bound.
    columns: Vec<ColumnId>,
}

impl Bound {
    /// Parses `source` and binds it to the sheet's columns (by display name, as the filter
    /// prompt does).
    pub fn new(source: &str, sheet: &Sheet) -> Result<Bound, FilterError> {
        let headers: Vec<String> = sheet.columns().iter().map(|c| c.display.clone()).collect();
        let program = expr::parse(source)?.bind(&headers)?;
        Ok(Bound {
            source: source.trim().to_string(),
            program,
            columns: sheet.columns().iter().map(|c| c.id).collect(),
        })
    }

    /// The columns it reads, by identity.
    pub fn reads(&self) -> Vec<ColumnId> {
        self.program
            .columns()
            .iter()
            .filter_map(|&i| self.columns.get(i).copied())
            .collect()
    }

    /// A run condition for a plan over the sheet as it is now: rows where the expression is
    /// true.
    pub fn filter(&self, sheet: &Sheet) -> Arc<dyn RowFilter> {
        let (program, map, ctx) = (self.program.clone(), self.map(sheet), EvalCtx::now());
        Arc::new(move |row: &[String]| {
            let shown = Shown {
                cells: row,
                hidden: &[],
                map: &map,
            };
            program.matches(&shown, &ctx)
        })
    }

    /// Where each column it was bound with is now, for a scan of the sheet as it is.
    pub fn map(&self, sheet: &Sheet) -> Vec<Option<usize>> {
        self.columns
            .iter()
            .map(|id| sheet.column_index(*id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::EvalCtx;
    use crate::table::OpenOptions;

    #[test]
    fn a_bound_expression_follows_its_columns() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "a,b\n1,2\n").expect("write");
        let mut sheet = Sheet::open(&path, &OpenOptions::default()).expect("open");
        let bound = Bound::new("b * 10", &sheet).expect("bound");
        assert_eq!(bound.reads(), [sheet.columns()[1].id]);
        sheet.insert_column(0, "new".into());
        sheet.rename_column(2, "renamed".into());
        let map = bound.map(&sheet);
        let cells = sheet.row_cells(0);
        let hidden = vec![false; cells.len()];
        let row = Shown {
            cells: &cells,
            hidden: &hidden,
            map: &map,
        };
        let ctx = EvalCtx::now();
        assert_eq!(bound.program.eval(&row, &ctx).to_cell_text(), "20");
        assert!(Bound::new("nope >", &sheet).is_err());
    }
}
