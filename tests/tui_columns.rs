//! Enrichments follow their columns by identity: renaming an input or an output, undoing
//! it, deleting an output, saving and reopening keep the enrichment where it is.

mod common;

use common::{Harness, add_profile_column, column_of, temp_copy};
use crossterm::event::KeyCode;
use leadgrid::demo::DemoOptions;
use leadgrid::session::{SessionOptions, StoreChoice};
use leadgrid::tui::mode::Mode;
use std::path::Path;

/// Demo session options journaling into `store`.
fn with_store(store: &Path) -> SessionOptions {
    SessionOptions {
        store: StoreChoice::Path(store.to_path_buf()),
        ..Harness::demo_options(DemoOptions::default(), 8)
    }
}

/// Puts the cursor on sheet row `row`, in the column named `name`.
fn go_to(h: &mut Harness, row: usize, name: &str) {
    let col = column_of(h, name);
    h.keys("g");
    for _ in 0..row {
        h.keys("j");
    }
    h.key(KeyCode::Home);
    for _ in 0..col {
        h.keys("l");
    }
}

/// Renames the column named `from` to `to` with `R`.
fn rename(h: &mut Harness, from: &str, to: &str) {
    go_to(h, 0, from);
    h.keys("R");
    h.ctrl('u');
    h.keys(to);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.sheet.columns()[column_of(h, to)].name, to);
}

/// Paid calls the session's demo server answered.
fn paid_calls(h: &Harness) -> u64 {
    let session = h.session.as_ref().unwrap();
    session.demo.as_ref().unwrap().stats().paid_calls()
}

#[test]
fn renamed_input_and_output_columns_keep_their_enrichment_through_reopen() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let store = dir.path().join("store.sqlite3");
    {
        let mut h = Harness::open_session(&path, 160, 30, with_store(&store));
        add_profile_column(&mut h);
        h.settle();
        rename(&mut h, "linkedin_url", "profile");
        rename(&mut h, "follower_count", "followers");
        let screen = h.render();
        assert!(screen.contains("✦followers"), "{screen}");
        assert!(screen.contains("✓5 ∅1 ✗1 –1"), "{screen}");

        // The inspector finds the renamed output's cells.
        go_to(&mut h, 0, "followers");
        h.keys("i");
        assert!(matches!(h.app.mode, Mode::Inspector(_)));
        let screen = h.render();
        assert!(
            screen.contains("Inspect · linkedin_profile · row 1"),
            "{screen}"
        );
        assert!(screen.contains("state        ✓ done"), "{screen}");
        h.key(KeyCode::Esc);

        // Re-running a cell, the row and the column reads the renamed input.
        h.keys("r");
        assert!(h.render().contains("re-running row 1 (1 enrichment)"));
        h.settle();
        h.ctrl('e');
        assert!(h.render().contains("re-running row 1 (1 enrichment)"));
        h.settle();
        h.keys("x");
        assert!(h.render().contains("re-running 8 cells"));
        h.settle();
        assert_eq!(h.app.sheet.cell(0, column_of(&h, "followers")), "48210");
        // Farid's profile fails in the demo (a 429 then 500s), even re-run.
        assert!(h.render().contains("✓5 ∅1 ✗1 –1"));
        h.keys("t");
        assert!(h.render().contains("linkedin_url←profile"));
        h.key(KeyCode::Esc);

        // Undoing a rename keeps the binding: it is the same column under its old name.
        h.keys("u");
        let screen = h.render();
        assert!(screen.contains("✦follower_count"), "{screen}");
        go_to(&mut h, 0, "follower_count");
        h.keys("i");
        assert!(matches!(h.app.mode, Mode::Inspector(_)));
        h.key(KeyCode::Esc);
        h.ctrl('r');
        assert!(h.render().contains("✦followers"));

        h.ctrl('s');
        h.settle();
        let saved = std::fs::read_to_string(&path).unwrap();
        let header = saved.lines().next().unwrap();
        assert!(header.contains(",profile,"), "{header}");
        assert!(
            header.ends_with(",followers,linkedin_profile_error"),
            "{header}"
        );
    }

    // Reopened: the enrichment is back on its renamed columns, from the journal.
    let mut h = Harness::open_session(&path, 160, 30, with_store(&store));
    h.settle();
    let screen = h.render();
    assert!(
        screen.contains(
            "restored 6 enrichment cells from the journal; 2 cells to run (missing or failed)"
        ),
        "{screen}"
    );
    assert_eq!(h.app.sheet.cell(0, column_of(&h, "followers")), "48210");
    assert_eq!(paid_calls(&h), 0);
    h.keys("$");
    assert!(h.render().contains("✦followers"));
    h.keys("t");
    assert!(h.render().contains("linkedin_url←profile"));
    h.key(KeyCode::Esc);
    go_to(&mut h, 1, "followers");
    h.keys("i");
    h.settle();
    let screen = h.render();
    assert!(screen.contains("Resource not found"), "{screen}");
    assert!(screen.contains("bram-okonkwo-lind-demo"), "{screen}");
    h.key(KeyCode::Esc);
    // Editing the renamed input makes the row's cell stale, and the row re-runs on it.
    go_to(&mut h, 1, "profile");
    h.keys("e");
    h.ctrl('u');
    h.keys("https://www.linkedin.com/in/bram-okonkwo-lind/");
    h.key(KeyCode::Enter);
    assert!(
        h.render()
            .contains("linkedin_profile of row 2 used the old value: Ctrl-e re-runs the row")
    );
    h.ctrl('e');
    h.settle();
    assert_ne!(h.app.sheet.cell(1, column_of(&h, "followers")), "");
    assert!(h.render().contains("✓6 ∅0 ✗1 –1"));
}

#[test]
fn renames_not_saved_are_forgotten_with_the_file_and_the_enrichment_stays_bound() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let store = dir.path().join("store.sqlite3");
    {
        let mut h = Harness::open_session(&path, 160, 30, with_store(&store));
        add_profile_column(&mut h);
        h.settle();
        h.ctrl('s');
        h.settle();
        rename(&mut h, "linkedin_url", "profile");
        rename(&mut h, "follower_count", "followers");
        // Closed without saving: the file still has the old names.
    }
    let mut h = Harness::open_session(&path, 160, 30, with_store(&store));
    h.settle();
    // Farid's failed profile is not restored: it runs again.
    assert!(h.render().contains("restored 6 enrichment cells"));
    assert_eq!(paid_calls(&h), 0);
    h.keys("$");
    let screen = h.render();
    assert!(screen.contains("✦follower_count"), "{screen}");
    h.keys("t");
    let screen = h.render();
    assert!(screen.contains("linkedin_url←linkedin_url"), "{screen}");
}

#[test]
fn a_deleted_output_is_no_longer_filled_and_deleting_the_last_removes_the_enrichment() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let mut h = Harness::open_session(&path, 160, 30, with_store(&dir.path().join("s.db")));
    let columns = h.app.sheet.columns().len();
    add_profile_column(&mut h);
    h.settle();
    go_to(&mut h, 0, "follower_count");
    h.keys("X");
    let screen = h.render();
    assert!(
        screen.contains(
            "column 'follower_count' deleted; linkedin_profile no longer fills it (u to undo)"
        ),
        "{screen}"
    );
    // Re-running fills the outputs it still has, and does not bring the column back.
    go_to(&mut h, 0, "headline");
    h.keys("x");
    h.settle();
    assert_eq!(h.app.sheet.columns().len(), columns + 3);
    assert_eq!(h.app.enrich.totals().done, 5);
    // Undo brings the column back, filled by the enrichment as before.
    h.keys("u");
    assert_eq!(
        h.app.sheet.cell(0, column_of(&h, "follower_count")),
        "48210"
    );
    h.keys("$");
    assert!(h.render().contains("✦follower_count"));

    // Deleting its last output column removes the enrichment; undo brings both back.
    for name in ["headline", "current_company", "location"] {
        go_to(&mut h, 0, name);
        h.keys("X");
    }
    assert_eq!(h.app.enrich.columns.len(), 1);
    go_to(&mut h, 0, "follower_count");
    h.keys("X");
    assert!(h.app.enrich.columns.is_empty());
    assert_eq!(h.app.sheet.columns().len(), columns);
    assert!(
        h.render()
            .contains("removed linkedin_profile (u brings it back with its cells)")
    );
    h.keys("uuuu");
    assert_eq!(h.app.enrich.columns.len(), 1);
    assert_eq!(h.app.sheet.columns().len(), columns + 4);
    assert_eq!(h.app.enrich.totals().done, 5);
    h.keys("$");
    let screen = h.render();
    assert!(screen.contains("✦headline"), "{screen}");
    assert!(screen.contains("✦follower_count"), "{screen}");
}
