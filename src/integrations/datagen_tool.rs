//! DataGen tool integrations (`kind = "datagen"`): any DataGen tool alias, its parameters
//! filled from the row, its `result` read into typed outputs by JSONPath. A DataGen tool
//! that ships tomorrow needs a file, not a release.
//!
//! ```toml
//! name = "headline_and_skills"
//! kind = "datagen"
//! tool = "get_linkedin_person_data"
//! params = { linkedin_url = "{{linkedin_url}}" }
//!
//! [[outputs]]
//! name = "headline"
//! type = "text"
//! path = "$.person.headline"
//! ```

use super::http::inputs_of;
use super::http::template::{Escape, Template};
use super::json_outputs::JsonOutputs;
use super::user::definition::Definition;
use super::user::{Settings, intern_spec, intern_tools};
use super::{Ctx, EnrichError, Enriched, Fields, Integration, IntegrationSpec};
use crate::providers::ProviderId;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The keys of `kind = "datagen"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatagenDef {
    /// The tool's alias, as DataGen names it (`get_linkedin_person_data`).
    pub tool: String,
    /// The tool's parameters; text values may hold `{{input}}` tokens. A text parameter that
    /// comes out blank is left out.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub params: Map<String, Value>,
    /// An answer with nothing at this JSONPath means "no data".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_data_path: Option<String>,
}

impl DatagenDef {
    /// The input tokens the parameters read, in order, without duplicates.
    pub fn input_tokens(&self) -> Vec<String> {
        let mut tokens = Vec::new();
        visit_text(&Value::Object(self.params.clone()), &mut |text| {
            for t in Template::new(text).inputs() {
                if !tokens.contains(t) {
                    tokens.push(t.clone());
                }
            }
        });
        tokens
    }

    /// The provider calls are counted under: `datagen`, or `heyreach` for HeyReach's tools
    /// (DataGen reaches them; HeyReach's own limit applies).
    pub fn provider(def: &Definition) -> ProviderId {
        def.provider
            .as_deref()
            .map_or(ProviderId::DATAGEN, ProviderId::named)
    }

    /// Checks what serde cannot: the alias, the tokens, the provider and the output paths.
    pub fn check(&self, def: &Definition) -> Result<(), String> {
        let tool = self.tool.trim();
        if tool.is_empty()
            || !tool
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(format!(
                "tool {:?} must be a DataGen tool alias (letters, digits, _ and -)",
                self.tool
            ));
        }
        let mut env = false;
        visit_text(&Value::Object(self.params.clone()), &mut |text| {
            env |= !Template::new(text).env().is_empty();
        });
        if env {
            return Err(
                "params: {{env.…}} is for http integrations; DataGen's key is DATAGEN_API_KEY"
                    .into(),
            );
        }
        let tokens = self.input_tokens();
        if def.inputs.is_empty() && tokens.is_empty() {
            return Err(
                "params read no column: write a parameter like linkedin_url = \"{{linkedin_url}}\""
                    .into(),
            );
        }
        if !def.inputs.is_empty()
            && let Some(token) = tokens
                .iter()
                .find(|t| !def.inputs.iter().any(|i| i.name == **t))
        {
            return Err(format!(
                "params read {{{{{token}}}}} but no input {token:?} is declared"
            ));
        }
        let provider = DatagenDef::provider(def);
        if provider != ProviderId::DATAGEN && provider != ProviderId::HEYREACH {
            return Err(format!(
                "provider of a datagen integration is \"datagen\" or \"heyreach\", not {:?}",
                provider.name()
            ));
        }
        JsonOutputs::compile(&def.outputs, self.no_data_path.as_deref())?;
        Ok(())
    }
}

/// Calls `f` with every text value of `value`, depth first.
fn visit_text(value: &Value, f: &mut impl FnMut(&str)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|v| visit_text(v, f)),
        Value::Object(map) => map.values().for_each(|v| visit_text(v, f)),
        _ => {}
    }
}

/// `value` with its text filled from `inputs`; blank text parameters of an object left out.
fn fill(value: &Value, inputs: &Fields) -> Value {
    let get = |name: &str| inputs.get(name).map(String::as_str);
    match value {
        Value::String(s) => {
            Value::String(Template::new(s).render(get, Escape::Raw).trim().to_string())
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, inputs)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill(v, inputs)))
                .filter(|(_, v)| v.as_str().is_none_or(|s| !s.is_empty()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A DataGen tool integration, ready to run.
pub struct DatagenTool {
    spec: &'static IntegrationSpec,
    tool: &'static str,
    params: Value,
    outputs: JsonOutputs,
    journal_name: String,
}

impl DatagenTool {
    /// A DataGen tool integration from its definition; its cost per row is the file's, else
    /// DataGen's price per call.
    pub fn new(
        def: &Definition,
        datagen: &DatagenDef,
        settings: &Settings,
    ) -> Result<DatagenTool, String> {
        datagen.check(def)?;
        let inputs = inputs_of(def, &datagen.input_tokens());
        let tools = intern_tools(&[datagen.tool.trim().to_string()]);
        let provider = DatagenDef::provider(def);
        let per_row = def
            .cost
            .or_else(|| settings.prices.per_call(provider))
            .unwrap_or(0.0);
        let text = def.to_toml().map_err(|e| e.to_string())?;
        Ok(DatagenTool {
            spec: intern_spec(def, &inputs, provider, tools, per_row),
            tool: tools.first().copied().unwrap_or_default(),
            params: Value::Object(datagen.params.clone()),
            outputs: JsonOutputs::compile(&def.outputs, datagen.no_data_path.as_deref())?,
            journal_name: format!("{}#{:08x}", def.name, crc32fast::hash(text.as_bytes())),
        })
    }

    /// The tool's parameters for one row.
    pub fn params(&self, inputs: &Fields) -> Value {
        fill(&self.params, inputs)
    }

    /// Each output's JSONPath, in order, and the no-data path.
    pub fn outputs(&self) -> &JsonOutputs {
        &self.outputs
    }

    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        ctx.require(self.spec.provider)?;
        let answer = ctx
            .call(self.spec.provider, self.tool, self.params(inputs))
            .await?;
        let fields = self.outputs.read(self.spec.outputs, &answer)?;
        ctx.note(format!(
            "parsed\n{}",
            self.outputs.describe(self.spec.outputs, &fields)
        ));
        Ok(Enriched {
            fields,
            notes: Vec::new(),
        })
    }
}

impl Integration for DatagenTool {
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

    fn first_request(&self, inputs: &Fields) -> Option<Value> {
        Some(self.params(inputs))
    }

    fn journal_name(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(&self.journal_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use serde_json::json;

    const FILE: &str = r#"
name = "headline_and_skills"
kind = "datagen"
tool = "get_linkedin_person_data"
params = { linkedin_url = "{{linkedin_url}}", include = ["skills"], note = "{{missing}}" }

[[inputs]]
name = "linkedin_url"
guess = ["linkedin", "linkedin_url"]

[[inputs]]
name = "missing"
required = false

[[outputs]]
name = "headline"
type = "text"
path = "$.person.headline"
"#;

    fn settings() -> Settings {
        Settings::from_config(&Config::from_sources(None, |_| None).unwrap())
    }

    #[test]
    fn parameters_come_from_the_row_and_blank_ones_are_left_out() {
        let def = Definition::parse(FILE).unwrap();
        let crate::integrations::user::definition::KindDef::Datagen(d) = &def.kind else {
            panic!("a datagen file");
        };
        let tool = DatagenTool::new(&def, d, &settings()).unwrap();
        let inputs = Fields::from([("linkedin_url".into(), " https://linkedin.com/in/x ".into())]);
        assert_eq!(
            tool.params(&inputs),
            json!({"linkedin_url": "https://linkedin.com/in/x", "include": ["skills"]})
        );
        let spec = tool.spec();
        assert_eq!(spec.tools, ["get_linkedin_person_data"]);
        assert_eq!(spec.provider, ProviderId::DATAGEN);
        assert!(spec.cost_per_row_usd > 0.0, "DataGen's price per call");
        assert!(tool.journal_name().starts_with("headline_and_skills#"));
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            (
                FILE.replace("get_linkedin_person_data", "get person"),
                "tool alias",
            ),
            (
                FILE.replace("{{missing}}", "{{env.KEY}}"),
                "{{env.…}} is for http",
            ),
            (
                FILE.replace("{{missing}}", "{{other}}"),
                "no input \"other\"",
            ),
            (
                FILE.replace("path = \"$.person.headline\"", ""),
                "needs a path",
            ),
            (
                FILE.replace(
                    "kind = \"datagen\"",
                    "kind = \"datagen\"\nprovider = \"hunter\"",
                ),
                "\"datagen\" or \"heyreach\"",
            ),
            (FILE.replace("tool = ", "tol = "), "unknown field `tol`"),
        ];
        for (text, expected) in cases {
            let e = Definition::parse(&text).unwrap_err().to_string();
            assert!(e.contains(expected), "{expected}: {e}");
        }
    }
}
