//! The grid driven headless by key events and drawn on a `TestBackend`.

mod common;

use common::{Harness, repo_file, temp_copy};
use crossterm::event::KeyCode;
use leadgrid::tui::mode::Mode;

#[test]
fn first_screen_shows_header_rows_and_status() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 110, 14);
    let screen = h.render();
    insta::assert_snapshot!(screen);
}

#[test]
fn moves_with_vim_keys_and_shows_position() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 110, 14);
    h.keys("jjll");
    assert!(h.render().contains("R3 C3"));
    h.keys("G");
    assert!(h.render().contains("R8 C3"));
    h.keys("g$");
    assert!(h.render().contains("R1 C8"));
    h.key(KeyCode::Home);
    assert!(h.render().contains("R1 C1"));
}

#[test]
fn scrolls_horizontally_to_keep_cursor_visible() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 60, 10);
    h.keys("$");
    let screen = h.render();
    assert!(screen.contains("campaign_name"), "{screen}");
    assert!(!screen.contains("last_name"), "{screen}");
    // The first column is pinned: it stays, so the row keeps its name.
    assert!(screen.contains("first_name"), "{screen}");
}

#[test]
fn search_finds_and_cycles_matches() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 110, 14);
    h.keys("/kitecraft");
    h.key(KeyCode::Enter);
    h.settle();
    let screen = h.render();
    assert!(screen.contains("R4 C3"), "{screen}");
    assert!(screen.contains("match 1/3"), "{screen}");
    h.keys("n");
    assert!(h.render().contains("R4 C4"));
    h.keys("N");
    assert!(h.render().contains("R4 C3"));
}

#[test]
fn sort_descending_keeps_row_numbers() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 110, 14);
    h.keys("S");
    h.settle();
    let screen = h.render();
    insta::assert_snapshot!(screen);
}

#[test]
fn filter_by_condition_then_clear() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 110, 14);
    h.keys("|title = ceo");
    h.key(KeyCode::Enter);
    h.settle();
    let screen = h.render();
    assert!(screen.contains("1 shown"), "{screen}");
    assert!(screen.contains("Ada"));
    assert!(!screen.contains("Bram"));
    h.key(KeyCode::Esc);
    let screen = h.render();
    assert!(screen.contains("Bram"));
}

#[test]
fn bad_filter_column_is_explained() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 110, 14);
    h.keys("|nosuch = 3");
    h.key(KeyCode::Enter);
    assert!(h.render().contains("unknown column 'nosuch'"));
}

#[test]
fn edit_undo_redo_then_save() {
    let (_dir, path) = temp_copy("lead-list/sample.csv");
    let mut h = Harness::open(&path, 110, 14);
    h.keys("ll");
    h.keys("e");
    h.ctrl('u');
    h.keys("Quill & Co");
    h.key(KeyCode::Enter);
    assert!(h.render().contains("[+]"));
    h.keys("u");
    assert!(h.render().contains("Brightforge Labs"));
    h.ctrl('r');
    assert!(h.render().contains("Quill & Co"));
    h.ctrl('s');
    h.settle();
    let screen = h.render();
    assert!(screen.contains("saved"), "{screen}");
    assert!(!screen.contains("[+]"));
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("Ada,Quill,Quill & Co,brightforge.example"));
    // Everything else is byte for byte what it was.
    let original = std::fs::read_to_string(repo_file("lead-list/sample.csv")).unwrap();
    assert_eq!(saved.replace("Quill & Co", "Brightforge Labs"), original);
    // Undo reaches back past the save; saving again restores the original bytes.
    h.keys("u");
    assert!(h.render().contains("[+]"));
    h.ctrl('s');
    h.settle();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
}

#[test]
fn quit_with_unsaved_changes_asks() {
    let (_dir, path) = temp_copy("lead-list/sample.csv");
    let mut h = Harness::open(&path, 110, 14);
    h.keys("o");
    h.keys("q");
    assert!(matches!(h.app.mode, Mode::Confirm(_)));
    assert!(h.render().contains("Unsaved changes"));
    h.key(KeyCode::Esc);
    assert!(!h.app.quit);
    h.keys("q");
    h.keys("n");
    assert!(h.app.quit);
}

#[test]
fn help_lists_every_command_from_the_table() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 110, 60);
    h.keys("?");
    let screen = h.render();
    for c in leadgrid::tui::action::COMMANDS.iter().take(20) {
        assert!(screen.contains(c.help), "help is missing {:?}", c.action);
    }
    h.keys("x");
    assert!(matches!(h.app.mode, Mode::Normal));
}

#[test]
fn control_characters_never_reach_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.csv");
    std::fs::write(
        &path,
        "name,note\nEve,\"\x1b[2Jboom\x07\"\nZoe,\"two\nlines\"\n",
    )
    .unwrap();
    let mut h = Harness::open(&path, 60, 8);
    let screen = h.render();
    assert!(!screen.contains('\x1b'));
    assert!(!screen.contains('\x07'));
    assert!(screen.contains("two⏎lines"), "{screen}");
}

#[test]
fn wide_characters_keep_columns_aligned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.csv");
    std::fs::write(&path, "name,city\n東京太郎,Zürich\n👍 Emoji,Kyōto\n").unwrap();
    let mut h = Harness::open(&path, 40, 6);
    insta::assert_snapshot!(h.render());
}

#[test]
fn insert_rename_delete_columns_and_rows() {
    let (_dir, path) = temp_copy("lead-list/sample.csv");
    let mut h = Harness::open(&path, 110, 14);
    h.keys("cnotes");
    h.key(KeyCode::Enter);
    h.keys("eHot lead");
    h.key(KeyCode::Enter);
    h.keys("R");
    h.ctrl('u');
    h.keys("note");
    h.key(KeyCode::Enter);
    h.keys("jD");
    h.ctrl('s');
    h.settle();
    let saved = std::fs::read_to_string(&path).unwrap();
    let mut lines = saved.lines();
    assert_eq!(
        lines.next().unwrap(),
        "first_name,note,last_name,company,domain,title,email,linkedin_url,campaign_name"
    );
    assert!(lines.next().unwrap().starts_with("Ada,Hot lead,Quill,"));
    assert!(lines.next().unwrap().starts_with("Chiara,,Vellacott"));
}

#[test]
fn hide_and_show_columns() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 110, 14);
    h.keys("-");
    let screen = h.render();
    assert!(!screen.lines().next().unwrap().contains("first_name"));
    assert!(screen.contains("1 hidden"));
    h.keys("_");
    assert!(h.render().contains("first_name"));
}

#[test]
fn go_to_row_and_view_cell() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 110, 14);
    h.keys(":5");
    h.key(KeyCode::Enter);
    assert!(h.render().contains("R5 C1"));
    h.keys(":99");
    h.key(KeyCode::Enter);
    assert!(h.render().contains("past the end"));
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(screen.contains("first_name · row 5"), "{screen}");
}

#[test]
fn selected_rows_are_deleted_together_and_come_back_with_one_undo() {
    let (_dir, path) = temp_copy("lead-list/sample.csv");
    let mut h = Harness::open(&path, 110, 14);
    h.keys(" j j ");
    let screen = h.render();
    assert!(screen.contains("3 selected"), "{screen}");
    h.keys("D");
    assert_eq!(h.app.sheet.row_count(), 5);
    let screen = h.render();
    assert!(screen.contains("3 rows deleted (u to undo)"), "{screen}");
    assert!(!screen.contains("selected"), "{screen}");
    assert_eq!(h.app.sheet.cell(0, 0), "Bram");
    h.keys("u");
    assert_eq!(h.app.sheet.row_count(), 8);
    assert_eq!(h.app.sheet.cell(0, 0), "Ada");
    assert_eq!(h.app.sheet.cell(4, 0), "Elin");
}

#[test]
fn y_copies_the_cell_through_the_terminal_once() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 110, 14);
    h.keys("jly");
    assert_eq!(h.app.copied, Some((1, "Okonkwo-Lind".to_string())));
    assert!(h.render().contains("copied 12 characters to the clipboard"));
    let mut copies = leadgrid::tui::clipboard::Copies::default();
    let mut out = Vec::new();
    copies.send_new(&h.app, &mut out);
    copies.send_new(&h.app, &mut out);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        leadgrid::tui::clipboard::osc52("Okonkwo-Lind")
    );
}

#[test]
fn hundreds_of_combining_marks_stay_in_their_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zalgo.csv");
    let zalgo = format!("Z{}algo", "\u{301}\u{316}\u{35c}".repeat(100));
    std::fs::write(
        &path,
        format!("name,company\n{zalgo},Acme\nAda,Brightforge\n"),
    )
    .unwrap();
    let mut h = Harness::open(&path, 60, 8);
    let buf = h.buffer();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let symbol = buf[(x, y)].symbol();
            assert!(
                symbol.chars().count() <= 1 + leadgrid::sanitize::MAX_COMBINING,
                "cell ({x}, {y}) holds {} characters",
                symbol.chars().count()
            );
        }
    }
    let screen = h.render();
    assert!(screen.contains("Acme"), "{screen}");
    assert!(screen.contains("algo"), "{screen}");
}

#[test]
fn an_unbalanced_quote_is_reported_with_its_line_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quote.csv");
    std::fs::write(
        &path,
        "a,b,c\n1,2,3\n4,5,\"oops\n7,8,9\n10,11,12\"x\n13,14,15\n",
    )
    .unwrap();
    let mut h = Harness::open(&path, 160, 8);
    let screen = h.render();
    assert!(
        screen.contains("line 3: a quoted field holds what looks like whole rows"),
        "{screen}"
    );
}

/// Edits the cell under the cursor to `text`.
fn edit(h: &mut Harness, text: &str) {
    h.keys("e");
    h.ctrl('u');
    h.keys(text);
    h.key(KeyCode::Enter);
}

#[test]
fn saving_over_a_file_another_grid_saved_asks_overwrite_save_as_or_cancel() {
    let (dir, path) = temp_copy("lead-list/sample.csv");
    let mut first = Harness::open(&path, 120, 20);
    let mut second = Harness::open(&path, 120, 20);
    edit(&mut first, "Adele");
    first.ctrl('s');
    first.settle();
    assert!(std::fs::read_to_string(&path).unwrap().contains("Adele"));

    // The second grid's save would silently drop the first's edit: it asks.
    second.keys("j");
    edit(&mut second, "Bramwell");
    second.ctrl('s');
    second.settle();
    let screen = second.render();
    assert!(screen.contains("File changed on disk"), "{screen}");
    assert!(
        screen.contains("o: overwrite it with this sheet"),
        "{screen}"
    );
    // Cancel: nothing is written.
    second.key(KeyCode::Esc);
    assert!(
        second
            .render()
            .contains("not saved: the file on disk was left as it is")
    );
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(on_disk.contains("Adele") && !on_disk.contains("Bramwell"));

    // Save as: the prompt opens with the path, and the other file gets this sheet.
    second.ctrl('s');
    second.settle();
    second.keys("w");
    assert!(matches!(
        second.app.mode,
        leadgrid::tui::mode::Mode::Prompt(_)
    ));
    second.ctrl('u');
    let copy = dir.path().join("mine.csv");
    second.keys(copy.to_str().unwrap());
    second.key(KeyCode::Enter);
    second.settle();
    assert!(std::fs::read_to_string(&copy).unwrap().contains("Bramwell"));
    assert!(!std::fs::read_to_string(&path).unwrap().contains("Bramwell"));

    // Overwrite: this sheet replaces what is on disk, as asked.
    let mut third = Harness::open(&path, 120, 20);
    edit(&mut first, "Ada Lovelace");
    first.ctrl('s');
    first.settle();
    third.keys("jj");
    edit(&mut third, "Chiara V");
    third.ctrl('s');
    third.settle();
    assert!(third.render().contains("File changed on disk"));
    third.keys("o");
    third.settle();
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(on_disk.contains("Chiara V"), "{on_disk}");
    assert!(!on_disk.contains("Ada Lovelace"), "{on_disk}");
    assert!(!third.app.is_dirty());
}

#[test]
fn undoing_every_change_leaves_a_clean_sheet_that_quits_without_asking() {
    let (_dir, path) = temp_copy("lead-list/sample.csv");
    let mut h = Harness::open(&path, 110, 14);
    edit(&mut h, "Adele");
    h.keys("o");
    assert!(h.render().contains("[+]"));
    h.keys("uu");
    assert!(!h.render().contains("[+]"), "{}", h.render());
    h.keys("q");
    assert!(h.app.quit, "nothing to save: q quits at once");
}

#[test]
fn widening_after_a_narrow_resize_shows_the_columns_again() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 160, 14);
    h.keys("$");
    h.resize(30, 14);
    let narrow = h.render();
    assert!(!narrow.contains("last_name"), "{narrow}");
    assert!(narrow.contains("campaign_name"), "{narrow}");
    h.resize(200, 14);
    let wide = h.render();
    assert!(wide.contains("last_name"), "{wide}");
    assert!(wide.contains("campaign_name"), "{wide}");
}

#[test]
fn a_short_value_opens_in_a_box_its_size() {
    let mut h = Harness::open(&repo_file("lead-list/sample.csv"), 120, 30);
    h.key(KeyCode::Enter);
    let screen = h.render();
    let top = screen
        .lines()
        .find(|l| l.contains("first_name · row 1"))
        .unwrap_or_else(|| panic!("{screen}"));
    let width = unicode_width::UnicodeWidthStr::width(top.trim());
    assert!(width < 40, "a box {width} wide for 'Ada':\n{screen}");
    let rows = screen.lines().filter(|l| l.contains('│')).count();
    assert!(rows <= 3, "a box {rows} lines tall for one line:\n{screen}");
    assert!(screen.contains("│Ada"), "{screen}");
    assert!(screen.contains("any key closes"), "{screen}");
}
