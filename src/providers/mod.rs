//! Providers: the services integrations call. Each knows its wire protocol and
//! classifies every failure; retries, rate limits, caching and call sharing are
//! layered on top by the engine's [`crate::engine::caller`].

pub mod anthropic;
pub mod apollo;
pub mod datagen;
pub mod hunter;
pub mod llm;
pub mod openai;
pub mod wire;

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Which service a call goes to. Rate limits, keys and costs are per provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderId {
    /// Computed on this machine: no network, no cost.
    Local,
    /// DataGen's own tools (LinkedIn data, web research).
    Datagen,
    /// HeyReach tools reached through DataGen; HeyReach limits them to 300 requests a minute.
    Heyreach,
}

impl ProviderId {
    /// Stable lower-case name used in config, JSON and the store.
    pub fn name(self) -> &'static str {
        match self {
            ProviderId::Local => "local",
            ProviderId::Datagen => "datagen",
            ProviderId::Heyreach => "heyreach",
        }
    }
}

/// How a failed call is to be treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Bad key or tool not connected: stop the column, tell the user once.
    Auth,
    /// HTTP 429: retry after the server's `Retry-After`, or with backoff.
    RateLimited,
    /// 5xx, 524, timeouts, resets, service-level `success: false`: retry with backoff.
    Transient,
    /// "Resource not found": a final answer, never retried.
    NoData,
    /// Any other request or tool error: not retried.
    Permanent,
    /// The job was cancelled before it finished.
    Cancelled,
}

impl ErrorKind {
    /// Whether another attempt may succeed.
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorKind::RateLimited | ErrorKind::Transient)
    }
}

/// A classified failure of one attempt or one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct CallError {
    pub kind: ErrorKind,
    /// Human-readable, never containing the API key.
    pub message: String,
    /// HTTP status, when there was a response.
    pub status: Option<u16>,
    /// The server's `Retry-After`, when it sent one.
    #[serde(with = "opt_duration_ms", default)]
    pub retry_after: Option<Duration>,
}

impl CallError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CallError {
            kind,
            message: message.into(),
            status: None,
            retry_after: None,
        }
    }
}

/// One HTTP attempt, kept for the inspector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// When the attempt started (RFC 3339, UTC).
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub duration_ms: u64,
    pub status: Option<u16>,
    /// `ok`, or the classified error message.
    pub outcome: String,
}

/// Everything about one tool call an integration made, for the inspector and the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub provider: ProviderId,
    pub tool: String,
    /// The request body sent (never the key).
    pub request: serde_json::Value,
    pub attempts: Vec<Attempt>,
    /// The last raw response body, as received (truncated to a sane size).
    pub raw_response: Option<String>,
    /// Answered from the response cache: no call was paid for.
    pub cached: bool,
    /// Answered by a call another job made for the same request.
    pub shared: bool,
}

/// A successful call: the tool's `result` and the record of how it was obtained.
#[derive(Debug, Clone)]
pub struct ToolOutput {
    pub result: serde_json::Value,
    pub record: CallRecord,
}

/// A failed call: why, and the record of every attempt.
#[derive(Debug, Clone)]
pub struct ToolFailure {
    pub error: CallError,
    pub record: CallRecord,
}

mod opt_duration_ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&(d.as_millis() as u64)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_millis))
    }
}
