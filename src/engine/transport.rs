//! The single-attempt seam between the engine's caller and a provider client.

use crate::providers::{Attempt, CallError, ProviderId};
use futures::future::BoxFuture;
use serde_json::Value;

/// What one HTTP attempt produced: the classified result plus what the inspector shows.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    /// The tool's `result`, or the classified failure of this attempt.
    pub result: Result<Value, CallError>,
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// The response body as received, when there was one.
    pub raw_body: Option<String>,
    /// Timing and outcome of the attempt.
    pub attempt: Attempt,
}

/// Makes exactly one attempt of a tool call; retries, pacing and sharing live above it.
pub trait Transport: Send + Sync {
    /// Sends one request for `tool` with `params` to `provider` and classifies the answer.
    fn execute_once<'a>(
        &'a self,
        provider: ProviderId,
        tool: &'a str,
        params: &'a Value,
    ) -> BoxFuture<'a, AttemptOutcome>;
}
