//! The integration file format: one TOML file, one integration. Keys every kind shares
//! (`name`, `kind`, `description`, `provider`, `cost`, `[[inputs]]`, `[[outputs]]`) and the
//! keys of its kind. A typo is an error that names the keys allowed, never silently ignored.
//!
//! ```toml
//! name = "funding_stage"
//! kind = "ai"
//! description = "Latest funding stage of the company"
//! prompt = "What is the latest funding stage of {{company}} ({{domain}})?"
//! research = true
//!
//! [[inputs]]
//! name = "company"
//! guess = ["company", "company_name"]
//!
//! [[outputs]]
//! name = "funding_stage"
//! type = "enum"
//! choices = ["pre-seed", "seed", "series a", "series b", "later", "public"]
//! ```

use crate::config::LlmProvider;
pub use crate::integrations::datagen_tool::DatagenDef;
pub use crate::integrations::http::def::HttpDef;
use crate::integrations::waterfall::definition::WaterfallDef;
use serde::{Deserialize, Serialize};

/// Why a file is not a valid integration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    /// Not TOML, or a key of the wrong type or unknown.
    #[error("{0}")]
    Syntax(String),
    /// Valid TOML that does not describe a usable integration.
    #[error("{0}")]
    Invalid(String),
}

/// The kinds of integration a file can define.
pub const KINDS: &[&str] = &["ai", "http", "datagen", "waterfall"];

/// Keys every kind shares; the rest of a file belongs to its kind.
const COMMON_KEYS: &[&str] = &[
    "name",
    "kind",
    "description",
    "provider",
    "cost",
    "inputs",
    "outputs",
];

/// One input: a value the integration reads from each row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputDef {
    /// The input's name (what `{{name}}` in a prompt reads, and `--map name=Column` maps).
    pub name: String,
    /// Column names it is read from when the user maps none (case and punctuation ignored).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guess: Vec<String>,
    /// Rows without it are skipped, not sent (default: true).
    #[serde(default = "yes")]
    pub required: bool,
    /// What it is, for the picker and `leadgrid integrations`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

fn yes() -> bool {
    true
}

/// The type of an output column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputType {
    #[default]
    Text,
    Number,
    Integer,
    Bool,
    Date,
    Url,
    UrlList,
    Enum,
}

impl OutputType {
    /// Every type, in the order the picker offers them.
    pub const ALL: [OutputType; 8] = [
        OutputType::Text,
        OutputType::Number,
        OutputType::Integer,
        OutputType::Bool,
        OutputType::Date,
        OutputType::Url,
        OutputType::UrlList,
        OutputType::Enum,
    ];

    /// The name written in files.
    pub fn name(self) -> &'static str {
        match self {
            OutputType::Text => "text",
            OutputType::Number => "number",
            OutputType::Integer => "integer",
            OutputType::Bool => "bool",
            OutputType::Date => "date",
            OutputType::Url => "url",
            OutputType::UrlList => "url_list",
            OutputType::Enum => "enum",
        }
    }
}

/// One output: a column the integration fills.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputDef {
    /// The column's name.
    pub name: String,
    /// Its type; answers are validated and normalised to it.
    #[serde(rename = "type")]
    pub kind: OutputType,
    /// The allowed values of an `enum`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// What it holds; AI columns pass it to the model.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Where the value is in a JSON answer (RFC 9535 JSONPath), for kinds that read JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// The keys of `kind = "ai"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiDef {
    /// The question or instruction, with `{{input}}` tokens filled from the row.
    pub prompt: String,
    /// Search the web first (DataGen's `chatgpt_webresearch`) and give the model what it found.
    #[serde(default)]
    pub research: bool,
    /// `anthropic` or `openai` (any OpenAI-compatible server); default `[llm] provider`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm: Option<LlmProvider>,
    /// Model id; default the config's model for the protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Most tokens an answer may use; default `[llm] max_tokens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
    /// Sampling temperature; default `[llm] temperature` (0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
}

/// What a file defines beyond the shared keys.
#[derive(Debug, Clone, PartialEq)]
pub enum KindDef {
    /// An AI column: a prompt, typed outputs, optional web research first.
    Ai(AiDef),
    /// One HTTP request per row to an API of the user's choice, outputs read by JSONPath.
    Http(HttpDef),
    /// Any DataGen tool, parameters from the row, outputs read by JSONPath.
    Datagen(DatagenDef),
    /// A waterfall: steps tried in order until one gives a valid value.
    Waterfall(WaterfallDef),
}

/// One integration as a file defines it.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// Unique name: lower-case letters, digits, `_` and `-`, starting with a letter.
    pub name: String,
    /// What it does, in a line.
    pub description: String,
    /// The provider calls are grouped under (rate limits, spend); each kind has a default.
    pub provider: Option<String>,
    /// Cost of one row in US dollars, when the kind cannot work it out.
    pub cost: Option<f64>,
    /// The inputs, in order.
    pub inputs: Vec<InputDef>,
    /// The outputs, in order.
    pub outputs: Vec<OutputDef>,
    /// The kind and its own keys.
    pub kind: KindDef,
}

/// The shared keys as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Common {
    name: String,
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    cost: Option<f64>,
    #[serde(default)]
    inputs: Vec<InputDef>,
    #[serde(default)]
    outputs: Vec<OutputDef>,
}

/// The shared keys in the order files are written.
#[derive(Serialize)]
struct CommonOut<'a> {
    name: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost: Option<f64>,
}

/// The arrays of tables, written last as TOML requires.
#[derive(Serialize)]
struct Tables<'a> {
    // An empty list would be written `inputs = []`, a plain key, which after a kind's own
    // tables (a waterfall's steps) would land inside the last of them.
    #[serde(skip_serializing_if = "<[InputDef]>::is_empty")]
    inputs: &'a [InputDef],
    outputs: &'a [OutputDef],
}

impl Definition {
    /// Reads and checks a file's text.
    pub fn parse(text: &str) -> Result<Definition, DefinitionError> {
        let table: toml::Table = text.parse().map_err(syntax)?;
        Definition::from_table(table)
    }

    /// Reads and checks one integration's table (a whole file, or one `[[integrations]]` of a
    /// project's `leadgrid.toml`).
    pub fn from_table(table: toml::Table) -> Result<Definition, DefinitionError> {
        let (common, rest): (toml::Table, toml::Table) = table
            .into_iter()
            .partition(|(k, _)| COMMON_KEYS.contains(&k.as_str()));
        let common: Common = toml::Value::Table(common).try_into().map_err(syntax)?;
        let rest = toml::Value::Table(rest);
        let kind = match common.kind.as_str() {
            "ai" => KindDef::Ai(rest.try_into().map_err(syntax)?),
            "http" => KindDef::Http(rest.try_into().map_err(syntax)?),
            "datagen" => KindDef::Datagen(rest.try_into().map_err(syntax)?),
            "waterfall" => KindDef::Waterfall(rest.try_into().map_err(syntax)?),
            other => {
                return Err(DefinitionError::Invalid(format!(
                    "unknown kind {other:?}; known kinds: {}",
                    KINDS.join(", ")
                )));
            }
        };
        let definition = Definition {
            name: common.name.trim().to_owned(),
            description: common.description.trim().to_owned(),
            provider: common.provider,
            cost: common.cost,
            inputs: common.inputs,
            outputs: common.outputs,
            kind,
        };
        definition.check()?;
        Ok(definition)
    }

    /// What a reviewer should know about a valid file, one line each (a literal secret, data
    /// sent unencrypted).
    pub fn warnings(&self) -> Vec<String> {
        match &self.kind {
            KindDef::Http(http) => http.warnings(),
            KindDef::Ai(_) | KindDef::Datagen(_) | KindDef::Waterfall(_) => Vec::new(),
        }
    }

    /// The kind's name, as written in files.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            KindDef::Ai(_) => "ai",
            KindDef::Http(_) => "http",
            KindDef::Datagen(_) => "datagen",
            KindDef::Waterfall(_) => "waterfall",
        }
    }

    /// The file's text: shared keys, the kind's keys, then inputs and outputs.
    pub fn to_toml(&self) -> Result<String, DefinitionError> {
        let bad = |e: toml::ser::Error| DefinitionError::Invalid(e.to_string());
        let mut text = toml::to_string(&CommonOut {
            name: &self.name,
            kind: self.kind_name(),
            description: &self.description,
            provider: self.provider.as_deref(),
            cost: self.cost,
        })
        .map_err(bad)?;
        match &self.kind {
            KindDef::Ai(ai) => text.push_str(&toml::to_string(ai).map_err(bad)?),
            KindDef::Http(http) => text.push_str(&toml::to_string(http).map_err(bad)?),
            KindDef::Datagen(datagen) => text.push_str(&toml::to_string(datagen).map_err(bad)?),
            KindDef::Waterfall(wf) => text.push_str(&toml::to_string(wf).map_err(bad)?),
        }
        text.push('\n');
        text.push_str(
            &toml::to_string(&Tables {
                inputs: &self.inputs,
                outputs: &self.outputs,
            })
            .map_err(bad)?,
        );
        Ok(text)
    }

    /// Checks what serde cannot: names, duplicates, enum choices, keys that only some kinds use.
    pub fn check(&self) -> Result<(), DefinitionError> {
        let invalid = |m: String| Err(DefinitionError::Invalid(m));
        if !valid_name(&self.name) {
            return invalid(format!(
                "name {:?} must be lower-case letters, digits, _ or -, starting with a letter",
                self.name
            ));
        }
        if self.outputs.is_empty() {
            return invalid("declare at least one [[outputs]]".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for input in &self.inputs {
            if input.name.trim().is_empty() {
                return invalid("an input has an empty name".into());
            }
            if !seen.insert(format!("in {}", input.name)) {
                return invalid(format!("input {:?} is declared twice", input.name));
            }
        }
        for output in &self.outputs {
            if output.name.trim().is_empty() {
                return invalid("an output has an empty name".into());
            }
            if !seen.insert(format!("out {}", output.name)) {
                return invalid(format!("output {:?} is declared twice", output.name));
            }
            match (output.kind, output.choices.is_empty()) {
                (OutputType::Enum, true) => {
                    return invalid(format!(
                        "output {:?} is an enum: list its choices = [\"a\", \"b\"]",
                        output.name
                    ));
                }
                (OutputType::Enum, false) => {}
                (_, false) => {
                    return invalid(format!(
                        "output {:?}: choices are only for type = \"enum\"",
                        output.name
                    ));
                }
                (_, true) => {}
            }
        }
        if let Some(cost) = self.cost
            && !(cost.is_finite() && cost >= 0.0)
        {
            return invalid(format!("cost must be a number of dollars ≥ 0, not {cost}"));
        }
        match &self.kind {
            KindDef::Ai(ai) => {
                if let Some(output) = self.outputs.iter().find(|o| o.path.is_some()) {
                    return invalid(format!(
                        "output {:?}: path is for kinds that read JSON answers; an AI column's outputs are the model's fields",
                        output.name
                    ));
                }
                if ai.prompt.trim().is_empty() {
                    return invalid("prompt is empty".into());
                }
                if ai.max_tokens == Some(0) {
                    return invalid("max_tokens must be at least 1".into());
                }
            }
            KindDef::Http(http) => http.check(self).map_err(DefinitionError::Invalid)?,
            KindDef::Datagen(datagen) => datagen.check(self).map_err(DefinitionError::Invalid)?,
            KindDef::Waterfall(wf) => {
                crate::integrations::waterfall::definition::check(wf, self.outputs.len())
                    .map_err(DefinitionError::Invalid)?;
            }
        }
        Ok(())
    }
}

/// A TOML error as a one-line syntax problem.
fn syntax(e: toml::de::Error) -> DefinitionError {
    DefinitionError::Syntax(e.message().trim().to_owned())
}

/// Whether `name` can name an integration (`-i name`, `<name>_error` columns, file names).
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && name.len() <= 64
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
name = "funding_stage"
kind = "ai"
description = "Latest funding stage"
prompt = "What is the latest funding stage of {{company}}?"
research = true

[[inputs]]
name = "company"
guess = ["company", "company_name"]

[[outputs]]
name = "stage"
type = "enum"
choices = ["seed", "series a"]
description = "The stage"
"#;

    #[test]
    fn a_file_reads_and_writes_back_the_same() {
        let d = Definition::parse(FILE).unwrap();
        assert_eq!(d.name, "funding_stage");
        assert_eq!(d.inputs[0].guess, ["company", "company_name"]);
        assert!(d.inputs[0].required, "inputs are required by default");
        let KindDef::Ai(ai) = &d.kind else {
            panic!("an AI column: {d:?}");
        };
        assert!(ai.research);
        assert_eq!(ai.llm, None);
        let text = d.to_toml().unwrap();
        assert_eq!(Definition::parse(&text).unwrap(), d, "{text}");
        assert!(
            text.starts_with("name = \"funding_stage\"\nkind = \"ai\""),
            "{text}"
        );
    }

    #[test]
    fn typos_name_the_allowed_keys() {
        let e = Definition::parse(&FILE.replace("research", "reserch")).unwrap_err();
        assert!(e.to_string().contains("unknown field `reserch`"), "{e}");
        assert!(e.to_string().contains("prompt"), "{e}");
        let e =
            Definition::parse(&FILE.replace("type = \"enum\"", "type = \"money\"")).unwrap_err();
        assert!(e.to_string().contains("money"), "{e}");
        let e = Definition::parse(&FILE.replace("kind = \"ai\"", "kind = \"magic\"")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown kind \"magic\"; known kinds: ai, http, datagen, waterfall"
        );
        assert!(Definition::parse("name = ").is_err());
    }

    #[test]
    fn meaning_is_checked() {
        let cases = [
            (
                FILE.replace("funding_stage\"", "Funding Stage\""),
                "lower-case",
            ),
            (
                FILE.replace("choices = [\"seed\", \"series a\"]", ""),
                "list its choices",
            ),
            (
                FILE.replace("type = \"enum\"", "type = \"text\""),
                "only for type = \"enum\"",
            ),
            (
                FILE.replace("description = \"The stage\"", "path = \"$.stage\""),
                "path is for kinds",
            ),
            (
                FILE.replace("What is the latest funding stage of {{company}}?", " "),
                "prompt is empty",
            ),
            (
                format!("{FILE}\n[[outputs]]\nname = \"stage\"\ntype = \"text\"\n"),
                "declared twice",
            ),
        ];
        for (text, expected) in cases {
            let e = Definition::parse(&text).unwrap_err();
            assert!(e.to_string().contains(expected), "{expected}: {e}");
        }
    }
}
