//! Integrations against the demo server with no engine in between: one attempt per call.

use futures::future::BoxFuture;
use leadgrid::integrations::{
    CallObserver, Ctx, EnrichError, Enriched, Fields, NoObserver, ToolCaller, find,
};
use leadgrid::providers::Transport;
use leadgrid::providers::datagen::DatagenClient;
use leadgrid::providers::http::{HttpClient, HttpSettings};
use leadgrid::providers::router::{Endpoint, HTTP_PROVIDERS, ProviderRouter};
use leadgrid::providers::{CallError, CallRecord, ProviderId, ToolFailure, ToolOutput};
use std::sync::Arc;

/// One attempt per call, no retries: the engine's caller adds the rest.
pub struct DirectCaller(pub Arc<dyn Transport>);

impl ToolCaller for DirectCaller {
    fn unavailable(&self, provider: ProviderId) -> Option<CallError> {
        self.0.unavailable(provider)
    }

    fn call<'a>(
        &'a self,
        provider: ProviderId,
        tool: &'a str,
        params: serde_json::Value,
        _observer: &'a dyn CallObserver,
    ) -> BoxFuture<'a, Result<ToolOutput, ToolFailure>> {
        Box::pin(async move {
            let out = self.0.execute_once(provider, tool, &params).await;
            let record = CallRecord {
                provider,
                tool: tool.to_string(),
                request: params,
                attempts: vec![out.attempt],
                raw_response: out.raw_body,
                cached: false,
                shared: false,
                usage: None,
            };
            match out.result {
                Ok(result) => Ok(ToolOutput { result, record }),
                Err(error) => Err(ToolFailure { error, record }),
            }
        })
    }
}

/// An integration context calling `client` directly for DataGen, and every other provider
/// at the same (demo) server; must run inside a tokio runtime.
pub fn direct_ctx(client: DatagenClient) -> Ctx {
    let base = client.base_url().to_string();
    let endpoints = HTTP_PROVIDERS.map(|(id, wire)| {
        let url = if id == ProviderId::OPENAI {
            format!("{base}/v1")
        } else {
            base.clone()
        };
        (id, Endpoint::new(wire, &url, None).unwrap())
    });
    let http = HttpClient::new(HttpSettings::default()).unwrap();
    let router = ProviderRouter::new(http, client, endpoints);
    Ctx::new(
        Arc::new(DirectCaller(Arc::new(router))),
        Arc::new(NoObserver),
    )
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
