//! Apollo and Hunter integrations, waterfalls and hard budgets as a user runs them: the real
//! `leadgrid run` against a loopback demo server, whose request counts prove what was (and was
//! not) called.

use leadgrid::demo::faults::Fault;
use leadgrid::demo::{DemoHandle, DemoOptions, DemoStats};
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
        fs::copy(SAMPLE, dir.path().join("sample.csv")).expect("copy sample");
        Dir { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `leadgrid` with every provider pointed at `demo`, sending `key`.
    fn run(&self, demo: &DemoHandle, key: &str, args: &[&str]) -> Output {
        let base = demo.base_url();
        Command::new(env!("CARGO_BIN_EXE_leadgrid"))
            .current_dir(self.dir.path())
            .env("LEADGRID_CONFIG", self.path("config.toml"))
            .env("LEADGRID_STORE", self.path("store.sqlite3"))
            .env("DATAGEN_BASE_URL", &base)
            .env("ANTHROPIC_BASE_URL", &base)
            .env("OPENAI_BASE_URL", format!("{base}/v1"))
            .env("APOLLO_BASE_URL", &base)
            .env("HUNTER_BASE_URL", &base)
            .env("DATAGEN_API_KEY", key)
            .env("ANTHROPIC_API_KEY", key)
            .env("APOLLO_API_KEY", key)
            .env("HUNTER_API_KEY", key)
            .args(args)
            .output()
            .expect("run leadgrid")
    }

    /// Saves a user integration file.
    fn integration(&self, name: &str, text: &str) {
        let dir = self.path("integrations.d");
        fs::create_dir_all(&dir).expect("integrations.d");
        fs::write(dir.join(format!("{name}.toml")), text).expect("write");
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn summary(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON summary: {e}\nstderr: {}", stderr(out)))
}

/// The output as maps of column → value, one per row.
fn rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    csv::Reader::from_path(path)
        .expect("open output")
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn tool(stats: &DemoStats, name: &str) -> u64 {
    stats.by_tool.get(name).copied().unwrap_or(0)
}

fn demo() -> DemoHandle {
    DemoHandle::start_background(DemoOptions::default()).expect("demo server")
}

#[test]
fn apollo_and_hunter_integrations_answer_or_say_they_have_nothing() {
    let demo = demo();
    let d = Dir::new();
    let out = d.run(
        &demo,
        "k",
        &[
            "run",
            "sample.csv",
            "-i",
            "apollo_person,apollo_company,hunter_email,hunter_verify",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["integrations"]["apollo_person"]["no_data"], 1, "{s}");
    assert_eq!(s["integrations"]["apollo_company"]["done"], 8, "{s}");
    let by_name = |rows: &[std::collections::BTreeMap<String, String>], first: &str| {
        rows.iter()
            .find(|r| r["first_name"] == first)
            .cloned()
            .expect("row")
    };
    let rows = rows(&d.path("sample_enriched.csv"));
    let ada = by_name(&rows, "Ada");
    assert_eq!(ada["apollo_email"], "ada@brightforge.example");
    assert_eq!(ada["apollo_email_status"], "verified");
    assert_eq!(ada["hunter_score"], "97");
    assert_eq!(ada["email_status"], "valid");
    let elin = by_name(&rows, "Elin");
    assert_eq!(elin["email_status"], "accept_all");
    assert_eq!(
        elin["company_linkedin_url"],
        "https://www.linkedin.com/company/fjordline-robotics-demo/"
    );
    let bram = by_name(&rows, "Bram");
    assert_eq!(
        (bram["apollo_email"].as_str(), bram["hunter_email"].as_str()),
        ("", "")
    );
    // Spend by provider: Apollo's and Hunter's per-call prices.
    assert!(
        s["spend_by_provider"]["apollo"]["usd"].as_f64() > Some(0.0),
        "{s}"
    );
    assert!(
        s["spend_by_provider"]["hunter"]["usd"].as_f64() > Some(0.0),
        "{s}"
    );
}

#[test]
fn a_refused_key_stops_apollo_and_hunter_columns_and_is_never_shown() {
    let demo = DemoHandle::start_background(DemoOptions {
        required_key: Some("right-key".into()),
        ..DemoOptions::default()
    })
    .expect("demo");
    let d = Dir::new();
    let out = d.run(
        &demo,
        "wrong-key-123456",
        &[
            "run",
            "sample.csv",
            "-i",
            "apollo_company,hunter_email",
            "--parallel",
            "1",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err.matches("stopped after an authentication failure")
            .count(),
        2,
        "{err}"
    );
    assert!(
        err.contains("APOLLO_API_KEY") && err.contains("HUNTER_API_KEY"),
        "{err}"
    );
    assert!(!err.contains("wrong-key-123456"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("wrong-key-123456"));
    assert_eq!(
        demo.stats().unauthorized,
        2,
        "one 401 per provider, then the column stops"
    );
}

/// A seed whose first request is a rate limit and whose next few are answered.
fn seed_rate_limited_first(rate: f64) -> u64 {
    (0..100_000)
        .find(|&seed| {
            Fault::choose(seed, 0, rate) == Some(Fault::RateLimited)
                && (1..6).all(|n| Fault::choose(seed, n, rate).is_none())
        })
        .expect("a seed")
}

#[test]
fn rate_limits_are_waited_out_for_apollo_429_and_hunter_403() {
    for (integration, fault, endpoint) in [
        ("apollo_company", "429", "apollo/organizations_enrich"),
        ("hunter_email", "403", "hunter/email_finder"),
    ] {
        let rate = 0.2;
        let demo = DemoHandle::start_background(DemoOptions {
            fault_rate: rate,
            seed: seed_rate_limited_first(rate),
            scripted_faults: false,
            ..DemoOptions::default()
        })
        .expect("demo");
        let d = Dir::new();
        let out = d.run(
            &demo,
            "k",
            &[
                "run",
                "sample.csv",
                "-i",
                integration,
                "--limit",
                "2",
                "--parallel",
                "1",
                "--json",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let s = summary(&out);
        let counts = &s["integrations"][integration];
        // Bram has no Hunter address: an answer too.
        assert_eq!(
            counts["done"]
                .as_u64()
                .zip(counts["no_data"].as_u64())
                .map(|(d, n)| d + n),
            Some(2),
            "{s}"
        );
        assert_eq!(counts["failed"], 0, "{s}");
        let stats = demo.stats();
        assert_eq!(stats.faults_by_kind.get(fault), Some(&1), "{stats:?}");
        assert_eq!(
            tool(&stats, endpoint),
            2,
            "answered once per row after the wait"
        );
    }
}

#[test]
fn work_email_stops_at_the_first_valid_step_and_never_calls_the_later_ones() {
    let demo = demo();
    let d = Dir::new();
    let out = d.run(
        &demo,
        "k",
        &["run", "sample.csv", "-i", "work_email", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["integrations"]["work_email"]["done"], 6, "{s}");
    assert_eq!(s["integrations"]["work_email"]["no_data"], 2, "{s}");
    let rows = rows(&d.path("sample_enriched.csv"));
    let source: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["first_name"].as_str(),
                r["work_email"].as_str(),
                r["work_email_source"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        source,
        [
            ("Ada", "ada@brightforge.example", "apollo_person"),
            ("Bram", "", ""),
            ("Chiara", "chiara@tidewater.example", "hunter_email"),
            ("Dev", "dev@kitecraft.example", "apollo_person"),
            ("Elin", "", ""),
            ("Farid", "farid@cedarlight.example", "apollo_person"),
            ("Grace", "grace@lumenledger.example", "apollo_person"),
            ("Hiro", "hiro@sakurastack.example", "email_pattern"),
        ]
    );
    // The row's cost is what it paid: Apollo and one verification at step 1; Apollo, the
    // finder and a verification when step 2 answered.
    assert_eq!(rows[0]["work_email_cost"], "0.0425");
    assert_eq!(rows[2]["work_email_cost"], "0.0675");
    let stats = demo.stats();
    // Step 1 for everyone; the finder only for the four rows step 1 did not answer; the
    // pattern only for the three the finder did not answer either (Chiara stopped at 2).
    assert_eq!(tool(&stats, "apollo/people_match"), 8);
    assert_eq!(tool(&stats, "hunter/email_finder"), 4);
    assert_eq!(tool(&stats, "hunter/domain_search"), 3);
    // The rows that found nothing paid too (Elin's Apollo match, Bram's domain search):
    // the run's spend is at least what the found rows cost.
    let found: f64 = rows
        .iter()
        .filter_map(|r| r["work_email_cost"].parse::<f64>().ok())
        .sum();
    assert!(s["spent"]["usd"].as_f64().expect("spent") > found, "{s}");
}

#[test]
fn editing_a_waterfall_pays_only_for_its_new_steps() {
    let demo = demo();
    let d = Dir::new();
    let hunter_only = r#"
name = "my_email"
kind = "waterfall"

[[steps]]
integration = "hunter_email"
output = "hunter_email"
validate = { email = true, verify = ["valid"] }

[[outputs]]
name = "my_email"
type = "text"
"#;
    d.integration("my_email", hunter_only);
    let first = d.run(
        &demo,
        "k",
        &["run", "sample.csv", "-i", "my_email", "--json"],
    );
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let before = demo.stats();
    assert_eq!(tool(&before, "hunter/email_finder"), 8);
    // The edit: a pattern step after the finder, for the rows the finder did not answer.
    d.integration(
        "my_email",
        &hunter_only.replace(
            "[[outputs]]",
            "[[steps]]\nintegration = \"email_pattern\"\noutput = \"pattern_email\"\nvalidate = { email = true, verify = [\"valid\"] }\n\n[[outputs]]",
        ),
    );
    let second = d.run(
        &demo,
        "k",
        &["run", "sample.csv", "-i", "my_email", "--json"],
    );
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let s = summary(&second);
    let after = demo.stats();
    assert_eq!(
        tool(&after, "hunter/email_finder"),
        8,
        "the finder's answers come from the cache"
    );
    let unanswered = rows(&d.path("sample_enriched.csv"))
        .iter()
        .filter(|r| r["my_email_source"] != "hunter_email")
        .count() as u64;
    assert_eq!(
        tool(&after, "hunter/domain_search"),
        unanswered,
        "the new step runs on the rows the finder left"
    );
    assert_eq!(
        s["integrations"]["my_email"]["done"].as_u64(),
        Some(8 - 2),
        "Hiro's pattern address is found now: {s}"
    );
    assert!(s["calls_cached"].as_u64() >= Some(8), "{s}");
}

#[test]
fn a_waterfall_whose_every_step_fails_validation_has_no_data() {
    let demo = demo();
    let d = Dir::new();
    // Only accept_all addresses: Elin's; every step of every other row is rejected.
    d.integration(
        "catch_all",
        &fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/integrations/work_email.toml"
        ))
        .expect("shipped")
        .replace("name = \"work_email\"", "name = \"catch_all\"")
        .replace("verify = [\"valid\"]", "verify = [\"webmail\"]"),
    );
    let out = d.run(
        &demo,
        "k",
        &["run", "sample.csv", "-i", "catch_all", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["integrations"]["catch_all"]["no_data"], 8, "{s}");
    assert_eq!(s["integrations"]["catch_all"]["done"], 0, "{s}");
}

#[test]
fn dry_run_shows_waterfall_ranges_and_makes_no_request() {
    let demo = demo();
    let d = Dir::new();
    let out = d.run(
        &demo,
        "k",
        &[
            "run",
            "sample.csv",
            "-i",
            "work_email,ceo_email,company_linkedin",
            "--dry-run",
            "--json",
            "--max-cost",
            "0.5",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan: Value = serde_json::from_slice(&out.stdout).expect("plan");
    let work = &plan["integrations"][0];
    assert_eq!(work["integration"], "work_email");
    assert_eq!(work["paid_rows"], 8);
    // Best case: Apollo and a verification per row; worst: every step and verification.
    assert_eq!(
        (work["calls"].as_u64(), work["calls_max"].as_u64()),
        (Some(16), Some(48))
    );
    assert!((work["cost_usd"].as_f64().expect("best") - 8.0 * 0.0425).abs() < 1e-9);
    assert!((work["cost_usd_max"].as_f64().expect("worst") - 8.0 * 0.1175).abs() < 1e-9);
    assert_eq!(plan["max_cost_usd"], 0.5);
    assert_eq!(demo.stats().requests, 0, "a dry run calls nothing");
    let human = d.run(
        &demo,
        "k",
        &[
            "run",
            "sample.csv",
            "-i",
            "work_email",
            "--dry-run",
            "--max-cost",
            "0.5",
        ],
    );
    let text = stderr(&human);
    assert!(
        text.contains("16–48") && text.contains("0.340–0.940"),
        "{text}"
    );
    assert!(
        text.contains("budget $0.500: enough if the first steps answer"),
        "{text}"
    );
    assert_eq!(demo.stats().requests, 0);
}

#[test]
fn max_cost_stops_within_one_call_of_the_budget_at_parallel_16() {
    let demo = demo();
    let d = Dir::new();
    // The providers' rate limits would pace this run for a minute: what is under test is the
    // budget, with 16 calls in flight.
    fs::write(
        d.path("config.toml"),
        "[rate_limits]\napollo = 0\nhunter = 0\n",
    )
    .expect("config");
    let list = d.path("leads.csv");
    let generated = Command::new(env!("CARGO_BIN_EXE_leadgrid"))
        .args(["gen", "--rows", "120", "--out"])
        .arg(&list)
        .output()
        .expect("gen");
    assert!(generated.status.success());
    let budget = 1.0;
    let out = d.run(
        &demo,
        "k",
        &[
            "run",
            "leads.csv",
            "-i",
            "work_email",
            "--parallel",
            "16",
            "--max-cost",
            "1",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let s = summary(&out);
    let spent = s["spent"]["usd"].as_f64().expect("spent");
    let most_expensive_call = 0.03;
    assert!(spent <= budget + 1e-9, "never past the budget: {s}");
    assert!(
        spent > budget - most_expensive_call,
        "stopped within one call of it: {s}"
    );
    assert!(
        (s["budget"]["spent_usd"].as_f64().expect("ledger") - spent).abs() < 1e-9,
        "{s}"
    );
    let left = s["integrations"]["work_email"]["budget"]
        .as_u64()
        .expect("left");
    assert!(
        left > 0 && s["budget"]["cells_left"].as_u64() == Some(left),
        "{s}"
    );
    let rows = rows(&d.path("leads_enriched.csv"));
    assert_eq!(
        rows.iter()
            .filter(|r| r["work_email_error"].starts_with("budget: "))
            .count() as u64,
        left
    );
    // The same command with a bigger budget runs the cells left (and only those are paid).
    let again = d.run(
        &demo,
        "k",
        &[
            "run",
            "leads.csv",
            "-i",
            "work_email",
            "--parallel",
            "16",
            "--max-cost",
            "100",
            "--json",
        ],
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let s2 = summary(&again);
    assert!(s2["cells_restored"].as_u64() >= Some(1), "{s2}");
    assert_eq!(s2["integrations"]["work_email"]["budget"], 0, "{s2}");
}
