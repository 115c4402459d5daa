//! Dialect detection, encodings and load errors.

mod table_support;

use leadgrid::table::{Encoding, LineEnding, LoadError, OpenOptions, Sheet};
use table_support::*;

fn open(name: &str) -> Sheet {
    let sheet = Sheet::open(&fixtures().join(name), &OpenOptions::default()).unwrap();
    sheet.wait_indexed();
    sheet
}

#[test]
fn detects_delimiters() {
    assert_eq!(open("simple.csv").dialect().delimiter, b',');
    assert_eq!(open("semicolon.csv").dialect().delimiter, b';');
    assert_eq!(open("tab.tsv").dialect().delimiter, b'\t');
    let sheet = open("semicolon.csv");
    assert_eq!(
        sheet.row_cells(0),
        strings(&["Ada", "Brightforge, Labs", "x"])
    );
    assert_eq!(sheet.row_cells(1), strings(&["Bram", "Nullpoint", "a;b"]));
}

#[test]
fn forced_delimiter_overrides_detection() {
    let opts = OpenOptions {
        delimiter: Some(b';'),
        encoding: Encoding::Utf8,
    };
    let sheet = Sheet::open(&fixtures().join("simple.csv"), &opts).unwrap();
    assert_eq!(sheet.dialect().delimiter, b';');
    assert_eq!(sheet.columns().len(), 1);
    assert_eq!(sheet.cell(0, 0), "Ada,Quill,ada@brightforge.example");
}

#[test]
fn detects_bom_and_line_endings() {
    let sheet = open("bom_crlf.csv");
    assert!(sheet.dialect().bom);
    assert_eq!(sheet.dialect().line_ending, LineEnding::CrLf);
    assert_eq!(sheet.columns()[0].name, "name");
    assert_eq!(sheet.row_cells(1), strings(&["Bram", "Nullpoint"]));
    assert!(!open("simple.csv").dialect().bom);
    assert_eq!(open("simple.csv").dialect().line_ending, LineEnding::Lf);
    let cr = open("cr_only.csv");
    assert_eq!(cr.dialect().line_ending, LineEnding::Cr);
    assert_eq!(cr.row_count(), 2);
    assert_eq!(cr.row_cells(1), strings(&["Bram", "Null\rpoint"]));
}

#[test]
fn detects_quote_all() {
    assert!(open("quote_all.csv").dialect().quote_all);
    assert!(!open("quoted.csv").dialect().quote_all);
}

#[test]
fn quoted_fields_keep_delimiters_quotes_and_newlines() {
    let sheet = open("quoted.csv");
    assert_eq!(sheet.row_count(), 3);
    assert_eq!(
        sheet.row_cells(0),
        strings(&["Quill, Ada", "said \"hi\"\nthen left", "Brightforge"])
    );
    assert_eq!(
        sheet.row_cells(1),
        strings(&["Bram", "multi\r\nline, with comma", ""])
    );
    assert_eq!(sheet.row_cells(2), strings(&["plain\"quote", "x", "y"]));
}

#[test]
fn blank_lines_are_not_rows() {
    assert_eq!(open("trailing_blank_lines.csv").row_count(), 1);
    let sheet = open("blank_lines_inside.csv");
    assert_eq!(sheet.row_count(), 2);
    assert_eq!(sheet.row_cells(1), strings(&["Bram", "Nullpoint"]));
}

#[test]
fn empty_and_header_only_files() {
    let empty = open("empty.csv");
    assert!(empty.columns().is_empty());
    assert_eq!(empty.row_count(), 0);
    assert!(empty.index_progress().done);
    for name in ["header_only.csv", "header_only_no_newline.csv"] {
        let sheet = open(name);
        assert_eq!(sheet.columns().len(), 2, "{name}");
        assert_eq!(sheet.row_count(), 0, "{name}");
    }
    let sheet = open("no_trailing_newline.csv");
    assert_eq!(sheet.row_cells(1), strings(&["Bram", "Nullpoint"]));
}

#[test]
fn ragged_rows_are_counted_and_read() {
    let sheet = open("ragged.csv");
    assert_eq!(sheet.row_count(), 4);
    assert_eq!(sheet.ragged_rows(), 2);
    assert_eq!(sheet.row_cells(1), strings(&["4", "5", ""]));
    assert_eq!(sheet.row_cells(2), strings(&["6", "7", "8"]));
    assert_eq!(sheet.cell(1, 2), "");
    assert_eq!(sheet.cell(9, 0), "");
    assert_eq!(sheet.cell(0, 9), "");
}

#[test]
fn duplicate_and_empty_headers_get_unique_display_names() {
    let sheet = open("dup_empty_header.csv");
    let names: Vec<&str> = sheet.columns().iter().map(|c| c.name.as_str()).collect();
    let display: Vec<&str> = sheet.columns().iter().map(|c| c.display.as_str()).collect();
    assert_eq!(names, ["email", "", "email", ""]);
    assert_eq!(display, ["email", "(empty 2)", "email (2)", "(empty 4)"]);
}

#[test]
fn latin1_is_decoded() {
    let opts = OpenOptions {
        delimiter: None,
        encoding: Encoding::Latin1,
    };
    let sheet = Sheet::open(&fixtures().join("latin1.csv"), &opts).unwrap();
    assert_eq!(sheet.encoding(), Encoding::Latin1);
    assert_eq!(sheet.row_cells(0), strings(&["José", "Kraków"]));
    assert_eq!(sheet.row_cells(1), strings(&["Renée", "Zürich"]));
}

#[test]
fn invalid_utf8_names_line_and_offset() {
    let path = fixtures().join("invalid_utf8.csv");
    let err = Sheet::open(&path, &OpenOptions::default()).err().unwrap();
    assert_eq!(
        err,
        LoadError::InvalidUtf8 {
            path: path.clone(),
            line: 3,
            offset: 24
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}: invalid UTF-8 at line 3, byte offset 24 (try --encoding latin1)",
            path.display()
        )
    );
}

#[test]
fn invalid_utf8_in_the_header_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.csv");
    std::fs::write(&path, b"name,ci\xfft\nAda,x\n").unwrap();
    let err = Sheet::open(&path, &OpenOptions::default()).err().unwrap();
    assert!(
        matches!(
            err,
            LoadError::InvalidUtf8 {
                line: 1,
                offset: 7,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn unterminated_quote_names_the_line() {
    let path = fixtures().join("unterminated.csv");
    let err = Sheet::open(&path, &OpenOptions::default()).err().unwrap();
    assert_eq!(
        err.to_string(),
        format!("{}: unterminated quote starting at line 3", path.display())
    );
    let dir = tempfile::tempdir().unwrap();
    let header = dir.path().join("header.csv");
    std::fs::write(&header, b"name,\"note\nAda,1\n").unwrap();
    let err = Sheet::open(&header, &OpenOptions::default()).err().unwrap();
    assert!(
        matches!(err, LoadError::UnterminatedQuote { line: 1, .. }),
        "{err}"
    );
}

#[test]
fn missing_file_and_directory_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.csv");
    let err = Sheet::open(&missing, &OpenOptions::default())
        .err()
        .unwrap();
    assert_eq!(err.to_string(), format!("not found: {}", missing.display()));
    let err = Sheet::open(dir.path(), &OpenOptions::default())
        .err()
        .unwrap();
    assert!(err.to_string().ends_with("is a directory"), "{err}");
    assert!(!err.to_string().contains('\n'));
}

#[test]
fn permission_denied_is_named() {
    let path = std::path::Path::new("/x.csv");
    let err = LoadError::from_io(
        path,
        &std::io::Error::from(std::io::ErrorKind::PermissionDenied),
    );
    assert_eq!(err.to_string(), "permission denied: /x.csv");
}

#[test]
fn megabyte_header_field_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.csv");
    let name = "n,".repeat(300_000);
    let bytes = format!("\"{name}\",b\n1,2\n");
    std::fs::write(&path, &bytes).unwrap();
    let mut sheet = Sheet::open(&path, &OpenOptions::default()).unwrap();
    assert_eq!(sheet.columns()[0].name, name);
    assert_eq!(sheet.row_cells(0), strings(&["1", "2"]));
    sheet.save(None).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), bytes);
}

#[test]
fn long_quoted_header_with_another_delimiter_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    let long = "x\n".repeat(40_000);
    std::fs::write(&path, format!("a;\"{long}\";c\n1;2;3\n")).unwrap();
    let sheet = Sheet::open(&path, &OpenOptions::default()).unwrap();
    assert_eq!(sheet.dialect().delimiter, b';');
    let names: Vec<String> = sheet.columns().iter().map(|c| c.name.clone()).collect();
    assert_eq!(names, strings(&["a", &long, "c"]));
    assert_eq!(sheet.row_cells(0), strings(&["1", "2", "3"]));
}
