//! Hard budgets: a most-dollars-to-spend that no paid call may pass.
//!
//! The caller asks the budget before each paid attempt ([`Budget::reserve`]) with what the call
//! is expected to cost, and settles the reservation with what it really cost once the answer
//! is in. A call starts only when what was spent, plus what calls in flight reserved, plus its
//! own estimate fits under the limit. When it would fit but for calls still in flight, it waits
//! for them to settle (an answer with no data costs nothing and gives its reservation back);
//! when it cannot fit even with nothing in flight, it is refused and its cell ends in the
//! `$ budget` state. So a run never spends more than its budget when estimates are exact (per
//! call prices), and stops within one call's cost of it.

use super::format_usd;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tokio::sync::Notify;

/// Why a call was not made: the budget would be passed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "not called: this call (about {}) would pass the budget of {} ({} spent)",
    format_usd(*.expected),
    format_usd(*.limit),
    format_usd(*.spent)
)]
pub struct OverBudget {
    /// What the call was expected to cost.
    pub expected: f64,
    /// The budget.
    pub limit: f64,
    /// What had been spent.
    pub spent: f64,
}

#[derive(Debug, Default)]
struct Ledger {
    limit: f64,
    spent: f64,
    reserved: f64,
    in_flight: usize,
    refused: u64,
}

/// A budget shared by the calls of one run (headless) or one column (the grid).
#[derive(Debug)]
pub struct Budget {
    ledger: Mutex<Ledger>,
    settled: Notify,
}

/// What a budget has seen so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct BudgetState {
    /// The most dollars that may be spent.
    pub limit_usd: f64,
    /// Dollars spent by the calls that went through it.
    pub spent_usd: f64,
    /// Dollars reserved by calls in flight.
    pub reserved_usd: f64,
    /// Calls refused because they would have passed it.
    pub refused_calls: u64,
}

impl Budget {
    /// A budget of `limit_usd` dollars.
    pub fn new(limit_usd: f64) -> Budget {
        Budget {
            ledger: Mutex::new(Ledger {
                limit: limit_usd.max(0.0),
                ..Ledger::default()
            }),
            settled: Notify::new(),
        }
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What it has seen so far.
    pub fn state(&self) -> BudgetState {
        let l = self.ledger();
        BudgetState {
            limit_usd: l.limit,
            spent_usd: l.spent,
            reserved_usd: l.reserved,
            refused_calls: l.refused,
        }
    }

    /// Changes the limit (a bigger budget lets refused cells run again).
    pub fn set_limit(&self, limit_usd: f64) {
        self.ledger().limit = limit_usd.max(0.0);
        self.settled.notify_waiters();
    }

    /// Reserves `expected` dollars for a call about to start: at once when it fits beside what
    /// was spent and what calls in flight reserved; after some of those settle when it would
    /// fit without them; refused when it cannot fit even then.
    pub async fn reserve(&self, expected: f64) -> Result<Reservation<'_>, OverBudget> {
        let expected = expected.max(0.0);
        loop {
            let settled = self.settled.notified();
            tokio::pin!(settled);
            // Registered before looking, so a settle in between wakes us.
            settled.as_mut().enable();
            {
                let mut l = self.ledger();
                // A hair of tolerance: sums of decimal prices are not exact in binary.
                let room = l.limit - l.spent + 1e-9;
                if expected > room {
                    l.refused += 1;
                    return Err(OverBudget {
                        expected,
                        limit: l.limit,
                        spent: l.spent,
                    });
                }
                if l.reserved + expected <= room {
                    l.reserved += expected;
                    l.in_flight += 1;
                    return Ok(Reservation {
                        budget: self,
                        expected,
                        open: true,
                    });
                }
            }
            settled.await;
        }
    }

    fn settle(&self, expected: f64, actual: f64) {
        {
            let mut l = self.ledger();
            l.reserved = (l.reserved - expected).max(0.0);
            l.in_flight = l.in_flight.saturating_sub(1);
            if l.in_flight == 0 {
                // No drift from float sums once nothing is in flight.
                l.reserved = 0.0;
            }
            l.spent += actual.max(0.0);
        }
        self.settled.notify_waiters();
    }
}

/// Dollars held for one call in flight; settled with what it cost, or given back when dropped.
#[derive(Debug)]
pub struct Reservation<'a> {
    budget: &'a Budget,
    expected: f64,
    open: bool,
}

impl Reservation<'_> {
    /// The call is over and cost `actual` dollars (0 for a failure or an answer with no data).
    pub fn settle(mut self, actual: f64) {
        self.open = false;
        self.budget.settle(self.expected, actual);
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        // A call dropped before its answer (cancelled) spent nothing.
        if self.open {
            self.budget.settle(self.expected, 0.0);
        }
    }
}

/// A budget as typed: `5`, `5.00`, `$5`, `$ 0.50`; `None` for anything else, or a negative
/// or non-finite amount.
pub fn parse_usd(text: &str) -> Option<f64> {
    let text = text.trim();
    let amount = text.strip_prefix('$').unwrap_or(text).trim();
    amount
        .parse::<f64>()
        .ok()
        .filter(|usd| usd.is_finite() && *usd >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_read_with_or_without_a_dollar_sign() {
        assert_eq!(parse_usd("5"), Some(5.0));
        assert_eq!(parse_usd(" $0.50 "), Some(0.5));
        assert_eq!(parse_usd("$ 12.25"), Some(12.25));
        assert_eq!(parse_usd("-1"), None);
        assert_eq!(parse_usd("five"), None);
        assert_eq!(parse_usd("inf"), None);
    }
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn calls_fit_wait_for_calls_in_flight_or_are_refused() {
        let budget = Arc::new(Budget::new(0.10));
        let a = budget.reserve(0.04).await.unwrap();
        let b = budget.reserve(0.04).await.unwrap();
        // 0.08 reserved: a third would fit only if one in flight costs nothing, so it waits.
        let waiting = {
            let budget = budget.clone();
            tokio::spawn(async move { budget.reserve(0.04).await.map(|r| r.settle(0.04)) })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "waits while calls are in flight");
        a.settle(0.0);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("woken by the settle")
            .expect("joined")
            .expect("fits once the call in flight cost nothing");
        b.settle(0.04);
        let s = budget.state();
        assert!((s.spent_usd - 0.08).abs() < 1e-9, "{s:?}");
        assert_eq!(s.reserved_usd, 0.0);
        let refused = budget.reserve(0.04).await.unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("would pass the budget of $0.100"),
            "{refused}"
        );
        assert_eq!(budget.state().refused_calls, 1);
        // A smaller call still fits; a bigger budget lets the refused one through.
        budget.reserve(0.02).await.unwrap().settle(0.02);
        budget.set_limit(1.0);
        assert!(budget.reserve(0.04).await.is_ok());
    }

    #[tokio::test]
    async fn a_dropped_reservation_spends_nothing() {
        let budget = Budget::new(0.05);
        drop(budget.reserve(0.05).await.unwrap());
        assert_eq!(budget.state().spent_usd, 0.0);
        assert!(budget.reserve(0.05).await.is_ok());
    }
}
