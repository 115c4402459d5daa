//! Formula columns in the grid: added with `=`, computed on a worker, recomputed when an
//! input changes, undone in one step, saved as values and brought back on reopening.

mod common;

use common::{Harness, column_of, temp_copy};
use crossterm::event::KeyCode;
use leadgrid::demo::DemoOptions;
use leadgrid::session::{SessionOptions, StoreChoice};
use std::path::Path;

const WHO: &str = "who = concat(first_name_of(first_name), ' @ ', domain_of(email))";

fn open(path: &Path, store: &Path) -> Harness {
    let opts = SessionOptions {
        store: StoreChoice::Path(store.to_path_buf()),
        ..Harness::demo_options(DemoOptions::default(), 4)
    };
    Harness::open_session(path, 160, 30, opts)
}

/// Replaces the cell under the cursor with `text`.
fn edit(h: &mut Harness, text: &str) {
    h.keys("e");
    for _ in 0..40 {
        h.key(KeyCode::Backspace);
    }
    h.keys(text);
    h.key(KeyCode::Enter);
    h.settle();
}

#[test]
fn a_formula_recomputes_after_an_edit_undoes_in_one_step_and_survives_reopening() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let store = dir.path().join("store.sqlite3");
    {
        let mut h = open(&path, &store);
        // A mistake is shown where it is, and the prompt keeps what was typed.
        h.keys("$=");
        h.keys("who = domain_of(emial)");
        h.key(KeyCode::Enter);
        let screen = h.render();
        assert!(
            screen.contains("unknown column 'emial' (did you mean email?)"),
            "{screen}"
        );
        assert!(screen.contains("                     ^"), "{screen}");
        assert!(h.app.formulas.list.is_empty());
        h.key(KeyCode::Esc);

        h.keys("=");
        h.keys(WHO);
        h.key(KeyCode::Enter);
        h.settle();
        let who = column_of(&h, "who");
        assert_eq!(h.app.sheet.cell(0, who), "Ada @ brightforge.example");
        assert_eq!(h.app.sheet.cell(7, who), "Hiro @ sakurastack.example");
        assert!(h.render().contains("ƒwho"));

        // An input edited: only its row is computed again.
        h.keys("0");
        edit(&mut h, "Zed");
        assert_eq!(h.app.sheet.cell(0, who), "Zed @ brightforge.example");
        assert_eq!(h.app.sheet.cell(1, who), "Bram @ nullpoint.example");

        // Undo the edit (the formula follows), then the formula itself: one step each.
        h.keys("u");
        h.settle();
        assert_eq!(h.app.sheet.cell(0, who), "Ada @ brightforge.example");
        h.keys("u");
        h.settle();
        assert!(h.app.formulas.list.is_empty());
        assert!(!h.app.sheet.columns().iter().any(|c| c.name == "who"));
        h.ctrl('r');
        h.ctrl('r');
        h.settle();
        assert_eq!(h.app.formulas.list.len(), 1);
        assert_eq!(h.app.sheet.cell(0, who), "Zed @ brightforge.example");

        // `=` on the formula edits it.
        h.keys("$=");
        let screen = h.render();
        assert!(screen.contains(WHO), "{screen}");
        for _ in 0..WHO.len() {
            h.key(KeyCode::Backspace);
        }
        h.keys("who = upper(first_name)");
        h.key(KeyCode::Enter);
        h.settle();
        assert_eq!(h.app.sheet.cell(0, who), "ZED");
        // The new expression is one undo step too: undo brings the old one back.
        h.keys("u");
        h.settle();
        assert_eq!(h.app.sheet.cell(0, who), "Zed @ brightforge.example");
        assert_eq!(h.app.formulas.list.len(), 1);
        h.ctrl('r');
        h.settle();
        assert_eq!(h.app.sheet.cell(0, who), "ZED");
        assert_eq!(h.app.formulas.list[0].bound.source, "upper(first_name)");
        h.ctrl('s');
        h.settle();
    }
    // Saved as values.
    let text = std::fs::read_to_string(&path).expect("saved");
    assert!(text.starts_with("first_name,last_name"), "{text}");
    assert!(text.lines().next().unwrap().ends_with(",who"), "{text}");
    assert!(text.contains(",ZED\n"), "{text}");

    // Reopened: still a formula, and still live.
    let mut h = open(&path, &store);
    h.settle();
    assert_eq!(h.app.formulas.list.len(), 1);
    assert_eq!(h.app.formulas.list[0].bound.source, "upper(first_name)");
    let who = column_of(&h, "who");
    h.keys("j0");
    edit(&mut h, "Bo");
    assert_eq!(h.app.sheet.cell(1, who), "BO");
    h.keys("$");
    assert!(h.render().contains("ƒwho"));
}

#[test]
fn a_formula_reading_another_is_recomputed_after_it_and_a_loop_is_refused() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let store = dir.path().join("store.sqlite3");
    let mut h = open(&path, &store);
    h.keys("$=");
    h.keys("d = domain_of(email)");
    h.key(KeyCode::Enter);
    h.settle();
    // From a column that is not a formula, `=` adds one right of it.
    h.keys("h=");
    h.keys("shout = upper(d)");
    h.key(KeyCode::Enter);
    h.settle();
    let shout = column_of(&h, "shout");
    assert_eq!(h.app.sheet.cell(0, shout), "BRIGHTFORGE.EXAMPLE");
    // d computed from shout would loop: refused, with the path.
    h.keys("l=");
    for _ in 0.."d = domain_of(email)".len() {
        h.key(KeyCode::Backspace);
    }
    h.keys("d = lower(shout)");
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(
        screen.contains("a column cannot be computed from itself: d → shout → d"),
        "{screen}"
    );
    h.key(KeyCode::Esc);
    // An edit of email flows through d into shout.
    let email = column_of(&h, "email");
    h.key(KeyCode::Home);
    for _ in 0..email {
        h.keys("l");
    }
    edit(&mut h, "ada@new.example");
    assert_eq!(h.app.sheet.cell(0, shout), "NEW.EXAMPLE");
}
