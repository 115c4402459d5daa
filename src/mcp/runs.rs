//! Enrichment runs started by agents: each is `leadgrid run` (the same plan, engine, store,
//! cache and journal) on a thread of its own, followed through its events, so a client can
//! wait for the summary with progress notifications, or come back for the status later.

use crate::cli::RunArgs;
use crate::config::Config;
use crate::run::events::{RunEvent, RunHooks};
use crate::run::summary::Summary;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How far a run has come.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct Progress {
    /// Cells the run sends to the engine (known once it has planned).
    pub cells: usize,
    /// Cells restored from the journal of an earlier run (free).
    pub restored: usize,
    /// Cells finished so far (any state).
    pub finished: usize,
    /// Of those, failed.
    pub failed: usize,
    /// Lines worth telling (a provider paused, a column stopped).
    pub notices: Vec<String>,
}

/// Where a run is.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Still going.
    Running,
    /// Finished; the summary says how each cell ended.
    Finished,
    /// Could not run (bad input, no key, unwritable output): see `error`.
    Failed,
}

/// Everything known about one run.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RunStatus {
    /// The run's id, for `run_status` and `cancel_run`.
    pub run_id: String,
    /// Where it is.
    pub status: Status,
    /// Cells so far.
    pub progress: Progress,
    /// The file being written.
    pub output: String,
    /// When finished: counts per state and integration, calls, cost saved, warnings.
    #[schemars(with = "Option<serde_json::Value>")]
    pub summary: Option<Summary>,
    /// Why it could not run.
    pub error: Option<String>,
    /// Whether it was cancelled (the partial result is still written).
    pub cancelled: bool,
}

struct Entry {
    status: watch::Sender<RunStatus>,
    cancel: CancellationToken,
}

/// The runs of one server.
#[derive(Default)]
pub struct Runs {
    next: AtomicU64,
    runs: Mutex<BTreeMap<String, Entry>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Runs {
    /// Starts `args` with `config` on its own thread; returns its id and a watch on its status.
    pub fn start(
        self: &Arc<Self>,
        config: Config,
        args: RunArgs,
        output: String,
    ) -> std::io::Result<(String, watch::Receiver<RunStatus>)> {
        let id = format!("run-{}", self.next.fetch_add(1, Ordering::Relaxed) + 1);
        let initial = RunStatus {
            run_id: id.clone(),
            status: Status::Running,
            progress: Progress::default(),
            output,
            summary: None,
            error: None,
            cancelled: false,
        };
        let (status, watcher) = watch::channel(initial);
        let cancel = CancellationToken::new();
        let thread_cancel = cancel.clone();
        let reporter = status.clone();
        std::thread::Builder::new()
            .name(format!("leadgrid-mcp-{id}"))
            .spawn(move || {
                // Every event updates the status at once; waiters see each change.
                let mut forward = |event: &RunEvent| {
                    reporter.send_modify(|s| apply(&mut s.progress, event));
                };
                let hooks = RunHooks {
                    events: Some(&mut forward),
                    cancel: Some(thread_cancel.clone()),
                    quiet: true,
                };
                let result = crate::run::run_with(&config, &args, hooks);
                reporter.send_modify(|s| {
                    s.cancelled = thread_cancel.is_cancelled();
                    match result {
                        Ok(summary) => {
                            s.status = Status::Finished;
                            s.summary = Some(summary);
                        }
                        Err(e) => {
                            s.status = Status::Failed;
                            s.error = Some(e.to_string());
                        }
                    }
                });
            })?;
        lock(&self.runs).insert(id.clone(), Entry { status, cancel });
        Ok((id, watcher))
    }

    /// The status of run `id`.
    pub fn status(&self, id: &str) -> Option<RunStatus> {
        lock(&self.runs).get(id).map(|e| e.status.borrow().clone())
    }

    /// Asks run `id` to stop; its partial result is still written.
    pub fn cancel(&self, id: &str) -> Option<RunStatus> {
        let runs = lock(&self.runs);
        let entry = runs.get(id)?;
        entry.cancel.cancel();
        Some(entry.status.borrow().clone())
    }

    /// The ids of every run, oldest first.
    pub fn ids(&self) -> Vec<String> {
        lock(&self.runs).keys().cloned().collect()
    }
}

/// Counts one event into `progress`.
pub fn apply(progress: &mut Progress, event: &RunEvent) {
    match event {
        RunEvent::Planned { cells, restored } => {
            progress.cells = *cells;
            progress.restored = *restored;
        }
        RunEvent::Finished {
            state, restored, ..
        } if !restored => {
            progress.finished += 1;
            if state == "failed" {
                progress.failed += 1;
            }
        }
        RunEvent::Notice { message } => progress.notices.push(message.clone()),
        _ => {}
    }
}
