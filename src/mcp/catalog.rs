//! The integrations as an agent sees them: inputs, outputs with types, provider, cost,
//! and whether the provider's key is set (so it can tell the user what to do first).

use crate::integrations::{Integration, IntegrationSpec};
use crate::providers::ProviderId;
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

/// The environment variable holding a built-in provider's key.
pub fn key_variable(provider: ProviderId) -> Option<&'static str> {
    use crate::providers::{anthropic, apollo, datagen, hunter, openai};
    match provider {
        p if p == ProviderId::DATAGEN || p == ProviderId::HEYREACH => Some(datagen::API_KEY_ENV),
        p if p == ProviderId::ANTHROPIC => Some(anthropic::WIRE.api_key_env),
        p if p == ProviderId::OPENAI => Some(openai::WIRE.api_key_env),
        p if p == ProviderId::APOLLO => Some(apollo::WIRE.api_key_env),
        p if p == ProviderId::HUNTER => Some(hunter::WIRE.api_key_env),
        _ => None,
    }
}

/// Describes one integration; `demo` makes every provider ready.
pub fn describe(integration: &dyn Integration, demo: bool) -> IntegrationInfo {
    let spec: &IntegrationSpec = integration.spec();
    let variable = key_variable(spec.provider);
    let key_set = variable.is_some_and(|v| std::env::var(v).is_ok_and(|k| !k.trim().is_empty()));
    let ready = demo || spec.provider == ProviderId::LOCAL || key_set;
    let needs = (!ready).then(|| match variable {
        Some(v) => format!("set {v} in the server's environment, or start it with --demo"),
        None => format!("configure the {} provider", spec.provider),
    });
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
