//! Injected faults: which request fails and how, decided from the seed and the request number
//! alone so a run with the same seed sees the same faults.

use super::hash::SplitMix;
use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Mutex;

/// One way the demo server can misbehave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 with `Retry-After: 1`.
    RateLimited,
    /// HTTP 500.
    ServerError,
    /// HTTP 524, an upstream timeout at the edge.
    Timeout524,
    /// HTTP 200 whose tool result says "Tool execution failed with status 524".
    ToolTimeout524,
    /// The connection is closed without a complete response.
    Drop,
}

impl Fault {
    const ALL: [Fault; 5] = [
        Fault::RateLimited,
        Fault::ServerError,
        Fault::Timeout524,
        Fault::ToolTimeout524,
        Fault::Drop,
    ];

    /// Stable name used in [`super::DemoStats::faults_by_kind`].
    pub fn name(self) -> &'static str {
        match self {
            Fault::RateLimited => "429",
            Fault::ServerError => "500",
            Fault::Timeout524 => "524",
            Fault::ToolTimeout524 => "524_in_body",
            Fault::Drop => "drop",
        }
    }

    /// The fault a fixture names by [`Fault::name`] (`"429"`, `"500"`, …).
    pub fn named(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The fault (if any) for request number `n`: each request fails with probability `rate`.
    pub fn choose(seed: u64, n: u64, rate: f64) -> Option<Fault> {
        if rate <= 0.0 {
            return None;
        }
        let mut rng = SplitMix::new(seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        if rng.fraction() >= rate {
            return None;
        }
        Fault::ALL
            .get(rng.below(Fault::ALL.len() as u64) as usize)
            .copied()
    }

    /// What a DataGen client receives.
    pub fn response(self) -> Response {
        match self {
            Fault::RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "1")],
                axum::Json(json!({"detail": "Rate limit exceeded"})),
            )
                .into_response(),
            Fault::ServerError => (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(json!({"detail": "Internal Server Error"})),
            )
                .into_response(),
            Fault::Timeout524 => match StatusCode::from_u16(524) {
                Ok(status) => (status, "error code: 524").into_response(),
                Err(_) => StatusCode::GATEWAY_TIMEOUT.into_response(),
            },
            Fault::ToolTimeout524 => axum::Json(json!({
                "success": true,
                "data": {"success": false, "error": "Tool execution failed with status 524"}
            }))
            .into_response(),
            Fault::Drop => dropped_connection(),
        }
    }
}

/// Faults a fixture scripts for one input: the first requests a tool gets for it are answered
/// with the script's faults, in order, and later ones normally. Counted per (tool, input), so
/// the outcome does not depend on what else runs beside it.
#[derive(Debug, Default)]
pub struct Scripted {
    served: Mutex<HashMap<(&'static str, String), usize>>,
}

impl Scripted {
    /// The fault for this request of `tool` for input `key`, if the script has one left.
    pub fn next(&self, tool: &'static str, key: String, script: &[Fault]) -> Option<Fault> {
        if script.is_empty() {
            return None;
        }
        let mut served = self
            .served
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = served.entry((tool, key)).or_default();
        let fault = script.get(*n).copied();
        *n += 1;
        fault
    }
}

/// A response whose body fails at once, which makes hyper abort the connection mid-response.
pub fn dropped_connection() -> Response {
    let broken = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "demo fault: connection dropped",
        ))
    });
    Response::new(Body::from_stream(broken))
}

/// A gateway's HTML error page, as proxies in front of APIs send for 502/503/504.
pub fn gateway_page(status: StatusCode) -> Response {
    let page = format!(
        "<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center></body></html>"
    );
    (status, [(header::CONTENT_TYPE, "text/html")], page).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_is_respected_and_every_kind_occurs() {
        let faults: Vec<Fault> = (0..10_000)
            .filter_map(|n| Fault::choose(42, n, 0.2))
            .collect();
        assert!((1_800..=2_200).contains(&faults.len()), "{}", faults.len());
        for kind in Fault::ALL {
            assert!(faults.contains(&kind), "{kind:?}");
        }
    }

    #[test]
    fn a_script_is_played_once_per_tool_and_input() {
        let scripted = Scripted::default();
        let script = [Fault::RateLimited, Fault::ServerError];
        let take = |tool, key: &str| scripted.next(tool, key.to_string(), &script);
        assert_eq!(take("t", "a"), Some(Fault::RateLimited));
        assert_eq!(take("u", "a"), Some(Fault::RateLimited));
        assert_eq!(take("t", "b"), Some(Fault::RateLimited));
        assert_eq!(take("t", "a"), Some(Fault::ServerError));
        assert_eq!(take("t", "a"), None);
        assert_eq!(Fault::named("500"), Some(Fault::ServerError));
        assert_eq!(Fault::named("teapot"), None);
    }

    #[test]
    fn deterministic_and_off_at_zero() {
        let a: Vec<_> = (0..100).map(|n| Fault::choose(7, n, 0.5)).collect();
        let b: Vec<_> = (0..100).map(|n| Fault::choose(7, n, 0.5)).collect();
        assert_eq!(a, b);
        assert!((0..1000).all(|n| Fault::choose(7, n, 0.0).is_none()));
        assert!((0..1000).all(|n| Fault::choose(7, n, 1.0).is_some()));
    }
}
