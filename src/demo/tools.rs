//! The tools the demo server answers, each a handler over its own fixtures.
//!
//! A tool family (LinkedIn, HeyReach's `mcp_Heyreach_*`, web research) is one fixture file under
//! `assets/demo/`, one module implementing [`DemoTool`], and one line in [`builtin`].

use super::companies::Companies;
use super::faults::Fault;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::io;
use std::sync::Arc;

/// One tool the demo server can run.
pub trait DemoTool: Send + Sync {
    /// The `tool_alias_name` it answers.
    fn name(&self) -> &'static str;

    /// Runs the tool: `Ok(result)` becomes `data.result`, `Err(message)` a tool failure
    /// (`"Resource not found"` for inputs with no data). `now` anchors relative dates.
    fn run(&self, params: &Value, now: DateTime<Utc>) -> Result<Value, String>;

    /// The parameter whose value identifies what was paid for (e.g. the normalized profile URL).
    fn billing_key(&self, params: &Value) -> String {
        params.to_string()
    }

    /// Faults its fixtures script for this input: the first requests for it get these, in
    /// order (e.g. the sample's row that fails after visible retries).
    fn scripted_faults(&self, _params: &Value) -> Vec<Fault> {
        Vec::new()
    }
}

/// Every built-in tool, fixtures parsed once; web research reads the shared `companies`.
pub fn builtin(companies: Arc<Companies>) -> io::Result<Vec<Arc<dyn DemoTool>>> {
    let mut tools: Vec<Arc<dyn DemoTool>> = Vec::new();
    tools.extend(super::linkedin::tools()?);
    tools.extend(super::heyreach::tools()?);
    tools.push(Arc::new(super::webresearch::WebResearch(companies)));
    Ok(tools)
}
