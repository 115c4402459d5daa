//! Integrations: atomic enrichments with declared inputs and outputs.
//!
//! Adding one in code is one file plus one line in [`builtin`]; adding one without code is one
//! TOML file (see [`user`]): the AI columns leadgrid ships are such files, and so are the
//! user's own in `integrations.d/`. [`registry`] lists them all.

pub mod ai;
pub mod apollo_company;
pub mod apollo_person;
pub mod datagen_tool;
pub mod email_domain;
pub mod email_pattern;
pub mod heyreach;
pub mod heyreach_campaign_stats;
pub mod heyreach_campaigns;
pub mod heyreach_engagement;
pub mod heyreach_network;
pub mod http;
pub mod hunter_email;
pub mod hunter_verify;
pub mod json_outputs;
pub mod lead_inputs;
pub mod linkedin_claude_mentions;
pub mod linkedin_post_activity;
pub mod linkedin_posts;
pub mod linkedin_profile;
pub mod linkedin_url;
pub mod normalize_linkedin_url;
pub mod split_full_name;
pub mod user;
pub mod waterfall;

use crate::providers::{
    CallError, CallRecord, ErrorKind, ProviderId, ToolFailure, ToolOutput, Usage,
};
use futures::future::BoxFuture;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Input or output values by name.
pub type Fields = BTreeMap<String, String>;

/// One input an integration needs.
#[derive(Debug, Clone, Serialize)]
pub struct InputSpec {
    pub name: &'static str,
    pub description: &'static str,
    /// Column names this input is mapped from when none is given, compared case- and punctuation-insensitively.
    pub guesses: &'static [&'static str],
    pub required: bool,
    /// May be one value for the whole column instead of a column (e.g. a HeyReach sender id).
    pub allows_constant: bool,
}

/// The type of an output column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    Text,
    Integer,
    Number,
    Date,
    Url,
    UrlList,
    Bool,
    /// One of a fixed list of choices.
    Enum(&'static [&'static str]),
}

impl OutputKind {
    /// The type's name, as written in integration files and `leadgrid integrations --json`.
    pub fn label(self) -> &'static str {
        match self {
            OutputKind::Text => "text",
            OutputKind::Integer => "integer",
            OutputKind::Number => "number",
            OutputKind::Date => "date",
            OutputKind::Url => "url",
            OutputKind::UrlList => "url_list",
            OutputKind::Bool => "bool",
            OutputKind::Enum(_) => "enum",
        }
    }

    /// The choices of an enum; empty for other types.
    pub fn choices(self) -> &'static [&'static str] {
        match self {
            OutputKind::Enum(choices) => choices,
            _ => &[],
        }
    }
}

impl Serialize for OutputKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// One output an integration produces; each becomes a sheet column.
#[derive(Debug, Clone)]
pub struct OutputSpec {
    pub name: &'static str,
    pub kind: OutputKind,
    pub description: &'static str,
}

impl Serialize for OutputSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let choices = self.kind.choices();
        let mut out = s.serialize_struct("OutputSpec", 3 + usize::from(!choices.is_empty()))?;
        out.serialize_field("name", self.name)?;
        out.serialize_field("kind", &self.kind)?;
        if !choices.is_empty() {
            out.serialize_field("choices", choices)?;
        }
        out.serialize_field("description", self.description)?;
        out.end()
    }
}

/// What the picker, `leadgrid integrations --json` and agents know about an integration.
#[derive(Debug, Clone, Serialize)]
pub struct IntegrationSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub provider: ProviderId,
    /// Tools it calls, in order (for shared calls and the inspector).
    pub tools: &'static [&'static str],
    pub inputs: &'static [InputSpec],
    pub outputs: &'static [OutputSpec],
    /// Estimated cost of one row, in US dollars.
    pub cost_per_row_usd: f64,
}

/// What one row of an integration costs: calls and dollars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RowCost {
    /// Paid calls.
    pub calls: usize,
    /// US dollars.
    pub usd: f64,
}

impl RowCost {
    /// Adds another cost.
    pub fn add(&mut self, other: RowCost) {
        self.calls += other.calls;
        self.usd += other.usd;
    }
}

/// The cost of one row of an integration whose calls depend on the answers (a waterfall):
/// best case (the first step answers) and worst case (every step is tried).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CostRange {
    /// The fewest calls and dollars a row can cost.
    pub best: RowCost,
    /// The most.
    pub worst: RowCost,
}

/// A successful enrichment of one row.
#[derive(Debug, Clone, Default)]
pub struct Enriched {
    /// Output values by output name; an output left out is empty.
    pub fields: Fields,
    /// Evidence worth showing in the inspector (e.g. the message that signalled a meeting).
    pub notes: Vec<String>,
}

/// Why an enrichment did not produce values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EnrichError {
    pub kind: ErrorKind,
    pub message: String,
}

impl EnrichError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        EnrichError {
            kind,
            message: message.into(),
        }
    }

    /// The provider had nothing for this input.
    pub fn no_data(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NoData, message)
    }

    /// The provider's answer could not be understood.
    pub fn bad_response(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Permanent, message)
    }
}

impl From<CallError> for EnrichError {
    fn from(e: CallError) -> Self {
        EnrichError::new(e.kind, e.message)
    }
}

/// Hears about a job's progress inside a call (the engine turns it into events).
pub trait CallObserver: Send + Sync {
    /// A retryable failure happened; attempt `attempt` of `max` comes next.
    fn retrying(&self, attempt: u32, max: u32, error: &CallError);

    /// The job wants fresh answers: remembered ones (memo, response cache) must not answer.
    fn fresh(&self) -> bool {
        false
    }

    /// The budget the job's paid calls count against, if it has one.
    fn budget(&self) -> Option<&crate::providers::budget::Budget> {
        None
    }
}

/// An observer that ignores everything (tests, local integrations).
pub struct NoObserver;

impl CallObserver for NoObserver {
    fn retrying(&self, _attempt: u32, _max: u32, _error: &CallError) {}
}

/// Makes tool calls on an integration's behalf. Implemented by the engine's caller
/// (cache, shared calls, rate limit, retries) over a provider client.
pub trait ToolCaller: Send + Sync {
    /// Why calls to `provider` cannot succeed now (no key), so a job stops before paying anything.
    fn unavailable(&self, _provider: ProviderId) -> Option<CallError> {
        None
    }

    fn call<'a>(
        &'a self,
        provider: ProviderId,
        tool: &'a str,
        params: serde_json::Value,
        observer: &'a dyn CallObserver,
    ) -> BoxFuture<'a, Result<ToolOutput, ToolFailure>>;
}

/// What an integration gets for one row: a way to call tools, and a log of the calls made
/// and of the evidence it noted.
pub struct Ctx {
    caller: Arc<dyn ToolCaller>,
    observer: Arc<dyn CallObserver>,
    calls: Mutex<Vec<CallRecord>>,
    notes: Mutex<Vec<String>>,
}

impl Ctx {
    pub fn new(caller: Arc<dyn ToolCaller>, observer: Arc<dyn CallObserver>) -> Self {
        Ctx {
            caller,
            observer,
            calls: Mutex::new(Vec::new()),
            notes: Mutex::new(Vec::new()),
        }
    }

    /// Fails with the reason when calls to `provider` cannot succeed now (e.g. no key), so an
    /// integration that needs it stops before paying for any other call.
    pub fn require(&self, provider: ProviderId) -> Result<(), CallError> {
        self.caller.unavailable(provider).map_or(Ok(()), Err)
    }

    /// Keeps evidence for the inspector (a rendered prompt, a raw answer, why it was rejected),
    /// whether the job ends done, without data or failed. A first line, then any details.
    pub fn note(&self, text: impl Into<String>) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(text.into());
        }
    }

    /// The evidence noted so far, in order.
    pub fn take_notes(&self) -> Vec<String> {
        self.notes
            .lock()
            .map(|mut n| std::mem::take(&mut *n))
            .unwrap_or_default()
    }

    /// Calls a tool and returns its `result`; the call is recorded either way.
    pub async fn call(
        &self,
        provider: ProviderId,
        tool: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, CallError> {
        let outcome = self
            .caller
            .call(provider, tool, params, self.observer.as_ref())
            .await;
        let (value, record) = match outcome {
            Ok(out) => (Ok(out.result), out.record),
            Err(fail) => (Err(fail.error), fail.record),
        };
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(record);
        }
        value
    }

    /// What the calls made so far cost (those the cache or another job answered are free).
    pub fn spent(&self) -> Usage {
        let mut spent = Usage::default();
        if let Ok(calls) = self.calls.lock() {
            for paid in calls.iter().filter_map(CallRecord::paid) {
                spent.add(&paid);
            }
        }
        spent
    }

    /// The calls made so far, in order.
    pub fn take_calls(&self) -> Vec<CallRecord> {
        self.calls
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }
}

/// An enrichment: a static spec and an async function of one row's inputs.
pub trait Integration: Send + Sync {
    fn spec(&self) -> &'static IntegrationSpec;

    /// Enriches one row. `inputs` holds every required input, non-empty (the engine checks first).
    fn enrich<'a>(
        &'a self,
        ctx: &'a Ctx,
        inputs: &'a Fields,
    ) -> BoxFuture<'a, Result<Enriched, EnrichError>>;

    /// The parameters of the first call (to `spec().tools[0]`) a row would make, when known
    /// up front: lets the picker count rows the response cache already answers.
    fn first_request(&self, _inputs: &Fields) -> Option<serde_json::Value> {
        None
    }

    /// Every provider a row may call (for key checks and spend by provider).
    fn providers(&self) -> Vec<ProviderId> {
        vec![self.spec().provider]
    }

    /// Why a row cannot run with these inputs (skipped, not sent, not paid): by default the
    /// required inputs that are empty.
    fn missing(&self, inputs: &Fields) -> Option<String> {
        missing_inputs(self.spec(), inputs)
    }

    /// Best and worst cost of a row, for integrations whose calls depend on the answers
    /// (waterfalls). `None`: every row costs the spec's cost per row.
    fn cost_range(&self) -> Option<CostRange> {
        None
    }

    /// What one row is expected to use (tokens, dollars), for integrations billed by usage:
    /// lets the picker estimate a run from the rows' own inputs. `None`: the spec's cost per row.
    fn estimate(&self, _inputs: &Fields) -> Option<Usage> {
        None
    }

    /// The name results are journaled under. An integration whose definition can change (a
    /// user's file) adds a fingerprint of it, so an edited one never restores the old answers.
    fn journal_name(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.spec().name)
    }
}

/// An integration written as an `async fn` of one row; its [`Integration`] impl comes with it.
pub trait RowEnrich: Send + Sync {
    /// The static description.
    const SPEC: &'static IntegrationSpec;

    /// Enriches one row, as [`Integration::enrich`].
    fn run(
        &self,
        ctx: &Ctx,
        inputs: &Fields,
    ) -> impl std::future::Future<Output = Result<Enriched, EnrichError>> + Send;

    /// As [`Integration::first_request`].
    fn first_request(&self, _inputs: &Fields) -> Option<serde_json::Value> {
        None
    }

    /// As [`Integration::missing`].
    fn missing(&self, inputs: &Fields) -> Option<String> {
        missing_inputs(Self::SPEC, inputs)
    }
}

impl<T: RowEnrich> Integration for T {
    fn spec(&self) -> &'static IntegrationSpec {
        T::SPEC
    }

    fn enrich<'a>(
        &'a self,
        ctx: &'a Ctx,
        inputs: &'a Fields,
    ) -> BoxFuture<'a, Result<Enriched, EnrichError>> {
        Box::pin(self.run(ctx, inputs))
    }

    fn first_request(&self, inputs: &Fields) -> Option<serde_json::Value> {
        RowEnrich::first_request(self, inputs)
    }

    fn missing(&self, inputs: &Fields) -> Option<String> {
        RowEnrich::missing(self, inputs)
    }
}

/// Every integration: those written in code, then those defined in files (the AI columns
/// leadgrid ships and the user's `integrations.d/`), in picker order. Loaded once per process
/// from the user's config directory; see [`user::Catalog`] for loading from elsewhere.
pub fn registry() -> Vec<Arc<dyn Integration>> {
    user::Catalog::current().integrations().to_vec()
}

/// The integrations written in code, in picker order.
pub fn builtin() -> Vec<Arc<dyn Integration>> {
    vec![
        Arc::new(linkedin_profile::LinkedinProfile),
        Arc::new(linkedin_post_activity::LinkedinPostActivity),
        Arc::new(linkedin_claude_mentions::LinkedinClaudeMentions),
        Arc::new(heyreach_engagement::HeyreachEngagement),
        Arc::new(heyreach_campaigns::HeyreachCampaigns),
        Arc::new(heyreach_network::HeyreachNetwork),
        Arc::new(heyreach_campaign_stats::HeyreachCampaignStats),
        Arc::new(apollo_person::ApolloPerson),
        Arc::new(apollo_company::ApolloCompany),
        Arc::new(hunter_email::HunterEmail),
        Arc::new(hunter_verify::HunterVerify),
        Arc::new(email_pattern::EmailPattern),
        Arc::new(email_domain::EmailDomain),
        Arc::new(split_full_name::SplitFullName),
        Arc::new(normalize_linkedin_url::NormalizeLinkedinUrl),
    ]
}

/// Looks an integration up by its stable name.
pub fn find(name: &str) -> Option<Arc<dyn Integration>> {
    registry().into_iter().find(|i| i.spec().name == name)
}

/// The required inputs that are missing or blank in `inputs`, as the prototype reported them.
pub fn missing_inputs(spec: &IntegrationSpec, inputs: &Fields) -> Option<String> {
    let missing: Vec<&str> = spec
        .inputs
        .iter()
        .filter(|i| i.required && inputs.get(i.name).is_none_or(|v| v.trim().is_empty()))
        .map(|i| i.name)
        .collect();
    (!missing.is_empty()).then(|| format!("missing required columns: {}", missing.join(", ")))
}

/// Normalizes a header for guessing: lower case, letters and digits only.
pub fn header_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Guesses which header feeds `input`: the first guess that matches a header.
pub fn guess_column(input: &InputSpec, headers: &[String]) -> Option<usize> {
    input
        .guesses
        .iter()
        .chain(std::iter::once(&input.name))
        .find_map(|g| {
            let key = header_key(g);
            headers.iter().position(|h| header_key(h) == key)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_are_unique_and_findable() {
        let names: Vec<_> = registry().iter().map(|i| i.spec().name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        for name in names {
            assert_eq!(find(name).map(|i| i.spec().name), Some(name));
        }
    }

    #[test]
    fn local_integrations_are_free_and_call_nothing() {
        for i in registry() {
            let spec = i.spec();
            if spec.provider == ProviderId::LOCAL {
                assert_eq!(spec.cost_per_row_usd, 0.0, "{}", spec.name);
                assert!(spec.tools.is_empty(), "{}", spec.name);
            } else {
                assert!(spec.cost_per_row_usd > 0.0, "{}", spec.name);
            }
        }
    }

    #[test]
    fn linkedin_url_is_guessed_from_common_headers() {
        let spec = find("linkedin_profile").unwrap().spec();
        for header in [
            "LinkedIn Profile",
            "linkedin",
            "Person Linkedin Url",
            "profile_url",
        ] {
            let headers = vec!["name".to_string(), header.to_string()];
            assert_eq!(guess_column(&spec.inputs[0], &headers), Some(1), "{header}");
        }
    }
}
