//! What a plan will do and cost, counted before anything is paid: rows in scope, cells left
//! alone, restored from the journal or skipped for a missing input, cells whose first call
//! the response cache answers, and the calls and dollars that leaves.

use super::{Cell, Decision, Plan, RowScope, Rows, Rules};
use crate::integrations::Integration;
use crate::providers::{RequestKey, Usage};
use crate::store::Store;
use crate::table::{LoadError, SheetSnapshot};
use std::ops::ControlFlow;

/// Cells of a plan counted by what they need.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Estimate {
    /// Rows in scope looked at.
    pub rows: usize,
    /// Left alone: every output filled.
    pub filled: usize,
    /// Answered by the journal of an earlier run.
    pub restored: usize,
    /// To run, but a required input is empty: skipped, not paid.
    pub missing: usize,
    /// The run condition does not hold: skipped, not paid.
    pub unmet: usize,
    /// To run and paid, unless the cache answers.
    pub to_run: usize,
    /// Of `to_run`, cells whose first request is known up front and was looked up.
    pub checked: usize,
    /// Of `checked`, cells the response cache answers (free).
    pub cached: usize,
    /// Every row in scope was looked at (else the counts are of the first rows only).
    pub complete: bool,
    /// What the cells to run that the cache does not answer are expected to use (tokens,
    /// dollars), for integrations billed by usage (AI columns): summed from each row's input.
    pub usage: Option<Usage>,
}

impl Estimate {
    /// Counts one cell.
    pub fn add(&mut self, plan: &Plan, cell: &Cell) {
        self.rows += 1;
        match &cell.decision {
            Decision::Filled => self.filled += 1,
            Decision::Unmet => self.unmet += 1,
            Decision::Restore(_) => self.restored += 1,
            Decision::Run if plan.lacks_input(&cell.inputs) => self.missing += 1,
            Decision::Run => self.to_run += 1,
        }
    }

    /// Cells that will be sent to the engine (paid unless shared or cached, or skipped there
    /// for a missing input).
    pub fn submitted(&self) -> usize {
        self.missing + self.to_run
    }

    /// The cost of a scope of `scope_rows` rows (what the user chose, before anything was
    /// looked at), scaling a partial count to the whole scope. A waterfall's is a range: every
    /// row answered by its first step, or every step tried on every row.
    pub fn cost(&self, integration: &dyn Integration, scope_rows: usize) -> Cost {
        let spec = integration.spec();
        let scale = |n: usize| {
            if self.complete {
                n
            } else {
                (n as f64 * scope_rows as f64 / self.rows.max(1) as f64).round() as usize
            }
        };
        let rows = if self.complete {
            self.rows - self.filled
        } else {
            scope_rows.saturating_sub(scale(self.filled))
        };
        let cached = if self.checked > 0 {
            scale(self.cached)
        } else {
            0
        };
        let missing = scale(self.missing);
        let unmet = scale(self.unmet);
        let paid_rows = rows.saturating_sub(scale(self.restored) + missing + cached + unmet);
        let factor = if self.complete {
            1.0
        } else {
            scope_rows as f64 / self.rows.max(1) as f64
        };
        let usage = self.usage.map(|u| Usage {
            input_tokens: (u.input_tokens as f64 * factor).round() as u64,
            output_tokens: (u.output_tokens as f64 * factor).round() as u64,
            usd: u.usd.map(|usd| usd * factor),
        });
        let usd = match usage {
            Some(u) => u.usd,
            None => Some(paid_rows as f64 * spec.cost_per_row_usd),
        };
        let calls = paid_rows * spec.tools.len().max(1);
        let range = integration.cost_range();
        Cost {
            rows,
            missing,
            unmet,
            cached,
            restored: scale(self.restored),
            paid_rows,
            calls: range.map_or(calls, |r| paid_rows * r.best.calls),
            calls_max: range.map_or(calls, |r| paid_rows * r.worst.calls),
            usd: range.map_or(usd, |r| Some(paid_rows as f64 * r.best.usd)),
            usd_max: range.map_or(usd, |r| Some(paid_rows as f64 * r.worst.usd)),
            usage,
        }
    }
}

/// What a scope will cost, for the picker's confirm line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    /// Rows in scope and not left alone for being filled.
    pub rows: usize,
    /// Rows skipped for a missing input.
    pub missing: usize,
    /// Rows skipped because the run condition does not hold.
    pub unmet: usize,
    /// Rows the response cache answers.
    pub cached: usize,
    /// Rows the journal of an earlier run answers.
    pub restored: usize,
    /// Rows paid for.
    pub paid_rows: usize,
    /// Calls paid for (each of the integration's tools once per paid row; a waterfall's
    /// best case).
    pub calls: usize,
    /// The most calls: a waterfall's worst case (every step tried), else `calls`.
    pub calls_max: usize,
    /// Dollars: from each row's expected usage when the integration bills by usage, else at
    /// its price per row (a waterfall's best case); `None` when the model has no known price
    /// (tokens only).
    pub usd: Option<f64>,
    /// The most dollars: a waterfall's worst case, else `usd`.
    pub usd_max: Option<f64>,
    /// Tokens (and dollars) expected, for integrations billed by usage.
    pub usage: Option<Usage>,
}

impl Cost {
    /// Whether calls and dollars are a range (a waterfall), not one figure.
    pub fn is_range(&self) -> bool {
        self.calls_max != self.calls || self.usd_max != self.usd
    }

    /// `12 calls`, or `12–36 calls` for a range.
    pub fn calls_text(&self) -> String {
        let noun = if self.calls_max == 1 { "call" } else { "calls" };
        if self.calls_max == self.calls {
            format!("{} {noun}", self.calls)
        } else {
            format!("{}–{} {noun}", self.calls, self.calls_max)
        }
    }

    /// `est. $0.42`, or `est. $0.34–$0.74` for a range; `None` without a known price.
    pub fn usd_text(&self) -> Option<String> {
        let usd = self.usd?;
        Some(match self.usd_max.filter(|max| (max - usd).abs() > 1e-9) {
            Some(max) => format!("est. ${usd:.2}–${max:.2}"),
            None => format!("est. ${usd:.2}"),
        })
    }
}

/// Counts what `plan` will do over `scope` of `snapshot`, looking at `max_rows` rows at most,
/// and asks `cache` about the first request of each cell to run. Blocks on the store: call
/// it on a worker.
pub fn estimate(
    snapshot: &SheetSnapshot,
    plan: &Plan,
    scope: &RowScope,
    rules: &Rules,
    cache: Option<&Store>,
    max_rows: usize,
) -> Result<Estimate, LoadError> {
    let spec = plan.integration.spec();
    let tool = spec.tools.first().copied();
    let mut estimate = Estimate {
        complete: true,
        ..Estimate::default()
    };
    let mut taken = 0;
    let mut count = |_: usize, row: &[String]| {
        if scope.is_full(taken) {
            return ControlFlow::Break(());
        }
        if estimate.rows == max_rows {
            estimate.complete = false;
            return ControlFlow::Break(());
        }
        let cell = rules.decide(plan, row);
        if super::rows::counts(std::slice::from_ref(&cell)) {
            taken += 1;
        }
        estimate.add(plan, &cell);
        if !matches!(cell.decision, Decision::Run) || plan.lacks_input(&cell.inputs) {
            return ControlFlow::Continue(());
        }
        let mut answered = false;
        if let (Some(store), Some(tool), Some(params)) =
            (cache, tool, plan.integration.first_request(&cell.inputs))
        {
            estimate.checked += 1;
            answered = store.cache_has(&RequestKey::new(spec.provider, tool, &params));
            estimate.cached += usize::from(answered);
        }
        if !answered && let Some(row) = plan.integration.estimate(&cell.inputs) {
            estimate.usage.get_or_insert_with(Usage::default).add(&row);
        }
        ControlFlow::Continue(())
    };
    match &scope.rows {
        Rows::All => snapshot.for_each_row(count)?,
        Rows::Positions(order) => snapshot.for_rows(
            |_| order.iter().map(|&p| p as usize),
            |p, _, row| count(p, row),
        )?,
        Rows::Ids(ids) => {
            let mut positions = snapshot.positions_of(ids);
            positions.sort_unstable();
            snapshot.for_rows(|_| positions, |p, _, row| count(p, row))?
        }
    }
    Ok(estimate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::testing::{leads, profile};
    use crate::providers::Cached;
    use crate::store::StoreConfig;
    use serde_json::json;

    #[test]
    fn counts_what_each_cell_needs_and_what_the_cache_answers() {
        let (_dir, sheet) = leads(100);
        let plan = profile();
        let store = Store::open_in_memory(StoreConfig::default()).expect("store");
        for i in [1, 3, 4] {
            let params = json!({ "linkedin_url": format!("https://www.linkedin.com/in/p{i}/") });
            let tool = plan.integration.spec().tools[0];
            store.cache_put(
                &RequestKey::new(plan.integration.spec().provider, tool, &params),
                &Cached::Result(json!({})),
            );
        }
        let rules = Rules {
            journal: None,
            skip_filled: true,
        };
        let e = estimate(
            &sheet.snapshot(),
            &plan,
            &RowScope::all(),
            &rules,
            Some(&store),
            1000,
        )
        .expect("counted");
        // The 50 even rows have a headline; of the 50 others, 10 have no URL; 1 and 3 are
        // cached (row 4 is filled, so its cached answer is not needed).
        assert_eq!(
            (e.rows, e.filled, e.missing, e.to_run, e.checked, e.cached),
            (100, 50, 10, 40, 40, 2)
        );
        assert!(e.complete);
        let cost = e.cost(plan.integration.as_ref(), 100);
        assert_eq!(
            (cost.rows, cost.missing, cost.cached, cost.paid_rows),
            (50, 10, 2, 38)
        );
        assert!(cost.usd.is_some_and(|usd| (usd - 0.38).abs() < 1e-9));
    }

    #[test]
    fn a_partial_count_is_scaled_to_the_whole_scope() {
        let (_dir, sheet) = leads(100);
        let plan = profile();
        let e = estimate(
            &sheet.snapshot(),
            &plan,
            &RowScope::all(),
            &Rules::default(),
            None,
            20,
        )
        .expect("counted");
        assert!(!e.complete);
        assert_eq!((e.rows, e.missing, e.to_run, e.checked), (20, 2, 18, 0));
        let cost = e.cost(plan.integration.as_ref(), 1000);
        assert_eq!((cost.rows, cost.missing, cost.paid_rows), (1000, 100, 900));
        // Nothing counted yet: every row in scope is paid.
        let unknown = Estimate::default().cost(plan.integration.as_ref(), 1000);
        assert_eq!(
            (unknown.rows, unknown.paid_rows, unknown.calls),
            (1000, 1000, 1000)
        );
    }
}
