//! Headless enrichment: `leadgrid run`.
//!
//! Streams the CSV through the engine (memory stays bounded whatever its size) and
//! writes every input column unchanged plus the outputs to a new file, atomically. Exit code: 0 all cells done or no data, 2 some failed, 3 the budget
//! (`--max-cost`) left cells unrun, 1 fatal, 130 interrupted (the partial result is still written).

pub mod chained;
pub mod csvio;
pub mod dedupe;
pub mod dry_run;
pub mod events;
pub mod progress;
pub mod summary;

use crate::cell::{CellState, SkipReason};
use crate::cli::{EventsFormat, RunArgs};
use crate::config::{Config, ConfigError};
use crate::demo::DemoOptions;
use crate::engine::{Event, JobKey, JobResult};
use crate::integrations::user::Catalog;
use crate::integrations::user::project::TrustStore;
use crate::integrations::{Fields, Integration};
use crate::plan::{Decision, ErrorSink, Plan, PlanError, RowScope, Rules};
use crate::providers::budget::Budget;
use crate::providers::{ProviderId, Usage};
use crate::resume::Journal;
use crate::session::{Session, SessionError, SessionOptions, StoreChoice};
use crate::store::RunId;
use crate::table::{Encoding, OpenOptions};
use chained::{Chained, RowCells, Step};
use csvio::CsvError;
use dedupe::{Dedupe, Follow};
use events::{RunEvent, RunHooks};
use progress::{Progress, Tally};
use std::collections::{BTreeMap, VecDeque};
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
    /// Network integrations chosen, none of which can run (no key) and no `--demo`.
    #[error("{0}")]
    NoKey(String),
    /// An integration of the project file beside the input, which the user has not trusted.
    #[error(
        "{path} defines {names}, which would send rows of this file to:\n{destinations}\nYou have not trusted it yet (or it changed since you did): read it, then run again with --trust (remembered until the file changes)."
    )]
    Untrusted {
        /// The project file.
        path: String,
        /// The integrations asked for that it defines.
        names: String,
        /// Where each of its integrations sends rows, one per line.
        destinations: String,
    },
    /// `--if` does not parse or names no column.
    #[error("bad --if condition:\n{0}")]
    Condition(String),
    /// The runtime, demo server or HTTP client could not start.
    #[error("{0}")]
    Setup(String),
}

/// `leadgrid run`: runs, prints the summary, returns the exit code.
pub fn main(args: &RunArgs) -> u8 {
    if args.dry_run {
        return match dry_run::dry_run(args) {
            Ok(plan) if args.json => match serde_json::to_string_pretty(&plan) {
                Ok(json) => {
                    println!("{json}");
                    0
                }
                Err(e) => {
                    eprintln!("leadgrid run: cannot encode the plan: {e}");
                    1
                }
            },
            Ok(plan) => {
                eprint!("{}", plan.human());
                0
            }
            Err(e) => {
                eprintln!("leadgrid run: {e}");
                1
            }
        };
    }
    let mut ndjson = |event: &RunEvent| {
        if let Ok(line) = serde_json::to_string(event) {
            println!("{line}");
        }
    };
    let hooks = RunHooks {
        events: (args.events == Some(EventsFormat::Ndjson))
            .then_some(&mut ndjson as &mut dyn FnMut(&RunEvent)),
        cancel: None,
        quiet: false,
    };
    match run(args, hooks) {
        Ok(summary) => {
            if args.events == Some(EventsFormat::Ndjson) {
                // The summary is the last line of the stream.
                let line = serde_json::json!({"event": "summary", "summary": summary});
                println!("{line}");
            } else if args.json {
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
pub fn run(args: &RunArgs, hooks: RunHooks<'_>) -> Result<Summary, RunError> {
    run_with(&Config::load()?, args, hooks)
}

/// [`run`] with settings already loaded (the MCP server loads them once).
pub fn run_with(config: &Config, args: &RunArgs, hooks: RunHooks<'_>) -> Result<Summary, RunError> {
    let catalog = catalog_for(config, args)?;
    let integrations = resolve(&catalog, &args.integrations)?;
    if !hooks.quiet {
        for warning in catalog.warnings().iter().filter(|w| {
            w.name.is_none()
                || w.name
                    .as_ref()
                    .is_some_and(|n| args.integrations.contains(n))
        }) {
            eprintln!("leadgrid run: warning: {warning}");
        }
    }
    let mut config = config.clone();
    catalog.configure(&mut config);
    let config = &config;
    if !args.demo {
        check_keys(config, &integrations)?;
    }
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
        // Keys were checked above: a provider without one fails its own cells.
        allow_no_key: true,
        store,
        run: run_id.clone(),
        refresh: args.store.refresh,
    };
    let mut session = Session::start(config, opts).map_err(|e| match e {
        SessionError::NoKey => RunError::NoKey(e.to_string()),
        other => RunError::Setup(other.to_string()),
    })?;
    execute(
        &mut session,
        args,
        integrations,
        &output,
        run_id.as_ref(),
        hooks,
    )
}

/// Refuses a run none of whose network integrations can call its providers (no keys):
/// nothing could be enriched. When some can, the others' cells fail with the reason.
fn check_keys(config: &Config, integrations: &[Arc<dyn Integration>]) -> Result<(), RunError> {
    let endpoints = crate::session::Endpoints::from_config(config);
    let mut reasons: Vec<String> = Vec::new();
    let mut runnable = false;
    for integration in integrations {
        let providers = integration.providers();
        if providers.iter().all(|p| *p == ProviderId::LOCAL) {
            return Ok(());
        }
        match providers.iter().find_map(|p| endpoints.unavailable(*p)) {
            Some(e) if !reasons.contains(&e.message) => reasons.push(e.message),
            Some(_) => {}
            None => runnable = true,
        }
    }
    if runnable || reasons.is_empty() {
        Ok(())
    } else {
        Err(RunError::NoKey(reasons.join("; ")))
    }
}

/// The integrations a run of `args` may use: the config's, and those of the project file
/// beside the input once trusted (`--trust` trusts it now and remembers it). Asking for an
/// integration of a project file not trusted yet is refused with what it would send where.
pub fn catalog_for(config: &Config, args: &RunArgs) -> Result<Catalog, RunError> {
    let catalog = Catalog::from_config(config).with_project_beside(
        &args.input,
        &TrustStore::in_config_dir(),
        args.trust,
    );
    if let Some(project) = catalog.project().filter(|p| !p.trusted) {
        let names: Vec<&str> = args
            .integrations
            .iter()
            .map(|n| n.trim())
            .filter(|n| project.defines(n))
            .collect();
        if !names.is_empty() {
            return Err(RunError::Untrusted {
                path: project.project.path.display().to_string(),
                names: names.join(", "),
                destinations: project.describe(),
            });
        }
    }
    Ok(catalog)
}

/// Looks integrations up by name in `catalog`, keeping the order given; duplicates are dropped.
pub fn resolve(catalog: &Catalog, names: &[String]) -> Result<Vec<Arc<dyn Integration>>, RunError> {
    let all = catalog.integrations();
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

/// Rows read ahead of the oldest unfinished one. Bounds memory whatever the input's size,
/// and is deep enough that a slow row (retries, timeouts) rarely holds up the others.
const WINDOW: usize = 16_384;
/// Rows read at a time once the window has room for them.
const READ_BATCH: usize = 1_024;

/// A row read and not yet written: its values, how many of its cells are still running or
/// waiting for their sources, and where they stand (only when integrations feed each other).
struct Pending {
    row: Vec<String>,
    outstanding: usize,
    cells: RowCells,
}

/// Runs `integrations` over the input in `session` and writes the result to `output`.
/// Cells the journal of `run` already holds (done or no data) are restored, not paid again.
/// Rows stream through: memory stays bounded whatever the input's size.
pub fn execute(
    session: &mut Session,
    args: &RunArgs,
    integrations: Vec<Arc<dyn Integration>>,
    output: &Path,
    run: Option<&RunId>,
    mut hooks: RunHooks<'_>,
) -> Result<Summary, RunError> {
    let started = Instant::now();
    let open = OpenOptions {
        delimiter: args.delimiter,
        encoding: args
            .encoding
            .map_or(Encoding::Utf8, crate::cli::Encoding::table),
    };
    // The whole file is indexed first: the width (ragged rows), the row count, and any
    // parse or encoding error before anything is paid for.
    let input = csvio::Input::open(&args.input, &open)?;
    let scan = input.scan();
    let mut headers = input.headers.clone();
    headers.resize(scan.width, String::new());
    let mut plans = crate::plan::mapping::wire(&mut headers, &integrations, &args.map, &args.set)?;
    let condition = condition_of(args, &headers)?;
    for plan in &mut plans {
        plan.condition.clone_from(&condition);
    }
    let chain = crate::plan::Chain::of(&plans).map_err(|crate::plan::Loop(path)| {
        let names: Vec<&str> = path
            .iter()
            .filter_map(|&p| plans.get(p))
            .map(Plan::name)
            .collect();
        PlanError(format!(
            "integrations feed each other in a loop: {}",
            names.join(" → ")
        ))
    })?;
    let width = headers.len();
    let mut sinks: Vec<ErrorSink> = plans
        .iter()
        .map(|p| ErrorSink::new(p.name(), &headers))
        .collect();
    let progress_bar = std::io::stderr().is_terminal();
    let mut warnings: Vec<String> = session.store_warning.iter().cloned().collect();
    warnings.extend(input.notices());
    let journal = match (&session.store, run) {
        (Some(store), Some(run)) => Journal::load(store, run).unwrap_or_else(|e| {
            warnings.push(format!("could not read the run journal: {e}"));
            Journal::default()
        }),
        _ => Journal::default(),
    };
    let counting = !journal.is_empty() || args.skip_existing;
    let rules = Rules {
        journal: (!journal.is_empty()).then(|| Arc::new(journal)),
        skip_filled: args.skip_existing,
    };
    let chained = Chained {
        chain: &chain,
        plans: &plans,
        rules: &rules,
    };
    let scope = RowScope::all().limited(args.limit);
    // Only these rows (0-based), when the caller names rows (an agent's re-run).
    let only: Option<std::collections::HashSet<usize>> = args
        .rows
        .as_ref()
        .map(|rows| rows.iter().filter_map(|r| r.checked_sub(1)).collect());
    let wanted = |r: usize| only.as_ref().is_none_or(|set| set.contains(&r));
    let mut enriched_rows = args.limit.unwrap_or(scan.rows).min(scan.rows);

    // How many cells will run, for the progress bar; only a journal, --skip-existing or a
    // condition on rows make that differ from rows × integrations, and only then is it
    // worth a pass.
    let (mut to_run, mut to_restore) = (enriched_rows * plans.len(), 0usize);
    if counting || condition.is_some() || only.is_some() {
        let mut counts = vec![crate::plan::Estimate::default(); plans.len()];
        let mut taken = 0;
        for (r, row) in input.rows().enumerate() {
            if scope.is_full(taken) {
                break;
            }
            let mut row = row?;
            row.resize(width, String::new());
            if !wanted(r) {
                continue;
            }
            let cells: Vec<_> = plans.iter().map(|p| rules.decide(p, &row)).collect();
            taken += usize::from(crate::plan::rows::counts(&cells));
            for ((p, count), cell) in plans.iter().zip(&mut counts).zip(&cells) {
                count.add(p, cell);
            }
        }
        enriched_rows = taken;
        to_run = counts.iter().map(crate::plan::Estimate::submitted).sum();
        to_restore = counts.iter().map(|c| c.restored).sum();
    }

    let dedupe = match dedupe_key(args, &headers)? {
        Some(col) => {
            let keys = input
                .rows()
                .map(|row| row.map(|row| row.get(col).cloned().unwrap_or_default()));
            let dedupe = Dedupe::new(keys.collect::<Result<Vec<String>, CsvError>>()?);
            let line = format!(
                "--dedupe: {} rows repeat an earlier row's {} and take its answers",
                dedupe.followers(),
                headers.get(col).map_or("key", String::as_str)
            );
            Some((dedupe, line))
        }
        None => None,
    };
    let (mut dedupe, dedupe_note) = dedupe.unzip();

    let engine = session.engine.clone();
    let Some(mut events) = session.take_events() else {
        return Err(RunError::Setup(
            "the engine's events were already taken".into(),
        ));
    };
    let mut progress = if hooks.quiet {
        Progress::quiet(to_run as u64)
    } else {
        Progress::new(to_run as u64, progress_bar)
    };
    hooks.emit(RunEvent::Planned {
        cells: to_run,
        restored: to_restore,
    });
    for warning in &warnings {
        progress.say(warning);
        hooks.emit(RunEvent::Notice {
            message: warning.clone(),
        });
    }
    if let Some(note) = dedupe_note {
        progress.say(&note);
        hooks.emit(RunEvent::Notice { message: note });
    }
    if to_restore > 0 {
        progress.say(&format!(
            "restored {to_restore} finished cells from the journal of an earlier run; {to_run} to go"
        ));
    }
    let mut writer = csvio::AtomicWriter::create(output, input.dialect(), input.encoding())?;
    writer.write(&headers)?;
    let mut rows = input.rows();
    let mut counts: Vec<Counts> = vec![Counts::default(); plans.len()];
    let mut spend: Vec<Usage> = vec![Usage::default(); plans.len()];
    let mut by_provider: BTreeMap<String, Usage> = BTreeMap::new();
    let budget = args.max_cost.map(|usd| Arc::new(Budget::new(usd)));
    let mut restored = 0usize;
    let mut restored_cost = 0.0;
    let mut stopped = Vec::new();
    let mut notices = Vec::new();
    let mut interrupted = false;

    let streamed: Result<(), RunError> = session.handle().block_on(async {
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
        let cancel = hooks.cancel.clone().unwrap_or_default();
        let mut window: VecDeque<Pending> = VecDeque::new();
        // Rows with chained cells to decide again.
        let mut to_release: Vec<usize> = Vec::new();
        // Index of the row at the front of the window, and of the next row to read.
        let (mut front, mut next) = (0usize, 0usize);
        // Rows in scope so far.
        let mut admitted = 0usize;
        let mut exhausted = false;
        let mut engine_gone = false;
        // Cells submitted and not yet finished: with none, there is no event to wait for
        // (a window the journal or --skip-existing answered whole must not wait forever).
        let mut outstanding = 0usize;
        loop {
            // Read ahead, queueing the new rows' cells.
            let mut jobs = Vec::new();
            // Refill in batches: one submit per thousand rows, not one per row.
            let refill = window.len() + READ_BATCH <= WINDOW;
            while refill && window.len() < WINDOW && !exhausted {
                let Some(row) = rows.next() else {
                    exhausted = true;
                    break;
                };
                let mut pending = Pending {
                    row: row?,
                    outstanding: 0,
                    cells: RowCells::default(),
                };
                pending.row.resize(width, String::new());
                let r = next;
                next += 1;
                if wanted(r) && !scope.is_full(admitted) {
                    let key = |c: usize| JobKey {
                        row: r as u64,
                        column: c as u32,
                    };
                    let cells: Vec<_> = plans.iter().map(|p| rules.decide(p, &pending.row)).collect();
                    admitted += usize::from(crate::plan::rows::counts(&cells));
                    if chain.is_chained() {
                        pending.cells.states = vec![None; plans.len()];
                    }
                    for (c, (p, cell)) in plans.iter().zip(cells).enumerate() {
                        if chained.defers(c, &cell.decision) {
                            // Decided again once its sources have written into the row.
                            pending.cells.waiting.push(c);
                            pending.outstanding += 1;
                            continue;
                        }
                        let state = match &cell.decision {
                            Decision::Filled => None,
                            Decision::Unmet => Some(CellState::Skipped(SkipReason::Condition)),
                            Decision::Restore(found) => Some(found.state.clone()),
                            Decision::Run if interrupted || engine_gone => Some(CellState::Cancelled),
                            // An answer shared by dedupe is final; the rest run.
                            Decision::Run => Some(CellState::Queued),
                        };
                        if let Some(slot) = pending.cells.states.get_mut(c) {
                            *slot = state;
                        }
                        match cell.decision {
                            // Counted, never sent: the row is written as it was, unpaid.
                            Decision::Filled | Decision::Unmet => counts[c].add(Tally::Skipped),
                            Decision::Restore(found) => {
                                if let Some(d) = dedupe.as_mut() {
                                    d.will_answer(r, c);
                                }
                                let result = found.into_result(key(c));
                                if let Some(d) = dedupe.as_mut() {
                                    d.answered(r, c, &result);
                                }
                                let tally = apply(p, &mut pending.row, r, &mut sinks[c], &result);
                                if hooks.listening() {
                                    hooks.emit(finished_event(p.name(), &result, true));
                                }
                                counts[c].add(tally);
                                restored += 1;
                                restored_cost += p.integration.spec().cost_per_row_usd;
                            }
                            // After Ctrl-C nothing new starts (restored cells still come
                            // back): the cell is cancelled, as if it had been queued.
                            Decision::Run if interrupted || engine_gone => {
                                let result = JobResult {
                                    key: key(c),
                                    state: CellState::Cancelled,
                                    fields: Fields::new(),
                                    error: None,
                                    calls: Vec::new(),
                                    notes: Vec::new(),
                                };
                                let tally = apply(p, &mut pending.row, r, &mut sinks[c], &result);
                                counts[c].add(tally);
                            }
                            Decision::Run => match dedupe.as_mut().map(|d| d.follow(r, c)) {
                                Some(Follow::Answer(result)) => {
                                    if let Some(slot) = pending.cells.states.get_mut(c) {
                                        *slot = Some(result.state.clone());
                                    }
                                    let tally =
                                        apply(p, &mut pending.row, r, &mut sinks[c], &result);
                                    counts[c].add(tally);
                                    progress.finished(tally);
                                }
                                // Its leader's answer is on the way (see Event::Finished).
                                Some(Follow::Wait) => pending.outstanding += 1,
                                Some(Follow::Run) | None => {
                                    if let Some(d) = dedupe.as_mut() {
                                        d.will_answer(r, c);
                                    }
                                    let mut job = p.job(key(c), cell.inputs, false);
                                    job.budget.clone_from(&budget);
                                    jobs.push(job);
                                    pending.outstanding += 1;
                                }
                            },
                        }
                    }
                    // Decided once their sources answered (see below), or now when the
                    // journal answered them already.
                    if !pending.cells.waiting.is_empty() {
                        to_release.push(r);
                    }
                }
                window.push_back(pending);
            }
            // Chained cells whose sources have answered are decided again, from the row as
            // the sources left it: submitted, or finished (skipped, restored, cancelled).
            for r in std::mem::take(&mut to_release) {
                let Some(pending) = r.checked_sub(front).and_then(|i| window.get_mut(i)) else {
                    continue;
                };
                let stop = interrupted || engine_gone;
                for (c, step) in chained.release(r, &mut pending.row, &mut pending.cells, stop) {
                    let key = JobKey {
                        row: r as u64,
                        column: c as u32,
                    };
                    match step {
                        Step::Submit(inputs) => {
                            let mut job = plans[c].job(key, inputs, false);
                            job.budget.clone_from(&budget);
                            jobs.push(job);
                        }
                        Step::Finished {
                            result,
                            restored: journaled,
                        } => {
                            pending.outstanding = pending.outstanding.saturating_sub(1);
                            let tally =
                                apply(&plans[c], &mut pending.row, r, &mut sinks[c], &result);
                            counts[c].add(tally);
                            if journaled {
                                restored += 1;
                                restored_cost += plans[c].integration.spec().cost_per_row_usd;
                                if hooks.listening() {
                                    hooks.emit(finished_event(plans[c].name(), &result, true));
                                }
                            } else {
                                progress.finished(tally);
                            }
                        }
                    }
                }
            }
            if !jobs.is_empty() {
                outstanding += jobs.len();
                engine.submit(jobs);
            }
            // Write out every finished row at the front, in input order.
            while window.front().is_some_and(|p| p.outstanding == 0 || engine_gone) {
                if let Some(done) = window.pop_front() {
                    writer.write(&done.row)?;
                    front += 1;
                }
            }
            if window.is_empty() && exhausted {
                return Ok(());
            }
            if engine_gone || outstanding == 0 {
                continue;
            }
            let event = tokio::select! {
                event = events.recv() => event,
                () = cancel.cancelled(), if !interrupted => {
                    interrupted = true;
                    progress.say("cancelled: the partial result will be written");
                    engine.cancel_all();
                    continue;
                }
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
                    outstanding = outstanding.saturating_sub(1);
                    let (r, c) = (result.key.row as usize, result.key.column as usize);
                    let (Some(p), Some(pending)) =
                        (plans.get(c), r.checked_sub(front).and_then(|i| window.get_mut(i)))
                    else {
                        continue;
                    };
                    let tally = apply(p, &mut pending.row, r, &mut sinks[c], &result);
                    if hooks.listening() {
                        hooks.emit(finished_event(p.name(), &result, false));
                    }
                    pending.outstanding = pending.outstanding.saturating_sub(1);
                    counts[c].add(tally);
                    for call in &result.calls {
                        if let Some(paid) = call.paid() {
                            spend[c].add(&paid);
                            by_provider
                                .entry(call.provider.name().to_owned())
                                .or_default()
                                .add(&paid);
                        }
                    }
                    progress.finished(tally);
                    if let Some(slot) = pending.cells.states.get_mut(c) {
                        *slot = Some(result.state.clone());
                    }
                    // Duplicate rows waiting for this answer take it.
                    let followers = dedupe
                        .as_mut()
                        .map_or_else(Vec::new, |d| d.answered(r, c, &result));
                    let mut settled = vec![r];
                    for copy in followers {
                        let f = copy.key.row as usize;
                        let Some(row) = f.checked_sub(front).and_then(|i| window.get_mut(i)) else {
                            continue;
                        };
                        let tally = apply(p, &mut row.row, f, &mut sinks[c], &copy);
                        row.outstanding = row.outstanding.saturating_sub(1);
                        if let Some(slot) = row.cells.states.get_mut(c) {
                            *slot = Some(copy.state.clone());
                        }
                        counts[c].add(tally);
                        progress.finished(tally);
                        settled.push(f);
                    }
                    // Cells of those rows that were waiting for this one may start (at the
                    // top of the loop).
                    to_release.extend(settled);
                }
                Some(Event::ColumnStopped { column, error }) => {
                    let name = plans
                        .get(column as usize)
                        .map_or("?", |p| p.integration.spec().name);
                    let line = format!(
                        "{name}: stopped after an authentication failure, its remaining cells cancelled: {}",
                        error.message
                    );
                    progress.say(&line);
                    hooks.emit(RunEvent::Notice {
                        message: line.clone(),
                    });
                    stopped.push(line);
                }
                Some(Event::Provider(notice)) => {
                    let line = notice.message();
                    progress.say(&line);
                    hooks.emit(RunEvent::Notice {
                        message: line.clone(),
                    });
                    notices.push(line);
                }
                Some(Event::Running(key)) if hooks.listening() => {
                    if let Some(p) = plans.get(key.column as usize) {
                        hooks.emit(RunEvent::Started {
                            row: key.row as usize + 1,
                            integration: p.name().to_owned(),
                        });
                    }
                }
                Some(Event::Retrying {
                    key,
                    attempt,
                    max,
                    reason,
                }) if hooks.listening() => {
                    if let Some(p) = plans.get(key.column as usize) {
                        hooks.emit(RunEvent::Retrying {
                            row: key.row as usize + 1,
                            integration: p.name().to_owned(),
                            attempt,
                            max,
                            reason,
                        });
                    }
                }
                Some(_) => {}
                // The engine is gone: write what there is, rows as they are.
                None => engine_gone = true,
            }
        }
    });
    progress.close();
    streamed?;

    // Failures in integrations without an error column get one, added in a second pass
    // over what was written (only when something failed).
    let added: Vec<(String, BTreeMap<usize, String>)> = plans
        .iter()
        .zip(&mut sinks)
        .filter(|(_, sink)| !sink.new.is_empty())
        .map(|(p, sink)| {
            (
                crate::plan::errors::column_name(p.name()),
                std::mem::take(&mut sink.new),
            )
        })
        .collect();
    if added.is_empty() {
        writer.commit()?;
    } else {
        let written = writer.written()?;
        let mut out = csvio::AtomicWriter::create(output, input.dialect(), input.encoding())?;
        let mut header = written.headers.clone();
        header.extend(added.iter().map(|(name, _)| name.clone()));
        out.write(&header)?;
        for (r, row) in written.rows().enumerate() {
            let mut row = row?;
            row.extend(
                added
                    .iter()
                    .map(|(_, messages)| messages.get(&r).cloned().unwrap_or_default()),
            );
            out.write(&row)?;
        }
        out.commit()?;
    }

    warnings.extend(notices);
    let stats = session.caller.stats();
    let store_stats = session.store.as_ref().map(|s| s.stats());
    if let Some(error) = store_stats.as_ref().and_then(|s| s.last_error.clone()) {
        warnings.push(format!(
            "the store failed {} times; last: {error}",
            store_stats.as_ref().map_or(0, |s| s.errors)
        ));
    }
    let spend: BTreeMap<String, Usage> = plans
        .iter()
        .zip(spend)
        .filter(|(_, u)| u.has_tokens() || u.usd.is_some())
        .map(|(p, u)| (p.integration.spec().name.to_owned(), u))
        .collect();
    let mut spent = Usage::default();
    for usage in spend.values() {
        spent.add(usage);
    }
    let budget = budget.map(|b| {
        let state = b.state();
        summary::BudgetReport {
            max_cost_usd: state.limit_usd,
            spent_usd: state.spent_usd,
            cells_left: counts.iter().map(|c| c.budget).sum(),
            refused_calls: state.refused_calls,
        }
    });
    Ok(Summary {
        input: args.input.clone(),
        output: output.to_path_buf(),
        rows: scan.rows,
        rows_enriched: enriched_rows,
        integrations: plans
            .iter()
            .zip(counts)
            .map(|(p, c)| (p.integration.spec().name.to_owned(), c))
            .collect(),
        spend,
        spent,
        spend_by_provider: by_provider,
        budget,
        calls_made: stats.attempts,
        calls_shared: stats.shared,
        calls_cached: stats.cached,
        cells_deduplicated: dedupe.map_or(0, |d| d.shared as u64),
        cells_restored: restored as u64,
        cost_saved_usd: store_stats.as_ref().map_or(0.0, |s| s.cost_saved) + restored_cost,
        store: session.store.as_ref().map(|s| s.path().to_path_buf()),
        warnings,
        elapsed_secs: started.elapsed().as_secs_f64(),
        interrupted,
        stopped,
    })
}

/// The column `--dedupe` compares: the one `--dedupe-key` names, else a LinkedIn URL or an
/// email column; `None` without `--dedupe`.
fn dedupe_key(args: &RunArgs, headers: &[String]) -> Result<Option<usize>, RunError> {
    match &args.dedupe_key {
        Some(name) => {
            let found = headers
                .iter()
                .position(|h| h == name)
                .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(name)));
            found.map(Some).ok_or_else(|| {
                RunError::Setup(format!(
                    "--dedupe-key: no column `{name}`; columns: {}",
                    headers.join(", ")
                ))
            })
        }
        None if args.dedupe => crate::census::default_key_column(headers)
            .map(Some)
            .ok_or_else(|| {
                RunError::Setup(
                    "--dedupe: no LinkedIn URL or email column to compare; name one with --dedupe-key"
                        .into(),
                )
            }),
        None => Ok(None),
    }
}

/// The run condition of every integration of the run (`--if`), bound to `headers`; rows
/// where it does not hold are counted as skipped, and `--limit` counts only the others.
pub fn condition_of(
    args: &RunArgs,
    headers: &[String],
) -> Result<Option<Arc<dyn crate::plan::RowFilter>>, RunError> {
    Ok(match args.condition.as_deref().map(str::trim) {
        Some(src) if !src.is_empty() => {
            let program = crate::expr::parse(src)
                .map_err(|e| RunError::Condition(e.render(src)))?
                .bind(headers)
                .map_err(|e| RunError::Condition(e.render(src)))?;
            let ctx = crate::expr::EvalCtx::now();
            let keep = move |row: &[String]| program.matches(&row, &ctx);
            Some(Arc::new(keep) as Arc<dyn crate::plan::RowFilter>)
        }
        _ => None,
    })
}

/// The event telling that a cell finished.
fn finished_event(integration: &str, result: &JobResult, restored: bool) -> RunEvent {
    RunEvent::Finished {
        row: result.key.row as usize + 1,
        integration: integration.to_owned(),
        state: result.state.label().to_owned(),
        error: result.error.as_ref().map(|e| e.message.clone()),
        restored,
    }
}

/// Writes a finished cell into its row and its error column; returns how it counts.
fn apply(
    p: &Plan,
    row: &mut [String],
    r: usize,
    errors: &mut ErrorSink,
    result: &JobResult,
) -> Tally {
    errors.report(r, row, result);
    if result.state == CellState::Done {
        for &(name, column) in &p.outputs {
            if let Some(cell) = row.get_mut(column) {
                *cell = result.fields.get(name).cloned().unwrap_or_default();
            }
        }
    }
    Tally::of(&result.state)
}
