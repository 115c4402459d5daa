//! The single-attempt seam between the engine's caller and a provider client.

pub use crate::providers::datagen::AttemptOutcome;
use crate::providers::datagen::DatagenClient;
use crate::providers::router::ProviderRouter;
use crate::providers::{CallError, ProviderId};
use futures::future::BoxFuture;
use serde_json::Value;

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
