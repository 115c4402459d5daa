//! What the MCP server adds to an enrichment: the same 1,000 demo rows through
//! `leadgrid run` and through `leadgrid mcp`'s `enrich` (the real binary, spoken to with
//! the SDK's client), each with a fresh store against one demo server with 20 ms latency.
//! Prints both times and their ratio (goal: within 5 %). `LEADGRID_BENCH_ROWS` changes the
//! row count; build the release binary first (`cargo build --release`) and run with
//! `cargo bench --bench mcp_overhead`.

use leadgrid::demo::{DemoHandle, DemoOptions};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 3;

fn binary() -> PathBuf {
    let release = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/leadgrid");
    if release.exists() {
        release
    } else {
        PathBuf::from(env!("CARGO_BIN_EXE_leadgrid"))
    }
}

fn headless(dir: &Path, demo: &DemoHandle) -> Duration {
    let _ = std::fs::remove_file(dir.join("store.sqlite3"));
    let start = Instant::now();
    let out = Command::new(binary())
        .current_dir(dir)
        .env("LEADGRID_CONFIG", dir.join("config.toml"))
        .env("LEADGRID_STORE", dir.join("store.sqlite3"))
        .env("DATAGEN_API_KEY", "bench")
        .env("DATAGEN_BASE_URL", demo.base_url())
        .args([
            "run",
            "leads.csv",
            "-i",
            "linkedin_profile",
            "-p",
            "16",
            "--json",
        ])
        .output()
        .expect("leadgrid run");
    assert!(out.status.code().is_some_and(|c| c <= 2), "run failed");
    start.elapsed()
}

async fn through_mcp(dir: &Path, demo: &DemoHandle) -> Duration {
    let _ = std::fs::remove_file(dir.join("store.sqlite3"));
    let mut cmd = tokio::process::Command::new(binary());
    cmd.arg("mcp")
        .arg("--root")
        .arg(dir)
        .env("LEADGRID_CONFIG", dir.join("config.toml"))
        .env("LEADGRID_STORE", dir.join("store.sqlite3"))
        .env("DATAGEN_API_KEY", "bench")
        .env("DATAGEN_BASE_URL", demo.base_url());
    let client = ().serve(TokioChildProcess::new(cmd).expect("spawn")).await.expect("initialize");
    let args = json!({"path": "leads.csv", "integrations": ["linkedin_profile"]});
    let serde_json::Value::Object(args) = args else {
        unreachable!()
    };
    let start = Instant::now();
    let result = client
        .call_tool(CallToolRequestParams::new("enrich").with_arguments(args))
        .await
        .expect("enrich");
    let elapsed = start.elapsed();
    assert_ne!(result.is_error, Some(true), "enrich failed");
    let _ = client.cancel().await;
    elapsed
}

fn main() {
    let rows: usize = std::env::var("LEADGRID_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().expect("tempdir");
    // Parallelism comes from the config so both faces use the same.
    std::fs::write(
        dir.path().join("config.toml"),
        "[engine]\nparallel = 16\n[rate_limits]\ndatagen = 0\n",
    )
    .expect("config");
    leadgrid::table::generate(&dir.path().join("leads.csv"), rows, 7).expect("generate");
    let demo = DemoHandle::start_background(DemoOptions {
        latency: Duration::from_millis(20),
        ..DemoOptions::default()
    })
    .expect("demo");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut run, mut mcp) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        run.push(headless(dir.path(), &demo).as_secs_f64());
        mcp.push(
            runtime
                .block_on(through_mcp(dir.path(), &demo))
                .as_secs_f64(),
        );
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (run, mcp) = (median(&mut run), median(&mut mcp));
    println!(
        "{rows} rows, parallel 16, 20 ms demo latency, median of {RUNS}: leadgrid run {run:.2} s, mcp enrich {mcp:.2} s, ratio {:.3}",
        mcp / run
    );
}
