//! Per-provider pacing: governor's GCRA driven by tokio's clock, so that
//! paused-time tests measure it exactly and it never blocks a thread.

use governor::clock::{Clock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;
use std::ops::Add;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A point in tokio's (pausable) time, as governor needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TokioInstant(tokio::time::Instant);

impl Add<Nanos> for TokioInstant {
    type Output = TokioInstant;

    fn add(self, rhs: Nanos) -> TokioInstant {
        TokioInstant(self.0 + Duration::from(rhs))
    }
}

impl Reference for TokioInstant {
    fn duration_since(&self, earlier: Self) -> Nanos {
        Nanos::from(self.0.saturating_duration_since(earlier.0))
    }

    fn saturating_sub(&self, duration: Nanos) -> Self {
        TokioInstant(
            self.0
                .checked_sub(Duration::from(duration))
                .unwrap_or(self.0),
        )
    }
}

/// governor clock reading `tokio::time::Instant::now()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    type Instant = TokioInstant;

    fn now(&self) -> TokioInstant {
        TokioInstant(tokio::time::Instant::now())
    }
}

/// Paces calls to one provider at a number of requests per minute.
pub struct RateLimit {
    limiter: RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<TokioInstant>>,
    per_minute: u32,
    /// Calls waiting for their turn right now.
    waiting: AtomicUsize,
}

impl RateLimit {
    /// A limit of `per_minute` requests, allowing a burst of one second's worth
    /// (so a fresh run does not fire a whole minute's quota at once). `None` when 0 (unlimited).
    pub fn per_minute(per_minute: u32) -> Option<RateLimit> {
        let rate = NonZeroU32::new(per_minute)?;
        let burst = NonZeroU32::new(per_minute / 60).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(rate).allow_burst(burst);
        Some(RateLimit {
            limiter: RateLimiter::direct_with_clock(quota, TokioClock),
            per_minute,
            waiting: AtomicUsize::new(0),
        })
    }

    /// Waits until one more request is allowed, and takes it.
    pub async fn ready(&self) {
        let mut waiting = None;
        loop {
            match self.limiter.check() {
                Ok(()) => return,
                Err(not_until) => {
                    waiting.get_or_insert_with(|| Waiting::new(&self.waiting));
                    tokio::time::sleep(not_until.wait_time_from(TokioClock.now())).await;
                }
            }
        }
    }

    /// The limit, in requests per minute.
    pub fn limit(&self) -> u32 {
        self.per_minute
    }

    /// Whether calls are waiting for their turn: the limit is what holds them back.
    pub fn is_throttling(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) > 0
    }
}

/// Counts a call as waiting for as long as it lives (also when the wait is cancelled).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Waiting<'a> {
        count.fetch_add(1, Ordering::Relaxed);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn paces_to_the_configured_rate() {
        let limit = RateLimit::per_minute(60).expect("non-zero");
        let start = tokio::time::Instant::now();
        for _ in 0..5 {
            limit.ready().await;
        }
        // Burst of 1, then one per second: the fifth request goes out at t = 4 s.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_secs(4), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn allows_one_second_burst() {
        let limit = RateLimit::per_minute(600).expect("non-zero");
        let start = tokio::time::Instant::now();
        for _ in 0..10 {
            limit.ready().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        limit.ready().await;
        assert!(start.elapsed() >= Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn calls_waiting_for_their_turn_are_counted_while_they_wait() {
        let limit = std::sync::Arc::new(RateLimit::per_minute(60).expect("non-zero"));
        limit.ready().await;
        assert!(!limit.is_throttling());
        let waiter = tokio::spawn({
            let limit = limit.clone();
            async move { limit.ready().await }
        });
        tokio::task::yield_now().await;
        assert!(limit.is_throttling(), "the second call waits a second");
        waiter.await.expect("joined");
        assert!(!limit.is_throttling());
        assert_eq!(limit.limit(), 60);
    }

    #[test]
    fn zero_means_unlimited() {
        assert!(RateLimit::per_minute(0).is_none());
    }
}
