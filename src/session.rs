//! One enrichment session: a tokio runtime, the providers (or the built-in demo
//! server standing in for all of them), the caller and the engine, set up the same
//! way for the grid and for `leadgrid run`.

use crate::config::Config;
use crate::demo::{DemoHandle, DemoOptions};
use crate::engine::backoff::Backoff;
use crate::engine::breaker::BreakerSettings;
use crate::engine::caller::{Caller, CallerSettings};
use crate::engine::{Engine, EngineSettings, EventReceiver, ResultSink};
use crate::providers::datagen::{ApiKey, DatagenClient};
use crate::providers::http::{HttpClient, HttpSettings};
use crate::providers::keys::MissingKeys;
use crate::providers::price::DATAGEN_COST_PER_CALL;
use crate::providers::router::{
    Endpoint, HTTP_PROVIDERS, ProviderRouter, UserRoutes, datagen_unavailable,
};
use crate::providers::wire::ProviderWire;
use crate::providers::{CallError, NoCache, ProviderId, ResponseCache};
use crate::resume::JournalSink;
use crate::store::{CachePolicy, ProviderPolicy, RunId, Store, StoreConfig};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where the response cache and run journal live for a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StoreChoice {
    /// No store: nothing cached, nothing journaled (tests, `--no-store`).
    #[default]
    Off,
    /// `$LEADGRID_STORE`, else the per-user data directory.
    Default,
    /// This file.
    Path(PathBuf),
}

impl StoreChoice {
    /// The store to use with fictional demo answers: the default one's sibling
    /// `<name>-demo.sqlite3`, so they are never served to a real run; an explicit file
    /// (`--store`) is the user's choice and is kept.
    pub fn for_demo(&self) -> StoreChoice {
        match self {
            StoreChoice::Default => match crate::store::location::store_path(None) {
                Ok(path) => {
                    let stem = path
                        .file_stem()
                        .map_or_else(|| "leadgrid".into(), |s| s.to_string_lossy().into_owned());
                    StoreChoice::Path(path.with_file_name(format!("{stem}-demo.sqlite3")))
                }
                Err(_) => StoreChoice::Default,
            },
            other => other.clone(),
        }
    }
}

/// Why a session could not start.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(
        "no API key: set DATAGEN_API_KEY (or ANTHROPIC_API_KEY, OPENAI_API_KEY, APOLLO_API_KEY, HUNTER_API_KEY), or add --demo to try the built-in demo server"
    )]
    NoKey,
    #[error("could not start the demo server: {0}")]
    Demo(std::io::Error),
    #[error("could not start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("could not set up the HTTP client: {0}")]
    Client(String),
}

/// Choices made on the command line that override the config file.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// Run against a built-in demo server with these options instead of the real API.
    pub demo: Option<DemoOptions>,
    pub parallel: Option<usize>,
    pub max_attempts: Option<u32>,
    pub request_timeout: Option<Duration>,
    /// Pacing of retries, for tests that must not wait long.
    pub backoff: Option<crate::engine::backoff::Backoff>,
    /// Start without any key (every integration used is local, or the grid, which marks
    /// what needs a key): cells of providers that cannot be called then fail at once, saying
    /// which variable to set.
    pub allow_no_key: bool,
    /// Response cache and run journal.
    pub store: StoreChoice,
    /// The run the journal records, when there is a store.
    pub run: Option<RunId>,
    /// Ignore cached answers (new answers are still cached).
    pub refresh: bool,
}

/// A running engine and what it needs; dropping it stops everything.
pub struct Session {
    /// Declared before the runtime so the engine and caller go first.
    pub engine: Arc<Engine>,
    pub caller: Arc<Caller>,
    events: Option<EventReceiver>,
    /// The demo server, when `--demo`.
    pub demo: Option<DemoHandle>,
    /// The response cache and run journal, when one could be opened.
    pub store: Option<Store>,
    /// Why the store is missing although one was asked for (shown to the user; the session goes on).
    pub store_warning: Option<String>,
    /// The run results are journaled under.
    pub run: Option<RunId>,
    /// Providers without an API key (none against the demo server).
    pub missing_keys: MissingKeys,
    runtime: tokio::runtime::Runtime,
}

impl Session {
    /// Starts the engine against the configured API or, with `opts.demo`, a fresh demo server.
    pub fn start(config: &Config, opts: SessionOptions) -> Result<Session, SessionError> {
        let (demo, endpoints) = match opts.demo.clone() {
            Some(demo_opts) => {
                let key = demo_opts.required_key.clone();
                let handle = DemoHandle::start_background(demo_opts).map_err(SessionError::Demo)?;
                let mut demo_config = config.clone();
                demo_config.point_at_demo(&handle.base_url(), key.as_deref());
                (Some(handle), Endpoints::from_config(&demo_config))
            }
            None => {
                let endpoints = Endpoints::from_config(config);
                if !opts.allow_no_key && !endpoints.any_usable() {
                    return Err(SessionError::NoKey);
                }
                (None, endpoints)
            }
        };
        let missing_keys =
            MissingKeys::find(|provider| endpoints.unavailable(provider).map(|e| e.message));
        let parallel = opts.parallel.unwrap_or(config.engine.parallel).max(1);
        let request_timeout = opts
            .request_timeout
            .unwrap_or(Duration::from_secs(config.engine.timeout_secs.max(1)));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("leadgrid-engine")
            .enable_all()
            .build()
            .map_err(SessionError::Runtime)?;
        // reqwest must be built inside a runtime context for its connection pool timers.
        let http_settings = HttpSettings {
            timeout: request_timeout,
            max_body_bytes: usize::try_from(config.engine.max_response_mb.max(1))
                .unwrap_or(usize::MAX / (1024 * 1024))
                .saturating_mul(1024 * 1024),
        };
        let timeouts: BTreeMap<ProviderId, Duration> = config
            .file_providers
            .iter()
            .filter_map(|(id, p)| Some((*id, p.timeout?)))
            .collect();
        let router = {
            let _guard = runtime.enter();
            let http =
                HttpClient::new(http_settings).map_err(|e| SessionError::Client(e.message))?;
            endpoints
                .router(http)
                .map_err(|e| SessionError::Client(e.message))?
                .with_user_routes(UserRoutes {
                    timeouts: timeouts.clone().into_iter().collect(),
                    demo: demo.is_some() || config.demo,
                })
        };
        let settings = CallerSettings {
            max_attempts: opts
                .max_attempts
                .unwrap_or(config.engine.max_attempts)
                .max(1),
            request_timeout,
            timeouts,
            backoff: opts.backoff.unwrap_or(Backoff {
                max_retry_after: Duration::from_secs(config.engine.max_retry_after_secs),
                ..Backoff::default()
            }),
            rate_limits: config.rate_limits(),
            max_in_flight: parallel,
            breaker: BreakerSettings {
                failures: config.engine.breaker_failures,
                cooldown: Duration::from_secs(config.engine.breaker_cooldown_secs.max(1)),
            },
            prices: config.prices(),
            ..CallerSettings::default()
        };
        let choice = demo_aware(config, opts.demo.is_some(), opts.store.clone());
        let (store, store_warning) = match open_store(config, &choice) {
            Ok(store) => (store.map(|s| s.with_refresh(opts.refresh)), None),
            Err(e) => (
                None,
                Some(format!("running without cache and journal: {e}")),
            ),
        };
        let cache: Arc<dyn ResponseCache> = match &store {
            Some(store) => Arc::new(store.clone()),
            None => Arc::new(NoCache),
        };
        let sink: Option<Arc<dyn ResultSink>> = match (&store, &opts.run) {
            (Some(store), Some(run)) => {
                Some(Arc::new(JournalSink::new(store.clone(), run.clone())))
            }
            _ => None,
        };
        let caller = Arc::new(Caller::new(Arc::new(router), settings, cache));
        let engine_settings = EngineSettings {
            // Requests are bounded by the caller; cells waiting on a shared call or
            // computed locally need no request, so more of them may be in progress.
            parallel: parallel * CELLS_PER_REQUEST_SLOT,
            job_timeout: Duration::from_secs(config.engine.job_timeout_secs.max(1)),
            missing_keys: missing_keys.clone(),
        };
        let (engine, events) =
            Engine::with_sink(runtime.handle(), engine_settings, caller.clone(), sink);
        caller.on_notice(engine.announcer());
        Ok(Session {
            engine: Arc::new(engine),
            caller,
            events: Some(events),
            demo,
            store,
            store_warning,
            run: opts.run,
            missing_keys,
            runtime,
        })
    }

    /// The engine's event stream; there is one, so the first caller takes it.
    pub fn take_events(&mut self) -> Option<EventReceiver> {
        self.events.take()
    }

    /// The runtime the engine runs on.
    pub fn handle(&self) -> tokio::runtime::Handle {
        self.runtime.handle().clone()
    }
}

/// The store to open: the demo one when the answers are fictional (`--demo`, or a config
/// pointed at the demo server).
pub fn demo_aware(config: &Config, demo: bool, choice: StoreChoice) -> StoreChoice {
    if demo || config.demo {
        choice.for_demo()
    } else {
        choice
    }
}

/// Opens the store the user chose, with the configured TTLs and call costs.
pub fn open_store(
    config: &Config,
    choice: &StoreChoice,
) -> Result<Option<Store>, crate::store::StoreError> {
    let day = 24 * 60 * 60;
    let mut cache = CachePolicy::default();
    cache.set(
        ProviderId::DATAGEN,
        ProviderPolicy {
            ttl: Duration::from_secs(u64::from(config.cache.ttl_days) * day),
            cost_per_call: DATAGEN_COST_PER_CALL,
        },
    );
    cache.set(
        ProviderId::HEYREACH,
        ProviderPolicy {
            ttl: Duration::from_secs(u64::from(config.cache.heyreach_ttl_days) * day),
            cost_per_call: DATAGEN_COST_PER_CALL,
        },
    );
    // People and company data, like DataGen's: kept as long, priced per call (a hit saved
    // the provider's price; a tool's own price may differ, e.g. Hunter's verifier).
    let prices = config.prices();
    for provider in [ProviderId::APOLLO, ProviderId::HUNTER] {
        cache.set(
            provider,
            ProviderPolicy {
                ttl: Duration::from_secs(u64::from(config.cache.ttl_days) * day),
                cost_per_call: prices.per_call(provider).unwrap_or(0.0),
            },
        );
    }
    for llm in [ProviderId::ANTHROPIC, ProviderId::OPENAI] {
        cache.set(
            llm,
            ProviderPolicy {
                ttl: Duration::from_secs(u64::from(config.cache.ai_ttl_days) * day),
                // Priced by tokens, not per call: what a hit saved is not a constant.
                cost_per_call: 0.0,
            },
        );
    }
    for (provider, own) in &config.file_providers {
        cache.set(
            *provider,
            ProviderPolicy {
                ttl: Duration::from_secs(u64::from(config.cache.ttl_days) * day),
                cost_per_call: own.cost_per_call,
            },
        );
    }
    let store_config = StoreConfig {
        cache,
        ..StoreConfig::default()
    };
    match choice {
        StoreChoice::Off => Ok(None),
        StoreChoice::Default => Store::open_default(None, store_config).map(Some),
        StoreChoice::Path(path) => Store::open(path, store_config).map(Some),
    }
}

/// Where each provider's calls go, and with which key.
pub struct Endpoints {
    datagen_url: String,
    datagen_key: Option<ApiKey>,
    http: Vec<(ProviderId, ProviderWire, String, Option<ApiKey>)>,
}

impl Endpoints {
    /// The providers as the config (and the environment it read) describes them.
    pub fn from_config(config: &Config) -> Endpoints {
        let key = |s: Option<&crate::config::Secret>| s.and_then(|k| ApiKey::new(k.expose()));
        Endpoints {
            datagen_url: config.datagen.base_url.clone(),
            datagen_key: key(config.datagen.api_key.as_ref()),
            http: HTTP_PROVIDERS
                .iter()
                .filter_map(|(id, wire)| {
                    let settings = config.provider(*id)?;
                    Some((
                        *id,
                        *wire,
                        settings.base_url.clone(),
                        key(settings.api_key.as_ref()),
                    ))
                })
                .collect(),
        }
    }

    /// Why calls to `provider` cannot be made (no key for its public API), before any is tried.
    pub fn unavailable(&self, provider: ProviderId) -> Option<CallError> {
        match provider {
            ProviderId::LOCAL => None,
            ProviderId::DATAGEN | ProviderId::HEYREACH => {
                datagen_unavailable(self.datagen_key.is_some(), &self.datagen_url)
            }
            _ => {
                let (_, wire, url, key) = self.http.iter().find(|(id, ..)| *id == provider)?;
                match Endpoint::new(*wire, url, key.clone()) {
                    Ok(endpoint) => endpoint.unavailable(),
                    Err(e) => Some(e),
                }
            }
        }
    }

    /// Whether any provider can be called at all.
    fn any_usable(&self) -> bool {
        std::iter::once(ProviderId::DATAGEN)
            .chain(self.http.iter().map(|(id, ..)| *id))
            .any(|id| self.unavailable(id).is_none())
    }

    /// The router over these endpoints; must run inside a tokio runtime context.
    fn router(self, http: HttpClient) -> Result<ProviderRouter, CallError> {
        let datagen = DatagenClient::with_http(&self.datagen_url, self.datagen_key, http.clone())?;
        let endpoints = self
            .http
            .into_iter()
            .map(|(id, wire, url, key)| Ok((id, Endpoint::new(wire, &url, key)?)))
            .collect::<Result<Vec<_>, CallError>>()?;
        Ok(ProviderRouter::new(http, datagen, endpoints))
    }
}

/// Cells in progress per request slot (`--parallel` bounds requests, not cells).
const CELLS_PER_REQUEST_SLOT: usize = 3;
