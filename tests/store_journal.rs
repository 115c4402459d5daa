//! The run journal through the public `Store` handle: round trips, restoring a run after a
//! restart, column definitions, and group commit under concurrent writers.

use leadgrid::cell::{CellState, SkipReason};
use leadgrid::integrations::Fields;
use leadgrid::store::{JournalEntry, RunId, Store, StoreConfig, input_hash};
use serde_json::json;
use std::path::Path;

fn inputs(url: &str) -> Fields {
    [("linkedin_url".to_string(), url.to_string())]
        .into_iter()
        .collect()
}

fn done(integration: &str, url: &str, headline: &str) -> JournalEntry {
    JournalEntry {
        integration: integration.into(),
        input_hash: input_hash(&inputs(url)),
        state: CellState::Done,
        fields: [("headline".to_string(), headline.to_string())]
            .into_iter()
            .collect(),
        error: None,
        calls: json!([{"provider": "datagen", "tool": "get_linkedin_person", "attempts": 1}]),
    }
}

fn failed(integration: &str, url: &str) -> JournalEntry {
    JournalEntry {
        integration: integration.into(),
        input_hash: input_hash(&inputs(url)),
        state: CellState::Failed,
        fields: Fields::new(),
        error: Some("HTTP 500 after 3 attempts".into()),
        calls: json!([{"attempts": 3}]),
    }
}

fn open(path: &Path) -> Store {
    Store::open(path, StoreConfig::default()).unwrap()
}

#[test]
fn entries_round_trip_and_a_reopened_run_restores_every_finished_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let csv = dir.path().join("leads.csv");
    std::fs::write(&csv, "linkedin_url\nlinkedin.com/in/a\n").unwrap();
    let written = vec![
        done("linkedin_profile", "linkedin.com/in/a", "Engineer"),
        failed("linkedin_profile", "linkedin.com/in/b"),
        JournalEntry {
            state: CellState::Skipped(SkipReason::MissingInput("missing linkedin_url".into())),
            ..failed("linkedin_posts", "")
        },
        JournalEntry {
            state: CellState::NoData,
            error: None,
            ..failed("linkedin_posts", "linkedin.com/in/a")
        },
    ];
    {
        let store = open(&path);
        let run = RunId::for_sheet(&csv).unwrap();
        for entry in &written {
            store.journal_put(&run, entry).unwrap();
        }
        // A later result for the same cell replaces the earlier one.
        store
            .journal_put(&run, &done("linkedin_profile", "linkedin.com/in/a", "CTO"))
            .unwrap();
        assert_eq!(store.stats().journal_writes, 5);
    }

    let store = open(&path);
    // The same file reached by another spelling of its path is the same run.
    let run = RunId::for_sheet(&dir.path().join(".").join("leads.csv")).unwrap();
    let mut want = written.clone();
    want[0] = done("linkedin_profile", "linkedin.com/in/a", "CTO");
    let mut loaded = store.journal_load(&run).unwrap();
    let order = |e: &JournalEntry| (e.integration.clone(), e.input_hash.clone());
    loaded.sort_by_key(order);
    want.sort_by_key(order);
    assert_eq!(loaded, want);

    let hash_b = input_hash(&inputs("linkedin.com/in/b"));
    assert_eq!(
        store
            .journal_lookup(&run, "linkedin_profile", &hash_b)
            .unwrap(),
        Some(failed("linkedin_profile", "linkedin.com/in/b"))
    );
    assert_eq!(
        store
            .journal_lookup(&run, "linkedin_posts", &hash_b)
            .unwrap(),
        None
    );
    let other_run = RunId::for_headless(&csv, &dir.path().join("out.csv")).unwrap();
    assert!(store.journal_load(&other_run).unwrap().is_empty());
}

/// Definitions are saved and loaded through callbacks (the UI thread never waits on the
/// store); each callback hears its answer once, in the order the requests were made.
#[test]
fn column_definitions_round_trip_per_run() {
    let store = Store::open_in_memory(StoreConfig::default()).unwrap();
    let run = RunId::new("leads.csv");
    let (tx, rx) = std::sync::mpsc::channel();
    let load = |run: &RunId| {
        let tx = tx.clone();
        store.load_columns_then(run, move |found| {
            let _ = tx.send(found.map_err(|e| e.to_string()));
        });
        rx.recv_timeout(std::time::Duration::from_secs(30))
            .expect("answered")
            .expect("loaded")
    };
    let save = |columns: &serde_json::Value| {
        let (saved_tx, saved) = std::sync::mpsc::channel();
        store.save_columns_then(&run, columns, move |r| {
            let _ = saved_tx.send(r);
        });
        saved
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("answered")
            .expect("saved");
    };
    assert_eq!(load(&run), None);
    let columns = json!([{
        "integration": "linkedin_profile",
        "inputs": {"linkedin_url": {"column": "LinkedIn Profile"}},
        "outputs": ["headline", "company"],
    }]);
    save(&columns);
    assert_eq!(load(&run), Some(columns));
    save(&json!([]));
    assert_eq!(load(&run), Some(json!([])));
    assert_eq!(load(&RunId::new("other.csv")), None);
}

#[test]
fn concurrent_writers_are_each_acknowledged_only_once_durable() {
    const WRITERS: usize = 8;
    const PER_WRITER: usize = 200;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let run = RunId::new("concurrent.csv");
    {
        let store = open(&path);
        std::thread::scope(|s| {
            for w in 0..WRITERS {
                let (store, run) = (store.clone(), run.clone());
                s.spawn(move || {
                    for i in 0..PER_WRITER {
                        let url = format!("linkedin.com/in/w{w}-{i}");
                        store
                            .journal_put(&run, &done("linkedin_profile", &url, &format!("{w}/{i}")))
                            .unwrap();
                    }
                });
            }
        });
        assert_eq!(store.stats().journal_writes, (WRITERS * PER_WRITER) as u64);
        assert_eq!(store.stats().errors, 0);
    }
    // Read back through a separate connection: everything acknowledged is in the file.
    let store = open(&path);
    let loaded = store.journal_load(&run).unwrap();
    assert_eq!(loaded.len(), WRITERS * PER_WRITER);
    for w in 0..WRITERS {
        for i in 0..PER_WRITER {
            let hash = input_hash(&inputs(&format!("linkedin.com/in/w{w}-{i}")));
            let entry = store
                .journal_lookup(&run, "linkedin_profile", &hash)
                .unwrap()
                .unwrap();
            assert_eq!(entry.fields["headline"], format!("{w}/{i}"));
        }
    }
}

#[test]
fn a_batch_of_results_is_journaled_in_one_commit() {
    let store = Store::open_in_memory(StoreConfig::default()).unwrap();
    let run = RunId::new("batch.csv");
    let entries: Vec<JournalEntry> = (0..50)
        .map(|i| done("linkedin_profile", &format!("linkedin.com/in/p{i}"), "x"))
        .collect();
    store.journal_put_many(&run, &entries).unwrap();
    let stats = store.stats();
    assert_eq!((stats.journal_writes, stats.commits), (50, 1));
    assert_eq!(store.journal_load(&run).unwrap().len(), 50);
}

#[tokio::test(flavor = "current_thread")]
async fn async_writers_on_one_runtime_thread_all_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let store = open(&path);
    let run = RunId::new("async.csv");
    // Many tasks awaiting their commits on one runtime thread: each is acknowledged, and in the file.
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let (store, run) = (store.clone(), run.clone());
            tokio::spawn(async move {
                let entry = done("linkedin_profile", &format!("linkedin.com/in/a{i}"), "x");
                store.journal_put_async(&run, &[entry]).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(store.stats().journal_writes, 64);
    assert_eq!(store.journal_load(&run).unwrap().len(), 64);
}
