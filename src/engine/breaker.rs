//! A circuit breaker per provider: a dead or hung service costs a few attempts, not
//! attempts × timeout for every cell.
//!
//! Closed (calls go) → after `failures` consecutive transient failures: paused, the next
//! call is a lone probe while the others wait → the probe answers: closed again (resumed);
//! the probe fails too: open, every call fails at once until `cooldown` has passed, then
//! the next call probes again. Anything the server really answers (data, no data, a
//! refusal, a rate limit) counts as alive.

use crate::providers::{CallError, ErrorKind, ProviderId};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// When the breaker trips and how long it stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerSettings {
    /// Consecutive transient failures of a provider that pause it (0: never).
    pub failures: u32,
    /// How long a provider whose probe failed is not called at all.
    pub cooldown: Duration,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        BreakerSettings {
            failures: 5,
            cooldown: Duration::from_secs(60),
        }
    }
}

/// What the user is told about a provider's health; each change is reported once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderNotice {
    /// Too many failures in a row: its calls wait while one probe call tries it.
    Paused {
        provider: ProviderId,
        failures: u32,
        last_error: String,
    },
    /// It answered again: calls resume.
    Resumed { provider: ProviderId },
    /// The probe failed too: calls fail at once until `retry_in` has passed.
    Down {
        provider: ProviderId,
        retry_in: Duration,
        last_error: String,
    },
}

impl ProviderNotice {
    /// The provider it is about.
    pub fn provider(&self) -> ProviderId {
        match self {
            ProviderNotice::Paused { provider, .. }
            | ProviderNotice::Resumed { provider }
            | ProviderNotice::Down { provider, .. } => *provider,
        }
    }

    /// One line for a status bar or stderr.
    pub fn message(&self) -> String {
        match self {
            ProviderNotice::Paused {
                provider,
                failures,
                last_error,
            } => format!(
                "{provider}: {failures} failures in a row ({last_error}); paused, probing with one call"
            ),
            ProviderNotice::Resumed { provider } => {
                format!("{provider}: answering again; resumed")
            }
            ProviderNotice::Down {
                provider,
                retry_in,
                last_error,
            } => format!(
                "{provider}: still failing ({last_error}); its cells fail at once for {} s, re-run them later",
                retry_in.as_secs()
            ),
        }
    }
}

/// What a call may do now.
#[derive(Debug)]
pub enum Gate {
    /// Go ahead.
    Go,
    /// Go ahead as the probe: report the outcome with `probe = true`.
    Probe,
    /// Don't call: the provider is down.
    FailFast(CallError),
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Closed,
    /// Tripped: one probe at a time, the others wait.
    HalfOpen {
        probing: bool,
    },
    /// The probe failed: fail fast until `until`.
    Open {
        until: Instant,
        last_error: String,
    },
}

#[derive(Debug)]
struct Health {
    consecutive: u32,
    state: State,
}

/// Every provider's breaker.
pub struct Breakers {
    settings: BreakerSettings,
    health: Mutex<HashMap<ProviderId, Health>>,
    changed: Notify,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Breakers {
    /// Breakers with `settings`.
    pub fn new(settings: BreakerSettings) -> Breakers {
        Breakers {
            settings,
            health: Mutex::new(HashMap::new()),
            changed: Notify::new(),
        }
    }

    /// Waits until a call to `provider` may go, or says it must fail at once.
    pub async fn gate(&self, provider: ProviderId) -> Gate {
        if self.settings.failures == 0 {
            return Gate::Go;
        }
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            // Registered before looking, so a change in between wakes us.
            notified.as_mut().enable();
            {
                let mut all = lock(&self.health);
                let Some(health) = all.get_mut(&provider) else {
                    return Gate::Go;
                };
                match &health.state {
                    State::Closed => return Gate::Go,
                    State::HalfOpen { probing: false } => {
                        health.state = State::HalfOpen { probing: true };
                        return Gate::Probe;
                    }
                    State::HalfOpen { probing: true } => {}
                    State::Open { until, .. } if Instant::now() >= *until => {
                        health.state = State::HalfOpen { probing: true };
                        return Gate::Probe;
                    }
                    State::Open { until, last_error } => {
                        let left = until.saturating_duration_since(Instant::now());
                        return Gate::FailFast(CallError::new(
                            ErrorKind::Transient,
                            format!(
                                "not called: {provider} is down ({last_error}); it is tried again in {} s, re-run then",
                                left.as_secs().max(1)
                            ),
                        ));
                    }
                }
            }
            notified.await;
        }
    }

    /// Records an attempt's outcome (`None`: it answered) and returns the notice to give, if any.
    pub fn record(
        &self,
        provider: ProviderId,
        failure: Option<&CallError>,
        probe: bool,
    ) -> Option<ProviderNotice> {
        if self.settings.failures == 0 {
            return None;
        }
        let transient = failure.filter(|e| e.kind == ErrorKind::Transient);
        let mut all = lock(&self.health);
        let health = all.entry(provider).or_insert(Health {
            consecutive: 0,
            state: State::Closed,
        });
        let notice = match transient {
            None => {
                health.consecutive = 0;
                let was = std::mem::replace(&mut health.state, State::Closed);
                (was != State::Closed).then_some(ProviderNotice::Resumed { provider })
            }
            Some(error) => {
                health.consecutive = health.consecutive.saturating_add(1);
                match health.state {
                    State::HalfOpen { .. } if probe => {
                        let until = Instant::now() + self.settings.cooldown;
                        health.state = State::Open {
                            until,
                            last_error: error.message.clone(),
                        };
                        Some(ProviderNotice::Down {
                            provider,
                            retry_in: self.settings.cooldown,
                            last_error: error.message.clone(),
                        })
                    }
                    State::Closed if health.consecutive >= self.settings.failures => {
                        health.state = State::HalfOpen { probing: false };
                        Some(ProviderNotice::Paused {
                            provider,
                            failures: health.consecutive,
                            last_error: error.message.clone(),
                        })
                    }
                    _ => None,
                }
            }
        };
        drop(all);
        self.changed.notify_waiters();
        notice
    }

    /// A probe that ended without an outcome (cancelled): let the next caller probe.
    pub fn abandon_probe(&self, provider: ProviderId) {
        if let Some(health) = lock(&self.health).get_mut(&provider)
            && health.state == (State::HalfOpen { probing: true })
        {
            health.state = State::HalfOpen { probing: false };
        }
        self.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: ProviderId = ProviderId::DATAGEN;

    fn breakers() -> Breakers {
        Breakers::new(BreakerSettings {
            failures: 3,
            cooldown: Duration::from_secs(60),
        })
    }

    fn transient() -> CallError {
        CallError::new(ErrorKind::Transient, "timed out")
    }

    #[tokio::test(start_paused = true)]
    async fn trips_after_consecutive_failures_and_probes_once() {
        let b = breakers();
        assert!(b.record(P, Some(&transient()), false).is_none());
        assert!(
            b.record(P, None, false).is_none(),
            "an answer resets the count"
        );
        assert!(b.record(P, Some(&transient()), false).is_none());
        assert!(b.record(P, Some(&transient()), false).is_none());
        let paused = b.record(P, Some(&transient()), false);
        assert!(matches!(
            paused,
            Some(ProviderNotice::Paused { failures: 3, .. })
        ));
        assert!(matches!(b.gate(P).await, Gate::Probe));
        // A second caller waits for the probe's outcome.
        let waiting = tokio::time::timeout(Duration::from_secs(1), b.gate(P)).await;
        assert!(waiting.is_err(), "waits while the probe runs");
        let resumed = b.record(P, None, true);
        assert_eq!(resumed, Some(ProviderNotice::Resumed { provider: P }));
        assert!(matches!(b.gate(P).await, Gate::Go));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_probe_fails_fast_until_the_cooldown_ends() {
        let b = breakers();
        for _ in 0..3 {
            b.record(P, Some(&transient()), false);
        }
        assert!(matches!(b.gate(P).await, Gate::Probe));
        let down = b.record(P, Some(&transient()), true);
        assert!(matches!(down, Some(ProviderNotice::Down { .. })));
        match b.gate(P).await {
            Gate::FailFast(e) => assert!(e.message.contains("datagen is down"), "{}", e.message),
            other => panic!("expected fail fast, got {other:?}"),
        }
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(matches!(b.gate(P).await, Gate::Probe));
    }

    #[tokio::test(start_paused = true)]
    async fn refusals_and_rate_limits_count_as_alive() {
        let b = breakers();
        for kind in [ErrorKind::Auth, ErrorKind::RateLimited, ErrorKind::NoData] {
            for _ in 0..2 {
                b.record(P, Some(&transient()), false);
            }
            b.record(P, Some(&CallError::new(kind, "x")), false);
        }
        assert!(matches!(b.gate(P).await, Gate::Go));
    }

    #[tokio::test(start_paused = true)]
    async fn an_abandoned_probe_hands_over() {
        let b = breakers();
        for _ in 0..3 {
            b.record(P, Some(&transient()), false);
        }
        assert!(matches!(b.gate(P).await, Gate::Probe));
        b.abandon_probe(P);
        assert!(matches!(b.gate(P).await, Gate::Probe));
    }

    #[tokio::test(start_paused = true)]
    async fn zero_failures_disables_it() {
        let b = Breakers::new(BreakerSettings {
            failures: 0,
            cooldown: Duration::from_secs(1),
        });
        for _ in 0..10 {
            assert!(b.record(P, Some(&transient()), false).is_none());
        }
        assert!(matches!(b.gate(P).await, Gate::Go));
    }
}
