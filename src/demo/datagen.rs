//! DataGen's tool-execution endpoint (`POST /api/tools/execute`): runs a [`DemoTool`] and wraps
//! its result (or its failure) the way the live service does.
//!
//! [`DemoTool`]: super::tools::DemoTool

use super::Shared;
use super::faults::Fault;
use super::gate::{self, Protocol};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// DataGen: key in `X-API-Key`, errors as `{"detail"}`.
struct Datagen;

impl Protocol for Datagen {
    fn name(&self) -> &'static str {
        "datagen"
    }

    fn sent_key(&self, headers: &HeaderMap, _query: Option<&str>) -> Option<String> {
        gate::header(headers, "x-api-key")
    }

    fn unauthorized(&self) -> Response {
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"detail": "Invalid or missing API key"})),
        )
            .into_response()
    }

    fn fault(&self, fault: Fault) -> (&'static str, Response) {
        (fault.name(), fault.response())
    }
}

fn tool_answer(result: Result<Value, String>) -> Response {
    let data = match result {
        Ok(result) => json!({"success": true, "result": result}),
        Err(error) => json!({"success": false, "error": error}),
    };
    axum::Json(json!({"success": true, "data": data})).into_response()
}

fn bad_request(status: StatusCode, detail: &str) -> Response {
    (status, axum::Json(json!({ "detail": detail }))).into_response()
}

/// `POST /api/tools/execute`.
pub(super) async fn execute(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _request = match gate::admit(&s, &Datagen, &headers, None).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return bad_request(StatusCode::BAD_REQUEST, "body is not JSON");
    };
    let Some(tool) = req.get("tool_alias_name").and_then(Value::as_str) else {
        return bad_request(
            StatusCode::UNPROCESSABLE_ENTITY,
            "tool_alias_name is required",
        );
    };
    let params = req.get("parameters").cloned().unwrap_or(json!({}));
    match s.tools.get(tool) {
        None => tool_answer(Err(format!("Unknown tool: {tool}"))),
        Some(t) => {
            let script = if s.opts.scripted_faults {
                t.scripted_faults(&params)
            } else {
                Vec::new()
            };
            if let Some(fault) = s.scripted.next(t.name(), t.billing_key(&params), &script) {
                let (kind, response) = Datagen.fault(fault);
                s.stats.fault(kind);
                return response;
            }
            s.stats.paid(tool, t.billing_key(&params));
            tool_answer(t.run(&params, chrono::Utc::now()))
        }
    }
}
