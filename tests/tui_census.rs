//! The list as data in the grid: a column's frequency table (`#`) and duplicate rows (`U`),
//! counted on a worker from what the grid shows.

mod common;

use common::{Harness, add_profile_column, column_of, repo_file};
use crossterm::event::KeyCode;
use leadgrid::demo::DemoOptions;
use leadgrid::tui::mode::Mode;

/// Sheet rows in view order (0-based).
fn view_rows(h: &Harness) -> Vec<usize> {
    let sheet = &h.app.sheet;
    (0..h.app.grid.view_rows(sheet))
        .filter_map(|v| h.app.grid.row_at(sheet, v))
        .collect()
}

fn counted(h: &mut Harness) {
    h.settle_until(|app| match &app.mode {
        Mode::Frequency(p) => p.is_counted(),
        Mode::Duplicates(p) => p.is_counted(),
        _ => true,
    });
}

#[test]
fn the_frequency_table_counts_values_and_enter_filters_to_one() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 160, 40);
    h.settle();
    let campaign = column_of(&h, "campaign_name");
    h.app.grid.focus_column(&h.app.sheet, campaign);
    h.keys("#");
    counted(&mut h);
    let screen = h.render();
    assert!(screen.contains("Values of campaign_name"), "{screen}");
    assert!(
        screen.contains("8 rows · 3 distinct values · 0 (0.0%) empty"),
        "{screen}"
    );
    // Most frequent first, with count, share and a bar as long as the largest.
    let lines: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains('%') && (l.contains("Q1 founders") || l.contains("Platform leads")))
        .collect();
    assert_eq!(lines.len(), 2, "{screen}");
    assert!(lines[1].contains("Platform leads") && lines[1].contains("37.5%"));
    assert!(lines[0].contains("Q1 founders") && lines[0].contains("37.5%"));
    assert!(lines[0].contains(&"█".repeat(20)), "{}", lines[0]);
    // The second value: Enter shows only its rows, and the status bar says so.
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.mode, Mode::Normal));
    h.settle();
    assert_eq!(view_rows(&h), [2, 3, 7]);
    assert!(
        h.render()
            .contains("filter: campaign_name = \"Platform leads\" (3 shown)")
    );
}

#[test]
fn an_enrichment_column_shows_its_fill_rate_and_withheld_cells_count_as_empty() {
    let mut h = Harness::open_demo(
        &repo_file("lead-list/sample.csv"),
        160,
        40,
        DemoOptions::default(),
    );
    add_profile_column(&mut h);
    h.settle();
    let followers = column_of(&h, "follower_count");
    h.app.grid.focus_column(&h.app.sheet, followers);
    h.keys("#");
    counted(&mut h);
    let screen = h.render();
    assert!(
        screen.contains(
            "fill: done 5 (62.5%) · no data 1 (12.5%) · failed 1 (12.5%) · not run 1 (12.5%)"
        ),
        "{screen}"
    );
    // No data, failed and skipped cells have no value: they are the empty ones.
    assert!(
        screen.contains("5 distinct values · 3 (37.5%) empty"),
        "{screen}"
    );
    let empty = screen
        .lines()
        .find(|l| l.contains("(empty)"))
        .unwrap_or_default();
    assert!(empty.contains("37.5%"), "{screen}");
}

#[test]
fn duplicates_are_marked_stepped_through_and_deleted_as_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dups.csv");
    let sample = std::fs::read_to_string(repo_file("lead-list/sample.csv")).unwrap();
    let lines: Vec<&str> = sample.lines().collect();
    // Ada again with her profile URL written differently, Chiara twice more.
    let ada = lines[1].replace(
        "https://www.linkedin.com/in/ada-quill-demo/",
        "linkedin.com/in/Ada-Quill-Demo",
    );
    assert_ne!(ada, lines[1]);
    let text = format!("{}\n{ada}\n{}\n{}\n", lines.join("\n"), lines[3], lines[3]);
    std::fs::write(&path, text).unwrap();

    let mut h = Harness::open(&path, 160, 40);
    h.settle();
    h.keys("U");
    counted(&mut h);
    let screen = h.render();
    assert!(screen.contains("Duplicates by linkedin_url"), "{screen}");
    assert!(
        screen.contains("5 rows in 2 groups: 3 (27.3%) would go"),
        "{screen}"
    );
    assert!(screen.contains("1, 9"), "{screen}");
    assert!(screen.contains("3, 10, 11"), "{screen}");

    // Closed, the grid marks them and } / { step through them.
    h.key(KeyCode::Esc);
    assert!(h.render().contains("  9≡Ada"));
    h.keys("}");
    assert_eq!(h.app.grid.current_row(&h.app.sheet), Some(2));
    h.keys("}");
    assert_eq!(h.app.grid.current_row(&h.app.sheet), Some(8));
    h.keys("{");
    assert_eq!(h.app.grid.current_row(&h.app.sheet), Some(2));

    // All but the first of each group go in one step, and come back in one.
    h.keys("U");
    counted(&mut h);
    h.keys("D");
    assert_eq!(h.app.sheet.row_count(), 8);
    assert!(h.render().contains("3 rows deleted"));
    h.keys("u");
    assert_eq!(h.app.sheet.row_count(), 11);

    // Keyed by another column on request: the company column has the same groups.
    let company = column_of(&h, "company");
    h.app.grid.focus_column(&h.app.sheet, company);
    h.keys("U");
    counted(&mut h);
    h.keys("c");
    counted(&mut h);
    let screen = h.render();
    assert!(screen.contains("Duplicates by company"), "{screen}");
    assert!(screen.contains("brightforge labs"), "{screen}");
    // Enter shows one group's rows.
    h.key(KeyCode::Enter);
    h.settle();
    assert_eq!(view_rows(&h), [0, 8]);
}
