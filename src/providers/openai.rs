//! OpenAI-compatible Chat Completions (`POST {base}/chat/completions`): OpenAI itself and local
//! servers (llama.cpp, vLLM, Ollama). Pure functions: the transport sends and adds the key.
//!
//! As in OpenAI's own SDKs, the base URL includes `/v1` (`http://localhost:11434/v1` for Ollama),
//! so the path here does not. Structured output is `response_format: {type: "json_schema"}`.

use super::llm::{Answer, AnswerParts, LlmParams};
use super::wire::{
    self, HttpRequest, KeyPlacement, Method, ProviderWire, failure, not_json, status_error,
    unexpected,
};
use super::{CallError, ErrorKind};
use serde_json::{Value, json};

/// Where OpenAI lives, its environment variables and its key header.
pub const WIRE: ProviderWire = ProviderWire {
    name: "OpenAI",
    default_base_url: "https://api.openai.com/v1",
    base_url_env: "OPENAI_BASE_URL",
    api_key_env: "OPENAI_API_KEY",
    key: KeyPlacement::Header {
        name: "authorization",
        prefix: "Bearer ",
    },
};

/// The endpoint, relative to a base URL that ends in `/v1`.
pub const COMPLETIONS_PATH: &str = "/chat/completions";

/// Builds the request from LLM parameters (see [`super::llm`]) plus an optional
/// `"max_tokens_field"`: `max_completion_tokens` (default; OpenAI's reasoning models reject
/// `max_tokens`) or `max_tokens` (older local servers).
pub fn build_request(params: &Value) -> Result<HttpRequest, CallError> {
    let p = LlmParams::from_value(WIRE.name, params)?;
    let max_field = match wire::text(params, "max_tokens_field") {
        None | Some("max_completion_tokens") => "max_completion_tokens",
        Some("max_tokens") => "max_tokens",
        Some(other) => {
            return Err(wire::bad_params(
                WIRE.name,
                &format!(
                    "max_tokens_field must be max_completion_tokens or max_tokens, not {other:?}"
                ),
            ));
        }
    };
    let mut messages = Vec::new();
    if let Some(system) = &p.system {
        messages.push(json!({"role": "system", "content": system}));
    }
    messages.push(json!({"role": "user", "content": p.prompt}));
    messages.extend(
        p.history
            .iter()
            .map(|(role, content)| json!({"role": role, "content": content})),
    );
    let mut body = json!({"model": p.model, "messages": messages});
    body[max_field] = json!(p.max_tokens);
    if let Some(t) = p.temperature {
        body["temperature"] = json!(t);
    }
    if let Some(schema) = &p.schema {
        body["response_format"] = json!({
            "type": "json_schema",
            "json_schema": {"name": p.schema_name, "schema": schema, "strict": true},
        });
    }
    Ok(HttpRequest {
        method: Method::Post,
        path_and_query: COMPLETIONS_PATH.to_string(),
        headers: vec![("content-type".to_string(), "application/json".to_string())],
        body: Some(body),
    })
}

/// Classifies a response: on success the answer shape of [`super::llm`], else why it failed.
pub fn classify(status: u16, retry_after: Option<&str>, body: &str) -> Result<Value, CallError> {
    let json = serde_json::from_str::<Value>(body);
    if !(200..300).contains(&status) {
        return Err(error_of(status, retry_after, json.ok().as_ref(), body));
    }
    let completion = json.map_err(|_| not_json(&WIRE, status, body))?;
    if completion.get("choices").is_none() && completion.get("error").is_some() {
        // Some gateways answer 200 with an error object carrying the upstream status as `code`.
        let code = completion
            .get("error")
            .and_then(|e| e.get("code"))
            .and_then(Value::as_u64)
            .and_then(|c| u16::try_from(c).ok())
            .filter(|c| (400..600).contains(c))
            .unwrap_or(502);
        return Err(error_of(code, retry_after, Some(&completion), body));
    }
    answer(&completion)
        .map(|a| a.to_value())
        .map_err(|what| unexpected(&WIRE, status, &what))
}

/// Reads a chat completion: `choices[0].message.content` (or a tool call's arguments, as some
/// local servers answer), `refusal`, `finish_reason` (`length` = truncated) and token usage.
pub fn answer(completion: &Value) -> Result<Answer, String> {
    let choice = completion
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .ok_or("no choices")?;
    let message = choice.get("message").ok_or("choice has no message")?;
    let content = match message.get("content") {
        Some(Value::String(s)) => s.clone(),
        // Content as a list of parts: keep the text ones.
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    };
    let arguments = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .and_then(|calls| calls.first())
        .and_then(|call| call.get("function"))
        .and_then(|f| f.get("arguments"))
        .and_then(Value::as_str);
    let raw = match arguments {
        Some(args) if content.trim().is_empty() => args.to_string(),
        _ => content,
    };
    let finish = choice
        .get("finish_reason")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let refusal = message
        .get("refusal")
        .and_then(Value::as_str)
        .filter(|r| !r.trim().is_empty())
        .map(|r| wire::cut(r.trim(), wire::MAX_MESSAGE))
        .or_else(|| (finish == "content_filter").then(|| "content filter".to_string()));
    let usage = completion.get("usage");
    let tokens = |k: &str| {
        usage
            .and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    Ok(Answer::new(AnswerParts {
        raw,
        object: None,
        truncated: finish == "length",
        refusal,
        stop: finish,
        model: completion
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        input_tokens: tokens("prompt_tokens"),
        output_tokens: tokens("completion_tokens"),
    }))
}

/// OpenAI's `{"error": {"message", "type", "param", "code"}}` (vLLM puts the same fields at the
/// top level), classified by status, except a 429 for an exhausted quota.
fn error_of(status: u16, retry_after: Option<&str>, json: Option<&Value>, body: &str) -> CallError {
    let error = json.map(|j| j.get("error").filter(|e| e.is_object()).unwrap_or(j));
    let field = |k: &str| error.and_then(|e| e.get(k)).and_then(Value::as_str);
    let message = field("message")
        .map(str::to_string)
        .or_else(|| (!body.trim().is_empty()).then(|| wire::snippet(body)));
    let quota = [field("code"), field("type")].contains(&Some("insufficient_quota"));
    if status == 429 && quota {
        // No retry helps until the account is topped up: stop the column like a refused key.
        return failure(
            ErrorKind::Auth,
            format!(
                "OpenAI quota exhausted (HTTP 429): {}",
                wire::cut(
                    message.as_deref().unwrap_or("no message"),
                    wire::MAX_MESSAGE
                )
            ),
            status,
            retry_after,
        );
    }
    status_error(status, retry_after, message.as_deref(), &WIRE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn params() -> Value {
        json!({"model": "gpt-4o-mini", "prompt": "Who runs Kitecraft?", "system": "Be terse.",
               "schema": {"type": "object", "properties": {"ceo_name": {"type": ["string", "null"]}},
                          "required": ["ceo_name"], "additionalProperties": false},
               "schema_name": "ceo", "max_tokens": 256, "temperature": 0})
    }

    #[test]
    fn request_asks_for_a_strict_json_schema() {
        let r = build_request(&params()).unwrap();
        assert_eq!(r.path_and_query, "/chat/completions");
        let b = r.body.unwrap();
        assert_eq!(
            b["messages"][0],
            json!({"role": "system", "content": "Be terse."})
        );
        assert_eq!(b["messages"][1]["role"], "user");
        assert_eq!(b["response_format"]["type"], "json_schema");
        assert_eq!(b["response_format"]["json_schema"]["name"], "ceo");
        assert_eq!(b["response_format"]["json_schema"]["strict"], true);
        assert_eq!(b["max_completion_tokens"], 256);
        assert!(b.get("max_tokens").is_none());
        let mut p = params();
        p["max_tokens_field"] = json!("max_tokens");
        p.as_object_mut().unwrap().remove("temperature");
        let b = build_request(&p).unwrap().body.unwrap();
        assert_eq!(b["max_tokens"], 256);
        assert!(b.get("temperature").is_none());
    }

    // Shaped like the example in OpenAI's structured-outputs guide.
    const COMPLETION: &str = r#"{
      "id": "chatcmpl-9nYAG9LPNonX8DAyrkwYfemr3C8HC", "object": "chat.completion",
      "created": 1721596428, "model": "gpt-4o-2024-08-06",
      "choices": [{"index": 0, "message": {"role": "assistant",
         "content": "{\"ceo_name\":\"Dev Anand\"}", "refusal": null},
         "logprobs": null, "finish_reason": "stop"}],
      "usage": {"prompt_tokens": 81, "completion_tokens": 11, "total_tokens": 92},
      "system_fingerprint": "fp_3407719c7f"}"#;

    #[test]
    fn content_is_the_output() {
        let a = classify(200, None, COMPLETION).unwrap();
        assert_eq!(a["output"], json!({"ceo_name": "Dev Anand"}));
        assert_eq!(a["stop"], "stop");
        assert_eq!(a["usage"], json!({"input_tokens": 81, "output_tokens": 11}));
    }

    #[test]
    fn length_refusal_and_tool_calls() {
        let cut = r#"{"model":"m","choices":[{"index":0,"message":{"role":"assistant",
            "content":"{\"ceo_na"},"finish_reason":"length"}],
            "usage":{"prompt_tokens":5,"completion_tokens":4}}"#;
        let a = classify(200, None, cut).unwrap();
        assert_eq!(
            (a["truncated"].as_bool(), &a["output"]),
            (Some(true), &Value::Null)
        );
        let refused = r#"{"choices":[{"message":{"role":"assistant","content":null,
            "refusal":"I'm sorry, I cannot assist with that request."},"finish_reason":"stop"}]}"#;
        let a = classify(200, None, refused).unwrap();
        assert!(a["invalid"].as_str().unwrap().contains("cannot assist"));
        let tool = r#"{"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[
            {"id":"call_1","type":"function","function":{"name":"ceo","arguments":"{\"ceo_name\":null}"}}]},
            "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}"#;
        assert_eq!(
            classify(200, None, tool).unwrap()["output"],
            json!({"ceo_name": null})
        );
        assert_eq!(
            classify(200, None, r#"{"choices":[]}"#).unwrap_err().kind,
            ErrorKind::Permanent
        );
    }

    #[test]
    fn errors_are_classified() {
        let err = |t: &str, c: &str, m: &str| {
            json!({"error": {"message": m, "type": t, "param": null, "code": c}}).to_string()
        };
        let e = classify(
            401,
            None,
            &err(
                "invalid_request_error",
                "invalid_api_key",
                "Incorrect API key provided",
            ),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.message.contains("OPENAI_API_KEY"));
        let e = classify(
            429,
            Some("2"),
            &err("requests", "rate_limit_exceeded", "Rate limit reached"),
        )
        .unwrap_err();
        assert_eq!(
            (e.kind, e.retry_after),
            (ErrorKind::RateLimited, Some(Duration::from_secs(2)))
        );
        let e = classify(
            429,
            None,
            &err(
                "insufficient_quota",
                "insufficient_quota",
                "You exceeded your current quota",
            ),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.message.contains("quota"));
        let e = classify(
            503,
            Some("1"),
            &err("server_error", "", "The server is overloaded"),
        )
        .unwrap_err();
        assert_eq!(
            (e.kind, e.retry_after),
            (ErrorKind::Transient, Some(Duration::from_secs(1)))
        );
        let e = classify(
            400,
            None,
            &err(
                "invalid_request_error",
                "context_length_exceeded",
                "too long",
            ),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Permanent);
        // vLLM's flat error and llama.cpp's numeric code.
        let vllm = r#"{"object":"error","message":"model not found","type":"NotFoundError","param":null,"code":404}"#;
        assert!(
            classify(404, None, vllm)
                .unwrap_err()
                .message
                .contains("model not found")
        );
        let gateway = r#"{"error":{"message":"upstream timed out","code":504}}"#;
        assert_eq!(
            classify(200, None, gateway).unwrap_err().kind,
            ErrorKind::Transient
        );
    }
}
