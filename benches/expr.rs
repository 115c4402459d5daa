//! Expression benchmarks on a generated 1M-row lead list held in memory as `Vec<String>` rows:
//! a 3-condition filter (`matches`) and formula columns (`eval` + `into_cell_text` into a new
//! column), each a full pass over every row; throughput is rows per second. Baselines show
//! what the same pass costs without the language: on 1M rows most of the time is fetching the
//! cells from memory (cache misses) and allocating the new column.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadgrid::expr::{EvalCtx, parse};
use leadgrid::table::generate;
use std::hint::black_box;

const ROWS: usize = 1_000_000;

const FILTER: &str = "followers > 1000 and title ~ 'founder|head|vp' and email is not empty";
const FORMULAS: [(&str, &str); 2] = [
    (
        "formula, text",
        "concat(upper(first_name), ' ', last_name, ' at ', domain_of(email))",
    ),
    (
        "formula, number",
        "if(followers > 10000, round(number(followers) / 1000, 1), 0)",
    ),
];

/// The generated list plus a `follower_count` column: numbers with thousands separators, and
/// one row in twenty without a value, as after a real enrichment.
fn rows() -> (Vec<String>, Vec<Vec<String>>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leads.csv");
    generate(&path, ROWS, 7).expect("generate");
    let mut reader = csv::Reader::from_path(&path).expect("open");
    let mut headers: Vec<String> = reader
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_string)
        .collect();
    headers.push("follower_count".to_string());
    let width = headers.len();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let rows = reader
        .records()
        .map(|r| {
            let mut row = Vec::with_capacity(width);
            row.extend(r.expect("record").iter().map(str::to_string));
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let followers = match state % 20 {
                0 => String::new(),
                n => {
                    let n = (state >> 8) % (n * 5_000);
                    if n >= 1000 {
                        format!("{},{:03}", n / 1000, n % 1000)
                    } else {
                        n.to_string()
                    }
                }
            };
            row.push(followers);
            row
        })
        .collect();
    (headers, rows)
}

fn expr(c: &mut Criterion) {
    let (headers, rows) = rows();
    let ctx = EvalCtx::now();
    let column = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let mut group = c.benchmark_group("expr 1M rows");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));

    let cols = [column("follower_count"), column("title"), column("email")];
    group.bench_function("baseline: trim the filter's 3 cells", |b| {
        b.iter(|| {
            let long = |r: &&Vec<String>| cols.iter().map(|&c| r[c].trim().len()).sum::<usize>();
            black_box(rows.iter().filter(|r| long(r) > 30).count())
        })
    });

    let filter = parse(FILTER).expect("parse").bind(&headers).expect("bind");
    group.bench_function("filter, 3 conditions", |b| {
        b.iter(|| black_box(rows.iter().filter(|r| filter.matches(*r, &ctx)).count()))
    });

    // The same work on 1,000 rows that stay in cache, a thousand times: the language's own cost.
    let hot = &rows[..1000];
    group.bench_function("filter, 3 conditions, cached rows", |b| {
        b.iter(|| {
            let kept: usize = (0..1000)
                .map(|_| hot.iter().filter(|r| filter.matches(*r, &ctx)).count())
                .sum();
            black_box(kept)
        })
    });

    let first = column("first_name");
    group.bench_function("baseline: copy one cell into a new column", |b| {
        b.iter(|| {
            black_box(
                rows.iter()
                    .map(|r| r[first].clone())
                    .collect::<Vec<String>>(),
            )
        })
    });

    for (name, src) in FORMULAS {
        let program = parse(src).expect("parse").bind(&headers).expect("bind");
        group.bench_function(name, |b| {
            b.iter(|| {
                let column: Vec<String> = rows
                    .iter()
                    .map(|r| program.eval(r, &ctx).into_cell_text())
                    .collect();
                black_box(column)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, expr);
criterion_main!(benches);
