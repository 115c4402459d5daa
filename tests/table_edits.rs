//! Edits, undo/redo, snapshots and saving edited sheets.

mod table_support;

use leadgrid::table::{Encoding, OpenOptions, SaveError, Sheet, SheetSnapshot};
use std::ops::ControlFlow;
use table_support::*;

fn read(path: &std::path::Path) -> String {
    String::from_utf8(std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn set_cell_undo_redo() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, _) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    assert!(!sheet.is_dirty());
    sheet.set_cell(0, 1, "Quillon".into());
    assert!(sheet.is_dirty());
    assert_eq!(sheet.cell(0, 1), "Quillon");
    sheet.set_cell(0, 1, "Q".into());
    assert!(sheet.undo());
    assert_eq!(sheet.cell(0, 1), "Quillon");
    assert!(sheet.undo());
    assert_eq!(sheet.cell(0, 1), "Quill");
    assert!(!sheet.undo());
    assert!(sheet.redo());
    assert!(sheet.redo());
    assert_eq!(sheet.cell(0, 1), "Q");
    assert!(!sheet.redo());
    sheet.undo();
    sheet.set_cell(1, 0, "B".into());
    assert!(!sheet.redo(), "a new edit clears redo");
}

#[test]
fn unchanged_value_and_out_of_range_are_no_ops() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, _) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    sheet.set_cell(0, 0, "Ada".into());
    sheet.set_cell(9, 0, "x".into());
    sheet.set_cell(0, 9, "x".into());
    sheet.delete_row(9);
    sheet.delete_column(9);
    assert!(!sheet.is_dirty());
    assert!(!sheet.undo());
}

#[test]
fn untracked_writes_mark_dirty_without_undo() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, _) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    let col = sheet.insert_column(3, "score".into());
    sheet.set_cell_untracked(1, col, "42".into());
    assert_eq!(sheet.cell(1, col), "42");
    assert!(sheet.undo());
    assert_eq!(sheet.columns().len(), 3);
    assert!(!sheet.undo());
    assert!(sheet.redo());
    assert_eq!(
        sheet.cell(1, col),
        "42",
        "values of a re-inserted column come back"
    );
}

#[test]
fn rows_insert_delete_with_stable_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, _) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    let bram = sheet.row_id(1).unwrap();
    let ada = sheet.row_id(0).unwrap();
    assert_eq!(sheet.row_of(bram), Some(1));
    sheet.insert_row(0);
    assert_eq!(sheet.row_count(), 3);
    assert_eq!(sheet.row_cells(0), strings(&["", "", ""]));
    assert_eq!(sheet.row_of(bram), Some(2));
    let new = sheet.row_id(0).unwrap();
    assert_ne!(new, ada);
    sheet.set_cell(0, 0, "Cy".into());
    sheet.delete_row(1);
    assert_eq!(sheet.row_of(ada), None);
    assert_eq!(sheet.row_of(bram), Some(1));
    assert_eq!(sheet.row_of(new), Some(0));
    assert_eq!(sheet.cell(1, 0), "Bram");
    sheet.undo();
    assert_eq!(sheet.row_of(ada), Some(1));
    sheet.undo();
    assert_eq!(sheet.cell(0, 0), "");
    sheet.undo();
    assert_eq!(sheet.row_count(), 2);
    assert_eq!(sheet.row_of(new), None);
    assert_eq!(sheet.row_of(bram), Some(1));
    sheet.insert_row(99);
    assert_eq!(sheet.row_count(), 3);
    assert_eq!(sheet.cell(2, 0), "");
}

#[test]
fn columns_insert_delete_rename_with_undo() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, _) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    let at = sheet.insert_column(1, "email".into());
    assert_eq!(at, 1);
    let display: Vec<&str> = sheet.columns().iter().map(|c| c.display.as_str()).collect();
    assert_eq!(display, ["first_name", "email", "last_name", "email (2)"]);
    assert_eq!(
        sheet.row_cells(0),
        strings(&["Ada", "", "Quill", "ada@brightforge.example"])
    );
    sheet.rename_column(0, "given".into());
    assert_eq!(sheet.columns()[0].name, "given");
    sheet.delete_column(2);
    assert_eq!(
        sheet.row_cells(1),
        strings(&["Bram", "", "bram@nullpoint.example"])
    );
    sheet.undo();
    assert_eq!(sheet.cell(1, 2), "Okonkwo");
    sheet.undo();
    assert_eq!(sheet.columns()[0].name, "first_name");
    sheet.undo();
    assert_eq!(sheet.columns().len(), 3);
    assert_eq!(sheet.insert_column(99, "x".into()), 3);
}

#[test]
fn edits_made_as_one_step_undo_and_redo_together() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, _) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    let before = sheet.row_cells(0);
    sheet.set_cell(0, 0, "Ada L.".into());
    let depth = sheet.undo_depth();
    sheet.as_one_step(|s| {
        s.delete_column(2);
        s.delete_column(0);
    });
    assert_eq!(sheet.undo_depth(), depth + 1);
    assert_eq!(sheet.row_cells(0), strings(&["Quill"]));
    assert!(sheet.undo());
    assert_eq!(
        sheet.row_cells(0),
        strings(&["Ada L.", "Quill", "ada@brightforge.example"])
    );
    assert_eq!(sheet.redo_depth(), 1);
    assert!(sheet.redo());
    assert_eq!(sheet.row_cells(0), strings(&["Quill"]));
    assert!(sheet.undo() && sheet.undo());
    assert_eq!(sheet.row_cells(0), before);
}

#[test]
fn many_rows_are_deleted_and_restored_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ten.csv");
    let text: String = std::iter::once("n\n".to_string())
        .chain((0..10).map(|i| format!("{i}\n")))
        .collect();
    std::fs::write(&path, &text).unwrap();
    let mut sheet = Sheet::open(&path, &OpenOptions::default()).unwrap();
    sheet.insert_row(2);
    sheet.set_cell(2, 0, "new".into());
    let before = all_rows(&sheet);
    let depth = sheet.undo_depth();
    // Unsorted, repeated and out-of-range positions are fine; first and last rows included.
    sheet.delete_rows(&[10, 0, 2, 7, 2, 99]);
    assert_eq!(sheet.undo_depth(), depth + 1);
    let column = |s: &Sheet| {
        all_rows(s)
            .into_iter()
            .map(|r| r[0].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(column(&sheet), ["1", "2", "3", "4", "5", "7", "8"]);
    assert!(sheet.undo());
    assert_eq!(all_rows(&sheet), before);
    assert!(sheet.redo());
    assert_eq!(column(&sheet), ["1", "2", "3", "4", "5", "7", "8"]);
    sheet.save(None).unwrap();
    assert_eq!(read(&path), "n\n1\n2\n3\n4\n5\n7\n8\n");
    assert!(sheet.undo());
    sheet.save(None).unwrap();
    assert_eq!(read(&path), "n\n0\n1\nnew\n2\n3\n4\n5\n6\n7\n8\n9\n");
}

#[test]
fn only_edited_records_are_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, path) = open_copy(dir.path(), "quoted.csv", &OpenOptions::default());
    sheet.set_cell(2, 2, "z, with comma".into());
    let stats = sheet.save(None).unwrap();
    assert_eq!(stats.rewritten_rows, 1);
    assert!(!sheet.is_dirty());
    assert_eq!(
        read(&path),
        "name,note,company\n\"Quill, Ada\",\"said \"\"hi\"\"\nthen left\",Brightforge\n\
         Bram,\"multi\r\nline, with comma\",\"\"\n\"plain\"\"quote\",x,\"z, with comma\"\n"
    );
    assert_eq!(sheet.cell(2, 2), "z, with comma");
    // Undo reaches back past the save, and saving again writes the undone state.
    let original = read(&fixtures().join("quoted.csv"));
    assert!(sheet.undo());
    assert_eq!(sheet.cell(2, 2), "y");
    assert!(sheet.is_dirty());
    sheet.save(None).unwrap();
    assert_eq!(read(&path), original);
    assert!(sheet.redo());
    assert_eq!(sheet.cell(2, 2), "z, with comma");
}

#[test]
fn added_columns_are_appended_in_the_dialect() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, path) = open_copy(dir.path(), "bom_crlf.csv", &OpenOptions::default());
    let col = sheet.insert_column(2, "title; role".into());
    sheet.set_cell(1, col, "CEO".into());
    let stats = sheet.save(None).unwrap();
    assert_eq!(stats.rewritten_rows, 0);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"\xef\xbb\xbfname,company,title; role\r\nAda,Brightforge,\r\nBram,Nullpoint,CEO\r\n"
    );

    let (mut sheet, path) = open_copy(dir.path(), "quote_all.csv", &OpenOptions::default());
    let col = sheet.insert_column(9, "title".into());
    sheet.set_cell(0, col, "CTO".into());
    sheet.set_cell(1, 0, "Bram O.".into());
    sheet.save(None).unwrap();
    assert_eq!(
        read(&path),
        "\"name\",\"company\",\"title\"\n\"Ada\",\"Brightforge\",\"CTO\"\n\"Bram O.\",\"\",\"\"\n"
    );

    let (mut sheet, path) = open_copy(dir.path(), "semicolon.csv", &OpenOptions::default());
    let col = sheet.insert_column(3, "n".into());
    sheet.set_cell(0, col, "1;2".into());
    sheet.save(None).unwrap();
    assert_eq!(
        read(&path),
        "name;company;note;n\nAda;Brightforge, Labs;x;\"1;2\"\nBram;Nullpoint;\"a;b\";\n"
    );
}

#[test]
fn ragged_records_keep_extra_fields() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, path) = open_copy(dir.path(), "ragged.csv", &OpenOptions::default());
    sheet.set_cell(2, 0, "six".into());
    sheet.save(None).unwrap();
    assert_eq!(read(&path), "a,b,c\n1,2,3\n4,5\nsix,7,8,9,10\n11,12,13\n");
    let col = sheet.insert_column(3, "d".into());
    sheet.set_cell(1, col, "x".into());
    sheet.save(None).unwrap();
    assert_eq!(
        read(&path),
        "a,b,c,d\n1,2,3,\n4,5,,x\nsix,7,8,,9,10\n11,12,13,\n"
    );
}

#[test]
fn structural_changes_rewrite_the_file_consistently() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, path) = open_copy(dir.path(), "dup_empty_header.csv", &OpenOptions::default());
    sheet.set_cell(0, 1, "one".into());
    sheet.save(None).unwrap();
    assert_eq!(
        read(&path),
        "email,,email,\nx@a.example,one,y@b.example,2\n"
    );
    sheet.delete_column(0);
    sheet.rename_column(0, "n".into());
    sheet.insert_row(0);
    sheet.set_cell(0, 1, "z@c.example".into());
    sheet.save(None).unwrap();
    assert_eq!(read(&path), "n,email,\n,z@c.example,\none,y@b.example,2\n");
}

#[test]
fn empty_file_becomes_a_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, path) = open_copy(dir.path(), "empty.csv", &OpenOptions::default());
    sheet.save(None).unwrap();
    assert_eq!(read(&path), "");
    let col = sheet.insert_column(0, "email".into());
    sheet.insert_row(0);
    sheet.set_cell(0, col, "a@b.example".into());
    sheet.insert_row(1);
    sheet.save(None).unwrap();
    assert_eq!(read(&path), "email\na@b.example\n\"\"\n");
    assert_eq!(sheet.row_count(), 2);
}

#[test]
fn rows_added_after_a_missing_final_newline() {
    let dir = tempfile::tempdir().unwrap();
    for (name, before) in [
        ("header_only_no_newline.csv", "name,company"),
        (
            "no_trailing_newline.csv",
            "name,company\nAda,Brightforge\nBram,Nullpoint",
        ),
    ] {
        let (mut sheet, path) = open_copy(dir.path(), name, &OpenOptions::default());
        let at = sheet.row_count();
        sheet.insert_row(at);
        sheet.set_cell(at, 0, "Cy".into());
        sheet.save(None).unwrap();
        assert_eq!(read(&path), format!("{before}\nCy,\n"), "{name}");
    }
    let (mut sheet, path) = open_copy(
        dir.path(),
        "no_trailing_newline.csv",
        &OpenOptions::default(),
    );
    sheet.set_cell(1, 1, "Null".into());
    sheet.insert_row(0);
    sheet.save(None).unwrap();
    assert_eq!(read(&path), "name,company\n,\nAda,Brightforge\nBram,Null");
}

#[test]
fn latin1_is_re_encoded_and_unencodable_text_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let opts = OpenOptions {
        delimiter: None,
        encoding: Encoding::Latin1,
    };
    let (mut sheet, path) = open_copy(dir.path(), "latin1.csv", &opts);
    sheet.set_cell(0, 1, "Łódź".into());
    let before = std::fs::read(&path).unwrap();
    match sheet.save(None) {
        Err(SaveError::Unencodable {
            row: 1,
            col: 2,
            ch: 'Ł',
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(sheet.is_dirty());
    sheet.set_cell(0, 1, "Zoë".into());
    sheet.save(None).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"name,city\nJos\xe9,Zo\xeb\nRen\xe9e,Z\xfcrich\n"
    );
}

#[test]
fn failed_save_leaves_target_and_sheet_intact() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, path) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    sheet.set_cell(0, 0, "Adah".into());
    let missing_dir = dir.path().join("missing/out.csv");
    assert!(matches!(
        sheet.save(Some(&missing_dir)),
        Err(SaveError::Io { .. })
    ));
    let not_a_dir = path.join("out.csv");
    let err = sheet.save(Some(&not_a_dir)).unwrap_err();
    assert!(err.to_string().contains("out.csv"), "{err}");
    assert!(sheet.is_dirty());
    assert_eq!(sheet.cell(0, 0), "Adah");
    assert_eq!(sheet.path(), path.as_path());
    assert_eq!(read(&path), read(&fixtures().join("simple.csv")));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().ends_with(".leadgrid-tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn snapshot_scans_current_state_and_can_stop() {
    fn assert_send<T: Send + 'static>(_: &T) {}
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, _) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    sheet.insert_column(0, "n".into());
    sheet.set_cell(1, 0, "2".into());
    sheet.delete_column(3);
    let snap = sheet.snapshot();
    assert_send(&snap);
    assert_send(&sheet);
    sheet.set_cell(0, 0, "later".into());
    let rows = std::thread::spawn(move || {
        let mut rows = Vec::new();
        snap.for_each_row(|i, v| {
            rows.push((i, v.to_vec()));
            ControlFlow::Continue(())
        })
        .unwrap();
        rows
    })
    .join()
    .unwrap();
    assert_eq!(
        rows,
        vec![
            (0, strings(&["", "Ada", "Quill"])),
            (1, strings(&["2", "Bram", "Okonkwo"]))
        ]
    );
    let mut seen = 0;
    sheet
        .snapshot()
        .for_each_row(|_, _| {
            seen += 1;
            ControlFlow::Break(())
        })
        .unwrap();
    assert_eq!(seen, 1);
}

#[test]
fn background_save_is_adopted_only_when_nothing_changed_since() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, path) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    sheet.set_cell(0, 0, "Adah".into());
    let out = dir.path().join("out.csv");
    let save = |snap: SheetSnapshot, out: std::path::PathBuf| {
        std::thread::spawn(move || snap.save_to(&out))
            .join()
            .unwrap()
            .unwrap()
    };
    let saved = save(sheet.snapshot(), out.clone());
    sheet.set_cell(1, 0, "Bramwell".into());
    sheet.mark_saved(saved);
    assert!(
        sheet.is_dirty(),
        "an edit after the snapshot is not saved yet"
    );
    assert_eq!(sheet.path(), out.as_path());
    assert_eq!(sheet.cell(1, 0), "Bramwell");
    assert!(read(&out).contains("Adah,Quill"));
    let saved = save(sheet.snapshot(), out.clone());
    sheet.mark_saved(saved);
    assert!(!sheet.is_dirty());
    assert_eq!(
        sheet.row_cells(1),
        strings(&["Bramwell", "Okonkwo", "bram@nullpoint.example"])
    );
    assert_eq!(read(&path), read(&fixtures().join("simple.csv")));
}

#[test]
fn every_edit_kind_undoes_and_redoes_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, _) = open_copy(dir.path(), "ragged.csv", &OpenOptions::default());
    let state = |s: &Sheet| {
        let names: Vec<String> = s.columns().iter().map(|c| c.display.clone()).collect();
        (names, all_rows(s))
    };
    let mut states = vec![state(&sheet)];
    let edits: [fn(&mut Sheet); 9] = [
        |s| s.set_cell(1, 2, "five-c".into()),
        |s| s.insert_row(2),
        |s| s.set_cell(2, 0, "new".into()),
        |s| s.delete_row(0),
        |s| {
            s.insert_column(1, "x".into());
        },
        |s| s.set_cell(0, 1, "x0".into()),
        |s| s.rename_column(0, "A".into()),
        |s| s.delete_column(2),
        |s| s.delete_row(3),
    ];
    for edit in edits {
        edit(&mut sheet);
        states.push(state(&sheet));
    }
    for expected in states.iter().rev().skip(1) {
        assert!(sheet.undo());
        assert_eq!(&state(&sheet), expected);
    }
    assert!(!sheet.undo());
    for expected in states.iter().skip(1) {
        assert!(sheet.redo());
        assert_eq!(&state(&sheet), expected);
    }
    assert!(!sheet.redo());
}

#[test]
fn saving_through_a_symlink_replaces_the_linked_file() {
    let dir = tempfile::tempdir().unwrap();
    let (_, path) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let mut sheet = Sheet::open(&link, &OpenOptions::default()).unwrap();
    sheet.set_cell(0, 0, "Adah".into());
    sheet.save(None).unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(read(&path).starts_with("first_name,last_name,email\nAdah,"));
    assert_eq!(sheet.path(), link.as_path());
    assert_eq!(sheet.cell(0, 0), "Adah");
}

#[test]
fn row_ids_survive_saves_after_rows_moved() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, path) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    let ada = sheet.row_id(0).unwrap();
    let bram = sheet.row_id(1).unwrap();
    sheet.insert_row(0);
    let new = sheet.row_id(0).unwrap();
    sheet.delete_row(1);
    sheet.save(None).unwrap();
    assert_eq!(sheet.row_of(ada), None);
    assert_eq!(sheet.row_of(new), Some(0));
    assert_eq!(sheet.row_of(bram), Some(1));
    assert_eq!(sheet.row_id(1), Some(bram));
    sheet.set_cell_untracked(1, 0, "B".into());
    sheet.insert_row(2);
    let newer = sheet.row_id(2).unwrap();
    assert!(newer != new && newer != bram && newer != ada);
    sheet.set_cell(2, 0, "C".into());
    sheet.save(None).unwrap();
    assert_eq!(
        [sheet.row_of(new), sheet.row_of(bram), sheet.row_of(newer)],
        [Some(0), Some(1), Some(2)]
    );
    assert_eq!(sheet.cell(sheet.row_of(bram).unwrap(), 0), "B");
    assert_eq!(
        read(&path),
        "first_name,last_name,email\n,,\nB,Okonkwo,bram@nullpoint.example\nC,,\n"
    );
    sheet.delete_row(0);
    assert_eq!(sheet.row_of(bram), Some(0));
    assert_eq!(sheet.row_of(newer), Some(1));
}

#[test]
fn a_save_never_silently_overwrites_what_another_program_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let (mut first, path) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    let mut second = Sheet::open(&path, &OpenOptions::default()).unwrap();
    second.wait_indexed();
    first.set_cell(0, 1, "First".into());
    let saved = first.snapshot().save_checked(&path).unwrap();
    first.mark_saved(saved);
    // The first sheet saves again over its own save: no conflict.
    first.set_cell(0, 1, "First again".into());
    let saved = first.snapshot().save_checked(&path).unwrap();
    first.mark_saved(saved);
    // The second sheet's copy is stale now.
    second.set_cell(1, 1, "Second".into());
    match second.snapshot().save_checked(&path) {
        Err(SaveError::ChangedOnDisk { path: p }) => assert_eq!(p, path),
        other => panic!("expected a conflict, got {:?}", other.map(|_| ())),
    }
    assert!(
        read(&path).contains("First again"),
        "the first sheet's work is kept"
    );
    // The user chose "overwrite".
    let saved = second.snapshot().save_to(&path).unwrap();
    second.mark_saved(saved);
    assert!(read(&path).contains("Second"));
    // Touching the file without changing it is not a conflict.
    let bytes = std::fs::read(&path).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&path, &bytes).unwrap();
    second.set_cell(1, 1, "Second again".into());
    assert!(second.snapshot().save_checked(&path).is_ok());
}

#[test]
fn column_ids_survive_renames_deletes_undo_and_saves() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, _) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    let ids = |sheet: &Sheet| sheet.columns().iter().map(|c| c.id).collect::<Vec<_>>();
    let [first, last, email] = ids(&sheet)[..] else {
        panic!("three columns")
    };
    let at = sheet.insert_column(1, "score".into());
    let score = sheet.columns()[at].id;
    assert_eq!(ids(&sheet), [first, score, last, email]);
    sheet.rename_column(0, "given".into());
    assert_eq!(sheet.columns()[0].id, first);
    // Until saved, the file on disk still has the old name; an added column has none.
    assert_eq!(sheet.saved_name(first), Some("first_name"));
    assert_eq!(sheet.saved_name(score), None);
    sheet.delete_column(0);
    assert_eq!(sheet.column_index(first), None);
    assert_eq!(sheet.column_index(email), Some(2));
    sheet.undo();
    assert_eq!(sheet.column_index(first), Some(0));
    sheet.undo();
    assert_eq!(sheet.columns()[0].name, "first_name");
    sheet.redo();
    sheet.save(None).unwrap();
    assert_eq!(ids(&sheet), [first, score, last, email]);
    assert_eq!(sheet.saved_name(first), Some("given"));
    assert_eq!(sheet.saved_name(score), Some("score"));

    // A save without undo history moves the sheet onto the saved file: ids stay, and new
    // columns get new ones.
    let (mut sheet, _) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    let before = ids(&sheet);
    sheet.set_cell_untracked(0, 0, "Ada Q".into());
    sheet.save(None).unwrap();
    assert_eq!(ids(&sheet), before);
    let at = sheet.insert_column(3, "score".into());
    assert!(!before.contains(&sheet.columns()[at].id));
}

#[test]
fn the_sheet_is_clean_whenever_it_equals_the_saved_file() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sheet, path) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    sheet.set_cell(0, 1, "Quillon".into());
    sheet.insert_row(1);
    assert!(sheet.is_dirty());
    sheet.undo();
    sheet.undo();
    assert!(
        !sheet.is_dirty(),
        "every edit undone: the sheet is the file"
    );
    sheet.redo();
    assert!(sheet.is_dirty());

    // After a save, the saved state is the clean one, both ways from it.
    sheet.save(None).unwrap();
    assert!(!sheet.is_dirty());
    sheet.undo();
    assert!(
        sheet.is_dirty(),
        "undone past the save: differs from the file"
    );
    sheet.redo();
    assert!(!sheet.is_dirty());
    // Below the saved state a new edit cuts off the way back to it.
    sheet.undo();
    sheet.set_cell(1, 1, "B".into());
    sheet.undo();
    assert!(sheet.is_dirty());
    assert!(read(&path).contains("Quillon"));

    // A column written without undo (enrichment results) differs from the file while it is
    // on the sheet.
    let (mut sheet, _) = open_copy(dir.path(), "simple.csv", &OpenOptions::default());
    let col = sheet.insert_column(3, "score".into());
    sheet.set_cell_untracked(1, col, "42".into());
    sheet.undo();
    assert!(
        !sheet.is_dirty(),
        "the written column is gone with its undo"
    );
    sheet.redo();
    assert!(sheet.is_dirty());
}
