//! `leadgrid mcp --demo` as an agent meets it: the real binary as a child process, spoken to
//! with the official SDK's client side over stdio.

use leadgrid::demo::{DemoHandle, DemoOptions};
use rmcp::model::{CallToolRequestParams, CallToolResult, ProgressNotificationParam};
use rmcp::service::{NotificationContext, RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ServiceExt};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// An MCP client that counts the progress notifications it hears.
#[derive(Clone, Default)]
struct Listener {
    progress: Arc<AtomicUsize>,
}

impl ClientHandler for Listener {
    async fn on_progress(
        &self,
        _params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.fetch_add(1, Ordering::SeqCst);
    }
}

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/lead-list/sample.csv");

struct Agent {
    client: RunningService<RoleClient, Listener>,
    listener: Listener,
    dir: tempfile::TempDir,
}

impl Agent {
    /// `leadgrid mcp --demo`.
    async fn start() -> Agent {
        Agent::launch(None).await
    }

    /// `leadgrid mcp` against a demo server of the test's own, whose requests it can count.
    async fn against(demo: &DemoHandle) -> Agent {
        Agent::launch(Some(demo)).await
    }

    async fn launch(demo: Option<&DemoHandle>) -> Agent {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::copy(SAMPLE, dir.path().join("leads.csv")).expect("copy sample");
        std::fs::write(dir.path().join("config.toml"), "").expect("config");
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadgrid"));
        cmd.arg("mcp")
            .arg("--root")
            .arg(dir.path())
            .env("LEADGRID_CONFIG", dir.path().join("config.toml"))
            .env("LEADGRID_STORE", dir.path().join("store.sqlite3"));
        match demo {
            Some(demo) => {
                cmd.env("DATAGEN_API_KEY", "test-key")
                    .env("DATAGEN_BASE_URL", demo.base_url());
            }
            None => {
                cmd.arg("--demo").env_remove("DATAGEN_API_KEY");
            }
        }
        let transport = TokioChildProcess::new(cmd).expect("spawn leadgrid mcp");
        let listener = Listener::default();
        let client = listener.clone().serve(transport).await.expect("initialize");
        Agent {
            client,
            listener,
            dir,
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        let Value::Object(args) = args else {
            panic!("arguments must be an object")
        };
        self.client
            .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(args))
            .await
            .unwrap_or_else(|e| panic!("{tool}: {e}"))
    }

    /// The structured result of a successful call.
    async fn ok(&self, tool: &str, args: Value) -> Value {
        let result = self.call(tool, args).await;
        assert_ne!(
            result.is_error,
            Some(true),
            "{tool} failed: {}",
            text(&result)
        );
        result.structured_content.expect("structured content")
    }

    /// The message of a failed call.
    async fn err(&self, tool: &str, args: Value) -> String {
        let result = self.call(tool, args).await;
        assert_eq!(
            result.is_error,
            Some(true),
            "{tool} should fail: {result:?}"
        );
        text(&result)
    }
}

fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn an_agent_discovers_integrations_and_reads_files() {
    let agent = Agent::start().await;
    let tools = agent.client.list_all_tools().await.expect("tools");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for expected in [
        "list_integrations",
        "describe_integration",
        "inspect_file",
        "read_rows",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    let catalog = agent.ok("list_integrations", json!({})).await;
    let profile = catalog["integrations"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["name"] == "linkedin_profile"))
        .expect("linkedin_profile listed")
        .clone();
    assert_eq!(profile["ready"], true, "demo mode makes it ready");
    assert_eq!(profile["outputs"][3]["type"], "integer");

    let info = agent
        .ok(
            "inspect_file",
            json!({"path": "leads.csv", "sample_rows": 2}),
        )
        .await;
    assert_eq!(info["rows"], 8);
    assert_eq!(info["columns"][0], "first_name");
    assert_eq!(info["sample"].as_array().map(Vec::len), Some(2));
    let mappable = info["integrations"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["integration"] == "linkedin_profile"))
        .expect("profile mapping");
    assert_eq!(mappable["ready"], true);
    assert_eq!(mappable["inputs"][0]["column"], "linkedin_url");

    let rows = agent
        .ok(
            "read_rows",
            json!({"path": agent.path("leads.csv"), "filter": "title = CEO", "columns": ["first_name", "company"]}),
        )
        .await;
    assert_eq!(rows["matched"], 1);
    assert_eq!(
        rows["rows"][0]["values"],
        json!(["Ada", "Brightforge Labs"])
    );
}

#[tokio::test]
async fn bad_arguments_get_errors_that_name_the_problem() {
    let agent = Agent::start().await;
    let message = agent
        .err("describe_integration", json!({"name": "linkedin_profle"}))
        .await;
    assert!(
        message.contains("unknown integration `linkedin_profle`"),
        "{message}"
    );
    assert!(message.contains("linkedin_profile"), "{message}");
    let message = agent
        .err("inspect_file", json!({"path": "missing.csv"}))
        .await;
    assert!(message.contains("missing.csv"), "{message}");
    let outside = tempfile::tempdir().expect("outside");
    let secret = outside.path().join("secret.csv");
    std::fs::write(&secret, "a\n1\n").expect("write");
    let message = agent
        .err("read_rows", json!({"path": secret.display().to_string()}))
        .await;
    assert!(message.contains("outside the directories"), "{message}");
    let message = agent
        .err(
            "read_rows",
            json!({"path": "leads.csv", "filter": "folowers >"}),
        )
        .await;
    assert!(
        message.contains('^'),
        "a caret points at the problem: {message}"
    );
    assert!(Path::new(&agent.path("leads.csv")).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_prices_runs_and_inspects_an_enrichment() {
    // Every call answers: the sample's scripted failing row (Farid) is another test's subject.
    let demo = DemoHandle::start_background(DemoOptions {
        scripted_faults: false,
        ..DemoOptions::default()
    })
    .expect("demo");
    let agent = Agent::against(&demo).await;
    let run = json!({"path": "leads.csv", "integrations": ["linkedin_profile", "email_domain"]});

    let estimate = agent.ok("estimate", run.clone()).await;
    assert_eq!(demo.stats().requests, 0, "an estimate pays nothing");
    assert_eq!(estimate["integrations"][0]["paid_rows"], 7, "{estimate}");

    let first = agent.ok("enrich", run.clone()).await;
    assert_eq!(first["status"], "finished", "{first}");
    let summary = &first["summary"];
    assert_eq!(
        summary["integrations"]["email_domain"]["done"], 8,
        "{first}"
    );
    assert!(
        first["output"]
            .as_str()
            .is_some_and(|o| o.ends_with("leads_enriched.csv"))
    );
    assert!(
        agent.listener.progress.load(Ordering::SeqCst) > 0,
        "progress notifications while it ran"
    );
    let paid = demo.stats().requests;
    assert!(paid >= 7);

    let rows = agent
        .ok(
            "read_rows",
            json!({"path": "leads_enriched.csv", "filter": "follower_count > 1000", "columns": ["first_name", "headline"]}),
        )
        .await;
    assert!(rows["matched"].as_u64().is_some_and(|n| n >= 1), "{rows}");

    let cell = agent
        .ok(
            "inspect_cell",
            json!({"path": "leads.csv", "integration": "linkedin_profile", "row": 1}),
        )
        .await;
    assert_eq!(cell["state"], "done", "{cell}");
    assert!(
        cell["fields"]["headline"]
            .as_str()
            .is_some_and(|h| !h.is_empty())
    );
    let calls = cell["calls"].to_string();
    assert!(calls.contains("get_linkedin_person_data"), "{calls}");
    assert!(!calls.contains("test-key"), "no key in what an agent sees");

    // The same enrichment again, and a re-run of row 1: everything from the journal.
    let again = agent.ok("enrich", run.clone()).await;
    assert_eq!(again["summary"]["calls_made"], 0, "{again}");
    let mut rerun = run.clone();
    rerun["rows"] = json!([1]);
    let rerun = agent.ok("rerun", rerun).await;
    assert_eq!(rerun["status"], "finished");
    assert_eq!(demo.stats().requests, paid, "nothing paid twice");

    // A run followed by its id.
    let mut background = run.clone();
    background["wait"] = json!(false);
    let started = agent.ok("enrich", background).await;
    let id = started["run_id"].as_str().expect("an id").to_owned();
    let mut status = agent.ok("run_status", json!({"run_id": id})).await;
    for _ in 0..600 {
        if status["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        status = agent.ok("run_status", json!({"run_id": id})).await;
    }
    assert_eq!(status["status"], "finished", "{status}");
    let message = agent.err("cancel_run", json!({"run_id": "run-999"})).await;
    assert!(message.contains("no run `run-999`"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_refuse_what_cannot_work_with_the_reason() {
    let agent = Agent::start().await;
    let message = agent
        .err(
            "enrich",
            json!({"path": "leads.csv", "integrations": ["nope"]}),
        )
        .await;
    assert!(message.contains("unknown integration `nope`"), "{message}");
    std::fs::write(agent.dir.path().join("names.csv"), "name\nAda\n").expect("write");
    let message = agent
        .err(
            "enrich",
            json!({"path": "names.csv", "integrations": ["linkedin_profile"]}),
        )
        .await;
    assert!(
        message.contains("linkedin_url"),
        "the unmappable input is named: {message}"
    );
    let message = agent
        .err(
            "estimate",
            json!({"path": "leads.csv", "integrations": ["email_domain"], "output": "/etc/out.csv"}),
        )
        .await;
    assert!(message.contains("outside the directories"), "{message}");
}

#[tokio::test]
async fn an_agent_caps_what_a_run_may_spend() {
    let demo = DemoHandle::start_background(DemoOptions {
        scripted_faults: false,
        ..DemoOptions::default()
    })
    .expect("demo");
    let agent = Agent::against(&demo).await;
    // Three DataGen calls' worth ($0.01 each) for seven paid rows.
    let run =
        json!({"path": "leads.csv", "integrations": ["linkedin_profile"], "max_cost_usd": 0.03});
    let finished = agent.ok("enrich", run.clone()).await;
    let summary = &finished["summary"];
    let budget = &summary["budget"];
    assert!(
        budget["spent_usd"]
            .as_f64()
            .is_some_and(|s| s <= 0.03 + 1e-9),
        "{finished}"
    );
    // Answers with no data are free, so at most three paid answers; the rest are left.
    let counts = &summary["integrations"]["linkedin_profile"];
    let (done, no_data) = (
        counts["done"].as_u64().unwrap_or_default(),
        counts["no_data"].as_u64().unwrap_or_default(),
    );
    assert!(done <= 3, "{finished}");
    let left = budget["cells_left"].as_u64().unwrap_or_default();
    assert_eq!(left, 7 - done - no_data, "{finished}");
    assert!(left >= 3, "{finished}");
    assert_eq!(counts["budget"], left, "{finished}");
    assert_eq!(demo.stats().requests, done + no_data, "{:?}", demo.stats());
    // A bad budget is refused before anything runs.
    let mut bad = run.clone();
    bad["max_cost_usd"] = json!(-1.0);
    let message = agent.err("enrich", bad).await;
    assert!(message.contains("max_cost_usd"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_cannot_use_a_project_file_nobody_trusted() {
    let agent = Agent::start().await;
    std::fs::write(
        agent.dir.path().join("leadgrid.toml"),
        r#"[[integrations]]
name = "company_size"
kind = "http"
url = "https://api.example.com/v1/companies?domain={{domain}}"

[[integrations.outputs]]
name = "employees"
type = "integer"
path = "$.company.employees"
"#,
    )
    .expect("write");
    for tool in ["enrich", "estimate"] {
        let message = agent
            .err(
                tool,
                json!({"path": "leads.csv", "integrations": ["company_size"]}),
            )
            .await;
        assert!(
            message.contains("company_size → api.example.com")
                && message.contains("You have not trusted it yet"),
            "{tool}: {message}"
        );
    }
    assert!(
        !agent.dir.path().join("trusted-projects.toml").exists(),
        "an agent never trusts a file for the user"
    );
}
