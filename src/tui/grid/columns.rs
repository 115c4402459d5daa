//! How wide each column is on screen and which are hidden, by column identity (so both stay
//! with their column when others are inserted, deleted or renamed).

use crate::table::{ColumnId, Sheet};
use crate::tui::text::text_width;
use std::collections::{BTreeSet, HashMap};

/// Rows sampled to fit column widths.
pub const WIDTH_SAMPLE: usize = 200;
const MIN_WIDTH: u16 = 3;
const MAX_FIT_WIDTH: u16 = 40;
/// Width of a column the widths do not know yet.
const DEFAULT_WIDTH: u16 = 10;

/// Column widths and hidden columns.
pub struct Columns {
    widths: HashMap<ColumnId, u16>,
    pub hidden: BTreeSet<ColumnId>,
    /// Rows the widths were last fitted to (at most the sample size).
    fitted_rows: usize,
}

impl Columns {
    /// Widths fitted to the sheet's header and first rows.
    pub fn new(sheet: &Sheet) -> Columns {
        let mut columns = Columns {
            widths: HashMap::new(),
            hidden: BTreeSet::new(),
            fitted_rows: 0,
        };
        columns.widths = columns.fitted(sheet);
        columns
    }

    /// Width of sheet column `col` on screen.
    pub fn width_of(&self, sheet: &Sheet, col: usize) -> u16 {
        sheet
            .columns()
            .get(col)
            .and_then(|c| self.widths.get(&c.id))
            .copied()
            .unwrap_or(DEFAULT_WIDTH)
    }

    /// Sheet columns on screen, in order.
    pub fn visible(&self, sheet: &Sheet) -> Vec<usize> {
        (0..sheet.columns().len())
            .filter(|&c| !self.hidden.contains(&sheet.columns()[c].id))
            .collect()
    }

    /// Widths fitted to the header and the first rows, remembering how many rows were there.
    fn fitted(&mut self, sheet: &Sheet) -> HashMap<ColumnId, u16> {
        let rows: Vec<Vec<String>> = (0..sheet.row_count().min(WIDTH_SAMPLE))
            .map(|r| sheet.row_cells(r))
            .collect();
        self.fitted_rows = rows.len();
        sheet
            .columns()
            .iter()
            .enumerate()
            .map(|(c, column)| {
                let width = fitted_width(&column.display, rows.iter().map(|r| r.get(c)));
                (column.id, width)
            })
            .collect()
    }

    /// A large file's first screen is drawn before its first rows are indexed: once more of
    /// the sample has arrived, columns grow to fit it (never shrink, so a width set by hand stays).
    pub fn widen_to_new_rows(&mut self, sheet: &Sheet) {
        if self.fitted_rows >= WIDTH_SAMPLE || sheet.row_count() <= self.fitted_rows {
            return;
        }
        for (id, fit) in self.fitted(sheet) {
            let width = self.widths.entry(id).or_insert(fit);
            *width = (*width).max(fit);
        }
    }

    /// Fits sheet column `col` to its header and the values of `rows`.
    pub fn fit(&mut self, sheet: &Sheet, col: usize, rows: &[usize]) {
        let cells: Vec<Vec<String>> = rows.iter().map(|&r| sheet.row_cells(r)).collect();
        if let Some(column) = sheet.columns().get(col) {
            let w = fitted_width(&column.display, cells.iter().map(|r| r.get(col)));
            self.widths.insert(column.id, w);
        }
    }

    /// Widens a column (up to the fitting limit) so a value that just arrived shows whole.
    pub fn grow_to_fit(&mut self, id: ColumnId, value: &str) {
        let wanted = (text_width(&crate::sanitize::for_display(value)) as u16).min(MAX_FIT_WIDTH);
        if let Some(w) = self.widths.get_mut(&id)
            && *w < wanted
        {
            *w = wanted;
        }
    }

    /// Narrows or widens sheet column `col` by `delta` cells.
    pub fn adjust(&mut self, sheet: &Sheet, col: usize, delta: i16) {
        if let Some(w) = sheet
            .columns()
            .get(col)
            .and_then(|c| self.widths.get_mut(&c.id))
        {
            *w = w.saturating_add_signed(delta).clamp(MIN_WIDTH, 200);
        }
    }

    /// Hides sheet column `col`.
    pub fn hide(&mut self, sheet: &Sheet, col: usize) {
        if let Some(c) = sheet.columns().get(col) {
            self.hidden.insert(c.id);
        }
    }

    /// Keeps up with the column set: columns added are fitted, columns gone are forgotten
    /// (undo brings a column back with its id, and it is fitted again).
    pub fn changed(&mut self, sheet: &Sheet) {
        let present = |id: &ColumnId| sheet.column_index(*id).is_some();
        self.widths.retain(|id, _| present(id));
        self.hidden.retain(present);
        if self.widths.len() < sheet.columns().len() {
            let rows = self.fitted_rows;
            for (id, fit) in self.fitted(sheet) {
                self.widths.entry(id).or_insert(fit);
            }
            self.fitted_rows = rows;
        }
    }
}

/// Width that shows the header and most sampled values, within bounds.
fn fitted_width<'a>(header: &str, values: impl Iterator<Item = Option<&'a String>>) -> u16 {
    let header_w = text_width(header) + 2;
    let widest = values
        .flatten()
        .map(|v| text_width(&crate::sanitize::for_display(v)))
        .max()
        .unwrap_or(0);
    (header_w.max(widest) as u16).clamp(MIN_WIDTH, MAX_FIT_WIDTH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::OpenOptions;

    fn sheet(dir: &tempfile::TempDir) -> Sheet {
        let path = dir.path().join("leads.csv");
        std::fs::write(&path, "n,email\n1,ada.quill@brightforge.example\n").expect("write");
        Sheet::open(&path, &OpenOptions::default()).expect("open")
    }

    #[test]
    fn columns_grow_once_the_first_rows_arrive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sheet = sheet(&dir);
        let mut columns = Columns::new(&sheet);
        let email = "ada.quill@brightforge.example".len() as u16;
        assert_eq!(columns.width_of(&sheet, 1), email);
        // As if the first screen had been drawn before the index held a row; a column the
        // user widened by hand keeps its width.
        columns.fitted_rows = 0;
        columns.widths = HashMap::from([
            (sheet.columns()[0].id, 12),
            (sheet.columns()[1].id, MIN_WIDTH),
        ]);
        columns.widen_to_new_rows(&sheet);
        assert_eq!(columns.width_of(&sheet, 0), 12);
        assert_eq!(columns.width_of(&sheet, 1), email);
    }

    #[test]
    fn widths_and_hidden_columns_stay_with_their_column() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut sheet = sheet(&dir);
        let mut columns = Columns::new(&sheet);
        columns.adjust(&sheet, 1, 6);
        let wide = columns.width_of(&sheet, 1);
        columns.hide(&sheet, 0);
        sheet.insert_column(0, "notes".into());
        columns.changed(&sheet);
        assert_eq!(columns.width_of(&sheet, 2), wide);
        assert_eq!(columns.visible(&sheet), [0, 2]);
        assert_eq!(columns.width_of(&sheet, 0), "notes".len() as u16 + 2);
        sheet.delete_column(1);
        columns.changed(&sheet);
        assert!(
            columns.hidden.is_empty(),
            "a deleted column is not counted as hidden"
        );
    }
}
