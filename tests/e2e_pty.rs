//! The real binary in a pseudo-terminal: open, move, edit, save, quit.

mod common;

use common::pty::PtyApp;
use common::temp_copy;
use std::time::Duration;

#[test]
fn edits_and_saves_in_a_real_terminal() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let mut app = PtyApp::spawn(&["sample.csv"], dir.path(), 120, 30);
    app.wait_text("Brightforge Labs");
    app.wait_text("8 rows × 8 cols");
    // Down to Bram, right to company, edit it.
    app.send("jll");
    app.wait_text("R2 C3");
    app.send("e");
    app.wait_text("edit: Nullpoint Systems");
    app.send("\x15Nullpoint AB\r");
    app.wait_text("[+]");
    app.send("\x13");
    app.wait_text("saved");
    app.send("q");
    assert!(app.wait_exit(Duration::from_secs(10)));
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("Bram,Okonkwo-Lind,Nullpoint AB,"), "{saved}");
    let original = std::fs::read_to_string(common::repo_file("lead-list/sample.csv")).unwrap();
    assert_eq!(saved.replace("Nullpoint AB", "Nullpoint Systems"), original);
}

#[test]
fn missing_file_is_one_line_on_stderr_and_nonzero_exit() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leadgrid"))
        .arg("no-such-file.csv")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no-such-file.csv"), "{stderr}");
    // The terminal was never switched to the alternate screen.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\x1b[?1049h"));
}

#[test]
fn quit_asks_when_unsaved_and_leaves_file_alone() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let mut app = PtyApp::spawn(&["sample.csv"], dir.path(), 100, 20);
    app.wait_text("Brightforge Labs");
    app.send("D");
    app.wait_text("[+]");
    app.send("q");
    app.wait_text("Unsaved changes");
    app.send("n");
    assert!(app.wait_exit(Duration::from_secs(10)));
    let original = std::fs::read(common::repo_file("lead-list/sample.csv")).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), original);
}

#[test]
fn enriches_against_the_demo_server_and_saves() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let mut app = PtyApp::spawn(&["--demo", "sample.csv"], dir.path(), 160, 40);
    app.wait_text("Brightforge Labs");
    app.send("a");
    app.wait_text("1/3 choose an integration");
    app.send("linkedin_profile");
    app.wait_text("search: linkedin_profile");
    app.send("\r");
    app.wait_text("2/3 map inputs");
    app.send("\r");
    app.wait_text("8 rows · 7 calls");
    app.send("\r");
    // Every state: Farid's profile fails after a 429 and 500s (visible retries).
    app.wait_text("✓5 ∅1 ✗1 –1");
    app.wait_text("∅ no data");
    // Inspect Bram's cell: row 2 of the first enrichment column.
    app.send("j");
    app.wait_text("R2 ");
    app.send("i");
    app.wait_text("Resource not found");
    app.send("\x1b");
    app.wait_for("inspector closed", Duration::from_secs(10), |s| {
        !s.contains("Resource not found")
    });
    app.send("\x13");
    app.wait_text("saved");
    app.send("q");
    assert!(app.wait_exit(Duration::from_secs(10)));
    let saved = std::fs::read_to_string(&path).unwrap();
    let mut lines = saved.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",headline,current_company,location,follower_count,linkedin_profile_error")
    );
    assert!(lines.next().unwrap().ends_with(",48210,"), "{saved}");
}
