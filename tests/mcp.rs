//! `leadgrid mcp --demo` as an agent meets it: the real binary as a child process, spoken to
//! with the official SDK's client side over stdio.

use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use std::path::Path;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/lead-list/sample.csv");

struct Agent {
    client: RunningService<RoleClient, ()>,
    dir: tempfile::TempDir,
}

impl Agent {
    async fn start() -> Agent {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::copy(SAMPLE, dir.path().join("leads.csv")).expect("copy sample");
        std::fs::write(dir.path().join("config.toml"), "").expect("config");
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadgrid"));
        cmd.args(["mcp", "--demo", "--root"])
            .arg(dir.path())
            .env("LEADGRID_CONFIG", dir.path().join("config.toml"))
            .env("LEADGRID_STORE", dir.path().join("store.sqlite3"))
            .env_remove("DATAGEN_API_KEY");
        let transport = TokioChildProcess::new(cmd).expect("spawn leadgrid mcp");
        let client = ().serve(transport).await.expect("initialize");
        Agent { client, dir }
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
