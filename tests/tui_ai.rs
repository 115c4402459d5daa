//! AI columns in the grid against the demo server: the shipped `find_ceo` with its inspector,
//! and a new AI column written, dry-run and saved in the picker.

mod common;

use common::{Harness, column_of, repo_file};
use crossterm::event::KeyCode;
use leadgrid::config::Config;
use leadgrid::demo::DemoOptions;
use leadgrid::integrations::user::{Catalog, Settings};
use leadgrid::tui::mode::Mode;

fn sample(h: u16) -> Harness {
    Harness::open_demo(
        &repo_file("lead-list/sample.csv"),
        160,
        h,
        DemoOptions::default(),
    )
}

#[test]
fn find_ceo_fills_typed_columns_and_the_inspector_shows_every_step() {
    let mut h = sample(60);
    h.keys("a");
    h.keys("find_ceo");
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(screen.contains("column 'company'"), "{screen}");
    assert!(screen.contains("column 'domain'"), "{screen}");
    h.key(KeyCode::Enter);
    h.settle();
    let screen = h.render();
    // Two calls a row (research, then the model), priced from each row's prompt.
    assert!(screen.contains("8 rows · 16 calls · est. $0.0"), "{screen}");
    assert!(screen.contains("tokens in, ~"), "{screen}");
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.mode, Mode::Normal));
    h.settle();
    let name = column_of(&h, "ceo_name");
    let confidence = column_of(&h, "ceo_confidence");
    assert_eq!(h.app.sheet.cell(0, name), "Ada Quill");
    assert_eq!(h.app.sheet.cell(3, name), "Dev Anand");
    assert!(h.app.sheet.cell(0, confidence).parse::<f64>().is_ok());
    assert_eq!(
        h.app.sheet.cell(7, name),
        "",
        "Sakura Stack has no CEO: no data"
    );
    let screen = h.render();
    assert!(screen.contains("∅ no data"), "{screen}");
    // The inspector on Ada's cell: the prompt, the research, the answer, the fields, the cost.
    h.key(KeyCode::End);
    h.keys("i");
    assert!(matches!(h.app.mode, Mode::Inspector { .. }));
    let screen = h.render();
    for expected in [
        "prompt",
        "Who is the chief executive (CEO) of Brightforge Labs (brightforge.example)",
        "research",
        "Chief executive: Ada Quill",
        "answer (stop: end_turn)",
        "parsed",
        "ceo_name = Ada Quill",
        "spent        ",
        "in /",
        "call 1: chatgpt_webresearch",
    ] {
        assert!(screen.contains(expected), "{expected}:\n{screen}");
    }
    assert!(!screen.to_lowercase().contains("x-api-key"), "{screen}");
    // The runs panel has the column's spend and tokens.
    h.key(KeyCode::Esc);
    h.keys("t");
    let screen = h.render();
    assert!(screen.contains("$ spent"), "{screen}");
    assert!(screen.contains("k tok"), "{screen}");
}

#[test]
fn an_ai_column_is_written_dry_run_saved_and_run_from_the_picker() {
    let mut h = sample(50);
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("integrations.d");
    let config = Config::from_sources(None, |_| None).unwrap();
    h.app.catalog = Catalog::load(Some(folder.clone()), Settings::from_config(&config));
    h.keys("a");
    h.keys("ai col");
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(screen.contains("Add enrichment: AI column"), "{screen}");
    // The prompt, with a column name completed by Tab.
    h.keys("Latest funding stage of {{comp");
    let screen = h.render();
    assert!(screen.contains("columns for {{comp"), "{screen}");
    assert!(screen.contains("Tab → company"), "{screen}");
    h.key(KeyCode::Tab);
    h.keys(" ({{domain}})?");
    // One output: an enum named stage.
    h.key(KeyCode::Down);
    h.ctrl('u');
    h.keys("stage");
    h.key(KeyCode::Down);
    h.key(KeyCode::Left);
    h.key(KeyCode::Down);
    h.keys("seed, series a, series b, later");
    let screen = h.render();
    assert!(screen.contains("‹ enum ›"), "{screen}");
    assert!(
        screen.contains("prompt for row 1")
            && screen.contains("Latest funding stage of Brightforge Labs")
            && screen.contains("(brightforge.example)?"),
        "the prompt for the cursor's row: {screen}"
    );
    // The dry run on row 1.
    h.ctrl('r');
    h.settle();
    let screen = h.render();
    assert!(screen.contains("dry run on row 1: ✓ done"), "{screen}");
    assert!(screen.contains("parsed"), "{screen}");
    assert!(screen.contains("stage = "), "{screen}");
    assert!(screen.contains("spent "), "{screen}");
    assert!(h.app.enrich.columns.is_empty(), "a dry run adds no column");
    // A name, then save: the file is written and the picker goes on to map the inputs.
    for _ in 0..12 {
        h.key(KeyCode::Up);
    }
    h.ctrl('u');
    h.keys("funding_stage");
    h.key(KeyCode::Enter);
    h.settle();
    let screen = h.render();
    assert!(screen.contains("2/3 map inputs"), "{screen}");
    assert!(screen.contains("saved "), "{screen}");
    let file = folder.join("funding_stage.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("prompt = \"Latest funding stage of {{company}} ({{domain}})?\""),
        "{text}"
    );
    assert!(text.contains("choices = [\"seed\", \"series a\", \"series b\", \"later\"]"));
    assert!(h.app.catalog.find("funding_stage").is_some());
    h.key(KeyCode::Enter);
    h.settle();
    h.key(KeyCode::Enter);
    h.settle();
    let stage = column_of(&h, "stage");
    let choices = ["seed", "series a", "series b", "later"];
    for row in 0..8 {
        let value = h.app.sheet.cell(row, stage);
        assert!(choices.contains(&value.as_str()), "row {row}: {value:?}");
    }
}

#[test]
fn a_broken_file_is_listed_in_the_picker_and_explains_itself() {
    let mut h = sample(40);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "name = \"bad\"\nkind = \"ai\"\nprompt = \"{{company}}\"\n",
    )
    .unwrap();
    let config = Config::from_sources(None, |_| None).unwrap();
    h.app.catalog = Catalog::load(
        Some(dir.path().to_path_buf()),
        Settings::from_config(&config),
    );
    h.keys("a");
    h.keys("bad");
    let screen = h.render();
    assert!(screen.contains("✗ bad.toml (not loaded)"), "{screen}");
    assert!(
        screen.contains("declare at least one [[outputs]]"),
        "{screen}"
    );
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(screen.contains("fix the file"), "{screen}");
    assert!(matches!(h.app.mode, Mode::Picker(_)));
}
