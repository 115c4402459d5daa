//! The single-attempt seam between the engine's caller and a provider client.

use super::datagen::DatagenClient;
use super::router::ProviderRouter;
use super::{Attempt, CallError, ProviderId};
use futures::future::BoxFuture;
use serde_json::Value;

/// The result of one HTTP attempt: the tool's result or a classified error, plus evidence.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    /// The tool's result on success, otherwise why the attempt failed.
    pub result: Result<Value, CallError>,
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// The response body as received, cut to [`super::datagen::MAX_RAW_BODY`].
    pub raw_body: Option<String>,
    /// Timing and outcome, for the inspector.
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

    /// Why no call to `provider` can succeed now (e.g. it has no key), so a job can stop
    /// before paying for anything else. `None`: calls may be made.
    fn unavailable(&self, _provider: ProviderId) -> Option<CallError> {
        None
    }
}

/// DataGen serves both its own tools and HeyReach's through one endpoint, so the
/// provider only matters above this layer (for rate limits and keys).
impl Transport for DatagenClient {
    fn execute_once<'a>(
        &'a self,
        _provider: ProviderId,
        tool: &'a str,
        params: &'a Value,
    ) -> BoxFuture<'a, AttemptOutcome> {
        Box::pin(DatagenClient::execute_once(self, tool, params))
    }
}

/// Every provider through one router: the session's transport.
impl Transport for ProviderRouter {
    fn execute_once<'a>(
        &'a self,
        provider: ProviderId,
        tool: &'a str,
        params: &'a Value,
    ) -> BoxFuture<'a, AttemptOutcome> {
        Box::pin(ProviderRouter::execute_once(self, provider, tool, params))
    }

    fn unavailable(&self, provider: ProviderId) -> Option<CallError> {
        ProviderRouter::unavailable(self, provider)
    }
}
