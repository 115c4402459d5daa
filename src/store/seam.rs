//! The store as the engine caller's persistent [`ResponseCache`].

use super::{CacheKey, Store};
use crate::engine::caller::{Cached, CallKey, ResponseCache};
use serde_json::Value;

/// The store's key for a caller's key. `CallKey` carries the parameters as serialized JSON;
/// they are parsed back so the store can normalize them (LinkedIn URLs, key order).
fn store_key(key: &CallKey) -> CacheKey {
    let params =
        serde_json::from_str(&key.params).unwrap_or_else(|_| Value::String(key.params.clone()));
    CacheKey::new(key.provider, &key.tool, &params)
}

impl ResponseCache for Store {
    fn get(&self, key: &CallKey) -> Option<Cached> {
        self.cache_get(&store_key(key))
    }

    fn put(&self, key: &CallKey, value: &Cached) {
        self.cache_put(&store_key(key), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::caller::{Caller, CallerSettings};
    use crate::engine::fake::FakeTransport;
    use crate::integrations::{NoObserver, ToolCaller};
    use crate::providers::{CallError, ErrorKind, ProviderId};
    use crate::store::StoreConfig;
    use serde_json::json;
    use std::collections::BTreeMap;
    use std::sync::Arc;

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

    #[test]
    fn unparsable_params_still_make_a_stable_key() {
        let key = CallKey {
            provider: ProviderId::LOCAL,
            tool: "t".into(),
            params: "not json".into(),
        };
        assert_eq!(store_key(&key).params(), r#""not json""#);
    }
}
