//! A deliberately hostile DataGen look-alike, for reliability tests.
//!
//! Each case lives under its own path prefix, so a test picks one by the base URL it
//! gives leadgrid (`{url}/{case}`; the client appends `/api/tools/execute`). A second
//! listener plays "another host": it records what reaches it, so a test can prove that
//! no key, Referer or request ever got there.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// The cases, by path prefix.
pub const CASES: &[&str] = &[
    "redirect-301",
    "redirect-302",
    "redirect-307",
    "redirect-308",
    "retry-after-huge",
    "huge-body",
    "endless-body",
    "escapes-401",
    "escapes-500",
    "echo-key",
    "always-500",
    "hang",
];

/// Size of the `huge-body` answer.
pub const HUGE_BODY_BYTES: usize = 50 * 1024 * 1024;

/// What one request that reached a server carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The request path.
    pub path: String,
    /// Its `X-API-Key` header, if any.
    pub api_key: Option<String>,
    /// Its `Referer` header, if any.
    pub referer: Option<String>,
}

#[derive(Default)]
struct Log {
    requests: AtomicU64,
    seen: Mutex<Vec<Seen>>,
}

impl Log {
    fn record(&self, path: &str, headers: &HeaderMap) -> u64 {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Seen {
                path: path.to_owned(),
                api_key: text("x-api-key"),
                referer: text("referer"),
            });
        self.requests.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

struct Shared {
    other: SocketAddr,
    log: Arc<Log>,
}

/// The hostile server and its "other host", on the current tokio runtime.
pub struct HostileServer {
    addr: SocketAddr,
    other: SocketAddr,
    log: Arc<Log>,
    other_log: Arc<Log>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl HostileServer {
    /// Binds both servers on free loopback ports.
    pub async fn start() -> io::Result<HostileServer> {
        let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let main = tokio::net::TcpListener::bind(any_port).await?;
        let other = tokio::net::TcpListener::bind(any_port).await?;
        let (addr, other_addr) = (main.local_addr()?, other.local_addr()?);
        let (log, other_log) = (Arc::new(Log::default()), Arc::new(Log::default()));
        let hostile = Router::new()
            .route("/{case}/{*rest}", any(hostile))
            .with_state(Arc::new(Shared {
                other: other_addr,
                log: log.clone(),
            }));
        let elsewhere = Router::new()
            .route("/{*rest}", any(elsewhere))
            .with_state(other_log.clone());
        let tasks = vec![
            tokio::spawn(async move {
                let _ = axum::serve(main, hostile).await;
            }),
            tokio::spawn(async move {
                let _ = axum::serve(other, elsewhere).await;
            }),
        ];
        Ok(HostileServer {
            addr,
            other: other_addr,
            log,
            other_log,
            tasks,
        })
    }

    /// The base URL that plays `case`.
    pub fn base_url(&self, case: &str) -> String {
        format!("http://{}/{case}", self.addr)
    }

    /// The other host's address.
    pub fn other_addr(&self) -> SocketAddr {
        self.other
    }

    /// Requests the hostile server received.
    pub fn requests(&self) -> u64 {
        self.log.requests.load(Ordering::SeqCst)
    }

    /// What reached the hostile server.
    pub fn seen(&self) -> Vec<Seen> {
        self.log.seen()
    }

    /// What reached the other host (should be nothing).
    pub fn seen_elsewhere(&self) -> Vec<Seen> {
        self.other_log.seen()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// A LinkedIn person result `linkedin_profile` accepts, with `headline`.
fn person(headline: &str) -> Value {
    json!({"person": {"firstName": "Eve", "headline": headline}})
}

/// A successful DataGen answer.
fn success(result: Value) -> Response {
    axum::Json(json!({"success": true, "data": {"success": true, "result": result}}))
        .into_response()
}

const ESCAPES: &str =
    "\u{1b}]0;pwned title\u{7}\u{1b}[2J\u{1b}[H\u{1b}]52;c;ZXZpbCBjbGlwYm9hcmQ=\u{7}\u{9b}31mred";

async fn hostile(
    State(s): State<Arc<Shared>>,
    Path((case, rest)): Path<(String, String)>,
    headers: HeaderMap,
    _body: Bytes,
) -> Response {
    let n = s.log.record(&format!("/{case}/{rest}"), &headers);
    let redirect = |status: StatusCode| {
        let target = format!("http://{}/stolen/{rest}", s.other);
        (status, [(header::LOCATION, target)]).into_response()
    };
    match case.as_str() {
        "redirect-301" => redirect(StatusCode::MOVED_PERMANENTLY),
        "redirect-302" => redirect(StatusCode::FOUND),
        "redirect-307" => redirect(StatusCode::TEMPORARY_REDIRECT),
        "redirect-308" => redirect(StatusCode::PERMANENT_REDIRECT),
        // Absurd waits first, then an answer: the run must go on, not panic or sleep for ages.
        "retry-after-huge" if n % 2 == 1 => {
            let wait = if n % 4 == 1 {
                "1e30"
            } else {
                "99999999999999999999"
            };
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, wait)],
                axum::Json(json!({"detail": "slow down"})),
            )
                .into_response()
        }
        "retry-after-huge" => success(person("fine after waiting")),
        "huge-body" => success(person(&"x".repeat(HUGE_BODY_BYTES))),
        "endless-body" => {
            let chunk = Bytes::from(vec![b' '; 64 * 1024]);
            let stream = futures::stream::repeat_with(move || Ok::<_, io::Error>(chunk.clone()));
            (
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
        "escapes-401" => (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({ "detail": format!("Invalid key{ESCAPES}") })),
        )
            .into_response(),
        "escapes-500" => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "error": format!("bad request{ESCAPES}") })),
        )
            .into_response(),
        "echo-key" => {
            let key = headers
                .get("x-api-key")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            success(json!({"person": {
                "firstName": "Eve",
                "headline": format!("your key is {key}"),
                "location": key,
            }}))
        }
        "always-500" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({"detail": "upstream down"})),
        )
            .into_response(),
        "hang" => std::future::pending().await,
        _ => (StatusCode::NOT_FOUND, "unknown case").into_response(),
    }
}

async fn elsewhere(
    State(log): State<Arc<Log>>,
    Path(rest): Path<String>,
    headers: HeaderMap,
) -> Response {
    log.record(&format!("/{rest}"), &headers);
    success(person("answer from another host"))
}
