//! The engine end to end over fake transports: sharing, skipping, bounds, cancellation, auth stops.

use leadgrid::cell::{CellState, SkipReason};
use leadgrid::engine::caller::{Caller, CallerSettings};
use leadgrid::engine::fake::{
    FAKE_ACTIVITY, FAKE_NETWORK, FAKE_PROFILE, FakeIntegration, FakeTransport,
};
use leadgrid::engine::{Engine, EngineSettings, Event, EventReceiver, Job, JobKey, JobResult};
use leadgrid::integrations::{Fields, IntegrationSpec};
use leadgrid::providers::NoCache;
use leadgrid::providers::keys::MissingKeys;
use leadgrid::providers::{CallError, ErrorKind, ProviderId};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Handle;

/// Failure bound only: tests finish as soon as their signal arrives.
const BOUND: Duration = Duration::from_secs(30);

fn start(
    transport: Arc<FakeTransport>,
    parallel: usize,
    caller: CallerSettings,
) -> (Engine, EventReceiver) {
    let caller = Arc::new(Caller::new(transport, caller, Arc::new(NoCache)));
    let settings = EngineSettings {
        parallel,
        ..EngineSettings::default()
    };
    Engine::new(&Handle::current(), settings, caller)
}

fn unlimited() -> CallerSettings {
    CallerSettings {
        rate_limits: BTreeMap::new(),
        ..CallerSettings::default()
    }
}

fn job(spec: &'static IntegrationSpec, row: u64, column: u32, inputs: &[(&str, &str)]) -> Job {
    let inputs: Fields = inputs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Job {
        key: JobKey { row, column },
        integration: Arc::new(FakeIntegration(spec)),
        inputs,
        fresh: false,
        budget: None,
    }
}

fn url_job(spec: &'static IntegrationSpec, row: u64, column: u32) -> Job {
    let url = format!("https://www.linkedin.com/in/p{row}/");
    job(spec, row, column, &[("linkedin_url", &url)])
}

/// Every event up to and including the next `Idle`.
async fn until_idle(rx: &mut EventReceiver) -> Vec<Event> {
    let mut events = Vec::new();
    loop {
        let event = tokio::time::timeout(BOUND, rx.recv())
            .await
            .expect("engine went idle in time")
            .expect("engine alive");
        if matches!(event, Event::Idle) {
            return events;
        }
        events.push(event);
    }
}

async fn until_running(rx: &mut EventReceiver, n: usize) -> Vec<Event> {
    let mut events = Vec::new();
    let mut running = 0;
    while running < n {
        let event = tokio::time::timeout(BOUND, rx.recv())
            .await
            .expect("jobs started in time")
            .expect("engine alive");
        running += usize::from(matches!(event, Event::Running(_)));
        events.push(event);
    }
    events
}

fn finished(events: &[Event]) -> Vec<&JobResult> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Finished(r) => Some(&**r),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_integrations_share_one_call_per_row() {
    let transport = Arc::new(FakeTransport::echo(Duration::from_millis(5)));
    let (engine, mut rx) = start(transport.clone(), 8, unlimited());
    let jobs = (0..10)
        .flat_map(|row| {
            [
                url_job(&FAKE_PROFILE, row, 0),
                url_job(&FAKE_ACTIVITY, row, 1),
            ]
        })
        .collect();
    engine.submit(jobs);
    let events = until_idle(&mut rx).await;
    let done = finished(&events);
    assert_eq!(done.len(), 20);
    assert!(done.iter().all(|r| r.state == CellState::Done));
    assert_eq!(transport.calls(), 10);
    let shared = done.iter().filter(|r| r.calls[0].shared).count();
    assert_eq!(shared, 10);
    let row3 = done
        .iter()
        .find(|r| r.key == JobKey { row: 3, column: 0 })
        .expect("row 3");
    assert_eq!(
        row3.fields["linkedin_url"],
        "https://www.linkedin.com/in/p3/"
    );
    assert_eq!(row3.fields["tool"], "fake_person");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_inputs_skip_without_a_call() {
    let transport = Arc::new(FakeTransport::echo(Duration::ZERO));
    let (engine, mut rx) = start(transport.clone(), 4, unlimited());
    engine.submit(vec![
        job(&FAKE_NETWORK, 0, 0, &[("linkedin_url", "  ")]),
        job(
            &FAKE_NETWORK,
            1,
            0,
            &[("linkedin_url", "u"), ("sender_id", "")],
        ),
    ]);
    let events = until_idle(&mut rx).await;
    let states: Vec<_> = finished(&events).iter().map(|r| r.state.clone()).collect();
    assert_eq!(
        states,
        [
            CellState::Skipped(SkipReason::MissingInput(
                "missing required columns: linkedin_url, sender_id".into()
            )),
            CellState::Skipped(SkipReason::MissingInput(
                "missing required columns: sender_id".into()
            )),
        ]
    );
    assert_eq!(transport.calls(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_never_exceeds_parallel() {
    let transport = Arc::new(FakeTransport::echo(Duration::from_millis(2)));
    let (engine, mut rx) = start(transport.clone(), 3, unlimited());
    engine.submit((0..40).map(|row| url_job(&FAKE_PROFILE, row, 0)).collect());
    let events = until_idle(&mut rx).await;
    assert_eq!(finished(&events).len(), 40);
    assert_eq!(transport.calls(), 40);
    let peak = transport.peak_in_flight();
    assert!((1..=3).contains(&peak), "peak {peak}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_job_reports_running_then_finished() {
    let transport = Arc::new(FakeTransport::echo(Duration::ZERO));
    let (engine, mut rx) = start(transport, 2, unlimited());
    engine.submit((0..6).map(|row| url_job(&FAKE_PROFILE, row, 0)).collect());
    let events = until_idle(&mut rx).await;
    let mut seen: HashMap<JobKey, Vec<&str>> = HashMap::new();
    for e in &events {
        let (key, what) = match e {
            Event::Running(k) => (*k, "running"),
            Event::Finished(r) => (r.key, "finished"),
            other => panic!("unexpected {other:?}"),
        };
        seen.entry(key).or_default().push(what);
    }
    assert_eq!(seen.len(), 6);
    assert!(seen.values().all(|v| v == &["running", "finished"]));
    assert_eq!(engine.pending(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_rows_failure_does_not_stop_the_others() {
    let transport =
        Arc::new(FakeTransport::new(
            Some(Duration::ZERO),
            |_, p, _| match p["linkedin_url"].as_str() {
                Some("https://www.linkedin.com/in/p2/") => {
                    Err(CallError::new(ErrorKind::Permanent, "HTTP 400"))
                }
                Some("https://www.linkedin.com/in/p3/") => {
                    Err(CallError::new(ErrorKind::NoData, "Resource not found"))
                }
                _ => Ok(json!({"tool": "x"})),
            },
        ));
    let (engine, mut rx) = start(transport.clone(), 2, unlimited());
    engine.submit((0..5).map(|row| url_job(&FAKE_PROFILE, row, 0)).collect());
    let events = until_idle(&mut rx).await;
    let mut by_row: Vec<_> = finished(&events)
        .iter()
        .map(|r| (r.key.row, r.state.clone()))
        .collect();
    by_row.sort_by_key(|(row, _)| *row);
    let states: Vec<_> = by_row.into_iter().map(|(_, s)| s).collect();
    use CellState::{Done, Failed, NoData};
    assert_eq!(states, [Done, Done, Failed, NoData, Done]);
    // Neither the failure nor the no-data answer was retried.
    assert_eq!(transport.calls(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_column_leaves_the_others_running() {
    let transport = Arc::new(FakeTransport::new(None, |_, _, _| Ok(json!({}))));
    let (engine, mut rx) = start(transport, 2, unlimited());
    let mut jobs: Vec<Job> = (0..5).map(|row| url_job(&FAKE_PROFILE, row, 1)).collect();
    jobs.extend((0..3).map(|row| url_job(&FAKE_PROFILE, 100 + row, 2)));
    engine.submit(jobs);
    let mut events = until_running(&mut rx, 2).await;

    engine.cancel_column(1);
    let mut column_one_done = 0;
    while column_one_done < 5 {
        let event = tokio::time::timeout(BOUND, rx.recv())
            .await
            .expect("cancelled in time")
            .expect("alive");
        if let Event::Finished(r) = &event {
            assert_eq!(r.key.column, 1, "only column 1 finishes");
            assert_eq!(r.state, CellState::Cancelled);
            column_one_done += 1;
        }
        events.push(event);
    }
    assert_eq!(engine.pending(), 3);

    engine.cancel_job(JobKey {
        row: 101,
        column: 2,
    });
    engine.cancel_all();
    let rest = until_idle(&mut rx).await;
    let rest = finished(&rest);
    assert_eq!(rest.len(), 3);
    assert!(rest.iter().all(|r| r.state == CellState::Cancelled));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_failure_stops_its_column_once() {
    let transport = Arc::new(FakeTransport::new(
        Some(Duration::from_millis(1)),
        |tool, _, _| {
            if tool == "fake_person" {
                let mut e = CallError::new(ErrorKind::Auth, "HTTP 401: invalid API key");
                e.status = Some(401);
                Err(e)
            } else {
                Ok(json!({"tool": tool}))
            }
        },
    ));
    let (engine, mut rx) = start(transport.clone(), 2, unlimited());
    let mut jobs: Vec<Job> = (0..20).map(|row| url_job(&FAKE_PROFILE, row, 0)).collect();
    jobs.extend((0..5).map(|row| {
        let url = format!("u{row}");
        job(
            &FAKE_NETWORK,
            row,
            1,
            &[("linkedin_url", &url), ("sender_id", "7")],
        )
    }));
    engine.submit(jobs);
    let events = until_idle(&mut rx).await;
    let stops: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Event::ColumnStopped { .. }))
        .collect();
    assert_eq!(stops.len(), 1);
    assert!(matches!(stops[0], Event::ColumnStopped { column: 0, .. }));

    let done = finished(&events);
    let col0: Vec<_> = done.iter().filter(|r| r.key.column == 0).collect();
    assert_eq!(col0.len(), 20);
    let failed = col0.iter().filter(|r| r.state == CellState::Failed).count();
    // Only jobs already running when the first 401 came back could still fail.
    assert!((1..=2).contains(&failed), "failed {failed}");
    for r in col0.iter().filter(|r| r.state != CellState::Failed) {
        assert_eq!(r.state, CellState::Cancelled);
        let message = &r.error.as_ref().expect("explained").message;
        assert!(message.contains("authentication failure"), "{message}");
    }
    assert!(transport.calls() <= 2 + 5);
    assert!(
        done.iter()
            .filter(|r| r.key.column == 1)
            .all(|r| r.state == CellState::Done)
    );

    // New jobs for the stopped column are skipped until it is resumed.
    engine.submit(vec![url_job(&FAKE_PROFILE, 50, 0)]);
    let again = until_idle(&mut rx).await;
    assert_eq!(finished(&again)[0].state, CellState::Cancelled);
    engine.resume_column(0);
    engine.submit(vec![url_job(&FAKE_PROFILE, 51, 0)]);
    let resumed = until_idle(&mut rx).await;
    assert_eq!(finished(&resumed)[0].state, CellState::Failed);
}

#[tokio::test(start_paused = true)]
async fn a_job_that_hangs_times_out() {
    let transport = Arc::new(FakeTransport::new(None, |_, _, _| Ok(json!({}))));
    let caller = Arc::new(Caller::new(
        transport,
        CallerSettings {
            request_timeout: Duration::from_secs(3600),
            ..unlimited()
        },
        Arc::new(NoCache),
    ));
    let settings = EngineSettings {
        parallel: 1,
        job_timeout: Duration::from_secs(10),
        ..EngineSettings::default()
    };
    let (engine, mut rx) = Engine::new(&Handle::current(), settings, caller);
    engine.submit(vec![url_job(&FAKE_PROFILE, 0, 0)]);
    let events = until_idle(&mut rx).await;
    let r = finished(&events)[0];
    assert_eq!(r.state, CellState::Failed);
    let error = r.error.as_ref().expect("error");
    assert_eq!(error.kind, ErrorKind::Transient);
    assert!(
        error.message.contains("timed out after 10 s"),
        "{}",
        error.message
    );
}

#[tokio::test(start_paused = true)]
async fn retries_are_reported_as_events() {
    let transport = Arc::new(FakeTransport::new(Some(Duration::ZERO), |_, _, n| {
        if n < 3 {
            Err(CallError::new(ErrorKind::Transient, "HTTP 524"))
        } else {
            Ok(json!({"tool": "t"}))
        }
    }));
    let (engine, mut rx) = start(transport, 1, unlimited());
    engine.submit(vec![url_job(&FAKE_PROFILE, 0, 0)]);
    let events = until_idle(&mut rx).await;
    let retries: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Retrying {
                attempt,
                max,
                reason,
                ..
            } => Some((*attempt, *max, reason.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(retries, [(2, 4, "HTTP 524"), (3, 4, "HTTP 524")]);
    let r = finished(&events)[0];
    assert_eq!(r.state, CellState::Done);
    assert_eq!(r.calls[0].attempts.len(), 3);
}

#[tokio::test(start_paused = true)]
async fn provider_rate_limit_paces_jobs() {
    let transport = Arc::new(FakeTransport::echo(Duration::ZERO));
    let settings = CallerSettings {
        rate_limits: BTreeMap::from([(ProviderId::DATAGEN, 60)]),
        ..CallerSettings::default()
    };
    let (engine, mut rx) = start(transport, 8, settings);
    let start = tokio::time::Instant::now();
    engine.submit((0..5).map(|row| url_job(&FAKE_PROFILE, row, 0)).collect());
    until_idle(&mut rx).await;
    // 60 a minute with a burst of one: the fifth call waits four seconds.
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_secs(4) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
}

#[test]
fn events_can_be_read_from_a_plain_thread() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let transport = Arc::new(FakeTransport::echo(Duration::ZERO));
    let caller = Arc::new(Caller::new(transport, unlimited(), Arc::new(NoCache)));
    let (engine, mut rx) = Engine::new(runtime.handle(), EngineSettings::default(), caller);
    engine.submit((0..3).map(|row| url_job(&FAKE_PROFILE, row, 0)).collect());
    let reader = std::thread::spawn(move || {
        let mut done = 0;
        while let Some(event) = rx.blocking_recv() {
            match event {
                Event::Finished(_) => done += 1,
                Event::Idle => return done,
                _ => {}
            }
        }
        done
    });
    assert_eq!(reader.join().expect("reader"), 3);
}

/// Remembers which jobs it recorded.
#[derive(Default)]
struct Journal(std::sync::Mutex<Vec<JobKey>>);

impl leadgrid::engine::ResultSink for Journal {
    fn record<'a>(
        &'a self,
        job: &'a Job,
        _result: &'a JobResult,
    ) -> futures::future::BoxFuture<'a, ()> {
        Box::pin(async move { self.0.lock().unwrap().push(job.key) })
    }
}

#[tokio::test]
async fn every_paid_result_is_recorded_before_it_is_reported() {
    let transport = Arc::new(FakeTransport::echo(Duration::from_millis(1)));
    let caller = Arc::new(Caller::new(transport, unlimited(), Arc::new(NoCache)));
    let journal = Arc::new(Journal::default());
    let (engine, mut rx) = Engine::with_sink(
        &Handle::current(),
        EngineSettings::default(),
        caller,
        Some(journal.clone()),
    );
    let mut jobs: Vec<Job> = (0..20).map(|r| url_job(&FAKE_PROFILE, r, 0)).collect();
    // A row with a missing input is skipped without a call: nothing to journal.
    jobs.push(job(&FAKE_PROFILE, 99, 0, &[]));
    engine.submit(jobs);
    let mut finished = 0;
    for event in until_idle(&mut rx).await {
        if let Event::Finished(result) = event {
            let recorded = journal.0.lock().unwrap().contains(&result.key);
            assert_eq!(recorded, result.key.row != 99, "{:?}", result.key);
            finished += 1;
        }
    }
    assert_eq!(finished, 21);
    assert_eq!(journal.0.lock().unwrap().len(), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_job_fails_its_cell_and_the_engine_goes_on() {
    let transport = Arc::new(FakeTransport::new(Some(Duration::ZERO), |_, params, _| {
        if params["linkedin_url"]
            .as_str()
            .is_some_and(|u| u.contains("p1/"))
        {
            panic!("parser blew up on row 1");
        }
        Ok(json!({"tool": "fake_person"}))
    }));
    // One worker: if the panic killed it, row 2 would never run.
    let (engine, mut rx) = start(transport, 1, unlimited());
    engine.submit((0..3).map(|row| url_job(&FAKE_PROFILE, row, 0)).collect());
    let events = until_idle(&mut rx).await;
    let done = finished(&events);
    assert_eq!(done.len(), 3);
    let bad = done.iter().find(|r| r.key.row == 1).expect("row 1");
    assert_eq!(bad.state, CellState::Failed);
    let message = &bad.error.as_ref().expect("an error").message;
    assert!(
        message.contains("internal error in fake_profile"),
        "{message}"
    );
    assert!(message.contains("parser blew up on row 1"), "{message}");
    assert!(
        done.iter()
            .filter(|r| r.key.row != 1)
            .all(|r| r.state == CellState::Done)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_text_reaches_results_without_escape_sequences() {
    let transport = Arc::new(FakeTransport::new(Some(Duration::ZERO), |_, params, _| {
        if params["linkedin_url"]
            .as_str()
            .is_some_and(|u| u.contains("p1/"))
        {
            return Err(CallError::new(
                ErrorKind::Permanent,
                "denied\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07!",
            ));
        }
        Ok(json!({"tool": "evil\x1b[31m\ttext\nnext"}))
    }));
    let (engine, mut rx) = start(transport, 2, unlimited());
    engine.submit((0..2).map(|row| url_job(&FAKE_PROFILE, row, 0)).collect());
    let events = until_idle(&mut rx).await;
    let done = finished(&events);
    let ok = done.iter().find(|r| r.key.row == 0).expect("row 0");
    assert_eq!(ok.fields["tool"], "evil\ttext\nnext");
    let bad = done.iter().find(|r| r.key.row == 1).expect("row 1");
    assert_eq!(bad.error.as_ref().expect("error").message, "denied!");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_of_a_provider_without_a_key_fail_at_once_saying_what_to_set() {
    let transport = Arc::new(FakeTransport::new(None, |_, _, _| Ok(json!({}))));
    let caller = Arc::new(Caller::new(
        transport.clone(),
        unlimited(),
        Arc::new(NoCache),
    ));
    let settings = EngineSettings {
        missing_keys: MissingKeys::find(|p| {
            Some(format!(
                "no {p} key: set {} (or use --demo)",
                p.key_env().unwrap_or_default()
            ))
        }),
        ..EngineSettings::default()
    };
    let (engine, mut rx) = Engine::new(&Handle::current(), settings, caller);
    let network = job(
        &FAKE_NETWORK,
        2,
        1,
        &[("linkedin_url", "u"), ("sender_id", "7")],
    );
    engine.submit(vec![url_job(&FAKE_PROFILE, 1, 0), network]);
    let events = until_idle(&mut rx).await;
    assert_eq!(finished(&events).len(), 2);
    for r in finished(&events) {
        assert_eq!(r.state, CellState::Failed);
        let message = &r.error.as_ref().expect("explained").message;
        assert!(message.contains("set DATAGEN_API_KEY"), "{message}");
        assert!(message.contains("--demo"), "{message}");
    }
    assert_eq!(transport.calls(), 0, "nothing was sent without a key");
}
