//! Enrichment in the grid against the demo server over real sockets: picker,
//! live cells, inspector, re-run after fixing an input, cancel.

mod common;

use common::{Harness, add_profile_column, column_of, repo_file, temp_copy};
use crossterm::event::KeyCode;
use leadgrid::demo::{DemoOptions, Hold};
use leadgrid::tui::mode::Mode;

/// The sample list on a 160×30 screen with `linkedin_profile` added and finished.
fn sample_with_profile() -> Harness {
    let mut h = Harness::open_demo(
        &repo_file("lead-list/sample.csv"),
        160,
        30,
        DemoOptions::default(),
    );
    add_profile_column(&mut h);
    h.settle();
    h
}

/// The sample list with `linkedin_profile` running one request at a time, held by the demo
/// server until the run is cancelled (nothing finishes on its own), so there is time to cancel.
fn slow_profile_run() -> Harness {
    let opts = DemoOptions {
        hold: Some(Hold::new()),
        ..DemoOptions::default()
    };
    let mut h = Harness::open_demo_with(&repo_file("lead-list/sample.csv"), 160, 30, opts, 1);
    add_profile_column(&mut h);
    h
}

#[test]
fn profile_column_fills_in_with_values_no_data_and_skips() {
    let mut h = sample_with_profile();
    let company = column_of(&h, "current_company");
    let followers = column_of(&h, "follower_count");
    assert_eq!(h.app.sheet.cell(0, company), "Brightforge Labs");
    assert_eq!(h.app.sheet.cell(0, followers), "48210");
    assert_eq!(h.app.sheet.cell(1, followers), "");
    let screen = h.render();
    assert!(screen.contains("∅ no data"), "{screen}");
    assert!(screen.contains("– skipped"), "{screen}");
    assert!(screen.contains("✦headline"), "{screen}");
    assert!(screen.contains("✓6 ∅1 ✗0 –1"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn inspector_shows_request_attempts_and_response() {
    let mut h = Harness::open_demo(
        &repo_file("lead-list/sample.csv"),
        140,
        50,
        DemoOptions::default(),
    );
    add_profile_column(&mut h);
    h.settle();
    // Bram's profile does not exist: inspect his headline cell.
    h.keys("j");
    h.key(KeyCode::End);
    h.keys("hhh");
    h.keys("i");
    assert!(matches!(h.app.mode, Mode::Inspector { .. }));
    let screen = h.render();
    assert!(screen.contains("no data"), "{screen}");
    assert!(screen.contains("Resource not found"), "{screen}");
    assert!(
        screen.contains("call 1: get_linkedin_person_data"),
        "{screen}"
    );
    assert!(screen.contains("attempt 1"), "{screen}");
    assert!(screen.contains("bram-okonkwo-lind-demo"), "{screen}");
    assert!(!screen.to_lowercase().contains("x-api-key"), "{screen}");
}

#[test]
fn fixing_an_input_and_rerunning_the_row_takes_two_keys() {
    let (_dir, path) = temp_copy("lead-list/sample.csv");
    let mut h = Harness::open_demo(&path, 160, 30, DemoOptions::default());
    add_profile_column(&mut h);
    h.settle();
    let url = column_of(&h, "linkedin_url");
    let followers = column_of(&h, "follower_count");
    assert_eq!(h.app.sheet.cell(1, followers), "");
    // Fix Bram's URL in place, then re-run his row.
    h.keys("j");
    h.key(KeyCode::Home);
    for _ in 0..url {
        h.keys("l");
    }
    h.keys("e");
    h.ctrl('u');
    h.keys("https://www.linkedin.com/in/bram-okonkwo-lind/");
    h.key(KeyCode::Enter);
    assert!(
        h.render()
            .contains("linkedin_profile of row 2 used the old value: Ctrl-e re-runs the row")
    );
    // The cell says so too, and the inspector names the edited input.
    for _ in url..followers {
        h.keys("l");
    }
    let screen = h.render();
    assert!(screen.contains("≠ no data"), "{screen}");
    h.keys("i");
    let screen = h.render();
    assert!(
        screen.contains("≠ edited since this ran (Ctrl-e re-runs the row)"),
        "{screen}"
    );
    assert!(
        screen.contains("linkedin_url is now https://www.linkedin.com/in/bram-okonkwo-lind/"),
        "{screen}"
    );
    h.key(KeyCode::Esc);
    h.ctrl('e');
    h.settle();
    assert_ne!(h.app.sheet.cell(1, followers), "");
    let screen = h.render();
    assert!(screen.contains("✓7 ∅0 ✗0 –1"), "{screen}");
    assert!(!screen.contains("≠"), "{screen}");
    // Saving writes the values like `leadgrid run`.
    h.ctrl('s');
    h.settle();
    let saved = std::fs::read_to_string(&path).unwrap();
    let header = saved.lines().next().unwrap();
    assert!(
        header.ends_with(",headline,current_company,location,follower_count"),
        "{header}"
    );
    assert!(saved.lines().nth(1).unwrap().ends_with(",48210"));
}

#[test]
fn failures_are_counted_inspected_and_rerun() {
    let opts = DemoOptions {
        fault_rate: 1.0,
        ..DemoOptions::default()
    };
    let mut h = Harness::open_demo_with(&repo_file("lead-list/sample.csv"), 160, 30, opts, 1);
    add_profile_column(&mut h);
    h.settle();
    let screen = h.render();
    assert!(screen.contains("✗7"), "{screen}");
    assert!(screen.contains("✗ failed"), "{screen}");
    // Jump to a failed cell and look at it.
    h.key(KeyCode::Home);
    h.keys("g]");
    h.keys("i");
    let screen = h.render();
    assert!(screen.contains("failed"), "{screen}");
    assert!(screen.contains("attempt 1"), "{screen}");
    h.key(KeyCode::Esc);
    // Rows with failures only.
    h.keys("!");
    h.settle();
    assert!(h.render().contains("7 shown"));
}

#[test]
fn cancel_turns_pending_cells_into_skipped() {
    let mut h = slow_profile_run();
    h.ctrl('x');
    assert!(h.render().contains("Cancel run"));
    h.keys("y");
    h.settle();
    let totals = h.app.enrich.totals();
    assert_eq!(totals.pending(), 0);
    // Held by the demo server, nothing finished: all 8 rows are skipped.
    assert_eq!((totals.done, totals.skipped), (0, 8), "{totals:?}");
    // The runs panel lists the column with its counts.
    h.keys("t");
    let screen = h.render();
    assert!(screen.contains("linkedin_profile"), "{screen}");
    assert!(screen.contains("linkedin_url←linkedin_url"), "{screen}");
}

#[test]
fn picker_explains_missing_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("names.csv");
    std::fs::write(&path, "name,company\nAda Quill,Brightforge\n").unwrap();
    let mut h = Harness::open_demo(&path, 140, 30, DemoOptions::default());
    h.keys("alinkedin_profile");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(screen.contains("map linkedin_url to a column"), "{screen}");
    assert!(matches!(h.app.mode, Mode::Picker(_)));
}

#[test]
fn runs_panel_lists_columns_with_counts() {
    let mut h = sample_with_profile();
    h.keys("t");
    assert!(matches!(h.app.mode, Mode::Runs { .. }));
    let screen = h.render();
    assert!(screen.contains(" Runs "), "{screen}");
    assert!(screen.contains("linkedin_url←linkedin_url"), "{screen}");
}

#[test]
fn reopening_without_saving_restores_every_finished_cell_from_the_journal() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let store = dir.path().join("store.sqlite3");
    let opts = || leadgrid::session::SessionOptions {
        store: leadgrid::session::StoreChoice::Path(store.clone()),
        ..Harness::demo_options(DemoOptions::default(), 8)
    };
    {
        let mut h = Harness::open_session(&path, 160, 30, opts());
        add_profile_column(&mut h);
        h.settle();
        assert!(h.render().contains("✓6 ∅1 ✗0 –1"));
        // Closed without saving: the CSV on disk has no enrichment columns.
    }
    assert!(
        !std::fs::read_to_string(&path)
            .unwrap()
            .contains("follower_count")
    );

    let mut h = Harness::open_session(&path, 160, 30, opts());
    h.settle();
    let screen = h.render();
    assert!(
        screen.contains(
            "restored 7 enrichment cells from the journal; 1 cell to run (missing or failed)"
        ),
        "{screen}"
    );
    h.keys("$");
    let screen = h.render();
    assert!(screen.contains("✦follower_count"), "{screen}");
    assert!(screen.contains("✓6 ∅1 ✗0 –1"), "{screen}");
    let followers = column_of(&h, "follower_count");
    assert_eq!(h.app.sheet.cell(0, followers), "48210");
    // Nothing was paid again: the new demo server answered no profile call.
    let stats = h.session.as_ref().unwrap().demo.as_ref().unwrap().stats();
    assert_eq!(stats.paid_calls(), 0, "{stats:?}");
    // The inspector still shows the restored call.
    h.keys("j");
    h.key(KeyCode::Home);
    for _ in 0..followers {
        h.keys("l");
    }
    h.keys("i");
    let screen = h.render();
    assert!(screen.contains("Resource not found"), "{screen}");
    // The calls are read from the journal when the inspector opens (not kept in memory).
    h.settle();
    let screen = h.render();
    assert!(
        screen.contains("call 1: get_linkedin_person_data"),
        "{screen}"
    );
    assert!(screen.contains("bram-okonkwo-lind-demo"), "{screen}");
    // The restored enrichment undoes like one added by hand: out in one step, back with redo.
    h.key(KeyCode::Esc);
    h.keys("u");
    assert!(h.app.enrich.columns.is_empty());
    h.ctrl('r');
    assert_eq!(h.app.enrich.totals().done, 6);
}

#[test]
fn heyreach_through_the_picker_with_one_sender_for_all_rows() {
    let mut h = Harness::open_demo(
        &repo_file("lead-list/sample.csv"),
        160,
        30,
        DemoOptions::default(),
    );
    h.keys("aheyreach_network");
    h.key(KeyCode::Enter);
    // linkedin_url is guessed; the sender id has no column: give one value for every row.
    let screen = h.render();
    assert!(screen.contains("(not mapped: required)"), "{screen}");
    h.key(KeyCode::Down);
    h.keys("cdemo-sender-1");
    h.key(KeyCode::Enter);
    assert!(h.render().contains("value \"demo-sender-1\""));
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.settle();
    let col = column_of(&h, "heyreach_is_connection");
    let connected: Vec<String> = (0..8).map(|r| h.app.sheet.cell(r, col)).collect();
    assert_eq!(connected[0], "true", "{connected:?}");
    assert_eq!(connected[6], "", "Grace has no URL: skipped");
    // Engagement next, with the meeting signal visible in the inspector.
    h.keys("aheyreach_engagement");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.settle();
    let meeting = column_of(&h, "heyreach_meeting_booked");
    assert_eq!(h.app.sheet.cell(0, meeting), "true");
    h.keys("g");
    h.keys("i");
    let screen = h.render();
    assert!(screen.contains("meeting signal"), "{screen}");
}

#[test]
fn confirm_step_counts_rows_the_cache_already_answers() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let opts = leadgrid::session::SessionOptions {
        store: leadgrid::session::StoreChoice::Path(dir.path().join("store.sqlite3")),
        ..Harness::demo_options(DemoOptions::default(), 8)
    };
    let mut h = Harness::open_session(&path, 160, 30, opts);
    assert!(
        h.app.persist.is_some(),
        "{:?}",
        h.session.as_ref().unwrap().store_warning
    );
    h.keys("alinkedin_claude_mentions");
    for _ in 0..3 {
        h.key(KeyCode::Enter);
    }
    h.settle();
    // Post activity needs the same posts call: all 7 rows with a URL are already paid for.
    h.keys("alinkedin_post_activity");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.settle();
    let screen = h.render();
    assert!(
        screen.contains("7 rows answered from the cache (free)"),
        "{screen}"
    );
    assert!(screen.contains("8 rows · 0 calls · est. $0.00"), "{screen}");
    assert!(
        screen.contains("1 row without linkedin_url: skipped, not paid"),
        "{screen}"
    );
    h.key(KeyCode::Enter);
    h.settle();
    let before = h.app.enrich.caller.as_ref().unwrap().stats();
    assert_eq!(
        before.attempts, 7,
        "the second column made no call: {before:?}"
    );
    let screen = h.render();
    assert!(screen.contains("7 calls, 7 reused"), "{screen}");
}

#[test]
fn selected_rows_are_the_scope_and_what_ctrl_e_reruns() {
    let mut h = Harness::open_demo(
        &repo_file("lead-list/sample.csv"),
        160,
        30,
        DemoOptions::default(),
    );
    // Select rows 1 and 3 (Space moves down after marking), then sort: selection follows rows.
    h.keys(" j ");
    let screen = h.render();
    assert!(screen.contains("2 selected"), "{screen}");
    assert!(screen.contains("  1•"), "{screen}");
    assert!(screen.contains("  3•"), "{screen}");
    h.keys("S");
    h.settle();
    assert_eq!(h.app.grid.selection.rows(&h.app.sheet), [0, 2]);
    h.keys("alinkedin_profile");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.settle();
    let screen = h.render();
    assert!(screen.contains("selected rows"), "{screen}");
    assert!(screen.contains("2 rows · 2 calls"), "{screen}");
    h.key(KeyCode::Enter);
    h.settle();
    let followers = column_of(&h, "follower_count");
    let filled: Vec<usize> = (0..h.app.sheet.row_count())
        .filter(|&r| !h.app.sheet.cell(r, followers).is_empty())
        .collect();
    assert_eq!(filled, [0, 2]);
    let totals = h.app.enrich.totals();
    assert_eq!((totals.done, totals.pending()), (2, 0), "{totals:?}");
    // Select every row, then unselect; Esc drops a selection before touching the view.
    h.keys("V");
    assert!(h.render().contains("8 selected"));
    h.keys("V");
    assert!(h.app.grid.selection.is_empty());
    assert!(h.render().contains("no rows selected"));
    h.keys(" ");
    h.key(KeyCode::Esc);
    assert!(h.app.grid.selection.is_empty());
    assert!(h.render().contains("selection cleared"));
    h.key(KeyCode::Esc);
    assert!(h.render().contains("view cleared"));
    // Ctrl-e with rows selected re-runs every enrichment of those rows.
    h.keys("G ");
    h.ctrl('e');
    assert!(h.render().contains("re-running row 8"));
    h.settle();
    assert_ne!(h.app.sheet.cell(7, followers), "");
}

#[test]
fn re_run_reuses_answers_and_refresh_pays_for_new_ones() {
    let mut h = sample_with_profile();
    let attempts = |h: &Harness| h.app.enrich.caller.as_ref().unwrap().stats().attempts;
    assert_eq!(attempts(&h), 7);
    // `r` asks again but the answer is remembered: nothing is paid.
    h.key(KeyCode::End);
    h.keys("r");
    h.settle();
    assert_eq!(attempts(&h), 7);
    // `f` pays for a fresh answer, and the cell is done again.
    h.keys("f");
    assert!(h.render().contains("refreshing 1 cell"));
    h.settle();
    assert_eq!(attempts(&h), 8);
    assert_eq!(h.app.enrich.totals().done, 6);
    // Refreshing selected rows asks first, with the cost.
    h.keys(" j ");
    h.keys("f");
    let screen = h.render();
    assert!(
        screen.contains("Ask datagen again for 2 selected rows"),
        "{screen}"
    );
    assert!(screen.contains("about $0.02"), "{screen}");
    h.key(KeyCode::Esc);
    h.settle();
    assert_eq!(attempts(&h), 8);
    h.keys("fy");
    h.settle();
    assert_eq!(attempts(&h), 10);
}

#[test]
fn removing_an_enrichment_is_one_undo_step_that_brings_back_its_cells() {
    let mut h = Harness::open_demo(
        &repo_file("lead-list/sample.csv"),
        160,
        30,
        DemoOptions::default(),
    );
    let columns = h.app.sheet.columns().len();
    add_profile_column(&mut h);
    h.settle();
    assert_eq!(h.app.sheet.columns().len(), columns + 4);
    // Remove it from the runs panel: its four columns go in one step.
    h.keys("td");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.sheet.columns().len(), columns);
    assert!(h.app.enrich.columns.is_empty());
    let screen = h.render();
    assert!(
        screen.contains("u brings it back with its cells"),
        "{screen}"
    );
    // One undo: columns, values, cell states and inspector history are back.
    h.keys("u");
    assert_eq!(h.app.sheet.columns().len(), columns + 4);
    assert_eq!(h.app.enrich.columns.len(), 1);
    assert_eq!(
        h.app.sheet.cell(0, column_of(&h, "follower_count")),
        "48210"
    );
    let totals = h.app.enrich.totals();
    assert_eq!((totals.done, totals.no_data, totals.skipped), (6, 1, 1));
    let screen = h.render();
    assert!(screen.contains("∅ no data"), "{screen}");
    // Redo removes it again; undo past its addition withdraws it too.
    h.ctrl('r');
    assert!(h.app.enrich.columns.is_empty());
    h.keys("uu");
    assert!(h.app.enrich.columns.is_empty());
    assert_eq!(h.app.sheet.columns().len(), columns);
    h.ctrl('r');
    assert_eq!(h.app.enrich.columns.len(), 1);
    assert_eq!(h.app.sheet.columns().len(), columns + 4);
    // A new edit after an undo cuts the redo off for enrichments too.
    h.keys("u");
    h.keys("e");
    h.keys("x");
    h.key(KeyCode::Enter);
    h.ctrl('r');
    assert!(h.app.enrich.columns.is_empty());
}

#[test]
fn one_column_is_cancelled_from_the_runs_panel_after_asking() {
    let mut h = slow_profile_run();
    h.keys("tc");
    let screen = h.render();
    assert!(screen.contains("Cancel column"), "{screen}");
    assert!(screen.contains("of linkedin_profile?"), "{screen}");
    // Esc keeps it running and returns to the panel.
    h.key(KeyCode::Esc);
    assert!(matches!(h.app.mode, Mode::Runs { .. }));
    assert!(h.app.enrich.is_running());
    h.keys("cy");
    assert!(matches!(h.app.mode, Mode::Runs { .. }));
    h.settle();
    let totals = h.app.enrich.totals();
    assert_eq!(totals.pending(), 0);
    // Held by the demo server, nothing finished: all 8 rows are skipped.
    assert_eq!((totals.done, totals.skipped), (0, 8), "{totals:?}");
    h.keys("c");
    assert!(
        h.render()
            .contains("nothing of this column is queued or running")
    );
}

/// Confirming an enrichment plans its rows on a worker: the key returns before a single row
/// is read for it (the UI thread never walks the sheet), and the cells arrive in batches.
#[test]
fn confirming_plans_the_rows_on_a_worker_and_cells_arrive_in_batches() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leads.csv");
    leadgrid::table::generate(&path, 20_000, 7).unwrap();
    let held = DemoOptions {
        hold: Some(Hold::new()),
        ..DemoOptions::default()
    };
    let mut h = Harness::open_demo(&path, 160, 30, held);
    h.keys("alinkedin_profile");
    for _ in 0..3 {
        h.key(KeyCode::Enter);
    }
    assert!(matches!(h.app.mode, Mode::Normal));
    assert!(
        h.app.enrich.columns[0].cells.is_empty(),
        "planned on the UI thread"
    );
    assert!(h.app.enrich.is_running());
    assert!(
        h.render().contains("linkedin_profile: queuing 20000 rows…"),
        "{}",
        h.render()
    );
    let mut batches = Vec::new();
    h.settle_until(|app| {
        let planned = app.enrich.columns[0].cells.len();
        if batches.last() != Some(&planned) {
            batches.push(planned);
        }
        !app.enrich.is_planning()
    });
    assert_eq!(h.app.enrich.columns[0].cells.len(), 20_000);
    assert!(batches.len() > 2, "cells arrived in batches: {batches:?}");
    assert!(h.render().contains("linkedin_profile: 20000 rows queued"));
    h.ctrl('x');
    h.keys("y");
    h.settle();
    assert_eq!(h.app.enrich.totals().pending(), 0);
}
