//! `leadgrid run --dry-run` (and the agents' `estimate`): what a run would do and cost,
//! counted through the same plan as a real run, with no engine and no paid call. The
//! journal of an earlier run of the same input and output, and the response cache, are
//! consulted to count what would be free.

use super::{RunError, catalog_for, condition_of, default_output, resolve};
use crate::cli::RunArgs;
use crate::config::Config;
use crate::plan::{Rules, estimate::estimate, mapping};
use crate::resume::Journal;
use crate::session::demo_aware;
use crate::store::RunId;
use crate::table::{Encoding, OpenOptions, Sheet};
use serde::Serialize;
use std::sync::Arc;

/// What a run would do with one integration.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct IntegrationPlan {
    /// The integration.
    pub integration: String,
    /// Its provider.
    pub provider: String,
    /// Rows in scope (`--limit`, `--if`), minus those `--skip-existing` leaves alone.
    pub rows: usize,
    /// Rows whose outputs are filled and kept (`--skip-existing`).
    pub filled: usize,
    /// Rows skipped for an empty required input: not paid.
    pub missing_input: usize,
    /// Rows skipped because the `--if` condition does not hold: not paid.
    pub condition: usize,
    /// Rows the journal of an earlier run of the same command answers: not paid.
    pub restored: usize,
    /// Rows the response cache answers: not paid.
    pub cached: usize,
    /// Rows that will be paid for.
    pub paid_rows: usize,
    /// Calls those rows make (a waterfall's best case: its first step answers every row).
    pub calls: usize,
    /// The most calls those rows can make (a waterfall's worst case: every step on every
    /// row); `calls` for other integrations.
    pub calls_max: usize,
    /// Estimated cost in US dollars: from each row's expected tokens for AI columns, else at
    /// the integration's price per row (0 for a model with no known price); a waterfall's
    /// best case.
    pub cost_usd: f64,
    /// The most it can cost (a waterfall's worst case); `cost_usd` for other integrations.
    pub cost_usd_max: f64,
    /// Prompt tokens expected, for integrations billed by usage (AI columns).
    pub input_tokens: u64,
    /// Answer tokens expected, for integrations billed by usage (AI columns).
    pub output_tokens: u64,
}

/// What a whole run would do.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DryRun {
    /// Data rows in the input.
    pub rows: usize,
    /// Per integration, in the order given.
    pub integrations: Vec<IntegrationPlan>,
    /// Sum of the estimated costs (best cases).
    pub cost_usd: f64,
    /// Sum of the most each can cost (worst cases).
    pub cost_usd_max: f64,
    /// Paid calls in all (best cases).
    pub calls: usize,
    /// The most paid calls in all (worst cases).
    pub calls_max: usize,
    /// The budget given (`--max-cost`), if any.
    pub max_cost_usd: Option<f64>,
}

impl DryRun {
    /// What the budget means for this run: enough for every case, the best case only, or
    /// not even that (the run will stop early with cells left as `budget`).
    pub fn budget_verdict(&self) -> Option<String> {
        let budget = self.max_cost_usd?;
        let usd = crate::providers::format_usd;
        Some(if budget + 1e-9 >= self.cost_usd_max {
            format!("budget {}: enough even in the worst case", usd(budget))
        } else if budget + 1e-9 >= self.cost_usd {
            format!(
                "budget {}: enough if the first steps answer, not if every step is tried ({}); it stops the run before passing it",
                usd(budget),
                usd(self.cost_usd_max)
            )
        } else {
            format!(
                "budget {}: less than the estimate ({}); the run will stop early, leaving cells as budget (exit code 3)",
                usd(budget),
                usd(self.cost_usd)
            )
        })
    }
}

impl DryRun {
    /// A table for people.
    pub fn human(&self) -> String {
        let mut out = format!(
            "dry run: {} rows, no call made\n{:<28} {:>7} {:>7} {:>8} {:>7} {:>7} {:>11} {:>15}\n",
            self.rows,
            "integration",
            "rows",
            "missing",
            "restored",
            "cached",
            "paid",
            "calls",
            "est. $"
        );
        let range = |lo: usize, hi: usize| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}–{hi}")
            }
        };
        let dollars = |lo: f64, hi: f64| {
            if (hi - lo).abs() < 1e-9 {
                format!("{lo:.3}")
            } else {
                format!("{lo:.3}–{hi:.3}")
            }
        };
        for p in &self.integrations {
            out.push_str(&format!(
                "{:<28} {:>7} {:>7} {:>8} {:>7} {:>7} {:>11} {:>15}\n",
                p.integration,
                p.rows,
                p.missing_input,
                p.restored,
                p.cached,
                p.paid_rows,
                range(p.calls, p.calls_max),
                dollars(p.cost_usd, p.cost_usd_max)
            ));
        }
        out.push_str(&format!(
            "total: {} paid calls, about ${}\n",
            range(self.calls, self.calls_max),
            dollars(self.cost_usd, self.cost_usd_max)
        ));
        if self.calls != self.calls_max {
            out.push_str(
                "waterfalls are ranges: every row answered by the first step – every step tried on every row\n",
            );
        }
        if let Some(verdict) = self.budget_verdict() {
            out.push_str(&verdict);
            out.push('\n');
        }
        out
    }
}

/// Plans `args` without running anything.
pub fn dry_run(args: &RunArgs) -> Result<DryRun, RunError> {
    dry_run_with(&Config::load()?, args)
}

/// [`dry_run`] with settings already loaded.
pub fn dry_run_with(config: &Config, args: &RunArgs) -> Result<DryRun, RunError> {
    let catalog = catalog_for(config, args)?;
    let integrations = resolve(&catalog, &args.integrations)?;
    // The cache knows the TTLs of the user's own providers, as a run's does.
    let mut config = config.clone();
    catalog.configure(&mut config);
    let config = &config;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.input));
    let open = OpenOptions {
        delimiter: args.delimiter,
        encoding: args
            .encoding
            .map_or(Encoding::Utf8, crate::cli::Encoding::table),
    };
    let sheet = Sheet::open(&args.input, &open).map_err(|source| {
        RunError::Csv(super::csvio::CsvError::Read {
            path: args.input.clone(),
            source,
        })
    })?;
    sheet.wait_indexed();
    let mut headers: Vec<String> = sheet.columns().iter().map(|c| c.name.clone()).collect();
    let condition = condition_of(args, &headers)?;
    let scope = crate::plan::RowScope::all().limited(args.limit);
    let mut plans = mapping::wire(&mut headers, &integrations, &args.map, &args.set)?;
    for plan in &mut plans {
        plan.condition.clone_from(&condition);
    }
    let store =
        crate::session::open_store(config, &demo_aware(config, args.demo, args.store.choice()))
            .ok()
            .flatten();
    let journal = store.as_ref().and_then(|store| {
        let run = RunId::for_headless(&args.input, &output).ok()?;
        Journal::load(store, &run).ok().filter(|j| !j.is_empty())
    });
    let rules = Rules {
        journal: journal.map(Arc::new),
        skip_filled: args.skip_existing,
    };
    let snapshot = sheet.snapshot();
    let mut lines = Vec::new();
    for plan in &plans {
        let counted = estimate(&snapshot, plan, &scope, &rules, store.as_ref(), usize::MAX)
            .map_err(|source| {
                RunError::Csv(super::csvio::CsvError::Read {
                    path: args.input.clone(),
                    source,
                })
            })?;
        let spec = plan.integration.spec();
        let cost = counted.cost(plan.integration.as_ref(), counted.rows);
        // Computed on this machine: nothing is called or paid.
        let free = spec.provider == crate::providers::ProviderId::LOCAL;
        lines.push(IntegrationPlan {
            integration: spec.name.to_owned(),
            provider: spec.provider.name().to_owned(),
            rows: cost.rows,
            filled: counted.filled,
            missing_input: cost.missing,
            condition: cost.unmet,
            restored: cost.restored,
            cached: cost.cached,
            paid_rows: if free { 0 } else { cost.paid_rows },
            calls: if free { 0 } else { cost.calls },
            calls_max: if free { 0 } else { cost.calls_max },
            cost_usd: cost.usd.unwrap_or(0.0),
            cost_usd_max: cost.usd_max.unwrap_or(0.0),
            input_tokens: cost.usage.map_or(0, |u| u.input_tokens),
            output_tokens: cost.usage.map_or(0, |u| u.output_tokens),
        });
    }
    Ok(DryRun {
        rows: sheet.row_count(),
        cost_usd: lines.iter().map(|l| l.cost_usd).sum(),
        cost_usd_max: lines.iter().map(|l| l.cost_usd_max).sum(),
        calls: lines.iter().map(|l| l.calls).sum(),
        calls_max: lines.iter().map(|l| l.calls_max).sum(),
        max_cost_usd: args.max_cost,
        integrations: lines,
    })
}
