//! Property tests of the CSV front door: any bytes either load or are refused with an
//! error (never a panic), and opening then saving a loadable file gives back its bytes.

use leadgrid::table::{CsvFile, Encoding, OpenOptions, Sheet};
use proptest::prelude::*;

/// Bytes that look like CSV often enough to reach the parser's corners.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        6 => prop::sample::select(b"ab1 ,;|\t\"\n\r".to_vec()),
        1 => any::<u8>(),
        1 => prop::sample::select("é😀".as_bytes().to_vec()),
    ];
    prop::collection::vec(byte, 0..400)
}

fn options() -> impl Strategy<Value = OpenOptions> {
    (
        prop::option::of(prop::sample::select(b",;|\t".to_vec())),
        prop::bool::ANY,
    )
        .prop_map(|(delimiter, latin1)| OpenOptions {
            delimiter,
            encoding: if latin1 {
                Encoding::Latin1
            } else {
                Encoding::Utf8
            },
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_load_or_are_refused_and_save_back_identically(
        bytes in csvish(),
        opts in options(),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("in.csv");
        std::fs::write(&path, &bytes).expect("write");
        if let Ok(file) = CsvFile::open(&path, &opts) {
            for row in file.rows() {
                prop_assert!(row.is_ok());
            }
        }
        let Ok(mut sheet) = Sheet::open(&path, &opts) else {
            return Ok(());
        };
        sheet.wait_indexed();
        if sheet.index_error().is_some() {
            return Ok(());
        }
        for r in 0..sheet.row_count().min(5) {
            let _ = sheet.row_cells(r);
        }
        let out = dir.path().join("out.csv");
        sheet.save(Some(&out)).expect("a loaded file saves");
        prop_assert_eq!(std::fs::read(&out).expect("read back"), bytes);
    }
}
