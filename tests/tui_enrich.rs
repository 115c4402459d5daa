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
fn slow_profile_run() -> (Harness, Hold) {
    let hold = Hold::new();
    let opts = DemoOptions {
        hold: Some(hold.clone()),
        ..DemoOptions::default()
    };
    let mut h = Harness::open_demo_with(&repo_file("lead-list/sample.csv"), 160, 30, opts, 1);
    add_profile_column(&mut h);
    (h, hold)
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
    // The demo's failing row: Farid's profile gets a 429, then 500s.
    assert!(screen.contains("✗ failed"), "{screen}");
    assert!(screen.contains("✦headline"), "{screen}");
    assert!(screen.contains("✓5 ∅1 ✗1 –1"), "{screen}");
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
    assert!(screen.contains("✓6 ∅0 ✗1 –1"), "{screen}");
    assert!(!screen.contains("≠"), "{screen}");
    // Saving writes the values like `leadgrid run`.
    h.ctrl('s');
    h.settle();
    let saved = std::fs::read_to_string(&path).unwrap();
    let header = saved.lines().next().unwrap();
    // The failed cell's message goes in an error column, as `leadgrid run` writes it.
    assert!(
        header
            .ends_with(",headline,current_company,location,follower_count,linkedin_profile_error"),
        "{header}"
    );
    assert!(saved.lines().nth(1).unwrap().ends_with(",48210,"));
    assert!(
        saved.lines().nth(6).unwrap().contains("HTTP 500"),
        "{saved}"
    );
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
fn cancel_turns_pending_cells_into_cancelled_and_f_runs_them_again() {
    let (mut h, hold) = slow_profile_run();
    h.ctrl('x');
    assert!(h.render().contains("Cancel run"));
    h.keys("y");
    h.settle();
    let totals = h.app.enrich.totals();
    assert_eq!(totals.pending(), 0);
    // Held by the demo server, nothing finished: Grace (no URL) is the one skip, and the
    // seven the cancel stopped are counted apart.
    assert_eq!(
        (totals.done, totals.skipped, totals.cancelled),
        (0, 1, 7),
        "{totals:?}"
    );
    let screen = h.render();
    assert!(screen.contains("⊘ cancell"), "{screen}");
    assert!(screen.contains("⊘7"), "{screen}");
    // F re-runs the unfinished cells and says how many.
    hold.release();
    h.keys("F");
    assert!(
        h.render()
            .contains("re-running 7 unfinished cells (0 failed, 7 cancelled)"),
        "{}",
        h.render()
    );
    h.settle();
    let totals = h.app.enrich.totals();
    assert_eq!((totals.cancelled, totals.pending()), (0, 0), "{totals:?}");
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
        assert!(h.render().contains("✓5 ∅1 ✗1 –1"));
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
            "restored 6 enrichment cells from the journal; 2 cells to run (missing or failed)"
        ),
        "{screen}"
    );
    h.keys("$");
    let screen = h.render();
    assert!(screen.contains("✦follower_count"), "{screen}");
    // Farid's failed cell ran again, against a new demo server that fails it again.
    assert!(screen.contains("✓5 ∅1 ✗1 –1"), "{screen}");
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
    assert_eq!(h.app.enrich.totals().done, 5);
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
    // Seven profiles, Farid's twice (the demo fails it).
    assert_eq!(attempts(&h), 8);
    // `r` asks again but the answer is remembered: nothing is paid.
    h.key(KeyCode::End);
    h.keys("r");
    h.settle();
    assert_eq!(attempts(&h), 8);
    // `f` pays for a fresh answer, and the cell is done again.
    h.keys("f");
    assert!(h.render().contains("refreshing 1 cell"));
    h.settle();
    assert_eq!(attempts(&h), 9);
    assert_eq!(h.app.enrich.totals().done, 5);
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
    assert_eq!(attempts(&h), 9);
    h.keys("fy");
    h.settle();
    assert_eq!(attempts(&h), 11);
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
    assert_eq!(
        (totals.done, totals.no_data, totals.failed, totals.skipped),
        (5, 1, 1, 1)
    );
    h.keys("$");
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
    let (mut h, _hold) = slow_profile_run();
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
    // Held by the demo server, nothing finished: Grace is skipped, the rest cancelled.
    assert_eq!(
        (totals.done, totals.skipped, totals.cancelled),
        (0, 1, 7),
        "{totals:?}"
    );
    h.keys("c");
    assert!(
        h.render()
            .contains("nothing of this column is queued or running")
    );
}

#[test]
fn a_grid_save_tells_the_same_story_as_a_headless_run() {
    let dir = tempfile::tempdir().unwrap();
    let grid = dir.path().join("grid.csv");
    let input = dir.path().join("run.csv");
    std::fs::copy(repo_file("lead-list/sample.csv"), &grid).unwrap();
    std::fs::copy(repo_file("lead-list/sample.csv"), &input).unwrap();

    // The grid: every state of the demo (done, no data, failed after retries, skipped).
    let mut h = Harness::open_demo(&grid, 160, 30, DemoOptions::default());
    add_profile_column(&mut h);
    h.settle();
    h.ctrl('s');
    h.settle();
    assert!(!h.app.is_dirty());

    // The same input, headless, with as many attempts as the grid's session makes.
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leadgrid"))
        .current_dir(dir.path())
        .env("LEADGRID_CONFIG", &config)
        .env_remove("DATAGEN_API_KEY")
        .env_remove("DATAGEN_BASE_URL")
        .args([
            "run",
            "run.csv",
            "--demo",
            "--no-store",
            "--max-attempts",
            "2",
        ])
        .args(["-i", "linkedin_profile", "--output", "run_out.csv"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let saved = std::fs::read_to_string(&grid).unwrap();
    let headless = std::fs::read_to_string(dir.path().join("run_out.csv")).unwrap();
    assert!(saved.contains("linkedin_profile_error"), "{saved}");
    assert_eq!(saved, headless);
}

/// Sheet rows in view order (0-based).
fn view_rows(h: &Harness) -> Vec<usize> {
    let sheet = &h.app.sheet;
    (0..h.app.grid.view_rows(sheet))
        .filter_map(|v| h.app.grid.row_at(sheet, v))
        .collect()
}

#[test]
fn filters_and_sorts_see_what_the_grid_shows() {
    let mut h = sample_with_profile();
    // Bram has no data, Farid failed, Grace was skipped: none of them has followers.
    h.keys("|followers > 1000");
    h.key(KeyCode::Enter);
    h.settle();
    assert_eq!(view_rows(&h), [0, 2, 3, 4, 7]);
    let screen = h.render();
    assert!(
        screen.contains("filter: follower_count > 1000 (5 shown)"),
        "{screen}"
    );
    // Combined, with a prefix for a column and parentheses; `|` opens with the last filter.
    h.keys("|");
    assert!(h.render().contains("followers > 1000"));
    h.ctrl('u');
    h.keys("follower_c < 10000 and not (title ~ 'manager' or email is empty)");
    h.key(KeyCode::Enter);
    h.settle();
    assert_eq!(view_rows(&h), [2, 3]);
    h.key(KeyCode::Esc);
    h.settle();
    assert_eq!(view_rows(&h).len(), 8);

    // Sorting puts the rows without a value last, whichever way.
    let followers = column_of(&h, "follower_count");
    h.app.grid.focus_column(&h.app.sheet, followers);
    h.keys("S");
    h.settle();
    assert_eq!(&view_rows(&h)[..5], [0, 4, 2, 7, 3]);
    assert!(h.render().contains("follower_count▼"));
    h.keys("s");
    h.settle();
    assert_eq!(&view_rows(&h)[..5], [3, 7, 2, 4, 0]);
    let mut last: Vec<usize> = view_rows(&h)[5..].to_vec();
    last.sort_unstable();
    assert_eq!(last, [1, 5, 6]);

    // The sort stays on its column when a column is inserted before it.
    h.keys("0c");
    h.keys("notes");
    h.key(KeyCode::Enter);
    let sort = h.app.grid.view.sort.expect("sorted");
    let followers = column_of(&h, "follower_count");
    assert_eq!(h.app.sheet.column_index(sort.col), Some(followers));
    h.keys("$");
    assert!(h.render().contains("follower_count▲"));
}

#[test]
fn a_filter_that_does_not_read_is_shown_where_it_fails() {
    let mut h = sample_with_profile();
    h.keys("|title = CEO and followers >");
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.mode, Mode::Prompt(_)));
    let screen = h.render();
    assert!(
        screen.contains("^ unexpected end: expected a value"),
        "{screen}"
    );
    // The text is kept to fix.
    h.keys(" 10");
    h.key(KeyCode::Enter);
    h.settle();
    assert_eq!(view_rows(&h), [0], "{}", h.render());
}

#[test]
fn without_a_key_the_picker_opens_local_integrations_run_and_keyed_ones_say_what_to_set() {
    let (_dir, path) = temp_copy("lead-list/sample.csv");
    let opts = leadgrid::session::SessionOptions {
        allow_no_key: true,
        ..leadgrid::session::SessionOptions::default()
    };
    let mut h = Harness::open_session(&path, 160, 30, opts);
    assert!(h.render().contains("a enrich · ? help"));
    h.keys("a");
    assert!(matches!(h.app.mode, Mode::Picker(_)));
    h.keys("linkedin_profile");
    let screen = h.render();
    assert!(screen.contains("no key"), "{screen}");
    assert!(screen.contains("DATAGEN_API_KEY is not set"), "{screen}");
    // Chosen, it says exactly what to set, and stays on the first step.
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(
        screen.contains("DATAGEN_API_KEY and start leadgrid again, or start with --demo"),
        "{screen}"
    );
    assert!(screen.contains("1/3 choose an integration"), "{screen}");
    // Keys typed in the picker stay in the picker.
    h.key(KeyCode::Esc);
    assert!(matches!(h.app.mode, Mode::Normal));
    let rows = h.app.sheet.row_count();
    h.keys("aemail_domain");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.settle();
    h.key(KeyCode::Enter);
    h.settle();
    assert_eq!(h.app.sheet.row_count(), rows);
    let domain = column_of(&h, "email_domain");
    assert_eq!(h.app.sheet.cell(0, domain), "brightforge.example");
    assert_eq!(h.app.enrich.totals().done, 8);
}

#[test]
fn the_demo_is_free_and_says_so_beside_the_real_price() {
    let mut h = Harness::open_demo(
        &repo_file("lead-list/sample.csv"),
        160,
        30,
        DemoOptions::default(),
    );
    assert!(h.render().contains(" │ demo │ "));
    h.keys("alinkedin_profile");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.settle();
    let screen = h.render();
    assert!(screen.contains("8 rows · 7 calls · est. $0.07"), "{screen}");
    assert!(
        screen.contains("demo: nothing is charged (real keys: $0.07)"),
        "{screen}"
    );
    assert!(screen.contains("not needed: demo server"), "{screen}");
}

#[test]
fn backing_out_of_the_quit_dialogs_leaves_the_run_going() {
    let (mut h, hold) = slow_profile_run();
    // An unsaved edit as well as a running column: two questions before quitting.
    h.keys("e");
    h.keys("!");
    h.key(KeyCode::Enter);
    assert!(h.app.enrich.is_running());
    h.keys("q");
    assert!(h.render().contains("Enrichment running"));
    h.keys("y");
    assert!(h.render().contains("Unsaved changes"));
    h.key(KeyCode::Esc);
    assert!(!h.app.quit);
    assert!(h.render().contains("quit cancelled: the run goes on"));
    // Nothing was cancelled: the held calls finish once released.
    assert!(h.app.enrich.is_running());
    assert_eq!(h.app.enrich.totals().cancelled, 0);
    hold.release();
    h.settle();
    let totals = h.app.enrich.totals();
    assert_eq!((totals.pending(), totals.cancelled), (0, 0), "{totals:?}");
    assert!(totals.done > 0, "{totals:?}");
}

#[test]
fn undoing_a_running_enrichment_asks_and_redo_offers_to_continue_it() {
    let (mut h, hold) = slow_profile_run();
    h.settle_until(|app| !app.enrich.is_planning());
    let columns = h.app.sheet.columns().len();
    h.keys("u");
    let screen = h.render();
    assert!(
        screen.contains("Undo takes out linkedin_profile, which is still running"),
        "{screen}"
    );
    h.key(KeyCode::Esc);
    assert!(h.render().contains("nothing undone: the run goes on"));
    assert_eq!(h.app.sheet.columns().len(), columns);
    assert!(h.app.enrich.is_running());

    h.keys("uy");
    assert!(h.app.enrich.columns.is_empty());
    assert_eq!(h.app.sheet.columns().len(), columns - 4);
    // Redo brings it back with the cells the undo cancelled, and offers to go on.
    h.ctrl('r');
    let screen = h.render();
    assert!(screen.contains("Continue the run?"), "{screen}");
    assert!(
        screen.contains("linkedin_profile is back with 7 unfinished cells"),
        "{screen}"
    );
    hold.release();
    h.keys("y");
    assert!(h.render().contains("continuing 7 unfinished cells"));
    h.settle();
    let totals = h.app.enrich.totals();
    assert_eq!((totals.cancelled, totals.pending()), (0, 0), "{totals:?}");
    assert_eq!(
        (totals.done, totals.no_data, totals.failed),
        (5, 1, 1),
        "{totals:?}"
    );
}

#[test]
fn the_status_bar_and_the_runs_panel_agree_on_calls_and_savings() {
    let mut h = sample_with_profile();
    // A re-run of a done cell is answered from memory: reused, not paid.
    h.key(KeyCode::End);
    h.keys("r");
    h.settle();
    let screen = h.render();
    let status = screen.lines().last().unwrap_or_default().to_string();
    assert!(
        status.contains("8 calls, 1 reused ($0.01 saved)"),
        "{status}"
    );
    assert!(status.contains("│ ✓5 ∅1 ✗1 –1"), "{status}");
    // Spent is what the calls reported costing: the five answers, not the failed attempts.
    h.keys("t");
    let screen = h.render();
    assert!(
        screen.contains("total: 8 calls, 1 reused ($0.01 saved), est. $0.05"),
        "{screen}"
    );
}

#[test]
fn a_message_goes_after_a_few_seconds_and_stays_apart_from_the_counters() {
    let mut h = sample_with_profile();
    h.keys("-");
    let status = h.render().lines().last().unwrap_or_default().to_string();
    assert!(status.contains("hidden (_ to show all) │"), "{status}");
    h.app.expire_message(std::time::Instant::now());
    assert!(h.app.message.is_some(), "not yet");
    h.app
        .expire_message(std::time::Instant::now() + std::time::Duration::from_secs(6));
    assert!(h.app.message.is_none());
    assert!(!h.render().contains("hidden (_ to show all)"));
}

#[test]
fn the_first_column_stays_on_screen_and_p_pins_others() {
    let mut h = sample_with_profile();
    h.key(KeyCode::End);
    let header = h.render().lines().next().unwrap_or_default().to_string();
    assert!(header.contains("first_name"), "{header}");
    assert!(header.contains("✦follower_count"), "{header}");
    assert!(!header.contains("last_name"), "{header}");
    // Pin the email column too: it joins the left, and the cursor stays on it.
    let email = column_of(&h, "email");
    h.app.grid.focus_column(&h.app.sheet, email);
    h.keys("P");
    assert!(h.render().contains("column 'email' pinned"));
    assert_eq!(h.app.grid.current_col(&h.app.sheet), Some(email));
    h.key(KeyCode::End);
    let header = h.render().lines().next().unwrap_or_default().to_string();
    assert!(header.starts_with("  # first_name   email "), "{header}");
    assert!(header.contains("✦follower_count"), "{header}");
    // Clicking a pinned cell lands on it.
    h.app.update(leadgrid::tui::event::AppEvent::Input(
        crossterm::event::Event::Mouse(crossterm::event::MouseEvent {
            kind: crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
            column: 20,
            row: 2,
            modifiers: crossterm::event::KeyModifiers::NONE,
        }),
    ));
    assert_eq!(h.app.grid.current_col(&h.app.sheet), Some(email));
    h.keys("P");
    assert!(h.render().contains("column 'email' unpinned"));
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
