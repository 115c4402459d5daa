//! How long to wait before retrying: exponential backoff with full jitter, `Retry-After` honoured.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Retry pacing settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Ceiling of the first retry's delay; doubles with each retry.
    pub base: Duration,
    /// Largest ceiling the doubling may reach.
    pub cap: Duration,
    /// Longest `Retry-After` obeyed; a larger one is clamped (the job timeout still bounds the wait).
    pub max_retry_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

/// Delay before retry number `retry` (1 = the first retry), given `unit`, a uniform random number in [0, 1).
///
/// Without `Retry-After` it is full jitter: uniform in [0, min(cap, base·2^(retry−1))).
/// With it, the server's delay (clamped) plus up to `base` of jitter, so jobs throttled
/// together do not all come back in the same instant.
pub fn backoff_delay(
    retry: u32,
    retry_after: Option<Duration>,
    b: &Backoff,
    unit: f64,
) -> Duration {
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        0.0
    };
    match retry_after {
        Some(after) => after.min(b.max_retry_after) + b.base.mul_f64(unit),
        None => {
            let doublings = retry.saturating_sub(1).min(31);
            let ceiling = b.base.saturating_mul(1u32 << doublings).min(b.cap);
            ceiling.mul_f64(unit)
        }
    }
}

/// A number in [0, 1) to spread retries with: splitmix64 over a counter seeded once from
/// the clock. Retries need spread, not unpredictability, so this is all the randomness the
/// engine uses.
pub fn jitter() -> f64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = *SEED.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    // The top 53 bits, as a double in [0, 1).
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Backoff = Backoff {
        base: Duration::from_millis(100),
        cap: Duration::from_secs(2),
        max_retry_after: Duration::from_secs(60),
    };

    #[test]
    fn ceiling_doubles_then_caps() {
        let almost_one = 0.999_999;
        let near = |retry| backoff_delay(retry, None, &B, almost_one).as_millis();
        assert_eq!(near(1), 99);
        assert_eq!(near(2), 199);
        assert_eq!(near(3), 399);
        assert_eq!(near(6), 1999);
        assert_eq!(near(40), 1999);
    }

    #[test]
    fn jitter_spans_zero_to_ceiling() {
        for retry in 1..10 {
            assert_eq!(backoff_delay(retry, None, &B, 0.0), Duration::ZERO);
            let half = backoff_delay(retry, None, &B, 0.5);
            let full = backoff_delay(retry, None, &B, 0.999_999);
            assert!(
                half < full && full <= B.cap,
                "retry {retry}: {half:?} {full:?}"
            );
        }
    }

    #[test]
    fn retry_after_is_a_floor_with_bounded_jitter() {
        let after = Some(Duration::from_secs(7));
        assert_eq!(backoff_delay(1, after, &B, 0.0), Duration::from_secs(7));
        let most = backoff_delay(1, after, &B, 0.999_999);
        assert!(most >= Duration::from_secs(7) && most < Duration::from_secs(7) + B.base);
    }

    #[test]
    fn huge_retry_after_is_clamped() {
        let d = backoff_delay(1, Some(Duration::from_secs(86_400)), &B, 0.0);
        assert_eq!(d, B.max_retry_after);
    }

    #[test]
    fn bad_random_input_cannot_overflow() {
        assert_eq!(backoff_delay(3, None, &B, f64::NAN), Duration::ZERO);
        assert!(backoff_delay(3, None, &B, 7.0) <= B.cap);
    }

    #[test]
    fn jitter_is_spread_over_the_unit_interval() {
        let draws: Vec<f64> = (0..4096).map(|_| jitter()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        // Every tenth of the interval is hit, none by more than twice its share.
        let mut tenths = [0usize; 10];
        for u in &draws {
            tenths[(u * 10.0) as usize] += 1;
        }
        assert!(tenths.iter().all(|&n| n > 200 && n < 820), "{tenths:?}");
    }
}
