//! The response cache: answers (and "no data" answers) per [`RequestKey`], with a TTL per provider.

use crate::providers::{Cached, ProviderId, RequestKey};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;
use std::time::Duration;

/// How long a provider's answers stay fresh, and what one call costs (for "cost saved").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProviderPolicy {
    /// Answers older than this are ignored.
    pub ttl: Duration,
    /// Estimated cost of one call, in the provider's credits.
    pub cost_per_call: f64,
}

/// Cache policy for every provider.
#[derive(Debug, Clone, PartialEq)]
pub struct CachePolicy {
    providers: BTreeMap<ProviderId, ProviderPolicy>,
}

const DAY: u64 = 24 * 60 * 60;

impl Default for CachePolicy {
    /// 30 days for LinkedIn data (profiles change slowly), 1 day for HeyReach (engagement
    /// changes daily), 30 days for local computations; costs 0 until the caller sets them.
    fn default() -> Self {
        let policy = |days: u64| ProviderPolicy {
            ttl: Duration::from_secs(days * DAY),
            cost_per_call: 0.0,
        };
        CachePolicy {
            providers: BTreeMap::from([
                (ProviderId::LOCAL, policy(30)),
                (ProviderId::DATAGEN, policy(30)),
                (ProviderId::HEYREACH, policy(1)),
            ]),
        }
    }
}

impl CachePolicy {
    /// Replaces one provider's policy.
    pub fn set(&mut self, provider: ProviderId, policy: ProviderPolicy) -> &mut Self {
        self.providers.insert(provider, policy);
        self
    }

    /// The policy for `provider` (a zero TTL, i.e. no caching, if none was set).
    pub fn get(&self, provider: ProviderId) -> ProviderPolicy {
        self.providers
            .get(&provider)
            .copied()
            .unwrap_or(ProviderPolicy {
                ttl: Duration::ZERO,
                cost_per_call: 0.0,
            })
    }

    fn ttl_secs(&self, provider: ProviderId) -> i64 {
        i64::try_from(self.get(provider).ttl.as_secs()).unwrap_or(i64::MAX)
    }

    /// Whether an answer stored at `stored_at` is still fresh at `now` (unix seconds).
    fn is_fresh(&self, provider: ProviderId, stored_at: i64, now: i64) -> bool {
        now.saturating_sub(stored_at) < self.ttl_secs(provider)
    }
}

const KIND_VALUE: &str = "value";
const KIND_NO_DATA: &str = "no_data";

/// The fresh answer for `key`, if any. An expired or unreadable row is a miss.
pub(crate) fn get(
    conn: &Connection,
    policy: &CachePolicy,
    key: &RequestKey,
    now: i64,
) -> rusqlite::Result<Option<Cached>> {
    let row: Option<(String, String, i64)> = conn
        .prepare_cached(
            "SELECT kind, answer, stored_at FROM cache WHERE provider = ?1 AND tool = ?2 AND params = ?3",
        )?
        .query_row(params![key.provider().name(), key.tool(), key.params()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((kind, answer, stored_at)) = row else {
        return Ok(None);
    };
    if !policy.is_fresh(key.provider(), stored_at, now) {
        return Ok(None);
    }
    Ok(match kind.as_str() {
        KIND_VALUE => serde_json::from_str(&answer).ok().map(Cached::Result),
        KIND_NO_DATA => Some(Cached::NoData(answer)),
        _ => None,
    })
}

/// Stores (or replaces) the answer for `key`, stamped `now`.
pub(crate) fn put(
    conn: &Connection,
    key: &RequestKey,
    answer: &Cached,
    now: i64,
) -> rusqlite::Result<()> {
    let (kind, text) = match answer {
        Cached::Result(v) => (KIND_VALUE, v.to_string()),
        Cached::NoData(msg) => (KIND_NO_DATA, msg.clone()),
    };
    conn.prepare_cached(
        "INSERT OR REPLACE INTO cache (provider, tool, params, kind, answer, stored_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        key.provider().name(),
        key.tool(),
        key.params(),
        kind,
        text,
        now
    ])?;
    Ok(())
}

/// Deletes every expired answer; returns how many. Rows of providers this build does not know
/// are left alone (a newer leadgrid may still want them).
pub(crate) fn prune(conn: &Connection, policy: &CachePolicy, now: i64) -> rusqlite::Result<usize> {
    let mut removed = 0;
    for provider in [ProviderId::LOCAL, ProviderId::DATAGEN, ProviderId::HEYREACH] {
        let cutoff = now.saturating_sub(policy.ttl_secs(provider));
        removed += conn
            .prepare_cached("DELETE FROM cache WHERE provider = ?1 AND stored_at <= ?2")?
            .execute(params![provider.name(), cutoff])?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn conn() -> Connection {
        crate::store::schema::open_in_memory().unwrap()
    }

    fn key(url: &str) -> RequestKey {
        RequestKey::new(
            ProviderId::DATAGEN,
            "get_person",
            &json!({ "linkedin_url": url }),
        )
    }

    #[test]
    fn normalized_variants_hit_the_same_row() {
        let c = conn();
        let p = CachePolicy::default();
        put(
            &c,
            &key("https://www.linkedin.com/in/ada/"),
            &Cached::Result(json!({"n": 1})),
            100,
        )
        .unwrap();
        for url in [
            "linkedin.com/in/ada",
            "https://LinkedIn.com/in/ADA/?trk=x",
            "www.linkedin.com/in/ada/",
        ] {
            assert_eq!(
                get(&c, &p, &key(url), 101).unwrap(),
                Some(Cached::Result(json!({"n": 1}))),
                "{url}"
            );
        }
        let rows: i64 = c
            .query_row("SELECT count(*) FROM cache", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }

    #[test]
    fn ttl_is_per_provider_and_applied_on_read() {
        let c = conn();
        let mut p = CachePolicy::default();
        let hr = RequestKey::new(ProviderId::HEYREACH, "engagement", &json!({"u": 1}));
        let dg = RequestKey::new(ProviderId::DATAGEN, "person", &json!({"u": 1}));
        put(&c, &hr, &Cached::Result(json!(1)), 0).unwrap();
        put(&c, &dg, &Cached::Result(json!(2)), 0).unwrap();
        let day = 86_400;
        assert!(get(&c, &p, &hr, day - 1).unwrap().is_some());
        assert_eq!(
            get(&c, &p, &hr, day).unwrap(),
            None,
            "heyreach expires after a day"
        );
        assert!(get(&c, &p, &dg, 29 * day).unwrap().is_some());
        assert_eq!(get(&c, &p, &dg, 30 * day).unwrap(), None);
        p.set(
            ProviderId::DATAGEN,
            ProviderPolicy {
                ttl: Duration::from_secs(10),
                cost_per_call: 1.0,
            },
        );
        assert_eq!(
            get(&c, &p, &dg, 10).unwrap(),
            None,
            "a shorter TTL applies to old rows"
        );
        assert!(get(&c, &p, &dg, 9).unwrap().is_some());
    }

    #[test]
    fn prune_removes_only_expired_rows() {
        let c = conn();
        let p = CachePolicy::default();
        let hr = RequestKey::new(ProviderId::HEYREACH, "engagement", &json!({}));
        let dg = RequestKey::new(ProviderId::DATAGEN, "person", &json!({}));
        put(&c, &hr, &Cached::NoData("none".into()), 0).unwrap();
        put(&c, &dg, &Cached::NoData("none".into()), 0).unwrap();
        assert_eq!(prune(&c, &p, 86_399).unwrap(), 0);
        assert_eq!(prune(&c, &p, 86_400).unwrap(), 1);
        assert_eq!(
            get(&c, &p, &dg, 86_400).unwrap(),
            Some(Cached::NoData("none".into()))
        );
    }

    #[test]
    fn unknown_provider_has_no_caching() {
        let p = CachePolicy {
            providers: BTreeMap::new(),
        };
        assert!(!p.is_fresh(ProviderId::DATAGEN, 0, 0));
    }
}
