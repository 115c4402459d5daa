//! Computing a formula column over a snapshot, on a worker: every row, or only the rows
//! whose inputs changed. Only values that differ from what the column holds come back, so
//! applying them costs what changed, and an unchanged value never wakes a formula that
//! reads this one.

use crate::expr::{EvalCtx, Program, Value};
use crate::table::{LoadError, RowId, SheetSnapshot};
use crate::tui::withheld::{Shown, Withheld};
use std::ops::ControlFlow;

/// What one computation found.
#[derive(Debug, Default)]
pub struct Computed {
    /// Rows whose value differs from the column's, with the new value.
    pub values: Vec<(RowId, String)>,
    /// Rows the expression could not compute (their cell is left blank).
    pub errors: usize,
    /// Why the first of them could not be computed, with its row id.
    pub first_error: Option<(RowId, String)>,
}

/// A computation finished, as the worker reports it.
#[derive(Debug)]
pub struct Finished {
    /// The formula's id.
    pub formula: u32,
    /// Which of its computations.
    pub job: u64,
    /// The values that changed, or why the sheet could not be read.
    pub result: Result<Computed, String>,
}

/// One computation of a formula, ready for a worker.
pub struct Computation {
    /// The sheet as it was when asked.
    pub snapshot: SheetSnapshot,
    /// The formula's program.
    pub program: Program,
    /// Where each column the program was bound with is in the snapshot.
    pub map: Vec<Option<usize>>,
    /// Enrichment cells that show a state, not a value: read as empty.
    pub withheld: Withheld,
    /// The formula's own column in the snapshot.
    pub output: usize,
    /// Only these rows (`None`: every row).
    pub rows: Option<Vec<RowId>>,
    /// The date `days_since` counts to.
    pub today: EvalCtx,
}

impl Computation {
    /// Computes the rows asked for.
    pub fn run(&self) -> Result<Computed, LoadError> {
        let snapshot = &self.snapshot;
        let mut hidden = vec![false; snapshot.column_count()];
        let mut out = Computed::default();
        let mut each = |id: RowId, cells: &[String]| {
            if !self.withheld.is_empty() {
                self.withheld.mark(Some(id), &mut hidden);
            }
            let row = Shown {
                cells,
                hidden: &hidden,
                map: &self.map,
            };
            let text = match self.program.eval(&row, &self.today) {
                Value::Error(why) => {
                    out.errors += 1;
                    out.first_error.get_or_insert((id, why));
                    String::new()
                }
                value => value.into_cell_text(),
            };
            if cells.get(self.output).is_none_or(|old| *old != text) {
                out.values.push((id, text));
            }
            ControlFlow::Continue(())
        };
        match &self.rows {
            None => snapshot.for_rows(|n| 0..n, |_, id, cells| each(id, cells))?,
            Some(ids) => {
                let mut positions = snapshot.positions_of(ids);
                positions.sort_unstable();
                snapshot.for_rows(|_| positions, |_, id, cells| each(id, cells))?;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{OpenOptions, Sheet};
    use crate::tui::bound::Bound;

    #[test]
    fn only_changed_values_come_back_and_errors_are_counted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "n,out\n1,2\n2,0\nx,\n").expect("write");
        let sheet = Sheet::open(&path, &OpenOptions::default()).expect("open");
        sheet.wait_indexed();
        let bound = Bound::new("n * 2", &sheet).expect("bound");
        let job = |rows| Computation {
            snapshot: sheet.snapshot(),
            program: bound.program.clone(),
            map: bound.map(&sheet),
            withheld: Withheld::none(),
            output: 1,
            rows,
            today: EvalCtx::now(),
        };
        let all = job(None).run().expect("computed");
        let ids: Vec<RowId> = (0..3).filter_map(|r| sheet.row_id(r)).collect();
        assert_eq!(
            all.values,
            [(ids[1], "4".to_string())],
            "row 1 already holds 2"
        );
        assert_eq!(all.errors, 1);
        assert_eq!(all.first_error.map(|(id, _)| id), Some(ids[2]));
        let some = job(Some(vec![ids[1]])).run().expect("computed");
        assert_eq!(some.values, [(ids[1], "4".to_string())]);
        assert_eq!(some.errors, 0);
    }
}
