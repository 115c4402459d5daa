//! An enrichment's run condition ("only run if"): set in the picker's last step, counted out
//! of the estimate, its rows skipped at no cost, and kept with the definition on reopening.

mod common;

use common::{Harness, temp_copy};
use crossterm::event::KeyCode;
use leadgrid::cell::{CellState, SkipReason};
use leadgrid::demo::DemoOptions;
use leadgrid::session::{SessionOptions, StoreChoice};
use leadgrid::tui::mode::Mode;

#[test]
fn rows_failing_the_condition_are_skipped_at_no_cost_and_the_condition_is_kept() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let store = dir.path().join("store.sqlite3");
    let opts = || SessionOptions {
        store: StoreChoice::Path(store.clone()),
        ..Harness::demo_options(DemoOptions::default(), 4)
    };
    {
        let mut h = Harness::open_session(&path, 160, 40, opts());
        h.keys("a");
        h.keys("linkedin_profile");
        h.key(KeyCode::Enter);
        h.key(KeyCode::Enter);
        h.settle();
        // A mistake is shown with a caret, and nothing is kept.
        h.keys("i");
        h.keys("titel ~ 'ceo|founder'");
        h.key(KeyCode::Enter);
        let screen = h.render();
        assert!(
            screen.contains("unknown column 'titel' (did you mean title?)"),
            "{screen}"
        );
        for _ in 0..40 {
            h.key(KeyCode::Backspace);
        }
        h.keys("title ~ 'ceo|founder'");
        h.key(KeyCode::Enter);
        h.settle();
        let screen = h.render();
        assert!(
            screen.contains("only run if: title ~ 'ceo|founder'"),
            "{screen}"
        );
        // Ada (CEO) and Dev (Founder) are paid for; the other six are counted out.
        assert!(screen.contains("8 rows · 2 calls · est. $0.02"), "{screen}");
        assert!(
            screen.contains("6 rows where the condition does not hold"),
            "{screen}"
        );
        h.key(KeyCode::Enter);
        h.settle();
        assert!(h.render().contains("– skipped (condition)"));
        let column = &h.app.enrich.columns[0];
        assert_eq!((column.counts.done, column.counts.skipped), (2, 6));
        let bram = h.app.sheet.row_id(1).expect("row");
        assert_eq!(
            column.cells[&bram].state,
            CellState::Skipped(SkipReason::Condition)
        );
        let stats = h.session.as_ref().unwrap().demo.as_ref().unwrap().stats();
        assert_eq!(stats.paid_calls(), 2, "{stats:?}");
    }
    // Reopened: the condition came back with the enrichment, and still holds rows back.
    let mut h = Harness::open_session(&path, 160, 40, opts());
    h.settle();
    let column = &h.app.enrich.columns[0];
    let condition = column.condition.as_ref().map(|c| c.source.as_str());
    assert_eq!(condition, Some("title ~ 'ceo|founder'"));
    assert_eq!((column.counts.done, column.counts.skipped), (2, 6));
    let stats = h.session.as_ref().unwrap().demo.as_ref().unwrap().stats();
    assert_eq!(stats.paid_calls(), 0, "{stats:?}");
}

#[test]
fn a_condition_is_changed_from_the_runs_panel_and_a_rerun_applies_it() {
    let (_dir, path) = temp_copy("lead-list/sample.csv");
    let mut h = Harness::open_demo(&path, 160, 40, DemoOptions::default());
    h.keys("a");
    h.keys("linkedin_profile");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.settle();
    h.keys("i");
    h.keys("title ~ 'ceo'");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.settle();
    assert_eq!(h.app.enrich.columns[0].counts.done, 1, "Ada only");
    // `i` in the runs panel: a mistake is asked again with its caret, then the new one.
    h.keys("t");
    h.keys("i");
    h.ctrl('u');
    h.keys("titel ~ 'ceo|founder'");
    h.key(KeyCode::Enter);
    assert!(h.render().contains("did you mean title?"));
    h.ctrl('u');
    h.keys("title ~ 'ceo|founder'");
    h.key(KeyCode::Enter);
    assert!(
        h.render()
            .contains("linkedin_profile: only run if title ~ 'ceo|founder'")
    );
    h.keys("t");
    h.keys("r");
    h.settle();
    let column = &h.app.enrich.columns[0];
    assert_eq!((column.counts.done, column.counts.skipped), (2, 6));
    // Cleared: every row runs (Grace has no URL and is skipped for that). The panel stays
    // open after a re-run.
    assert!(matches!(h.app.mode, Mode::Runs(_)));
    h.keys("i");
    h.ctrl('u');
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(
        screen.contains("linkedin_profile: runs on every row"),
        "{screen}"
    );
    h.keys("t");
    h.keys("r");
    h.settle();
    let column = &h.app.enrich.columns[0];
    assert_eq!(column.counts.skipped, 1, "{:?}", column.counts);
}
