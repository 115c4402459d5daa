//! Anthropic Messages API (`POST /v1/messages`): building a structured-extraction request and
//! reading its answer. Pure functions: the transport sends the request and adds the key.
//!
//! Structured output comes two ways (see `docs/PROVIDERS.md`): forced tool use (a tool whose
//! `input_schema` is the schema, `tool_choice: {type: "tool"}`), which every current model
//! supports, or the native `output_config.format` JSON schema, which only newer models do.

use super::llm::{Answer, AnswerParts, LlmParams};
use super::wire::{
    self, HttpRequest, KeyPlacement, Method, ProviderWire, failure, not_json, status_error,
    unexpected,
};
use super::{CallError, ErrorKind};
use serde_json::{Value, json};

/// Where Anthropic lives, its environment variables and its key header.
pub const WIRE: ProviderWire = ProviderWire {
    name: "Anthropic",
    default_base_url: "https://api.anthropic.com",
    base_url_env: "ANTHROPIC_BASE_URL",
    api_key_env: "ANTHROPIC_API_KEY",
    key: KeyPlacement::Header {
        name: "x-api-key",
        prefix: "",
    },
};

/// The endpoint every call is posted to.
pub const MESSAGES_PATH: &str = "/v1/messages";

/// The API version header, required on every request.
pub const VERSION_HEADER: &str = "anthropic-version";

/// The API version we speak.
pub const API_VERSION: &str = "2023-06-01";

/// How the schema is enforced; chosen with the `"structured"` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structured {
    /// Forced tool use: works on every model (the default).
    Tool,
    /// `output_config.format` with a JSON schema: constrained decoding, newer models only.
    Native,
}

/// Whether `model` takes native structured output (`output_config.format`): Claude Opus,
/// Sonnet and Haiku 4.5 and later (`claude-sonnet-4-5`, `claude-opus-4-6-20260101`,
/// `claude-haiku-5`). Older ids (`claude-3-5-haiku-latest`, `claude-sonnet-4-0`) do not.
pub fn supports_native(model: &str) -> bool {
    let lower = model.trim().to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("claude-") else {
        return false;
    };
    let mut parts = rest.split('-');
    if !matches!(parts.next(), Some("opus" | "sonnet" | "haiku")) {
        return false;
    }
    let number = |p: Option<&str>| {
        p.filter(|p| p.len() <= 2)
            .and_then(|p| p.parse::<u32>().ok())
    };
    let Some(major) = number(parts.next()) else {
        return false;
    };
    let minor = number(parts.next()).unwrap_or(0);
    (major, minor) >= (4, 5)
}

/// Builds the request from LLM parameters (see [`super::llm`]) plus an optional
/// `"structured": "tool" | "native"` (default `tool`).
pub fn build_request(params: &Value) -> Result<HttpRequest, CallError> {
    let p = LlmParams::from_value(WIRE.name, params)?;
    let structured = match wire::text(params, "structured") {
        None | Some("tool") => Structured::Tool,
        Some("native") => Structured::Native,
        Some(other) => {
            return Err(wire::bad_params(
                WIRE.name,
                &format!("structured must be tool or native, not {other:?}"),
            ));
        }
    };
    let mut messages = vec![json!({"role": "user", "content": p.prompt})];
    messages.extend(
        p.history
            .iter()
            .map(|(role, content)| json!({"role": role, "content": content})),
    );
    let mut body = json!({
        "model": p.model,
        "max_tokens": p.max_tokens,
        "messages": messages,
    });
    if let Some(system) = &p.system {
        body["system"] = json!(system);
    }
    if let Some(t) = p.temperature {
        body["temperature"] = json!(t);
    }
    if let Some(schema) = &p.schema {
        match structured {
            Structured::Tool => {
                body["tools"] = json!([{
                    "name": p.schema_name,
                    "description": "Record the answer. Always call this tool with every field filled.",
                    "input_schema": schema,
                }]);
                body["tool_choice"] = json!({"type": "tool", "name": p.schema_name});
            }
            Structured::Native => {
                body["output_config"] =
                    json!({"format": {"type": "json_schema", "schema": schema}});
            }
        }
    }
    Ok(HttpRequest {
        method: Method::Post,
        path_and_query: MESSAGES_PATH.to_string(),
        headers: vec![
            (VERSION_HEADER.to_string(), API_VERSION.to_string()),
            ("content-type".to_string(), "application/json".to_string()),
        ],
        body: Some(body),
    })
}

/// Classifies a response: on success the answer shape of [`super::llm`], else why it failed.
pub fn classify(status: u16, retry_after: Option<&str>, body: &str) -> Result<Value, CallError> {
    let json = serde_json::from_str::<Value>(body);
    if !(200..300).contains(&status) {
        return Err(error_of(status, retry_after, json.ok().as_ref(), body));
    }
    let message = json.map_err(|_| not_json(&WIRE, status, body))?;
    if message.get("type").and_then(Value::as_str) == Some("error") {
        return Err(error_of(status, retry_after, Some(&message), body));
    }
    answer(&message)
        .map(|a| a.to_value())
        .map_err(|what| unexpected(&WIRE, status, &what))
}

/// Reads a Messages API response: the `tool_use` input if there is one, else the text blocks
/// parsed as JSON; `stop_reason`, truncation and token usage.
pub fn answer(message: &Value) -> Result<Answer, String> {
    let content = message
        .get("content")
        .and_then(Value::as_array)
        .ok_or("no content array")?;
    let blocks = |kind: &'static str| {
        content
            .iter()
            .filter(move |b| b.get("type").and_then(Value::as_str) == Some(kind))
    };
    let tool_input = blocks("tool_use").find_map(|b| b.get("input")).cloned();
    let text: String = blocks("text")
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect();
    let stop = message
        .get("stop_reason")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let usage = message.get("usage");
    let tokens = |k: &str| {
        usage
            .and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    Ok(Answer::new(AnswerParts {
        raw: match &tool_input {
            Some(input) => input.to_string(),
            None => text.clone(),
        },
        object: tool_input,
        truncated: matches!(
            stop.as_str(),
            "max_tokens" | "model_context_window_exceeded"
        ),
        refusal: (stop == "refusal").then(|| {
            if text.trim().is_empty() {
                "no reason given".to_string()
            } else {
                wire::cut(text.trim(), wire::MAX_MESSAGE)
            }
        }),
        stop,
        model: message
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        input_tokens: tokens("input_tokens"),
        output_tokens: tokens("output_tokens"),
    }))
}

/// Anthropic's error body `{"type": "error", "error": {"type", "message"}}`, classified by its
/// type first (a 429 may carry `overloaded_error`), then by status.
fn error_of(status: u16, retry_after: Option<&str>, json: Option<&Value>, body: &str) -> CallError {
    let error = json.and_then(|j| j.get("error"));
    let kind = error.and_then(|e| e.get("type")).and_then(Value::as_str);
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| (!body.trim().is_empty()).then(|| wire::snippet(body)));
    let detail = message.as_deref().unwrap_or("no message");
    let quoted = |summary: &str| format!("{summary}: {}", wire::cut(detail, wire::MAX_MESSAGE));
    match kind {
        Some("overloaded_error") => failure(
            ErrorKind::Transient,
            quoted(&format!("Anthropic is overloaded (HTTP {status})")),
            status,
            retry_after,
        ),
        Some("rate_limit_error") => failure(
            ErrorKind::RateLimited,
            quoted("Anthropic rate limit (HTTP 429)"),
            status,
            retry_after,
        ),
        // Without credit no call can succeed: stop the column like a refused key.
        Some("billing_error") => failure(
            ErrorKind::Auth,
            quoted(&format!("Anthropic billing problem (HTTP {status})")),
            status,
            retry_after,
        ),
        Some("api_error" | "timeout_error") => failure(
            ErrorKind::Transient,
            quoted(&format!("Anthropic server error (HTTP {status})")),
            status,
            retry_after,
        ),
        _ => status_error(status, retry_after, message.as_deref(), &WIRE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn params() -> Value {
        json!({"model": "claude-sonnet-4-5", "prompt": "Who runs Kitecraft?", "system": "Be terse.",
               "schema": {"type": "object", "properties": {"ceo_name": {"type": "string"}},
                          "required": ["ceo_name"], "additionalProperties": false},
               "schema_name": "ceo", "max_tokens": 256, "temperature": 0})
    }

    #[test]
    fn tool_request_forces_the_schema_tool() {
        let r = build_request(&params()).unwrap();
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.path_and_query, "/v1/messages");
        assert!(
            r.headers
                .contains(&("anthropic-version".into(), "2023-06-01".into()))
        );
        let b = r.body.unwrap();
        assert_eq!(b["tools"][0]["name"], "ceo");
        assert_eq!(b["tools"][0]["input_schema"]["required"][0], "ceo_name");
        assert_eq!(b["tool_choice"], json!({"type": "tool", "name": "ceo"}));
        assert_eq!(b["system"], "Be terse.");
        assert_eq!(b["max_tokens"], 256);
        assert_eq!(
            b["messages"][0],
            json!({"role": "user", "content": "Who runs Kitecraft?"})
        );
        assert!(b.get("output_config").is_none());
        assert!(!b.to_string().contains("x-api-key"));
    }

    #[test]
    fn native_output_is_for_recent_models() {
        for model in [
            "claude-sonnet-4-5",
            "claude-haiku-4-5-20251001",
            "claude-opus-4-6",
            "claude-opus-5",
            "Claude-Sonnet-5-1",
        ] {
            assert!(supports_native(model), "{model}");
        }
        for model in [
            "claude-sonnet-4",
            "claude-sonnet-4-20250514",
            "claude-opus-4-1",
            "claude-3-5-haiku-latest",
            "gpt-4.1",
            "demo-model",
        ] {
            assert!(!supports_native(model), "{model}");
        }
    }

    #[test]
    fn native_request_uses_output_config() {
        let mut p = params();
        p["structured"] = json!("native");
        let b = build_request(&p).unwrap().body.unwrap();
        assert_eq!(b["output_config"]["format"]["type"], "json_schema");
        assert_eq!(b["output_config"]["format"]["schema"]["type"], "object");
        assert!(b.get("tools").is_none());
        p["structured"] = json!("grammar");
        assert!(build_request(&p).is_err());
    }

    // Shaped like the examples in Anthropic's tool-use documentation.
    const TOOL_USE: &str = r#"{
      "id": "msg_01Aq9w938a90dw8q", "type": "message", "role": "assistant",
      "model": "claude-sonnet-4-5",
      "content": [{"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "ceo",
                   "input": {"ceo_name": "Dev Anand"}}],
      "stop_reason": "tool_use", "stop_sequence": null,
      "usage": {"input_tokens": 472, "output_tokens": 31, "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0}}"#;

    #[test]
    fn tool_use_input_is_the_output() {
        let a = classify(200, None, TOOL_USE).unwrap();
        assert_eq!(a["output"], json!({"ceo_name": "Dev Anand"}));
        assert_eq!(a["stop"], "tool_use");
        assert_eq!(a["truncated"], false);
        assert_eq!(
            a["usage"],
            json!({"input_tokens": 472, "output_tokens": 31})
        );
        assert_eq!(a["model"], "claude-sonnet-4-5");
    }

    #[test]
    fn native_text_is_parsed_and_truncation_detected() {
        let ok = r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
            "content":[{"type":"text","text":"{\"ceo_name\":\"Ada Quill\"}"}],
            "stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":8}}"#;
        assert_eq!(
            classify(200, None, ok).unwrap()["output"]["ceo_name"],
            "Ada Quill"
        );
        let cut = r#"{"id":"msg_2","type":"message","role":"assistant","model":"m",
            "content":[{"type":"text","text":"{\"ceo_name\":\"Ada"}],
            "stop_reason":"max_tokens","usage":{"input_tokens":10,"output_tokens":4}}"#;
        let a = classify(200, None, cut).unwrap();
        assert_eq!(a["output"], Value::Null);
        assert_eq!(a["truncated"], true);
        assert_eq!(a["raw"], "{\"ceo_name\":\"Ada");
        let prose = r#"{"type":"message","content":[{"type":"text","text":"I think it is Ada."}],
            "stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}"#;
        let a = classify(200, None, prose).unwrap();
        assert_eq!(a["output"], Value::Null);
        assert!(a["invalid"].as_str().unwrap().contains("not JSON"));
        let refusal = r#"{"type":"message","content":[],"stop_reason":"refusal",
            "usage":{"input_tokens":1,"output_tokens":0}}"#;
        assert!(
            classify(200, None, refusal).unwrap()["invalid"]
                .as_str()
                .unwrap()
                .contains("refused")
        );
    }

    #[test]
    fn errors_are_classified_by_type() {
        let err = |t: &str, m: &str| {
            json!({"type": "error", "error": {"type": t, "message": m}, "request_id": "req_011"})
                .to_string()
        };
        let e = classify(401, None, &err("authentication_error", "invalid x-api-key")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.message.contains("invalid x-api-key") && e.message.contains("ANTHROPIC_API_KEY"));
        let e = classify(429, Some("7"), &err("rate_limit_error", "slow down")).unwrap_err();
        assert_eq!(
            (e.kind, e.retry_after),
            (ErrorKind::RateLimited, Some(Duration::from_secs(7)))
        );
        let e = classify(529, Some("1"), &err("overloaded_error", "Overloaded")).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Transient, Some(529)));
        assert_eq!(e.retry_after, Some(Duration::from_secs(1)));
        assert_eq!(
            classify(429, None, &err("overloaded_error", "x"))
                .unwrap_err()
                .kind,
            ErrorKind::Transient
        );
        assert_eq!(
            classify(500, None, &err("api_error", "x"))
                .unwrap_err()
                .kind,
            ErrorKind::Transient
        );
        assert_eq!(
            classify(402, None, &err("billing_error", "x"))
                .unwrap_err()
                .kind,
            ErrorKind::Auth
        );
        let e = classify(
            400,
            None,
            &err("invalid_request_error", "max_tokens: required"),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Permanent);
        assert!(e.message.contains("max_tokens: required"));
        assert_eq!(
            classify(502, None, "<html>bad gateway</html>")
                .unwrap_err()
                .kind,
            ErrorKind::Transient
        );
        assert_eq!(
            classify(200, None, "<html>").unwrap_err().kind,
            ErrorKind::Transient
        );
        assert_eq!(
            classify(200, None, "{}").unwrap_err().kind,
            ErrorKind::Permanent
        );
        // An error event inside a 200 (as streams send them).
        assert_eq!(
            classify(200, None, &err("overloaded_error", "x"))
                .unwrap_err()
                .kind,
            ErrorKind::Transient
        );
    }
}
