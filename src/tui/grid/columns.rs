//! How wide each column is on screen, which are hidden and which are pinned at the left, by
//! column identity (so all three stay with their column when others are inserted, deleted
//! or renamed).

use crate::table::{ColumnId, Sheet};
use crate::tui::text::text_width;
use std::collections::{BTreeSet, HashMap};

/// Rows sampled to fit column widths.
pub const WIDTH_SAMPLE: usize = 200;
const MIN_WIDTH: u16 = 3;
const MAX_FIT_WIDTH: u16 = 40;
/// Width of a column the widths do not know yet.
const DEFAULT_WIDTH: u16 = 10;

/// Column widths, hidden and pinned columns.
pub struct Columns {
    widths: HashMap<ColumnId, u16>,
    pub hidden: BTreeSet<ColumnId>,
    /// Shown first and kept on screen while the others scroll, in the order pinned. The
    /// first column (usually who the row is) starts pinned.
    pub pinned: Vec<ColumnId>,
    /// Rows the widths were last fitted to (at most the sample size).
    fitted_rows: usize,
}

impl Columns {
    /// Widths fitted to the sheet's header and first rows.
    pub fn new(sheet: &Sheet) -> Columns {
        let mut columns = Columns {
            widths: HashMap::new(),
            hidden: BTreeSet::new(),
            pinned: sheet.columns().first().map(|c| c.id).into_iter().collect(),
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

    /// Sheet columns on screen, in order: the pinned ones first, then the others as the
    /// sheet orders them.
    pub fn visible(&self, sheet: &Sheet) -> Vec<usize> {
        let shown = |id: &ColumnId| !self.hidden.contains(id);
        let pinned = self
            .pinned
            .iter()
            .filter(|id| shown(id))
            .filter_map(|id| sheet.column_index(*id));
        let rest = sheet
            .columns()
            .iter()
            .enumerate()
            .filter(|(_, c)| shown(&c.id) && !self.pinned.contains(&c.id))
            .map(|(i, _)| i);
        pinned.chain(rest).collect()
    }

    /// How many of the visible columns are pinned (they come first).
    pub fn pinned_shown(&self, sheet: &Sheet) -> usize {
        self.pinned
            .iter()
            .filter(|id| !self.hidden.contains(id) && sheet.column_index(**id).is_some())
            .count()
    }

    /// Pins sheet column `col` at the left, or unpins it; returns whether it is pinned now.
    pub fn toggle_pin(&mut self, sheet: &Sheet, col: usize) -> bool {
        let Some(id) = sheet.columns().get(col).map(|c| c.id) else {
            return false;
        };
        match self.pinned.iter().position(|p| *p == id) {
            Some(at) => {
                self.pinned.remove(at);
                false
            }
            None => {
                self.pinned.push(id);
                true
            }
        }
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
        self.pinned.retain(present);
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
    fn pinned_columns_come_first_and_follow_their_column() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("leads.csv");
        std::fs::write(&path, "name,company,email,title\nAda,Acme,a@x.io,CEO\n").expect("write");
        let mut sheet = Sheet::open(&path, &OpenOptions::default()).expect("open");
        let mut columns = Columns::new(&sheet);
        assert_eq!(
            columns.visible(&sheet),
            [0, 1, 2, 3],
            "the first starts pinned"
        );
        assert_eq!(columns.pinned_shown(&sheet), 1);
        assert!(columns.toggle_pin(&sheet, 2));
        assert_eq!(columns.visible(&sheet), [0, 2, 1, 3]);
        sheet.insert_column(0, "notes".into());
        columns.changed(&sheet);
        assert_eq!(columns.visible(&sheet), [1, 3, 0, 2, 4]);
        assert!(!columns.toggle_pin(&sheet, 1));
        assert_eq!(columns.visible(&sheet), [3, 0, 1, 2, 4]);
        columns.hide(&sheet, 3);
        assert_eq!(columns.pinned_shown(&sheet), 0);
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
