//! A formula column computed over a generated 1M-row lead list, as the grid's worker does
//! when the column is added: every row read from the file, the expression evaluated, the
//! values that differ from the (empty) column collected. Run: `cargo bench --bench formula`.

use criterion::{Criterion, criterion_group, criterion_main};
use leadgrid::expr::EvalCtx;
use leadgrid::table::{OpenOptions, Sheet, generate};
use leadgrid::tui::bound::Bound;
use leadgrid::tui::formula::compute::Computation;
use leadgrid::tui::withheld::Withheld;
use std::hint::black_box;

const ROWS: usize = 1_000_000;

fn formula(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leads.csv");
    generate(&path, ROWS, 7).expect("generate");
    let mut sheet = Sheet::open(&path, &OpenOptions::default()).expect("open");
    sheet.wait_indexed();
    let output = sheet.insert_column(sheet.columns().len(), "who".into());
    let mut group = c.benchmark_group("formula 1M rows");
    group.sample_size(10);
    for source in [
        "concat(first_name, ' ', last_name, ' at ', domain_of(email))",
        "if(title ~ 'founder|ceo' and city = 'Berlin', upper(company), '')",
    ] {
        let bound = Bound::new(source, &sheet).expect("bound");
        let computation = Computation {
            snapshot: sheet.snapshot(),
            program: bound.program.clone(),
            map: bound.map(&sheet),
            withheld: Withheld::none(),
            output,
            rows: None,
            today: EvalCtx::now(),
        };
        group.bench_function(source, |b| {
            b.iter(|| black_box(computation.run().expect("computed").values.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, formula);
criterion_main!(benches);
