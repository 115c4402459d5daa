//! The built-in demo server: DataGen's protocol on 127.0.0.1 with fictional data.
//!
//! It is a real HTTP server, so `--demo`, tests and benchmarks exercise the same client,
//! sockets and classification as production. Latency, faults and hangs are switchable.
//! Routes: `POST /api/tools/execute`, `GET /stats`, `GET /stats/summary`, `POST /stats/reset`.

pub mod faults;
pub mod hash;
pub mod heyreach;
pub mod hostile;
pub mod linkedin;
pub mod stats;
pub mod tools;

pub use stats::DemoStats;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use faults::Fault;
use hash::SplitMix;
use serde_json::{Value, json};
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
    /// Added to every tool call.
    pub latency: Duration,
    /// Up to this much more, chosen per request from the seed.
    pub jitter: Duration,
    /// Share of tool calls (0..1) answered with an injected fault.
    pub fault_rate: f64,
    /// When set, requests without this `X-API-Key` get 401.
    pub required_key: Option<String>,
    /// Seeds jitter and fault choice, so runs repeat exactly.
    pub seed: u64,
    /// Accept requests but never answer them (for timeout tests).
    pub hang: bool,
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
        }
    }
}

struct Shared {
    opts: DemoOptions,
    tools: HashMap<&'static str, Arc<dyn DemoTool>>,
    stats: Arc<StatsCollector>,
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
        let tools = tools::builtin()?
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
            stats: stats.clone(),
            stop: stop_rx.clone(),
        });
        let app = Router::new()
            .route(crate::providers::datagen::EXECUTE_PATH, post(execute))
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

    /// `http://127.0.0.1:PORT`, to use as the DataGen base URL.
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

    /// `http://127.0.0.1:PORT`, to use as the DataGen base URL.
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

fn tool_answer(result: Result<Value, String>) -> Response {
    let data = match result {
        Ok(result) => json!({"success": true, "result": result}),
        Err(error) => json!({"success": false, "error": error}),
    };
    axum::Json(json!({"success": true, "data": data})).into_response()
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(json!({"detail": "demo server shutting down"})),
    )
        .into_response()
}

async fn execute(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let request = s.stats.enter();
    if let Some(key) = &s.opts.required_key {
        let sent = headers.get("x-api-key").and_then(|v| v.to_str().ok());
        if sent != Some(key.as_str()) {
            s.stats.unauthorized();
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({"detail": "Invalid or missing API key"})),
            )
                .into_response();
        }
    }
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"detail": "body is not JSON"})),
        )
            .into_response();
    };
    let Some(tool) = req.get("tool_alias_name").and_then(Value::as_str) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"detail": "tool_alias_name is required"})),
        )
            .into_response();
    };
    let params = req.get("parameters").cloned().unwrap_or(json!({}));

    let delay = s.delay(request.number);
    if !delay.is_zero() {
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = s.stopped() => return unavailable(),
        }
    }
    if s.opts.hang {
        s.stopped().await;
        return unavailable();
    }
    if let Some(fault) = Fault::choose(s.opts.seed, request.number, s.opts.fault_rate) {
        s.stats.fault(fault.name());
        return fault.response();
    }
    match s.tools.get(tool) {
        None => tool_answer(Err(format!("Unknown tool: {tool}"))),
        Some(t) => {
            s.stats.paid(tool, t.billing_key(&params));
            tool_answer(t.run(&params, chrono::Utc::now()))
        }
    }
}
