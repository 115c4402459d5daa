//! The response cache through the public `Store` handle: normalized keys, TTL, refresh,
//! "no data" answers, accounting, persistence, keeping secrets off disk, and the store
//! behind the engine's caller.

use leadgrid::engine::caller::{Caller, CallerSettings};
use leadgrid::engine::fake::FakeTransport;
use leadgrid::integrations::{NoObserver, ToolCaller};
use leadgrid::providers::{Cached, CallError, ErrorKind, ProviderId, RequestKey};
use leadgrid::store::{CachePolicy, Clock, ProviderPolicy, Store, StoreConfig};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// A clock the test moves by hand.
#[derive(Debug, Default)]
struct ManualClock(AtomicI64);

impl ManualClock {
    fn set(&self, t: i64) {
        self.0.store(t, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_unix(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

const DAY: i64 = 86_400;

fn config(clock: &Arc<ManualClock>) -> StoreConfig {
    let mut cache = CachePolicy::default();
    cache.set(
        ProviderId::DATAGEN,
        ProviderPolicy {
            ttl: Duration::from_secs(30 * 86_400),
            cost_per_call: 2.5,
        },
    );
    StoreConfig {
        cache,
        clock: clock.clone(),
        ..StoreConfig::default()
    }
}

fn person(url: &str) -> RequestKey {
    RequestKey::new(
        ProviderId::DATAGEN,
        "get_linkedin_person",
        &json!({ "linkedin_url": url }),
    )
}

#[test]
fn url_variants_hit_one_entry_and_hits_are_counted_with_cost_saved() {
    let clock = Arc::new(ManualClock::default());
    let store = Store::open_in_memory(config(&clock)).unwrap();
    let answer = Cached::Result(json!({"name": "Ada Quill"}));

    assert_eq!(
        store.cache_get(&person("https://www.linkedin.com/in/ada-quill/")),
        None
    );
    store.cache_put(&person("https://www.linkedin.com/in/ada-quill/"), &answer);
    for url in [
        "linkedin.com/in/ada-quill",
        "https://linkedin.com/in/ada-quill/?utm_medium=x",
        "HTTPS://WWW.LINKEDIN.COM/IN/ADA-QUILL",
    ] {
        assert_eq!(store.cache_get(&person(url)), Some(answer.clone()), "{url}");
    }
    let stats = store.stats();
    assert_eq!((stats.hits, stats.misses, stats.cache_writes), (3, 1, 1));
    assert!((stats.cost_saved - 7.5).abs() < 1e-9);
}

#[test]
fn ttl_expires_per_provider_and_expired_rows_are_pruned_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let clock = Arc::new(ManualClock::default());
    let engagement = RequestKey::new(ProviderId::HEYREACH, "get_engagement", &json!({"id": 7}));
    {
        let store = Store::open(&path, config(&clock)).unwrap();
        store.cache_put(&person("linkedin.com/in/a"), &Cached::Result(json!(1)));
        store.cache_put(&engagement, &Cached::Result(json!(2)));
        store.flush().unwrap();
        clock.set(DAY - 1);
        assert!(store.cache_get(&engagement).is_some());
        clock.set(DAY);
        assert_eq!(
            store.cache_get(&engagement),
            None,
            "heyreach answers live one day"
        );
        assert!(store.cache_get(&person("linkedin.com/in/a")).is_some());
        clock.set(30 * DAY);
        assert_eq!(store.cache_get(&person("linkedin.com/in/a")), None);
    }
    let store = Store::open(&path, config(&clock)).unwrap();
    drop(store);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let rows: i64 = raw
        .query_row("SELECT count(*) FROM cache", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0, "expired rows are deleted when the store is opened");
}

#[test]
fn no_data_answers_are_cached_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let clock = Arc::new(ManualClock::default());
    let key = person("linkedin.com/in/nobody");
    let none = Cached::NoData("Resource not found".into());
    {
        let store = Store::open(&path, config(&clock)).unwrap();
        store.cache_put(&key, &none);
        store.flush().unwrap();
    }
    let store = Store::open(&path, config(&clock)).unwrap();
    assert_eq!(store.cache_get(&key), Some(none));
}

#[test]
fn refresh_misses_but_still_writes() {
    let clock = Arc::new(ManualClock::default());
    let store = Store::open_in_memory(config(&clock)).unwrap();
    let key = person("linkedin.com/in/ada");
    store.cache_put(&key, &Cached::Result(json!("old")));
    let refreshing = store.with_refresh(true);
    assert_eq!(refreshing.cache_get(&key), None);
    refreshing.cache_put(&key, &Cached::Result(json!("new")));
    assert_eq!(store.cache_get(&key), Some(Cached::Result(json!("new"))));
    // Write counters move when the commit is done, which a lookup does not wait for.
    store.flush().unwrap();
    let stats = store.stats();
    assert_eq!((stats.misses, stats.hits, stats.cache_writes), (1, 1, 2));
}

#[test]
fn cache_rows_never_contain_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let secret = "sk-live-5f3a9c0de1b2";
    {
        let store = Store::open(&path, StoreConfig::default()).unwrap();
        // Even a caller that wrongly puts credentials into the parameters does not get them stored.
        let key = RequestKey::new(
            ProviderId::DATAGEN,
            "get_linkedin_person",
            &json!({
                "linkedin_url": "linkedin.com/in/ada",
                "api_key": secret,
                "headers": {"X-API-KEY": secret, "Authorization": format!("Bearer {secret}")},
            }),
        );
        store.cache_put(&key, &Cached::Result(json!({"name": "Ada"})));
        store.flush().unwrap();
    }
    let raw = rusqlite::Connection::open(&path).unwrap();
    let mut stmt = raw
        .prepare("SELECT provider || tool || params || kind || answer FROM cache")
        .unwrap();
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 1);
    for row in rows {
        let lower = row.to_ascii_lowercase();
        for needle in [secret, "x-api-key", "authorization", "bearer", "api_key"] {
            assert!(!lower.contains(needle), "{needle:?} in cache row {row}");
        }
    }
}

fn transport() -> Arc<FakeTransport> {
    Arc::new(FakeTransport::new(
        Some(std::time::Duration::ZERO),
        |_, p, _| match p["linkedin_url"].as_str() {
            Some("https://www.linkedin.com/in/ada/") => Ok(json!({"name": "Ada"})),
            Some("https://www.linkedin.com/in/nobody/") => {
                Err(CallError::new(ErrorKind::NoData, "Resource not found"))
            }
            _ => Err(CallError::new(ErrorKind::Permanent, "bad request")),
        },
    ))
}

/// A fresh caller: its in-memory memo is empty, so only the store can answer.
fn caller(t: &Arc<FakeTransport>, store: &Store) -> Caller {
    let settings = CallerSettings {
        max_attempts: 1,
        rate_limits: BTreeMap::new(),
        ..CallerSettings::default()
    };
    Caller::new(t.clone(), settings, Arc::new(store.clone()))
}

async fn call(c: &Caller, url: &str) -> Result<Value, ErrorKind> {
    c.call(
        ProviderId::DATAGEN,
        "get_person",
        json!({ "linkedin_url": url }),
        &NoObserver,
    )
    .await
    .map(|out| out.result)
    .map_err(|f| f.error.kind)
}

/// The store behind the engine's caller: final answers survive a restart, failures do not.
#[tokio::test]
async fn results_and_no_data_are_paid_once_failures_are_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let t = transport();
    let urls = [
        "https://www.linkedin.com/in/ada/",
        "https://www.linkedin.com/in/nobody/",
        "https://www.linkedin.com/in/broken/",
    ];
    {
        let store = Store::open(&path, StoreConfig::default()).unwrap();
        let c = caller(&t, &store);
        for url in urls {
            let _ = call(&c, url).await;
        }
        assert_eq!(t.calls(), 3);
    }
    // After a restart, with URLs written differently.
    let store = Store::open(&path, StoreConfig::default()).unwrap();
    let c = caller(&t, &store);
    assert_eq!(
        call(&c, "linkedin.com/in/ADA").await,
        Ok(json!({"name": "Ada"}))
    );
    assert_eq!(
        call(&c, "www.linkedin.com/in/nobody?x=1").await,
        Err(ErrorKind::NoData)
    );
    assert_eq!(t.calls(), 3, "both final answers came from the store");
    assert_eq!(
        call(&c, "linkedin.com/in/broken").await,
        Err(ErrorKind::Permanent)
    );
    assert_eq!(t.calls(), 4, "the failure was not cached");
    let stats = store.stats();
    assert_eq!((stats.hits, stats.misses), (2, 1));
}
