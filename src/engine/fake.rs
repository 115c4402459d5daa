//! In-process stand-ins for a provider and for integrations, so tests and
//! benchmarks exercise the real engine and caller without a network.

use crate::integrations::{
    Ctx, EnrichError, Enriched, Fields, InputSpec, Integration, IntegrationSpec, OutputKind,
    OutputSpec,
};
use crate::providers::{Attempt, AttemptOutcome, CallError, ProviderId, Transport};
use futures::future::BoxFuture;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Decides a fake answer from (tool, params, attempt number for these params, from 1).
pub type Responder = dyn Fn(&str, &Value, u32) -> Result<Value, CallError> + Send + Sync;

/// A transport answering from a function after a fixed latency, counting what it was asked.
pub struct FakeTransport {
    latency: Option<Duration>,
    respond: Box<Responder>,
    attempts_by_key: Mutex<HashMap<String, u32>>,
    calls: AtomicU64,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

impl FakeTransport {
    /// Answers with `respond` after `latency`; `None` never answers (for cancellation and timeouts).
    pub fn new(
        latency: Option<Duration>,
        respond: impl Fn(&str, &Value, u32) -> Result<Value, CallError> + Send + Sync + 'static,
    ) -> FakeTransport {
        FakeTransport {
            latency,
            respond: Box::new(respond),
            attempts_by_key: Mutex::new(HashMap::new()),
            calls: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// Answers every call with its parameters plus `"tool"`, after `latency`.
    pub fn echo(latency: Duration) -> FakeTransport {
        FakeTransport::new(Some(latency), |tool, params, _| {
            let mut out = params.clone();
            if let Some(map) = out.as_object_mut() {
                map.insert("tool".into(), json!(tool));
            }
            Ok(out)
        })
    }

    /// Attempts received so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    /// Most attempts that were in progress at once.
    pub fn peak_in_flight(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    async fn answer(&self, tool: &str, params: &Value) -> AttemptOutcome {
        let started_at = chrono::Utc::now();
        self.calls.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        let _leave = Leave(&self.in_flight);
        let attempt = {
            let mut by_key = self
                .attempts_by_key
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let n = by_key.entry(format!("{tool} {params}")).or_insert(0);
            *n += 1;
            *n
        };
        match self.latency {
            Some(d) if !d.is_zero() => tokio::time::sleep(d).await,
            Some(_) => {}
            None => std::future::pending::<()>().await,
        }
        let result = (self.respond)(tool, params, attempt);
        let status = match &result {
            Ok(_) => Some(200),
            Err(e) => e.status,
        };
        AttemptOutcome {
            attempt: Attempt {
                started_at,
                duration_ms: self.latency.map_or(0, |d| d.as_millis() as u64),
                status,
                outcome: result
                    .as_ref()
                    .map_or_else(|e| e.message.clone(), |_| "ok".to_owned()),
            },
            raw_body: result.as_ref().ok().map(Value::to_string),
            status,
            result,
        }
    }
}

struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Transport for FakeTransport {
    fn execute_once<'a>(
        &'a self,
        _provider: ProviderId,
        tool: &'a str,
        params: &'a Value,
    ) -> BoxFuture<'a, AttemptOutcome> {
        Box::pin(self.answer(tool, params))
    }
}

const URL_INPUT: InputSpec = InputSpec {
    name: "linkedin_url",
    description: "LinkedIn profile URL",
    guesses: &["linkedin_url", "linkedin", "LinkedIn Profile"],
    required: true,
    allows_constant: false,
};

/// Fake integration calling `fake_person` and copying `linkedin_url` and `tool` from the result.
pub static FAKE_PROFILE: IntegrationSpec = IntegrationSpec {
    name: "fake_profile",
    description: "Test double: echoes the profile URL",
    provider: ProviderId::DATAGEN,
    tools: &["fake_person"],
    inputs: &[URL_INPUT],
    outputs: &[
        OutputSpec {
            name: "linkedin_url",
            kind: OutputKind::Url,
            description: "the URL sent",
        },
        OutputSpec {
            name: "tool",
            kind: OutputKind::Text,
            description: "the tool called",
        },
    ],
    cost_per_row_usd: 0.0,
};

/// Fake integration calling the same tool with the same parameters as [`FAKE_PROFILE`] (so they share).
pub static FAKE_ACTIVITY: IntegrationSpec = IntegrationSpec {
    name: "fake_activity",
    description: "Test double: shares fake_profile's call",
    provider: ProviderId::DATAGEN,
    tools: &["fake_person"],
    inputs: &[URL_INPUT],
    outputs: &[OutputSpec {
        name: "tool",
        kind: OutputKind::Text,
        description: "the tool called",
    }],
    cost_per_row_usd: 0.0,
};

/// Fake integration with two required inputs, calling `fake_network`.
pub static FAKE_NETWORK: IntegrationSpec = IntegrationSpec {
    name: "fake_network",
    description: "Test double with two required inputs",
    provider: ProviderId::HEYREACH,
    tools: &["fake_network"],
    inputs: &[
        URL_INPUT,
        InputSpec {
            name: "sender_id",
            description: "HeyReach sender",
            guesses: &["sender_id"],
            required: true,
            allows_constant: true,
        },
    ],
    outputs: &[OutputSpec {
        name: "tool",
        kind: OutputKind::Text,
        description: "the tool called",
    }],
    cost_per_row_usd: 0.0,
};

/// An integration that calls its spec's first tool with all its inputs and copies
/// each output from the same-named string field of the result.
pub struct FakeIntegration(pub &'static IntegrationSpec);

impl Integration for FakeIntegration {
    fn spec(&self) -> &'static IntegrationSpec {
        self.0
    }

    fn enrich<'a>(
        &'a self,
        ctx: &'a Ctx,
        inputs: &'a Fields,
    ) -> BoxFuture<'a, Result<Enriched, EnrichError>> {
        Box::pin(async move {
            let tool = self.0.tools.first().copied().unwrap_or("fake_person");
            let params = json!(inputs);
            let result = ctx.call(self.0.provider, tool, params).await?;
            let fields = self
                .0
                .outputs
                .iter()
                .map(|o| {
                    let v = result.get(o.name).and_then(Value::as_str).unwrap_or("");
                    (o.name.to_owned(), v.to_owned())
                })
                .collect();
            Ok(Enriched {
                fields,
                notes: Vec::new(),
            })
        })
    }
}
