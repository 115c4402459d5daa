//! The grid's side of the run journal: enrichment column definitions are saved
//! with the store, and on reopening a sheet its columns and finished cells come
//! back (restored in the background), and only missing or failed cells run again.
//! The UI thread never waits on the store: requests go to the store thread, and their
//! answers come back as events.
//!
//! Enrichments know their columns by [`ColumnId`], which lives in memory only. Definitions
//! name each column as the file on disk has it (or by its current name, for a column the
//! file has not got yet), so reopening the file finds them: a rename is kept once saved and
//! forgotten with the file's other unsaved changes. On reopening, names bind to ids once.

use super::enrich::{Enrichments, InputSource, NewEnrichment, Report, Request};
use super::event::{AppEvent, WorkerResult};
use super::message::Message;
use crate::integrations::user::Catalog;
use crate::plan::RowScope;
use crate::store::{RunId, Store};
use crate::table::{ColumnId, RowId, Sheet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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
    /// Its budget in US dollars, so a reopened sheet keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_usd: Option<f64>,
}

/// Where a saved input comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavedSource {
    Column(String),
    Constant(String),
}

impl Persistence {
    /// Saves the current enrichment columns so reopening the sheet brings them back. The
    /// store thread commits them; a failure arrives as [`WorkerResult::Problem`].
    pub fn save_definitions(&self, enrich: &Enrichments, sheet: &Sheet, tx: &Sender<AppEvent>) {
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
                    budget_usd: c.budget_usd(),
                }
            })
            .collect();
        let json = serde_json::to_value(saved).unwrap_or_default();
        let tx = tx.clone();
        self.store
            .save_columns_then(&self.run, &json, move |saved| {
                if let Err(e) = saved {
                    let problem = format!("could not save the enrichment columns: {e}");
                    let _ = tx.send(AppEvent::Worker(WorkerResult::Problem(problem)));
                }
            });
    }

    /// Asks the store for the enrichment columns saved for this sheet; they arrive as
    /// [`WorkerResult::Definitions`] (see [`Persistence::restore`]).
    pub fn load_definitions(&self, tx: &Sender<AppEvent>) {
        let tx = tx.clone();
        self.store.load_columns_then(&self.run, move |loaded| {
            let loaded = loaded.map_err(|e| e.to_string());
            let _ = tx.send(AppEvent::Worker(WorkerResult::Definitions(loaded)));
        });
    }

    /// Recreates the saved enrichment columns and plans their cells against the journal in
    /// the background: finished cells come back, missing or failed ones run. Returns what
    /// to tell the user.
    pub fn restore(
        &self,
        catalog: &Catalog,
        definitions: Result<Option<serde_json::Value>, String>,
        sheet: &mut Sheet,
        enrich: &mut Enrichments,
        tx: &Sender<AppEvent>,
    ) -> Option<Message> {
        let saved: Vec<SavedColumn> = match definitions {
            Ok(Some(json)) => serde_json::from_value(json).unwrap_or_default(),
            Ok(None) => return None,
            Err(e) => {
                return Some(Message::error(format!(
                    "could not read the enrichment columns: {e}"
                )));
            }
        };
        let mut restored = Vec::new();
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
            restored.push(enrich.bring_back(
                sheet,
                NewEnrichment {
                    integration,
                    sources,
                    outputs,
                    budget_usd: s.budget_usd,
                },
            ));
        }
        let request = Request {
            journal: Some((self.store.clone(), self.run.clone())),
            report: Report::Restored,
            ..Request::default()
        };
        enrich
            .plan(sheet, &restored, RowScope::all(), request, tx)
            .then(|| Message::info("restoring enrichment columns from the journal…"))
    }

    /// Reads, through the store thread, the calls of a restored cell (for the inspector);
    /// they arrive as [`WorkerResult::JournalCalls`].
    pub fn load_calls(&self, enrich: &Enrichments, column: u32, row: RowId, tx: &Sender<AppEvent>) {
        let Some(c) = enrich.column(column) else {
            return;
        };
        let Some(cell) = c.cells.get(&row).filter(|cell| cell.calls_in_journal) else {
            return;
        };
        let name = c.integration.journal_name();
        let hash = crate::store::input_hash(&cell.inputs);
        let tx = tx.clone();
        self.store
            .journal_lookup_then(&self.run, &name, &hash, move |found| {
                let calls = match found {
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
