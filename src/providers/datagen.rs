//! DataGen tool-execution API client: one attempt per call, every outcome classified.
//!
//! Retries, rate limits and caching live in the engine; this module only knows the
//! wire protocol (see `docs/DATAGEN.md`) and how to read each kind of answer.

use crate::providers::http::{HttpClient, HttpSettings};
use crate::providers::transport::AttemptOutcome;
use crate::providers::{Attempt, CallError, ErrorKind};
use crate::sanitize::server_message;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where DataGen lives unless `DATAGEN_BASE_URL` or the config says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.datagen.dev";

/// Environment variable overriding the base URL (tests and `--demo` point it at a loopback server).
pub const BASE_URL_ENV: &str = "DATAGEN_BASE_URL";

/// `DATAGEN_BASE_URL` when set and not blank, else [`DEFAULT_BASE_URL`].
pub fn base_url_from_env() -> String {
    std::env::var(BASE_URL_ENV)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_string())
}

/// Environment variable holding the API key.
pub const API_KEY_ENV: &str = "DATAGEN_API_KEY";

/// The path every tool call is posted to.
pub const EXECUTE_PATH: &str = "/api/tools/execute";

/// Raw bodies kept for the inspector are cut to this many bytes.
pub const MAX_RAW_BODY: usize = 64 * 1024;

/// Server messages quoted in errors are cut to this many bytes.
const MAX_MESSAGE: usize = 300;

/// A DataGen API key. It prints as `***` so it cannot leak through logs or errors.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; blank keys are rejected so "set but empty" means "no key".
    pub fn new(key: impl Into<String>) -> Option<Self> {
        let key = key.into().trim().to_string();
        (!key.is_empty()).then_some(ApiKey(key))
    }

    /// Reads the key from `DATAGEN_API_KEY`, if set and not blank.
    pub fn from_env() -> Option<Self> {
        std::env::var(API_KEY_ENV).ok().and_then(Self::new)
    }

    /// The secret itself, for the request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

struct Inner {
    http: HttpClient,
    base_url: String,
    endpoint: String,
    key: Option<ApiKey>,
}

/// A DataGen client. Cheap to clone: every clone shares one pooled keep-alive HTTP client.
#[derive(Clone)]
pub struct DatagenClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for DatagenClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatagenClient")
            .field("base_url", &self.inner.base_url)
            .field("key", &self.inner.key)
            .field("http", &self.inner.http.settings())
            .finish()
    }
}

/// Checks a provider's base URL: absolute http(s), no trailing slash. `what` names it in errors.
pub fn checked_base_url(base_url: &str, what: &str) -> Result<String, CallError> {
    let base_url = base_url.trim().trim_end_matches('/').to_string();
    let parsed = url::Url::parse(&base_url).map_err(|e| {
        CallError::new(
            ErrorKind::Permanent,
            format!("invalid {what} base URL {base_url:?}: {e}"),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(CallError::new(
            ErrorKind::Permanent,
            format!("{what} base URL must be http or https, got {base_url:?}"),
        ));
    }
    Ok(base_url)
}

impl DatagenClient {
    /// Builds a client for `base_url` (no trailing path) with a per-request `timeout`
    /// and the default body cap; must run inside a tokio runtime context.
    pub fn new(base_url: &str, key: Option<ApiKey>, timeout: Duration) -> Result<Self, CallError> {
        let settings = HttpSettings {
            timeout,
            ..HttpSettings::default()
        };
        DatagenClient::with_http(base_url, key, HttpClient::new(settings)?)
    }

    /// Builds a client for `base_url` on a shared HTTP client.
    pub fn with_http(
        base_url: &str,
        key: Option<ApiKey>,
        http: HttpClient,
    ) -> Result<Self, CallError> {
        let base_url = checked_base_url(base_url, "DataGen")?;
        let endpoint = format!("{base_url}{EXECUTE_PATH}");
        Ok(DatagenClient {
            inner: Arc::new(Inner {
                http,
                base_url,
                endpoint,
                key,
            }),
        })
    }

    /// The base URL calls go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Whether a key was configured.
    pub fn has_key(&self) -> bool {
        self.inner.key.is_some()
    }

    /// One attempt, no retries: POST {base}/api/tools/execute with X-API-Key, body {"tool_alias_name", "parameters"}.
    pub async fn execute_once(&self, tool: &str, params: &Value) -> AttemptOutcome {
        let started_at = Utc::now();
        let clock = Instant::now();
        let body = serde_json::json!({ "tool_alias_name": tool, "parameters": params });
        let mut request = self
            .inner
            .http
            .request(reqwest::Method::POST, &self.inner.endpoint)
            .json(&body);
        let secret = self.inner.key.as_ref().map(ApiKey::expose);
        if let Some(key) = secret {
            request = request.header("X-API-Key", key);
        }
        let (result, status, raw_body) = match self.inner.http.send(request, secret).await {
            Err(failure) => (Err(failure.error), failure.status, None),
            Ok(response) => {
                let result = classify(
                    response.status,
                    response.retry_after.as_deref(),
                    &response.body,
                );
                (
                    result,
                    Some(response.status),
                    Some(truncate(&response.body, MAX_RAW_BODY)),
                )
            }
        };
        let attempt = Attempt {
            started_at,
            duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
            status,
            outcome: match &result {
                Ok(_) => "ok".to_string(),
                Err(e) => e.message.clone(),
            },
        };
        AttemptOutcome {
            result,
            status,
            raw_body,
            attempt,
        }
    }
}

/// Pure classification of a response: `data.result` on success, otherwise a classified error.
pub fn classify(status: u16, retry_after: Option<&str>, body: &str) -> Result<Value, CallError> {
    classify_at(status, retry_after, body, Utc::now())
}

/// [`classify`] with an explicit clock, so HTTP-date `Retry-After` values are testable.
pub fn classify_at(
    status: u16,
    retry_after: Option<&str>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<Value, CallError> {
    let with_status = |kind: ErrorKind, message: String| CallError {
        kind,
        message,
        status: Some(status),
        retry_after: None,
    };
    if !(200..300).contains(&status) {
        let detail = body_message(body)
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        return Err(match status {
            401 | 403 => with_status(
                ErrorKind::Auth,
                format!(
                    "authentication failed (HTTP {status}){detail}; check DATAGEN_API_KEY and that the tool's server is connected in DataGen"
                ),
            ),
            429 => CallError {
                retry_after: retry_after.and_then(|v| parse_retry_after(v, now)),
                ..with_status(
                    ErrorKind::RateLimited,
                    format!("rate limited (HTTP 429){detail}"),
                )
            },
            408 | 500..=599 => with_status(
                ErrorKind::Transient,
                format!("server error (HTTP {status}){detail}"),
            ),
            _ => with_status(
                ErrorKind::Permanent,
                format!("request rejected (HTTP {status}){detail}"),
            ),
        });
    }
    let json: Value = serde_json::from_str(body).map_err(|_| {
        with_status(
            ErrorKind::Transient,
            format!("response is not JSON: {}", snippet(body)),
        )
    })?;
    let Some(top) = json.as_object() else {
        return Err(with_status(
            ErrorKind::Permanent,
            format!("response is not a JSON object: {}", snippet(body)),
        ));
    };
    if top.get("success").and_then(Value::as_bool) != Some(true) {
        let message = message_of(&json).unwrap_or_else(|| "no message".to_string());
        return Err(with_status(
            ErrorKind::Transient,
            format!("DataGen reported a failure: {message}"),
        ));
    }
    let Some(data) = top.get("data").and_then(Value::as_object) else {
        return Err(with_status(
            ErrorKind::Permanent,
            "response has no data object".to_string(),
        ));
    };
    match data.get("success").and_then(Value::as_bool) {
        Some(true) | None if data.contains_key("result") => {
            Ok(data.get("result").cloned().unwrap_or(Value::Null))
        }
        Some(true) | None => Err(with_status(
            ErrorKind::Permanent,
            "response has no data.result".to_string(),
        )),
        Some(false) => {
            let message = message_of(&Value::Object(data.clone()))
                .unwrap_or_else(|| "tool failed without a message".to_string());
            Err(with_status(tool_error_kind(&message), message))
        }
    }
}

/// How a tool's own error message is to be treated.
fn tool_error_kind(message: &str) -> ErrorKind {
    let lower = message.to_ascii_lowercase();
    if lower.contains("resource not found") {
        return ErrorKind::NoData;
    }
    // "Tool execution failed with status 524": the upstream's HTTP status, classified like ours.
    match embedded_status(&lower) {
        Some(401 | 403) => ErrorKind::Auth,
        Some(429) => ErrorKind::RateLimited,
        Some(500..=599) => ErrorKind::Transient,
        _ => ErrorKind::Permanent,
    }
}

fn embedded_status(lower: &str) -> Option<u16> {
    let rest = &lower[lower.find("status")? + "status".len()..];
    let digits: String = rest
        .trim_start_matches([' ', ':', '='])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (digits.len() == 3).then(|| digits.parse().ok()).flatten()
}

/// The `error` or `message` of a JSON object, as text.
fn message_of(v: &Value) -> Option<String> {
    ["error", "message", "detail"]
        .iter()
        .find_map(|k| match v.get(k)? {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(truncate(server_message(s).trim(), MAX_MESSAGE)),
            other => message_of(other).or_else(|| Some(snippet(&other.to_string()))),
        })
}

/// A message worth quoting from an error body: its `error`/`message`, else its start.
fn body_message(body: &str) -> Option<String> {
    if body.trim().is_empty() {
        return None;
    }
    match serde_json::from_str::<Value>(body) {
        Ok(v) => message_of(&v).or_else(|| Some(snippet(body))),
        Err(_) => Some(snippet(body)),
    }
}

fn snippet(body: &str) -> String {
    let flat: String = server_message(body).trim().chars().take(120).collect();
    if flat.is_empty() {
        "(empty body)".to_string()
    } else {
        flat
    }
}

/// Longest wait read from a server's `Retry-After`; anything larger is read as this.
/// The engine clamps further (`max_retry_after`); this only keeps the arithmetic safe.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// `Retry-After` as delay-seconds or an HTTP-date; a date in the past means "now".
/// Never panics, whatever the server sends: absurd values are capped at [`MAX_SERVER_WAIT`].
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(MAX_SERVER_WAIT));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if !(secs.is_finite() && secs >= 0.0) {
            return None;
        }
        let capped = secs.min(MAX_SERVER_WAIT.as_secs_f64());
        return Some(Duration::try_from_secs_f64(capped).unwrap_or(MAX_SERVER_WAIT));
    }
    let when = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some(
        (when - now)
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(MAX_SERVER_WAIT),
    )
}

/// Cuts `text` to at most `max` bytes on a character boundary.
pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn kind(status: u16, body: &str) -> ErrorKind {
        classify(status, None, body).unwrap_err().kind
    }

    #[test]
    fn success_returns_data_result() {
        let body =
            r#"{"success":true,"data":{"success":true,"result":{"person":{"firstName":"Ada"}}}}"#;
        assert_eq!(
            classify(200, None, body).unwrap(),
            json!({"person": {"firstName": "Ada"}})
        );
    }

    #[test]
    fn result_without_inner_success_flag_is_accepted() {
        let body = r#"{"success":true,"data":{"result":[1,2]}}"#;
        assert_eq!(classify(200, None, body).unwrap(), json!([1, 2]));
    }

    #[test]
    fn resource_not_found_is_no_data() {
        let body = r#"{"success":true,"data":{"success":false,"error":"Resource not found"}}"#;
        let e = classify(200, None, body).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NoData);
        assert_eq!(e.message, "Resource not found");
        assert_eq!(e.status, Some(200));
    }

    #[test]
    fn upstream_524_in_body_is_transient() {
        let body = r#"{"success":true,"data":{"success":false,"error":"Tool execution failed with status 524"}}"#;
        assert_eq!(kind(200, body), ErrorKind::Transient);
    }

    #[test]
    fn upstream_statuses_in_body_are_classified_like_http() {
        let wrap = |msg: &str| {
            json!({"success": true, "data": {"success": false, "error": msg}}).to_string()
        };
        assert_eq!(
            kind(200, &wrap("Tool execution failed with status 429")),
            ErrorKind::RateLimited
        );
        assert_eq!(
            kind(200, &wrap("Tool execution failed with status 401")),
            ErrorKind::Auth
        );
        assert_eq!(
            kind(200, &wrap("Tool execution failed with status 400")),
            ErrorKind::Permanent
        );
    }

    #[test]
    fn other_tool_errors_are_permanent() {
        let body = r#"{"success":true,"data":{"success":false,"message":"Unknown tool: nope"}}"#;
        let e = classify(200, None, body).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Permanent);
        assert_eq!(e.message, "Unknown tool: nope");
    }

    #[test]
    fn service_level_failure_is_transient_with_message() {
        for body in [
            r#"{"success":false,"error":"backend busy"}"#,
            r#"{"success":false,"message":"backend busy"}"#,
        ] {
            let e = classify(200, None, body).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Transient);
            assert!(e.message.contains("backend busy"), "{}", e.message);
        }
    }

    #[test]
    fn malformed_bodies_are_classified() {
        assert_eq!(kind(200, "<html>bad gateway</html>"), ErrorKind::Transient);
        assert_eq!(kind(200, ""), ErrorKind::Transient);
        assert_eq!(kind(200, "[1,2,3]"), ErrorKind::Permanent);
        assert_eq!(
            kind(200, r#"{"success":true,"data":null}"#),
            ErrorKind::Permanent
        );
        assert_eq!(kind(200, r#"{"success":true}"#), ErrorKind::Permanent);
        assert_eq!(
            kind(200, r#"{"success":true,"data":{"success":true}}"#),
            ErrorKind::Permanent
        );
        assert_eq!(kind(200, r#"{"data":{}}"#), ErrorKind::Transient);
    }

    #[test]
    fn http_statuses_are_classified() {
        assert_eq!(
            kind(401, r#"{"detail":"Invalid API key"}"#),
            ErrorKind::Auth
        );
        assert_eq!(kind(403, ""), ErrorKind::Auth);
        assert_eq!(kind(429, ""), ErrorKind::RateLimited);
        assert_eq!(kind(500, "oops"), ErrorKind::Transient);
        assert_eq!(kind(502, ""), ErrorKind::Transient);
        assert_eq!(kind(524, ""), ErrorKind::Transient);
        assert_eq!(kind(408, ""), ErrorKind::Transient);
        assert_eq!(kind(400, r#"{"error":"bad params"}"#), ErrorKind::Permanent);
        assert_eq!(kind(404, ""), ErrorKind::Permanent);
    }

    #[test]
    fn auth_error_quotes_the_server_and_keeps_status() {
        let e = classify(401, None, r#"{"detail":"Invalid API key"}"#).unwrap_err();
        assert_eq!(e.status, Some(401));
        assert!(e.message.contains("Invalid API key"), "{}", e.message);
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = Utc.with_ymd_and_hms(2026, 1, 8, 7, 28, 0).unwrap();
        let e = classify_at(429, Some("7"), "", now).unwrap_err();
        assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
        let e = classify_at(429, Some("Thu, 08 Jan 2026 07:28:30 GMT"), "", now).unwrap_err();
        assert_eq!(e.retry_after, Some(Duration::from_secs(30)));
        let e = classify_at(429, Some("Thu, 08 Jan 2026 07:00:00 GMT"), "", now).unwrap_err();
        assert_eq!(e.retry_after, Some(Duration::ZERO));
        let e = classify_at(429, Some("soon"), "", now).unwrap_err();
        assert_eq!(e.retry_after, None);
        assert_eq!(
            classify_at(429, None, "", now).unwrap_err().retry_after,
            None
        );
    }

    #[test]
    fn absurd_retry_after_is_capped_not_a_panic() {
        let now = Utc.with_ymd_and_hms(2026, 1, 8, 7, 28, 0).unwrap();
        for value in [
            "1e30",
            "99999999999999999999",
            "18446744073709551615",
            "1.7976931348623157e308",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            assert_eq!(
                parse_retry_after(value, now),
                Some(MAX_SERVER_WAIT),
                "{value}"
            );
        }
        for value in ["-1", "NaN", "inf", "-inf", "1e-400x"] {
            assert_eq!(parse_retry_after(value, now), None, "{value}");
        }
    }

    #[test]
    fn api_key_never_prints() {
        let key = ApiKey::new("sk-secret").unwrap();
        assert_eq!(format!("{key} {key:?}"), "*** ***");
        assert!(ApiKey::new("  ").is_none());
        let client =
            DatagenClient::new("http://127.0.0.1:9", Some(key), Duration::from_secs(1)).unwrap();
        assert!(!format!("{client:?}").contains("sk-secret"));
    }

    #[test]
    fn base_url_is_validated_and_trimmed() {
        let c = DatagenClient::new("http://127.0.0.1:9/", None, Duration::from_secs(1)).unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:9");
        assert!(DatagenClient::new("not a url", None, Duration::from_secs(1)).is_err());
        assert!(DatagenClient::new("ftp://x", None, Duration::from_secs(1)).is_err());
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("aé", 2), "a…");
    }

    #[test]
    fn long_messages_are_cut() {
        let long = "x".repeat(5000);
        let body = json!({"success": true, "data": {"success": false, "error": long}}).to_string();
        assert!(classify(200, None, &body).unwrap_err().message.len() < 400);
    }
}
