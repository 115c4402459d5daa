//! The grid's side of the run journal: enrichment column definitions are saved
//! with the store, and on reopening a sheet its columns and finished cells come
//! back (restored in the background), and only missing or failed cells run again.
//!
//! Enrichments know their columns by [`ColumnId`], which lives in memory only. Definitions
//! name each column as the file on disk has it (or by its current name, for a column the
//! file has not got yet), so reopening the file finds them: a rename is kept once saved and
//! forgotten with the file's other unsaved changes. On reopening, names bind to ids once.

use super::enrich::{CellInfo, Enrichments, InputSource, NewEnrichment, OnWrite, inputs_from};
use super::event::{AppEvent, RestoreResult, RestoredColumn, WorkerResult, spawn_worker};
use super::message::Message;
use super::text::count;
use crate::cell::CellState;
use crate::integrations::user::Catalog;
use crate::resume::Journal;
use crate::store::{RunId, Store};
use crate::table::{ColumnId, RowId, Sheet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::mpsc::Sender;

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
    /// The column each output fills, where it is not named after the output (renamed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, String>,
}

/// Where a saved input comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavedSource {
    Column(String),
    Constant(String),
}

impl Persistence {
    /// Saves the current enrichment columns so reopening the sheet brings them back.
    pub fn save_definitions(&self, enrich: &Enrichments, sheet: &Sheet) -> Result<(), Message> {
        let saved: Vec<SavedColumn> = enrich
            .columns
            .iter()
            .map(|c| {
                // Outputs whose column was deleted are not filled any more.
                let outputs: Vec<_> = c
                    .outputs
                    .iter()
                    .filter(|o| sheet.column_index(o.column).is_some())
                    .collect();
                SavedColumn {
                    integration: c.integration.spec().name.to_string(),
                    sources: c
                        .sources
                        .iter()
                        .map(|s| match s {
                            InputSource::Column(id) => {
                                saved_name(sheet, *id).map(SavedSource::Column)
                            }
                            InputSource::Constant(v) => Some(SavedSource::Constant(v.clone())),
                            InputSource::Unmapped => None,
                        })
                        .collect(),
                    outputs: outputs.iter().map(|o| o.name.to_string()).collect(),
                    columns: outputs
                        .iter()
                        .filter_map(|o| {
                            let column = saved_name(sheet, o.column)?;
                            (column != o.name).then(|| (o.name.to_string(), column))
                        })
                        .collect(),
                }
            })
            .collect();
        let json = serde_json::to_value(saved).unwrap_or_default();
        self.store
            .save_columns(&self.run, &json)
            .map_err(|e| Message::error(format!("could not save the enrichment columns: {e}")))
    }

    /// Recreates the saved enrichment columns and starts restoring their cells in the
    /// background; the result arrives as [`WorkerResult::Restored`]. Returns whether a
    /// restore started, and what to tell the user.
    pub fn restore(
        &self,
        catalog: &Catalog,
        sheet: &mut Sheet,
        enrich: &mut Enrichments,
        tx: &Sender<AppEvent>,
    ) -> (bool, Option<Message>) {
        let saved: Vec<SavedColumn> = match self.store.load_columns(&self.run) {
            Ok(Some(json)) => serde_json::from_value(json).unwrap_or_default(),
            Ok(None) => return (false, None),
            Err(e) => {
                return (
                    false,
                    Some(Message::error(format!(
                        "could not read the enrichment columns: {e}"
                    ))),
                );
            }
        };
        let mut jobs = Vec::new();
        for s in saved {
            let Some(integration) = catalog.find(&s.integration) else {
                continue;
            };
            let spec = integration.spec();
            let outputs: Vec<(&'static str, String)> = spec
                .outputs
                .iter()
                .map(|o| o.name)
                .filter(|name| s.outputs.iter().any(|o| o == name))
                .map(|name| {
                    let column = s.columns.get(name).map_or(name, String::as_str);
                    (name, column.to_string())
                })
                .collect();
            let by_name = |name: &str| sheet.columns().iter().find(|c| c.name == name);
            let sources: Vec<InputSource> = spec
                .inputs
                .iter()
                .enumerate()
                .map(|(i, _)| match s.sources.get(i).cloned().flatten() {
                    Some(SavedSource::Column(n)) => {
                        by_name(&n).map_or(InputSource::Unmapped, |c| InputSource::Column(c.id))
                    }
                    Some(SavedSource::Constant(v)) => InputSource::Constant(v),
                    None => InputSource::Unmapped,
                })
                .collect();
            let ci = enrich.bring_back(
                sheet,
                NewEnrichment {
                    integration,
                    sources,
                    outputs,
                },
            );
            let column = &enrich.columns[ci];
            let resolved = super::enrich::resolve(sheet, spec.inputs, &column.sources);
            jobs.push((column.id, column.integration.journal_name(), resolved));
        }
        if jobs.is_empty() {
            return (false, None);
        }
        let snapshot = sheet.snapshot();
        let (p, tx) = (self.clone(), tx.clone());
        spawn_worker("leadgrid-restore", move || {
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
                    let inputs = inputs_from(resolved, cells);
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
        (
            true,
            Some(Message::info(
                "restoring enrichment columns from the journal…",
            )),
        )
    }

    /// Reads, in the background, the calls of a restored cell (for the inspector); they
    /// arrive as [`WorkerResult::JournalCalls`].
    pub fn load_calls(&self, enrich: &Enrichments, column: u32, row: RowId, tx: &Sender<AppEvent>) {
        let Some(c) = enrich.column(column) else {
            return;
        };
        let Some(cell) = c.cells.get(&row).filter(|cell| cell.calls_in_journal) else {
            return;
        };
        let name = c.integration.journal_name();
        let hash = crate::store::input_hash(&cell.inputs);
        let (p, tx) = (self.clone(), tx.clone());
        spawn_worker("leadgrid-journal-calls", move || {
            let calls = match p.store.journal_lookup(&p.run, &name, &hash) {
                Ok(Some(entry)) => serde_json::from_value(entry.calls).unwrap_or_default(),
                _ => Vec::new(),
            };
            let _ = tx.send(AppEvent::Worker(WorkerResult::JournalCalls {
                column,
                row,
                calls,
            }));
        });
    }
}

/// The name a definition gives column `id`: its name in the file on disk, else its current
/// name; `None` when the column is in neither.
fn saved_name(sheet: &Sheet, id: ColumnId) -> Option<String> {
    match sheet.saved_name(id) {
        Some(name) => Some(name.to_string()),
        None => Some(sheet.columns()[sheet.column_index(id)?].name.clone()),
    }
}

/// Applies what the background restore found: restored cells show again, the rest run.
pub fn apply_restored(
    enrich: &mut Enrichments,
    sheet: &mut Sheet,
    restored: RestoreResult,
    on_write: OnWrite,
) -> Message {
    let mut shown = 0usize;
    let mut to_run = 0usize;
    for column in restored.columns {
        let Some(ci) = enrich.position(column.column_id) else {
            continue;
        };
        let mut rerun = Vec::new();
        for (pos, inputs, found) in column.cells {
            let row = pos as usize;
            let Some(id) = sheet.row_id(row) else {
                continue;
            };
            match found {
                Some(r) => {
                    if !r.is_settled() {
                        rerun.push(row);
                    }
                    let state = r.state.clone();
                    if state == CellState::Done {
                        enrich.write_outputs(sheet, ci, row, &r.fields, on_write);
                    }
                    let col = &mut enrich.columns[ci];
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
        to_run += enrich.submit(sheet, ci, &rerun, false);
    }
    match restored.journal_error {
        Some(e) => Message::error(format!(
            "could not read the run journal ({e}): {} queued again",
            count(to_run, "cell")
        )),
        None => Message::info(format!(
            "restored {} from the journal; {} to run (missing or failed)",
            count(shown, "enrichment cell"),
            count(to_run, "cell")
        )),
    }
}
