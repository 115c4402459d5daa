//! The real binary in a pseudo-terminal: an AI column written in the picker, dry-run on the
//! cursor's row, saved into `integrations.d/`, run on the sheet, and then seen by
//! `leadgrid integrations --json` as any integration is.

mod common;

use common::pty::PtyApp;
use common::temp_copy;
use std::time::Duration;

const DOWN: &str = "\x1b[B";
const UP: &str = "\x1b[A";
const CTRL_R: &str = "\x12";
const CTRL_U: &str = "\x15";

#[test]
fn an_ai_column_is_added_through_the_picker() {
    let (dir, _path) = temp_copy("lead-list/sample.csv");
    let mut app = PtyApp::spawn(&["--demo", "sample.csv"], dir.path(), 160, 45);
    app.wait_text("Brightforge Labs");
    app.send("a");
    app.wait_text("1/3 choose an integration");
    app.send("ai col");
    app.wait_text("AI column… (your own prompt)");
    app.send("\r");
    app.wait_text("Add enrichment: AI column");
    // The prompt, completing a column name with Tab.
    app.send("Who runs {{comp");
    app.wait_text("Tab → company");
    app.send("\t");
    app.send(" ({{domain}})?");
    app.wait_text("Who runs Brightforge Labs (brightforge.example)?");
    // Its one output, named.
    app.send(DOWN);
    app.send(CTRL_U);
    app.send("ceo");
    // A dry run on the cursor's row, before anything is saved.
    app.send(CTRL_R);
    app.wait_text("dry run on row 1: ✓ done");
    app.wait_text("ceo = Ada Quill");
    // Named and saved: the picker goes on to the new column's inputs.
    app.send(&UP.repeat(6));
    app.send(CTRL_U);
    app.send("who_runs");
    app.send("\r");
    app.wait_text("2/3 map inputs");
    app.wait_text("who_runs.toml");
    app.send("\r");
    app.wait_text("3/3 outputs and rows");
    app.send("\r");
    app.wait_for("the column ran", Duration::from_secs(60), |s| {
        s.contains("✦ceo") && s.contains("✓7 ∅1")
    });
    let file = dir.path().join("integrations.d/who_runs.toml");
    let text = std::fs::read_to_string(&file).expect("saved definition");
    assert!(
        text.contains("prompt = \"Who runs {{company}} ({{domain}})?\""),
        "{text}"
    );
    app.send("q");
    app.wait_text("Unsaved changes");
    app.send("n");
    assert!(app.wait_exit(Duration::from_secs(10)));
    // The headless faces see it like any integration.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leadgrid"))
        .current_dir(dir.path())
        .env("LEADGRID_CONFIG", dir.path().join("config.toml"))
        .args(["integrations", "--json"])
        .output()
        .expect("integrations");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let listed = json["integrations"]
        .as_array()
        .expect("array")
        .iter()
        .find(|i| i["name"] == "who_runs")
        .expect("who_runs listed");
    assert_eq!(listed["outputs"][0]["name"], "ceo");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_leadgrid"))
        .current_dir(dir.path())
        .env("LEADGRID_CONFIG", dir.path().join("config.toml"))
        .env("LEADGRID_STORE", dir.path().join("store.sqlite3"))
        .args(["run", "sample.csv", "-i", "who_runs", "--demo", "--json"])
        .args(["-o", "out.csv"])
        .output()
        .expect("run");
    let summary: serde_json::Value = serde_json::from_slice(&run.stdout).expect("summary");
    assert_eq!(summary["integrations"]["who_runs"]["done"], 7);
}
