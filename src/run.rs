//! Headless enrichment: `leadgrid run`.
//!
//! Reads the whole CSV, runs every (row, integration) cell through the engine,
//! and writes every input column unchanged plus the outputs to a new file,
//! atomically. Exit code: 0 all cells done or no data, 2 some failed, 1 fatal,
//! 130 interrupted (the partial result is still written).

pub mod csvio;
pub mod plan;
pub mod progress;
pub mod summary;

use crate::cell::{CellState, SkipReason};
use crate::cli::RunArgs;
use crate::config::{Config, ConfigError};
use crate::demo::DemoOptions;
use crate::engine::{Event, Job, JobKey, JobResult};
use crate::integrations::{Fields, Integration, registry};
use crate::providers::ProviderId;
use crate::resume::Journal;
use crate::session::{Session, SessionError, SessionOptions, StoreChoice};
use crate::store::RunId;
use csvio::{CsvError, Sheet};
use plan::{PlanError, Planned, Source};
use progress::{Progress, Tally};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use summary::{Counts, Summary};

/// A reason the run could not start or could not write its result.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Bad or unreadable config file.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Unreadable input or unwritable output.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// An input cannot be mapped.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A name that is not an integration.
    #[error("unknown integration `{name}`; available: {available}")]
    UnknownIntegration {
        /// The name given.
        name: String,
        /// Every valid name.
        available: String,
    },
    /// Network integrations chosen, but no key and no `--demo`.
    #[error(
        "no DataGen API key: set DATAGEN_API_KEY (or api_key under [datagen] in the config file), or use --demo for fictional data"
    )]
    NoKey,
    /// The runtime, demo server or HTTP client could not start.
    #[error("{0}")]
    Setup(String),
}

/// `leadgrid run`: runs, prints the summary, returns the exit code.
pub fn main(args: &RunArgs) -> u8 {
    match run(args) {
        Ok(summary) => {
            if args.json {
                match serde_json::to_string_pretty(&summary) {
                    Ok(json) => println!("{json}"),
                    Err(e) => eprintln!("leadgrid run: cannot encode the summary: {e}"),
                }
            } else {
                eprint!("{}", summary.human());
            }
            summary.exit_code()
        }
        Err(e) => {
            eprintln!("leadgrid run: {e}");
            1
        }
    }
}

/// Loads settings, connects to DataGen (or the in-process demo server) and runs.
pub fn run(args: &RunArgs) -> Result<Summary, RunError> {
    let config = Config::load()?;
    let integrations = resolve(&args.integrations)?;
    let needs_network = integrations
        .iter()
        .any(|i| i.spec().provider != ProviderId::Local);
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.input));
    let store = args.store.choice();
    // The journal is keyed by input and output: re-running the same command resumes it.
    let run_id = (store != StoreChoice::Off)
        .then(|| RunId::for_headless(&args.input, &output).ok())
        .flatten();
    let opts = SessionOptions {
        demo: args.demo.then(DemoOptions::default),
        parallel: args.parallel,
        max_attempts: args.max_attempts,
        request_timeout: args.timeout.map(|s| Duration::from_secs(s.max(1))),
        backoff: None,
        allow_no_key: !needs_network,
        store,
        run: run_id.clone(),
        refresh: args.store.refresh,
    };
    let mut session = Session::start(&config, opts).map_err(|e| match e {
        SessionError::NoKey => RunError::NoKey,
        other => RunError::Setup(other.to_string()),
    })?;
    execute(&mut session, args, integrations, &output, run_id.as_ref())
}

/// Looks integrations up by name, keeping the order given; duplicates are dropped.
pub fn resolve(names: &[String]) -> Result<Vec<Arc<dyn Integration>>, RunError> {
    let all = registry();
    let mut chosen: Vec<Arc<dyn Integration>> = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let Some(found) = all.iter().find(|i| i.spec().name == name) else {
            let available = all
                .iter()
                .map(|i| i.spec().name)
                .collect::<Vec<_>>()
                .join(", ");
            return Err(RunError::UnknownIntegration {
                name: name.to_owned(),
                available,
            });
        };
        if !chosen.iter().any(|c| c.spec().name == name) {
            chosen.push(found.clone());
        }
    }
    Ok(chosen)
}

/// `<stem>_enriched.csv` beside the input.
pub fn default_output(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map_or_else(|| "leads".into(), |s| s.to_string_lossy().into_owned());
    input.with_file_name(format!("{stem}_enriched.csv"))
}

/// Runs `integrations` over the input in `session` and writes the result to `output`.
/// Cells the journal of `run` already holds (done or no data) are restored, not paid again.
pub fn execute(
    session: &mut Session,
    args: &RunArgs,
    integrations: Vec<Arc<dyn Integration>>,
    output: &Path,
    run: Option<&RunId>,
) -> Result<Summary, RunError> {
    let started = Instant::now();
    let Sheet {
        delimiter,
        mut headers,
        mut rows,
    } = csvio::read(&args.input, args.delimiter)?;
    let plans = plan::plan(&mut headers, &integrations, &args.map, &args.set)?;
    widen(&mut rows, headers.len());
    let progress_bar = std::io::stderr().is_terminal();
    let mut warnings: Vec<String> = session.store_warning.iter().cloned().collect();
    let journal = match (&session.store, run) {
        (Some(store), Some(run)) => Journal::load(store, run).unwrap_or_else(|e| {
            warnings.push(format!("could not read the run journal: {e}"));
            Journal::default()
        }),
        _ => Journal::default(),
    };

    let enriched_rows = args.limit.unwrap_or(rows.len()).min(rows.len());
    let mut counts: Vec<Counts> = vec![Counts::default(); plans.len()];
    let mut errors: Vec<HashMap<usize, String>> = vec![HashMap::new(); plans.len()];
    let mut jobs = Vec::new();
    let mut restored = 0usize;
    let mut restored_cost = 0.0;
    for r in 0..enriched_rows {
        for (c, p) in plans.iter().enumerate() {
            let row = &rows[r];
            if args.skip_existing && p.outputs.iter().all(|&i| !row[i].trim().is_empty()) {
                counts[c].add(Tally::Skipped);
                continue;
            }
            let key = JobKey {
                row: r as u64,
                column: c as u32,
            };
            let inputs = inputs_of(p, row);
            if let Some(found) = journal
                .lookup(p.integration.spec().name, &inputs)
                .filter(|f| f.is_settled())
            {
                let result = JobResult {
                    key,
                    state: found.state,
                    fields: found.fields,
                    error: found.error,
                    calls: found.calls,
                    notes: Vec::new(),
                };
                counts[c].add(apply(&plans, &mut rows, &mut errors, &result));
                restored += 1;
                restored_cost += p.integration.spec().cost_per_row_usd;
                continue;
            }
            jobs.push(Job {
                key,
                integration: p.integration.clone(),
                inputs,
                fresh: false,
            });
        }
    }

    let engine = session.engine.clone();
    let Some(mut events) = session.take_events() else {
        return Err(RunError::Setup(
            "the engine's events were already taken".into(),
        ));
    };
    let mut progress = Progress::new(jobs.len() as u64, progress_bar);
    for warning in &warnings {
        progress.say(warning);
    }
    if restored > 0 {
        progress.say(&format!(
            "restored {restored} finished cells from the journal of an earlier run; {} to go",
            jobs.len()
        ));
    }
    let mut remaining = jobs.len();
    let mut stopped = Vec::new();
    let mut interrupted = false;

    session.handle().block_on(async {
        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        // The first poll installs the handler: before any job starts, Ctrl-C must mean "cancel".
        // Without a handler (Err) the run simply cannot be interrupted gracefully.
        let mut listening = match futures::poll!(&mut ctrl_c) {
            std::task::Poll::Pending => true,
            std::task::Poll::Ready(result) => {
                interrupted = result.is_ok();
                false
            }
        };
        engine.submit(jobs);
        if interrupted {
            engine.cancel_all();
        }
        while remaining > 0 {
            let event = tokio::select! {
                event = events.recv() => event,
                signal = &mut ctrl_c, if listening => {
                    listening = false;
                    if signal.is_err() {
                        continue;
                    }
                    interrupted = true;
                    progress.say("interrupted: cancelling, the partial result will be written");
                    engine.cancel_all();
                    continue;
                }
            };
            match event {
                Some(Event::Finished(result)) => {
                    remaining -= 1;
                    let tally = apply(&plans, &mut rows, &mut errors, &result);
                    counts[result.key.column as usize].add(tally);
                    progress.finished(tally);
                }
                Some(Event::ColumnStopped { column, error }) => {
                    let name = plans
                        .get(column as usize)
                        .map_or("?", |p| p.integration.spec().name);
                    let line = format!(
                        "{name}: stopped after an authentication failure, its remaining cells skipped: {}",
                        error.message
                    );
                    progress.say(&line);
                    stopped.push(line);
                }
                Some(_) => {}
                None => break,
            }
        }
    });
    progress.close();

    for (c, p) in plans.iter().enumerate() {
        let name = format!("{}_error", p.integration.spec().name);
        let exists = headers.contains(&name);
        // Blank entries only clear an existing error column; they never create one.
        if !exists && errors[c].values().all(String::is_empty) {
            continue;
        }
        let column = plan::column_for(&mut headers, &name);
        widen(&mut rows, headers.len());
        for (r, message) in errors[c].drain() {
            rows[r][column] = message;
        }
    }
    let total_rows = rows.len();
    csvio::write_atomic(
        output,
        &Sheet {
            delimiter,
            headers,
            rows,
        },
    )?;

    let stats = session.caller.stats();
    let store_stats = session.store.as_ref().map(|s| s.stats());
    if let Some(error) = store_stats.as_ref().and_then(|s| s.last_error.clone()) {
        warnings.push(format!(
            "the store failed {} times; last: {error}",
            store_stats.as_ref().map_or(0, |s| s.errors)
        ));
    }
    Ok(Summary {
        input: args.input.clone(),
        output: output.to_path_buf(),
        rows: total_rows,
        rows_enriched: enriched_rows,
        integrations: plans
            .iter()
            .zip(counts)
            .map(|(p, c)| (p.integration.spec().name.to_owned(), c))
            .collect(),
        calls_made: stats.attempts,
        calls_shared: stats.shared,
        calls_cached: stats.cached,
        cells_restored: restored as u64,
        cost_saved_usd: store_stats.as_ref().map_or(0.0, |s| s.cost_saved) + restored_cost,
        store: session.store.as_ref().map(|s| s.path().to_path_buf()),
        warnings,
        elapsed_secs: started.elapsed().as_secs_f64(),
        interrupted,
        stopped,
    })
}

fn widen(rows: &mut [Vec<String>], width: usize) {
    for row in rows {
        row.resize(width, String::new());
    }
}

fn inputs_of(p: &Planned, row: &[String]) -> Fields {
    p.inputs
        .iter()
        .filter_map(|(name, source)| {
            let value = match source.as_ref()? {
                Source::Column(i) => row.get(*i)?.clone(),
                Source::Constant(v) => v.clone(),
            };
            Some(((*name).to_owned(), value))
        })
        .collect()
}

/// Writes a finished cell into the sheet; returns how it counts.
fn apply(
    plans: &[Planned],
    rows: &mut [Vec<String>],
    errors: &mut [HashMap<usize, String>],
    result: &JobResult,
) -> Tally {
    let c = result.key.column as usize;
    let r = result.key.row as usize;
    let (Some(p), Some(row)) = (plans.get(c), rows.get_mut(r)) else {
        return Tally::Skipped;
    };
    match &result.state {
        CellState::Done => {
            for (spec, &column) in p.integration.spec().outputs.iter().zip(&p.outputs) {
                row[column] = result.fields.get(spec.name).cloned().unwrap_or_default();
            }
            errors[c].insert(r, String::new());
            Tally::Done
        }
        CellState::NoData => {
            errors[c].insert(r, String::new());
            Tally::NoData
        }
        // Cancelled with a reason means the column was stopped by an auth failure: a failure.
        CellState::Failed | CellState::Skipped(SkipReason::Cancelled)
            if result.state == CellState::Failed || result.error.is_some() =>
        {
            let message = result
                .error
                .as_ref()
                .map_or_else(|| "failed".to_owned(), |e| e.message.clone());
            errors[c].insert(r, message);
            Tally::Failed
        }
        _ => Tally::Skipped,
    }
}
