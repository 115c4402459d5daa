//! Where a response cache plugs into the caller: what is remembered, and the async seam the
//! store implements, so a lookup never blocks a runtime thread.

use super::request_key::RequestKey;
use futures::future::BoxFuture;
use serde_json::Value;

/// A final answer worth remembering: a result, or "no data" for this input.
#[derive(Debug, Clone, PartialEq)]
pub enum Cached {
    /// The tool's `result`.
    Result(Value),
    /// The provider had nothing for this input (its message).
    NoData(String),
}

/// A persistent response cache (the SQLite store implements it).
pub trait ResponseCache: Send + Sync {
    /// A remembered answer for `key`, if still fresh; awaited, never blocking the thread.
    fn get<'a>(&'a self, key: &'a RequestKey) -> BoxFuture<'a, Option<Cached>>;
    /// Remembers an answer for `key`, without waiting for it to be stored.
    fn put(&self, key: &RequestKey, value: &Cached);
}

/// The cache that remembers nothing.
pub struct NoCache;

impl ResponseCache for NoCache {
    fn get<'a>(&'a self, _key: &'a RequestKey) -> BoxFuture<'a, Option<Cached>> {
        Box::pin(std::future::ready(None))
    }

    fn put(&self, _key: &RequestKey, _value: &Cached) {}
}
