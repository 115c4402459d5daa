//! Demo Anthropic Messages API: `POST /v1/messages`, answered by the demo LLM with forced tool
//! use (`tools` + `tool_choice`), native structured output (`output_config.format`, or the beta
//! `output_format`), or free text; errors in Anthropic's `{"type": "error", …}` shape.

use super::Shared;
use super::faults::{Fault, dropped_connection};
use super::gate::{self, Protocol};
use super::hash::fnv1a;
use super::llm::{self, Conversation, DemoLlm, INVALID_ONCE, OVERLOAD_ONCE, TRUNCATE, tokens};
use crate::providers::anthropic::VERSION_HEADER;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// How answered calls are counted in [`super::DemoStats::by_tool`].
pub const ENDPOINT: &str = "anthropic/messages";

/// Anthropic: key in `x-api-key`.
struct Anthropic;

impl Protocol for Anthropic {
    fn name(&self) -> &'static str {
        "anthropic"
    }

    fn sent_key(&self, headers: &HeaderMap, _query: Option<&str>) -> Option<String> {
        gate::header(headers, "x-api-key")
    }

    fn unauthorized(&self) -> Response {
        error(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            "invalid x-api-key",
        )
    }

    fn fault(&self, fault: Fault) -> (&'static str, Response) {
        match fault {
            Fault::RateLimited => (
                "429",
                retry_later(error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limit_error",
                    "Number of request tokens has exceeded your per-minute rate limit",
                )),
            ),
            Fault::ServerError => (
                "500",
                error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "api_error",
                    "Internal server error",
                ),
            ),
            Fault::Timeout524 => ("529", overloaded()),
            Fault::ToolTimeout524 => (
                "504",
                error(
                    StatusCode::GATEWAY_TIMEOUT,
                    "timeout_error",
                    "Request timed out",
                ),
            ),
            Fault::Drop => ("drop", dropped_connection()),
        }
    }
}

/// Anthropic's error body.
fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    let body = json!({
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": "req_demo",
    });
    (status, axum::Json(body)).into_response()
}

fn retry_later(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    response
}

/// HTTP 529 `overloaded_error`, with `retry-after: 1`.
fn overloaded() -> Response {
    let status = StatusCode::from_u16(529).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    retry_later(error(status, "overloaded_error", "Overloaded"))
}

fn invalid(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request_error", message)
}

/// What the request asks the answer to be.
enum Wanted<'a> {
    Tool { name: &'a str, schema: &'a Value },
    Json(&'a Value),
    Text,
}

/// Reads `tools`/`tool_choice` and `output_config`/`output_format`.
fn wanted(req: &Value) -> Result<Wanted<'_>, String> {
    let native = req
        .pointer("/output_config/format")
        .or_else(|| req.get("output_format"));
    if let Some(format) = native {
        if format.get("type").and_then(Value::as_str) != Some("json_schema") {
            return Err("output_config.format.type: must be json_schema".into());
        }
        let schema = format
            .get("schema")
            .filter(|s| s.is_object())
            .ok_or("output_config.format.schema: Field required")?;
        return Ok(Wanted::Json(schema));
    }
    let tools: Vec<&Value> = req
        .get("tools")
        .and_then(Value::as_array)
        .map(|t| t.iter().collect())
        .unwrap_or_default();
    let choice = req.get("tool_choice");
    let choice_type = choice.and_then(|c| c.get("type")).and_then(Value::as_str);
    let tool = match choice_type {
        Some("none") => None,
        Some("tool") => {
            let name = choice
                .and_then(|c| c.get("name"))
                .and_then(Value::as_str)
                .ok_or("tool_choice.name: Field required")?;
            let tool = tools
                .iter()
                .find(|t| t.get("name").and_then(Value::as_str) == Some(name))
                .ok_or_else(|| format!("tool_choice: tool {name:?} is not in tools"))?;
            Some(*tool)
        }
        // "any", "auto" or nothing: the demo model always uses the first tool it is offered.
        _ => tools.first().copied(),
    };
    Ok(match tool {
        None => Wanted::Text,
        Some(tool) => Wanted::Tool {
            name: tool.get("name").and_then(Value::as_str).unwrap_or("tool"),
            schema: tool
                .get("input_schema")
                .filter(|s| s.is_object())
                .ok_or("tools.0.input_schema: Field required")?,
        },
    })
}

/// The conversation of a Messages request.
fn conversation(req: &Value) -> Conversation {
    let system = req.get("system").map(llm::content_text).unwrap_or_default();
    let turns: Vec<(String, String)> = req
        .get("messages")
        .and_then(Value::as_array)
        .map(|messages| {
            messages
                .iter()
                .map(|m| {
                    let role = m.get("role").and_then(Value::as_str).unwrap_or("user");
                    let text = llm::content_text(m.get("content").unwrap_or(&Value::Null));
                    (role.to_string(), text)
                })
                .collect()
        })
        .unwrap_or_default();
    Conversation::new(system, &turns)
}

/// `POST /v1/messages`.
pub(super) async fn messages(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _request = match gate::admit(&s, &Anthropic, &headers, None).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    if gate::header(&headers, VERSION_HEADER).is_none() {
        return invalid("anthropic-version: header is required");
    }
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return invalid("There was an issue with the request body: it is not valid JSON");
    };
    let Some(model) = req
        .get("model")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
    else {
        return invalid("model: Field required");
    };
    let Some(max_tokens) = req
        .get("max_tokens")
        .and_then(Value::as_u64)
        .filter(|n| *n > 0)
    else {
        return invalid("max_tokens: Field required");
    };
    if req
        .get("messages")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
    {
        return invalid("messages: at least one message is required");
    }
    let wanted = match wanted(&req) {
        Ok(w) => w,
        Err(message) => return invalid(&message),
    };
    let conv = conversation(&req);
    if s.llm.first_time("anthropic", &conv, OVERLOAD_ONCE) {
        s.stats.fault("529");
        return overloaded();
    }
    let break_it = s.llm.first_time("anthropic", &conv, INVALID_ONCE);
    let forced_cut = conv.has(TRUNCATE);
    let (content, text, stop) = match wanted {
        Wanted::Tool { name, schema } => {
            let mut input = s.llm.structured(&conv, schema);
            if break_it {
                input = DemoLlm::broken(&input, schema);
            }
            let text = input.to_string();
            let id = format!("toolu_demo_{:016x}", fnv1a(&text));
            match llm::truncated(&text, max_tokens, forced_cut) {
                // A tool call cut off mid-input arrives with what was parsed of it: nothing.
                Some(cut) => (
                    json!([{"type": "tool_use", "id": id, "name": name, "input": {}}]),
                    cut,
                    "max_tokens",
                ),
                None => (
                    json!([{"type": "tool_use", "id": id, "name": name, "input": input}]),
                    text,
                    "tool_use",
                ),
            }
        }
        Wanted::Json(schema) => {
            let object = s.llm.structured(&conv, schema);
            let text = if break_it {
                format!("Here is the JSON you asked for:\n{object}")
            } else {
                object.to_string()
            };
            text_answer(text, max_tokens, forced_cut)
        }
        Wanted::Text => text_answer(s.llm.prose(&conv), max_tokens, forced_cut),
    };
    let schema_text = req
        .get("tools")
        .or_else(|| req.pointer("/output_config/format"))
        .or_else(|| req.get("output_format"))
        .map(Value::to_string)
        .unwrap_or_default();
    let request_key = format!("{:016x}", fnv1a(&req.to_string()));
    s.stats.paid(ENDPOINT, request_key.clone());
    axum::Json(json!({
        "id": format!("msg_demo_{request_key}"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": null,
        "usage": {
            "input_tokens": tokens(&conv.all_text) + tokens(&schema_text),
            "output_tokens": tokens(&text),
        },
    }))
    .into_response()
}

/// A text block, cut when it does not fit or `[demo:truncate]` asks.
fn text_answer(text: String, max_tokens: u64, forced_cut: bool) -> (Value, String, &'static str) {
    match llm::truncated(&text, max_tokens, forced_cut) {
        Some(cut) => (json!([{"type": "text", "text": cut}]), cut, "max_tokens"),
        None => (json!([{"type": "text", "text": text}]), text, "end_turn"),
    }
}
