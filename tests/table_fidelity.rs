//! Open + save of an unchanged file is byte for byte, and parsing agrees with the `csv` crate.

mod table_support;

use leadgrid::table::{Encoding, OpenOptions, Sheet};
use std::ops::ControlFlow;
use table_support::*;

#[test]
fn unchanged_save_is_byte_identical_for_every_fixture() {
    let dir = tempfile::tempdir().unwrap();
    for (path, opts) in loadable() {
        let original = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (mut sheet, copy) = open_copy(dir.path(), &name, &opts);
        let save_as = dir.path().join(format!("saved-{name}"));
        let stats = sheet.save(Some(&save_as)).unwrap();
        assert_eq!(
            std::fs::read(&save_as).unwrap(),
            original,
            "save-as of {name}"
        );
        assert_eq!(stats.rewritten_rows, 0, "{name}");
        assert_eq!(stats.bytes, original.len() as u64, "{name}");
        assert_eq!(sheet.path(), save_as.as_path());
        // Saving again over itself, from the re-pointed base, changes nothing either.
        sheet.save(None).unwrap();
        assert_eq!(
            std::fs::read(&save_as).unwrap(),
            original,
            "re-save of {name}"
        );
        let mut reopened = Sheet::open(&copy, &opts).unwrap();
        reopened.wait_indexed();
        reopened.save(None).unwrap();
        assert_eq!(std::fs::read(&copy).unwrap(), original, "save over {name}");
    }
}

#[test]
fn rows_match_the_csv_crate_on_every_utf8_fixture() {
    for (path, opts) in loadable() {
        if opts.encoding != Encoding::Utf8 || path.ends_with("cr_only.csv") {
            continue;
        }
        let sheet = Sheet::open(&path, &opts).unwrap();
        sheet.wait_indexed();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(sheet.dialect().delimiter)
            .flexible(true)
            .has_headers(false)
            .from_path(&path)
            .unwrap();
        let mut records: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        let name = path.display().to_string();
        if records.is_empty() {
            assert!(sheet.columns().is_empty(), "{name}");
            continue;
        }
        let header = records.remove(0);
        let names: Vec<String> = sheet.columns().iter().map(|c| c.name.clone()).collect();
        assert_eq!(names, header, "{name}");
        let width = header.len();
        let expected: Vec<Vec<String>> = records
            .into_iter()
            .map(|mut r| {
                r.resize(width, String::new());
                r
            })
            .collect();
        assert_eq!(all_rows(&sheet), expected, "{name}");
        let mut scanned = Vec::new();
        sheet
            .snapshot()
            .for_each_row(|_, values| {
                scanned.push(values.to_vec());
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(scanned, expected, "{name}");
    }
}

#[test]
fn one_megabyte_field_loads_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big_field.csv");
    let value: String = (0..40_000)
        .map(|i| format!("line {i}, \"q\"\n"))
        .collect::<String>();
    assert!(value.len() > 500_000);
    let quoted = value.replace('"', "\"\"");
    let bytes = format!("note,n\n\"{quoted}{quoted}\",1\nend,2\n").into_bytes();
    assert!(bytes.len() > 1_000_000);
    std::fs::write(&path, &bytes).unwrap();
    let mut sheet = Sheet::open(&path, &OpenOptions::default()).unwrap();
    sheet.wait_indexed();
    assert_eq!(sheet.row_count(), 2);
    assert_eq!(sheet.cell(0, 0), format!("{value}{value}"));
    assert_eq!(sheet.cell(1, 0), "end");
    sheet.save(None).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}
