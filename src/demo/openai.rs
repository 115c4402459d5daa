//! Demo OpenAI-compatible Chat Completions: `POST /v1/chat/completions`, answered by the demo
//! LLM with `response_format` `json_schema` (or `json_object`, or free text); errors in OpenAI's
//! `{"error": {"message", "type", "param", "code"}}` shape.

use super::Shared;
use super::faults::{Fault, dropped_connection, gateway_page};
use super::gate::{self, Protocol};
use super::hash::fnv1a;
use super::llm::{self, Conversation, INVALID_ONCE, OVERLOAD_ONCE, TRUNCATE, tokens};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// How answered calls are counted in [`super::DemoStats::by_tool`].
pub const ENDPOINT: &str = "openai/chat_completions";

/// The route, under the `/v1` that OpenAI base URLs end with.
pub const ROUTE: &str = "/v1/chat/completions";

/// The answer limit when a request sets none.
const DEFAULT_MAX_TOKENS: u64 = 4096;

/// A fixed `created` time: answers must not change with the clock.
const CREATED: u64 = 1_767_225_600;

/// OpenAI: key as `Authorization: Bearer`.
struct OpenAi;

impl Protocol for OpenAi {
    fn name(&self) -> &'static str {
        "openai"
    }

    fn sent_key(&self, headers: &HeaderMap, _query: Option<&str>) -> Option<String> {
        gate::header(headers, "authorization")
            .and_then(|v| v.strip_prefix("Bearer ").map(str::to_string))
    }

    fn unauthorized(&self) -> Response {
        error(
            StatusCode::UNAUTHORIZED,
            "Incorrect API key provided.",
            "invalid_request_error",
            "invalid_api_key",
        )
    }

    fn fault(&self, fault: Fault) -> (&'static str, Response) {
        match fault {
            Fault::RateLimited => (
                "429",
                retry_later(error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Rate limit reached for requests per min (RPM). Please try again in 1s.",
                    "requests",
                    "rate_limit_exceeded",
                )),
            ),
            Fault::ServerError => (
                "500",
                error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The server had an error while processing your request.",
                    "server_error",
                    "",
                ),
            ),
            Fault::Timeout524 => ("503", overloaded()),
            Fault::ToolTimeout524 => ("502", gateway_page(StatusCode::BAD_GATEWAY)),
            Fault::Drop => ("drop", dropped_connection()),
        }
    }
}

/// OpenAI's error body; an empty `code` is sent as `null`.
fn error(status: StatusCode, message: &str, kind: &str, code: &str) -> Response {
    let code = if code.is_empty() {
        Value::Null
    } else {
        json!(code)
    };
    let body = json!({"error": {"message": message, "type": kind, "param": null, "code": code}});
    (status, axum::Json(body)).into_response()
}

fn retry_later(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    response
}

/// HTTP 503 "overloaded", with `retry-after: 1`.
fn overloaded() -> Response {
    retry_later(error(
        StatusCode::SERVICE_UNAVAILABLE,
        "The engine is currently overloaded, please try again later.",
        "server_error",
        "",
    ))
}

fn invalid(message: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        message,
        "invalid_request_error",
        "",
    )
}

/// What `response_format` asks for.
enum Wanted<'a> {
    Schema(&'a Value),
    AnyObject,
    Text,
}

fn wanted(req: &Value) -> Result<Wanted<'_>, &'static str> {
    let Some(format) = req.get("response_format") else {
        return Ok(Wanted::Text);
    };
    match format.get("type").and_then(Value::as_str) {
        Some("json_schema") => {
            let spec = format
                .get("json_schema")
                .ok_or("Missing required parameter: 'response_format.json_schema'.")?;
            if spec.get("name").and_then(Value::as_str).is_none() {
                return Err("Missing required parameter: 'response_format.json_schema.name'.");
            }
            spec.get("schema")
                .filter(|s| s.is_object())
                .map(Wanted::Schema)
                .ok_or("Missing required parameter: 'response_format.json_schema.schema'.")
        }
        Some("json_object") => Ok(Wanted::AnyObject),
        Some("text") | None => Ok(Wanted::Text),
        Some(_) => Err("Invalid value for 'response_format.type'."),
    }
}

/// The conversation of a chat request (`system` and `developer` messages are its system prompt).
fn conversation(req: &Value) -> Conversation {
    let mut system = Vec::new();
    let mut turns = Vec::new();
    for m in req
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let role = m.get("role").and_then(Value::as_str).unwrap_or("user");
        let text = llm::content_text(m.get("content").unwrap_or(&Value::Null));
        if matches!(role, "system" | "developer") {
            system.push(text);
        } else {
            turns.push((role.to_string(), text));
        }
    }
    Conversation::new(system.join("\n"), &turns)
}

/// `POST /v1/chat/completions`.
pub(super) async fn completions(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _request = match gate::admit(&s, &OpenAi, &headers, None).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return invalid("We could not parse the JSON body of your request.");
    };
    let Some(model) = req
        .get("model")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
    else {
        return invalid("you must provide a model parameter");
    };
    if req
        .get("messages")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
    {
        return invalid(
            "Invalid 'messages': empty array. Expected an array with minimum length 1.",
        );
    }
    let wanted = match wanted(&req) {
        Ok(w) => w,
        Err(message) => return invalid(message),
    };
    let max_tokens = req
        .get("max_completion_tokens")
        .or_else(|| req.get("max_tokens"))
        .and_then(Value::as_u64)
        .unwrap_or(DEFAULT_MAX_TOKENS);
    let conv = conversation(&req);
    if s.llm.first_time("openai", &conv, OVERLOAD_ONCE) {
        s.stats.fault("503");
        return overloaded();
    }
    let break_it = s.llm.first_time("openai", &conv, INVALID_ONCE);
    let text = match wanted {
        Wanted::Schema(schema) => s.llm.structured(&conv, schema).to_string(),
        Wanted::AnyObject => json!({ "answer": s.llm.prose(&conv) }).to_string(),
        Wanted::Text => s.llm.prose(&conv),
    };
    let text = if break_it {
        format!("Sure! Here is the JSON you asked for:\n{text}")
    } else {
        text
    };
    let (text, finish) = match llm::truncated(&text, max_tokens, conv.has(TRUNCATE)) {
        Some(cut) => (cut, "length"),
        None => (text, "stop"),
    };
    let schema_text = req
        .get("response_format")
        .map(Value::to_string)
        .unwrap_or_default();
    let (prompt_tokens, completion_tokens) =
        (tokens(&conv.all_text) + tokens(&schema_text), tokens(&text));
    let request_key = format!("{:016x}", fnv1a(&req.to_string()));
    s.stats.paid(ENDPOINT, request_key.clone());
    axum::Json(json!({
        "id": format!("chatcmpl-demo{request_key}"),
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": text, "refusal": null},
            "logprobs": null,
            "finish_reason": finish,
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "system_fingerprint": "fp_demo",
    }))
    .into_response()
}
