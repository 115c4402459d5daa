//! The enrichment engine: jobs on tokio, bounded and rate-limited, reporting events.

pub mod caller;
