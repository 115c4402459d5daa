//! Engine work for enrichments: re-running, refreshing, pausing and cancelling (the cells
//! are planned on a worker, see `planning`), and applying what the engine reports back to
//! cells and the sheet.

use super::{Enrichments, OnWrite, Request};
use crate::cell::CellState;
use crate::engine::{Event as EngineEvent, JobResult};
use crate::integrations::Fields;
use crate::plan::{RowScope, Rows, errors};
use crate::providers::CallRecord;
use crate::table::{RowId, Sheet};
use crate::tui::action::{Action, key_label};
use crate::tui::bound::Bound;
use crate::tui::event::AppEvent;
use crate::tui::message::Message;
use crate::tui::text::count;
use std::sync::Arc;
use std::sync::mpsc::Sender;

impl Enrichments {
    /// Re-runs `rows` for every enrichment in `columns` (a cell, or a whole row).
    pub fn rerun_rows(
        &mut self,
        sheet: &Sheet,
        columns: &[usize],
        rows: &[usize],
        tx: &Sender<AppEvent>,
    ) -> Message {
        self.plan(sheet, columns, positions(rows), Request::default(), tx);
        let what = match rows {
            [one] => format!("row {}", one + 1),
            many => format!("{} selected rows", many.len()),
        };
        Message::info(format!(
            "re-running {what} ({})",
            count(columns.len(), "enrichment")
        ))
    }

    /// Runs `rows` of column `ci` again with fresh answers from the provider.
    pub fn refresh(
        &mut self,
        sheet: &Sheet,
        ci: usize,
        rows: &[usize],
        tx: &Sender<AppEvent>,
    ) -> Message {
        self.resume_stopped(ci);
        let request = Request {
            fresh: true,
            ..Request::default()
        };
        let n = if self.plan(sheet, &[ci], positions(rows), request, tx) {
            rows.iter().filter(|&&r| r < sheet.row_count()).count()
        } else {
            0
        };
        Message::info(format!(
            "refreshing {}: asking the provider again, not the cache",
            count(n, "cell")
        ))
    }

    /// Re-runs a column: every row that has a cell, or only the unfinished ones (failed or
    /// cancelled). Returns how many.
    pub fn rerun_column(
        &mut self,
        sheet: &Sheet,
        ci: usize,
        unfinished_only: bool,
        tx: &Sender<AppEvent>,
    ) -> usize {
        let Some(column) = self.columns.get(ci) else {
            return 0;
        };
        let rows: Vec<RowId> = column
            .cells
            .iter()
            .filter(|(_, c)| !unfinished_only || c.state.is_unfinished())
            .filter(|(_, c)| !c.state.is_pending())
            .map(|(id, _)| *id)
            .collect();
        self.resume_stopped(ci);
        self.plan_rows(sheet, ci, rows, tx)
    }

    /// Sets enrichment `ci`'s budget to `usd` (raising or lowering the one it has); its cells
    /// the budget stopped run again with `f` in the runs panel, or `F`.
    pub fn set_budget(&mut self, ci: usize, usd: f64) -> Option<Message> {
        let column = self.columns.get_mut(ci)?;
        column.set_budget(usd);
        self.definitions_changed = true;
        let column = self.columns.get(ci)?;
        let left = column.counts.budget;
        let name = column.integration.spec().name;
        let budget = crate::providers::format_usd(usd);
        Some(Message::info(if left > 0 {
            format!(
                "{name}: budget {budget}; {} re-runs its {} the budget stopped",
                key_label(Action::RerunUnfinished),
                count(left, "cell")
            )
        } else {
            format!("{name}: budget {budget}")
        }))
    }

    /// Sets (or with `None` clears) enrichment `ci`'s run condition. Cells already run keep
    /// their state until the column is re-run, which the message says.
    pub fn set_condition(&mut self, ci: usize, condition: Option<Bound>) -> Option<Message> {
        let column = self.columns.get_mut(ci)?;
        let name = column.integration.spec().name;
        let said = match &condition {
            Some(c) => format!("{name}: only run if {}", c.source),
            None => format!("{name}: runs on every row"),
        };
        column.condition = condition;
        self.definitions_changed = true;
        Some(Message::info(format!(
            "{said} ({} re-runs the column with it)",
            key_label(Action::RerunColumn)
        )))
    }

    /// Re-runs every unfinished (failed, cancelled or over budget) cell of every column, and
    /// says how many.
    pub fn rerun_unfinished(&mut self, sheet: &Sheet, tx: &Sender<AppEvent>) -> Message {
        let before = self.totals();
        if before.unfinished() == 0 {
            return Message::info("no failed, cancelled or over-budget cells to re-run");
        }
        let n: usize = (0..self.columns.len())
            .map(|ci| self.rerun_column(sheet, ci, true, tx))
            .sum();
        let over = if before.budget > 0 {
            format!(", {} over budget", before.budget)
        } else {
            String::new()
        };
        Message::info(format!(
            "re-running {} ({} failed, {} cancelled{over})",
            count(n, "unfinished cell"),
            before.failed,
            before.cancelled
        ))
    }

    /// Plans `rows` of column `ci` (in table order); returns how many, 0 when none can run.
    fn plan_rows(
        &mut self,
        sheet: &Sheet,
        ci: usize,
        rows: Vec<RowId>,
        tx: &Sender<AppEvent>,
    ) -> usize {
        let n = rows.len();
        if n == 0 {
            return 0;
        }
        let scope = RowScope::rows(Rows::Ids(Arc::new(rows)));
        if self.plan(sheet, &[ci], scope, Request::default(), tx) {
            n
        } else {
            0
        }
    }

    /// Lets a column an auth failure stopped make calls again.
    fn resume_stopped(&mut self, ci: usize) {
        if let Some(engine) = &self.engine
            && let Some(column) = self.columns.get_mut(ci)
        {
            engine.resume_column(column.id);
            column.stopped = None;
        }
    }

    /// Pauses a column (withdraws its queued jobs) or resumes it (queues them again).
    pub fn toggle_pause(
        &mut self,
        sheet: &Sheet,
        ci: usize,
        tx: &Sender<AppEvent>,
    ) -> Option<Message> {
        let engine = self.engine.clone()?;
        let column = self.columns.get_mut(ci)?;
        if column.paused {
            let rows: Vec<RowId> = column
                .cells
                .iter()
                .filter(|(_, c)| c.state == CellState::Cancelled)
                .map(|(id, _)| *id)
                .collect();
            column.paused = false;
            let n = self.plan_rows(sheet, ci, rows, tx);
            Some(Message::info(format!("resumed: {n} cells queued again")))
        } else {
            // Cells still being planned arrive skipped while it is paused.
            column.paused = true;
            let id = column.id;
            engine.cancel_column(id);
            self.cancel_waiting(Some(id));
            Some(Message::info(
                "paused: queued cells withdrawn, shown ⊘ (p resumes)",
            ))
        }
    }

    /// Cancels one column's jobs, and its cells still being planned.
    pub fn cancel_column(&mut self, ci: usize) {
        if let (Some(engine), Some(column)) = (&self.engine, self.columns.get(ci)) {
            engine.cancel_column(column.id);
            let id = column.id;
            self.withdraw(Some(id));
            self.cancel_waiting(Some(id));
        }
    }

    /// Cancels every job, and every cell still being planned.
    pub fn cancel_all(&mut self) -> Message {
        if let Some(engine) = &self.engine {
            engine.cancel_all();
        }
        self.withdraw(None);
        self.cancel_waiting(None);
        Message::info(format!(
            "run cancelled: its cells show ⊘ ({} re-runs unfinished cells)",
            key_label(Action::RerunUnfinished)
        ))
    }

    /// Applies the batch of engine events waiting, if any; returns the last thing to tell
    /// the user.
    /// Events `aside` claims (e.g. a dry run's) are handed back in `set_aside` instead.
    pub fn apply_engine_events(
        &mut self,
        sheet: &mut Sheet,
        on_write: OnWrite,
        set_aside: &mut Vec<EngineEvent>,
        aside: fn(&EngineEvent) -> bool,
    ) -> Option<Message> {
        let batch = self.events.as_ref()?.try_recv().ok()?;
        let mut said = None;
        for event in batch {
            if aside(&event) {
                set_aside.push(event);
                continue;
            }
            said = self.apply_event(sheet, event, on_write).or(said);
        }
        said
    }

    /// Applies one engine event to its cell; a done cell's values go into the sheet.
    pub fn apply_event(
        &mut self,
        sheet: &mut Sheet,
        event: EngineEvent,
        on_write: OnWrite,
    ) -> Option<Message> {
        match event {
            EngineEvent::Idle => {}
            EngineEvent::Running(key) => {
                if let Some(c) = self.column_mut(key.column) {
                    c.set_state(RowId::from_u64(key.row), CellState::Running);
                }
            }
            EngineEvent::Retrying {
                key, attempt, max, ..
            } => {
                if let Some(c) = self.column_mut(key.column) {
                    c.set_state(
                        RowId::from_u64(key.row),
                        CellState::Retrying { attempt, max },
                    );
                }
            }
            EngineEvent::Finished(result) => self.job_finished(sheet, *result, on_write),
            EngineEvent::Provider(notice) => {
                let message = notice.message();
                let resumed = matches!(
                    notice,
                    crate::engine::breaker::ProviderNotice::Resumed { .. }
                );
                self.provider_health.insert(notice.provider(), notice);
                return Some(if resumed {
                    Message::info(message)
                } else {
                    Message::error(message)
                });
            }
            EngineEvent::ColumnStopped { column, error } => {
                let name = self.column_mut(column).map(|c| {
                    c.stopped = Some(error.message.clone());
                    c.integration.spec().name
                })?;
                return Some(Message::error(format!("{name} stopped: {}", error.message)));
            }
        }
        None
    }

    fn job_finished(&mut self, sheet: &mut Sheet, result: JobResult, on_write: OnWrite) {
        let row_id = RowId::from_u64(result.key.row);
        let row = sheet.row_of(row_id);
        let Some(column) = self.column_mut(result.key.column) else {
            return;
        };
        let paid = result
            .calls
            .iter()
            .filter(|c| !c.cached && !c.shared)
            .count() as u64;
        column.attempts += result
            .calls
            .iter()
            .filter(|c| !c.cached && !c.shared)
            .map(|c| c.attempts.len() as u64)
            .sum::<u64>();
        column.reused += result.calls.len() as u64 - paid;
        for call in &result.calls {
            if let Some(usage) = call.paid() {
                column.spent.add(&usage);
                column
                    .spent_by_provider
                    .entry(call.provider)
                    .or_default()
                    .add(&usage);
            }
        }
        column.latency_ms += result
            .calls
            .iter()
            .flat_map(|c| c.attempts.iter())
            .map(|a| a.duration_ms)
            .sum::<u64>();
        let Some(cell) = column.set_state(row_id, result.state.clone()) else {
            return;
        };
        cell.error = result.error;
        cell.calls = result.calls;
        cell.notes = result.notes;
        cell.finished_at = Some(chrono::Utc::now());
        // Values go into the sheet so search, sort and save see them.
        if let Some(row) = row
            && result.state == CellState::Done
            && let Some(ci) = self.position(result.key.column)
        {
            self.write_outputs(sheet, ci, row, &result.fields, on_write);
        }
        // Cells of the row reading this one's outputs may start now.
        self.release(sheet, row_id);
    }

    /// Writes a done cell's output values into the sheet.
    pub fn write_outputs(
        &self,
        sheet: &mut Sheet,
        ci: usize,
        row: usize,
        fields: &Fields,
        on_write: OnWrite,
    ) {
        let Some(column) = self.columns.get(ci) else {
            return;
        };
        for output in &column.outputs {
            if let Some(col) = sheet.column_index(output.column) {
                let value = fields.get(output.name).cloned().unwrap_or_default();
                if sheet.cell(row, col) != value {
                    on_write(output.column, &value);
                    sheet.set_cell_untracked(row, col, value);
                }
            }
        }
    }

    /// A restored cell's calls arrived from the journal.
    pub fn apply_journaled_calls(&mut self, column: u32, row: RowId, calls: Vec<CallRecord>) {
        if let Some(cell) = self.column_mut(column).and_then(|c| c.cells.get_mut(&row))
            && cell.calls_in_journal
        {
            cell.calls = calls;
            cell.calls_in_journal = false;
        }
    }

    /// Writes each enrichment's `<integration>_error` column with the text `leadgrid run`
    /// writes ([`errors::cell_message`]): added when some cell failed or was cancelled,
    /// filled in place when the sheet has it, cleared where the cell now has an answer.
    pub fn write_error_columns(&self, sheet: &mut Sheet) {
        for column in &self.columns {
            let texts: Vec<(RowId, String)> = column
                .cells
                .iter()
                .filter_map(|(id, c)| {
                    Some((*id, errors::cell_message(&c.state, c.error.as_ref())?))
                })
                .collect();
            let name = column.error_column();
            let col = match sheet.columns().iter().position(|c| c.name == name) {
                Some(c) => c,
                None if texts.iter().any(|(_, t)| !t.is_empty()) => {
                    let at = sheet.columns().len();
                    sheet.insert_column(at, name)
                }
                None => continue,
            };
            for (id, text) in texts {
                if let Some(row) = sheet.row_of(id)
                    && sheet.cell(row, col) != text
                {
                    sheet.set_cell_untracked(row, col, text);
                }
            }
        }
    }
}

/// Sheet row positions as a plan's rows, in the order given.
fn positions(rows: &[usize]) -> RowScope {
    let rows = rows.iter().filter_map(|&r| u32::try_from(r).ok()).collect();
    RowScope::rows(Rows::Positions(Arc::new(rows)))
}
