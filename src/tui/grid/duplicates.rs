//! Duplicate rows in the grid: marked in the gutter after `U`, stepped through with `}`/`{`.

use super::Grid;
use crate::table::Sheet;
use crate::tui::action::{Action, key_label};
use crate::tui::component::Outcome;
use crate::tui::intent::Intent;
use crate::tui::message::Message;

impl Grid {
    /// Whether sheet row `row` repeats another's key.
    pub fn is_duplicate(&self, sheet: &Sheet, row: usize) -> bool {
        self.duplicates
            .as_ref()
            .is_some_and(|marked| sheet.row_id(row).is_some_and(|id| marked.contains(&id)))
    }

    /// Moves the cursor to the next (or previous) marked duplicate in view order.
    pub fn jump_to_duplicate(&mut self, sheet: &Sheet, forward: bool) -> Outcome {
        if self.duplicates.is_none() {
            return Intent::Notify(Message::info(format!(
                "no duplicates marked ({} finds them)",
                key_label(Action::Duplicates)
            )))
            .into();
        }
        let rows = self.view_rows(sheet);
        let marked = |v: &usize| {
            self.row_at(sheet, *v)
                .is_some_and(|r| self.is_duplicate(sheet, r))
        };
        let found = if forward {
            (self.cursor_row.saturating_add(1)..rows).find(marked)
        } else {
            (0..self.cursor_row.min(rows)).rev().find(marked)
        };
        match found {
            Some(v) => {
                self.cursor_row = v;
                Outcome::Consumed
            }
            None => Intent::Notify(Message::info(if forward {
                "no more duplicates below"
            } else {
                "no more duplicates above"
            }))
            .into(),
        }
    }
}
