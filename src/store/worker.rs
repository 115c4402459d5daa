//! The store thread: the only owner of the connection. Commands arrive on a channel; every
//! batch of writes waiting at once is committed in one transaction (group commit), and each
//! writer is answered only after that commit is on disk.

use super::cache::{self, CachePolicy};
use super::journal::{self, JournalEntry, JournalRow};
use super::stats::Counters;
use super::{Clock, StoreError};
use crate::providers::{Cached, RequestKey};
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender};

/// Where a command's answer goes: a blocked thread, an awaiting task, or a callback run on
/// the store thread (for callers that must never wait, such as the UI thread).
pub(crate) enum Reply<T> {
    Blocking(SyncSender<Result<T, StoreError>>),
    Async(tokio::sync::oneshot::Sender<Result<T, StoreError>>),
    Callback(Callback<T>),
}

impl<T> Reply<T> {
    /// Delivers the answer; the caller may have given up waiting, which is not an error here.
    fn send(self, result: Result<T, StoreError>) {
        match self {
            Reply::Blocking(tx) => {
                let _ = tx.send(result);
            }
            Reply::Async(tx) => {
                let _ = tx.send(result);
            }
            Reply::Callback(mut callback) => callback.call(result),
        }
    }
}

/// An answer to hand on. Called exactly once: with the answer, or with
/// [`StoreError::Closed`] if the command is dropped unanswered (the store thread is gone), so
/// whoever waits for it is never left waiting.
pub(crate) struct Callback<T>(Option<Answer<T>>);

/// What a callback does with the answer.
type Answer<T> = Box<dyn FnOnce(Result<T, StoreError>) + Send>;

impl<T> Callback<T> {
    /// Wraps `f`.
    pub(crate) fn new(f: impl FnOnce(Result<T, StoreError>) + Send + 'static) -> Callback<T> {
        Callback(Some(Box::new(f)))
    }

    fn call(&mut self, result: Result<T, StoreError>) {
        if let Some(f) = self.0.take() {
            f(result);
        }
    }
}

impl<T> Drop for Callback<T> {
    fn drop(&mut self) {
        self.call(Err(StoreError::Closed));
    }
}

/// Most commands taken into one transaction, so one huge burst cannot delay every ack forever.
const MAX_BATCH: usize = 1024;

/// A request to the store thread.
pub(crate) enum Command {
    CacheGet {
        key: RequestKey,
        reply: Reply<Option<Cached>>,
    },
    CachePut {
        key: RequestKey,
        answer: Cached,
    },
    JournalPut {
        rows: Vec<JournalRow>,
        reply: Reply<()>,
    },
    JournalLoad {
        run: String,
        with_calls: bool,
        reply: Reply<Vec<JournalEntry>>,
    },
    JournalLookup {
        run: String,
        integration: String,
        input_hash: String,
        reply: Reply<Option<JournalEntry>>,
    },
    SaveColumns {
        run: String,
        columns: String,
        reply: Reply<()>,
    },
    LoadColumns {
        run: String,
        reply: Reply<Option<String>>,
    },
    /// Answered once every earlier command is committed.
    Flush {
        reply: Reply<()>,
    },
}

impl Command {
    fn writes(&self) -> bool {
        matches!(
            self,
            Command::CachePut { .. } | Command::JournalPut { .. } | Command::SaveColumns { .. }
        )
    }
}

/// What a write was, for the counters once its commit is known.
#[derive(Clone, Copy)]
enum WriteKind {
    Cache,
    Journal(u64),
    Columns,
    Flush,
}

/// A write done inside the open transaction, waiting for the commit.
struct Pending {
    kind: WriteKind,
    reply: Option<Reply<()>>,
    result: Result<(), StoreError>,
}

/// The connection and everything the store thread needs.
pub(crate) struct Worker {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    pub(crate) policy: CachePolicy,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) counters: Arc<Counters>,
}

impl Worker {
    /// Serves commands until every handle is dropped.
    pub(crate) fn run(mut self, rx: Receiver<Command>) {
        while let Ok(first) = rx.recv() {
            let mut batch = Vec::with_capacity(16);
            batch.push(first);
            batch.extend(rx.try_iter().take(MAX_BATCH - 1));
            self.process(batch);
        }
    }

    fn sql_err(&self, e: &rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(&self.path, e)
    }

    /// Runs one batch: writes share one transaction and are answered after its commit (or
    /// with its failure). Reads are answered at once, so a lookup never waits for an fsync;
    /// they see the batch's earlier writes even before the commit, which for a cache answer
    /// or a journal row already on its way to disk is what the caller wants.
    pub(crate) fn process(&mut self, batch: Vec<Command>) {
        let now = self.clock.now_unix();
        let mut tx_error: Option<StoreError> = None;
        let mut in_tx = false;
        if batch.iter().any(Command::writes) {
            match self.conn.execute_batch("BEGIN IMMEDIATE") {
                Ok(()) => in_tx = true,
                Err(e) => tx_error = Some(self.sql_err(&e)),
            }
        }
        let mut pending: Vec<Pending> = Vec::new();
        for command in batch {
            match command {
                Command::CachePut { key, answer } => {
                    let result = self.write(&mut tx_error, |c| cache::put(c, &key, &answer, now));
                    pending.push(Pending {
                        kind: WriteKind::Cache,
                        reply: None,
                        result,
                    });
                }
                Command::JournalPut { rows, reply } => {
                    let result = self.write(&mut tx_error, |c| {
                        rows.iter().try_for_each(|row| journal::put(c, row, now))
                    });
                    pending.push(Pending {
                        kind: WriteKind::Journal(rows.len() as u64),
                        reply: Some(reply),
                        result,
                    });
                }
                Command::SaveColumns {
                    run,
                    columns,
                    reply,
                } => {
                    let result = self.write(&mut tx_error, |c| {
                        journal::save_columns(c, &run, &columns, now)
                    });
                    pending.push(Pending {
                        kind: WriteKind::Columns,
                        reply: Some(reply),
                        result,
                    });
                }
                Command::Flush { reply } => {
                    pending.push(Pending {
                        kind: WriteKind::Flush,
                        reply: Some(reply),
                        result: Ok(()),
                    });
                }
                Command::CacheGet { key, reply } => {
                    let result = cache::get(&self.conn, &self.policy, &key, now)
                        .map_err(|e| self.sql_err(&e));
                    self.answer(reply, result);
                }
                Command::JournalLoad {
                    run,
                    with_calls,
                    reply,
                } => {
                    let result = self.load(&run, with_calls);
                    self.answer(reply, result);
                }
                Command::JournalLookup {
                    run,
                    integration,
                    input_hash,
                    reply,
                } => {
                    let result = match journal::lookup(&self.conn, &run, &integration, &input_hash)
                    {
                        Ok(found) => found.transpose(),
                        Err(e) => Err(self.sql_err(&e)),
                    };
                    self.answer(reply, result);
                }
                Command::LoadColumns { run, reply } => {
                    let result =
                        journal::load_columns(&self.conn, &run).map_err(|e| self.sql_err(&e));
                    self.answer(reply, result);
                }
            }
        }
        if in_tx && tx_error.is_none() {
            match self.conn.execute_batch("COMMIT") {
                Ok(()) => self.counters.committed(),
                Err(e) => tx_error = Some(self.sql_err(&e)),
            }
        }
        if tx_error.is_some() && !self.conn.is_autocommit() {
            // Nothing of this batch may half-apply; the writers are told it failed.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        for p in pending {
            let result = match (&tx_error, p.result) {
                (Some(e), Ok(())) => Err(e.clone()),
                (_, r) => r,
            };
            match (&result, p.kind) {
                (Err(e), _) => self.counters.error(e),
                (Ok(()), WriteKind::Cache) => self.counters.cache_written(),
                (Ok(()), WriteKind::Journal(n)) => self.counters.journal_written(n),
                (Ok(()), WriteKind::Columns | WriteKind::Flush) => {}
            }
            if let Some(reply) = p.reply {
                reply.send(result);
            }
        }
    }

    /// Runs one write inside the batch's transaction. If SQLite abandoned the transaction
    /// (e.g. disk full), the rest of the batch is not attempted.
    fn write(
        &self,
        tx_error: &mut Option<StoreError>,
        op: impl FnOnce(&Connection) -> rusqlite::Result<()>,
    ) -> Result<(), StoreError> {
        if let Some(e) = tx_error {
            return Err(e.clone());
        }
        // A savepoint per command: a command that fails half-way leaves nothing behind, while
        // the other commands of the batch still commit.
        let result = self
            .conn
            .execute_batch("SAVEPOINT command")
            .and_then(|()| op(&self.conn))
            .and_then(|()| self.conn.execute_batch("RELEASE command"));
        result.map_err(|e| {
            let err = self.sql_err(&e);
            if self.conn.is_autocommit() {
                *tx_error = Some(err.clone());
            } else {
                let _ = self
                    .conn
                    .execute_batch("ROLLBACK TO command; RELEASE command");
            }
            err
        })
    }

    fn answer<T>(&self, reply: Reply<T>, result: Result<T, StoreError>) {
        if let Err(e) = &result {
            self.counters.error(e);
        }
        reply.send(result);
    }

    /// Every readable entry of a run; an entry this build cannot decode is skipped and counted.
    fn load(&self, run: &str, with_calls: bool) -> Result<Vec<JournalEntry>, StoreError> {
        let rows = journal::load(&self.conn, run, with_calls).map_err(|e| self.sql_err(&e))?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            match row {
                Ok(entry) => entries.push(entry),
                Err(e) => self.counters.error(&e),
            }
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::CellState;
    use crate::providers::ProviderId;
    use crate::store::{RunId, SystemClock, schema};
    use std::sync::mpsc::{Receiver, sync_channel};

    fn worker() -> Worker {
        Worker {
            conn: schema::open_in_memory().unwrap(),
            path: PathBuf::from("test.sqlite3"),
            policy: CachePolicy::default(),
            clock: Arc::new(SystemClock),
            counters: Arc::new(Counters::default()),
        }
    }

    fn entry(hash: &str, payload: usize) -> JournalEntry {
        JournalEntry {
            integration: "linkedin_profile".into(),
            input_hash: hash.into(),
            state: CellState::Done,
            fields: [("headline".to_string(), "x".repeat(payload))]
                .into_iter()
                .collect(),
            error: None,
            calls: serde_json::json!([]),
        }
    }

    fn put(hash: &str, payload: usize) -> (Command, Receiver<Result<(), StoreError>>) {
        let (reply, rx) = sync_channel(1);
        let row = JournalRow::new(&RunId::new("run"), &entry(hash, payload)).unwrap();
        (
            Command::JournalPut {
                rows: vec![row],
                reply: Reply::Blocking(reply),
            },
            rx,
        )
    }

    fn count(w: &Worker) -> i64 {
        w.conn
            .query_row("SELECT count(*) FROM journal", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_batch_of_writes_commits_together_and_acks_each_writer() {
        let mut w = worker();
        let (a, ra) = put("a", 1);
        let (b, rb) = put("b", 1);
        let key = RequestKey::new(ProviderId::DATAGEN, "t", &serde_json::json!({}));
        let (get, rget) = sync_channel(1);
        w.process(vec![
            a,
            Command::CachePut {
                key: key.clone(),
                answer: Cached::NoData("none".into()),
            },
            // A read in the same batch sees the batch's earlier writes.
            Command::CacheGet {
                key,
                reply: Reply::Blocking(get),
            },
            b,
        ]);
        assert_eq!(ra.try_recv().unwrap(), Ok(()));
        assert_eq!(rb.try_recv().unwrap(), Ok(()));
        assert_eq!(
            rget.try_recv().unwrap(),
            Ok(Some(Cached::NoData("none".into())))
        );
        assert_eq!(count(&w), 2);
        assert!(w.conn.is_autocommit(), "no transaction left open");
        let stats = w.counters.snapshot();
        assert_eq!(
            (stats.journal_writes, stats.cache_writes, stats.errors),
            (2, 1, 0)
        );
    }

    #[test]
    fn disk_full_fails_every_writer_of_the_batch_and_keeps_serving() {
        let mut w = worker();
        let pages: i64 = w
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        // Simulates a full disk: the file may not grow beyond its current size.
        w.conn.pragma_update(None, "max_page_count", pages).unwrap();
        let (small, r_small) = put("small", 1);
        let (big, r_big) = put("big", 64 * 1024);
        w.process(vec![small, big]);
        let full = StoreError::DiskFull {
            path: "test.sqlite3".into(),
        };
        assert_eq!(
            r_small.try_recv().unwrap(),
            Err(full.clone()),
            "its commit never happened"
        );
        assert_eq!(r_big.try_recv().unwrap(), Err(full));
        assert_eq!(count(&w), 0, "nothing of a failed batch is half-applied");
        assert!(w.conn.is_autocommit());
        let stats = w.counters.snapshot();
        assert_eq!(
            (stats.errors, stats.journal_writes, stats.commits),
            (2, 0, 0)
        );
        assert!(stats.last_error.unwrap().contains("full"));

        // Space comes back: the store goes on working.
        w.conn
            .pragma_update(None, "max_page_count", 1_000_000)
            .unwrap();
        let (again, r_again) = put("big", 64 * 1024);
        w.process(vec![again]);
        assert_eq!(r_again.try_recv().unwrap(), Ok(()));
        assert_eq!(count(&w), 1);
    }

    #[test]
    fn a_failing_command_leaves_nothing_behind_and_the_rest_of_the_batch_commits() {
        let mut w = worker();
        // Rejects one specific row, as a constraint or a bad value would.
        w.conn
            .execute_batch(
                "CREATE TRIGGER reject BEFORE INSERT ON journal WHEN NEW.input_hash = 'bad'
                 BEGIN SELECT RAISE(ABORT, 'rejected'); END;",
            )
            .unwrap();
        let run = RunId::new("run");
        let rows = ["ok-1", "bad"]
            .map(|h| JournalRow::new(&run, &entry(h, 1)).unwrap())
            .into();
        let (reply, r_many) = sync_channel(1);
        let (single, r_single) = put("ok-2", 1);
        let reply = Reply::Blocking(reply);
        w.process(vec![Command::JournalPut { rows, reply }, single]);
        assert!(r_many.try_recv().unwrap().is_err());
        assert_eq!(r_single.try_recv().unwrap(), Ok(()));
        let hashes: Vec<String> = w
            .conn
            .prepare("SELECT input_hash FROM journal")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            hashes,
            ["ok-2"],
            "the failed command's first row was undone"
        );
        let stats = w.counters.snapshot();
        assert_eq!((stats.journal_writes, stats.errors), (1, 1));
    }

    #[test]
    fn flush_is_answered_after_the_writes_before_it() {
        let mut w = worker();
        let (a, ra) = put("a", 1);
        let (flush, rf) = sync_channel(1);
        w.process(vec![
            a,
            Command::Flush {
                reply: Reply::Blocking(flush),
            },
        ]);
        assert_eq!(ra.try_recv().unwrap(), Ok(()));
        assert_eq!(rf.try_recv().unwrap(), Ok(()));
    }

    #[test]
    fn a_callback_hears_its_answer_once_or_closed_when_dropped_unanswered() {
        let (tx, rx) = std::sync::mpsc::channel();
        let answered = {
            let tx = tx.clone();
            Reply::Callback(Callback::new(move |r: Result<u8, StoreError>| {
                let _ = tx.send(r);
            }))
        };
        answered.send(Ok(7));
        let dropped: Callback<u8> = Callback::new(move |r| {
            let _ = tx.send(r);
        });
        drop(dropped);
        assert_eq!(
            rx.try_iter().collect::<Vec<_>>(),
            [Ok(7), Err(StoreError::Closed)]
        );
    }
}
