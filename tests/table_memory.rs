//! An unedited million-row file stays small in memory: offsets only, rows read on demand.
//! Alone in its own test binary so that the process's peak RSS is this test's.

use leadgrid::table::{OpenOptions, Sheet, generate};
use std::ops::ControlFlow;

const ROWS: usize = 1_000_000;
const LIMIT_KIB: u64 = 64 * 1024;

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
#[ignore = "heavy (seconds of real time): scripts/heavy-tests runs it"]
fn million_rows_open_scan_and_save_under_64_mib() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million.csv");
    generate(&path, ROWS, 2026).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 200_000_000, "{size}");
    let mut sheet = Sheet::open(&path, &OpenOptions::default()).unwrap();
    assert_eq!(sheet.wait_indexed().rows, ROWS);
    for row in (0..ROWS).step_by(9_973) {
        assert_eq!(sheet.row_cells(row).len(), 13);
    }
    let mut rows = 0;
    sheet
        .snapshot()
        .for_each_row(|_, _| {
            rows += 1;
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(rows, ROWS);
    let stats = sheet.save(None).unwrap();
    assert_eq!((stats.bytes, stats.rewritten_rows), (size, 0));
    let peak = peak_rss_kib();
    eprintln!("peak RSS {peak} KiB");
    assert!(peak < LIMIT_KIB, "peak RSS {peak} KiB");
}
