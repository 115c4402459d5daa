//! One enrichment session: a tokio runtime, the DataGen client (or the built-in
//! demo server), the caller and the engine, set up the same way for the grid and
//! for `leadgrid run`.

use crate::config::Config;
use crate::demo::{DemoHandle, DemoOptions};
use crate::engine::caller::{Caller, CallerSettings, NoCache, ResponseCache};
use crate::engine::{Engine, EngineSettings, EventReceiver};
use crate::providers::ProviderId;
use crate::providers::datagen::{ApiKey, DatagenClient};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Why a session could not start.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(
        "no DataGen API key: set DATAGEN_API_KEY (or datagen.api_key in your config.toml), or add --demo to try the built-in demo server"
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
}

/// A running engine and what it needs; dropping it stops everything.
pub struct Session {
    /// Declared before the runtime so the engine and caller go first.
    pub engine: Arc<Engine>,
    pub caller: Arc<Caller>,
    events: Option<EventReceiver>,
    /// The demo server, when `--demo`.
    pub demo: Option<DemoHandle>,
    runtime: tokio::runtime::Runtime,
}

impl Session {
    /// Starts the engine against the configured API or, with `opts.demo`, a fresh demo server.
    pub fn start(config: &Config, opts: SessionOptions) -> Result<Session, SessionError> {
        Session::start_with_cache(config, opts, Arc::new(NoCache))
    }

    /// Like [`Session::start`], answering repeated calls from `cache`.
    pub fn start_with_cache(
        config: &Config,
        opts: SessionOptions,
        cache: Arc<dyn ResponseCache>,
    ) -> Result<Session, SessionError> {
        let (demo, base_url, key) = match opts.demo.clone() {
            Some(demo_opts) => {
                let key = demo_opts.required_key.clone().and_then(ApiKey::new);
                let handle = DemoHandle::start_background(demo_opts).map_err(SessionError::Demo)?;
                let url = handle.base_url();
                (Some(handle), url, key)
            }
            None => {
                let key = config
                    .datagen
                    .api_key
                    .as_ref()
                    .and_then(|s| ApiKey::new(s.expose().to_string()))
                    .ok_or(SessionError::NoKey)?;
                (None, config.datagen.base_url.clone(), Some(key))
            }
        };
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
        let client = {
            let _guard = runtime.enter();
            DatagenClient::new(&base_url, key, request_timeout)
                .map_err(|e| SessionError::Client(e.message))?
        };
        let settings = CallerSettings {
            max_attempts: opts
                .max_attempts
                .unwrap_or(config.engine.max_attempts)
                .max(1),
            request_timeout,
            backoff: opts.backoff.unwrap_or_default(),
            rate_limits: BTreeMap::from([
                (ProviderId::Datagen, config.rate_limits.datagen),
                (ProviderId::Heyreach, config.rate_limits.heyreach),
            ]),
            ..CallerSettings::default()
        };
        let caller = Arc::new(Caller::new(Arc::new(client), settings, cache));
        let engine_settings = EngineSettings {
            parallel: opts.parallel.unwrap_or(config.engine.parallel).max(1),
            job_timeout: Duration::from_secs(config.engine.job_timeout_secs.max(1)),
        };
        let (engine, events) = Engine::new(runtime.handle(), engine_settings, caller.clone());
        Ok(Session {
            engine: Arc::new(engine),
            caller,
            events: Some(events),
            demo,
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
