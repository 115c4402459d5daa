//! Run progress on stderr: a bar on a terminal, a few plain lines otherwise.

use crate::cell::CellState;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

/// Tallies finished cells and shows them.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    finished: u64,
    done: u64,
    no_data: u64,
    failed: u64,
    cancelled: u64,
    budget: u64,
    next_line: u64,
    /// Says nothing (the run is followed through its events instead).
    quiet: bool,
}

/// How a finished cell counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tally {
    /// Enriched.
    Done,
    /// The provider had nothing.
    NoData,
    /// Failed.
    Failed,
    /// Not attempted, by design (missing input, already filled).
    Skipped,
    /// Stopped before it finished (Ctrl-C, or its column stopped by an auth failure).
    Cancelled,
    /// Not run: it would have passed the budget (`--max-cost`).
    Budget,
}

impl Tally {
    /// How a finished cell in `state` counts.
    pub fn of(state: &CellState) -> Tally {
        match state {
            CellState::Done => Tally::Done,
            CellState::NoData => Tally::NoData,
            CellState::Failed => Tally::Failed,
            CellState::Cancelled => Tally::Cancelled,
            CellState::Budget => Tally::Budget,
            _ => Tally::Skipped,
        }
    }
}

impl Progress {
    /// Progress over `total` cells; a bar when `terminal`, else a line every tenth.
    pub fn new(total: u64, terminal: bool) -> Progress {
        let bar = terminal.then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{bar:30.cyan/blue} {pos}/{len} cells  {per_sec}  ETA {eta}  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            total,
            finished: 0,
            done: 0,
            no_data: 0,
            failed: 0,
            cancelled: 0,
            budget: 0,
            next_line: step(total),
            quiet: false,
        }
    }

    /// Progress that prints nothing: for runs an agent follows through events.
    pub fn quiet(total: u64) -> Progress {
        Progress {
            quiet: true,
            ..Progress::new(total, false)
        }
    }

    /// Counts one finished cell.
    pub fn finished(&mut self, tally: Tally) {
        self.finished += 1;
        match tally {
            Tally::Done => self.done += 1,
            Tally::NoData => self.no_data += 1,
            Tally::Failed => self.failed += 1,
            Tally::Cancelled => self.cancelled += 1,
            Tally::Budget => self.budget += 1,
            Tally::Skipped => {}
        }
        let mut counts = format!(
            "done {} · no data {} · failed {}",
            self.done, self.no_data, self.failed
        );
        if self.cancelled > 0 {
            counts.push_str(&format!(" · cancelled {}", self.cancelled));
        }
        if self.budget > 0 {
            counts.push_str(&format!(" · $ budget {}", self.budget));
        }
        match &self.bar {
            Some(bar) => {
                bar.set_position(self.finished);
                bar.set_message(counts);
            }
            None if self.quiet => {}
            None if self.finished >= self.next_line || self.finished == self.total => {
                eprintln!("{}/{} cells  {counts}", self.finished, self.total);
                self.next_line = self.finished + step(self.total);
            }
            None => {}
        }
    }

    /// Prints a line without breaking the bar.
    pub fn say(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None if self.quiet => {}
            None => eprintln!("{line}"),
        }
    }

    /// Removes the bar.
    pub fn close(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Cells between two plain progress lines: a tenth of the run, at least one.
fn step(total: u64) -> u64 {
    total.div_ceil(10).max(1)
}
