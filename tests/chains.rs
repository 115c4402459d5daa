//! Columns that feed columns: an enrichment whose input is another enrichment's output
//! waits for its source cell in the row, runs with the value the source wrote, and is
//! skipped (nothing sent) when the source has no answer. `leadgrid run` (the real binary)
//! and the grid, both against a loopback demo server.

mod common;

use crossterm::event::KeyCode;
use leadgrid::cell::{CellState, SkipReason};
use leadgrid::demo::{DemoHandle, DemoOptions};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/lead-list/sample.csv");
/// A key as long as real ones (keys are scrubbed from answers).
const KEY: &str = "demo-key-0123456789abcdef";

/// The sample without its `company` column: `find_ceo` can only learn a lead's company from
/// `linkedin_profile`'s `current_company`.
fn without_company(dir: &Path) {
    let mut reader = csv::Reader::from_path(SAMPLE).expect("sample");
    let headers = reader.headers().expect("headers").clone();
    let keep: Vec<usize> = (0..headers.len())
        .filter(|&i| &headers[i] != "company")
        .collect();
    let mut writer = csv::Writer::from_path(dir.join("leads.csv")).expect("write");
    writer
        .write_record(keep.iter().map(|&i| &headers[i]))
        .expect("header");
    for record in reader.records() {
        let record = record.expect("record");
        writer
            .write_record(keep.iter().map(|&i| &record[i]))
            .expect("row");
    }
    writer.flush().expect("flush");
}

fn run(dir: &Path, demo: &DemoHandle, args: &[&str]) -> Output {
    let base = demo.base_url();
    fs::write(dir.join("config.toml"), "").expect("config");
    Command::new(env!("CARGO_BIN_EXE_leadgrid"))
        .current_dir(dir)
        .env("LEADGRID_CONFIG", dir.join("config.toml"))
        .env("LEADGRID_STORE", dir.join("store.sqlite3"))
        .env("DATAGEN_BASE_URL", &base)
        .env("DATAGEN_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", &base)
        .env("ANTHROPIC_API_KEY", KEY)
        .env("OPENAI_BASE_URL", format!("{base}/v1"))
        .env("OPENAI_API_KEY", KEY)
        .args(args)
        .output()
        .expect("run leadgrid")
}

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    csv::Reader::from_path(path)
        .expect("output")
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn run_feeds_a_source_output_to_its_dependent_and_skips_rows_without_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    without_company(dir.path());
    let demo = DemoHandle::start_background(DemoOptions::default()).expect("demo server");
    let out = run(
        dir.path(),
        &demo,
        &[
            "run",
            "leads.csv",
            "--no-store",
            "-i",
            "find_ceo,linkedin_profile",
            "--map",
            "company=current_company",
            "-o",
            "out.csv",
            "--json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let s: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let profile = &s["integrations"]["linkedin_profile"];
    let ceo = &s["integrations"]["find_ceo"];
    let rows = rows(&dir.path().join("out.csv"));
    // Listed first, find_ceo still ran after linkedin_profile, with the company it found.
    assert_eq!(rows[0]["current_company"], "Brightforge Labs", "{stderr}");
    assert_eq!(rows[0]["ceo_name"], "Ada Quill", "{stderr}");
    let found: Vec<bool> = rows
        .iter()
        .map(|r| !r["current_company"].is_empty())
        .collect();
    let sources = found.iter().filter(|&&f| f).count() as u64;
    assert_eq!(profile["done"].as_u64(), Some(sources), "{s}");
    for (row, found) in rows.iter().zip(&found) {
        if !found {
            assert_eq!(row["ceo_name"], "", "{row:?}");
        }
    }
    // Rows whose profile has no company are skipped: no AI call with an empty company.
    assert_eq!(
        ceo["done"].as_u64().unwrap_or(0) + ceo["no_data"].as_u64().unwrap_or(0),
        sources,
        "{s}"
    );
    assert_eq!(ceo["skipped"].as_u64(), Some(8 - sources), "{s}");
    assert_eq!(demo.stats().by_tool["anthropic/messages"], sources);
}

#[test]
fn run_refuses_integrations_that_feed_each_other_in_a_loop() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(SAMPLE, dir.path().join("leads.csv")).expect("sample");
    let demo = DemoHandle::start_background(DemoOptions::default()).expect("demo server");
    // normalize_linkedin_url reads the domain email_domain finds in the normalised URL.
    let out = run(
        dir.path(),
        &demo,
        &[
            "run",
            "leads.csv",
            "--no-store",
            "-i",
            "normalize_linkedin_url,email_domain",
            "--map",
            "linkedin_url=email_domain",
            "--map",
            "email=linkedin_url_normalized",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("loop: email_domain → normalize_linkedin_url → email_domain")
            || stderr
                .contains("loop: normalize_linkedin_url → email_domain → normalize_linkedin_url"),
        "{stderr}"
    );
    assert_eq!(demo.stats().requests, 0);
}

/// The grid on the sample without `company`, the demo holding every provider call until
/// `hold` is released.
fn grid(dir: &Path, hold: &leadgrid::demo::Hold) -> common::Harness {
    without_company(dir);
    let opts = DemoOptions {
        hold: Some(hold.clone()),
        ..DemoOptions::default()
    };
    common::Harness::open_demo_with(&dir.join("leads.csv"), 160, 30, opts, 4)
}

/// Adds `integration` from the picker, its first input read from the column named `first`
/// when given (cycled to with `l`), every output kept.
fn add(h: &mut common::Harness, integration: &str, first: Option<&str>) {
    h.keys("a");
    h.keys(integration);
    h.key(KeyCode::Enter);
    if let Some(first) = first {
        // `l` walks the first input's source through the columns, then none, and round.
        for _ in 0..=2 * h.app.sheet.columns().len() {
            if h.render().contains(&format!("← column '{first}'")) {
                break;
            }
            h.keys("l");
        }
        let screen = h.render();
        assert!(screen.contains(&format!("← column '{first}'")), "{screen}");
    }
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.settle_until(|app| !app.enrich.is_planning());
}

#[test]
fn grid_runs_a_dependent_after_its_source_with_its_value_and_skips_rows_without_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hold = leadgrid::demo::Hold::new();
    let mut h = grid(dir.path(), &hold);
    add(&mut h, "linkedin_profile", None);
    add(&mut h, "find_ceo", Some("current_company"));
    let screen = h.render();
    // Queued behind their source, not run with an empty company.
    assert!(screen.contains("· waiting"), "{screen}");
    let ada = h.app.sheet.row_id(0).expect("row");
    let ceo_id = h.app.enrich.columns[1].id;
    assert_eq!(
        h.app.enrich.waiting_on(ada, ceo_id),
        Some("linkedin_profile")
    );
    let demo = h
        .session
        .as_ref()
        .and_then(|s| s.demo.as_ref())
        .expect("demo");
    assert_eq!(demo.stats().by_tool.get("anthropic/messages"), None);
    hold.release();
    h.settle();
    let demo = h
        .session
        .as_ref()
        .and_then(|s| s.demo.as_ref())
        .expect("demo");
    let stats = demo.stats();
    let sheet = &h.app.sheet;
    let col = |name: &str| {
        sheet
            .columns()
            .iter()
            .position(|c| c.name == name)
            .expect("column")
    };
    let (company, ceo) = (col("current_company"), col("ceo_name"));
    assert_eq!(sheet.cell(0, company), "Brightforge Labs");
    assert_eq!(sheet.cell(0, ceo), "Ada Quill");
    let found: Vec<usize> = (0..sheet.row_count())
        .filter(|&r| !sheet.cell(r, company).is_empty())
        .collect();
    assert!(found.len() >= 4 && found.len() < 8, "{found:?}");
    let column = &h.app.enrich.columns[1];
    for r in (0..sheet.row_count()).filter(|r| !found.contains(r)) {
        let id = sheet.row_id(r).expect("row");
        assert_eq!(
            column.cells[&id].state,
            CellState::Skipped(SkipReason::Source("linkedin_profile".into())),
            "row {r}"
        );
    }
    // One AI call per row whose profile named a company, none with an empty one.
    assert_eq!(
        stats.by_tool["anthropic/messages"],
        found.len() as u64,
        "{stats:?}"
    );
    assert!(h.render().contains("– skipped"));
}

#[test]
fn the_picker_refuses_a_mapping_that_would_feed_a_column_from_itself() {
    let (_dir, path) = common::temp_copy("lead-list/sample.csv");
    let mut h = common::Harness::open_demo_with(&path, 160, 30, DemoOptions::default(), 2);
    // email_domain reads first_name; split_full_name reading its output would fill
    // first_name again.
    add(&mut h, "email_domain", Some("first_name"));
    h.settle();
    h.keys("a");
    h.keys("split_full_name");
    h.key(KeyCode::Enter);
    for _ in 0..=2 * h.app.sheet.columns().len() {
        if h.render().contains("← column 'email_domain'") {
            break;
        }
        h.keys("l");
    }
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    // The message wraps in the picker: read it without the line breaks and borders.
    let screen = h.render();
    let words: Vec<&str> = screen
        .split(|c: char| c.is_whitespace() || c == '│')
        .filter(|w| !w.is_empty())
        .collect();
    assert!(
        words
            .join(" ")
            .contains("computed from itself: first_name → email_domain → first_name"),
        "{screen}"
    );
    assert_eq!(h.app.enrich.columns.len(), 1, "nothing added");
}

/// A dependent added while its source is still being planned (a big sheet) waits for the
/// source's cells instead of running from the row as it is, company still empty.
#[test]
fn a_dependent_added_while_its_source_is_planned_waits_for_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    without_company(dir.path());
    let sample = fs::read_to_string(dir.path().join("leads.csv")).expect("read");
    let mut lines = sample.lines();
    let header = lines.next().expect("header");
    let rows: Vec<&str> = lines.collect();
    let mut big = format!("{header}\n");
    for i in 0..20_000 {
        big.push_str(rows[i % rows.len()]);
        big.push('\n');
    }
    fs::write(dir.path().join("leads.csv"), big).expect("write");
    let hold = leadgrid::demo::Hold::new();
    let opts = DemoOptions {
        hold: Some(hold.clone()),
        ..DemoOptions::default()
    };
    let mut h = common::Harness::open_demo_with(&dir.path().join("leads.csv"), 160, 30, opts, 4);
    h.settle();
    // Both added before a single planned batch is taken: the dependent's plan races the
    // source's.
    for (integration, first) in [
        ("linkedin_profile", None),
        ("find_ceo", Some("current_company")),
    ] {
        h.keys("a");
        h.keys(integration);
        h.key(KeyCode::Enter);
        if let Some(first) = first {
            for _ in 0..=2 * h.app.sheet.columns().len() {
                if h.render().contains(&format!("← column '{first}'")) {
                    break;
                }
                h.keys("l");
            }
        }
        h.key(KeyCode::Enter);
        h.key(KeyCode::Enter);
    }
    h.settle_until(|app| !app.enrich.is_planning());
    let column = &h.app.enrich.columns[1];
    let early = column
        .cells
        .values()
        .filter(|c| matches!(c.state, CellState::Skipped(SkipReason::MissingInput(_))))
        .count();
    assert_eq!(
        early, 0,
        "dependent cells ran before their source was planned"
    );
    let demo = h
        .session
        .as_ref()
        .and_then(|s| s.demo.as_ref())
        .expect("demo");
    assert_eq!(demo.stats().by_tool.get("anthropic/messages"), None);
    h.ctrl('x');
    h.keys("y");
    hold.release();
    h.settle();
}

/// A source value edited by hand marks its dependent `≠`; Ctrl-e re-runs the row's chain,
/// the source first, and the dependent with what the source wrote.
#[test]
fn an_edited_source_marks_its_dependent_stale_and_ctrl_e_reruns_the_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hold = leadgrid::demo::Hold::new();
    hold.release();
    let mut h = grid(dir.path(), &hold);
    add(&mut h, "linkedin_profile", None);
    add(&mut h, "find_ceo", Some("current_company"));
    h.settle();
    let company = common::column_of(&h, "current_company");
    let ceo = common::column_of(&h, "ceo_name");
    assert_eq!(h.app.sheet.cell(0, ceo), "Ada Quill");
    h.app.grid.focus_column(&h.app.sheet, company);
    h.keys("e");
    h.ctrl('u');
    h.keys("Kitecraft");
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(screen.contains("≠"), "{screen}");
    assert!(
        screen.contains("find_ceo of row 1 used the old value"),
        "{screen}"
    );
    h.ctrl('e');
    h.settle();
    // The profile answered again, and the CEO comes from what it wrote.
    assert_eq!(h.app.sheet.cell(0, company), "Brightforge Labs");
    assert_eq!(h.app.sheet.cell(0, ceo), "Ada Quill");
    assert!(!h.render().contains("≠"));
}
