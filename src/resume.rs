//! Nothing paid for is lost: the engine's results go to the run journal before
//! anyone sees them, and come back from it when a run or a sheet is reopened.

use crate::cell::CellState;
use crate::engine::{Job, JobKey, JobResult, ResultSink};
use crate::integrations::{EnrichError, Fields};
use crate::providers::ErrorKind;
use crate::store::{JournalEntry, RunId, Store, input_hash};
use futures::future::BoxFuture;
use std::collections::HashMap;

/// Writes every done, no-data and failed cell to the journal of one run.
pub struct JournalSink {
    store: Store,
    run: RunId,
}

impl JournalSink {
    /// A sink journaling into `store` under `run`.
    pub fn new(store: Store, run: RunId) -> JournalSink {
        JournalSink { store, run }
    }
}

impl ResultSink for JournalSink {
    fn record<'a>(&'a self, job: &'a Job, result: &'a JobResult) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let entry = JournalEntry {
                integration: job.integration.journal_name().into_owned(),
                input_hash: input_hash(&job.inputs),
                state: result.state.clone(),
                fields: result.fields.clone(),
                error: result.error.as_ref().map(|e| e.message.clone()),
                calls: serde_json::to_value(&result.calls).unwrap_or_default(),
            };
            // A failed write is counted in the store's stats and shown to the user; the
            // result itself stays in memory and in the output.
            let _ = self.store.journal_put_async(&self.run, &[entry]).await;
        })
    }
}

/// A journaled cell, ready to show again. Its calls stay in the journal (see
/// [`Store::journal_lookup`]); they are most of an entry's size and rarely looked at.
#[derive(Debug, Clone)]
pub struct Restored {
    pub state: CellState,
    pub fields: Fields,
    pub error: Option<EnrichError>,
}

impl Restored {
    /// Whether the cell needs no new call: done, or a final "no data".
    pub fn is_settled(&self) -> bool {
        matches!(self.state, CellState::Done | CellState::NoData)
    }

    /// The journaled cell as the result of job `key` (its calls left in the journal).
    pub fn into_result(self, key: JobKey) -> JobResult {
        JobResult {
            key,
            state: self.state,
            fields: self.fields,
            error: self.error,
            calls: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// A run's journal, looked up by (integration, input values).
#[derive(Default)]
pub struct Journal {
    entries: HashMap<(String, String), JournalEntry>,
}

impl Journal {
    /// Loads every entry of `run`, without the calls (see [`Store::journal_load_results`]).
    pub fn load(store: &Store, run: &RunId) -> Result<Journal, crate::store::StoreError> {
        let entries = store
            .journal_load_results(run)?
            .into_iter()
            .map(|e| ((e.integration.clone(), e.input_hash.clone()), e))
            .collect();
        Ok(Journal { entries })
    }

    /// Number of journaled cells.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing was journaled.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The journaled result of `integration` for a row with these inputs.
    pub fn lookup(&self, integration: &str, inputs: &Fields) -> Option<Restored> {
        let entry = self
            .entries
            .get(&(integration.to_string(), input_hash(inputs)))?;
        let error = entry.error.as_ref().map(|message| {
            let kind = match entry.state {
                CellState::NoData => ErrorKind::NoData,
                _ => ErrorKind::Permanent,
            };
            EnrichError::new(kind, message.clone())
        });
        Some(Restored {
            state: entry.state.clone(),
            fields: entry.fields.clone(),
            error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreConfig;
    use std::sync::Arc;

    fn job(url: &str) -> Job {
        Job {
            key: JobKey { row: 1, column: 0 },
            integration: crate::integrations::find("linkedin_profile").expect("registered"),
            inputs: Fields::from([("linkedin_url".to_string(), url.to_string())]),
            fresh: false,
            budget: None,
        }
    }

    #[tokio::test]
    async fn sink_writes_what_the_journal_reads_back() {
        let store = Store::open_in_memory(StoreConfig::default()).expect("store");
        let run = RunId::new("test");
        let sink = Arc::new(JournalSink::new(store.clone(), run.clone()));
        let done = JobResult {
            key: JobKey { row: 1, column: 0 },
            state: CellState::Done,
            fields: Fields::from([("headline".to_string(), "CEO".to_string())]),
            error: None,
            calls: Vec::new(),
            notes: Vec::new(),
        };
        sink.record(&job("https://www.linkedin.com/in/a/"), &done)
            .await;
        let failed = JobResult {
            state: CellState::Failed,
            fields: Fields::new(),
            error: Some(EnrichError::new(ErrorKind::Transient, "HTTP 500")),
            ..done.clone()
        };
        sink.record(&job("https://www.linkedin.com/in/b/"), &failed)
            .await;

        let journal = Journal::load(&store, &run).expect("load");
        assert_eq!(journal.len(), 2);
        let a = journal
            .lookup(
                "linkedin_profile",
                &job("https://www.linkedin.com/in/a/").inputs,
            )
            .expect("a journaled");
        assert!(a.is_settled());
        assert_eq!(a.fields["headline"], "CEO");
        let b = journal
            .lookup(
                "linkedin_profile",
                &job("https://www.linkedin.com/in/b/").inputs,
            )
            .expect("b journaled");
        assert!(!b.is_settled());
        assert_eq!(b.error.map(|e| e.message), Some("HTTP 500".to_string()));
        assert!(
            journal
                .lookup(
                    "linkedin_profile",
                    &job("https://www.linkedin.com/in/c/").inputs
                )
                .is_none()
        );
        assert!(
            journal
                .lookup(
                    "linkedin_post_activity",
                    &job("https://www.linkedin.com/in/a/").inputs
                )
                .is_none()
        );
    }
}
