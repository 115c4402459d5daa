//! A waterfall built in the picker's "Waterfall…" form against the demo server: steps found
//! by search, reordered and validated, the cost range shown, the file written and loaded,
//! then run in the grid; and opened again with Ctrl-e.

mod common;

use common::{Harness, column_of, repo_file};
use crossterm::event::KeyCode;
use leadgrid::config::Config;
use leadgrid::demo::DemoOptions;
use leadgrid::integrations::user::definition::Definition;
use leadgrid::integrations::user::{Catalog, Settings};

#[test]
fn a_waterfall_is_built_saved_loaded_and_run_from_the_picker() {
    let mut h = Harness::open_demo(
        &repo_file("lead-list/sample.csv"),
        160,
        45,
        DemoOptions::default(),
    );
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("integrations.d");
    let config = Config::from_sources(None, |_| None).unwrap();
    h.app.catalog = Catalog::load(Some(folder.clone()), Settings::from_config(&config));
    h.keys("a");
    h.keys("waterfall");
    let screen = h.render();
    assert!(screen.contains("Waterfall… (try providers"), "{screen}");
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(screen.contains("Add enrichment: waterfall"), "{screen}");
    assert!(screen.contains("no step yet"), "{screen}");
    // Name and target.
    h.ctrl('u');
    h.keys("best_email");
    h.key(KeyCode::Down);
    h.ctrl('u');
    h.keys("best_email");
    // Two steps found by search: Hunter's finder, then Apollo's match.
    h.ctrl('n');
    h.keys("hunter_email hunter_email");
    let screen = h.render();
    assert!(screen.contains("hunter_email → hunter_email"), "{screen}");
    h.key(KeyCode::Enter);
    h.ctrl('n');
    h.keys("apollo_person apollo_email");
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(
        screen.contains("1. hunter_email → hunter_email"),
        "{screen}"
    );
    assert!(
        screen.contains("2. apollo_person → apollo_email"),
        "{screen}"
    );
    // Apollo first: it is on the cursor; Ctrl-k moves it earlier.
    h.ctrl('k');
    let screen = h.render();
    assert!(
        screen.contains("1. apollo_person → apollo_email"),
        "{screen}"
    );
    assert!(
        screen.contains("2. hunter_email → hunter_email"),
        "{screen}"
    );
    // Its validator: email syntax (chosen for an email output), then verified by Hunter.
    assert!(screen.contains("‹ email syntax ›"), "{screen}");
    h.key(KeyCode::Down);
    h.key(KeyCode::Right);
    let screen = h.render();
    assert!(
        screen.contains("‹ email verified by hunter, status in › valid"),
        "{screen}"
    );
    // Best case: Apollo's match and its verification ($0.03 + $0.0125); worst: Hunter's
    // finder too ($0.025), whose address is only checked for syntax.
    assert!(
        screen.contains("$0.042 (first step answers) – $0.068 (every step"),
        "{screen}"
    );
    h.key(KeyCode::Enter);
    h.settle();
    let screen = h.render();
    assert!(screen.contains("2/3 map inputs"), "{screen}");
    let text = std::fs::read_to_string(folder.join("best_email.toml")).unwrap();
    let def = Definition::parse(&text).expect("the file loads");
    assert_eq!(def.kind_name(), "waterfall");
    assert!(text.contains("verify = [\"valid\"]"), "{text}");
    assert!(h.app.catalog.find("best_email").is_some());
    // Run it on every row.
    h.key(KeyCode::Enter);
    h.settle();
    h.key(KeyCode::Enter);
    h.settle();
    let email = column_of(&h, "best_email");
    let source = column_of(&h, "best_email_source");
    let found = (0..8)
        .filter(|&r| !h.app.sheet.cell(r, email).is_empty())
        .count();
    assert!(found > 0, "{}", h.render());
    assert!(
        (0..8).any(|r| h.app.sheet.cell(r, source).contains("apollo_person")),
        "{}",
        h.render()
    );

    // Ctrl-e opens it again with its steps.
    h.keys("a");
    h.keys("best_email");
    h.ctrl('e');
    let screen = h.render();
    assert!(screen.contains("Add enrichment: waterfall"), "{screen}");
    assert!(
        screen.contains("1. apollo_person → apollo_email"),
        "{screen}"
    );
    assert!(
        screen.contains("‹ email verified by hunter, status in › valid"),
        "{screen}"
    );
}
