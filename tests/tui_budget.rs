//! Budgets in the grid against the demo server: the picker's budget stops a column's paid
//! calls (its cells left `$ budget`), the runs panel shows spent against budget and by
//! provider, and raising the budget there lets `F` finish the column.

mod common;

use common::{Harness, repo_file, temp_copy};
use crossterm::event::KeyCode;
use leadgrid::cell::CellState;
use leadgrid::demo::DemoOptions;
use leadgrid::tui::mode::Mode;

/// Picks `linkedin_profile` with its default mapping and outputs, and sets a budget of
/// `budget` dollars on the confirm step before running it.
fn add_profile_with_budget(h: &mut Harness, budget: &str) {
    h.keys("a");
    h.keys("linkedin_profile");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.settle();
    h.keys("b");
    h.keys(budget);
    let screen = h.render();
    assert!(screen.contains(&format!("budget ${budget}")), "{screen}");
    h.key(KeyCode::Enter);
    let screen = h.render();
    // 7 calls at $0.01: a budget under $0.07 may stop the run before the end.
    assert!(
        screen.contains(&format!("budget ${budget}: less than the estimate")),
        "{screen}"
    );
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.mode, Mode::Normal));
}

fn state_count(h: &Harness, state: &CellState) -> usize {
    h.app.enrich.columns[0]
        .cells
        .values()
        .filter(|c| &c.state == state)
        .count()
}

#[test]
fn a_budget_stops_the_column_and_raising_it_lets_f_finish() {
    let mut h = Harness::open_demo(
        &repo_file("lead-list/sample.csv"),
        160,
        30,
        DemoOptions::default(),
    );
    add_profile_with_budget(&mut h, "0.03");
    h.settle();
    let column = &h.app.enrich.columns[0];
    let spent = column.spent.usd.unwrap_or_default();
    // Never more than the budget: per-call prices are exact.
    assert!(spent <= 0.03 + 1e-9, "spent {spent}");
    let stopped = state_count(&h, &CellState::Budget);
    assert!(stopped >= 2, "{:?}", column.counts);
    let screen = h.render();
    assert!(screen.contains("$ budget"), "{screen}");

    h.keys("t");
    let screen = h.render();
    assert!(screen.contains(&format!("${spent:.2} / $0.03")), "{screen}");
    assert!(
        screen.contains(&format!("$ budget: {stopped} left")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("by provider: datagen ${spent:.2}")),
        "{screen}"
    );

    // Raise it in the runs panel (the prompt starts with the current budget).
    h.keys("b");
    assert!(matches!(h.app.mode, Mode::Prompt(_)));
    for _ in 0..4 {
        h.key(KeyCode::Backspace);
    }
    h.keys("1");
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(
        screen.contains(&format!(
            "linkedin_profile: budget $1.00; F re-runs its {stopped} cells the budget stopped"
        )),
        "{screen}"
    );
    h.keys("F");
    h.settle();
    assert_eq!(state_count(&h, &CellState::Budget), 0);
    let counts = h.app.enrich.columns[0].counts;
    assert_eq!((counts.done, counts.no_data, counts.failed), (5, 1, 1));
    h.keys("t");
    let screen = h.render();
    assert!(screen.contains("$0.05 / $1.00"), "{screen}");
    assert!(screen.contains("by provider: datagen $0.05"), "{screen}");
}

#[test]
fn a_reopened_sheet_keeps_its_columns_budget() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let store = dir.path().join("store.sqlite3");
    let opts = || leadgrid::session::SessionOptions {
        store: leadgrid::session::StoreChoice::Path(store.clone()),
        ..Harness::demo_options(DemoOptions::default(), 8)
    };
    {
        let mut h = Harness::open_session(&path, 160, 30, opts());
        add_profile_with_budget(&mut h, "0.02");
        h.settle();
        assert!(state_count(&h, &CellState::Budget) > 0);
    }
    let mut h = Harness::open_session(&path, 160, 30, opts());
    h.settle();
    assert_eq!(h.app.enrich.columns[0].budget_usd(), Some(0.02));
    h.keys("t");
    let screen = h.render();
    assert!(screen.contains("/ $0.02"), "{screen}");
}
