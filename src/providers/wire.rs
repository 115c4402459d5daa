//! What every HTTP provider module shares: a plain request description, where a provider
//! wants its key, and the classification of HTTP failures common to all of them.
//!
//! Requests never hold the key: each provider says where it goes ([`KeyPlacement`]) and the
//! transport adds it at the last moment, so nothing else (cache, journal, inspector) can leak it.

use super::{CallError, ErrorKind};
use chrono::Utc;
use serde::Serialize;
use serde_json::Value;

/// Server messages quoted in errors are cut to this many bytes.
pub const MAX_MESSAGE: usize = 300;

/// HTTP method of a provider call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`: parameters in the query string.
    Get,
    /// `POST`: parameters in a JSON body (and sometimes the query string).
    Post,
}

/// One request to a provider, without its key and without its base URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HttpRequest {
    /// The HTTP method.
    pub method: Method,
    /// Path and query string, appended to the provider's base URL (e.g. `/v2/email-finder?domain=x`).
    pub path_and_query: String,
    /// Extra headers (never the key).
    pub headers: Vec<(String, String)>,
    /// JSON body, for `POST`.
    pub body: Option<Value>,
}

/// Where a provider expects its API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPlacement {
    /// In a header: `name: {prefix}{key}` (e.g. `authorization: Bearer sk-…`).
    Header {
        /// Header name, lower case.
        name: &'static str,
        /// Written before the key (`"Bearer "`, or empty).
        prefix: &'static str,
    },
    /// In a query-string parameter.
    Query {
        /// Parameter name.
        param: &'static str,
    },
}

/// The fixed facts about one provider's endpoint: where it lives and how it authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderWire {
    /// Human name used in error messages.
    pub name: &'static str,
    /// Base URL unless the environment or the config says otherwise.
    pub default_base_url: &'static str,
    /// Environment variable overriding the base URL (tests and `--demo` point it at loopback).
    pub base_url_env: &'static str,
    /// Environment variable holding the API key.
    pub api_key_env: &'static str,
    /// Where the key goes on each request.
    pub key: KeyPlacement,
}

impl ProviderWire {
    /// The base URL from the environment when set and not blank, else the default; no trailing `/`.
    pub fn base_url_from_env(&self) -> String {
        std::env::var(self.base_url_env)
            .ok()
            .map(|v| v.trim().trim_end_matches('/').to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| self.default_base_url.to_string())
    }
}

/// `path?k=v&…` with form encoding, skipping blank values; just `path` when nothing is left.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (k, v) in pairs {
        let v = v.trim();
        if !v.is_empty() {
            query.append_pair(k, v);
            any = true;
        }
    }
    if any {
        format!("{path}?{}", query.finish())
    } else {
        path.to_string()
    }
}

/// A text parameter from a JSON object: trimmed, `None` when absent, not a string, or blank.
pub fn text<'a>(params: &'a Value, key: &str) -> Option<&'a str> {
    params
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A request that cannot be built from its parameters: the integration's mistake, never retried.
pub fn bad_params(provider: &str, what: &str) -> CallError {
    CallError::new(
        ErrorKind::Permanent,
        format!("invalid {provider} request: {what}"),
    )
}

/// The usual meaning of an HTTP error status, for providers without a special case:
/// 401/403 refused key, 429 rate limit, 408/5xx (and 529) transient, anything else permanent.
/// `detail` is the server's own message, quoted after the summary.
pub fn status_error(
    status: u16,
    retry_after: Option<&str>,
    detail: Option<&str>,
    wire: &ProviderWire,
) -> CallError {
    let detail = detail
        .map(|d| format!(": {}", cut(d, MAX_MESSAGE)))
        .unwrap_or_default();
    let (kind, summary) = match status {
        401 | 403 => (
            ErrorKind::Auth,
            format!(
                "{} refused the key (HTTP {status}){detail}; check {}",
                wire.name, wire.api_key_env
            ),
        ),
        429 => (
            ErrorKind::RateLimited,
            format!("{} rate limit (HTTP 429){detail}", wire.name),
        ),
        408 | 500..=599 => (
            ErrorKind::Transient,
            format!("{} server error (HTTP {status}){detail}", wire.name),
        ),
        _ => (
            ErrorKind::Permanent,
            format!("{} rejected the request (HTTP {status}){detail}", wire.name),
        ),
    };
    failure(kind, summary, status, retry_after)
}

/// A classified failure carrying the HTTP status and the server's `Retry-After`, when it sent one.
pub fn failure(
    kind: ErrorKind,
    message: String,
    status: u16,
    retry_after: Option<&str>,
) -> CallError {
    CallError {
        kind,
        message,
        status: Some(status),
        retry_after: retry_after.and_then(|v| parse_retry_after(v, Utc::now())),
    }
}

/// A 2xx body that is not JSON (a proxy's HTML page, a cut connection): worth another try.
pub fn not_json(wire: &ProviderWire, status: u16, body: &str) -> CallError {
    failure(
        ErrorKind::Transient,
        format!(
            "{} answered with something that is not JSON: {}",
            wire.name,
            snippet(body)
        ),
        status,
        None,
    )
}

/// A 2xx JSON body missing what the protocol promises: retrying will not change it.
pub fn unexpected(wire: &ProviderWire, status: u16, what: &str) -> CallError {
    failure(
        ErrorKind::Permanent,
        format!("unexpected {} answer: {what}", wire.name),
        status,
        None,
    )
}

/// `Retry-After`, parsed safely for every provider (absurd values are capped, never a panic).
pub use super::datagen::parse_retry_after;

/// The start of a body on one line, for error messages (escape sequences removed).
pub fn snippet(body: &str) -> String {
    let flat: String = crate::sanitize::server_message(body)
        .trim()
        .chars()
        .take(120)
        .collect();
    if flat.is_empty() {
        "(empty body)".to_string()
    } else {
        flat
    }
}

/// Cuts `text` to at most `max` bytes on a character boundary, marking the cut.
pub use super::datagen::truncate as cut;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::time::Duration;

    const WIRE: ProviderWire = ProviderWire {
        name: "Test",
        default_base_url: "https://api.test.example",
        base_url_env: "LEADGRID_TEST_WIRE_BASE_URL_UNSET",
        api_key_env: "TEST_API_KEY",
        key: KeyPlacement::Query { param: "api_key" },
    };

    #[test]
    fn every_provider_survives_absurd_retry_after() {
        for classify in [
            super::super::anthropic::classify,
            super::super::openai::classify,
            super::super::apollo::classify,
            super::super::hunter::classify,
        ] {
            for wait in ["1e30", "99999999999999999999", "-5", "NaN"] {
                let e = classify(429, Some(wait), "{}").expect_err("429");
                assert!(
                    e.retry_after
                        .is_none_or(|d| d <= super::super::datagen::MAX_SERVER_WAIT)
                );
            }
        }
    }

    #[test]
    fn query_is_encoded_and_blank_values_dropped() {
        assert_eq!(
            with_query(
                "/v2/x",
                &[
                    ("domain", "a.example"),
                    ("first_name", "Élin Ø"),
                    ("x", " ")
                ]
            ),
            "/v2/x?domain=a.example&first_name=%C3%89lin+%C3%98"
        );
        assert_eq!(with_query("/v2/x", &[("x", "")]), "/v2/x");
    }

    #[test]
    fn statuses_map_to_kinds() {
        let kind = |s| status_error(s, None, None, &WIRE).kind;
        assert_eq!(kind(401), ErrorKind::Auth);
        assert_eq!(kind(403), ErrorKind::Auth);
        assert_eq!(kind(429), ErrorKind::RateLimited);
        assert_eq!(kind(500), ErrorKind::Transient);
        assert_eq!(kind(529), ErrorKind::Transient);
        assert_eq!(kind(408), ErrorKind::Transient);
        assert_eq!(kind(400), ErrorKind::Permanent);
        assert_eq!(kind(404), ErrorKind::Permanent);
        let e = status_error(401, None, Some("bad key"), &WIRE);
        assert!(e.message.contains("TEST_API_KEY") && e.message.contains("bad key"));
        assert_eq!(e.status, Some(401));
    }

    #[test]
    fn retry_after_is_kept_on_any_status() {
        let e = status_error(529, Some("1"), None, &WIRE);
        assert_eq!(e.retry_after, Some(Duration::from_secs(1)));
        let now = Utc.with_ymd_and_hms(2026, 1, 8, 7, 28, 0).unwrap();
        assert_eq!(
            parse_retry_after("Thu, 08 Jan 2026 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn long_details_are_cut() {
        let long = "x".repeat(5000);
        assert!(status_error(400, None, Some(&long), &WIRE).message.len() < 400);
        assert_eq!(cut("aé", 2), "a…");
    }

    #[test]
    fn default_base_url_without_env() {
        assert_eq!(WIRE.base_url_from_env(), "https://api.test.example");
    }
}
