//! One cell of an enriched file, told from the run journal: what was sent, every attempt,
//! the raw answer, and how the cell ended.

use crate::cli::StoreArgs;
use crate::config::Config;
use crate::integrations::Integration;
use crate::plan::mapping;
use crate::store::{RunId, input_hash};
use crate::table::{CsvFile, OpenOptions};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// A cell's journaled story.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CellReport {
    /// 1-based data row.
    pub row: usize,
    /// The integration.
    pub integration: String,
    /// The row's values for the integration's inputs.
    pub inputs: BTreeMap<String, String>,
    /// `done`, `no data`, `failed`, `skipped`, `cancelled`.
    pub state: String,
    /// Output values.
    pub fields: BTreeMap<String, String>,
    /// Why it did not succeed.
    pub error: Option<String>,
    /// Every call: provider, tool, request parameters (no key), attempts, raw response,
    /// whether the cache or another cell's call answered it.
    #[schemars(with = "serde_json::Value")]
    pub calls: serde_json::Value,
}

/// Looks the cell of `integration` in data row `row` of `input` up in the journal of the
/// run that wrote `output` (mapping and constants as the run was given them).
#[allow(clippy::too_many_arguments)]
pub fn inspect(
    config: &Config,
    store: &StoreArgs,
    input: &Path,
    output: &Path,
    integration: Arc<dyn Integration>,
    row: usize,
    map: &BTreeMap<String, String>,
    set: &BTreeMap<String, String>,
) -> Result<CellReport, String> {
    let name = integration.spec().name;
    let store = crate::session::open_store(
        config,
        &crate::session::demo_aware(config, false, store.choice()),
    )
    .map_err(|e| format!("cannot open the store: {e}"))?
    .ok_or("this server runs without a store (--no-store), so nothing is journaled")?;
    let run = RunId::for_headless(input, output).map_err(|e| e.to_string())?;
    let file = CsvFile::open(input, &OpenOptions::default()).map_err(|e| e.to_string())?;
    let rows = file.row_count();
    let values = row
        .checked_sub(1)
        .and_then(|r| file.rows().nth(r))
        .ok_or_else(|| format!("no row {row}: {} has rows 1 to {rows}", input.display()))?
        .map_err(|e| e.to_string())?;
    let mut headers = file.headers().to_vec();
    let map: Vec<(String, String)> = map.clone().into_iter().collect();
    let set: Vec<(String, String)> = set.clone().into_iter().collect();
    let plans =
        mapping::wire(&mut headers, &[integration], &map, &set).map_err(|e| e.to_string())?;
    let plan = plans.first().ok_or("no plan")?;
    let mut values = values;
    values.resize(headers.len(), String::new());
    let inputs = plan.inputs(&values);
    let entry = store
        .journal_lookup(&run, name, &input_hash(&inputs))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "no journaled {name} cell for row {row} of {} written to {}: run enrich first (or give the mapping it was run with)",
                input.display(),
                output.display()
            )
        })?;
    Ok(CellReport {
        row,
        integration: name.to_owned(),
        inputs,
        state: entry.state.label().to_owned(),
        fields: entry.fields,
        error: entry.error,
        calls: entry.calls,
    })
}
