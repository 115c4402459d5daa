//! What every demo route does before it answers: count the request for its provider, check the
//! key where that provider expects it, wait while held, wait the configured latency, hang, or
//! inject a fault, each refusal and fault in that provider's own shape.

use super::Shared;
use super::faults::Fault;
use super::stats::InFlight;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// How one emulated provider authenticates and fails.
pub trait Protocol: Sync {
    /// Stable lower-case provider name, as counted in [`super::DemoStats::by_provider`].
    fn name(&self) -> &'static str;

    /// The key the request carries where this provider looks for it.
    fn sent_key(&self, headers: &HeaderMap, query: Option<&str>) -> Option<String>;

    /// This provider's answer to a missing or wrong key.
    fn unauthorized(&self) -> Response;

    /// This provider's version of an injected fault, and the kind it is counted under.
    fn fault(&self, fault: Fault) -> (&'static str, Response);
}

/// A header's value as text.
pub fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A query-string parameter, decoded.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Counts the request and runs the checks every route shares. `Err` is the response to send
/// instead of the real answer; `Ok` keeps the request counted as in flight until dropped.
pub async fn admit<'s>(
    s: &'s Shared,
    protocol: &dyn Protocol,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<InFlight<'s>, Response> {
    let request = s.stats.enter(protocol.name());
    if let Some(key) = &s.opts.required_key
        && protocol.sent_key(headers, query).as_deref() != Some(key.as_str())
    {
        s.stats.unauthorized();
        return Err(protocol.unauthorized());
    }
    if let Some(hold) = &s.opts.hold {
        tokio::select! {
            () = hold.passed() => {}
            () = s.stopped() => return Err(unavailable()),
        }
    }
    let delay = s.delay(request.number);
    if !delay.is_zero() {
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = s.stopped() => return Err(unavailable()),
        }
    }
    if s.opts.hang {
        s.stopped().await;
        return Err(unavailable());
    }
    if let Some(fault) = Fault::choose(s.opts.seed, request.number, s.opts.fault_rate) {
        let (kind, response) = protocol.fault(fault);
        s.stats.fault(kind);
        return Err(response);
    }
    Ok(request)
}

/// What requests still open get when the server shuts down.
fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(json!({"detail": "demo server shutting down"})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_from_headers_and_queries() {
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", "k1".parse().unwrap());
        assert_eq!(header(&headers, "X-API-KEY").as_deref(), Some("k1"));
        assert_eq!(
            query_param(Some("domain=a.example&api_key=s%20k"), "api_key").as_deref(),
            Some("s k")
        );
        assert_eq!(query_param(None, "api_key"), None);
    }
}
