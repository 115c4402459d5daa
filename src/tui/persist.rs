//! The grid's side of the run journal: enrichment and formula column definitions are saved
//! with the store, and on reopening a sheet its columns and finished cells come
//! back (restored in the background), and only missing or failed cells run again.
//! The UI thread never waits on the store: requests go to the store thread, and their
//! answers come back as events.
//!
//! Enrichments know their columns by [`ColumnId`], which lives in memory only. Definitions
//! name each column as the file on disk has it (or by its current name, for a column the
//! file has not got yet), so reopening the file finds them: a rename is kept once saved and
//! forgotten with the file's other unsaved changes. On reopening, names bind to ids once.

use super::bound::Bound;
use super::enrich::{Enrichments, InputSource, NewEnrichment, Report, Request};
use super::event::{AppEvent, WorkerResult};
use super::formula::Formulas;
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
    /// Its run condition ("only run if"), as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// A formula column as saved with the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedFormula {
    /// The column it fills, by name.
    pub formula: String,
    /// The expression as typed.
    pub expression: String,
}

/// One saved definition: the list was enrichments only before formulas came, so an entry
/// is told apart by its fields, and an older list reads as it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SavedDefinition {
    Formula(SavedFormula),
    Enrichment(SavedColumn),
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
    pub fn save_definitions(
        &self,
        enrich: &Enrichments,
        formulas: &Formulas,
        sheet: &Sheet,
        tx: &Sender<AppEvent>,
    ) {
        let mut saved: Vec<SavedDefinition> = formulas
            .list
            .iter()
            .filter_map(|f| {
                Some(SavedDefinition::Formula(SavedFormula {
                    formula: saved_name(sheet, f.column)?,
                    expression: f.bound.source.clone(),
                }))
            })
            .collect();
        saved.extend(
            enrich
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
                        condition: c.condition.as_ref().map(|b| b.source.clone()),
                    }
                })
                .map(SavedDefinition::Enrichment),
        );
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

    /// Recreates the saved enrichment and formula columns, and plans the enrichments' cells
    /// against the journal in the background: finished cells come back, missing or failed
    /// ones run (the formulas are computed by the caller). Returns what to tell the user.
    pub fn restore(
        &self,
        catalog: &Catalog,
        definitions: Result<Option<serde_json::Value>, String>,
        sheet: &mut Sheet,
        enrich: &mut Enrichments,
        formulas: &mut Formulas,
        tx: &Sender<AppEvent>,
    ) -> Option<Message> {
        let saved: Vec<SavedDefinition> = match definitions {
            Ok(Some(json)) => serde_json::from_value(json).unwrap_or_default(),
            Ok(None) => return None,
            Err(e) => {
                return Some(Message::error(format!(
                    "could not read the enrichment columns: {e}"
                )));
            }
        };
        // Formula columns first, so enrichments reading them find them; their expressions
        // last, so they find the enrichments' outputs.
        let mut formula_columns = Vec::new();
        for f in saved.iter().filter_map(|d| match d {
            SavedDefinition::Formula(f) => Some(f),
            SavedDefinition::Enrichment(_) => None,
        }) {
            let before = sheet.undo_depth();
            let col = match sheet.columns().iter().position(|c| c.name == f.formula) {
                Some(col) => col,
                None => sheet.insert_column(sheet.columns().len(), f.formula.clone()),
            };
            let id = sheet.columns()[col].id;
            formula_columns.push((f, id, (before, sheet.undo_depth())));
        }
        let mut restored = Vec::new();
        let mut problems = Vec::new();
        for s in saved.iter().filter_map(|d| match d {
            SavedDefinition::Enrichment(s) => Some(s),
            SavedDefinition::Formula(_) => None,
        }) {
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
            let condition = match s.condition.as_deref().map(|c| Bound::new(c, sheet)) {
                Some(Ok(bound)) => Some(bound),
                Some(Err(e)) => {
                    // Not run unconditionally: what it would pay for was never agreed to.
                    problems.push(format!("the run condition of {}: {e}", spec.name));
                    continue;
                }
                None => None,
            };
            restored.push(enrich.bring_back(
                sheet,
                NewEnrichment {
                    integration,
                    sources,
                    outputs,
                    condition,
                    budget_usd: s.budget_usd,
                },
            ));
        }
        for (f, column, steps) in formula_columns {
            match Bound::new(&f.expression, sheet) {
                Ok(bound) => formulas.bring_back(bound, column, steps),
                Err(e) => problems.push(format!("formula {}: {e}", f.formula)),
            }
        }
        let request = Request {
            journal: Some((self.store.clone(), self.run.clone())),
            report: Report::Restored,
            ..Request::default()
        };
        let planned = enrich.plan(sheet, &restored, RowScope::all(), request, tx);
        if !problems.is_empty() {
            // A formula whose column is gone from the file: the user should know.
            return Some(Message::error(format!(
                "could not restore {}",
                problems.join("; ")
            )));
        }
        planned.then(|| Message::info("restoring enrichment columns from the journal…"))
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
