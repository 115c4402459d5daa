//! Expression benchmarks on a generated 1M-row lead list held in memory as `Vec<String>` rows:
//! a 3-condition filter (`matches`) and formula columns (`eval` + `to_cell_text`), each a full
//! pass over every row. Throughput is reported in rows per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadgrid::expr::{EvalCtx, parse};
use leadgrid::table::generate;
use std::hint::black_box;

const ROWS: usize = 1_000_000;

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
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let rows = reader
        .records()
        .map(|r| {
            let mut row: Vec<String> = r.expect("record").iter().map(str::to_string).collect();
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
    let mut group = c.benchmark_group("expr 1M rows");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));

    let filter = parse("followers > 1000 and title ~ 'founder|head|vp' and email is not empty")
        .expect("parse")
        .bind(&headers)
        .expect("bind");
    group.bench_function("filter, 3 conditions", |b| {
        b.iter(|| black_box(rows.iter().filter(|r| filter.matches(*r, &ctx)).count()))
    });

    for (name, src) in [
        (
            "formula, text",
            "concat(upper(first_name), ' ', last_name, ' at ', domain_of(email))",
        ),
        (
            "formula, number",
            "if(followers > 10000, round(number(followers) / 1000, 1), 0)",
        ),
    ] {
        let program = parse(src).expect("parse").bind(&headers).expect("bind");
        group.bench_function(name, |b| {
            b.iter(|| {
                let column: Vec<String> = rows
                    .iter()
                    .map(|r| program.eval(r, &ctx).to_cell_text())
                    .collect();
                black_box(column)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, expr);
criterion_main!(benches);
