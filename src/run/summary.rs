//! What a run did, for people (stderr) and for scripts (`--json`).

use super::progress::Tally;
use crate::providers::{Usage, format_usd};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Cell counts of one integration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Enriched.
    pub done: u64,
    /// The provider had nothing for the input.
    pub no_data: u64,
    /// Failed after retries.
    pub failed: u64,
    /// Not attempted, by design: missing input, already filled (`--skip-existing`), or the
    /// `--if` condition does not hold.
    pub skipped: u64,
    /// Stopped before it finished: interrupted (Ctrl-C), or its column stopped by an
    /// authentication failure. Running the same command again runs them.
    pub cancelled: u64,
    /// Not run: their next call would have passed `--max-cost`. The same command with a
    /// bigger budget runs them.
    pub budget: u64,
}

impl Counts {
    /// Adds one cell.
    pub fn add(&mut self, tally: Tally) {
        match tally {
            Tally::Done => self.done += 1,
            Tally::NoData => self.no_data += 1,
            Tally::Failed => self.failed += 1,
            Tally::Skipped => self.skipped += 1,
            Tally::Cancelled => self.cancelled += 1,
            Tally::Budget => self.budget += 1,
        }
    }
}

/// What `--max-cost` allowed and stopped.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BudgetReport {
    /// The budget, in US dollars.
    pub max_cost_usd: f64,
    /// Dollars the calls counted against it cost.
    pub spent_usd: f64,
    /// Cells not run because their next call would have passed it.
    pub cells_left: u64,
    /// Calls refused for that reason.
    pub refused_calls: u64,
}

/// The outcome of `leadgrid run`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The lead list read.
    pub input: PathBuf,
    /// The file written.
    pub output: PathBuf,
    /// Data rows in the input.
    pub rows: usize,
    /// Rows enrichment was attempted on (`--limit`).
    pub rows_enriched: usize,
    /// Per integration, by name.
    pub integrations: BTreeMap<String, Counts>,
    /// What each integration's calls used and cost this run (paid calls only; answers from
    /// the cache, shared calls and restored cells cost nothing): tokens, and dollars where
    /// the price is known. Integrations that report neither are left out.
    pub spend: BTreeMap<String, Usage>,
    /// The whole run's spend: the sum of `spend`.
    pub spent: Usage,
    /// The same spend by provider (the calls of a waterfall go to several).
    pub spend_by_provider: BTreeMap<String, Usage>,
    /// The budget (`--max-cost`) and what it left unrun, when one was given.
    pub budget: Option<BudgetReport>,
    /// HTTP attempts made (each one paid).
    pub calls_made: u64,
    /// Calls answered by another cell's identical call.
    pub calls_shared: u64,
    /// Calls answered from the response cache.
    pub calls_cached: u64,
    /// Cells of duplicate rows answered by the first row with their key (`--dedupe`).
    pub cells_deduplicated: u64,
    /// Cells taken from the journal of an earlier run of the same input and output.
    pub cells_restored: u64,
    /// Estimated price of the calls the cache answered, in US dollars.
    pub cost_saved_usd: f64,
    /// The response cache and journal file, when there was one.
    pub store: Option<PathBuf>,
    /// Problems that did not stop the run (e.g. the store could not be opened).
    pub warnings: Vec<String>,
    /// Wall time of the run.
    pub elapsed_secs: f64,
    /// Stopped by Ctrl-C; unfinished cells are counted as cancelled.
    pub interrupted: bool,
    /// Columns stopped by an authentication failure, with the reason.
    pub stopped: Vec<String>,
}

impl Summary {
    /// All cells counted together.
    pub fn total(&self) -> Counts {
        self.integrations
            .values()
            .fold(Counts::default(), |a, c| Counts {
                done: a.done + c.done,
                no_data: a.no_data + c.no_data,
                failed: a.failed + c.failed,
                skipped: a.skipped + c.skipped,
                cancelled: a.cancelled + c.cancelled,
                budget: a.budget + c.budget,
            })
    }

    /// 0 when every cell succeeded or had no data, 2 when some failed (or were cancelled by
    /// an authentication stop), 3 when the budget left cells unrun (whatever else happened:
    /// the same command with a bigger budget is the next step), 130 when interrupted.
    pub fn exit_code(&self) -> u8 {
        let total = self.total();
        if self.interrupted {
            130
        } else if total.budget > 0 {
            3
        } else if total.failed > 0 || total.cancelled > 0 {
            2
        } else {
            0
        }
    }

    /// The human summary.
    pub fn human(&self) -> String {
        let mut out = String::new();
        for (name, c) in &self.integrations {
            let spent = self
                .spend
                .get(name)
                .map(|u| format!("; {}", u.describe()))
                .unwrap_or_default();
            out.push_str(&format!(
                "{name}: {} done, {} no data, {} failed, {} skipped",
                c.done, c.no_data, c.failed, c.skipped
            ));
            if c.cancelled > 0 {
                out.push_str(&format!(", {} cancelled", c.cancelled));
            }
            if c.budget > 0 {
                out.push_str(&format!(", {} left by the budget", c.budget));
            }
            out.push_str(&spent);
            out.push('\n');
        }
        if self.spend_by_provider.len() > 1 {
            let parts: Vec<String> = self
                .spend_by_provider
                .iter()
                .map(|(p, u)| format!("{p} {}", u.usd.map_or_else(|| u.describe(), format_usd)))
                .collect();
            out.push_str(&format!("by provider: {}\n", parts.join(", ")));
        }
        if let Some(b) = &self.budget {
            out.push_str(&format!(
                "budget {}: spent {}",
                format_usd(b.max_cost_usd),
                format_usd(b.spent_usd)
            ));
            if b.cells_left > 0 {
                out.push_str(&format!(
                    "; {} cells left unrun (run the same command with a bigger --max-cost)",
                    b.cells_left
                ));
            }
            out.push('\n');
        }
        if !self.spend.is_empty() {
            let total = self.spent;
            out.push_str(&format!(
                "spent {}{}\n",
                total
                    .usd
                    .map_or_else(|| "no known price".to_string(), format_usd),
                if total.has_tokens() {
                    format!(
                        " ({} in / {} out tokens)",
                        total.input_tokens, total.output_tokens
                    )
                } else {
                    String::new()
                }
            ));
        }
        out.push_str(&format!(
            "{} rows in {:.1} s; {} calls made, {} shared, {} cached\nwrote {}\n",
            self.rows_enriched,
            self.elapsed_secs,
            self.calls_made,
            self.calls_shared,
            self.calls_cached,
            self.output.display()
        ));
        if self.cells_deduplicated > 0 {
            out.push_str(&format!(
                "{} cells of duplicate rows took the answer of the first row with their key (not paid again)\n",
                self.cells_deduplicated
            ));
        }
        if self.cells_restored > 0 || self.calls_cached > 0 {
            out.push_str(&format!(
                "{} cells restored from the journal, {} calls answered from the cache (about ${:.2} saved)\n",
                self.cells_restored, self.calls_cached, self.cost_saved_usd
            ));
        }
        for warning in &self.warnings {
            out.push_str(&format!("warning: {warning}\n"));
        }
        if self.interrupted {
            out.push_str(
                "interrupted: unfinished cells are cancelled (the same command runs them)\n",
            );
        }
        out
    }
}
