//! `leadgrid run` and `leadgrid integrations` as a user runs them: the real binary,
//! the in-process demo server (or a loopback one) and files in a temp dir.

use leadgrid::demo::{DemoHandle, DemoOptions};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/lead-list/sample.csv");

struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("config.toml"), "").expect("config");
        Dir { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        fs::write(&p, text).expect("write input");
        p
    }

    fn sample(&self) -> PathBuf {
        let p = self.path("sample.csv");
        fs::copy(SAMPLE, &p).expect("copy sample");
        p
    }

    /// The binary in this dir, with its config file and store.
    fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_leadgrid"));
        cmd.current_dir(self.dir.path())
            .env("LEADGRID_CONFIG", self.path("config.toml"))
            .env("LEADGRID_STORE", self.path("store.sqlite3"));
        cmd
    }

    /// The binary talking to `base_url` with `key`.
    fn against(&self, key: &str, base_url: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = self.command();
        cmd.env("DATAGEN_API_KEY", key)
            .env("DATAGEN_BASE_URL", base_url);
        cmd
    }

    /// The binary with an empty user config and no key in the environment.
    fn leadgrid(&self, args: &[&str]) -> Output {
        self.command()
            .args(args)
            .env_remove("DATAGEN_API_KEY")
            .env_remove("DATAGEN_BASE_URL")
            .output()
            .expect("run leadgrid")
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn summary(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON summary: {e}\nstderr: {}", stderr(out)))
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("open output");
    let mut records = r
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect());
    let headers = records.next().expect("header");
    (headers, records.collect())
}

fn column(headers: &[String], name: &str) -> usize {
    headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {headers:?}"))
}

#[test]
fn demo_run_enriches_the_sample_and_keeps_every_input_column() {
    let d = Dir::new();
    let input = d.sample();
    let out = d.leadgrid(&[
        "run",
        "sample.csv",
        "--integrations",
        "linkedin_profile,linkedin_post_activity,linkedin_claude_mentions,email_domain",
        "--demo",
        "--json",
    ]);
    // The demo shows every state: Farid's profile fails after a 429 and 500s.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["rows"], 8);
    let profile = &s["integrations"]["linkedin_profile"];
    assert_eq!(
        (
            profile["done"].as_u64(),
            profile["no_data"].as_u64(),
            profile["failed"].as_u64()
        ),
        (Some(5), Some(1), Some(1))
    );
    assert_eq!(profile["skipped"], 1, "the lead without a LinkedIn URL");
    assert_eq!(s["integrations"]["email_domain"]["done"], 8);
    // Post activity and Claude mentions need the same posts: one of each pair is shared.
    assert_eq!(s["calls_shared"], 7);
    // 14 calls, and three retries of Farid's profile.
    assert_eq!(s["calls_made"], 17);

    let (in_headers, in_rows) = read_csv(&input);
    let (headers, rows) = read_csv(&d.path("sample_enriched.csv"));
    assert_eq!(&headers[..in_headers.len()], &in_headers[..]);
    for (before, after) in in_rows.iter().zip(&rows) {
        assert_eq!(&after[..before.len()], &before[..]);
    }
    let farid = &rows[5];
    let error = &farid[column(&headers, "linkedin_profile_error")];
    assert!(error.contains("HTTP 500"), "{error}");
    assert_eq!(farid[column(&headers, "headline")], "");
    let ada = &rows[0];
    assert_eq!(ada[column(&headers, "linkedin_profile_error")], "");
    assert_eq!(ada[column(&headers, "follower_count")], "48210");
    assert_eq!(ada[column(&headers, "current_company")], "Brightforge Labs");
    assert_eq!(ada[column(&headers, "claude_mentions_count")], "3");
    assert_eq!(ada[column(&headers, "email_domain")], "brightforge.example");
    let errors: Vec<&String> = headers.iter().filter(|h| h.ends_with("_error")).collect();
    assert_eq!(
        errors,
        ["linkedin_profile_error"],
        "only the failing integration"
    );
}

#[test]
fn existing_output_columns_are_filled_in_place_and_skip_existing_is_honoured() {
    let d = Dir::new();
    d.file(
        "leads.csv",
        "name,email,email_domain\nA,a@one.example,\nB,b@two.example,kept.example\n",
    );
    let out = d.leadgrid(&[
        "run",
        "leads.csv",
        "-i",
        "email_domain",
        "--skip-existing",
        "-o",
        "out.csv",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(summary(&out)["integrations"]["email_domain"]["skipped"], 1);
    let (headers, rows) = read_csv(&d.path("out.csv"));
    assert_eq!(headers, ["name", "email", "email_domain"]);
    assert_eq!(rows[0][2], "one.example");
    assert_eq!(rows[1][2], "kept.example");
}

#[test]
fn network_integrations_without_a_key_explain_how_to_get_one() {
    let d = Dir::new();
    d.sample();
    let out = d.leadgrid(&["run", "sample.csv", "-i", "linkedin_profile"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("DATAGEN_API_KEY") && err.contains("--demo"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!d.path("sample_enriched.csv").exists());
}

#[test]
fn unknown_names_list_the_valid_ones() {
    let d = Dir::new();
    d.sample();
    let out = d.leadgrid(&["run", "sample.csv", "-i", "linkedin_profle", "--demo"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("unknown integration `linkedin_profle`"),
        "{err}"
    );
    assert!(err.contains("linkedin_profile, "), "{err}");

    let out = d.leadgrid(&[
        "run",
        "sample.csv",
        "-i",
        "linkedin_profile",
        "--demo",
        "--map",
        "linkedin_url=Profile",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no column `Profile`") && err.contains("first_name, last_name"),
        "{err}"
    );
}

#[test]
fn failed_cells_get_an_error_column_and_exit_code_2() {
    let d = Dir::new();
    d.sample();
    // Nothing listens on the discard port of loopback: every call fails to connect.
    let out = d
        .against("test-key", "http://127.0.0.1:9")
        .args([
            "run",
            "sample.csv",
            "-i",
            "linkedin_profile,email_domain",
            "--json",
        ])
        .args(["--max-attempts", "1", "--limit", "3"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["rows_enriched"], 3);
    assert_eq!(s["integrations"]["linkedin_profile"]["failed"], 3);
    assert_eq!(s["integrations"]["email_domain"]["done"], 3);
    let (headers, rows) = read_csv(&d.path("sample_enriched.csv"));
    let error = column(&headers, "linkedin_profile_error");
    assert!(
        rows[0][error].contains("could not connect"),
        "{:?}",
        rows[0]
    );
    assert_eq!(rows[0][column(&headers, "headline")], "");
    assert_eq!(rows[5][error], "", "rows past --limit are untouched");
    assert!(!headers.contains(&"email_domain_error".to_owned()));
    assert!(!stderr(&out).contains("test-key"));
}

#[test]
fn an_auth_failure_stops_the_column_and_is_reported_once() {
    let demo = DemoHandle::start_background(DemoOptions {
        required_key: Some("right-key".into()),
        ..DemoOptions::default()
    })
    .expect("demo server");
    let d = Dir::new();
    d.sample();
    let out = d
        .against("wrong-key", demo.base_url())
        .args([
            "run",
            "sample.csv",
            "-i",
            "linkedin_profile",
            "--parallel",
            "1",
            "--json",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err.matches("stopped after an authentication failure")
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("DATAGEN_API_KEY"), "{err}");
    assert!(!err.contains("wrong-key"));
    let s = summary(&out);
    // The 401 fails its cell; the column's other cells are cancelled (the same command
    // runs them once the key is fixed), Grace without a URL is skipped.
    let profile = &s["integrations"]["linkedin_profile"];
    // (Cells already waiting on the one call fail with it.)
    let (failed, cancelled) = (profile["failed"].as_u64(), profile["cancelled"].as_u64());
    assert_eq!(failed.zip(cancelled).map(|(f, c)| f + c), Some(7), "{s}");
    assert!(cancelled >= Some(1), "{s}");
    assert_eq!(profile["skipped"], 1, "{s}");
    let (headers, rows) = read_csv(&d.path("sample_enriched.csv"));
    let errors = column(&headers, "linkedin_profile_error");
    assert!(
        rows.iter()
            .any(|r| r[errors].starts_with("cancelled: not run")),
        "{rows:?}"
    );
    assert_eq!(s["calls_made"], 1, "one 401, then the column stops");
    assert_eq!(demo.stats().unauthorized, 1);
}

#[test]
fn integrations_json_describes_inputs_outputs_and_cost() {
    let d = Dir::new();
    let out = d.leadgrid(&["integrations", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let all = json["integrations"].as_array().expect("list");
    let profile = all
        .iter()
        .find(|i| i["name"] == "linkedin_profile")
        .expect("listed");
    assert_eq!(profile["provider"], "datagen");
    assert_eq!(profile["inputs"][0]["name"], "linkedin_url");
    assert!(profile["outputs"].as_array().expect("outputs").len() >= 4);
}

#[test]
fn ctrl_c_cancels_and_still_writes_the_partial_result() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt
        .block_on(leadgrid::demo::DemoServer::start(
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            DemoOptions {
                hang: true,
                ..DemoOptions::default()
            },
        ))
        .expect("demo server");
    let d = Dir::new();
    d.sample();
    let child = d
        .against("k", server.base_url())
        .args([
            "run",
            "sample.csv",
            "-i",
            "linkedin_profile,email_domain",
            "--json",
        ])
        .args(["--parallel", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let bound = std::time::Duration::from_secs(30);
    rt.block_on(async {
        tokio::time::timeout(bound, server.wait_until(|s| s.in_flight >= 2))
            .await
            .expect("two calls hanging")
    });
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = child.wait_with_output().expect("exit");
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["interrupted"], true);
    // Jobs go row by row: row 1's email_domain ran beside the first hanging call.
    let email = &s["integrations"]["email_domain"];
    assert!(email["done"].as_u64() >= Some(1), "{s}");
    assert_eq!(
        email["done"]
            .as_u64()
            .zip(email["cancelled"].as_u64())
            .map(|(a, b)| a + b),
        Some(8)
    );
    // Interrupted cells are cancelled, not skipped: Grace (no URL) is the one skip.
    let profile = &s["integrations"]["linkedin_profile"];
    assert_eq!(
        (
            profile["cancelled"].as_u64(),
            profile["skipped"].as_u64(),
            profile["failed"].as_u64()
        ),
        (Some(7), Some(1), Some(0))
    );
    let (headers, rows) = read_csv(&d.path("sample_enriched.csv"));
    assert_eq!(
        rows[0][column(&headers, "email_domain")],
        "brightforge.example"
    );
    assert_eq!(rows[0][column(&headers, "headline")], "");
}

#[test]
fn dialect_is_kept_and_a_stale_error_column_is_refreshed() {
    let d = Dir::new();
    d.file(
        "leads.csv",
        "name;email;email_domain_error\nA;a@one.example;old failure\nB;not an email;\n",
    );
    let out = d.leadgrid(&["run", "leads.csv", "-i", "email_domain", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = fs::read_to_string(d.path("leads_enriched.csv")).expect("output");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("name;email;email_domain_error;email_domain")
    );
    assert_eq!(lines.next(), Some("A;a@one.example;;one.example"));
    let b = lines.next().expect("row B");
    assert!(b.starts_with("B;not an email;") && b.ends_with(';'), "{b}");
    assert!(
        b.len() > "B;not an email;;".len(),
        "B's error is written: {b}"
    );
}

#[test]
fn second_run_restores_from_the_journal_and_pays_nothing() {
    let d = Dir::new();
    d.sample();
    let args = [
        "run",
        "sample.csv",
        "--demo",
        "--json",
        "-i",
        "linkedin_profile,linkedin_post_activity",
    ];
    // Farid's profile fails in the demo (a 429, then 500s): exit 2 both times.
    let first = d.leadgrid(&args);
    assert_eq!(first.status.code(), Some(2), "{}", stderr(&first));
    let first_summary = summary(&first);
    assert!(first_summary["calls_made"].as_u64().unwrap() > 0);
    assert_eq!(first_summary["cells_restored"], 0);
    let first_csv = fs::read_to_string(d.path("sample_enriched.csv")).unwrap();

    let second = d.leadgrid(&args);
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    let s = summary(&second);
    // Only the failed cell runs again (its four attempts against a fresh demo server).
    assert_eq!(s["calls_made"], 4, "{s}");
    // 7 rows with a URL × 2 integrations, less the failed one; the row without a URL is
    // skipped, not journaled.
    assert_eq!(s["cells_restored"], 13, "{s}");
    assert!(stderr(&second).contains("restored 13 finished cells"));
    assert_eq!(
        fs::read_to_string(d.path("sample_enriched.csv")).unwrap(),
        first_csv
    );

    // --no-store runs without cache and journal: everything is paid again.
    let mut fresh = args.to_vec();
    fresh.push("--no-store");
    let third = summary(&d.leadgrid(&fresh));
    assert_eq!(third["cells_restored"], 0);
    assert!(third["calls_made"].as_u64().unwrap() > 0);
}

#[test]
fn a_corrupt_store_is_reported_and_the_run_goes_on() {
    let d = Dir::new();
    d.sample();
    fs::write(
        d.path("store.sqlite3"),
        b"this is not a database, it is a grocery list",
    )
    .unwrap();
    let out = d.leadgrid(&[
        "run",
        "sample.csv",
        "--demo",
        "-i",
        "linkedin_profile",
        "--store",
        "store.sqlite3",
    ]);
    // 2: the demo's failing row, not the store.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("running without cache and journal"), "{err}");
    assert!(d.path("sample_enriched.csv").exists());
}

#[test]
fn demo_answers_never_land_in_the_real_store() {
    let d = Dir::new();
    d.sample();
    let out = d.leadgrid(&["run", "sample.csv", "--demo", "-i", "linkedin_profile"]);
    // 2: the demo's failing row.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        !d.path("store.sqlite3").exists(),
        "fictional answers would be served to a real run later"
    );
    assert!(
        d.path("store-demo.sqlite3").exists(),
        "the demo keeps its own store"
    );
}

/// Runs the sample through a demo server with `fault_rate`, returning (exit code, rows).
fn run_with_faults(fault_rate: f64) -> (Option<i32>, Vec<String>, Vec<Vec<String>>) {
    let demo = DemoHandle::start_background(DemoOptions {
        fault_rate,
        seed: 7,
        // Random faults alone: the sample's scripted failing row is another test's.
        scripted_faults: false,
        ..DemoOptions::default()
    })
    .expect("demo server");
    let d = Dir::new();
    d.sample();
    // Unlimited rate so the test is about faults, not pacing.
    fs::write(d.path("config.toml"), "[rate_limits]\ndatagen = 0\n").unwrap();
    let out = d
        .against("demo-key", demo.base_url())
        .args(["run", "sample.csv", "--no-store", "--max-attempts", "10"])
        .args([
            "-i",
            "linkedin_profile,linkedin_post_activity,linkedin_claude_mentions",
        ])
        .output()
        .expect("run");
    assert!(
        fault_rate == 0.0 || demo.stats().faults > 0,
        "faults were injected"
    );
    let (headers, rows) = read_csv(&d.path("sample_enriched.csv"));
    (out.status.code(), headers, rows)
}

#[test]
#[ignore = "heavy (seconds of real time): scripts/heavy-tests runs it"]
fn with_thirty_percent_faults_every_row_still_ends_correct() {
    let (code, headers, faulty) = run_with_faults(0.3);
    assert_eq!(code, Some(0), "every fault was retried to success");
    let (_, _, clean) = run_with_faults(0.0);
    assert!(
        !headers.iter().any(|h| h.ends_with("_error")),
        "{headers:?}"
    );
    // Post dates move with the clock between the two runs; everything else must match.
    for name in [
        "headline",
        "current_company",
        "follower_count",
        "posts_last_30_days",
        "total_posts",
        "claude_mentions_count",
    ] {
        let c = column(&headers, name);
        for (r, (a, b)) in faulty.iter().zip(&clean).enumerate() {
            assert_eq!(a[c], b[c], "row {r}, {name}");
        }
    }
}

/// More rows than the run reads ahead: rows stream through in input order, ragged rows and
/// all, and a row whose integration fails gets its message in a column added at the end.
#[test]
fn a_long_list_streams_through_in_order() {
    let d = Dir::new();
    let rows = 40_000;
    let mut text = String::from("first_name,last_name,email\n");
    for i in 0..rows {
        match i {
            // A row wider than the header, and one with no email (a skipped cell).
            17 => text.push_str("Ada,Quill,ada@brightforge.example,extra\n"),
            25_000 => text.push_str("Bram,Lind,\n"),
            39_998 => text.push_str("Chiara,V,not-an-email\n"),
            _ => text.push_str(&format!("P{i},L{i},p{i}@d{}.example\n", i % 97)),
        }
    }
    d.file("long.csv", &text);
    let out = d.leadgrid(&[
        "run",
        "long.csv",
        "-i",
        "email_domain",
        "--json",
        "--no-store",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["rows"], rows);
    assert_eq!(s["integrations"]["email_domain"]["done"], rows - 2, "{s}");
    assert_eq!(s["integrations"]["email_domain"]["failed"], 1, "{s}");
    let (headers, written) = read_csv(&d.path("long_enriched.csv"));
    assert_eq!(
        headers,
        [
            "first_name",
            "last_name",
            "email",
            "",
            "email_domain",
            "email_domain_error"
        ]
    );
    assert_eq!(written.len(), rows);
    let leftovers: Vec<_> = fs::read_dir(d.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    for (i, row) in written.iter().enumerate() {
        match i {
            17 => assert_eq!(
                row,
                &[
                    "Ada",
                    "Quill",
                    "ada@brightforge.example",
                    "extra",
                    "brightforge.example",
                    ""
                ]
            ),
            25_000 => assert_eq!(row, &["Bram", "Lind", "", "", "", ""]),
            39_998 => assert_eq!(row[5], "not an email address: \"not-an-email\""),
            _ => {
                assert_eq!(row[0], format!("P{i}"));
                assert_eq!(row[4], format!("d{}.example", i % 97));
                assert_eq!(row[5], "");
            }
        }
    }
}

#[test]
fn events_stream_one_json_line_per_state_change_then_the_summary() {
    let d = Dir::new();
    d.sample();
    let out = d.leadgrid(&[
        "run",
        "sample.csv",
        "--demo",
        "-i",
        "email_domain",
        "--events",
        "ndjson",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let finished: Vec<&Value> = lines.iter().filter(|l| l["event"] == "finished").collect();
    assert_eq!(finished.len(), 8, "one per row");
    assert!(finished.iter().all(|f| f["integration"] == "email_domain"));
    let rows: std::collections::BTreeSet<u64> =
        finished.iter().filter_map(|f| f["row"].as_u64()).collect();
    assert_eq!(rows, (1..=8).collect());
    assert_eq!(
        lines.iter().filter(|l| l["event"] == "started").count(),
        8,
        "each cell announced when it starts"
    );
    let last = lines.last().expect("a summary line");
    assert_eq!(last["event"], "summary");
    assert_eq!(last["summary"]["integrations"]["email_domain"]["done"], 8);
}

#[test]
fn a_condition_limits_the_rows_enriched_at_no_cost() {
    let d = Dir::new();
    d.sample();
    let out = d.leadgrid(&[
        "run",
        "sample.csv",
        "--demo",
        "-i",
        "linkedin_profile",
        "--if",
        "title = CEO or title ~ 'founder'",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["rows_enriched"], 2, "{s}");
    // The other rows are counted as skipped, not silently dropped.
    assert_eq!(s["integrations"]["linkedin_profile"]["skipped"], 6, "{s}");
    assert_eq!(s["integrations"]["linkedin_profile"]["done"], 2, "{s}");
    assert_eq!(
        s["calls_made"], 2,
        "only the rows the condition keeps are paid"
    );
    let (headers, rows) = read_csv(&d.path("sample_enriched.csv"));
    let headline = column(&headers, "headline");
    assert_eq!(rows.iter().filter(|r| !r[headline].is_empty()).count(), 2);
    let bad = d.leadgrid(&[
        "run",
        "sample.csv",
        "--demo",
        "-i",
        "email_domain",
        "--if",
        "titel >",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("bad --if condition"),
        "{}",
        stderr(&bad)
    );
    assert!(stderr(&bad).contains('^'), "{}", stderr(&bad));
}

#[test]
fn a_dry_run_counts_what_a_run_would_pay_and_calls_nothing() {
    let d = Dir::new();
    d.sample();
    let demo = DemoHandle::start_background(DemoOptions::default()).expect("demo");
    let dry = |d: &Dir| {
        let out = d
            .against("test-key", demo.base_url())
            .args(["run", "sample.csv", "-i", "linkedin_profile,email_domain"])
            .args(["--dry-run", "--json"])
            .output()
            .expect("dry run");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        summary(&out)
    };
    let plan = dry(&d);
    assert_eq!(demo.stats().requests, 0, "a dry run makes no request");
    assert_eq!(plan["rows"], 8);
    let profile = &plan["integrations"][0];
    assert_eq!(profile["integration"], "linkedin_profile");
    assert_eq!(
        profile["missing_input"], 1,
        "one sample row has no LinkedIn URL"
    );
    assert_eq!(profile["paid_rows"], 7, "{plan}");
    assert_eq!(profile["calls"], 7);
    assert_eq!(plan["integrations"][1]["calls"], 0, "local calls nothing");
    assert!(plan["cost_usd"].as_f64().is_some_and(|c| c > 0.0));
    assert_eq!(plan["integrations"][1]["cost_usd"], 0.0, "local is free");
    // After a real run, the same command would restore everything from the journal.
    let out = d
        .against("test-key", demo.base_url())
        .args([
            "run",
            "sample.csv",
            "-i",
            "linkedin_profile,email_domain",
            "--json",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 2),
        "{}",
        stderr(&out)
    );
    let paid = demo.stats().requests;
    let plan = dry(&d);
    assert_eq!(demo.stats().requests, paid, "still no request");
    let profile = &plan["integrations"][0];
    let restored = profile["restored"].as_u64().unwrap_or(0);
    assert!(restored >= 6, "{plan}");
    assert_eq!(profile["paid_rows"].as_u64(), Some(7 - restored), "{plan}");
}

/// The sample with Ada again (her profile URL written differently) and Chiara twice more.
fn sample_with_duplicates(d: &Dir) -> PathBuf {
    let sample = fs::read_to_string(SAMPLE).unwrap();
    let lines: Vec<&str> = sample.lines().collect();
    let ada = lines[1].replace(
        "https://www.linkedin.com/in/ada-quill-demo/",
        "linkedin.com/in/Ada-Quill-Demo",
    );
    assert_ne!(ada, lines[1]);
    d.file(
        "dups.csv",
        &format!("{}\n{ada}\n{}\n{}\n", lines.join("\n"), lines[3], lines[3]),
    )
}

#[test]
fn dedupe_pays_once_per_person_and_duplicates_share_the_answer() {
    let demo = DemoHandle::start_background(DemoOptions {
        scripted_faults: false,
        ..DemoOptions::default()
    })
    .expect("demo server");
    let d = Dir::new();
    sample_with_duplicates(&d);
    let out = d
        .against("demo-key", demo.base_url())
        .args(["run", "dups.csv", "--no-store", "-i", "linkedin_profile"])
        .args(["--dedupe", "--json", "-o", "out.csv"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = summary(&out);
    // Seven people have a profile URL; the three repeats are not sent at all.
    assert_eq!(s["cells_deduplicated"], 3, "{s}");
    assert_eq!(s["calls_made"], 7, "{s}");
    assert_eq!(s["calls_shared"], 0, "{s}");
    assert_eq!(demo.stats().by_tool.values().sum::<u64>(), 7);
    assert_eq!(s["integrations"]["linkedin_profile"]["done"], 9, "{s}");
    assert!(stderr(&out).contains("--dedupe: 3 rows repeat an earlier row's linkedin_url"));
    let (headers, rows) = read_csv(&d.path("out.csv"));
    let headline = headers.iter().position(|h| h == "headline").unwrap();
    assert_eq!(rows[8][headline], rows[0][headline], "Ada's repeat");
    assert_eq!(rows[9][headline], rows[2][headline], "Chiara's repeat");
    assert_eq!(rows[10][headline], rows[2][headline], "Chiara's repeat");
    assert!(!rows[10][headline].is_empty());

    // A key column that is not there is a clear error before anything is paid.
    let out = d
        .against("demo-key", demo.base_url())
        .args(["run", "dups.csv", "--no-store", "-i", "linkedin_profile"])
        .args(["--dedupe-key", "nope"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--dedupe-key: no column `nope`"));
}
