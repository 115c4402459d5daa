//! Files above the synchronous limit: background indexing, random and sequential reads, saves.

mod table_support;

use leadgrid::table::{LoadError, OpenOptions, Sheet, generate};
use std::io::Write;
use std::ops::ControlFlow;

/// Enough rows (~216 bytes each) to pass the 8 MB synchronous-index limit.
const ROWS: usize = 50_000;

#[test]
fn large_file_indexes_in_background_and_saves_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leads.csv");
    generate(&path, ROWS, 42).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 8 << 20, "{size}");
    let mut sheet = Sheet::open(&path, &OpenOptions::default()).unwrap();
    assert_eq!(sheet.columns().len(), 13);
    assert_eq!(sheet.columns()[5].name, "email");
    let progress = sheet.wait_indexed();
    assert!(progress.done);
    assert_eq!((progress.bytes_read, progress.total_bytes), (size, size));
    assert_eq!(progress.rows, ROWS);
    assert_eq!(sheet.row_count(), ROWS);
    assert_eq!(sheet.ragged_rows(), 0);
    assert_eq!(sheet.index_error(), None);

    let mut reader = csv::Reader::from_path(&path).unwrap();
    let expected: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(expected.len(), ROWS);
    for row in [0, 1, 777, 31_337, ROWS - 1, 12_345, 3] {
        assert_eq!(sheet.row_cells(row), expected[row], "row {row}");
    }
    let mut n = 0;
    sheet
        .snapshot()
        .for_each_row(|i, v| {
            assert_eq!(v, expected[i].as_slice());
            n += 1;
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(n, ROWS);

    let original = std::fs::read(&path).unwrap();
    let stats = sheet.save(None).unwrap();
    assert_eq!(
        (stats.rows, stats.rewritten_rows, stats.bytes),
        (ROWS, 0, size)
    );
    assert_eq!(std::fs::read(&path).unwrap(), original);

    sheet.set_cell(40_000, 0, "Edited".into());
    sheet.delete_row(10);
    sheet.save(None).unwrap();
    assert_eq!(sheet.row_count(), ROWS - 1);
    assert_eq!(sheet.cell(39_999, 0), "Edited");
    assert_eq!(sheet.row_cells(10), expected[11]);
}

#[test]
fn invalid_utf8_found_by_the_background_indexer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leads.csv");
    generate(&path, ROWS, 1).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(b"Jos\xe9,x\n").unwrap();
    drop(f);
    let sheet = Sheet::open(&path, &OpenOptions::default()).unwrap();
    let progress = sheet.wait_indexed();
    assert!(progress.done);
    let lines = std::fs::read(&path)
        .unwrap()
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64;
    match sheet.index_error() {
        Some(LoadError::InvalidUtf8 { line, offset, .. }) => {
            assert_eq!(offset, size + 3);
            assert_eq!(line, lines);
        }
        other => panic!("{other:?}"),
    }
    assert!(sheet.row_count() > 0);
    assert!(
        sheet
            .snapshot()
            .for_each_row(|_, _| ControlFlow::Continue(()))
            .is_err()
    );
}
