//! The grid's side of the run journal: enrichment column definitions are saved
//! with the store, and on reopening a sheet its columns and finished cells come
//! back (restored in the background), and only missing or failed cells run again.

use super::app::App;
use super::enrich::{CellInfo, EnrichColumn, InputSource};
use super::event::{AppEvent, WorkerResult};
use crate::cell::CellState;
use crate::integrations::{Fields, find};
use crate::resume::{Journal, Restored};
use crate::store::{RunId, Store};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

/// Where this sheet's enrichments are journaled.
#[derive(Clone)]
pub struct Persistence {
    pub store: Store,
    pub run: RunId,
}

/// An enrichment column as saved with the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedColumn {
    pub integration: String,
    /// Per input, in spec order: `{"column": name}`, `{"constant": value}` or null.
    pub sources: Vec<Option<SavedSource>>,
    pub outputs: Vec<String>,
}

/// Where a saved input comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavedSource {
    Column(String),
    Constant(String),
}

/// What the background restore found for one column: per row position, its journaled cell.
pub struct RestoredColumn {
    pub column_id: u32,
    pub cells: Vec<(u32, Fields, Option<Restored>)>,
}

/// What the background restore found: cells per column, and why the journal could not be
/// read, if it could not (then every cell runs).
pub struct RestoreResult {
    pub columns: Vec<RestoredColumn>,
    pub journal_error: Option<String>,
}

impl App {
    /// Saves the current enrichment columns so reopening the sheet brings them back.
    pub(super) fn save_column_definitions(&mut self) {
        let Some(p) = &self.persist else { return };
        let saved: Vec<SavedColumn> = self
            .enrich
            .columns
            .iter()
            .map(|c| SavedColumn {
                integration: c.integration.spec().name.to_string(),
                sources: c
                    .sources
                    .iter()
                    .map(|s| match s {
                        InputSource::Column(n) => Some(SavedSource::Column(n.clone())),
                        InputSource::Constant(v) => Some(SavedSource::Constant(v.clone())),
                        InputSource::Unmapped => None,
                    })
                    .collect(),
                outputs: c.outputs.iter().map(|o| o.to_string()).collect(),
            })
            .collect();
        let json = serde_json::to_value(saved).unwrap_or_default();
        if let Err(e) = p.store.save_columns(&p.run, &json) {
            self.error_message(format!("could not save the enrichment columns: {e}"));
        }
    }

    /// Recreates the saved enrichment columns and starts restoring their cells in the background.
    /// Called once the file is fully indexed.
    pub(super) fn restore_enrichments(&mut self) {
        let Some(p) = self.persist.clone() else {
            return;
        };
        let saved: Vec<SavedColumn> = match p.store.load_columns(&p.run) {
            Ok(Some(json)) => serde_json::from_value(json).unwrap_or_default(),
            Ok(None) => return,
            Err(e) => {
                self.error_message(format!("could not read the enrichment columns: {e}"));
                return;
            }
        };
        let mut jobs = Vec::new();
        for s in saved {
            let Some(integration) = find(&s.integration) else {
                continue;
            };
            let spec = integration.spec();
            let outputs: Vec<&'static str> = spec
                .outputs
                .iter()
                .map(|o| o.name)
                .filter(|name| s.outputs.iter().any(|o| o == name))
                .collect();
            // Undoable like adding the enrichment by hand: one step that withdraws it.
            let depth = self.append_output_columns(&outputs);
            let sources: Vec<InputSource> = spec
                .inputs
                .iter()
                .enumerate()
                .map(|(i, _)| match s.sources.get(i).cloned().flatten() {
                    Some(SavedSource::Column(n)) => InputSource::Column(n),
                    Some(SavedSource::Constant(v)) => InputSource::Constant(v),
                    None => InputSource::Unmapped,
                })
                .collect();
            let id = self.enrich.allocate_id();
            let resolved = self.resolve_sources(spec.inputs, &sources);
            jobs.push((id, spec.name, resolved));
            self.enrich
                .columns
                .push(EnrichColumn::new(id, integration, sources, outputs));
            self.record_structure(depth, id, None);
        }
        if jobs.is_empty() {
            return;
        }
        self.columns_changed();
        let snapshot = self.sheet.snapshot();
        let tx = self.tx();
        self.restoring = true;
        super::app::spawn_worker("leadgrid-restore", move || {
            // Reading the journal is disk work: here, not on the UI thread.
            let (journal, journal_error) = match Journal::load(&p.store, &p.run) {
                Ok(j) => (j, None),
                Err(e) => (Journal::default(), Some(e.to_string())),
            };
            let mut columns: Vec<RestoredColumn> = jobs
                .iter()
                .map(|(id, _, _)| RestoredColumn {
                    column_id: *id,
                    cells: Vec::new(),
                })
                .collect();
            let _ = snapshot.for_each_row(|pos, cells| {
                for ((_, name, resolved), out) in jobs.iter().zip(columns.iter_mut()) {
                    let inputs = super::enrich::inputs_from(resolved, cells);
                    let found = journal.lookup(name, &inputs);
                    out.cells.push((pos as u32, inputs, found));
                }
                ControlFlow::Continue(())
            });
            let _ = tx.send(AppEvent::Worker(WorkerResult::Restored(RestoreResult {
                columns,
                journal_error,
            })));
        });
        self.info_message("restoring enrichment columns from the journal…");
    }

    /// Reads, in the background, the calls of the restored cell under the cursor.
    pub(super) fn load_journaled_calls(&mut self) {
        let Some(p) = self.persist.clone() else {
            return;
        };
        let Some((column, Some(cell))) = self.current_enrichment_cell() else {
            return;
        };
        if !cell.calls_in_journal {
            return;
        }
        let Some(row) = self.current_row().and_then(|r| self.sheet.row_id(r)) else {
            return;
        };
        let (column_id, name) = (column.id, column.integration.spec().name);
        let hash = crate::store::input_hash(&cell.inputs);
        let tx = self.tx();
        super::app::spawn_worker("leadgrid-journal-calls", move || {
            let calls = match p.store.journal_lookup(&p.run, name, &hash) {
                Ok(Some(entry)) => serde_json::from_value(entry.calls).unwrap_or_default(),
                _ => Vec::new(),
            };
            let _ = tx.send(AppEvent::Worker(WorkerResult::JournalCalls {
                column: column_id,
                row,
                calls,
            }));
        });
    }

    /// A restored cell's calls arrived from the journal.
    pub(super) fn apply_journaled_calls(
        &mut self,
        column: u32,
        row: crate::table::RowId,
        calls: Vec<crate::providers::CallRecord>,
    ) {
        if let Some(cell) = self
            .enrich
            .columns
            .iter_mut()
            .find(|c| c.id == column)
            .and_then(|c| c.cells.get_mut(&row))
            && cell.calls_in_journal
        {
            cell.calls = calls;
            cell.calls_in_journal = false;
        }
    }

    /// Applies what the background restore found: restored cells show again, the rest run.
    pub(super) fn apply_restored(&mut self, restored: RestoreResult) {
        self.restoring = false;
        let mut shown = 0usize;
        let mut to_run = 0usize;
        for column in restored.columns {
            let Some(ci) = self
                .enrich
                .columns
                .iter()
                .position(|c| c.id == column.column_id)
            else {
                continue;
            };
            let mut rerun = Vec::new();
            for (pos, inputs, found) in column.cells {
                let row = pos as usize;
                let Some(id) = self.sheet.row_id(row) else {
                    continue;
                };
                match found {
                    Some(r) => {
                        if !r.is_settled() {
                            rerun.push(row);
                        }
                        let state = r.state.clone();
                        if state == CellState::Done {
                            self.write_outputs(ci, row, &r.fields);
                        }
                        let col = &mut self.enrich.columns[ci];
                        col.counts.add(&state, 1);
                        col.cells.insert(
                            id,
                            CellInfo {
                                state,
                                error: r.error,
                                calls: Vec::new(),
                                notes: Vec::new(),
                                inputs,
                                calls_in_journal: true,
                                finished_at: None,
                            },
                        );
                        shown += 1;
                    }
                    None => rerun.push(row),
                }
            }
            to_run += self.submit_rows(ci, &rerun);
        }
        match restored.journal_error {
            Some(e) => self.error_message(format!(
                "could not read the run journal ({e}): {} queued again",
                super::layout::count(to_run, "cell")
            )),
            None => self.info_message(format!(
                "restored {} from the journal; {} to run (missing or failed)",
                super::layout::count(shown, "enrichment cell"),
                super::layout::count(to_run, "cell")
            )),
        }
    }
}
