//! Providers: the services integrations call. Each knows its wire protocol and
//! classifies every failure; retries, rate limits, caching and call sharing are
//! layered on top by the engine's [`crate::engine::caller`]. The seams between the
//! two live here too: a single attempt ([`Transport`]), a request's identity
//! ([`RequestKey`]) and the response cache ([`ResponseCache`]), so the store can
//! implement the cache without knowing the engine.

pub mod anthropic;
pub mod apollo;
pub mod budget;
pub mod cache;
pub mod datagen;
pub mod generic;
pub mod http;
pub mod hunter;
pub mod keys;
pub mod linkedin_url;
pub mod llm;
pub mod openai;
pub mod price;
pub mod request_key;
pub mod router;
pub mod transport;
pub mod wire;

pub use cache::{Cached, NoCache, ResponseCache};
pub use request_key::{RequestKey, redacted};
pub use transport::{AttemptOutcome, Transport};

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Which service a call goes to. Rate limits, keys and costs are per provider.
///
/// A provider is its stable lower-case name: the built-in ones are constants, and a
/// user-defined integration names its own (interned once, so the id stays `Copy`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProviderId(&'static str);

impl ProviderId {
    /// Computed on this machine: no network, no cost.
    pub const LOCAL: ProviderId = ProviderId("local");
    /// DataGen's own tools (LinkedIn data, web research).
    pub const DATAGEN: ProviderId = ProviderId("datagen");
    /// HeyReach tools reached through DataGen; HeyReach limits them to 300 requests a minute.
    pub const HEYREACH: ProviderId = ProviderId("heyreach");
    /// Anthropic's Messages API (AI columns).
    pub const ANTHROPIC: ProviderId = ProviderId("anthropic");
    /// Any OpenAI-compatible Chat Completions endpoint (OpenAI, llama.cpp, vLLM, Ollama).
    pub const OPENAI: ProviderId = ProviderId("openai");
    /// Apollo's people and organization enrichment.
    pub const APOLLO: ProviderId = ProviderId("apollo");
    /// Hunter's email finder and verifier.
    pub const HUNTER: ProviderId = ProviderId("hunter");

    /// The built-in providers.
    pub const BUILTIN: [ProviderId; 7] = [
        ProviderId::LOCAL,
        ProviderId::DATAGEN,
        ProviderId::HEYREACH,
        ProviderId::ANTHROPIC,
        ProviderId::OPENAI,
        ProviderId::APOLLO,
        ProviderId::HUNTER,
    ];

    /// The provider called `name` (lower-cased): a built-in one, or a user-defined one.
    pub fn named(name: &str) -> ProviderId {
        let name = name.trim().to_ascii_lowercase();
        if let Some(p) = ProviderId::BUILTIN.iter().find(|p| p.0 == name) {
            return *p;
        }
        static INTERNED: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
        let mut names = INTERNED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(found) = names.iter().find(|n| **n == name) {
            return ProviderId(found);
        }
        // Leaked once per distinct name: user-defined providers are few and live as long as the process.
        let leaked: &'static str = Box::leak(name.into_boxed_str());
        names.push(leaked);
        ProviderId(leaked)
    }

    /// Stable lower-case name used in config, JSON and the store.
    pub fn name(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Debug for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::fmt::Display for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for ProviderId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for ProviderId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(ProviderId::named(&name))
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
    /// Not called: the call would have passed the run's budget. A bigger budget may run it.
    Budget,
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
    /// Tokens and price of the answer, when the provider bills by usage or per call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

impl CallRecord {
    /// What this call cost the user: its usage, unless the cache or another job's call answered.
    pub fn paid(&self) -> Option<Usage> {
        self.usage.filter(|_| !self.cached && !self.shared)
    }
}

/// What a call used and cost: tokens for LLMs, and a price in US dollars when one is known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens billed (0 for providers that do not bill tokens).
    pub input_tokens: u64,
    /// Answer tokens billed.
    pub output_tokens: u64,
    /// Price in US dollars; `None` when the model or provider has no known price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usd: Option<f64>,
}

impl Usage {
    /// Adds another usage; a known price plus an unknown one stays known (the sum of what is known).
    pub fn add(&mut self, other: &Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.usd = match (self.usd, other.usd) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
    }

    /// Whether it counts any tokens.
    pub fn has_tokens(&self) -> bool {
        self.input_tokens + self.output_tokens > 0
    }

    /// `812 in / 64 out tokens · $0.0034`, or the parts that are known.
    pub fn describe(&self) -> String {
        let tokens = self.has_tokens().then(|| {
            format!(
                "{} in / {} out tokens",
                self.input_tokens, self.output_tokens
            )
        });
        let price = self.usd.map(format_usd);
        match (tokens, price) {
            (Some(t), Some(p)) => format!("{t} · {p}"),
            (Some(t), None) => format!("{t} (no price known for the model)"),
            (None, Some(p)) => p,
            (None, None) => "no usage reported".to_string(),
        }
    }
}

/// A dollar amount with as many decimals as small amounts need: `$1.20`, `$0.0034`.
pub fn format_usd(usd: f64) -> String {
    if usd == 0.0 || usd >= 0.995 {
        format!("${usd:.2}")
    } else if usd >= 0.01 {
        format!("${usd:.3}")
    } else {
        format!("${usd:.4}")
    }
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
