//! The one HTTP client every provider uses, hardened against hostile servers.
//!
//! A provider's server is not trusted with more than its own answers:
//! - a redirect to any other origin (another host, port or scheme, so also an
//!   https → http downgrade) is refused, so the key header never reaches it;
//! - no `Referer` is sent;
//! - a body is read in chunks up to a cap, so a huge or endless answer costs a bounded
//!   amount of memory and fails the call with a clear message;
//! - the key, if the server echoes it anywhere in a body, is replaced before anything
//!   else (classification, cache, journal, CSV) sees the text.

use crate::providers::{CallError, ErrorKind};
use std::time::Duration;

/// Redirects followed within one origin before giving up.
const MAX_SAME_ORIGIN_REDIRECTS: usize = 5;

/// Settings shared by every provider's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    /// Bound on one request, body included.
    pub timeout: Duration,
    /// Largest response body accepted, in bytes.
    pub max_body_bytes: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(30),
            max_body_bytes: 8 * 1024 * 1024,
        }
    }
}

/// A response read whole (within the cap): status, `Retry-After`, body as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// The raw `Retry-After` header, when sent.
    pub retry_after: Option<String>,
    /// The body, lossily decoded as UTF-8, with the key scrubbed.
    pub body: String,
}

/// Why a redirect was not followed; found again in reqwest's error chain.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct RedirectRefused(String);

/// A pooled keep-alive client with the hardening above. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    settings: HttpSettings,
}

impl HttpClient {
    /// Builds the client; must run inside a tokio runtime context (reqwest's pool timers).
    pub fn new(settings: HttpSettings) -> Result<HttpClient, CallError> {
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .referer(false)
            .redirect(reqwest::redirect::Policy::custom(same_origin_only))
            .user_agent(concat!("leadgrid/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                CallError::new(
                    ErrorKind::Permanent,
                    format!("cannot build HTTP client: {e}"),
                )
            })?;
        Ok(HttpClient { client, settings })
    }

    /// The underlying client, to build requests with.
    pub fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// The settings it was built with.
    pub fn settings(&self) -> HttpSettings {
        self.settings
    }

    /// Sends `request` and reads the answer within the body cap. `secret` (the key the
    /// request carries) is scrubbed from the body. Errors are classified transport failures.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
        secret: Option<&str>,
    ) -> Result<HttpResponse, HttpFailure> {
        let mut response = request
            .send()
            .await
            .map_err(|e| HttpFailure::new(self.transport_error(&e), None))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let cap = self.settings.max_body_bytes;
        if response
            .content_length()
            .is_some_and(|n| n > u64::try_from(cap).unwrap_or(u64::MAX))
        {
            return Err(HttpFailure::new(too_large(cap), Some(status)));
        }
        let mut bytes: Vec<u8> = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > cap {
                        return Err(HttpFailure::new(too_large(cap), Some(status)));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(HttpFailure::new(self.transport_error(&e), Some(status)));
                }
            }
        }
        let body = scrub(String::from_utf8_lossy(&bytes).into_owned(), secret);
        Ok(HttpResponse {
            status,
            retry_after,
            body,
        })
    }

    fn transport_error(&self, e: &reqwest::Error) -> CallError {
        if e.is_redirect() {
            let why = refused_redirect(e).unwrap_or_else(|| "too many redirects".to_owned());
            return CallError::new(ErrorKind::Permanent, why);
        }
        let what = if e.is_timeout() {
            format!(
                "timed out after {:.1}s",
                self.settings.timeout.as_secs_f64()
            )
        } else if e.is_connect() {
            let host = e
                .url()
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_else(|| "the server".to_owned());
            format!("could not connect to {host}")
        } else if e.is_body() || e.is_decode() {
            "connection dropped while reading the response".to_string()
        } else if e.is_builder() {
            return CallError::new(ErrorKind::Permanent, format!("invalid request: {e}"));
        } else {
            "connection failed or was reset".to_string()
        };
        CallError::new(ErrorKind::Transient, what)
    }
}

/// A request that got no usable answer: why, and the status if one arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpFailure {
    /// The classified failure.
    pub error: CallError,
    /// The status of the response, when headers arrived before the failure.
    pub status: Option<u16>,
}

impl HttpFailure {
    fn new(mut error: CallError, status: Option<u16>) -> HttpFailure {
        error.status = status;
        HttpFailure { error, status }
    }
}

fn too_large(cap: usize) -> CallError {
    CallError::new(
        ErrorKind::Permanent,
        format!("response larger than {} (not read)", human_size(cap)),
    )
}

/// `8 MB`, `512 KB`: the cap as the user configured it.
fn human_size(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// The redirect policy: follow only within the origin of the first request.
fn same_origin_only(attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
    let Some(first) = attempt.previous().first() else {
        return attempt.stop();
    };
    let next = attempt.url();
    if next.origin() != first.origin() {
        let why = if first.scheme() == "https" && next.scheme() == "http" {
            format!(
                "redirected from https to plain http ({}); not followed",
                next.origin().ascii_serialization()
            )
        } else {
            format!(
                "redirected to another host: {}; not followed (the key is only sent to {})",
                next.origin().ascii_serialization(),
                first.origin().ascii_serialization()
            )
        };
        return attempt.error(RedirectRefused(why));
    }
    if attempt.previous().len() > MAX_SAME_ORIGIN_REDIRECTS {
        return attempt.error(RedirectRefused(format!(
            "more than {MAX_SAME_ORIGIN_REDIRECTS} redirects"
        )));
    }
    attempt.follow()
}

fn refused_redirect(e: &reqwest::Error) -> Option<String> {
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(refused) = err.downcast_ref::<RedirectRefused>() {
            return Some(refused.0.clone());
        }
        source = err.source();
    }
    None
}

/// Keys shorter than this are not scrubbed: real API keys are far longer, and a placeholder
/// (`OPENAI_API_KEY=ollama` for a local server, `x`) would otherwise mangle every answer
/// that happens to contain it.
const MIN_SCRUBBED_KEY: usize = 12;

/// Replaces every occurrence of `secret` in `text` with `***`.
pub fn scrub(text: String, secret: Option<&str>) -> String {
    match secret {
        Some(s) if s.len() >= MIN_SCRUBBED_KEY && text.contains(s) => text.replace(s, "***"),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_replaces_every_copy() {
        assert_eq!(
            scrub(
                "a sk-0123456789 b sk-0123456789".into(),
                Some("sk-0123456789")
            ),
            "a *** b ***"
        );
        assert_eq!(scrub("abc".into(), Some("")), "abc");
        assert_eq!(scrub("abc".into(), None), "abc");
        // A placeholder key for a local server never mangles answers.
        assert_eq!(
            scrub("{\"model\": \"ollama\"}".into(), Some("ollama")),
            "{\"model\": \"ollama\"}"
        );
    }

    #[test]
    fn sizes_read_as_configured() {
        assert_eq!(human_size(8 * 1024 * 1024), "8 MB");
        assert_eq!(human_size(1536 * 1024), "1.5 MB");
        assert_eq!(human_size(1000), "1 KB");
    }
}
