//! The tool caller integrations use: cache, shared calls, rate limit, retries.
