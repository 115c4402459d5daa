//! What an enrichment cell shows and says: its text in the grid, whether its inputs were
//! edited since it ran, and which rows failed.

use super::{CellInfo, EnrichColumn, Enrichments, InputSource, SPINNER, STALE};
use crate::cell::{CellState, SkipReason};
use crate::table::{RowId, Sheet};
use crate::tui::action::{Action, key_label};
use crate::tui::message::Message;
use crate::tui::withheld::Withheld;
use std::collections::HashSet;
use std::sync::Arc;

impl EnrichColumn {
    /// Inputs of a finished cell whose value in its row (`cells`) changed since it ran:
    /// (input, value it ran with, value now).
    pub fn input_changes<'a>(
        &'a self,
        sheet: &'a Sheet,
        info: &'a CellInfo,
        cells: &'a [String],
    ) -> impl Iterator<Item = (&'static str, &'a str, &'a str)> + 'a {
        let finished = matches!(
            info.state,
            CellState::Done | CellState::NoData | CellState::Failed
        );
        let spec = self.integration.spec();
        spec.inputs
            .iter()
            .zip(&self.sources)
            .filter(move |_| finished)
            .filter_map(move |(input, source)| {
                let InputSource::Column(id) = source else {
                    return None;
                };
                let col = sheet.column_index(*id)?;
                let now = cells.get(col).map_or("", String::as_str);
                let then = info.inputs.get(input.name).map_or("", String::as_str);
                (now != then).then_some((input.name, then, now))
            })
    }
}

impl Enrichments {
    /// After an input cell changed, says which of the row's enrichments are now out of date.
    pub fn stale_after_edit(&self, sheet: &Sheet, row: usize, col: usize) -> Option<Message> {
        let edited = InputSource::Column(sheet.columns().get(col)?.id);
        let id = sheet.row_id(row)?;
        let stale: Vec<&str> = self
            .columns
            .iter()
            .filter(|c| c.sources.contains(&edited))
            .filter(|c| c.cells.get(&id).is_some_and(|cell| cell.state.is_final()))
            .map(|c| c.integration.spec().name)
            .collect();
        (!stale.is_empty()).then(|| {
            Message::info(format!(
                "{} of row {} used the old value: {} re-runs the row",
                stale.join(", "),
                row + 1,
                key_label(Action::RerunRow)
            ))
        })
    }

    /// What an enrichment cell shows in the grid: the value when done, else a state mark.
    pub fn cell_text(
        &self,
        sheet: &Sheet,
        ci: usize,
        row: usize,
        cells: &[String],
        value: &str,
    ) -> (String, CellState) {
        let column = self.columns.get(ci);
        let info = sheet.row_id(row).and_then(|id| column?.cells.get(&id));
        let state = info.map_or(CellState::Empty, |c| c.state.clone());
        if let (Some(column), Some(info)) = (column, info)
            && column.input_changes(sheet, info, cells).next().is_some()
        {
            // Ran on inputs the row no longer has: the answer may belong to the old value.
            let shown = match &state {
                CellState::Done => value.to_string(),
                other => other.label().to_string(),
            };
            return (format!("{STALE} {shown}"), state);
        }
        let text = match &state {
            CellState::Empty | CellState::Done => value.to_string(),
            CellState::Running => {
                format!("{} running", SPINNER[self.spinner % SPINNER.len()])
            }
            CellState::Retrying { attempt, max } => {
                format!("{} retry {attempt}/{max}", state.glyph())
            }
            CellState::Queued
                if let Some(on) = sheet
                    .row_id(row)
                    .zip(column)
                    .and_then(|(id, c)| self.waiting_on(id, c.id)) =>
            {
                format!("{} waiting on {on}", state.glyph())
            }
            CellState::Skipped(SkipReason::Condition) => {
                format!("{} skipped (condition)", state.glyph())
            }
            other => format!("{} {}", other.glyph(), other.label()),
        };
        (text, state)
    }

    /// The cells that show a state instead of a value (not requested and done cells show
    /// their value), by sheet column: what sorts, filters and searches must see as empty.
    pub fn withheld(&self, sheet: &Sheet) -> Withheld {
        let mut withheld = Withheld::none();
        for column in &self.columns {
            let rows: HashSet<RowId> = column
                .cells
                .iter()
                .filter(|(_, c)| !matches!(c.state, CellState::Empty | CellState::Done))
                .map(|(id, _)| *id)
                .collect();
            let rows = Arc::new(rows);
            for output in &column.outputs {
                if let Some(col) = sheet.column_index(output.column) {
                    withheld.add(col, rows.clone());
                }
            }
        }
        withheld
    }

    /// Whether the cell of enrichment `ci` in sheet row `row` failed.
    pub fn is_failed(&self, sheet: &Sheet, row: usize, ci: usize) -> bool {
        sheet
            .row_id(row)
            .and_then(|id| self.columns.get(ci)?.cells.get(&id))
            .is_some_and(|c| c.state == CellState::Failed)
    }

    /// Sheet rows with at least one failed enrichment cell, in file order.
    pub fn failed_rows(&self, sheet: &Sheet) -> Vec<u32> {
        let mut rows: Vec<u32> = self
            .columns
            .iter()
            .flat_map(|c| c.cells.iter())
            .filter(|(_, c)| c.state == CellState::Failed)
            .filter_map(|(id, _)| sheet.row_of(*id))
            .map(|r| r as u32)
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }
}
