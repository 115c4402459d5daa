//! The enrichment engine: jobs on tokio, bounded and rate-limited, reporting events.
//!
//! `submit` never blocks: jobs wait in a queue that `parallel` workers drain, so a
//! million queued cells cost a queue entry each, not a task each. Every job ends
//! with exactly one [`Event::Finished`]; events go over an unbounded channel so none
//! is ever lost and the submitter is never blocked by a slow reader.

pub mod backoff;
pub mod breaker;
pub mod caller;
pub mod fake;
pub mod limiter;

use crate::cell::{CellState, SkipReason};
use crate::integrations::{CallObserver, Ctx, EnrichError, Fields, Integration, ToolCaller};
use crate::providers::budget::Budget;
use crate::providers::keys::MissingKeys;
use crate::providers::{CallError, CallRecord, ErrorKind};
use futures::FutureExt;
use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

/// Which cell a job fills; both numbers are opaque to the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobKey {
    /// The row (or any id the submitter chooses).
    pub row: u64,
    /// The enrichment column; cancellation and auth stops act per column.
    pub column: u32,
}

/// One enrichment of one row.
#[derive(Clone)]
pub struct Job {
    /// Where the result goes.
    pub key: JobKey,
    /// What to run.
    pub integration: Arc<dyn Integration>,
    /// The row's values for the integration's inputs.
    pub inputs: Fields,
    /// Ask the providers again: the memo and the response cache do not answer (the
    /// fresh answers replace what they held). For a user's explicit "refresh".
    pub fresh: bool,
    /// The budget its paid calls count against (`--max-cost`, the picker's budget).
    pub budget: Option<Arc<Budget>>,
}

/// The end of a job.
#[derive(Debug, Clone)]
pub struct JobResult {
    /// Which job.
    pub key: JobKey,
    /// Done, NoData, Failed or Skipped.
    pub state: CellState,
    /// Output values (empty unless Done).
    pub fields: Fields,
    /// Why it did not succeed (failed, no data, or cancelled after an auth failure).
    pub error: Option<EnrichError>,
    /// Every tool call the job made, with every attempt.
    pub calls: Vec<CallRecord>,
    /// Evidence from the integration for the inspector.
    pub notes: Vec<String>,
}

/// What the engine reports, in order per job: Running, Retrying*, Finished. (Queueing is
/// not reported: the submitter knows what it submitted, and a million such events would
/// only cost the reader a wake-up each.)
#[derive(Debug, Clone)]
pub enum Event {
    /// Started.
    Running(JobKey),
    /// A call failed in a retryable way; attempt `attempt` of `max` comes next.
    Retrying {
        /// Which job.
        key: JobKey,
        /// The attempt about to be made.
        attempt: u32,
        /// Attempts allowed.
        max: u32,
        /// Why the last attempt failed.
        reason: String,
    },
    /// Final state of a job.
    Finished(Box<JobResult>),
    /// Authentication failed in this column: its other jobs are skipped. Sent once per stop.
    ColumnStopped {
        /// The column.
        column: u32,
        /// The authentication failure.
        error: EnrichError,
    },
    /// A provider's health changed (paused after failures, resumed, down): say so once.
    Provider(breaker::ProviderNotice),
    /// No job is queued or running.
    Idle,
}

/// Keeps final results (the run journal); the engine waits for it before reporting one.
pub trait ResultSink: Send + Sync {
    /// Records a done, no-data or failed result of `job`. Failures to record are the sink's to report.
    fn record<'a>(
        &'a self,
        job: &'a Job,
        result: &'a JobResult,
    ) -> futures::future::BoxFuture<'a, ()>;
}

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// Jobs running at once.
    pub parallel: usize,
    /// Bound on one job, retries included.
    pub job_timeout: Duration,
    /// Providers without an API key: their jobs fail at once, saying what to set.
    pub missing_keys: MissingKeys,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            parallel: 8,
            job_timeout: Duration::from_secs(300),
            missing_keys: MissingKeys::none(),
        }
    }
}

/// Receives the engine's events, from async code or from a plain thread.
pub struct EventReceiver {
    rx: mpsc::UnboundedReceiver<Event>,
}

impl EventReceiver {
    /// The next event; `None` once the engine is gone and every event was read.
    pub async fn recv(&mut self) -> Option<Event> {
        self.rx.recv().await
    }

    /// Blocking variant for a thread outside the runtime (the TUI loop). Must not be called from async code.
    pub fn blocking_recv(&mut self) -> Option<Event> {
        self.rx.blocking_recv()
    }

    /// The next event if one is ready.
    pub fn try_recv(&mut self) -> Option<Event> {
        self.rx.try_recv().ok()
    }
}

struct QueuedJob {
    id: u64,
    job: Job,
}

struct Inner {
    caller: Arc<dyn ToolCaller>,
    sink: Option<Arc<dyn ResultSink>>,
    settings: EngineSettings,
    events: mpsc::UnboundedSender<Event>,
    queue: Mutex<VecDeque<QueuedJob>>,
    wake: Notify,
    running: Mutex<HashMap<u64, (JobKey, CancellationToken)>>,
    stopped: Mutex<HashMap<u32, EnrichError>>,
    pending: AtomicUsize,
    finishing: Mutex<()>,
    next_id: AtomicU64,
    shutdown: AtomicBool,
}

/// Runs jobs on a tokio runtime; dropping it cancels what is running.
pub struct Engine {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Engine {
    /// Starts `settings.parallel` workers on `handle`, calling tools through `caller`.
    pub fn new(
        handle: &Handle,
        settings: EngineSettings,
        caller: Arc<dyn ToolCaller>,
    ) -> (Engine, EventReceiver) {
        Engine::with_sink(handle, settings, caller, None)
    }

    /// Like [`Engine::new`], handing every done, no-data or failed result to `sink`
    /// before it is reported, so what was paid for is on disk before anyone sees it.
    pub fn with_sink(
        handle: &Handle,
        settings: EngineSettings,
        caller: Arc<dyn ToolCaller>,
        sink: Option<Arc<dyn ResultSink>>,
    ) -> (Engine, EventReceiver) {
        let (tx, rx) = mpsc::unbounded_channel();
        let workers = settings.parallel.max(1);
        let inner = Arc::new(Inner {
            caller,
            sink,
            settings,
            events: tx,
            queue: Mutex::new(VecDeque::new()),
            wake: Notify::new(),
            running: Mutex::new(HashMap::new()),
            stopped: Mutex::new(HashMap::new()),
            pending: AtomicUsize::new(0),
            finishing: Mutex::new(()),
            next_id: AtomicU64::new(0),
            shutdown: AtomicBool::new(false),
        });
        for _ in 0..workers {
            handle.spawn(worker(inner.clone()));
        }
        (Engine { inner }, EventReceiver { rx })
    }

    /// Queues jobs; never blocks. Jobs with missing inputs finish at once as skipped, jobs of a
    /// provider without a key as failed (saying what to set), jobs of a stopped column as
    /// cancelled.
    pub fn submit(&self, jobs: Vec<Job>) {
        let inner = &self.inner;
        let mut accepted = 0;
        // Counted up front so a job skipped here cannot signal Idle while its siblings wait.
        inner.pending.fetch_add(jobs.len(), Ordering::SeqCst);
        for job in jobs {
            if let Some(message) = job.integration.missing(&job.inputs) {
                let state = CellState::Skipped(SkipReason::MissingInput(message));
                inner.finish(JobResult::bare(job.key, state, None));
            } else if let Some(message) = (job.integration.providers().into_iter())
                .find_map(|p| inner.settings.missing_keys.explain(p))
            {
                let error = EnrichError::new(ErrorKind::Auth, message);
                inner.finish(JobResult::bare(job.key, CellState::Failed, Some(error)));
            } else if let Some(error) = inner.stop_error(&job) {
                let state = CellState::Cancelled;
                inner.finish(JobResult::bare(job.key, state, Some(error)));
            } else {
                let id = inner.next_id.fetch_add(1, Ordering::Relaxed);
                lock(&inner.queue).push_back(QueuedJob { id, job });
                accepted += 1;
            }
        }
        for _ in 0..accepted.min(inner.settings.parallel.max(1)) {
            inner.wake.notify_one();
        }
    }

    /// Cancels every queued and running job.
    pub fn cancel_all(&self) {
        self.inner.cancel_where(|_| true);
    }

    /// Cancels the queued and running jobs of one column.
    pub fn cancel_column(&self, column: u32) {
        self.inner.cancel_where(|k| k.column == column);
    }

    /// Cancels one job (every queued or running copy of it).
    pub fn cancel_job(&self, key: JobKey) {
        self.inner.cancel_where(|k| *k == key);
    }

    /// Lets a column stopped by an authentication failure run again (e.g. after the key was fixed).
    pub fn resume_column(&self, column: u32) {
        lock(&self.inner.stopped).remove(&column);
    }

    /// A function that puts provider notices on this engine's event stream (for the caller's breaker).
    pub fn announcer(&self) -> impl Fn(breaker::ProviderNotice) + Send + Sync + 'static {
        let events = self.inner.events.clone();
        move |notice| {
            let _ = events.send(Event::Provider(notice));
        }
    }

    /// Jobs submitted and not yet finished.
    pub fn pending(&self) -> usize {
        self.inner.pending.load(Ordering::SeqCst)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        self.inner.wake.notify_waiters();
        for (_, token) in lock(&self.inner.running).values() {
            token.cancel();
        }
    }
}

async fn worker(inner: Arc<Inner>) {
    while let Some((queued, token)) = inner.next_job().await {
        let (id, key) = (queued.id, queued.job.key);
        let name = queued.job.integration.spec().name;
        // A panic anywhere in a job (an integration's parser, a sink) must end as a failed
        // cell with its message, never as a job that silently never finishes.
        match AssertUnwindSafe(inner.run(queued, token))
            .catch_unwind()
            .await
        {
            Ok((result, auth)) => {
                // The stop is announced before the result that caused it, so whoever reads
                // up to the last Finished has heard about it (even when it was the last cell).
                if let Some(error) = auth {
                    inner.stop_column(key.column, error);
                }
                inner.finish(result);
            }
            Err(panic) => {
                lock(&inner.running).remove(&id);
                let message = format!(
                    "internal error in {name}: {} (please report this)",
                    panic_message(panic.as_ref())
                );
                let error = EnrichError::new(ErrorKind::Permanent, message);
                inner.finish(JobResult::bare(key, CellState::Failed, Some(error)));
            }
        }
    }
}

/// The text a panic was raised with.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned());
    crate::sanitize::server_message(&text).into_owned()
}

impl Inner {
    fn send(&self, event: Event) {
        // Fails only when the receiver was dropped: nobody is listening any more.
        let _ = self.events.send(event);
    }

    fn finish(&self, result: JobResult) {
        // One finisher at a time: whoever reads a Finished sees `pending` already
        // lowered, and Idle always comes after the last Finished.
        let _order = lock(&self.finishing);
        let left = self
            .pending
            .fetch_sub(1, Ordering::SeqCst)
            .saturating_sub(1);
        self.send(Event::Finished(Box::new(result)));
        if left == 0 {
            self.send(Event::Idle);
        }
    }

    fn stop_error(&self, job: &Job) -> Option<EnrichError> {
        let stopped = lock(&self.stopped);
        let cause = stopped.get(&job.key.column)?;
        Some(EnrichError::new(
            ErrorKind::Auth,
            format!(
                "not run: {} stopped after an authentication failure: {}",
                job.integration.spec().name,
                cause.message
            ),
        ))
    }

    /// The next job, already registered as running with its cancellation token.
    async fn next_job(&self) -> Option<(QueuedJob, CancellationToken)> {
        loop {
            let notified = self.wake.notified();
            tokio::pin!(notified);
            // Registered before looking, so a job pushed in between wakes us.
            notified.as_mut().enable();
            if self.shutdown.load(Ordering::SeqCst) {
                return None;
            }
            {
                let mut queue = lock(&self.queue);
                if let Some(job) = queue.pop_front() {
                    // Running before the queue is let go: a cancel that no longer finds the
                    // job queued finds it running, never neither.
                    let token = CancellationToken::new();
                    lock(&self.running).insert(job.id, (job.job.key, token.clone()));
                    return Some((job, token));
                }
            }
            notified.await;
        }
    }

    /// Runs one job to its result; the caller reports it (and the auth failure that stops its column, if any).
    async fn run(
        &self,
        queued: QueuedJob,
        token: CancellationToken,
    ) -> (JobResult, Option<EnrichError>) {
        let QueuedJob { id, job } = queued;
        let key = job.key;
        if let Some(error) = self.stop_error(&job) {
            lock(&self.running).remove(&id);
            let state = CellState::Cancelled;
            return (JobResult::bare(key, state, Some(error)), None);
        }
        self.send(Event::Running(key));

        let observer = Arc::new(JobObserver {
            key,
            fresh: job.fresh,
            budget: job.budget.clone(),
            events: self.events.clone(),
        });
        let ctx = Ctx::new(self.caller.clone(), observer);
        let limit = self.settings.job_timeout;
        let enrich = AssertUnwindSafe(job.integration.enrich(&ctx, &job.inputs)).catch_unwind();
        let work = tokio::time::timeout(limit, enrich);
        let outcome = tokio::select! {
            biased;
            () = token.cancelled() => None,
            r = work => Some(r),
        };
        lock(&self.running).remove(&id);
        let calls = ctx.take_calls();
        let noted = ctx.take_notes();

        let mut result = match outcome {
            None => JobResult::bare(key, CellState::Cancelled, None),
            Some(Err(_)) => JobResult::bare(
                key,
                CellState::Failed,
                Some(EnrichError::new(
                    ErrorKind::Transient,
                    format!("timed out after {} s", limit.as_secs_f64()),
                )),
            ),
            Some(Ok(Err(panic))) => JobResult::bare(
                key,
                CellState::Failed,
                Some(EnrichError::new(
                    ErrorKind::Permanent,
                    format!(
                        "internal error in {}: {} (please report this)",
                        job.integration.spec().name,
                        panic_message(panic.as_ref())
                    ),
                )),
            ),
            Some(Ok(Ok(Ok(enriched)))) => JobResult {
                fields: enriched.fields,
                notes: enriched.notes,
                ..JobResult::bare(key, CellState::Done, None)
            },
            Some(Ok(Ok(Err(error)))) => {
                let state = match error.kind {
                    ErrorKind::NoData => CellState::NoData,
                    ErrorKind::Cancelled => CellState::Cancelled,
                    ErrorKind::Budget => CellState::Budget,
                    _ => CellState::Failed,
                };
                JobResult::bare(key, state, Some(error))
            }
        };
        if result.state == CellState::Cancelled && result.error.is_none() {
            result.error = self.stop_error(&job);
        }
        result.calls = calls;
        result.notes.splice(0..0, noted);
        result.sanitize();
        let auth = result
            .error
            .as_ref()
            .filter(|e| e.kind == ErrorKind::Auth && result.state == CellState::Failed)
            .cloned();
        if let Some(sink) = &self.sink
            && matches!(
                result.state,
                CellState::Done | CellState::NoData | CellState::Failed
            )
        {
            // A sink that panics loses this journal entry, not the cell.
            let _ = AssertUnwindSafe(sink.record(&job, &result))
                .catch_unwind()
                .await;
        }
        (result, auth)
    }

    /// Stops a column after an authentication failure: reported once, the rest skipped.
    fn stop_column(&self, column: u32, error: EnrichError) {
        {
            let mut stopped = lock(&self.stopped);
            if stopped.contains_key(&column) {
                return;
            }
            stopped.insert(column, error.clone());
        }
        self.send(Event::ColumnStopped { column, error });
        self.cancel_where(|k| k.column == column);
    }

    /// Cancels matching jobs. Queued ones finish here; running ones finish in their worker.
    fn cancel_where(&self, matches: impl Fn(&JobKey) -> bool) {
        let drained: Vec<QueuedJob> = {
            let mut queue = lock(&self.queue);
            let (hit, keep): (VecDeque<_>, VecDeque<_>) =
                queue.drain(..).partition(|q| matches(&q.job.key));
            *queue = keep;
            hit.into()
        };
        for queued in drained {
            let error = self.stop_error(&queued.job);
            let state = CellState::Cancelled;
            self.finish(JobResult::bare(queued.job.key, state, error));
        }
        for (key, token) in lock(&self.running).values() {
            if matches(key) {
                token.cancel();
            }
        }
    }
}

impl JobResult {
    /// Cleans what the provider sent before anyone stores or prints it: escape sequences
    /// and control characters never reach a terminal, a CSV error column or the journal.
    fn sanitize(&mut self) {
        use crate::sanitize::{server_message, server_value};
        if let Some(error) = &mut self.error
            && let std::borrow::Cow::Owned(clean) = server_message(&error.message)
        {
            error.message = clean;
        }
        // Notes keep their line breaks (a prompt, an answer), never an escape sequence.
        for note in &mut self.notes {
            if let std::borrow::Cow::Owned(clean) = server_value(note) {
                *note = clean;
            }
        }
        for value in self.fields.values_mut() {
            if let std::borrow::Cow::Owned(clean) = server_value(value) {
                *value = clean;
            }
        }
    }

    fn bare(key: JobKey, state: CellState, error: Option<EnrichError>) -> JobResult {
        JobResult {
            key,
            state,
            fields: Fields::new(),
            error,
            calls: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// Turns a job's retry notices into events.
struct JobObserver {
    key: JobKey,
    fresh: bool,
    budget: Option<Arc<Budget>>,
    events: mpsc::UnboundedSender<Event>,
}

impl CallObserver for JobObserver {
    fn fresh(&self) -> bool {
        self.fresh
    }

    fn budget(&self) -> Option<&Budget> {
        self.budget.as_deref()
    }

    fn retrying(&self, attempt: u32, max: u32, error: &CallError) {
        let _ = self.events.send(Event::Retrying {
            key: self.key,
            attempt,
            max,
            reason: crate::sanitize::server_message(&error.message).into_owned(),
        });
    }
}
