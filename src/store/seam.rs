//! The store as the engine caller's persistent [`ResponseCache`].

use super::Store;
use crate::providers::{Cached, RequestKey, ResponseCache};
use futures::future::BoxFuture;

impl ResponseCache for Store {
    fn get<'a>(&'a self, key: &'a RequestKey) -> BoxFuture<'a, Option<Cached>> {
        Box::pin(self.cache_get_async(key))
    }

    fn put(&self, key: &RequestKey, value: &Cached) {
        self.cache_put(key, value);
    }
}
