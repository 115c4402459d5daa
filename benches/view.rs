//! The grid's view scans on a generated 1M-row lead list: sorts, a plain-text filter, an
//! expression filter, and a sort that must see a column's enrichment cells (100k of them
//! withheld) as empty; the frequency table and the duplicate finder. Each pass reads every
//! row from the file, as the background scan does. Run: `cargo bench --bench view`.

use criterion::{Criterion, criterion_group, criterion_main};
use leadgrid::table::{OpenOptions, Sheet, generate};
use leadgrid::tui::census;
use leadgrid::tui::grid::{RowFilter, SortSpec, View};
use leadgrid::tui::withheld::Withheld;
use std::collections::HashSet;
use std::hint::black_box;
use std::sync::Arc;

const ROWS: usize = 1_000_000;

fn view(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leads.csv");
    generate(&path, ROWS, 7).expect("generate");
    let sheet = Sheet::open(&path, &OpenOptions::default()).expect("open");
    sheet.wait_indexed();
    let column = |name: &str| {
        let col = sheet
            .columns()
            .iter()
            .position(|c| c.name == name)
            .expect("generated column");
        (col, sheet.columns()[col].id)
    };
    let mut group = c.benchmark_group("view 1M rows");
    group.sample_size(10);

    let sorted = |name: &str, descending| View {
        sort: Some(SortSpec {
            col: column(name).1,
            descending,
        }),
        ..View::default()
    };
    let by_company = sorted("company", false);
    group.bench_function("sort by company", |b| {
        b.iter(|| black_box(by_company.compute(&sheet, Withheld::none())))
    });
    let by_city = sorted("city", true);
    group.bench_function("sort by city, descending", |b| {
        b.iter(|| black_box(by_city.compute(&sheet, Withheld::none())))
    });

    let filtered = |text: &str| View {
        filter: Some(RowFilter::typed(text, &sheet).expect("filter")),
        ..View::default()
    };
    let text = filtered("founder");
    group.bench_function("filter: any cell contains 'founder'", |b| {
        b.iter(|| black_box(text.compute(&sheet, Withheld::none())))
    });
    let expression =
        filtered("title ~ 'founder|ceo' and email is not empty and industry != 'Security'");
    group.bench_function(
        "filter: title ~ 'founder|ceo' and email is not empty and industry != 'Security'",
        |b| b.iter(|| black_box(expression.compute(&sheet, Withheld::none()))),
    );

    let (company_col, _) = column("company");
    let rows: HashSet<_> = (0..ROWS)
        .step_by(10)
        .filter_map(|r| sheet.row_id(r))
        .collect();
    let mut withheld = Withheld::none();
    withheld.add(company_col, Arc::new(rows));
    group.bench_function("sort by company, 100k cells withheld", |b| {
        b.iter(|| black_box(by_company.compute(&sheet, withheld.clone())))
    });

    // The list as data: `#` on a column with a few hundred distinct values, `U` on emails.
    let snapshot = sheet.snapshot();
    let (industry, _) = column("industry");
    group.bench_function("frequency table of industry", |b| {
        b.iter(|| black_box(census::frequency_of(&snapshot, industry, &Withheld::none())))
    });
    let (email, _) = column("email");
    group.bench_function("duplicates by email", |b| {
        b.iter(|| black_box(census::duplicates_of(&snapshot, email, &Withheld::none())))
    });
    group.finish();
}

criterion_group!(benches, view);
criterion_main!(benches);
