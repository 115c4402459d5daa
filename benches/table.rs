//! Sheet benchmarks on a generated 100k-row lead list: index build, unchanged save, random
//! row fetch and a full scan.

use criterion::{Criterion, criterion_group, criterion_main};
use leadgrid::table::{OpenOptions, Sheet, generate};
use std::hint::black_box;
use std::ops::ControlFlow;

const ROWS: usize = 100_000;

fn table(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leads.csv");
    generate(&path, ROWS, 7).expect("generate");
    let opts = OpenOptions::default();

    c.bench_function("index 100k rows", |b| {
        b.iter(|| {
            let sheet = Sheet::open(&path, &opts).expect("open");
            black_box(sheet.wait_indexed().rows)
        })
    });

    let sheet = Sheet::open(&path, &opts).expect("open");
    sheet.wait_indexed();
    let out = dir.path().join("saved.csv");
    c.bench_function("save unchanged 100k rows", |b| {
        b.iter(|| black_box(sheet.snapshot().save_to(&out).expect("save").stats().bytes))
    });

    let sheet = Sheet::open(&path, &opts).expect("open");
    sheet.wait_indexed();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    c.bench_function("random row fetch", |b| {
        b.iter(|| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            black_box(sheet.row_cells((state % ROWS as u64) as usize))
        })
    });

    c.bench_function("scan 100k rows", |b| {
        b.iter(|| {
            let mut n = 0usize;
            sheet
                .snapshot()
                .for_each_row(|_, v| {
                    n += v[5].len();
                    ControlFlow::Continue(())
                })
                .expect("scan");
            black_box(n)
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = table
}
criterion_main!(benches);
