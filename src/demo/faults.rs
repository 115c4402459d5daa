//! Injected faults: which request fails and how, decided from the seed and the request number
//! alone so a run with the same seed sees the same faults.

use super::hash::SplitMix;
use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

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
    fn deterministic_and_off_at_zero() {
        let a: Vec<_> = (0..100).map(|n| Fault::choose(7, n, 0.5)).collect();
        let b: Vec<_> = (0..100).map(|n| Fault::choose(7, n, 0.5)).collect();
        assert_eq!(a, b);
        assert!((0..1000).all(|n| Fault::choose(7, n, 0.0).is_none()));
        assert!((0..1000).all(|n| Fault::choose(7, n, 1.0).is_some()));
    }
}
