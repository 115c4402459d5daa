//! The JSON schema an AI column asks the model to fill, built from its declared outputs.
//!
//! One object, every output a property, every property required and nullable: "not found" is
//! `null`, never a made-up string. Only keywords both protocols accept in strict mode are used
//! (no `minimum`/`maximum`, no `uri` format, `additionalProperties: false`), so the same schema
//! works with Anthropic's native output, forced tool use and OpenAI's `strict: true`.

use crate::integrations::{OutputKind, OutputSpec};
use serde_json::{Map, Value, json};

/// The schema of the answer object.
pub fn build(outputs: &[OutputSpec]) -> Value {
    let mut properties = Map::new();
    for output in outputs {
        properties.insert(output.name.to_string(), property(output));
    }
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": outputs.iter().map(|o| o.name).collect::<Vec<_>>(),
        "properties": properties,
    })
}

/// One output's property: its JSON type or null, with what it holds.
fn property(output: &OutputSpec) -> Value {
    let (mut schema, hint) = match output.kind {
        OutputKind::Text => (json!({"type": ["string", "null"]}), ""),
        OutputKind::Number => (json!({"type": ["number", "null"]}), ""),
        OutputKind::Integer => (json!({"type": ["integer", "null"]}), ""),
        OutputKind::Bool => (json!({"type": ["boolean", "null"]}), ""),
        OutputKind::Date => (
            json!({"type": ["string", "null"], "format": "date"}),
            "A date, YYYY-MM-DD.",
        ),
        OutputKind::Url => (
            json!({"type": ["string", "null"]}),
            "An absolute URL (https://…).",
        ),
        OutputKind::UrlList => (
            json!({"type": ["array", "null"], "items": {"type": "string"}}),
            "Absolute URLs (https://…).",
        ),
        OutputKind::Enum(choices) => {
            let mut values: Vec<Value> = choices.iter().map(|c| json!(c)).collect();
            values.push(Value::Null);
            (json!({"type": ["string", "null"], "enum": values}), "")
        }
    };
    let description = [output.description.trim(), hint]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if !description.is_empty()
        && let Some(map) = schema.as_object_mut()
    {
        map.insert("description".into(), json!(description));
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(name: &'static str, kind: OutputKind, description: &'static str) -> OutputSpec {
        OutputSpec {
            name,
            kind,
            description,
        }
    }

    #[test]
    fn every_output_is_a_required_nullable_property() {
        let s = build(&[
            out("ceo_name", OutputKind::Text, "Full name of the CEO"),
            out("ceo_confidence", OutputKind::Number, ""),
            out("employees", OutputKind::Integer, ""),
            out("hiring", OutputKind::Bool, ""),
            out("founded", OutputKind::Date, ""),
            out("site", OutputKind::Url, ""),
            out("sources", OutputKind::UrlList, "Where it was read"),
            out("stage", OutputKind::Enum(&["seed", "series a"]), ""),
        ]);
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["required"].as_array().unwrap().len(), 8);
        let p = &s["properties"];
        assert_eq!(p["ceo_name"]["type"], json!(["string", "null"]));
        assert_eq!(p["ceo_name"]["description"], "Full name of the CEO");
        assert!(p["ceo_confidence"].get("description").is_none());
        assert_eq!(p["employees"]["type"], json!(["integer", "null"]));
        assert_eq!(p["hiring"]["type"], json!(["boolean", "null"]));
        assert_eq!(p["founded"]["format"], "date");
        assert_eq!(p["site"]["description"], "An absolute URL (https://…).");
        assert_eq!(p["sources"]["items"]["type"], "string");
        assert_eq!(
            p["sources"]["description"],
            "Where it was read Absolute URLs (https://…)."
        );
        assert_eq!(p["stage"]["enum"], json!(["seed", "series a", null]));
        // Nothing strict mode refuses.
        let text = s.to_string();
        for refused in ["minimum", "maximum", "\"uri\"", "minLength"] {
            assert!(!text.contains(refused), "{refused}");
        }
    }
}
