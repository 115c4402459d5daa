//! Nothing paid for is lost: a headless run killed with SIGKILL mid-way resumes
//! from its journal and cache, and the demo server's counts show that no finished
//! cell was paid for twice.

use leadgrid::demo::{DemoHandle, DemoOptions};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ROWS: usize = 500;
const PARALLEL: usize = 8;
const PROFILE: &str = "get_linkedin_person_data";
const POSTS: &str = "get_linkedin_person_posts";

fn leadgrid(dir: &Path, demo: &DemoHandle, store: &str, out: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leadgrid"));
    cmd.args([
        "run",
        "leads.csv",
        "-o",
        out,
        "--parallel",
        &PARALLEL.to_string(),
    ])
    .args(["-i", "linkedin_profile,linkedin_post_activity"])
    .current_dir(dir)
    .env("LEADGRID_CONFIG", dir.join("config.toml"))
    .env("LEADGRID_STORE", dir.join(store))
    .env("DATAGEN_API_KEY", "demo-key")
    .env("DATAGEN_BASE_URL", demo.base_url())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    cmd
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn finish(child: Child) -> String {
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

#[test]
#[ignore = "heavy (seconds of real time): scripts/heavy-tests runs it"]
fn killed_run_resumes_without_paying_twice() {
    let dir = tempfile::tempdir().unwrap();
    // No rate limit: the test is about what is paid, not how fast.
    std::fs::write(
        dir.path().join("config.toml"),
        "[rate_limits]\ndatagen = 0\n",
    )
    .unwrap();
    leadgrid::table::generate(&dir.path().join("leads.csv"), ROWS, 11).unwrap();
    let demo = DemoHandle::start_background(DemoOptions {
        latency: Duration::from_millis(20),
        jitter: Duration::from_millis(20),
        ..DemoOptions::default()
    })
    .unwrap();

    // First run: killed once a good part of the list is paid for.
    let mut child = leadgrid(dir.path(), &demo, "store.sqlite3", "out.csv")
        .spawn()
        .unwrap();
    wait_until("a third of the calls", || {
        demo.stats_summary().paid_calls() >= (ROWS as u64 * 2) / 3
    });
    child.kill().unwrap(); // SIGKILL: no chance to flush or clean up
    let _ = child.wait();
    let at_kill = demo.stats();
    assert!(
        !dir.path().join("out.csv").exists(),
        "a killed run must not leave a half-written output"
    );

    // Second run of the same command: restores what finished, pays for the rest.
    let stderr = finish(
        leadgrid(dir.path(), &demo, "store.sqlite3", "out.csv")
            .spawn()
            .unwrap(),
    );
    assert!(stderr.contains("restored "), "{stderr}");
    // The killed run's partial temp file is cleared by the next run.
    let temps: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(temps.is_empty(), "{temps:?}");
    let after = demo.stats();

    // Only calls in flight at the kill (at most one per running job) may have been paid twice.
    let repaid: u64 = [PROFILE, POSTS]
        .iter()
        .flat_map(|tool| {
            after
                .by_param
                .get(*tool)
                .into_iter()
                .flat_map(|m| m.values())
        })
        .map(|&n| n.saturating_sub(1))
        .sum();
    assert!(repaid <= PARALLEL as u64, "{repaid} calls paid twice");
    assert!(after.max_paid_per_param(PROFILE) <= 2);
    // Every profile was paid at most once more than it was at the kill, and the run
    // completed every row: one answered call per distinct profile, in all.
    let profiles = after.by_param.get(PROFILE).map_or(0, |m| m.len());
    assert_eq!(profiles, ROWS);
    assert!(at_kill.paid_calls() < after.paid_calls());

    // The resumed result matches a clean run on a fresh store.
    finish(
        leadgrid(dir.path(), &demo, "clean.sqlite3", "clean.csv")
            .spawn()
            .unwrap(),
    );
    let resumed = read_csv(&dir.path().join("out.csv"));
    let clean = read_csv(&dir.path().join("clean.csv"));
    assert_eq!(resumed.len(), ROWS);
    let header = csv::Reader::from_path(dir.path().join("out.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    // Profiles are static; post dates move with the clock, so compare what does not.
    let stable: Vec<usize> = [
        "headline",
        "current_company",
        "location",
        "follower_count",
        "total_posts",
    ]
    .iter()
    .map(|name| header.iter().position(|h| h == *name).unwrap())
    .collect();
    for (r, (a, b)) in resumed.iter().zip(&clean).enumerate() {
        for &c in &stable {
            assert_eq!(a[c], b[c], "row {r}, column {}", &header[c]);
        }
    }
    let empty_headlines = resumed.iter().filter(|r| r[stable[0]].is_empty()).count();
    assert!(
        empty_headlines < ROWS / 10,
        "{empty_headlines} rows without a profile"
    );
}
