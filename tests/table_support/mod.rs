//! Helpers shared by the `table_*` integration tests.
#![allow(dead_code)]

use leadgrid::table::{Encoding, OpenOptions, Sheet};
use std::path::{Path, PathBuf};

/// The fixture directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Fixtures that load without error, with the options they need.
pub fn loadable() -> Vec<(PathBuf, OpenOptions)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "invalid_utf8.csv" || name == "unterminated.csv" {
            continue;
        }
        let encoding = if name == "latin1.csv" {
            Encoding::Latin1
        } else {
            Encoding::Utf8
        };
        out.push((
            path,
            OpenOptions {
                delimiter: None,
                encoding,
            },
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 15);
    out
}

/// Copies a fixture into `dir` and opens the copy, fully indexed.
pub fn open_copy(dir: &Path, fixture: &str, opts: &OpenOptions) -> (Sheet, PathBuf) {
    let path = dir.join(fixture);
    std::fs::copy(fixtures().join(fixture), &path).unwrap();
    let sheet = Sheet::open(&path, opts).unwrap();
    sheet.wait_indexed();
    (sheet, path)
}

/// Every row's values, in order.
pub fn all_rows(sheet: &Sheet) -> Vec<Vec<String>> {
    (0..sheet.row_count()).map(|r| sheet.row_cells(r)).collect()
}

pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
