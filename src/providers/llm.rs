//! What the two LLM protocols (Anthropic Messages, OpenAI Chat Completions) share: the
//! parameters a structured-extraction call is built from, and the one answer shape both
//! modules return, so an integration never needs to know which protocol answered.
//!
//! Parameters (a JSON object):
//! ```json
//! {"model": "…", "prompt": "…", "system": "…", "schema": {JSON schema of an object},
//!  "schema_name": "record", "max_tokens": 1024, "temperature": 0,
//!  "history": [{"role": "assistant", "content": "…"}, {"role": "user", "content": "…"}]}
//! ```
//! Only `model` and `prompt` are required. `history` holds turns after the prompt (a retry that
//! shows the model its invalid answer and the validation error).
//!
//! Answer (the `Ok` value of each module's `classify`):
//! ```json
//! {"output": {…} | null, "raw": "the answer as text", "stop": "end_turn",
//!  "truncated": false, "invalid": null | "why output is null", "model": "…",
//!  "usage": {"input_tokens": 812, "output_tokens": 64}}
//! ```
//! `output` is the JSON object the model produced, or `null` when it was cut off, refused, or is
//! not a JSON object (`invalid` says which). Tokens were paid either way, so these are answers,
//! not errors: the integration validates `output` against its schema and retries if it wants.

use super::CallError;
use super::wire::{bad_params, text};
use serde_json::{Map, Value, json};

/// `max_tokens` when the parameters give none.
pub const DEFAULT_MAX_TOKENS: u64 = 1024;

/// Name of the schema (the tool's name, or OpenAI's `json_schema.name`) when none is given.
pub const DEFAULT_SCHEMA_NAME: &str = "record";

/// The parameters of one LLM call, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmParams {
    /// Model id, sent as is.
    pub model: String,
    /// The first user message.
    pub prompt: String,
    /// System prompt, if any.
    pub system: Option<String>,
    /// JSON schema of the object to produce; `None` asks for free text.
    pub schema: Option<Value>,
    /// Name of the schema: letters, digits, `_` and `-`, at most 64 characters.
    pub schema_name: String,
    /// Most tokens the answer may use.
    pub max_tokens: u64,
    /// Sampling temperature; left out of the request when `None` (some models reject it).
    pub temperature: Option<f64>,
    /// Turns after the prompt, as (role, text).
    pub history: Vec<(String, String)>,
}

impl LlmParams {
    /// Reads and checks the parameters; `provider` names the protocol in error messages.
    pub fn from_value(provider: &str, params: &Value) -> Result<Self, CallError> {
        let model =
            text(params, "model").ok_or_else(|| bad_params(provider, "model is required"))?;
        let prompt = params
            .get("prompt")
            .and_then(Value::as_str)
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| bad_params(provider, "prompt is required"))?;
        let schema = match params.get("schema") {
            None | Some(Value::Null) => None,
            Some(s @ Value::Object(_)) => Some(s.clone()),
            Some(_) => return Err(bad_params(provider, "schema must be a JSON object")),
        };
        let max_tokens = match params.get("max_tokens") {
            None | Some(Value::Null) => DEFAULT_MAX_TOKENS,
            Some(v) => v
                .as_u64()
                .filter(|n| *n > 0)
                .ok_or_else(|| bad_params(provider, "max_tokens must be a positive integer"))?,
        };
        let temperature = match params.get("temperature") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_f64()
                    .ok_or_else(|| bad_params(provider, "temperature must be a number"))?,
            ),
        };
        let history = match params.get("history") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(turns)) => turns
                .iter()
                .map(|t| {
                    let role = text(t, "role").filter(|r| matches!(*r, "user" | "assistant"));
                    let content = t.get("content").and_then(Value::as_str);
                    match (role, content) {
                        (Some(r), Some(c)) => Ok((r.to_string(), c.to_string())),
                        _ => Err(bad_params(
                            provider,
                            "history turns need a role (user or assistant) and a text content",
                        )),
                    }
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(bad_params(provider, "history must be a list of turns")),
        };
        Ok(LlmParams {
            model: model.to_string(),
            prompt: prompt.to_string(),
            system: text(params, "system").map(str::to_string),
            schema,
            schema_name: schema_name(text(params, "schema_name").unwrap_or(DEFAULT_SCHEMA_NAME)),
            max_tokens,
            temperature,
            history,
        })
    }
}

/// A name both protocols accept (`^[a-zA-Z0-9_-]{1,64}$`): other characters become `_`.
fn schema_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if clean.is_empty() {
        DEFAULT_SCHEMA_NAME.to_string()
    } else {
        clean
    }
}

/// One model answer, before it becomes the documented JSON shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The JSON object produced, when there is one.
    pub output: Option<Map<String, Value>>,
    /// The answer as text (tool input serialized, or the message text).
    pub raw: String,
    /// The protocol's own stop reason (`end_turn`, `max_tokens`, `stop`, `length`, …).
    pub stop: String,
    /// Cut off by the token limit.
    pub truncated: bool,
    /// Why `output` is `None`.
    pub invalid: Option<String>,
    /// The model that answered.
    pub model: String,
    /// Prompt tokens billed.
    pub input_tokens: u64,
    /// Answer tokens billed.
    pub output_tokens: u64,
}

impl Answer {
    /// Builds an answer from `raw` text (or an already parsed object), deciding `output`:
    /// nothing when truncated or refused, else the object if `raw` holds one.
    pub fn new(parts: AnswerParts) -> Answer {
        let (output, invalid) = if parts.truncated {
            (
                None,
                Some(format!(
                    "the answer was cut off at the token limit ({} tokens)",
                    parts.output_tokens
                )),
            )
        } else if let Some(refusal) = parts.refusal {
            (None, Some(format!("the model refused: {refusal}")))
        } else {
            match parts.object {
                Some(Value::Object(map)) => (Some(map), None),
                Some(other) => (
                    None,
                    Some(format!("the structured answer is not an object: {other}")),
                ),
                None => match json_object(&parts.raw) {
                    Ok(map) => (Some(map), None),
                    Err(why) => (None, Some(why)),
                },
            }
        };
        Answer {
            output,
            raw: parts.raw,
            stop: parts.stop,
            truncated: parts.truncated,
            invalid,
            model: parts.model,
            input_tokens: parts.input_tokens,
            output_tokens: parts.output_tokens,
        }
    }

    /// The documented answer shape (see the module documentation).
    pub fn to_value(&self) -> Value {
        json!({
            "output": self.output.clone().map(Value::Object),
            "raw": self.raw,
            "stop": self.stop,
            "truncated": self.truncated,
            "invalid": self.invalid,
            "model": self.model,
            "usage": {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens},
        })
    }
}

/// What a protocol module read from a response, handed to [`Answer::new`].
#[derive(Debug, Clone, Default)]
pub struct AnswerParts {
    /// The answer as text.
    pub raw: String,
    /// An already structured answer (Anthropic's `tool_use.input`), preferred over parsing `raw`.
    pub object: Option<Value>,
    /// The stop reason as sent.
    pub stop: String,
    /// Whether the stop reason means the token limit cut the answer.
    pub truncated: bool,
    /// The model's refusal, when it declined.
    pub refusal: Option<String>,
    /// The model that answered.
    pub model: String,
    /// Prompt tokens billed.
    pub input_tokens: u64,
    /// Answer tokens billed.
    pub output_tokens: u64,
}

/// The JSON object in a model's text: the whole text, or inside a ```json fence
/// (local models often add one even when asked for bare JSON).
pub fn json_object(raw: &str) -> Result<Map<String, Value>, String> {
    let trimmed = raw.trim();
    let body = fenced(trimmed).unwrap_or(trimmed);
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "the answer is JSON but not an object: {}",
            super::wire::snippet(&other.to_string())
        )),
        Err(e) => Err(format!("the answer is not JSON ({e})")),
    }
}

fn fenced(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("```")?;
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    Some(rest.strip_suffix("```")?.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::ErrorKind;

    #[test]
    fn parameters_are_checked() {
        let p = LlmParams::from_value(
            "Test",
            &json!({"model": "m", "prompt": "hi", "schema": {"type": "object"},
                    "schema_name": "ceo lookup!", "temperature": 0, "history": [
                        {"role": "assistant", "content": "{}"}, {"role": "user", "content": "again"}]}),
        )
        .unwrap();
        assert_eq!(p.schema_name, "ceo_lookup_");
        assert_eq!(p.max_tokens, DEFAULT_MAX_TOKENS);
        assert_eq!(p.temperature, Some(0.0));
        assert_eq!(p.history.len(), 2);
        for bad in [
            json!({"prompt": "hi"}),
            json!({"model": "m"}),
            json!({"model": "m", "prompt": "hi", "schema": "x"}),
            json!({"model": "m", "prompt": "hi", "max_tokens": 0}),
            json!({"model": "m", "prompt": "hi", "history": [{"role": "system", "content": "x"}]}),
        ] {
            let e = LlmParams::from_value("Test", &bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Permanent, "{bad}");
        }
    }

    #[test]
    fn objects_are_found_in_text_and_fences() {
        assert_eq!(json_object(r#" {"a": 1} "#).unwrap()["a"], 1);
        assert_eq!(json_object("```json\n{\"a\": 2}\n```").unwrap()["a"], 2);
        assert!(json_object("[1]").unwrap_err().contains("not an object"));
        assert!(
            json_object("Sure! {\"a\": 1}")
                .unwrap_err()
                .contains("not JSON")
        );
    }

    #[test]
    fn truncation_and_refusal_leave_no_output() {
        let cut = Answer::new(AnswerParts {
            raw: "{\"a\": ".into(),
            truncated: true,
            output_tokens: 16,
            ..AnswerParts::default()
        });
        assert!(cut.output.is_none());
        assert!(cut.invalid.unwrap().contains("cut off"));
        let refused = Answer::new(AnswerParts {
            raw: "{}".into(),
            refusal: Some("no".into()),
            ..AnswerParts::default()
        });
        assert!(refused.output.is_none());
        let v = Answer::new(AnswerParts {
            raw: "{\"a\":1}".into(),
            stop: "end_turn".into(),
            input_tokens: 3,
            output_tokens: 2,
            ..AnswerParts::default()
        })
        .to_value();
        assert_eq!(v["output"], json!({"a": 1}));
        assert_eq!(v["invalid"], Value::Null);
        assert_eq!(v["usage"], json!({"input_tokens": 3, "output_tokens": 2}));
    }
}
