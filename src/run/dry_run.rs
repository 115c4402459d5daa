//! `leadgrid run --dry-run` (and the agents' `estimate`): what a run would do and cost,
//! counted through the same plan as a real run, with no engine and no paid call. The
//! journal of an earlier run of the same input and output, and the response cache, are
//! consulted to count what would be free.

use super::{RunError, catalog_for, default_output, resolve, scope_of};
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
    /// Rows the journal of an earlier run of the same command answers: not paid.
    pub restored: usize,
    /// Rows the response cache answers: not paid.
    pub cached: usize,
    /// Rows that will be paid for.
    pub paid_rows: usize,
    /// Calls those rows make.
    pub calls: usize,
    /// Estimated cost in US dollars: from each row's expected tokens for AI columns, else at
    /// the integration's price per row (0 for a model with no known price).
    pub cost_usd: f64,
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
    /// Sum of the estimated costs.
    pub cost_usd: f64,
    /// Paid calls in all.
    pub calls: usize,
}

impl DryRun {
    /// A table for people.
    pub fn human(&self) -> String {
        let mut out = format!(
            "dry run: {} rows, no call made\n{:<28} {:>7} {:>7} {:>8} {:>7} {:>7} {:>7} {:>9}\n",
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
        for p in &self.integrations {
            out.push_str(&format!(
                "{:<28} {:>7} {:>7} {:>8} {:>7} {:>7} {:>7} {:>9.3}\n",
                p.integration,
                p.rows,
                p.missing_input,
                p.restored,
                p.cached,
                p.paid_rows,
                p.calls,
                p.cost_usd
            ));
        }
        out.push_str(&format!(
            "total: {} paid calls, about ${:.3}\n",
            self.calls, self.cost_usd
        ));
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
    config.file_providers = catalog.file_providers();
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
    let scope = scope_of(args, &headers)?;
    let plans = mapping::wire(&mut headers, &integrations, &args.map, &args.set)?;
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
        let cost = counted.cost(spec, counted.rows);
        // Computed on this machine: nothing is called or paid.
        let free = spec.provider == crate::providers::ProviderId::LOCAL;
        lines.push(IntegrationPlan {
            integration: spec.name.to_owned(),
            provider: spec.provider.name().to_owned(),
            rows: cost.rows,
            filled: counted.filled,
            missing_input: cost.missing,
            restored: cost.restored,
            cached: cost.cached,
            paid_rows: if free { 0 } else { cost.paid_rows },
            calls: if free { 0 } else { cost.calls },
            cost_usd: cost.usd.unwrap_or(0.0),
            input_tokens: cost.usage.map_or(0, |u| u.input_tokens),
            output_tokens: cost.usage.map_or(0, |u| u.output_tokens),
        });
    }
    Ok(DryRun {
        rows: sheet.row_count(),
        cost_usd: lines.iter().map(|l| l.cost_usd).sum(),
        calls: lines.iter().map(|l| l.calls).sum(),
        integrations: lines,
    })
}
