//! The single-attempt seam between the engine's caller and a provider client.

use crate::providers::ProviderId;
pub use crate::providers::datagen::AttemptOutcome;
use crate::providers::datagen::DatagenClient;
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
