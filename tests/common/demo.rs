//! Integrations against the demo server with no engine in between: one attempt per call.

use futures::future::BoxFuture;
use leadgrid::integrations::{
    CallObserver, Ctx, EnrichError, Enriched, Fields, NoObserver, ToolCaller, find,
};
use leadgrid::providers::datagen::DatagenClient;
use leadgrid::providers::{CallRecord, ProviderId, ToolFailure, ToolOutput};
use std::sync::Arc;

/// One attempt per call, no retries: the engine's caller adds the rest.
pub struct DirectCaller(pub DatagenClient);

impl ToolCaller for DirectCaller {
    fn call<'a>(
        &'a self,
        provider: ProviderId,
        tool: &'a str,
        params: serde_json::Value,
        _observer: &'a dyn CallObserver,
    ) -> BoxFuture<'a, Result<ToolOutput, ToolFailure>> {
        Box::pin(async move {
            let out = self.0.execute_once(tool, &params).await;
            let record = CallRecord {
                provider,
                tool: tool.to_string(),
                request: params,
                attempts: vec![out.attempt],
                raw_response: out.raw_body,
                cached: false,
                shared: false,
            };
            match out.result {
                Ok(result) => Ok(ToolOutput { result, record }),
                Err(error) => Err(ToolFailure { error, record }),
            }
        })
    }
}

/// An integration context calling `client` directly.
pub fn direct_ctx(client: DatagenClient) -> Ctx {
    Ctx::new(Arc::new(DirectCaller(client)), Arc::new(NoObserver))
}

/// Runs a registered integration on one row.
pub async fn enrich(
    ctx: &Ctx,
    integration: &str,
    inputs: &Fields,
) -> Result<Enriched, EnrichError> {
    find(integration).unwrap().enrich(ctx, inputs).await
}

/// The rows of `lead-list/sample.csv`, by column name.
pub fn sample_rows() -> Vec<Fields> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/lead-list/sample.csv");
    csv::Reader::from_path(path)
        .unwrap()
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// An output's value, empty when absent.
pub fn field<'a>(e: &'a Enriched, name: &str) -> &'a str {
    e.fields.get(name).map(String::as_str).unwrap_or("")
}
