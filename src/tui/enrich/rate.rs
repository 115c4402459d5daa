//! How fast cells finish lately, for the ETA: finished counts sampled over a sliding window,
//! so a burst (cells restored or skipped at once) or a stall long ago does not skew it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How far back the rate looks.
const WINDOW: Duration = Duration::from_secs(15);

/// The shortest span a rate is computed over; before it, there is no estimate.
const MIN_SPAN: Duration = Duration::from_secs(2);

/// Samples of (when, cells finished so far), oldest first.
#[derive(Debug, Clone, Default)]
pub struct RateWindow {
    samples: VecDeque<(Instant, usize)>,
}

impl RateWindow {
    /// Records that `finished` cells were finished at `now`.
    pub fn sample(&mut self, now: Instant, finished: usize) {
        if self
            .samples
            .back()
            .is_some_and(|&(_, last)| finished < last)
        {
            // Fewer finished than before: cells were re-queued; the old samples no longer apply.
            self.samples.clear();
        }
        self.samples.push_back((now, finished));
        // Keep one sample at or before the window's start, so the span covers the window.
        while self.samples.len() > 2
            && self
                .samples
                .get(1)
                .is_some_and(|&(t, _)| now.saturating_duration_since(t) >= WINDOW)
        {
            self.samples.pop_front();
        }
    }

    /// Cells finished per second over the window; `None` until it spans long enough.
    pub fn per_second(&self) -> Option<f64> {
        let (&(t0, f0), &(t1, f1)) = (self.samples.front()?, self.samples.back()?);
        let span = t1.saturating_duration_since(t0);
        (span >= MIN_SPAN && f1 > f0).then(|| (f1 - f0) as f64 / span.as_secs_f64())
    }

    /// Seconds until `pending` more cells finish at the recent rate.
    pub fn eta_secs(&self, pending: usize) -> Option<f64> {
        self.per_second().map(|rate| pending as f64 / rate)
    }

    /// Forgets every sample (the run ended).
    pub fn reset(&mut self) {
        self.samples.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_run_gets_an_eta_within_a_quarter_despite_an_early_burst() {
        let start = Instant::now();
        let mut window = RateWindow::default();
        // 500 cells restored from the journal at once, then a steady 4 cells a second.
        window.sample(start, 500);
        assert_eq!(window.per_second(), None, "no estimate from one sample");
        let total = 2_000;
        for tick in 1..=300 {
            let now = start + Duration::from_millis(100 * tick);
            let finished = 500 + (tick as usize * 4) / 10;
            window.sample(now, finished);
            if tick >= 200 {
                let elapsed = tick as f64 / 10.0;
                let pending = total - finished;
                let truth = pending as f64 / 4.0;
                let eta = window.eta_secs(pending).expect("an estimate");
                assert!(
                    (eta - truth).abs() <= truth * 0.25,
                    "at {elapsed} s: eta {eta:.1} s, truth {truth:.1} s"
                );
            }
        }
    }

    #[test]
    fn requeued_cells_start_the_window_again() {
        let start = Instant::now();
        let mut window = RateWindow::default();
        window.sample(start, 10);
        window.sample(start + Duration::from_secs(3), 40);
        assert!(window.per_second().is_some());
        window.sample(start + Duration::from_secs(4), 5);
        assert_eq!(window.per_second(), None);
    }
}
