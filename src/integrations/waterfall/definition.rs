//! The keys of `kind = "waterfall"`: ordered steps, each an integration's output with
//! optional validators, or an integration whose outputs feed the steps after it.
//!
//! ```toml
//! name = "work_email"
//! kind = "waterfall"
//!
//! [[outputs]]
//! name = "work_email"
//! type = "text"
//!
//! [[steps]]
//! integration = "apollo_person"
//! output = "apollo_email"
//! map = { email = "" }                      # do not send the row's email
//! validate = { email = true, verify = ["valid"] }
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The keys of `kind = "waterfall"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaterfallDef {
    /// The steps, tried in order until one gives a valid value.
    pub steps: Vec<StepDef>,
}

/// One step of a waterfall.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    /// The integration it runs (any: written in code, shipped or the user's).
    pub integration: String,
    /// Which of its outputs is a candidate value. Without one, the step only feeds its outputs
    /// to the steps after it (e.g. `find_ceo` giving `ceo_name` to the email finders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// Where its inputs come from: `input = "name"` reads the waterfall's input or an earlier
    /// step's output called `name`; `input = ""` sends nothing for it. Unmapped inputs read
    /// the name they have.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub map: BTreeMap<String, String>,
    /// What a value must pass to be the answer.
    #[serde(default, skip_serializing_if = "Validate::is_empty")]
    pub validate: Validate,
}

/// Validators of a step's value; every one given must pass. An empty value never does.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validate {
    /// The value is an email address (syntax only, free).
    #[serde(default, skip_serializing_if = "is_false")]
    pub email: bool,
    /// Hunter's verifier must answer one of these statuses (`valid`, `accept_all`, …): a
    /// paid call per distinct address, cached like any other.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verify: Vec<String>,
    /// The value is a URL whose host and path start with this, e.g. `linkedin.com/company/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_host: Option<String>,
    /// The value is a number at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// The value is a number at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Validate {
    /// Whether it checks nothing beyond "not empty".
    pub fn is_empty(&self) -> bool {
        *self == Validate::default()
    }

    /// The validators it names, for the picker and the inspector: `email, verify valid|accept_all`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.email {
            parts.push("email".to_string());
        }
        if let Some(host) = &self.url_host {
            parts.push(format!("url {host}"));
        }
        match (self.min, self.max) {
            (Some(lo), Some(hi)) => parts.push(format!("{lo}..{hi}")),
            (Some(lo), None) => parts.push(format!("≥ {lo}")),
            (None, Some(hi)) => parts.push(format!("≤ {hi}")),
            (None, None) => {}
        }
        if !self.verify.is_empty() {
            parts.push(format!("verify {}", self.verify.join("|")));
        }
        if parts.is_empty() {
            "not empty".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// Checks what serde cannot: at least one step that gives a value, known statuses, ranges.
pub fn check(def: &WaterfallDef, outputs: usize) -> Result<(), String> {
    if outputs != 1 {
        return Err(format!(
            "a waterfall fills one column: declare exactly one [[outputs]] (found {outputs}); <name>_source and <name>_cost are added"
        ));
    }
    if !def.steps.iter().any(|s| s.output.is_some()) {
        return Err(
            "add a step with an output: [[steps]] integration = \"…\", output = \"…\"".into(),
        );
    }
    for (i, step) in def.steps.iter().enumerate() {
        let at = format!("step {} ({})", i + 1, step.integration);
        if step.integration.trim().is_empty() {
            return Err(format!("step {}: name its integration", i + 1));
        }
        let v = &step.validate;
        if step.output.is_none() && !v.is_empty() {
            return Err(format!("{at}: validators need an output to check"));
        }
        if let Some(bad) = v
            .verify
            .iter()
            .find(|s| !crate::providers::hunter::VERIFY_STATUSES.contains(&s.as_str()))
        {
            return Err(format!(
                "{at}: verify status {bad:?} is not one of {}",
                crate::providers::hunter::VERIFY_STATUSES.join(", ")
            ));
        }
        if let (Some(lo), Some(hi)) = (v.min, v.max)
            && lo > hi
        {
            return Err(format!("{at}: min {lo} is above max {hi}"));
        }
        if v.url_host.as_deref().is_some_and(|h| h.trim().is_empty()) {
            return Err(format!("{at}: url_host is empty"));
        }
    }
    Ok(())
}
