//! User-defined HTTP integrations (`kind = "http"`).
//!
//! Part 1 (printed, one run, real time): cells per second of the README's `company_size` file
//! at parallel 16 against a loopback API answering after 100 ms, through the whole session
//! (router's generic route, caller, engine), rate limits off. One call per cell, so the ideal is
//! parallel ÷ latency = 160 cells/s. `LEADGRID_BENCH_CELLS` cells (default 640).
//!
//! Part 2 (criterion): what the kind adds per row on the CPU: rendering the request (URL
//! encoding, headers, JSON body) and reading the outputs by JSONPath from a typical answer.

use axum::http::Uri;
use criterion::{Criterion, criterion_group, criterion_main};
use leadgrid::config::Config;
use leadgrid::engine::{Event, EventReceiver, Job, JobKey};
use leadgrid::integrations::http::HttpColumn;
use leadgrid::integrations::user::definition::{Definition, KindDef};
use leadgrid::integrations::{Fields, Integration};
use leadgrid::session::{Session, SessionOptions};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PARALLEL: usize = 16;
const LATENCY: Duration = Duration::from_millis(100);

/// The README's example at `BASE` (the loopback API, which asks for no key).
const FILE: &str = r#"
name = "company_size"
kind = "http"
provider = "bench_api"
url = "BASE/v1/companies?domain={{domain}}"
headers = { X-Team = "growth {{campaign}}" }
cost = 0.002
no_data_status = [404]

[[inputs]]
name = "domain"

[[inputs]]
name = "campaign"
required = false

[[outputs]]
name = "employees"
type = "integer"
path = "$.company.employees"

[[outputs]]
name = "tags"
type = "text"
path = "$.company.tags[*]"
"#;

/// A POST variant, for the per-row cost of a JSON body.
const POST: &str = r#"
name = "company_lookup"
kind = "http"
method = "POST"
url = "https://api.example.com/v2/lookup"
body = '{"query": {"domain": "{{domain}}", "campaign": "{{campaign}}"}, "limit": 3}'

[[outputs]]
name = "employees"
type = "integer"
path = "$.company.employees"
"#;

fn column(text: &str) -> HttpColumn {
    let def = Definition::parse(text).expect("definition");
    let KindDef::Http(http) = &def.kind else {
        panic!("an http file");
    };
    HttpColumn::new(&def, http).expect("column")
}

/// Starts the loopback API on `runtime`: every company has 48 employees, after `LATENCY`.
fn api(runtime: &tokio::runtime::Runtime) -> String {
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new().route(
        "/v1/companies",
        axum::routing::get(|uri: Uri| async move {
            tokio::time::sleep(LATENCY).await;
            let q: HashMap<String, String> =
                url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
                    .into_owned()
                    .collect();
            axum::Json(
                json!({"company": {"domain": q.get("domain"), "employees": 48, "tags": ["b2b"]}}),
            )
        }),
    );
    runtime.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

fn report() {
    let cells: u64 = std::env::var("LEADGRID_BENCH_CELLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(640);
    let server = tokio::runtime::Runtime::new().expect("runtime");
    let base = api(&server);
    let config = Config::from_sources(None, |_| None).expect("config");
    let opts = SessionOptions {
        parallel: Some(PARALLEL),
        allow_no_key: true,
        ..SessionOptions::default()
    };
    let mut session = Session::start(&config, opts).expect("session");
    let mut events = session.take_events().expect("events");
    let integration: Arc<dyn Integration> = Arc::new(column(&FILE.replace("BASE", &base)));
    let (elapsed, done) = run(&session, &mut events, &integration, cells);
    let actual = done as f64 / elapsed.as_secs_f64();
    let ideal = PARALLEL as f64 / LATENCY.as_secs_f64();
    println!(
        "http integration, {cells} cells, parallel {PARALLEL}, {LATENCY:?} API latency: \
         {actual:.1} cells/s, ideal {ideal:.1}, ratio {:.3} ({done} done in {elapsed:.2?})",
        actual / ideal
    );
}

/// Runs `cells` cells (distinct domains: nothing shared or cached) and returns the wall time
/// and how many ended done.
fn run(
    session: &Session,
    events: &mut EventReceiver,
    column: &Arc<dyn Integration>,
    cells: u64,
) -> (Duration, u64) {
    let jobs: Vec<Job> = (0..cells)
        .map(|row| Job {
            key: JobKey { row, column: 0 },
            integration: column.clone(),
            inputs: Fields::from([("domain".to_owned(), format!("bench-{row}.example"))]),
            fresh: false,
            budget: None,
        })
        .collect();
    let start = Instant::now();
    session.engine.submit(jobs);
    let mut done = 0;
    while let Some(event) = events.blocking_recv() {
        match event {
            Event::Finished(result) if result.state == leadgrid::cell::CellState::Done => done += 1,
            Event::Idle => break,
            _ => {}
        }
    }
    (start.elapsed(), done)
}

fn bench(c: &mut Criterion) {
    report();
    let get = column(&FILE.replace("BASE", "https://api.example.com"));
    let post = column(POST);
    let inputs = Fields::from([
        ("domain".to_owned(), "brightforge labs.example".to_owned()),
        (
            "campaign".to_owned(),
            "Q1 \"founders\" & friends".to_owned(),
        ),
    ]);
    let answer = json!({"company": {"name": "Brightforge Labs", "employees": "1,250",
        "tags": ["b2b", "saas", "devtools"], "address": {"city": "London", "country": "UK"},
        "funding": [{"round": "seed", "usd": 2_000_000}, {"round": "a", "usd": 12_000_000}]}});
    let mut group = c.benchmark_group("http_kind");
    group.bench_function("GET: render the request", |b| {
        b.iter(|| get.params(&inputs))
    });
    group.bench_function("POST: render the request with a JSON body", |b| {
        b.iter(|| post.params(&inputs))
    });
    group.bench_function("read 2 outputs by JSONPath", |b| {
        b.iter(|| get.outputs().read(get.spec().outputs, &answer))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
