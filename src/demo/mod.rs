//! The built-in demo server: the providers' protocols on 127.0.0.1 with fictional data.
//!
//! It is a real HTTP server, so `--demo`, tests and benchmarks exercise the same client,
//! sockets and classification as production. Latency, faults, hangs and holds are switchable, and
//! apply to every provider's routes, each failing in its own provider's shape.
//!
//! Routes (every provider's base URL is the server's, except OpenAI's, which is `{base}/v1`):
//! - DataGen: `POST /api/tools/execute` (LinkedIn, HeyReach and `chatgpt_webresearch` tools);
//! - Anthropic: `POST /v1/messages`;
//! - OpenAI-compatible: `POST /v1/chat/completions`;
//! - Apollo: `POST /api/v1/people/match`, `GET /api/v1/organizations/enrich`;
//! - Hunter: `GET /v2/email-finder`, `GET /v2/email-verifier`, `GET /v2/domain-search`;
//! - counters: `GET /stats`, `GET /stats/summary`, `POST /stats/reset`.

pub mod anthropic;
pub mod apollo;
pub mod companies;
mod datagen;
pub mod faults;
mod gate;
pub mod hash;
pub mod heyreach;
pub mod hold;
pub mod hostile;
pub mod hunter;
pub mod linkedin;
pub mod llm;
pub mod openai;
pub mod people;
pub mod stats;
pub mod tools;
pub mod webresearch;

pub use hold::Hold;
pub use stats::DemoStats;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use companies::Companies;
use hash::SplitMix;
use llm::DemoLlm;
use people::People;
use stats::StatsCollector;
use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, watch};
use tools::DemoTool;

/// How the demo server behaves.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Added to every provider call.
    pub latency: Duration,
    /// Up to this much more, chosen per request from the seed.
    pub jitter: Duration,
    /// Share of provider calls (0..1) answered with an injected fault.
    pub fault_rate: f64,
    /// When set, requests that do not carry this key where their provider expects it get 401.
    pub required_key: Option<String>,
    /// Seeds jitter and fault choice, so runs repeat exactly.
    pub seed: u64,
    /// Accept requests but never answer them (for timeout tests).
    pub hang: bool,
    /// Play the faults fixtures script for particular inputs (the sample's row that fails
    /// after retries). On by default; off for tests about random faults alone.
    pub scripted_faults: bool,
    /// Hold every provider call until released (for tests that act while calls are in
    /// flight).
    pub hold: Option<Hold>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            fault_rate: 0.0,
            required_key: None,
            seed: 0,
            hang: false,
            scripted_faults: true,
            hold: None,
        }
    }
}

struct Shared {
    opts: DemoOptions,
    tools: HashMap<&'static str, Arc<dyn DemoTool>>,
    llm: DemoLlm,
    people: People,
    stats: Arc<StatsCollector>,
    /// How far each input's scripted faults have been played.
    scripted: faults::Scripted,
    stop: watch::Receiver<bool>,
}

impl Shared {
    /// Resolves once shutdown starts, so slow and hanging requests never hold it up.
    async fn stopped(&self) {
        let mut stop = self.stop.clone();
        // An error means the sender is gone, which is a shutdown too.
        let _ = stop.wait_for(|s| *s).await;
    }

    fn delay(&self, number: u64) -> Duration {
        let jitter = if self.opts.jitter.is_zero() {
            Duration::ZERO
        } else {
            let mut rng = SplitMix::new(self.opts.seed.rotate_left(17) ^ number);
            self.opts.jitter.mul_f64(rng.fraction())
        };
        self.opts.latency + jitter
    }
}

/// A demo server running on the current tokio runtime.
pub struct DemoServer {
    addr: SocketAddr,
    stats: Arc<StatsCollector>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<io::Result<()>>,
}

impl DemoServer {
    /// Binds `addr` (port 0 picks a free port) and starts serving on the current tokio runtime.
    pub async fn start(addr: SocketAddr, opts: DemoOptions) -> io::Result<DemoServer> {
        let companies = Arc::new(Companies::load()?);
        let tools = tools::builtin(companies.clone())?
            .into_iter()
            .map(|t| (t.name(), t))
            .collect();
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stop_rx) = watch::channel(false);
        let stats = Arc::new(StatsCollector::default());
        let shared = Arc::new(Shared {
            opts,
            tools,
            llm: DemoLlm::new(companies.clone()),
            people: People::new(companies),
            stats: stats.clone(),
            scripted: faults::Scripted::default(),
            stop: stop_rx.clone(),
        });
        let app = Router::new()
            .route(
                crate::providers::datagen::EXECUTE_PATH,
                post(datagen::execute),
            )
            .route(
                crate::providers::anthropic::MESSAGES_PATH,
                post(anthropic::messages),
            )
            .route(openai::ROUTE, post(openai::completions))
            .route(
                crate::providers::apollo::PEOPLE_MATCH_PATH,
                post(apollo::people_match),
            )
            .route(
                crate::providers::apollo::ORGANIZATION_ENRICH_PATH,
                get(apollo::organization_enrich),
            )
            .route(
                crate::providers::hunter::EMAIL_FINDER_PATH,
                get(hunter::email_finder),
            )
            .route(
                crate::providers::hunter::EMAIL_VERIFIER_PATH,
                get(hunter::email_verifier),
            )
            .route(
                crate::providers::hunter::DOMAIN_SEARCH_PATH,
                get(hunter::domain_search),
            )
            .route("/stats", get(get_stats))
            .route("/stats/summary", get(get_summary))
            .route("/stats/reset", post(reset_stats))
            .with_state(shared);
        let mut shutdown = stop_rx;
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = shutdown.wait_for(|s| *s).await;
                })
                .await
        });
        Ok(DemoServer {
            addr,
            stats,
            stop,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`: the base URL of every emulated provider (OpenAI's is this + `/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The counters now.
    pub fn stats(&self) -> DemoStats {
        self.stats.snapshot()
    }

    /// The counters without per-input counts: cheap, for status lines.
    pub fn stats_summary(&self) -> DemoStats {
        self.stats.summary()
    }

    /// Resolves once `done` holds for the summary counters (e.g. "3 requests in flight").
    pub async fn wait_until(&self, done: impl Fn(&DemoStats) -> bool) {
        self.stats.wait_until(done).await;
    }

    /// Stops accepting, answers hanging requests with 503, and waits for open connections to close.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        let _ = (&mut self.task).await;
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A demo server on its own thread and runtime, for synchronous callers (the TUI, `--demo`).
/// Stops when dropped.
pub struct DemoHandle {
    base_url: String,
    stats: Arc<StatsCollector>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DemoHandle {
    /// Starts a demo server on a free port of 127.0.0.1 in the background.
    pub fn start_background(opts: DemoOptions) -> io::Result<DemoHandle> {
        Self::start_background_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), opts)
    }

    /// Starts a demo server on `addr` in the background (a fixed port lets other tools reach it).
    pub fn start_background_on(addr: SocketAddr, opts: DemoOptions) -> io::Result<DemoHandle> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("leadgrid-demo".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("leadgrid-demo-worker")
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match DemoServer::start(addr, opts).await {
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                        Ok(server) => {
                            let _ = ready_tx.send(Ok((server.base_url(), server.stats.clone())));
                            // Either an explicit stop or the handle being dropped ends the wait.
                            let _ = stop_rx.await;
                            server.shutdown().await;
                        }
                    }
                });
            })?;
        let (base_url, stats) = ready_rx
            .recv()
            .map_err(|_| io::Error::other("the demo server thread exited before starting"))??;
        Ok(DemoHandle {
            base_url,
            stats,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`: the base URL of every emulated provider (OpenAI's is this + `/v1`).
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The counters now.
    pub fn stats(&self) -> DemoStats {
        self.stats.snapshot()
    }

    /// The counters without per-input counts: cheap, for status lines.
    pub fn stats_summary(&self) -> DemoStats {
        self.stats.summary()
    }
}

impl Drop for DemoHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn get_stats(State(s): State<Arc<Shared>>) -> axum::Json<DemoStats> {
    axum::Json(s.stats.snapshot())
}

async fn get_summary(State(s): State<Arc<Shared>>) -> axum::Json<DemoStats> {
    axum::Json(s.stats.summary())
}

async fn reset_stats(State(s): State<Arc<Shared>>) -> StatusCode {
    s.stats.reset();
    StatusCode::NO_CONTENT
}
