//! A user-defined HTTP provider (the `http` integration kind): the request is described whole
//! by the call's parameters, so it is cached, shared and journaled like any other call, and the
//! secrets it needs are named, never written: `{{env.NAME}}` in a header value is replaced by
//! that environment variable when the request is sent, and only then. Pure functions; the
//! router sends.
//!
//! `{{env.NAME}}` may also stand in a URL (URL-encoded: a key passed as a query parameter) or
//! in a body's text. `LEADGRID_<PROVIDER>_BASE_URL` ([`base_url_env`]) sends a provider's calls
//! to another origin, keeping path and query: how tests point `https://api.example.com` at a
//! loopback server without changing the file (the cache still knows the request by its real URL).
//!
//! Parameters (the tool is the integration's name):
//! ```json
//! {"method": "GET", "url": "https://api.example.com/v1/companies?domain=acme.example",
//!  "headers": {"Authorization": "Bearer {{env.EXAMPLE_API_KEY}}"},
//!  "body": {…}, "no_data_status": [404]}
//! ```
//! `method` is `GET` (default) or `POST` (with `body`); `no_data_status` lists the statuses
//! that mean "nothing for this input". A 2xx answer must be JSON and is returned as it is.

use super::wire::{self, Method, failure};
use super::{CallError, ErrorKind};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// Bytes a value keeps as they are in a URL: RFC 3986's unreserved characters.
pub const URL_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The environment variable that sends `provider`'s calls to another base URL:
/// `LEADGRID_EXAMPLE_BASE_URL` for `example` (`-` becomes `_`).
pub fn base_url_env(provider: &str) -> String {
    format!(
        "LEADGRID_{}_BASE_URL",
        provider.to_ascii_uppercase().replace('-', "_")
    )
}

/// A request ready to send, with the secrets it carries (to scrub from the answer).
#[derive(Clone, PartialEq)]
pub struct Prepared {
    /// The HTTP method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Headers, environment variables filled in.
    pub headers: Vec<(String, String)>,
    /// JSON body, for `POST`.
    pub body: Option<Value>,
    /// The values read from the environment.
    pub secrets: Vec<String>,
    /// Statuses meaning "no data".
    pub no_data_status: Vec<u16>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("secrets", &self.secrets.len())
            .finish_non_exhaustive()
    }
}

/// Builds the request of `provider` from `params`, reading `{{env.NAME}}` with `env`.
pub fn prepare(
    provider: &str,
    params: &Value,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Prepared, CallError> {
    let bad = |what: &str| wire::bad_params(provider, what);
    let method = match wire::text(params, "method")
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("GET") => Method::Get,
        Some("POST") => Method::Post,
        Some(other) => return Err(bad(&format!("method must be GET or POST, not {other}"))),
    };
    let url = wire::text(params, "url").ok_or_else(|| bad("url is required"))?;
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => return Err(bad(&format!("url must be an absolute http(s) URL: {url}"))),
    }
    let mut secrets = Vec::new();
    let url = expand_env(url, &env, &mut secrets, |v| {
        utf8_percent_encode(v, URL_COMPONENT).to_string()
    })?;
    let url = match env(&base_url_env(provider)).filter(|b| !b.trim().is_empty()) {
        Some(base) => rebase(&url, base.trim()).map_err(|e| bad(&e))?,
        None => url,
    };
    let mut headers = Vec::new();
    if let Some(map) = params.get("headers").and_then(Value::as_object) {
        for (name, value) in map {
            let value = value
                .as_str()
                .ok_or_else(|| bad(&format!("header {name} must be text")))?;
            headers.push((
                name.clone(),
                expand_env(value, &env, &mut secrets, str::to_string)?,
            ));
        }
    }
    let body = match params.get("body") {
        Some(body) if method == Method::Post => Some(expand_body(body, &env, &mut secrets)?),
        _ => None,
    };
    let no_data_status = params
        .get("no_data_status")
        .and_then(Value::as_array)
        .map(|codes| {
            codes
                .iter()
                .filter_map(|c| c.as_u64().and_then(|c| u16::try_from(c).ok()))
                .collect()
        })
        .unwrap_or_default();
    Ok(Prepared {
        method,
        url,
        headers,
        body,
        secrets,
        no_data_status,
    })
}

/// `url`'s path and query on `base`'s origin (and under its path, if it has one).
fn rebase(url: &str, base: &str) -> Result<String, String> {
    let base_url = url::Url::parse(base)
        .ok()
        .filter(|b| matches!(b.scheme(), "http" | "https"))
        .ok_or_else(|| format!("the base URL override is not an absolute http(s) URL: {base}"))?;
    let original = url::Url::parse(url).map_err(|e| format!("url {url}: {e}"))?;
    let mut out = format!(
        "{}{}",
        base_url.as_str().trim_end_matches('/'),
        original.path()
    );
    if let Some(query) = original.query() {
        out.push('?');
        out.push_str(query);
    }
    Ok(out)
}

/// `body` with `{{env.NAME}}` filled in each of its texts.
fn expand_body(
    body: &Value,
    env: &impl Fn(&str) -> Option<String>,
    secrets: &mut Vec<String>,
) -> Result<Value, CallError> {
    Ok(match body {
        Value::String(s) => Value::String(expand_env(s, env, secrets, str::to_string)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| expand_body(v, env, secrets))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), expand_body(v, env, secrets)?)))
                .collect::<Result<_, CallError>>()?,
        ),
        other => other.clone(),
    })
}

/// `value` with each `{{env.NAME}}` replaced by the variable, escaped by `escape`; a variable
/// that is not set is a refused key, named.
fn expand_env(
    value: &str,
    env: &impl Fn(&str) -> Option<String>,
    secrets: &mut Vec<String>,
    escape: impl Fn(&str) -> String,
) -> Result<String, CallError> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("{{env.") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let name = rest[start + "{{env.".len()..start + len].trim();
        let found = env(name).filter(|v| !v.trim().is_empty()).ok_or_else(|| {
            CallError::new(
                ErrorKind::Auth,
                format!("{name} is not set: set it to call this provider"),
            )
        })?;
        out.push_str(&rest[..start]);
        out.push_str(&escape(found.trim()));
        secrets.push(found.trim().to_string());
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Classifies an answer of `provider`: the JSON on success, "no data" for the statuses the
/// integration names, and the usual meaning of other statuses.
pub fn classify(
    provider: &str,
    no_data_status: &[u16],
    status: u16,
    retry_after: Option<&str>,
    body: &str,
) -> Result<Value, CallError> {
    if no_data_status.contains(&status) {
        return Err(failure(
            ErrorKind::NoData,
            format!("{provider} has nothing for this (HTTP {status})"),
            status,
            None,
        ));
    }
    if !(200..300).contains(&status) {
        let detail = if body.trim().is_empty() {
            String::new()
        } else {
            format!(": {}", wire::snippet(body))
        };
        let (kind, summary) = match status {
            401 | 403 => (
                ErrorKind::Auth,
                format!("{provider} refused the key (HTTP {status})"),
            ),
            429 => (
                ErrorKind::RateLimited,
                format!("{provider} rate limit (HTTP 429)"),
            ),
            408 | 500..=599 => (
                ErrorKind::Transient,
                format!("{provider} server error (HTTP {status})"),
            ),
            _ => (
                ErrorKind::Permanent,
                format!("{provider} rejected the request (HTTP {status})"),
            ),
        };
        return Err(failure(
            kind,
            format!("{summary}{detail}"),
            status,
            retry_after,
        ));
    }
    serde_json::from_str(body).map_err(|_| {
        failure(
            ErrorKind::Transient,
            format!(
                "{provider} answered with something that is not JSON: {}",
                wire::snippet(body)
            ),
            status,
            None,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(name: &str) -> Option<String> {
        (name == "EXAMPLE_API_KEY").then(|| "sk-example-0123456789".to_string())
    }

    #[test]
    fn secrets_are_read_from_the_environment_when_sent_only() {
        let params = json!({"url": "https://api.example.com/v1/companies?domain=acme.example",
                            "headers": {"Authorization": "Bearer {{env.EXAMPLE_API_KEY}}", "X-Plain": "1"},
                            "no_data_status": [404]});
        let p = prepare("example", &params, env).unwrap();
        assert_eq!(p.method, Method::Get);
        assert!(p.headers.contains(&(
            "Authorization".into(),
            "Bearer sk-example-0123456789".into()
        )));
        assert_eq!(p.secrets, ["sk-example-0123456789"]);
        assert_eq!(p.no_data_status, [404]);
        assert!(p.body.is_none());
        assert!(
            !format!("{p:?}").contains("sk-example"),
            "Debug never shows secrets"
        );
        assert!(
            !params.to_string().contains("sk-example"),
            "the parameters never hold it"
        );
        let e = prepare("example", &params, |_| None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.message.contains("EXAMPLE_API_KEY is not set"));
    }

    #[test]
    fn secrets_in_a_url_or_body_are_filled_when_sent_and_a_base_override_keeps_path_and_query() {
        let env = |name: &str| match name {
            "KEY" => Some("a b/c".to_string()),
            "LEADGRID_MY_API_BASE_URL" => Some("http://127.0.0.1:9/prefix/".to_string()),
            _ => None,
        };
        let params = json!({"method": "POST",
                            "url": "https://api.example.com/v1/find?d=acme&k={{env.KEY}}",
                            "body": {"auth": {"key": "{{env.KEY}}"}, "n": 3}});
        let p = prepare("my-api", &params, env).unwrap();
        assert_eq!(
            p.url,
            "http://127.0.0.1:9/prefix/v1/find?d=acme&k=a%20b%2Fc"
        );
        assert_eq!(p.body, Some(json!({"auth": {"key": "a b/c"}, "n": 3})));
        assert_eq!(p.secrets, ["a b/c", "a b/c"]);
        assert_eq!(base_url_env("my-api"), "LEADGRID_MY_API_BASE_URL");
        let bad_base = |name: &str| (name == "LEADGRID_X_BASE_URL").then(|| "nowhere".to_string());
        let e = prepare("x", &json!({"url": "https://a.example/v1"}), bad_base).unwrap_err();
        assert!(
            e.message.contains("not an absolute http(s) URL"),
            "{}",
            e.message
        );
    }

    #[test]
    fn bad_requests_are_refused_before_sending() {
        for params in [
            json!({}),
            json!({"url": "ftp://x.example"}),
            json!({"url": "https://x.example", "method": "DELETE"}),
            json!({"url": "https://x.example", "headers": {"a": 1}}),
        ] {
            assert_eq!(
                prepare("example", &params, env).unwrap_err().kind,
                ErrorKind::Permanent,
                "{params}"
            );
        }
        let post = prepare(
            "example",
            &json!({"url": "https://x.example", "method": "post", "body": {"a": 1}}),
            env,
        )
        .unwrap();
        assert_eq!(post.body, Some(json!({"a": 1})));
    }

    #[test]
    fn answers_are_classified() {
        let ok = classify(
            "example",
            &[404],
            200,
            None,
            r#"{"company": {"employees": 12}}"#,
        );
        assert_eq!(ok.unwrap()["company"]["employees"], 12);
        let kind =
            |status, body: &str| classify("example", &[404], status, Some("3"), body).unwrap_err();
        assert_eq!(kind(404, "").kind, ErrorKind::NoData);
        assert_eq!(kind(401, "").kind, ErrorKind::Auth);
        let limited = kind(429, "slow down");
        assert_eq!(limited.kind, ErrorKind::RateLimited);
        assert_eq!(limited.retry_after, Some(std::time::Duration::from_secs(3)));
        assert_eq!(kind(503, "").kind, ErrorKind::Transient);
        assert_eq!(kind(400, "bad").kind, ErrorKind::Permanent);
        let not_json = kind(200, "<html>");
        assert_eq!(not_json.kind, ErrorKind::Transient);
        assert!(
            not_json.message.starts_with("example answered"),
            "{}",
            not_json.message
        );
    }
}
