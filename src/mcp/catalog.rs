//! The integrations as an agent sees them: inputs, outputs with types, provider, cost,
//! and whether the provider's key is set (so it can tell the user what to do first).

use crate::integrations::{Integration, IntegrationSpec};
use crate::session::Endpoints;
use schemars::JsonSchema;
use serde::Serialize;

/// One input of an integration.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InputInfo {
    /// The input's name (what `mapping` keys refer to).
    pub name: String,
    /// What it is.
    pub description: String,
    /// Whether rows without it are skipped.
    pub required: bool,
    /// Column names it is fed from when no mapping is given (compared case- and punctuation-insensitively).
    pub guessed_from: Vec<String>,
    /// Whether it may be one value for every row instead of a column.
    pub allows_constant: bool,
}

/// One output column of an integration.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OutputInfo {
    /// Column name.
    pub name: String,
    /// Value type: text, integer, number, date, url, url_list, bool.
    #[serde(rename = "type")]
    pub kind: String,
    /// What it holds.
    pub description: String,
}

/// An integration, for discovery.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IntegrationInfo {
    /// Stable name (what `integrations` arguments refer to).
    pub name: String,
    /// What it does.
    pub description: String,
    /// The service it calls (`local` runs on this machine for free).
    pub provider: String,
    /// Estimated cost of one row, in US dollars.
    pub cost_per_row_usd: f64,
    /// Whether it can run now: local, the provider's key is set, or the server runs in demo mode.
    pub ready: bool,
    /// What the user must do when it is not ready.
    pub needs: Option<String>,
    /// Its inputs.
    pub inputs: Vec<InputInfo>,
    /// Its outputs.
    pub outputs: Vec<OutputInfo>,
}

/// Describes one integration: ready when every provider it calls can be called with the
/// server's settings (a key, a local server, or the demo server).
pub fn describe(integration: &dyn Integration, endpoints: &Endpoints) -> IntegrationInfo {
    let spec: &IntegrationSpec = integration.spec();
    let missing: Vec<String> = integration
        .providers()
        .into_iter()
        .filter_map(|p| endpoints.unavailable(p))
        .map(|e| e.message)
        .collect();
    let ready = missing.is_empty();
    let needs = (!ready).then(|| missing.join("; "));
    IntegrationInfo {
        name: spec.name.to_owned(),
        description: spec.description.to_owned(),
        provider: spec.provider.name().to_owned(),
        cost_per_row_usd: spec.cost_per_row_usd,
        ready,
        needs,
        inputs: spec
            .inputs
            .iter()
            .map(|i| InputInfo {
                name: i.name.to_owned(),
                description: i.description.to_owned(),
                required: i.required,
                guessed_from: i.guesses.iter().map(|g| (*g).to_owned()).collect(),
                allows_constant: i.allows_constant,
            })
            .collect(),
        outputs: spec
            .outputs
            .iter()
            .map(|o| OutputInfo {
                name: o.name.to_owned(),
                kind: serde_json::to_value(o.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                description: o.description.to_owned(),
            })
            .collect(),
    }
}
