//! Store throughput: cache lookups per second, and durable journal writes per second with one
//! writer, one writer batching 64 results per commit, and 2 and 8 concurrent writers (group
//! commit).
//!
//! Run: `cargo bench --bench store`.
//!
//! Results, 2026-11-25, 2-core AMD EPYC VM (ext4 on virtio disk) shared with 3 other builds,
//! `--profile dev` (deps at opt-level 1), two runs (spread is machine load):
//! - cache: channel round trip 13 µs; lookup hit 40–77 µs (13–25 k/s); miss 21–32 µs;
//!   building a key (URL normalization) 9–17 µs.
//! - journal, durable (synchronous=FULL): 1 writer 180–290 writes/s (one fsync each);
//!   1 writer batching 64 per `journal_put_many` 13 k/s; 2 writers 250–470/s;
//!   8 writers 1.4–4.8 k/s (group commit: up to ~11 writes per commit).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadgrid::cell::CellState;
use leadgrid::providers::{Cached, ProviderId, RequestKey};
use leadgrid::store::{JournalEntry, RunId, Store, StoreConfig};
use serde_json::json;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CACHED_KEYS: usize = 10_000;

fn key(i: usize) -> RequestKey {
    RequestKey::new(
        ProviderId::DATAGEN,
        "get_linkedin_person",
        &json!({ "linkedin_url": format!("https://www.linkedin.com/in/person-{i}/") }),
    )
}

fn entry(n: u64) -> JournalEntry {
    JournalEntry {
        integration: "linkedin_profile".into(),
        input_hash: format!("{n:032x}"),
        state: CellState::Done,
        fields: [
            (
                "headline".to_string(),
                "Staff engineer at Example".to_string(),
            ),
            ("company".to_string(), "Example Ltd".to_string()),
        ]
        .into_iter()
        .collect(),
        error: None,
        calls: json!([{"provider": "datagen", "tool": "get_linkedin_person", "attempts": 1}]),
    }
}

fn cache_lookups(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store =
        Store::open(&dir.path().join("bench.sqlite3"), StoreConfig::default()).expect("open store");
    let keys: Vec<RequestKey> = (0..CACHED_KEYS).map(key).collect();
    for (i, k) in keys.iter().enumerate() {
        store.cache_put(
            k,
            &Cached::Result(json!({"name": format!("Person {i}"), "headline": "x"})),
        );
    }
    store.flush().expect("flush");
    let misses: Vec<RequestKey> = (CACHED_KEYS..2 * CACHED_KEYS).map(key).collect();

    let mut group = c.benchmark_group("store_cache");
    group.throughput(Throughput::Elements(1));
    let mut i = 0;
    group.bench_function("get_hit", |b| {
        b.iter(|| {
            i = (i + 1) % CACHED_KEYS;
            black_box(store.cache_get(&keys[i]))
        })
    });
    group.bench_function("get_miss", |b| {
        b.iter(|| {
            i = (i + 1) % CACHED_KEYS;
            black_box(store.cache_get(&misses[i]))
        })
    });
    // The channel round trip alone (a flush with nothing to write): the floor under every lookup.
    group.bench_function("round_trip", |b| b.iter(|| store.flush().expect("flush")));
    group.bench_function("key_new", |b| {
        b.iter(|| {
            i = (i + 1) % CACHED_KEYS;
            black_box(key(i))
        })
    });
    group.finish();
}

fn journal_writes(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store =
        Store::open(&dir.path().join("bench.sqlite3"), StoreConfig::default()).expect("open store");
    let run = RunId::new("bench.csv");
    let next = AtomicU64::new(0);

    let mut group = c.benchmark_group("store_journal");
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("put_1_writer", |b| {
        b.iter(|| {
            let n = next.fetch_add(1, Ordering::Relaxed);
            store.journal_put(&run, &entry(n)).expect("journal put");
        })
    });
    group.bench_function("put_many_64_per_commit", |b| {
        b.iter_custom(|iters| {
            let batches = iters.div_ceil(64);
            let start = Instant::now();
            for _ in 0..batches {
                let entries: Vec<JournalEntry> = (0..64)
                    .map(|_| entry(next.fetch_add(1, Ordering::Relaxed)))
                    .collect();
                store.journal_put_many(&run, &entries).expect("journal put");
            }
            start
                .elapsed()
                .mul_f64(iters as f64 / (batches * 64) as f64)
        })
    });
    for writers in [2u64, 8] {
        group.bench_function(format!("put_{writers}_writers"), |b| {
            b.iter_custom(|iters| {
                let per_writer = iters.div_ceil(writers);
                let start = Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..writers {
                        s.spawn(|| {
                            for _ in 0..per_writer {
                                let n = next.fetch_add(1, Ordering::Relaxed);
                                store.journal_put(&run, &entry(n)).expect("journal put");
                            }
                        });
                    }
                });
                // Time per write, counting the extra writes of the rounded-up split.
                start
                    .elapsed()
                    .mul_f64(iters as f64 / (per_writer * writers) as f64)
            })
        });
    }
    group.finish();
    let stats = store.stats();
    eprintln!(
        "journal: {} writes in {} commits ({:.1} writes per commit)",
        stats.journal_writes,
        stats.commits,
        stats.journal_writes as f64 / stats.commits.max(1) as f64
    );
}

criterion_group!(benches, cache_lookups, journal_writes);
criterion_main!(benches);
