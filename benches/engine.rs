//! Engine throughput against its ideal, and its own cost per call.
//!
//! Part 1 (printed, one run each, real time): 1,000 rows through a 200 ms fake
//! provider at parallel 5, 16 and 64; the ideal is parallel ÷ latency calls per
//! second, and the ratio shows what the engine loses. Rate limits are off here
//! (the default 600/min would cap every run at 10 calls/s).
//! Part 2 (criterion): 1,000 jobs at zero latency, so the time is the engine's
//! own overhead; divided by 1,000 it is the cost per call.
//! `LEADGRID_BENCH_ROWS` changes the row count of part 1.

use criterion::{Criterion, criterion_group, criterion_main};
use leadgrid::engine::caller::{Caller, CallerSettings};
use leadgrid::engine::fake::{FAKE_PROFILE, FakeIntegration, FakeTransport};
use leadgrid::engine::{Engine, EngineSettings, Event, Job, JobKey};
use leadgrid::integrations::{Fields, Integration};
use leadgrid::providers::NoCache;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn jobs(rows: u64) -> Vec<Job> {
    let integration: Arc<dyn Integration> = Arc::new(FakeIntegration(&FAKE_PROFILE));
    (0..rows)
        .map(|row| Job {
            key: JobKey { row, column: 0 },
            integration: integration.clone(),
            inputs: Fields::from([(
                "linkedin_url".to_owned(),
                format!("https://www.linkedin.com/in/bench-{row}/"),
            )]),
            fresh: false,
            budget: None,
        })
        .collect()
}

/// Runs `rows` jobs and returns the wall time and the calls the provider saw.
fn run(rt: &Runtime, parallel: usize, latency: Duration, rows: u64) -> (Duration, u64) {
    let transport = Arc::new(FakeTransport::echo(latency));
    let settings = CallerSettings {
        rate_limits: BTreeMap::new(),
        ..CallerSettings::default()
    };
    let caller = Arc::new(Caller::new(transport.clone(), settings, Arc::new(NoCache)));
    let engine_settings = EngineSettings {
        parallel,
        ..EngineSettings::default()
    };
    let (engine, mut events) = Engine::new(rt.handle(), engine_settings, caller);
    let start = Instant::now();
    engine.submit(jobs(rows));
    while let Some(event) = events.blocking_recv() {
        if matches!(event, Event::Idle) {
            break;
        }
    }
    (start.elapsed(), transport.calls())
}

/// User + system CPU seconds of this process so far (Linux), for CPU per call.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn throughput_report() {
    let rows: u64 = std::env::var("LEADGRID_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let latency = Duration::from_millis(200);
    let rt = runtime();
    println!("engine throughput, {rows} rows, {latency:?} latency, no rate limit:");
    for parallel in [5usize, 16, 64] {
        let (elapsed, calls) = run(&rt, parallel, latency, rows);
        let actual = calls as f64 / elapsed.as_secs_f64();
        let ideal = parallel as f64 / latency.as_secs_f64();
        println!(
            "  parallel {parallel:>3}: {actual:8.1} calls/s, ideal {ideal:6.1}, ratio {:.3} ({calls} calls in {elapsed:.2?})",
            actual / ideal
        );
    }
    let before = cpu_seconds();
    let start = Instant::now();
    let (_, calls) = run(&rt, 16, Duration::ZERO, 10_000);
    let wall = start.elapsed();
    if let (Some(a), Some(b)) = (before, cpu_seconds()) {
        println!(
            "  zero latency, parallel 16: {:.1} µs CPU and {:.1} µs wall per call over {calls} calls",
            (b - a) * 1e6 / calls as f64,
            wall.as_secs_f64() * 1e6 / calls as f64
        );
    }
}

fn zero_latency(c: &mut Criterion) {
    throughput_report();
    let rt = runtime();
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.bench_function("1000 jobs, zero latency, parallel 16", |b| {
        b.iter(|| run(&rt, 16, Duration::ZERO, 1000));
    });
    group.finish();
}

criterion_group!(benches, zero_latency);
criterion_main!(benches);
