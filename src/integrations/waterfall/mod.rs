//! Waterfalls (`kind = "waterfall"`): one column filled from an ordered list of steps, each an
//! integration's output with validators; the first valid value wins and the steps after it
//! are never called for that row. Beside the value go `<column>_source` (the step that
//! answered) and `<column>_cost` (what the row paid). The inspector shows every step tried,
//! its answer and why it was rejected.
//!
//! Steps run through the same caller as any integration, so each call is cached on its own:
//! a waterfall edited (a step added, reordered, a validator changed) and run again pays only
//! for calls it never made before. A step without an output feeds the steps after it (its
//! outputs join the row's values under their names), as `find_ceo` feeds `ceo_email`.

pub mod definition;
pub mod validate;

use super::hunter_verify::HunterVerify;
use super::user::definition::{Definition, InputDef, OutputDef, OutputType};
use super::user::{Settings, intern_spec};
use super::{CostRange, Ctx, EnrichError, Enriched, Fields, Integration, IntegrationSpec, RowCost};
use crate::providers::{ErrorKind, ProviderId};
use definition::{StepDef, Validate, WaterfallDef};
use futures::future::BoxFuture;
use std::sync::Arc;

/// Finds an integration by name (the catalog loaded so far).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<Arc<dyn Integration>>;

/// One step, resolved.
struct Step {
    integration: Arc<dyn Integration>,
    /// The candidate output, or `None` for a step that feeds the others.
    output: Option<String>,
    map: std::collections::BTreeMap<String, String>,
    validate: Validate,
    /// What it costs when it runs: its calls, and the verification when it verifies.
    cost: RowCost,
}

impl Step {
    /// The step's inputs from the row's values and what earlier steps gave.
    fn inputs(&self, known: &Fields) -> Fields {
        self.integration
            .spec()
            .inputs
            .iter()
            .filter_map(|input| {
                let key = self.map.get(input.name).map_or(input.name, String::as_str);
                let value = known.get(key).filter(|v| !v.trim().is_empty())?;
                Some((input.name.to_string(), value.clone()))
            })
            .collect()
    }

    fn name(&self) -> &'static str {
        self.integration.spec().name
    }
}

/// A waterfall, ready to run.
pub struct Waterfall {
    spec: &'static IntegrationSpec,
    target: String,
    steps: Vec<Step>,
    verifier: Arc<dyn Integration>,
    range: CostRange,
    journal_name: String,
}

/// What a step's value came to.
enum Verdict {
    Valid,
    Rejected(String),
}

impl Waterfall {
    /// A waterfall from its definition; `lookup` finds the integrations its steps name.
    pub fn new(
        def: &Definition,
        wf: &WaterfallDef,
        settings: &Settings,
        lookup: Lookup<'_>,
    ) -> Result<Waterfall, String> {
        if !def.inputs.is_empty() {
            return Err(
                "a waterfall's inputs are its steps' inputs: remove [[inputs]] (use map in a step to rename one)"
                    .into(),
            );
        }
        let Some(target) = def.outputs.first() else {
            return Err("declare the column the waterfall fills as [[outputs]]".into());
        };
        let verifier: Arc<dyn Integration> = Arc::new(HunterVerify);
        let verify_cost = step_cost(verifier.as_ref(), settings);
        let mut steps = Vec::new();
        for (i, s) in wf.steps.iter().enumerate() {
            let StepDef {
                integration,
                output,
                map,
                validate,
            } = s;
            let name = integration.trim();
            let found = match lookup(name) {
                Some(found) if found.spec().name == def.name => None,
                other => other,
            };
            let Some(found) = found else {
                return Err(format!(
                    "step {}: no integration {name:?} (waterfalls may use those written in code, shipped, or defined in files before them)",
                    i + 1
                ));
            };
            let spec = found.spec();
            if let Some(output) = output
                && !spec.outputs.iter().any(|o| o.name == output)
            {
                return Err(format!(
                    "step {}: {name} has no output {output:?}; it has {}",
                    i + 1,
                    spec.outputs
                        .iter()
                        .map(|o| o.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if let Some(unknown) = map
                .keys()
                .find(|k| !spec.inputs.iter().any(|i| i.name == *k))
            {
                return Err(format!(
                    "step {}: {name} has no input {unknown:?} to map",
                    i + 1
                ));
            }
            let mut cost = step_cost(found.as_ref(), settings);
            if !validate.verify.is_empty() {
                cost.add(verify_cost);
            }
            steps.push(Step {
                integration: found,
                output: output.clone(),
                map: map.clone(),
                validate: validate.clone(),
                cost,
            });
        }
        let inputs = inputs_of(&steps);
        let range = range_of(&steps);
        let provider = match def.provider.as_deref() {
            Some(p) => ProviderId::named(p),
            None => steps
                .iter()
                .find(|s| s.output.is_some())
                .map_or(ProviderId::LOCAL, |s| s.integration.spec().provider),
        };
        let mut tools: Vec<&'static str> = Vec::new();
        for step in &steps {
            for tool in step.integration.spec().tools {
                if !tools.contains(tool) {
                    tools.push(tool);
                }
            }
        }
        if steps.iter().any(|s| !s.validate.verify.is_empty()) {
            for tool in verifier.spec().tools {
                if !tools.contains(tool) {
                    tools.push(tool);
                }
            }
        }
        let mut with_extras = def.clone();
        with_extras.outputs = vec![
            target.clone(),
            OutputDef {
                name: format!("{}_source", target.name),
                kind: OutputType::Text,
                choices: Vec::new(),
                description: "The step whose value was kept".into(),
                path: None,
            },
            OutputDef {
                name: format!("{}_cost", target.name),
                kind: OutputType::Number,
                choices: Vec::new(),
                description: "US dollars the row paid, every step tried included".into(),
                path: None,
            },
        ];
        let spec = intern_spec(
            &with_extras,
            &inputs,
            provider,
            Box::leak(tools.into_boxed_slice()),
            def.cost.unwrap_or(range.best.usd),
        );
        let mut fingerprint = def.to_toml().map_err(|e| e.to_string())?;
        for step in &steps {
            fingerprint.push('\u{1f}');
            fingerprint.push_str(&step.integration.journal_name());
        }
        let journal_name = format!(
            "{}#{:08x}",
            def.name,
            crc32fast::hash(fingerprint.as_bytes())
        );
        Ok(Waterfall {
            spec,
            target: target.name.clone(),
            steps,
            verifier,
            range,
            journal_name,
        })
    }

    /// The steps' integrations and candidate outputs, in order (for the picker).
    pub fn steps(&self) -> impl Iterator<Item = (&'static str, Option<&str>)> {
        self.steps.iter().map(|s| (s.name(), s.output.as_deref()))
    }

    /// Whether Hunter's verifier gives a status in `wanted` for `value`.
    async fn verify(
        &self,
        ctx: &Ctx,
        value: &str,
        wanted: &[String],
    ) -> Result<Verdict, EnrichError> {
        let inputs = Fields::from([("email".to_string(), value.to_string())]);
        match self.verifier.enrich(ctx, &inputs).await {
            Ok(answer) => {
                let status = answer
                    .fields
                    .get("email_status")
                    .cloned()
                    .unwrap_or_default();
                if wanted.contains(&status) {
                    Ok(Verdict::Valid)
                } else {
                    Ok(Verdict::Rejected(format!(
                        "Hunter's verifier says {status} (wanted {})",
                        wanted.join(" or ")
                    )))
                }
            }
            Err(e) if matches!(e.kind, ErrorKind::NoData | ErrorKind::Permanent) => Ok(
                Verdict::Rejected(format!("Hunter's verifier could not check it: {e}")),
            ),
            Err(e) => Err(e),
        }
    }

    /// Fills one row (see the module documentation).
    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let mut known = inputs.clone();
        let mut tried = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            let n = i + 1;
            let name = step.name();
            let step_inputs = step.inputs(&known);
            if let Some(why) = step.integration.missing(&step_inputs) {
                ctx.note(format!("step {n} · {name}: not tried\n{why}"));
                tried.push(format!("{name}: not tried"));
                continue;
            }
            let answer = match step.integration.enrich(ctx, &step_inputs).await {
                Ok(answer) => answer,
                Err(e) if e.kind == ErrorKind::NoData => {
                    ctx.note(format!("step {n} · {name}: no data\n{e}"));
                    tried.push(format!("{name}: no data"));
                    continue;
                }
                Err(e) => {
                    // Not an answer: the row stops here, so a re-run resumes at this step
                    // (the steps before answer from the cache) instead of paying the next
                    // steps for what this one may still find.
                    ctx.note(format!("step {n} · {name}: {}\n{e}", error_word(e.kind)));
                    return Err(EnrichError::new(
                        e.kind,
                        format!("step {n} ({name}): {}", e.message),
                    ));
                }
            };
            let Some(output) = &step.output else {
                let gave: Vec<String> = answer
                    .fields
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect();
                ctx.note(format!(
                    "step {n} · {name}: feeds the next steps\n{}",
                    gave.join("\n")
                ));
                known.extend(answer.fields);
                continue;
            };
            let value = answer.fields.get(output).cloned().unwrap_or_default();
            known.extend(answer.fields);
            let mut verdict = match validate::reject(&value, &step.validate) {
                Some(why) => Verdict::Rejected(why),
                None => Verdict::Valid,
            };
            if matches!(verdict, Verdict::Valid) && !step.validate.verify.is_empty() {
                verdict = self
                    .verify(ctx, &value, &step.validate.verify)
                    .await
                    .map_err(|e| {
                        ctx.note(format!(
                            "step {n} · {name}: verification {}\n{e}",
                            error_word(e.kind)
                        ));
                        EnrichError::new(
                            e.kind,
                            format!("step {n} ({name}), verifying {value}: {}", e.message),
                        )
                    })?;
            }
            match verdict {
                Verdict::Valid => {
                    ctx.note(format!(
                        "step {n} · {name}: kept\n{output} = {value} (checked: {})",
                        step.validate.describe()
                    ));
                    for later in &self.steps[i + 1..] {
                        ctx.note(format!(
                            "step · {}: not called (an earlier step answered)",
                            later.name()
                        ));
                    }
                    let cost = ctx.spent().usd.unwrap_or(0.0);
                    let fields = Fields::from([
                        (self.target.clone(), value),
                        (format!("{}_source", self.target), name.to_string()),
                        (format!("{}_cost", self.target), dollars(cost)),
                    ]);
                    return Ok(Enriched {
                        fields,
                        notes: Vec::new(),
                    });
                }
                Verdict::Rejected(why) => {
                    let shown = if value.trim().is_empty() {
                        "(empty)"
                    } else {
                        value.as_str()
                    };
                    ctx.note(format!(
                        "step {n} · {name}: rejected\n{output} = {shown}: {why}"
                    ));
                    tried.push(format!("{name}: rejected"));
                }
            }
        }
        Err(EnrichError::no_data(format!(
            "no step gave a valid {} ({})",
            self.target,
            tried.join(", ")
        )))
    }
}

/// A word for how a step ended without an answer.
fn error_word(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Budget => "stopped by the budget",
        ErrorKind::Cancelled => "cancelled",
        ErrorKind::Auth => "refused",
        _ => "failed",
    }
}

/// Dollars as a plain number with up to 4 decimals: `0.0425`, `0`.
fn dollars(usd: f64) -> String {
    let text = format!("{usd:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What one run of an integration costs: the price of each of its calls when every one has a
/// price per call, else its own estimate per row.
fn step_cost(integration: &dyn Integration, settings: &Settings) -> RowCost {
    if let Some(range) = integration.cost_range() {
        return range.worst;
    }
    let spec = integration.spec();
    let priced: Option<f64> = spec
        .tools
        .iter()
        .map(|t| settings.prices.call(spec.provider, t))
        .sum();
    RowCost {
        calls: spec.tools.len(),
        usd: priced
            .filter(|_| !spec.tools.is_empty())
            .unwrap_or(spec.cost_per_row_usd),
    }
}

/// Best case: the feeding steps before the first candidate and that candidate; worst case:
/// every step.
fn range_of(steps: &[Step]) -> CostRange {
    let mut best = RowCost::default();
    for step in steps {
        best.add(step.cost);
        if step.output.is_some() {
            break;
        }
    }
    let mut worst = RowCost::default();
    for step in steps {
        worst.add(step.cost);
    }
    CostRange { best, worst }
}

/// The waterfall's inputs: each step input that no earlier step gives, under the name it is
/// read by, in order. None is required: a row runs when any step can (see `missing`).
fn inputs_of(steps: &[Step]) -> Vec<InputDef> {
    let mut given: Vec<&str> = Vec::new();
    let mut inputs: Vec<InputDef> = Vec::new();
    for step in steps {
        let spec = step.integration.spec();
        for input in spec.inputs {
            let key = step.map.get(input.name).map_or(input.name, String::as_str);
            if key.is_empty() || given.contains(&key) || inputs.iter().any(|i| i.name == key) {
                continue;
            }
            let mut guess: Vec<String> = input.guesses.iter().map(|g| g.to_string()).collect();
            if key != input.name {
                guess.insert(0, key.to_string());
            }
            inputs.push(InputDef {
                name: key.to_string(),
                guess,
                required: false,
                description: input.description.to_string(),
            });
        }
        given.extend(spec.outputs.iter().map(|o| o.name));
    }
    inputs
}

impl Integration for Waterfall {
    fn spec(&self) -> &'static IntegrationSpec {
        self.spec
    }

    fn enrich<'a>(
        &'a self,
        ctx: &'a Ctx,
        inputs: &'a Fields,
    ) -> BoxFuture<'a, Result<Enriched, EnrichError>> {
        Box::pin(self.run(ctx, inputs))
    }

    /// Missing only when no step that gives a value could run: an earlier step's outputs count
    /// as there when that step could run.
    fn missing(&self, inputs: &Fields) -> Option<String> {
        let mut known = inputs.clone();
        let mut first_why = None;
        for step in &self.steps {
            match step.integration.missing(&step.inputs(&known)) {
                Some(why) => {
                    first_why.get_or_insert_with(|| format!("{}: {why}", step.name()));
                }
                None if step.output.is_some() => return None,
                None => {
                    for output in step.integration.spec().outputs {
                        known
                            .entry(output.name.to_string())
                            .or_insert_with(|| "?".to_string());
                    }
                }
            }
        }
        Some(format!(
            "no step has its inputs ({})",
            first_why.unwrap_or_default()
        ))
    }

    fn providers(&self) -> Vec<ProviderId> {
        let mut providers = Vec::new();
        let verifies = self.steps.iter().any(|s| !s.validate.verify.is_empty());
        let all = self
            .steps
            .iter()
            .flat_map(|s| s.integration.providers())
            .chain(
                verifies
                    .then(|| self.verifier.providers())
                    .into_iter()
                    .flatten(),
            );
        for p in all {
            if !providers.contains(&p) {
                providers.push(p);
            }
        }
        providers
    }

    fn cost_range(&self) -> Option<CostRange> {
        Some(self.range)
    }

    fn journal_name(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(&self.journal_name)
    }
}

#[cfg(test)]
mod tests;
