//! How wide each column is on screen and which are hidden.

use crate::table::Sheet;
use crate::tui::text::text_width;
use std::collections::BTreeSet;

/// Rows sampled to fit column widths.
pub const WIDTH_SAMPLE: usize = 200;
const MIN_WIDTH: u16 = 3;
const MAX_FIT_WIDTH: u16 = 40;
/// Width of a column the widths do not know yet.
const DEFAULT_WIDTH: u16 = 10;

/// Column widths and hidden columns, by sheet column.
pub struct Columns {
    /// Width of each sheet column.
    pub widths: Vec<u16>,
    pub hidden: BTreeSet<usize>,
    /// Rows the widths were last fitted to (at most the sample size).
    fitted_rows: usize,
}

impl Columns {
    /// Widths fitted to the sheet's header and first rows.
    pub fn new(sheet: &Sheet) -> Columns {
        let mut columns = Columns {
            widths: Vec::new(),
            hidden: BTreeSet::new(),
            fitted_rows: 0,
        };
        columns.widths = columns.fitted(sheet);
        columns
    }

    /// Width of a sheet column on screen.
    pub fn width_of(&self, col: usize) -> u16 {
        self.widths.get(col).copied().unwrap_or(DEFAULT_WIDTH)
    }

    /// Sheet columns on screen, in order.
    pub fn visible(&self, sheet: &Sheet) -> Vec<usize> {
        (0..sheet.columns().len())
            .filter(|c| !self.hidden.contains(c))
            .collect()
    }

    /// Widths fitted to the header and the first rows, remembering how many rows were there.
    fn fitted(&mut self, sheet: &Sheet) -> Vec<u16> {
        let rows: Vec<Vec<String>> = (0..sheet.row_count().min(WIDTH_SAMPLE))
            .map(|r| sheet.row_cells(r))
            .collect();
        self.fitted_rows = rows.len();
        (0..sheet.columns().len())
            .map(|c| fitted_width(&sheet.columns()[c].display, rows.iter().map(|r| r.get(c))))
            .collect()
    }

    /// A large file's first screen is drawn before its first rows are indexed: once more of
    /// the sample has arrived, columns grow to fit it (never shrink, so a width set by hand stays).
    pub fn widen_to_new_rows(&mut self, sheet: &Sheet) {
        if self.fitted_rows >= WIDTH_SAMPLE || sheet.row_count() <= self.fitted_rows {
            return;
        }
        let fitted = self.fitted(sheet);
        for (width, fit) in self.widths.iter_mut().zip(fitted) {
            *width = (*width).max(fit);
        }
    }

    /// Fits sheet column `col` to its header and the values of `rows`.
    pub fn fit(&mut self, sheet: &Sheet, col: usize, rows: &[usize]) {
        let cells: Vec<Vec<String>> = rows.iter().map(|&r| sheet.row_cells(r)).collect();
        if let Some(column) = sheet.columns().get(col) {
            let w = fitted_width(&column.display, cells.iter().map(|r| r.get(col)));
            if let Some(slot) = self.widths.get_mut(col) {
                *slot = w;
            }
        }
    }

    /// Widens a column (up to the fitting limit) so a value that just arrived shows whole.
    pub fn grow_to_fit(&mut self, col: usize, value: &str) {
        let wanted = (text_width(&crate::sanitize::for_display(value)) as u16).min(MAX_FIT_WIDTH);
        if let Some(w) = self.widths.get_mut(col)
            && *w < wanted
        {
            *w = wanted;
        }
    }

    /// Narrows or widens a column by `delta` cells.
    pub fn adjust(&mut self, col: usize, delta: i16) {
        if let Some(w) = self.widths.get_mut(col) {
            *w = w.saturating_add_signed(delta).clamp(MIN_WIDTH, 200);
        }
    }

    /// Keeps widths and hidden columns in step after the column set changed.
    pub fn changed(&mut self, sheet: &Sheet) {
        if self.widths.len() != sheet.columns().len() {
            self.hidden.clear();
            self.widths = self.fitted(sheet);
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

    #[test]
    fn columns_grow_once_the_first_rows_arrive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("leads.csv");
        std::fs::write(&path, "n,email\n1,ada.quill@brightforge.example\n").expect("write");
        let sheet = Sheet::open(&path, &OpenOptions::default()).expect("open");
        let mut columns = Columns::new(&sheet);
        let fitted = columns.widths.clone();
        assert_eq!(fitted[1], "ada.quill@brightforge.example".len() as u16);
        // As if the first screen had been drawn before the index held a row; a column the
        // user widened by hand keeps its width.
        columns.fitted_rows = 0;
        columns.widths = vec![12, MIN_WIDTH];
        columns.widen_to_new_rows(&sheet);
        assert_eq!(columns.widths, [12, fitted[1]]);
    }
}
