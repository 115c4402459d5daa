//! Typed outputs read out of a JSON answer, one RFC 9535 JSONPath each (the `http` and
//! `datagen` kinds): the values a path selects are normalised to the output's type like an AI
//! column's (`ai::validate::normalise`), and "no data" is an answer where a chosen path finds
//! nothing, or where no output has a value.

use super::ai::validate::normalise;
use super::user::definition::OutputDef;
use super::{EnrichError, Fields, OutputSpec};
use crate::providers::ErrorKind;
use serde_json::Value;
use serde_json_path::JsonPath;

/// A path as written and as parsed.
#[derive(Debug, Clone)]
struct Path {
    text: String,
    parsed: JsonPath,
}

impl Path {
    /// Parses `text`; `what` names it in the error.
    fn new(what: &str, text: &str) -> Result<Path, String> {
        let text = text.trim();
        JsonPath::parse(text)
            .map(|parsed| Path {
                text: text.to_string(),
                parsed,
            })
            .map_err(|e| {
                format!(
                    "{what}: {text:?} is not a JSONPath (RFC 9535, e.g. \"$.company.employees\"): {e}"
                )
            })
    }

    /// What the path selects: nothing (`None`), one value, or several as an array.
    fn select(&self, answer: &Value) -> Option<Value> {
        let nodes = self.parsed.query(answer).all();
        match nodes.as_slice() {
            [] => None,
            [one] => Some((*one).clone()),
            many => Some(Value::Array(many.iter().map(|v| (*v).clone()).collect())),
        }
    }
}

/// Where each output is in an answer, and the path whose absence means "no data".
#[derive(Debug, Clone)]
pub struct JsonOutputs {
    paths: Vec<Path>,
    no_data: Option<Path>,
}

impl JsonOutputs {
    /// Parses each output's `path` (every output needs one) and the optional `no_data_path`.
    pub fn compile(
        outputs: &[OutputDef],
        no_data_path: Option<&str>,
    ) -> Result<JsonOutputs, String> {
        let paths = outputs
            .iter()
            .map(|o| match o.path.as_deref().filter(|p| !p.trim().is_empty()) {
                Some(path) => Path::new(&format!("output {:?}", o.name), path),
                None => Err(format!(
                    "output {:?} needs a path: where its value is in the answer, e.g. path = \"$.data.{}\"",
                    o.name, o.name
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let no_data = no_data_path
            .map(|p| Path::new("no_data_path", p))
            .transpose()?;
        Ok(JsonOutputs { paths, no_data })
    }

    /// The output values of `answer`, normalised to `outputs`' types (the same outputs, in the
    /// same order, as compiled). "No data" when the `no_data_path` finds nothing or only empty
    /// values, or when no output has a value; a permanent failure when a value does not fit
    /// its type.
    pub fn read(&self, outputs: &[OutputSpec], answer: &Value) -> Result<Fields, EnrichError> {
        if let Some(path) = &self.no_data
            && path.select(answer).is_none_or(|v| is_empty(&v))
        {
            return Err(EnrichError::no_data(format!(
                "the answer has nothing at {}",
                path.text
            )));
        }
        let mut fields = Fields::new();
        let mut problems = Vec::new();
        for (output, path) in outputs.iter().zip(&self.paths) {
            let Some(value) = path.select(answer) else {
                continue;
            };
            match normalise(output.kind, &value) {
                Ok(Some(text)) => {
                    fields.insert(output.name.to_string(), text);
                }
                Ok(None) => {}
                Err(why) => problems.push(format!("{} ({}): {why}", output.name, path.text)),
            }
        }
        if !problems.is_empty() {
            return Err(EnrichError::new(
                ErrorKind::Permanent,
                format!(
                    "the answer does not fit the columns: {}",
                    problems.join("; ")
                ),
            ));
        }
        if fields.is_empty() {
            let looked: Vec<&str> = self.paths.iter().map(|p| p.text.as_str()).collect();
            return Err(EnrichError::no_data(format!(
                "the answer has none of the columns (looked at {})",
                looked.join(", ")
            )));
        }
        Ok(fields)
    }

    /// What was read, for the inspector: one line per output, its value or that its path
    /// found nothing.
    pub fn describe(&self, outputs: &[OutputSpec], fields: &Fields) -> String {
        outputs
            .iter()
            .zip(&self.paths)
            .map(|(o, p)| match fields.get(o.name) {
                Some(v) => format!("{} = {v}  ← {}", o.name, p.text),
                None => format!("{}: no value at {}", o.name, p.text),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Each output's path as written, in order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().map(|p| p.text.as_str())
    }

    /// The `no_data_path`, as written.
    pub fn no_data_path(&self) -> Option<&str> {
        self.no_data.as_ref().map(|p| p.text.as_str())
    }
}

/// `null`, blank text, `[]` or `{}`.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.iter().all(is_empty),
        Value::Object(map) => map.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::OutputKind;
    use crate::integrations::user::definition::OutputType;
    use serde_json::json;

    fn def(name: &str, kind: OutputType, path: &str) -> OutputDef {
        OutputDef {
            name: name.into(),
            kind,
            choices: Vec::new(),
            description: String::new(),
            path: Some(path.into()),
        }
    }

    fn spec(name: &'static str, kind: OutputKind) -> OutputSpec {
        OutputSpec {
            name,
            kind,
            description: "",
        }
    }

    fn outputs() -> (JsonOutputs, Vec<OutputSpec>) {
        let compiled = JsonOutputs::compile(
            &[
                def("employees", OutputType::Integer, "$.company.employees"),
                def("tags", OutputType::Text, "$.company.tags[*]"),
                def("site", OutputType::Url, "$['company']['site']"),
            ],
            Some("$.company"),
        )
        .unwrap();
        let specs = vec![
            spec("employees", OutputKind::Integer),
            spec("tags", OutputKind::Text),
            spec("site", OutputKind::Url),
        ];
        (compiled, specs)
    }

    #[test]
    fn values_are_selected_and_normalised_to_their_type() {
        let (o, specs) = outputs();
        let answer = json!({"company": {"employees": "1,200", "tags": ["saas", "b2b"], "site": "acme.example/about"}});
        let fields = o.read(&specs, &answer).unwrap();
        assert_eq!(fields["employees"], "1200");
        assert_eq!(fields["tags"], "saas, b2b", "several matches are joined");
        assert_eq!(fields["site"], "https://acme.example/about");
        let partial = o
            .read(&specs, &json!({"company": {"employees": 12, "site": null}}))
            .unwrap();
        assert_eq!(partial.len(), 1, "a missing or null value is an empty cell");
        assert_eq!(
            o.describe(&specs, &partial),
            "employees = 12  ← $.company.employees\ntags: no value at $.company.tags[*]\nsite: no value at $['company']['site']"
        );
    }

    #[test]
    fn no_data_is_an_empty_path_or_an_answer_without_any_output() {
        let (o, specs) = outputs();
        for answer in [json!({}), json!({"company": null}), json!({"company": {}})] {
            let e = o.read(&specs, &answer).unwrap_err();
            assert_eq!(e.kind, ErrorKind::NoData, "{answer}");
            assert!(e.message.contains("nothing at $.company"), "{}", e.message);
        }
        let e = o
            .read(
                &specs,
                &json!({"company": {"employees": null, "name": "x"}}),
            )
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NoData);
        assert!(e.message.contains("none of the columns"), "{}", e.message);
    }

    #[test]
    fn a_value_of_the_wrong_type_fails_the_cell_naming_the_path() {
        let (o, specs) = outputs();
        let e = o
            .read(&specs, &json!({"company": {"employees": "lots"}}))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Permanent);
        assert!(
            e.message.contains("employees ($.company.employees)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn paths_are_checked_when_compiled() {
        let e = JsonOutputs::compile(&[def("a", OutputType::Text, "$.a[")], None).unwrap_err();
        assert!(
            e.starts_with("output \"a\": \"$.a[\" is not a JSONPath"),
            "{e}"
        );
        let mut missing = def("a", OutputType::Text, "");
        missing.path = None;
        let e = JsonOutputs::compile(&[missing], None).unwrap_err();
        assert!(e.contains("needs a path"), "{e}");
        let e = JsonOutputs::compile(&[def("a", OutputType::Text, "$.a")], Some("company"))
            .unwrap_err();
        assert!(e.starts_with("no_data_path"), "{e}");
    }
}
