//! User-defined integrations as a user runs them: an `http` file (the README's example, as
//! written) against a local test API, reached through `LEADGRID_<PROVIDER>_BASE_URL`; a
//! `datagen` file against the demo server; `leadgrid integrations check`; and a project's
//! `leadgrid.toml`, used only once trusted (`run --trust`, the grid's dialog).

mod common;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use common::pty::PtyApp;
use common::{Harness, column_of};
use crossterm::event::KeyCode;
use leadgrid::config::Config;
use leadgrid::demo::{DemoHandle, DemoOptions};
use leadgrid::integrations::user::project::TrustStore;
use leadgrid::integrations::user::{Catalog, Settings};
use leadgrid::session::SessionOptions;
use leadgrid::tui::mode::Mode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/lead-list/sample.csv");
const README: &str = include_str!("../README.md");

/// The API key the test API expects (as long as real ones).
const KEY: &str = "sk-example-0123456789abcdef";

/// The README's `company_size` example, exactly as the README shows it.
fn readme_example() -> String {
    let start = README
        .find("```toml\nname = \"company_size\"")
        .expect("the README shows the company_size example")
        + "```toml\n".len();
    let len = README[start..].find("```").expect("the block ends");
    README[start..start + len].to_string()
}

/// One request the test API received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    authorization: Option<String>,
    team: Option<String>,
    body: Option<Value>,
}

/// A loopback API standing in for `api.example.com`:
/// `GET /v1/companies?domain=…` needs `Authorization: Bearer KEY`; Brightforge has 1,250
/// employees, Nullpoint is unknown (404), Tidewater has no head count (`null`), Kitecraft
/// answers 429 with `Retry-After: 1` once, then 48; everyone else 12.
/// `POST /v2/lookup` echoes the body's `name` and `company` back.
struct TestApi {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestApi {
    fn start() -> TestApi {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let log = seen.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                addr_tx
                    .send(listener.local_addr().expect("addr"))
                    .expect("addr");
                let app = axum::Router::new().fallback(
                    move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                        let log = log.clone();
                        async move { answer(&log, method, uri, headers, body) }
                    },
                );
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .expect("serve");
            });
        });
        let addr = addr_rx.recv().expect("the test API started");
        TestApi {
            base: format!("http://{addr}"),
            seen,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for TestApi {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(
    log: &Mutex<Vec<Seen>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query: BTreeMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let seen = Seen {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: query.clone(),
        authorization: header("authorization"),
        team: header("x-team"),
        body: serde_json::from_slice(&body).ok(),
    };
    let earlier = {
        let mut log = log.lock().unwrap();
        let earlier = log
            .iter()
            .filter(|s| s.path == seen.path && s.query == seen.query)
            .count();
        log.push(seen.clone());
        earlier
    };
    let json = |status: StatusCode, value: Value| (status, axum::Json(value)).into_response();
    match (seen.method.as_str(), seen.path.as_str()) {
        ("GET", "/v1/companies") => {
            if seen.authorization.as_deref() != Some(&format!("Bearer {KEY}")) {
                return json(StatusCode::UNAUTHORIZED, json!({"error": "bad key"}));
            }
            match query.get("domain").map(String::as_str) {
                Some("brightforge.example") => json(
                    StatusCode::OK,
                    json!({"company": {"name": "Brightforge Labs", "employees": "1,250"}}),
                ),
                Some("nullpoint.example") => {
                    json(StatusCode::NOT_FOUND, json!({"error": "no such company"}))
                }
                Some("tidewater.example") => {
                    json(StatusCode::OK, json!({"company": {"employees": null}}))
                }
                Some("kitecraft.example") if earlier == 0 => (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "1")],
                    "slow down",
                )
                    .into_response(),
                Some("kitecraft.example") => {
                    json(StatusCode::OK, json!({"company": {"employees": 48}}))
                }
                _ => json(StatusCode::OK, json!({"company": {"employees": 12}})),
            }
        }
        ("POST", "/v2/lookup") => {
            let body = seen.body.unwrap_or_default();
            json(
                StatusCode::OK,
                json!({"match": {"name": body["name"], "company": body["company"], "tags": ["b2b", "saas"]}}),
            )
        }
        _ => json(StatusCode::NOT_FOUND, json!({"error": "no route"})),
    }
}

/// A temp dir with a config, the sample list and an `integrations.d/`.
struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("config.toml"), "").expect("config");
        fs::copy(SAMPLE, dir.path().join("sample.csv")).expect("sample");
        fs::create_dir(dir.path().join("integrations.d")).expect("integrations.d");
        Dir { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) {
        fs::write(self.path(name), text).expect("write");
    }

    /// The binary in this dir, with its own config and store, and `example` pointed at `api`.
    fn leadgrid(&self, api: Option<&TestApi>) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_leadgrid"));
        cmd.current_dir(self.dir.path())
            .env("LEADGRID_CONFIG", self.path("config.toml"))
            .env("LEADGRID_STORE", self.path("store.sqlite3"))
            .env_remove("EXAMPLE_API_KEY")
            .env_remove("LEADGRID_EXAMPLE_BASE_URL")
            .env_remove("DATAGEN_API_KEY");
        if let Some(api) = api {
            cmd.env("LEADGRID_EXAMPLE_BASE_URL", &api.base);
        }
        cmd
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn summary(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON summary: {e}\nstderr: {}", stderr(out)))
}

/// The output as rows of (column → value).
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    csv::Reader::from_path(path)
        .expect("output")
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn run(d: &Dir, api: Option<&TestApi>, key: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = d.leadgrid(api);
    if let Some(key) = key {
        cmd.env("EXAMPLE_API_KEY", key);
    }
    cmd.args(args).output().expect("run leadgrid")
}

#[test]
fn the_readme_example_runs_against_a_local_api() {
    let d = Dir::new();
    d.write("integrations.d/company_size.toml", &readme_example());
    let api = TestApi::start();
    let args = [
        "run",
        "sample.csv",
        "-i",
        "company_size",
        "-o",
        "out.csv",
        "--json",
    ];
    let out = run(&d, Some(&api), Some(KEY), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = summary(&out);
    let counts = &s["integrations"]["company_size"];
    assert_eq!(counts["done"], 6, "{s}");
    assert_eq!(
        counts["no_data"], 2,
        "404 and an answer without the column: {s}"
    );
    let rows = rows(&d.path("out.csv"));
    let employees: Vec<&str> = rows.iter().map(|r| r["employees"].as_str()).collect();
    assert_eq!(employees, ["1250", "", "", "48", "12", "12", "12", "12"]);
    // One request per row, Kitecraft's twice (429, then the answer after Retry-After).
    let seen = api.seen();
    assert_eq!(seen.len(), 9, "{seen:?}");
    let kitecraft = seen
        .iter()
        .filter(|s| s.query.get("domain").map(String::as_str) == Some("kitecraft.example"))
        .count();
    assert_eq!(kitecraft, 2);
    for s in &seen {
        assert_eq!(s.path, "/v1/companies");
        assert_eq!(s.authorization.as_deref(), Some(&*format!("Bearer {KEY}")));
    }
    // Seven answers (Tidewater's too: answered, without the column) at the file's $0.002 a
    // call; the 404 and the 429 are not answers.
    let usd = s["spend"]["company_size"]["usd"].as_f64().expect("spend");
    assert!((usd - 0.014).abs() < 1e-9, "{usd}");
    // The key is never written anywhere.
    let store = fs::read(d.path("store.sqlite3")).expect("store");
    for (what, text) in [
        ("csv", fs::read_to_string(d.path("out.csv")).unwrap()),
        ("stdout", stdout(&out)),
        ("stderr", stderr(&out)),
        ("store", String::from_utf8_lossy(&store).into_owned()),
    ] {
        assert!(!text.contains(KEY), "the key leaked into the {what}");
    }
    // The same command again: answered by the journal, nothing asked.
    let again = run(&d, Some(&api), Some(KEY), &args);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(api.seen().len(), 9, "nothing is paid twice");
    // A dry run for another output counts every row as answered by the cache.
    let planned = run(
        &d,
        Some(&api),
        Some(KEY),
        &[
            "run",
            "sample.csv",
            "-i",
            "company_size",
            "-o",
            "other.csv",
            "--dry-run",
            "--json",
        ],
    );
    assert_eq!(planned.status.code(), Some(0), "{}", stderr(&planned));
    let plan = summary(&planned);
    assert_eq!(plan["integrations"][0]["cached"], 8, "{plan}");
    assert_eq!(plan["integrations"][0]["paid_rows"], 0, "{plan}");
    // Another output: the rows come from the response cache.
    let cached = run(
        &d,
        Some(&api),
        Some(KEY),
        &[
            "run",
            "sample.csv",
            "-i",
            "company_size",
            "-o",
            "other.csv",
            "--json",
        ],
    );
    assert_eq!(cached.status.code(), Some(0), "{}", stderr(&cached));
    assert_eq!(api.seen().len(), 9, "answers are cached for the provider");
}

#[test]
fn a_missing_key_stops_the_column_before_any_request() {
    let d = Dir::new();
    d.write("integrations.d/company_size.toml", &readme_example());
    let api = TestApi::start();
    let out = run(
        &d,
        Some(&api),
        None,
        &["run", "sample.csv", "-i", "company_size", "-o", "out.csv"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("EXAMPLE_API_KEY is not set: company_size sends it to api.example.com"),
        "{}",
        stderr(&out)
    );
    assert!(api.seen().is_empty(), "nothing was sent");
}

#[test]
fn a_post_body_and_headers_carry_row_values_escaped() {
    let d = Dir::new();
    let api = TestApi::start();
    d.write(
        "integrations.d/lookup.toml",
        r#"name = "lookup"
kind = "http"
provider = "example"
method = "POST"
url = "https://api.example.com/v2/lookup"
headers = { X-Team = "{{campaign_name}}" }
body = '{"name": "{{first_name}} {{last_name}}", "company": "{{company}}", "limit": 3}'

[[outputs]]
name = "matched_name"
type = "text"
path = "$.match.name"

[[outputs]]
name = "tags"
type = "text"
path = "$.match.tags[*]"
"#,
    );
    d.write(
        "odd.csv",
        "first_name,last_name,company,campaign_name\nAda,\"Quill \"\"the\"\" \\ Sørby\",\"Bright, Forge\",Q1 founders\n",
    );
    let out = run(
        &d,
        Some(&api),
        None,
        &["run", "odd.csv", "-i", "lookup", "-o", "out.csv", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let seen = api.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(
        seen[0].body,
        Some(json!({"name": "Ada Quill \"the\" \\ Sørby", "company": "Bright, Forge", "limit": 3}))
    );
    assert_eq!(seen[0].team.as_deref(), Some("Q1 founders"));
    let rows = rows(&d.path("out.csv"));
    assert_eq!(rows[0]["matched_name"], "Ada Quill \"the\" \\ Sørby");
    assert_eq!(rows[0]["tags"], "b2b, saas");
}

#[test]
fn a_datagen_kind_integration_runs_against_the_demo_server() {
    let d = Dir::new();
    d.write(
        "integrations.d/profile_facts.toml",
        r#"name = "profile_facts"
kind = "datagen"
description = "Headline, followers, first title and skills of a LinkedIn profile"
tool = "get_linkedin_person_data"
params = { linkedin_url = "{{linkedin_url}}" }

[[inputs]]
name = "linkedin_url"
guess = ["linkedin_url", "linkedin"]

[[outputs]]
name = "headline"
type = "text"
path = "$.person.headline"

[[outputs]]
name = "followers"
type = "integer"
path = "$.person.followerCount"

[[outputs]]
name = "current_title"
type = "text"
path = "$.person.positions.positionHistory[0].title"

[[outputs]]
name = "skills"
type = "text"
path = "$.person.skills[*]"
"#,
    );
    // Every call answers: the sample's scripted failing row is another test's subject.
    let server = DemoHandle::start_background(DemoOptions {
        scripted_faults: false,
        ..DemoOptions::default()
    })
    .expect("demo");
    let out = d
        .leadgrid(None)
        .env("DATAGEN_BASE_URL", server.base_url())
        .env("DATAGEN_API_KEY", KEY)
        .args([
            "run",
            "sample.csv",
            "-i",
            "profile_facts",
            "-o",
            "out.csv",
            "--json",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = summary(&out);
    let counts = &s["integrations"]["profile_facts"];
    assert_eq!(counts["done"], 6, "{s}");
    assert_eq!(counts["no_data"], 1, "Bram's profile does not exist: {s}");
    assert_eq!(counts["skipped"], 1, "Grace has no LinkedIn URL: {s}");
    let rows = rows(&d.path("out.csv"));
    assert_eq!(
        rows[0]["headline"],
        "Founder & CEO at Brightforge Labs · agentic developer tools"
    );
    assert_eq!(rows[0]["followers"], "48210");
    assert_eq!(rows[0]["current_title"], "Founder & CEO");
    assert_eq!(
        rows[0]["skills"],
        "Developer Tools, Distributed Systems, Leadership"
    );
    assert_eq!(server.stats().by_tool["get_linkedin_person_data"], 7);
    // Spend at DataGen's price per call, like the built-ins.
    let usd = s["spend"]["profile_facts"]["usd"].as_f64().expect("spend");
    assert!((usd - 0.06).abs() < 1e-9, "{usd}");
}

#[test]
fn integrations_check_shows_the_request_masked_and_exits_by_validity() {
    let d = Dir::new();
    d.write("integrations.d/company_size.toml", &readme_example());
    let out = d
        .leadgrid(None)
        .env("EXAMPLE_API_KEY", KEY)
        .args([
            "integrations",
            "check",
            "integrations.d/company_size.toml",
            "--csv",
            "sample.csv",
            "--row",
            "4",
        ])
        .output()
        .expect("check");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("GET https://api.example.com/v1/companies?domain=kitecraft.example"),
        "{text}"
    );
    assert!(text.contains("Authorization: Bearer ***"), "{text}");
    assert!(text.contains("EXAMPLE_API_KEY is set"), "{text}");
    assert!(!text.contains(KEY), "{text}");
    d.write(
        "integrations.d/broken.toml",
        &readme_example().replace("path = ", "pth = "),
    );
    let out = d
        .leadgrid(None)
        .args(["integrations", "check", "integrations.d/broken.toml"])
        .output()
        .expect("check");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("unknown field `pth`"),
        "{}",
        stdout(&out)
    );
    // The listing shows it like a built-in, and the broken file with its error.
    let out = d
        .leadgrid(None)
        .args(["integrations", "--json"])
        .output()
        .expect("list");
    assert_eq!(out.status.code(), Some(0));
    let listed: Value = serde_json::from_slice(&out.stdout).expect("json");
    let mine = listed["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "company_size")
        .expect("listed");
    assert_eq!(mine["kind"], "http");
    assert_eq!(mine["provider"], "example");
    assert_eq!(mine["defined_in"], "integrations.d");
    assert_eq!(listed["problems"][0]["name"], "company_size");
}

/// `company_size` as a project's own, calling the test API by its address (no key).
fn project_file(api: &TestApi) -> String {
    format!(
        r#"[[integrations]]
name = "company_size"
kind = "http"
url = "{}/v1/companies?domain={{{{domain}}}}"
headers = {{ Authorization = "Bearer {KEY}" }}
no_data_status = [404]

[[integrations.outputs]]
name = "employees"
type = "integer"
path = "$.company.employees"
"#,
        api.base
    )
}

#[test]
fn a_project_file_is_used_only_once_trusted() {
    let d = Dir::new();
    let api = TestApi::start();
    d.write("leadgrid.toml", &project_file(&api));
    let args = ["run", "sample.csv", "-i", "company_size", "-o", "out.csv"];
    let refused = run(&d, None, None, &args);
    assert_eq!(refused.status.code(), Some(1));
    let said = stderr(&refused);
    assert!(
        said.contains("leadgrid.toml defines company_size"),
        "{said}"
    );
    assert!(said.contains("company_size → 127.0.0.1:"), "{said}");
    assert!(said.contains("run again with --trust"), "{said}");
    assert!(api.seen().is_empty(), "nothing was sent");
    let mut trusting = args.to_vec();
    trusting.push("--trust");
    let out = run(&d, None, None, &trusting);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(rows(&d.path("out.csv"))[0]["employees"], "1250");
    assert!(!api.seen().is_empty());
    let remembered = fs::read_to_string(d.path("trusted-projects.toml")).expect("remembered");
    assert!(remembered.contains("leadgrid.toml"), "{remembered}");
    // Remembered: the next run needs no --trust.
    let again = run(
        &d,
        None,
        None,
        &["run", "sample.csv", "-i", "company_size", "-o", "b.csv"],
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    // A changed file is asked about again.
    d.write(
        "leadgrid.toml",
        &project_file(&api).replace("/v1/companies", "/v1/companies/"),
    );
    let changed = run(
        &d,
        None,
        None,
        &["run", "sample.csv", "-i", "company_size", "-o", "c.csv"],
    );
    assert_eq!(changed.status.code(), Some(1), "{}", stderr(&changed));
    assert!(stderr(&changed).contains("or it changed since you did"));
    // Runs that do not use it are not held up by it.
    let other = run(
        &d,
        None,
        None,
        &["run", "sample.csv", "-i", "email_domain", "-o", "d.csv"],
    );
    assert_eq!(other.status.code(), Some(0), "{}", stderr(&other));
    // The key written into the file (warned about) is sent, and never kept.
    assert!(
        stderr(&out).contains("holds a literal secret"),
        "{}",
        stderr(&out)
    );
    let store = fs::read(d.path("store.sqlite3")).expect("store");
    assert!(
        !String::from_utf8_lossy(&store).contains(KEY),
        "the key reached the store"
    );
}

fn settings() -> Settings {
    Settings::from_config(&Config::from_sources(None, |_| None).expect("defaults"))
}

#[test]
fn the_grid_asks_before_using_a_project_file_and_then_runs_it() {
    let d = Dir::new();
    let api = TestApi::start();
    d.write("leadgrid.toml", &project_file(&api));
    let csv = d.path("sample.csv");
    let trust = TrustStore::at(d.path("trusted-projects.toml"));
    let opts = SessionOptions {
        allow_no_key: true,
        request_timeout: Some(Duration::from_secs(30)),
        ..SessionOptions::default()
    };
    let mut h = Harness::open_session(&csv, 110, 30, opts);
    h.app
        .set_catalog(Catalog::load(None, settings()).with_project_beside(&csv, &trust, false));
    let screen = h.render();
    assert!(screen.contains("Trust leadgrid.toml?"), "{screen}");
    assert!(screen.contains("company_size → 127.0.0.1:"), "{screen}");
    assert!(
        h.app.catalog.find("company_size").is_none(),
        "not before the answer"
    );
    h.keys("y");
    h.settle_until(|app| app.catalog.find("company_size").is_some());
    let screen = h.render();
    assert!(
        screen.contains("leadgrid.toml trusted: company_size added to the picker"),
        "{screen}"
    );
    assert!(
        trust.is_trusted(
            &leadgrid::integrations::user::project::Project::beside(&csv)
                .unwrap()
                .unwrap()
        ),
        "remembered"
    );
    // Added like any integration, through the picker.
    h.keys("a");
    h.keys("company_size");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.settle();
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.mode, Mode::Normal), "{}", h.render());
    let col = column_of(&h, "employees");
    h.settle_until(|app| app.sheet.cell(3, col) == "48");
    assert_eq!(h.app.sheet.cell(0, col), "1250");
}

#[test]
fn declining_keeps_the_project_out() {
    let d = Dir::new();
    let api = TestApi::start();
    d.write("leadgrid.toml", &project_file(&api));
    let csv = d.path("sample.csv");
    let trust = TrustStore::at(d.path("trusted-projects.toml"));
    let mut h = Harness::open(&csv, 110, 30);
    h.app
        .set_catalog(Catalog::load(None, settings()).with_project_beside(&csv, &trust, false));
    h.key(KeyCode::Esc);
    let screen = h.render();
    assert!(screen.contains("leadgrid.toml not used"), "{screen}");
    assert!(h.app.catalog.find("company_size").is_none());
    assert!(!d.path("trusted-projects.toml").exists());
}

#[test]
fn the_real_binary_asks_in_a_dialog_then_fills_the_column() {
    let d = Dir::new();
    let api = TestApi::start();
    d.write("leadgrid.toml", &project_file(&api));
    let mut app = PtyApp::spawn(&["sample.csv"], d.dir.path(), 140, 40);
    app.wait_text("Trust leadgrid.toml?");
    app.wait_text("company_size → 127.0.0.1:");
    app.send("y");
    app.wait_text("company_size added to the picker");
    app.send("a");
    app.wait_text("1/3 choose an integration");
    app.send("company_size");
    app.send("\r");
    app.wait_text("2/3 map inputs");
    app.send("\r");
    app.wait_text("3/3 outputs and rows");
    app.send("\r");
    app.wait_for("the column ran", Duration::from_secs(60), |s| {
        s.contains("✦employees") && s.contains("✓6 ∅2 ✗0")
    });
    let screen = app.screen();
    assert!(screen.contains("1250"), "{screen}");
    app.send("q");
    app.wait_text("Unsaved changes");
    app.send("n");
    assert!(app.wait_exit(Duration::from_secs(20)));
}

#[test]
fn the_picker_says_which_variable_an_http_integration_needs() {
    let d = Dir::new();
    let file = readme_example().replace("EXAMPLE_API_KEY", "UNSET_KEY_4F1C");
    d.write("integrations.d/company_size.toml", &file);
    let opts = SessionOptions {
        allow_no_key: true,
        ..SessionOptions::default()
    };
    let mut h = Harness::open_session(&d.path("sample.csv"), 180, 30, opts);
    h.app
        .set_catalog(Catalog::load(Some(d.path("integrations.d")), settings()));
    h.keys("a");
    h.keys("company_size");
    let screen = h.render();
    for expected in [
        "company_size              example   no key",
        "API key  UNSET_KEY_4F1C is not set: needed to run this",
        "defined in integrations.d: sends rows to api.example.com",
    ] {
        assert!(screen.contains(expected), "{expected}:\n{screen}");
    }
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(
        screen.contains("company_size sends UNSET_KEY_4F1C to api.example.com"),
        "{screen}"
    );
    assert!(
        matches!(h.app.mode, Mode::Picker(_)),
        "it stays on the list"
    );
}

#[test]
fn a_budget_stops_an_http_integration_at_its_files_price() {
    let d = Dir::new();
    d.write("integrations.d/company_size.toml", &readme_example());
    let api = TestApi::start();
    let out = run(
        &d,
        Some(&api),
        Some(KEY),
        &[
            "run",
            "sample.csv",
            "-i",
            "company_size",
            "-o",
            "out.csv",
            "--max-cost",
            "0.005",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let s = summary(&out);
    // $0.002 a call: two answers fit in $0.005, a third would pass it.
    let usd = s["spend"]["company_size"]["usd"].as_f64().expect("spend");
    assert!(usd <= 0.005 + 1e-9, "{usd}");
    assert!(
        s["integrations"]["company_size"]["budget"].as_u64() > Some(0),
        "{s}"
    );
    let answered = api
        .seen()
        .iter()
        .filter(|s| {
            !matches!(
                s.query.get("domain").map(String::as_str),
                Some("nullpoint.example")
            )
        })
        .count();
    assert!(
        answered <= 3,
        "{answered} requests that cost (or were refused)"
    );
}
