//! One transport for every provider: DataGen (and HeyReach through it), Anthropic, any
//! OpenAI-compatible server, Apollo and Hunter, all through the one hardened [`HttpClient`].
//!
//! A call is (provider, tool, parameters). The protocol modules turn the parameters into a
//! request without a key ([`HttpRequest`]); the router adds the base URL and, last, the key where
//! the provider wants it ([`KeyPlacement`]), sends, and classifies the answer with the provider's
//! own `classify`. So the parameters the engine caches and journals never hold a secret.

use super::datagen::{ApiKey, DatagenClient, MAX_RAW_BODY, truncate};
use super::generic;
use super::http::{HttpClient, scrub};
use super::transport::AttemptOutcome;
use super::wire::{self, HttpRequest, KeyPlacement, Method, ProviderWire};
use super::{Attempt, CallError, ErrorKind, ProviderId, anthropic, apollo, hunter, openai};
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Tool name of an Anthropic Messages call.
pub const ANTHROPIC_MESSAGES: &str = "messages";
/// Tool name of an OpenAI-compatible Chat Completions call.
pub const OPENAI_CHAT: &str = "chat_completions";
/// Tool name of Apollo's people match.
pub const APOLLO_PEOPLE_MATCH: &str = "people_match";
/// Tool name of Apollo's organization enrichment.
pub const APOLLO_ORGANIZATION_ENRICH: &str = "organizations_enrich";
/// Tool name of Hunter's email finder.
pub const HUNTER_EMAIL_FINDER: &str = "email_finder";
/// Tool name of Hunter's email verifier.
pub const HUNTER_EMAIL_VERIFIER: &str = "email_verifier";
/// Tool name of Hunter's domain search.
pub const HUNTER_DOMAIN_SEARCH: &str = "domain_search";

/// The HTTP providers the router knows, with their wire facts.
pub const HTTP_PROVIDERS: [(ProviderId, ProviderWire); 4] = [
    (ProviderId::ANTHROPIC, anthropic::WIRE),
    (ProviderId::OPENAI, openai::WIRE),
    (ProviderId::APOLLO, apollo::WIRE),
    (ProviderId::HUNTER, hunter::WIRE),
];

type Classify = fn(u16, Option<&str>, &str) -> Result<Value, CallError>;

/// Where one HTTP provider lives and the key it is sent.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The provider's fixed facts (name, environment variables, key placement).
    pub wire: ProviderWire,
    /// Base URL, checked, without a trailing `/`.
    pub base_url: String,
    /// The key, when one is configured.
    pub key: Option<ApiKey>,
}

impl Endpoint {
    /// An endpoint at `base_url` (checked: absolute http or https).
    pub fn new(
        wire: ProviderWire,
        base_url: &str,
        key: Option<ApiKey>,
    ) -> Result<Endpoint, CallError> {
        Ok(Endpoint {
            wire,
            base_url: super::datagen::checked_base_url(base_url, wire.name)?,
            key,
        })
    }

    /// Why no call can be made: no key for the provider's own public API. A server at another
    /// address (a local llama.cpp, vLLM or Ollama, a proxy) may need none, so it is asked.
    pub fn unavailable(&self) -> Option<CallError> {
        let public = self.base_url == self.wire.default_base_url.trim_end_matches('/');
        (self.key.is_none() && public).then(|| {
            CallError::new(
                ErrorKind::Auth,
                format!(
                    "no {} API key: set {} (or use --demo)",
                    self.wire.name, self.wire.api_key_env
                ),
            )
        })
    }
}

/// Why DataGen cannot be called: no key for its public API (another address, such as the
/// demo server, is asked and answers for itself).
pub fn datagen_unavailable(has_key: bool, base_url: &str) -> Option<CallError> {
    let public = base_url.trim_end_matches('/') == super::datagen::DEFAULT_BASE_URL;
    (!has_key && public).then(|| {
        CallError::new(
            ErrorKind::Auth,
            format!(
                "no DataGen API key: set {} (or use --demo)",
                super::datagen::API_KEY_ENV
            ),
        )
    })
}

/// How calls to the user's own providers (`kind = "http"`, [`generic`]) are sent.
#[derive(Debug, Clone, Default)]
pub struct UserRoutes {
    /// Bound on one request, per provider whose file sets one.
    pub timeouts: HashMap<ProviderId, Duration>,
    /// Refuse them: with `--demo` every other provider answers from the demo server, and
    /// these would reach the internet.
    pub demo: bool,
}

/// Routes each call to its provider's client. Cheap to share behind an `Arc`.
pub struct ProviderRouter {
    http: HttpClient,
    datagen: DatagenClient,
    endpoints: HashMap<ProviderId, Endpoint>,
    user: UserRoutes,
}

impl std::fmt::Debug for ProviderRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderRouter")
            .field("datagen", &self.datagen)
            .field("endpoints", &self.endpoints)
            .finish()
    }
}

impl ProviderRouter {
    /// A router over `datagen` and the HTTP `endpoints`, sharing `http`.
    pub fn new(
        http: HttpClient,
        datagen: DatagenClient,
        endpoints: impl IntoIterator<Item = (ProviderId, Endpoint)>,
    ) -> ProviderRouter {
        ProviderRouter {
            http,
            datagen,
            endpoints: endpoints.into_iter().collect(),
            user: UserRoutes::default(),
        }
    }

    /// This router, sending calls to the user's own providers as `user` says.
    pub fn with_user_routes(mut self, user: UserRoutes) -> ProviderRouter {
        self.user = user;
        self
    }

    /// Why calls to `provider` cannot be made now (no key for its public API), before
    /// anything is paid for.
    pub fn unavailable(&self, provider: ProviderId) -> Option<CallError> {
        match provider {
            ProviderId::DATAGEN | ProviderId::HEYREACH => {
                datagen_unavailable(self.datagen.has_key(), self.datagen.base_url())
            }
            _ => self.endpoints.get(&provider)?.unavailable(),
        }
    }

    /// One attempt of `tool` at `provider` with `params`, classified.
    pub async fn execute_once(
        &self,
        provider: ProviderId,
        tool: &str,
        params: &Value,
    ) -> AttemptOutcome {
        if matches!(provider, ProviderId::DATAGEN | ProviderId::HEYREACH) {
            return self.datagen.execute_once(tool, params).await;
        }
        let started_at = chrono::Utc::now();
        let clock = Instant::now();
        let (result, status, raw_body) = match self.outgoing(provider, tool, params) {
            Err(error) => (Err(error), None, None),
            Ok(outgoing) => self.send(outgoing).await,
        };
        AttemptOutcome {
            attempt: Attempt {
                started_at,
                duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
                status,
                outcome: match &result {
                    Ok(_) => "ok".to_string(),
                    Err(e) => e.message.clone(),
                },
            },
            result,
            status,
            raw_body,
        }
    }

    /// The request of one call, ready to send: a built-in provider's endpoint with its key, or
    /// a user-defined provider's request ([`generic`]) with the secrets it names.
    fn outgoing(
        &self,
        provider: ProviderId,
        tool: &str,
        params: &Value,
    ) -> Result<Outgoing, CallError> {
        let Some(endpoint) = self.endpoints.get(&provider) else {
            // A provider leadgrid does not know is a user's own (`kind = "http"`): its
            // parameters are the whole request, whatever its tool (the integration's name).
            if !ProviderId::BUILTIN.contains(&provider) {
                if self.user.demo {
                    return Err(CallError::new(
                        ErrorKind::Auth,
                        format!(
                            "not called: {provider} is your own provider, and --demo answers only the built-in ones (without --demo it calls {})",
                            wire::text(params, "url").unwrap_or("its URL")
                        ),
                    ));
                }
                let p = generic::prepare(provider.name(), params, |name| std::env::var(name).ok())?;
                let no_data = p.no_data_status.clone();
                return Ok(Outgoing {
                    method: p.method,
                    url: p.url,
                    headers: p.headers,
                    body: p.body,
                    secrets: p.secrets,
                    timeout: self.user.timeouts.get(&provider).copied(),
                    classify: Box::new(move |status, retry_after, body| {
                        generic::classify(provider.name(), &no_data, status, retry_after, body)
                    }),
                });
            }
            return Err(CallError::new(
                ErrorKind::Permanent,
                format!("no route to provider {provider} (tool {tool})"),
            ));
        };
        if let Some(error) = endpoint.unavailable() {
            return Err(error);
        }
        let (request, classify) = request_for(provider, tool, params)?;
        let mut url = format!("{}{}", endpoint.base_url, request.path_and_query);
        let mut headers = request.headers;
        let key = endpoint.key.as_ref().map(ApiKey::expose);
        // The key goes on last, here and nowhere else.
        if let Some(key) = key {
            match endpoint.wire.key {
                KeyPlacement::Header { name, prefix } => {
                    headers.push((name.to_string(), format!("{prefix}{key}")));
                }
                KeyPlacement::Query { param } => {
                    let mut query = url::form_urlencoded::Serializer::new(String::new());
                    query.append_pair(param, key);
                    let sep = if url.contains('?') { '&' } else { '?' };
                    url = format!("{url}{sep}{}", query.finish());
                }
            }
        }
        Ok(Outgoing {
            method: request.method,
            url,
            headers,
            body: request.body,
            secrets: key.map(str::to_string).into_iter().collect(),
            timeout: None,
            classify: Box::new(classify),
        })
    }

    async fn send(
        &self,
        outgoing: Outgoing,
    ) -> (Result<Value, CallError>, Option<u16>, Option<String>) {
        let method = match outgoing.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut builder = self.http.request(method, &outgoing.url);
        for (name, value) in &outgoing.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(body) = &outgoing.body {
            builder = builder.json(body);
        }
        if let Some(timeout) = outgoing.timeout {
            builder = builder.timeout(timeout);
        }
        let first = outgoing.secrets.first().map(String::as_str);
        match self.http.send(builder, first).await {
            Err(failure) => (Err(failure.error), failure.status, None),
            Ok(response) => {
                let body = outgoing
                    .secrets
                    .iter()
                    .skip(1)
                    .fold(response.body, |body, secret| scrub(body, Some(secret)));
                (
                    (outgoing.classify)(response.status, response.retry_after.as_deref(), &body),
                    Some(response.status),
                    Some(truncate(&body, MAX_RAW_BODY)),
                )
            }
        }
    }
}

/// A request ready to go out, with the secrets it carries and how to read its answer.
struct Outgoing {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    /// Scrubbed from the answer before anything reads it.
    secrets: Vec<String>,
    /// Bound on this request, when its provider has its own.
    timeout: Option<Duration>,
    classify: Box<ClassifyAnswer>,
}

/// Reads an answer (status, `Retry-After`, body) into a result or a classified failure.
type ClassifyAnswer = dyn Fn(u16, Option<&str>, &str) -> Result<Value, CallError> + Send + Sync;

/// The request and the classifier of one (provider, tool) call.
fn request_for(
    provider: ProviderId,
    tool: &str,
    params: &Value,
) -> Result<(HttpRequest, Classify), CallError> {
    let built: (HttpRequest, Classify) = match (provider, tool) {
        (ProviderId::ANTHROPIC, ANTHROPIC_MESSAGES) => {
            (anthropic::build_request(params)?, anthropic::classify)
        }
        (ProviderId::OPENAI, OPENAI_CHAT) => (openai::build_request(params)?, openai::classify),
        (ProviderId::APOLLO, APOLLO_PEOPLE_MATCH) => {
            (apollo::person_match_request(params)?, apollo::classify)
        }
        (ProviderId::APOLLO, APOLLO_ORGANIZATION_ENRICH) => (
            apollo::organization_enrich_request(params)?,
            apollo::classify,
        ),
        (ProviderId::HUNTER, HUNTER_EMAIL_FINDER) => {
            (hunter::email_finder_request(params)?, hunter::classify)
        }
        (ProviderId::HUNTER, HUNTER_EMAIL_VERIFIER) => {
            (hunter::email_verifier_request(params)?, hunter::classify)
        }
        (ProviderId::HUNTER, HUNTER_DOMAIN_SEARCH) => {
            (hunter::domain_search_request(params)?, hunter::classify)
        }
        _ => {
            return Err(CallError::new(
                ErrorKind::Permanent,
                format!("{provider} has no tool {tool:?}"),
            ));
        }
    };
    Ok(built)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::http::HttpSettings;
    use serde_json::json;

    fn router(key: Option<&str>, base: &str) -> ProviderRouter {
        let http = HttpClient::new(HttpSettings::default()).unwrap();
        let datagen =
            DatagenClient::with_http(super::super::datagen::DEFAULT_BASE_URL, None, http.clone())
                .unwrap();
        let endpoints = HTTP_PROVIDERS.map(|(id, wire)| {
            (
                id,
                Endpoint::new(wire, base, key.and_then(ApiKey::new)).unwrap(),
            )
        });
        ProviderRouter::new(http, datagen, endpoints)
    }

    #[tokio::test]
    async fn a_missing_key_is_refused_only_for_the_public_api() {
        let public = router(None, "https://api.anthropic.com/");
        let e = public.unavailable(ProviderId::ANTHROPIC).unwrap();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(
            e.message,
            "no Anthropic API key: set ANTHROPIC_API_KEY (or use --demo)"
        );
        assert!(
            public
                .unavailable(ProviderId::DATAGEN)
                .unwrap()
                .message
                .contains("DATAGEN_API_KEY")
        );
        // A local OpenAI-compatible server needs no key.
        let local = router(None, "http://localhost:11434/v1");
        assert!(local.unavailable(ProviderId::OPENAI).is_none());
        assert!(
            router(Some("k"), "https://api.anthropic.com")
                .unavailable(ProviderId::ANTHROPIC)
                .is_none()
        );
    }

    #[test]
    fn every_known_tool_has_a_request_and_others_are_refused() {
        let llm = json!({"model": "m", "prompt": "p"});
        assert!(request_for(ProviderId::ANTHROPIC, ANTHROPIC_MESSAGES, &llm).is_ok());
        assert!(request_for(ProviderId::OPENAI, OPENAI_CHAT, &llm).is_ok());
        assert!(
            request_for(
                ProviderId::APOLLO,
                APOLLO_ORGANIZATION_ENRICH,
                &json!({"domain": "a.example"})
            )
            .is_ok()
        );
        assert!(
            request_for(
                ProviderId::HUNTER,
                HUNTER_EMAIL_VERIFIER,
                &json!({"email": "a@b.example"})
            )
            .is_ok()
        );
        let e = request_for(ProviderId::OPENAI, ANTHROPIC_MESSAGES, &llm).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Permanent);
    }

    #[tokio::test]
    async fn a_user_defined_provider_is_reached_by_its_own_url() {
        let demo = crate::demo::DemoServer::start(
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            crate::demo::DemoOptions::default(),
        )
        .await
        .unwrap();
        let r = router(None, "https://api.anthropic.com");
        let example = ProviderId::named("example");
        let call = |path: &str| json!({"url": format!("{}{path}", demo.base_url()), "no_data_status": [404]});
        let ok = r
            .execute_once(example, "company_size", &call("/stats"))
            .await;
        assert!(ok.result.unwrap().get("requests").is_some());
        assert_eq!(ok.status, Some(200));
        let missing = r
            .execute_once(example, "company_size", &call("/nothing-here"))
            .await;
        assert_eq!(missing.result.unwrap_err().kind, ErrorKind::NoData);
        // Built-in providers are never reached this way.
        let refused = r
            .execute_once(ProviderId::APOLLO, "company_size", &call("/stats"))
            .await;
        assert_eq!(refused.result.unwrap_err().kind, ErrorKind::Permanent);
        demo.shutdown().await;
    }

    #[tokio::test]
    async fn with_demo_a_user_defined_provider_is_never_called() {
        let r = router(None, "https://api.anthropic.com").with_user_routes(UserRoutes {
            demo: true,
            ..UserRoutes::default()
        });
        let out = r
            .execute_once(
                ProviderId::named("example"),
                "company_size",
                &json!({"url": "https://api.example.com/v1/x"}),
            )
            .await;
        let e = out.result.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(
            e.message.contains("--demo answers only the built-in ones"),
            "{}",
            e.message
        );
        assert!(e.message.contains("https://api.example.com/v1/x"));
        assert_eq!(out.status, None, "nothing was sent");
    }

    #[tokio::test]
    async fn debug_output_never_shows_keys() {
        let r = router(Some("sk-secret-123"), "https://api.anthropic.com");
        assert!(!format!("{r:?}").contains("sk-secret-123"));
    }
}
