//! AI column throughput: cells per second at parallel 16 against the demo LLM endpoint
//! (Anthropic's protocol, over real loopback HTTP) answering after 500 ms, through the whole
//! session (router, caller, engine), rate limits off. One model call per cell (no research),
//! so the ideal is parallel ÷ latency = 32 cells/s; the goal is at least 0.9 of it.
//!
//! Part 1 (printed, one run, real time): `LEADGRID_BENCH_CELLS` cells (default 320).
//! Part 2 (criterion): 64 cells, i.e. four rounds of 16 (ideal 2 s).

use criterion::{Criterion, criterion_group, criterion_main};
use leadgrid::config::Config;
use leadgrid::demo::DemoOptions;
use leadgrid::engine::{Event, EventReceiver, Job, JobKey};
use leadgrid::integrations::user::definition::Definition;
use leadgrid::integrations::user::{Catalog, Settings};
use leadgrid::integrations::{Fields, Integration};
use leadgrid::session::{Session, SessionOptions};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PARALLEL: usize = 16;
const LATENCY: Duration = Duration::from_millis(500);

const COLUMN: &str = r#"
name = "bench_size"
kind = "ai"
prompt = "How many employees does {{company}} ({{domain}}) have, and in which industry is it?"

[[outputs]]
name = "employees"
type = "integer"

[[outputs]]
name = "industry"
type = "text"
"#;

/// A session against a fresh demo server, its event stream, and the AI column.
fn setup() -> (Session, EventReceiver, Arc<dyn Integration>) {
    let user = "[rate_limits]\nanthropic = 0\n";
    let config =
        Config::from_sources(Some((Path::new("bench.toml"), user)), |_| None).expect("config");
    let catalog = Catalog::load(None, Settings::from_config(&config));
    let column = catalog
        .build(&Definition::parse(COLUMN).expect("definition"))
        .expect("column");
    let opts = SessionOptions {
        demo: Some(DemoOptions {
            latency: LATENCY,
            ..DemoOptions::default()
        }),
        parallel: Some(PARALLEL),
        ..SessionOptions::default()
    };
    let mut session = Session::start(&config, opts).expect("session");
    let events = session.take_events().expect("events");
    (session, events, column)
}

/// Runs `cells` cells (distinct companies, so nothing is shared or cached) starting at row
/// `first`, and returns the wall time and how many finished with the model's answer (done, or
/// no data for the demo's companies that do not exist: a paid answer either way).
fn run(
    session: &Session,
    events: &mut EventReceiver,
    column: &Arc<dyn Integration>,
    first: u64,
    cells: u64,
) -> (Duration, u64) {
    let jobs: Vec<Job> = (first..first + cells)
        .map(|row| Job {
            key: JobKey { row, column: 0 },
            integration: column.clone(),
            inputs: Fields::from([
                ("company".to_owned(), format!("Benchmark Company {row}")),
                ("domain".to_owned(), format!("bench-{row}.example")),
            ]),
            fresh: false,
            budget: None,
        })
        .collect();
    let start = Instant::now();
    session.engine.submit(jobs);
    let mut done = 0;
    while let Some(event) = events.blocking_recv() {
        match event {
            Event::Finished(result)
                if matches!(
                    result.state,
                    leadgrid::cell::CellState::Done | leadgrid::cell::CellState::NoData
                ) =>
            {
                done += 1
            }
            Event::Idle => break,
            _ => {}
        }
    }
    (start.elapsed(), done)
}

fn report() {
    let cells: u64 = std::env::var("LEADGRID_BENCH_CELLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(320);
    let (session, mut events, column) = setup();
    let (elapsed, done) = run(&session, &mut events, &column, 0, cells);
    let actual = done as f64 / elapsed.as_secs_f64();
    let ideal = PARALLEL as f64 / LATENCY.as_secs_f64();
    println!(
        "AI column, {cells} cells, parallel {PARALLEL}, {LATENCY:?} demo LLM latency: \
         {actual:.1} cells/s, ideal {ideal:.1}, ratio {:.3} ({done} answered in {elapsed:.2?})",
        actual / ideal
    );
}

fn bench(c: &mut Criterion) {
    report();
    let (session, mut events, column) = setup();
    let mut group = c.benchmark_group("ai");
    group.sample_size(10);
    let mut next = 1_000_000;
    group.bench_function("64 cells, parallel 16, 500 ms LLM", |b| {
        b.iter(|| {
            // New companies each time: a repeat would be answered by the memo for free.
            let out = run(&session, &mut events, &column, next, 64);
            next += 64;
            out
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
