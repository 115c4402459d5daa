//! The tool caller integrations use: memo and cache, shared calls, rate limit, retries.

use super::backoff::{Backoff, backoff_delay, jitter};
use super::breaker::{BreakerSettings, Breakers, Gate, ProviderNotice};
use super::limiter::RateLimit;
use crate::integrations::{CallObserver, ToolCaller};
use crate::providers::price::PriceList;
use crate::providers::{
    Attempt, AttemptOutcome, Cached, CallError, CallRecord, ErrorKind, ProviderId, RequestKey,
    ResponseCache, ToolFailure, ToolOutput, Transport, redacted,
};
use futures::future::BoxFuture;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// Largest raw response kept in a call record; the inspector needs the gist, not megabytes.
const MAX_RAW_RESPONSE: usize = 64 * 1024;

/// Settings of the caller; see `assets/default-config.toml` for the user-facing defaults.
#[derive(Debug, Clone)]
pub struct CallerSettings {
    /// Attempts per call, the first included (at least 1).
    pub max_attempts: u32,
    /// Bound on one HTTP attempt.
    pub request_timeout: Duration,
    /// Bound on one attempt for providers with their own (a user's integration file sets it).
    pub timeouts: BTreeMap<ProviderId, Duration>,
    /// Pacing of retries.
    pub backoff: Backoff,
    /// Requests per minute per provider; absent or 0 means unlimited.
    pub rate_limits: BTreeMap<ProviderId, u32>,
    /// How many recent answers the in-memory memo keeps.
    pub memo_capacity: usize,
    /// How long a memo entry stays usable.
    pub memo_ttl: Duration,
    /// Requests in flight at once, over all providers (0: no bound beyond the engine's).
    /// Only the job that pays for a call holds one, so jobs sharing a call don't use them up.
    pub max_in_flight: usize,
    /// When a failing provider is paused and probed.
    pub breaker: BreakerSettings,
    /// What answers cost, recorded on each call (tokens and dollars).
    pub prices: PriceList,
}

impl Default for CallerSettings {
    fn default() -> Self {
        CallerSettings {
            max_attempts: 4,
            request_timeout: Duration::from_secs(30),
            timeouts: BTreeMap::new(),
            backoff: Backoff::default(),
            rate_limits: BTreeMap::from([(ProviderId::DATAGEN, 600), (ProviderId::HEYREACH, 300)]),
            memo_capacity: 1024,
            memo_ttl: Duration::from_secs(600),
            max_in_flight: 0,
            breaker: BreakerSettings::default(),
            prices: PriceList::default(),
        }
    }
}

/// Counters of what the caller did, for summaries and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallerStats {
    /// HTTP attempts made (each one paid).
    pub attempts: u64,
    /// Calls answered by another job's call (in flight or recent).
    pub shared: u64,
    /// Calls answered by the response cache.
    pub cached: u64,
}

/// A call's result with its record (the shape the memo and waiting callers share).
#[derive(Debug, Clone)]
struct Answer {
    result: Result<Value, CallError>,
    record: CallRecord,
}

/// Bounded memo of recent final answers, oldest evicted first.
struct Memo {
    entries: HashMap<RequestKey, (Instant, Answer)>,
    order: VecDeque<RequestKey>,
}

/// The engine's [`ToolCaller`]: every integration call goes through one of these.
pub struct Caller {
    transport: Arc<dyn Transport>,
    settings: CallerSettings,
    limits: HashMap<ProviderId, RateLimit>,
    /// A provider that answered 429 with `Retry-After` is left alone until then, by every job.
    cooldown: Mutex<HashMap<ProviderId, Instant>>,
    cache: Arc<dyn ResponseCache>,
    in_flight: Mutex<HashMap<RequestKey, watch::Receiver<Option<Answer>>>>,
    /// Bounds requests in flight when `max_in_flight` is set.
    requests: Option<tokio::sync::Semaphore>,
    /// Tools whose key was refused: later calls fail at once instead of paying for another 401.
    refused: Mutex<HashMap<(ProviderId, String), CallError>>,
    memo: Mutex<Memo>,
    breakers: Breakers,
    /// Told once per change of a provider's health (the session forwards it to the engine's events).
    notices: std::sync::OnceLock<Box<dyn Fn(ProviderNotice) + Send + Sync>>,
    attempts: AtomicU64,
    shared: AtomicU64,
    cached: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes the in-flight entry when the paying call ends or is dropped, so
/// waiting callers either get its answer or take over.
struct InFlightGuard<'a> {
    caller: &'a Caller,
    key: &'a RequestKey,
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        lock(&self.caller.in_flight).remove(self.key);
    }
}

enum Role {
    Leader(watch::Sender<Option<Answer>>),
    Follower(watch::Receiver<Option<Answer>>),
}

impl Caller {
    /// A caller over `transport`, remembering answers in `cache`.
    pub fn new(
        transport: Arc<dyn Transport>,
        settings: CallerSettings,
        cache: Arc<dyn ResponseCache>,
    ) -> Caller {
        let requests = (settings.max_in_flight > 0)
            .then(|| tokio::sync::Semaphore::new(settings.max_in_flight));
        let limits = settings
            .rate_limits
            .iter()
            .filter_map(|(&p, &n)| RateLimit::per_minute(n).map(|l| (p, l)))
            .collect();
        Caller {
            transport,
            breakers: Breakers::new(settings.breaker),
            settings,
            limits,
            cooldown: Mutex::new(HashMap::new()),
            cache,
            in_flight: Mutex::new(HashMap::new()),
            refused: Mutex::new(HashMap::new()),
            requests,
            memo: Mutex::new(Memo {
                entries: HashMap::new(),
                order: VecDeque::new(),
            }),
            notices: std::sync::OnceLock::new(),
            attempts: AtomicU64::new(0),
            shared: AtomicU64::new(0),
            cached: AtomicU64::new(0),
        }
    }

    /// Calls `tell` with every change of a provider's health (set once; later calls are ignored).
    pub fn on_notice(&self, tell: impl Fn(ProviderNotice) + Send + Sync + 'static) {
        let _ = self.notices.set(Box::new(tell));
    }

    fn notify(&self, notice: Option<ProviderNotice>) {
        if let (Some(notice), Some(tell)) = (notice, self.notices.get()) {
            tell(notice);
        }
    }

    /// Providers whose rate limit is holding calls back right now, with the limit (requests
    /// per minute), in provider order.
    pub fn throttled(&self) -> Vec<(ProviderId, u32)> {
        let mut out: Vec<(ProviderId, u32)> = self
            .limits
            .iter()
            .filter(|(_, limit)| limit.is_throttling())
            .map(|(&p, limit)| (p, limit.limit()))
            .collect();
        out.sort_unstable();
        out
    }

    /// What the caller has done so far.
    pub fn stats(&self) -> CallerStats {
        CallerStats {
            attempts: self.attempts.load(Ordering::Relaxed),
            shared: self.shared.load(Ordering::Relaxed),
            cached: self.cached.load(Ordering::Relaxed),
        }
    }

    async fn call_shared(
        &self,
        provider: ProviderId,
        tool: &str,
        params: Value,
        observer: &dyn CallObserver,
    ) -> Answer {
        let key = RequestKey::new(provider, tool, &params);
        // A fresh call still joins an identical one in flight: that answer is just as new.
        let fresh = observer.fresh();
        if let Some(hit) = self.memo_get(&key).filter(|_| !fresh) {
            self.shared.fetch_add(1, Ordering::Relaxed);
            return mark_shared(hit);
        }
        let cached = if fresh {
            None
        } else {
            self.cache.get(&key).await
        };
        if let Some(hit) = cached {
            self.cached.fetch_add(1, Ordering::Relaxed);
            return from_cache(provider, tool, params, hit, &self.settings.prices);
        }
        loop {
            let role = {
                let mut map = lock(&self.in_flight);
                match map.get(&key) {
                    Some(rx) => Role::Follower(rx.clone()),
                    None => {
                        let (tx, rx) = watch::channel(None);
                        map.insert(key.clone(), rx);
                        Role::Leader(tx)
                    }
                }
            };
            match role {
                Role::Follower(mut rx) => {
                    let answer = rx
                        .wait_for(Option::is_some)
                        .await
                        .ok()
                        .and_then(|v| v.clone());
                    // A call another job's budget refused may still fit in ours.
                    let refused =
                        |a: &Answer| matches!(&a.result, Err(e) if e.kind == ErrorKind::Budget);
                    if let Some(outcome) = answer.filter(|a| !refused(a)) {
                        self.shared.fetch_add(1, Ordering::Relaxed);
                        return mark_shared(outcome);
                    }
                    // The paying job was cancelled before answering (or its budget refused
                    // the call): take over.
                }
                Role::Leader(tx) => {
                    let _guard = InFlightGuard {
                        caller: self,
                        key: &key,
                    };
                    // The previous leader may have answered between our memo check and
                    // taking the lead: it stores the answer before leaving, so look again
                    // rather than pay twice.
                    if let Some(hit) = self.memo_get(&key).filter(|_| !fresh) {
                        let _ = tx.send(Some(hit.clone()));
                        self.shared.fetch_add(1, Ordering::Relaxed);
                        return mark_shared(hit);
                    }
                    let outcome = self.with_retries(provider, tool, params, observer).await;
                    if let Some(answer) = final_answer(&outcome) {
                        self.memo_put(&key, &outcome);
                        self.cache.put(&key, &answer);
                    }
                    // Nobody waiting is fine: the send only fails without receivers.
                    let _ = tx.send(Some(outcome.clone()));
                    return outcome;
                }
            }
        }
    }

    async fn with_retries(
        &self,
        provider: ProviderId,
        tool: &str,
        params: Value,
        observer: &dyn CallObserver,
    ) -> Answer {
        let max = self.settings.max_attempts.max(1);
        let mut record = CallRecord {
            provider,
            tool: tool.to_owned(),
            request: redacted(&params),
            attempts: Vec::new(),
            raw_response: None,
            cached: false,
            shared: false,
            usage: None,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let resume = lock(&self.cooldown).get(&provider).copied();
            if let Some(resume) = resume {
                tokio::time::sleep_until(resume).await;
            }
            // The breaker before a slot: calls waiting on a probe must not hold slots.
            let probe = match self.breakers.gate(provider).await {
                Gate::Go => None,
                Gate::Probe => Some(ProbeGuard {
                    breakers: &self.breakers,
                    provider,
                    armed: true,
                }),
                Gate::FailFast(error) => {
                    return Answer {
                        result: Err(error),
                        record,
                    };
                }
            };
            // The budget before a slot: a call waiting for calls in flight to settle must not
            // hold a slot one of them could use.
            let reservation = match observer.budget() {
                Some(budget) => match self
                    .settings
                    .prices
                    .expected(provider, tool, &record.request)
                {
                    Some(expected) => match budget.reserve(expected).await {
                        Ok(reservation) => Some(reservation),
                        Err(over) => {
                            return Answer {
                                result: Err(CallError::new(ErrorKind::Budget, over.to_string())),
                                record,
                            };
                        }
                    },
                    None => None,
                },
                None => None,
            };
            // A slot first, then the rate limit: a token is never spent waiting for a slot.
            let slot = match &self.requests {
                Some(requests) => requests.acquire().await.ok(),
                None => None,
            };
            let refused = lock(&self.refused)
                .get(&(provider, tool.to_owned()))
                .cloned();
            if let Some(error) = refused {
                return Answer {
                    result: Err(error),
                    record,
                };
            }
            if let Some(limit) = self.limits.get(&provider) {
                limit.ready().await;
            }
            let mut out = self.attempt_once(provider, tool, &params).await;
            drop(slot);
            let notice = self.breakers.record(
                provider,
                out.result.as_ref().err(),
                probe.as_ref().is_some_and(|p| p.armed),
            );
            if let Some(mut guard) = probe {
                guard.armed = false;
            }
            self.notify(notice);
            if let Err(error) = &mut out.result {
                note_capped_wait(error, self.settings.backoff.max_retry_after);
                out.attempt.outcome.clone_from(&error.message);
            }
            self.attempts.fetch_add(1, Ordering::Relaxed);
            record.attempts.push(out.attempt);
            if let Some(body) = out.raw_body {
                record.raw_response = Some(truncate(body));
            }
            let cost = match &out.result {
                Ok(result) => self
                    .settings
                    .prices
                    .usage(provider, tool, &record.request, result),
                Err(_) => None,
            };
            if let Some(reservation) = reservation {
                reservation.settle(cost.and_then(|u| u.usd).unwrap_or(0.0));
            }
            match out.result {
                Ok(result) => {
                    record.usage = cost;
                    return Answer {
                        result: Ok(result),
                        record,
                    };
                }
                Err(error) if error.kind.is_retryable() && attempt < max => {
                    if let (ErrorKind::RateLimited, Some(after)) = (error.kind, error.retry_after) {
                        let until =
                            Instant::now() + after.min(self.settings.backoff.max_retry_after);
                        let mut cooldown = lock(&self.cooldown);
                        let entry = cooldown.entry(provider).or_insert(until);
                        *entry = (*entry).max(until);
                    }
                    observer.retrying(attempt + 1, max, &error);
                    let delay =
                        backoff_delay(attempt, error.retry_after, &self.settings.backoff, jitter());
                    tokio::time::sleep(delay).await;
                }
                Err(error) => {
                    if error.kind == ErrorKind::Auth {
                        lock(&self.refused).insert((provider, tool.to_owned()), error.clone());
                    }
                    return Answer {
                        result: Err(error),
                        record,
                    };
                }
            }
        }
    }

    async fn attempt_once(
        &self,
        provider: ProviderId,
        tool: &str,
        params: &Value,
    ) -> AttemptOutcome {
        let started_at = chrono::Utc::now();
        let start = Instant::now();
        let limit = self
            .settings
            .timeouts
            .get(&provider)
            .copied()
            .unwrap_or(self.settings.request_timeout);
        match tokio::time::timeout(limit, self.transport.execute_once(provider, tool, params)).await
        {
            Ok(out) => out,
            Err(_) => {
                let mut error = CallError::new(
                    ErrorKind::Transient,
                    format!("no answer within {} s", limit.as_secs_f64()),
                );
                error.status = None;
                AttemptOutcome {
                    attempt: Attempt {
                        started_at,
                        duration_ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
                        status: None,
                        outcome: error.message.clone(),
                    },
                    result: Err(error),
                    status: None,
                    raw_body: None,
                }
            }
        }
    }

    fn memo_get(&self, key: &RequestKey) -> Option<Answer> {
        let memo = lock(&self.memo);
        let (at, outcome) = memo.entries.get(key)?;
        (at.elapsed() < self.settings.memo_ttl).then(|| outcome.clone())
    }

    fn memo_put(&self, key: &RequestKey, outcome: &Answer) {
        if self.settings.memo_capacity == 0 {
            return;
        }
        let mut memo = lock(&self.memo);
        let fresh = (Instant::now(), outcome.clone());
        if memo.entries.insert(key.clone(), fresh).is_none() {
            memo.order.push_back(key.clone());
        }
        while memo.entries.len() > self.settings.memo_capacity {
            match memo.order.pop_front() {
                Some(oldest) => {
                    memo.entries.remove(&oldest);
                }
                None => break,
            }
        }
    }
}

impl ToolCaller for Caller {
    fn unavailable(&self, provider: ProviderId) -> Option<CallError> {
        self.transport.unavailable(provider)
    }

    fn call<'a>(
        &'a self,
        provider: ProviderId,
        tool: &'a str,
        params: Value,
        observer: &'a dyn CallObserver,
    ) -> BoxFuture<'a, Result<ToolOutput, ToolFailure>> {
        Box::pin(async move {
            let Answer { result, record } =
                self.call_shared(provider, tool, params, observer).await;
            match result {
                Ok(result) => Ok(ToolOutput { result, record }),
                Err(error) => Err(ToolFailure { error, record }),
            }
        })
    }
}

/// Hands the probe over if the call that was probing ends without an outcome (cancelled).
struct ProbeGuard<'a> {
    breakers: &'a Breakers,
    provider: ProviderId,
    armed: bool,
}

impl Drop for ProbeGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.breakers.abandon_probe(self.provider);
        }
    }
}

/// Says so in the error when the server asked for a longer wait than leadgrid gives it.
fn note_capped_wait(error: &mut CallError, max: Duration) {
    if let Some(asked) = error.retry_after.filter(|a| *a > max) {
        error.message = format!(
            "{}; the server asked to wait {} s, waiting {} s at most",
            error.message,
            asked.as_secs(),
            max.as_secs()
        );
    }
}

/// The answer to remember, if `outcome` is final for this input (a result or no data).
fn final_answer(outcome: &Answer) -> Option<Cached> {
    match &outcome.result {
        Ok(result) => Some(Cached::Result(result.clone())),
        Err(e) if e.kind == ErrorKind::NoData => Some(Cached::NoData(e.message.clone())),
        Err(_) => None,
    }
}

fn mark_shared(mut outcome: Answer) -> Answer {
    outcome.record.shared = true;
    outcome
}

/// A cached answer as a call record: not paid, but with the usage it had (for the inspector).
fn from_cache(
    provider: ProviderId,
    tool: &str,
    params: Value,
    hit: Cached,
    prices: &PriceList,
) -> Answer {
    let usage = match &hit {
        Cached::Result(result) => prices.usage(provider, tool, &params, result),
        Cached::NoData(_) => None,
    };
    let record = CallRecord {
        provider,
        tool: tool.to_owned(),
        request: redacted(&params),
        attempts: Vec::new(),
        raw_response: None,
        cached: true,
        shared: false,
        usage,
    };
    let result = match hit {
        Cached::Result(result) => Ok(result),
        Cached::NoData(message) => Err(CallError::new(ErrorKind::NoData, message)),
    };
    Answer { result, record }
}

fn truncate(mut body: String) -> String {
    if body.len() > MAX_RAW_RESPONSE {
        let mut end = MAX_RAW_RESPONSE;
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        body.truncate(end);
        body.push_str("…[truncated]");
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fake::FakeTransport;
    use crate::integrations::NoObserver;
    use crate::providers::NoCache;
    use serde_json::json;
    use std::sync::atomic::AtomicU32;

    fn error(kind: ErrorKind, msg: &str) -> CallError {
        CallError::new(kind, msg)
    }

    fn caller(transport: Arc<FakeTransport>, max_attempts: u32) -> Caller {
        let settings = CallerSettings {
            max_attempts,
            rate_limits: BTreeMap::new(),
            ..CallerSettings::default()
        };
        Caller::new(transport, settings, Arc::new(NoCache))
    }

    /// Fails with `kind` on every attempt.
    fn always(kind: ErrorKind) -> Arc<FakeTransport> {
        Arc::new(FakeTransport::new(Some(Duration::ZERO), move |_, _, _| {
            Err(error(kind, "boom"))
        }))
    }

    #[derive(Default)]
    struct CountRetries(AtomicU32);

    impl CallObserver for CountRetries {
        fn retrying(&self, _attempt: u32, max: u32, _error: &CallError) {
            assert_eq!(max, 4);
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn only_retryable_kinds_are_retried() {
        for (kind, attempts) in [
            (ErrorKind::Transient, 4),
            (ErrorKind::RateLimited, 4),
            (ErrorKind::NoData, 1),
            (ErrorKind::Auth, 1),
            (ErrorKind::Permanent, 1),
        ] {
            let t = always(kind);
            let c = caller(t.clone(), 4);
            let observer = CountRetries::default();
            let out = c
                .call(ProviderId::DATAGEN, "tool", json!({"a": 1}), &observer)
                .await;
            let fail = out.expect_err("always fails");
            assert_eq!(fail.error.kind, kind);
            assert_eq!(t.calls(), attempts, "{kind:?}");
            assert_eq!(fail.record.attempts.len() as u64, attempts);
            assert_eq!(observer.0.load(Ordering::SeqCst) as u64, attempts - 1);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn transient_then_success_records_every_attempt() {
        let t = Arc::new(FakeTransport::new(Some(Duration::ZERO), |_, _, n| {
            if n < 3 {
                Err(error(ErrorKind::Transient, "HTTP 503"))
            } else {
                Ok(json!({"ok": n}))
            }
        }));
        let c = caller(t.clone(), 4);
        let out = c
            .call(ProviderId::DATAGEN, "tool", json!({}), &NoObserver)
            .await
            .expect("third attempt succeeds");
        assert_eq!(out.result, json!({"ok": 3}));
        let outcomes: Vec<_> = out
            .record
            .attempts
            .iter()
            .map(|a| a.outcome.as_str())
            .collect();
        assert_eq!(outcomes, ["HTTP 503", "HTTP 503", "ok"]);
        assert_eq!(c.stats().attempts, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_provider_whose_rate_limit_holds_calls_back_is_named() {
        let t = Arc::new(FakeTransport::new(Some(Duration::ZERO), |_, _, n| {
            Ok(json!(n))
        }));
        let settings = CallerSettings {
            rate_limits: BTreeMap::from([(ProviderId::DATAGEN, 60)]),
            ..CallerSettings::default()
        };
        let c = Arc::new(Caller::new(t, settings, Arc::new(NoCache)));
        c.call(ProviderId::DATAGEN, "tool", json!({"id": 1}), &NoObserver)
            .await
            .expect("the first goes at once");
        assert!(c.throttled().is_empty());
        let second = tokio::spawn({
            let c = c.clone();
            async move {
                c.call(ProviderId::DATAGEN, "tool", json!({"id": 2}), &NoObserver)
                    .await
                    .map(|_| ())
                    .map_err(|f| f.error)
            }
        });
        tokio::task::yield_now().await;
        assert_eq!(c.throttled(), [(ProviderId::DATAGEN, 60)]);
        second
            .await
            .expect("joined")
            .expect("answered a second later");
        assert!(c.throttled().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_waited_out() {
        let t = Arc::new(FakeTransport::new(Some(Duration::ZERO), |_, _, n| {
            if n == 1 {
                let mut e = error(ErrorKind::RateLimited, "HTTP 429");
                e.retry_after = Some(Duration::from_secs(20));
                Err(e)
            } else {
                Ok(json!(n))
            }
        }));
        let c = caller(t, 4);
        let start = Instant::now();
        c.call(ProviderId::DATAGEN, "tool", json!({}), &NoObserver)
            .await
            .expect("second attempt succeeds");
        let waited = start.elapsed();
        assert!(waited >= Duration::from_secs(20), "{waited:?}");
        assert!(waited < Duration::from_secs(21), "{waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pauses_every_call_to_that_provider() {
        let t = Arc::new(FakeTransport::new(Some(Duration::ZERO), |_, p, n| {
            if p["id"] == 1 && n == 1 {
                let mut e = error(ErrorKind::RateLimited, "HTTP 429");
                e.retry_after = Some(Duration::from_secs(30));
                Err(e)
            } else {
                Ok(json!(n))
            }
        }));
        let c = caller(t.clone(), 4);
        let start = Instant::now();
        c.call(ProviderId::HEYREACH, "tool", json!({"id": 1}), &NoObserver)
            .await
            .expect("retried after the pause");
        let first = start.elapsed();
        // Once the pause is over, other requests go straight through.
        let during = Instant::now();
        c.call(ProviderId::HEYREACH, "tool", json!({"id": 2}), &NoObserver)
            .await
            .expect("ok");
        assert!(first >= Duration::from_secs(30), "{first:?}");
        assert!(
            during.elapsed() < Duration::from_secs(1),
            "the pause is over by now"
        );
        // A different provider was never paused.
        let other = Instant::now();
        c.call(ProviderId::DATAGEN, "tool", json!({"id": 3}), &NoObserver)
            .await
            .expect("ok");
        assert_eq!(other.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_calls_wait_out_a_429_together() {
        let t = Arc::new(FakeTransport::new(
            Some(Duration::from_millis(10)),
            |_, p, n| {
                if p["id"] == 1 && n == 1 {
                    let mut e = error(ErrorKind::RateLimited, "HTTP 429");
                    e.retry_after = Some(Duration::from_secs(30));
                    Err(e)
                } else {
                    Ok(json!(n))
                }
            },
        ));
        let c = caller(t.clone(), 4);
        let start = Instant::now();
        let first = c.call(ProviderId::HEYREACH, "tool", json!({"id": 1}), &NoObserver);
        let later = async {
            // Starts after the 429 came back (the first attempt takes 10 ms).
            tokio::time::sleep(Duration::from_millis(20)).await;
            c.call(ProviderId::HEYREACH, "tool", json!({"id": 2}), &NoObserver)
                .await
                .expect("ok");
            start.elapsed()
        };
        let (first, later) = tokio::join!(first, later);
        first.expect("ok");
        assert!(later >= Duration::from_secs(30), "{later:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn slow_attempt_times_out_as_transient() {
        let t = Arc::new(FakeTransport::new(None, |_, _, _| Ok(json!(1))));
        let settings = CallerSettings {
            max_attempts: 2,
            request_timeout: Duration::from_secs(5),
            ..CallerSettings::default()
        };
        let c = Caller::new(t.clone(), settings, Arc::new(NoCache));
        let fail = c
            .call(ProviderId::DATAGEN, "tool", json!({}), &NoObserver)
            .await
            .expect_err("never answers");
        assert_eq!(fail.error.kind, ErrorKind::Transient);
        assert_eq!(t.calls(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_provider_with_its_own_timeout_keeps_to_it() {
        let t = Arc::new(FakeTransport::new(None, |_, _, _| Ok(json!(1))));
        let mine = ProviderId::named("slow_api");
        let settings = CallerSettings {
            max_attempts: 1,
            request_timeout: Duration::from_secs(5),
            timeouts: BTreeMap::from([(mine, Duration::from_secs(90))]),
            ..CallerSettings::default()
        };
        let c = Caller::new(t.clone(), settings, Arc::new(NoCache));
        let started = Instant::now();
        let fail = c
            .call(mine, "http", json!({}), &NoObserver)
            .await
            .expect_err("never answers");
        assert_eq!(fail.error.message, "no answer within 90 s");
        assert_eq!(started.elapsed(), Duration::from_secs(90));
    }

    #[tokio::test]
    async fn requests_in_flight_are_bounded() {
        let t = Arc::new(FakeTransport::echo(Duration::from_millis(20)));
        let settings = CallerSettings {
            max_in_flight: 3,
            rate_limits: BTreeMap::new(),
            ..CallerSettings::default()
        };
        let c = Caller::new(t.clone(), settings, Arc::new(NoCache));
        let calls = (0..12).map(|i| {
            c.call(
                ProviderId::DATAGEN,
                "tool",
                json!({ "linkedin_url": format!("u{i}") }),
                &NoObserver,
            )
        });
        for out in futures::future::join_all(calls).await {
            out.expect("answered");
        }
        assert_eq!(t.calls(), 12);
        assert_eq!(t.peak_in_flight(), 3);
    }

    #[tokio::test]
    async fn concurrent_identical_calls_are_made_once() {
        let t = Arc::new(FakeTransport::echo(Duration::from_millis(50)));
        let c = caller(t.clone(), 4);
        let params = json!({"linkedin_url": "u"});
        let (a, b) = tokio::join!(
            c.call(ProviderId::DATAGEN, "tool", params.clone(), &NoObserver),
            c.call(ProviderId::DATAGEN, "tool", params.clone(), &NoObserver),
        );
        let (a, b) = (a.expect("ok"), b.expect("ok"));
        assert_eq!(t.calls(), 1);
        assert_eq!(a.result, b.result);
        assert!(a.record.shared != b.record.shared, "exactly one paid");
        assert_eq!(c.stats().shared, 1);
    }

    #[tokio::test]
    async fn recent_answers_are_reused_and_failures_are_not() {
        let t = Arc::new(FakeTransport::new(
            Some(Duration::ZERO),
            |_, p, _| match p["id"].as_i64() {
                Some(1) => Ok(json!("one")),
                Some(2) => Err(error(ErrorKind::NoData, "Resource not found")),
                _ => Err(error(ErrorKind::Permanent, "bad request")),
            },
        ));
        let c = caller(t.clone(), 1);
        for id in [1, 2, 3, 1, 2, 3] {
            let _ = c
                .call(ProviderId::DATAGEN, "tool", json!({"id": id}), &NoObserver)
                .await;
        }
        // The result and the no-data answer are remembered; the permanent failure is asked again.
        assert_eq!(t.calls(), 4);
        let again = c
            .call(ProviderId::DATAGEN, "tool", json!({"id": 2}), &NoObserver)
            .await
            .expect_err("no data");
        assert_eq!(again.error.kind, ErrorKind::NoData);
        assert!(again.record.shared);
    }

    #[tokio::test]
    async fn memo_is_bounded() {
        let t = Arc::new(FakeTransport::echo(Duration::ZERO));
        let settings = CallerSettings {
            memo_capacity: 2,
            ..CallerSettings::default()
        };
        let c = Caller::new(t.clone(), settings, Arc::new(NoCache));
        for id in [1, 2, 3, 1] {
            c.call(ProviderId::LOCAL, "tool", json!({"id": id}), &NoObserver)
                .await
                .expect("echo");
        }
        // 1 was evicted by 3, so it is asked again.
        assert_eq!(t.calls(), 4);
    }

    #[derive(Default)]
    struct MapCache(Mutex<HashMap<RequestKey, Cached>>);

    impl ResponseCache for MapCache {
        fn get<'a>(&'a self, key: &'a RequestKey) -> BoxFuture<'a, Option<Cached>> {
            Box::pin(std::future::ready(lock(&self.0).get(key).cloned()))
        }

        fn put(&self, key: &RequestKey, value: &Cached) {
            lock(&self.0).insert(key.clone(), value.clone());
        }
    }

    #[tokio::test]
    async fn response_cache_answers_across_callers() {
        let cache = Arc::new(MapCache::default());
        let t = Arc::new(FakeTransport::echo(Duration::ZERO));
        let params = json!({"linkedin_url": "u"});
        for _ in 0..2 {
            // A fresh caller has an empty memo: only the cache can answer.
            let c = Caller::new(t.clone(), CallerSettings::default(), cache.clone());
            c.call(ProviderId::DATAGEN, "tool", params.clone(), &NoObserver)
                .await
                .expect("echo");
        }
        assert_eq!(t.calls(), 1);
        let key = RequestKey::new(ProviderId::DATAGEN, "tool", &params);
        assert!(matches!(cache.get(&key).await, Some(Cached::Result(_))));
    }

    /// A cache whose first lookup stalls until released: it holds a caller between its memo
    /// check and taking the lead, the window in which another caller can answer and leave.
    struct StallingCache {
        lookups: AtomicU32,
        release: tokio::sync::Notify,
    }

    impl ResponseCache for StallingCache {
        fn get<'a>(&'a self, _key: &'a RequestKey) -> BoxFuture<'a, Option<Cached>> {
            Box::pin(async move {
                if self.lookups.fetch_add(1, Ordering::SeqCst) == 0 {
                    self.release.notified().await;
                }
                None
            })
        }

        fn put(&self, _key: &RequestKey, _value: &Cached) {}
    }

    /// On a runtime with one thread: the stalled lookup is awaited, not waited for, so
    /// the other caller runs meanwhile (a blocking lookup would hang this test).
    #[tokio::test(flavor = "current_thread")]
    async fn a_call_answered_while_another_looked_it_up_is_not_paid_twice() {
        let cache = Arc::new(StallingCache {
            lookups: AtomicU32::new(0),
            release: tokio::sync::Notify::new(),
        });
        let t = Arc::new(FakeTransport::echo(Duration::ZERO));
        let c = Arc::new(Caller::new(
            t.clone(),
            CallerSettings::default(),
            cache.clone(),
        ));
        let params = json!({"page": 2});
        let late = tokio::spawn({
            let (c, params) = (c.clone(), params.clone());
            async move {
                c.call(ProviderId::HEYREACH, "tool", params, &NoObserver)
                    .await
            }
        });
        while cache.lookups.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        // The late caller has missed the memo and is stuck in the cache lookup; this one
        // pays, remembers the answer and leaves before the late one goes on.
        c.call(ProviderId::HEYREACH, "tool", params, &NoObserver)
            .await
            .expect("echo");
        cache.release.notify_one();
        let late = late.await.expect("joined").expect("echo");
        assert_eq!(t.calls(), 1);
        assert!(late.record.shared);
    }

    struct Fresh;

    impl CallObserver for Fresh {
        fn retrying(&self, _attempt: u32, _max: u32, _error: &CallError) {}

        fn fresh(&self) -> bool {
            true
        }
    }

    #[tokio::test]
    async fn a_fresh_call_pays_and_replaces_what_was_remembered() {
        let cache = Arc::new(MapCache::default());
        let t = Arc::new(FakeTransport::new(Some(Duration::ZERO), |_, _, n| {
            Ok(json!(n))
        }));
        let c = Caller::new(t.clone(), CallerSettings::default(), cache.clone());
        let params = json!({"linkedin_url": "u"});
        let ask = |observer: &'static dyn CallObserver| {
            c.call(ProviderId::DATAGEN, "tool", params.clone(), observer)
        };
        assert_eq!(ask(&NoObserver).await.expect("ok").result, json!(1));
        assert_eq!(ask(&NoObserver).await.expect("ok").result, json!(1));
        let fresh = ask(&Fresh).await.expect("ok");
        assert_eq!(fresh.result, json!(2));
        assert!(!fresh.record.shared && !fresh.record.cached);
        // Later callers get the new answer, from the memo and from the cache.
        assert_eq!(ask(&NoObserver).await.expect("ok").result, json!(2));
        let key = RequestKey::new(ProviderId::DATAGEN, "tool", &params);
        assert!(matches!(cache.get(&key).await, Some(Cached::Result(v)) if v == json!(2)));
        assert_eq!(t.calls(), 2);
    }

    /// Memo, calls in flight and cache share one key: parameters in another key order, or a
    /// profile URL written another way, are the same request, paid once, whatever order the
    /// JSON map keeps.
    #[tokio::test]
    async fn parameter_order_does_not_make_another_request() {
        let cache = Arc::new(MapCache::default());
        let t = Arc::new(FakeTransport::new(None, |_, _, _| Ok(json!("answer"))));
        let c = Arc::new(Caller::new(
            t.clone(),
            CallerSettings::default(),
            cache.clone(),
        ));
        let mut forward = serde_json::Map::new();
        let mut backward = serde_json::Map::new();
        let pairs = [
            ("a", json!(1)),
            ("b", json!(2)),
            ("url", json!("https://www.linkedin.com/in/ada/")),
        ];
        for (k, v) in &pairs {
            forward.insert((*k).to_string(), v.clone());
        }
        for (k, v) in pairs.iter().rev() {
            backward.insert((*k).to_string(), v.clone());
        }
        backward.insert("url".into(), json!("linkedin.com/in/Ada"));
        let (forward, backward) = (Value::Object(forward), Value::Object(backward));
        // The first call never answers: the second must join it in flight, not pay again.
        let first = tokio::spawn({
            let (c, p) = (c.clone(), forward.clone());
            async move {
                c.call(ProviderId::DATAGEN, "t", p, &NoObserver)
                    .await
                    .is_ok()
            }
        });
        while t.calls() == 0 {
            tokio::task::yield_now().await;
        }
        let second = tokio::spawn({
            let (c, p) = (c.clone(), backward.clone());
            async move {
                c.call(ProviderId::DATAGEN, "t", p, &NoObserver)
                    .await
                    .is_ok()
            }
        });
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        assert_eq!(t.calls(), 1, "joined the call in flight");
        first.abort();
        second.abort();
        // Memo and cache: an answered request, asked again in the other order.
        let answered = Arc::new(FakeTransport::echo(Duration::ZERO));
        let c = Caller::new(answered.clone(), CallerSettings::default(), cache.clone());
        c.call(ProviderId::DATAGEN, "u", forward.clone(), &NoObserver)
            .await
            .expect("echo");
        let again = c
            .call(ProviderId::DATAGEN, "u", backward.clone(), &NoObserver)
            .await
            .expect("memo");
        assert!(again.record.shared);
        let fresh_memo = Caller::new(answered.clone(), CallerSettings::default(), cache);
        let cached = fresh_memo
            .call(ProviderId::DATAGEN, "u", backward, &NoObserver)
            .await
            .expect("cache");
        assert!(cached.record.cached);
        assert_eq!(answered.calls(), 1);
    }

    #[test]
    fn long_bodies_are_truncated_on_a_char_boundary() {
        let body = "é".repeat(MAX_RAW_RESPONSE);
        let cut = truncate(body);
        assert!(cut.len() < MAX_RAW_RESPONSE + 20);
        assert!(cut.ends_with("…[truncated]"));
    }
}
