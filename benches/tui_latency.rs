//! Keystroke-to-frame latency while enrichment results stream in at full speed.
//!
//! Runs the product's own event loop (`tui::event_loop`) on a 200×50 `TestBackend` while a
//! thread types a key every 4 ms; for each key, the time from sending it to the end of the
//! frame that answered it is recorded. Two scenarios, each adding `linkedin_profile`
//! through the picker against the demo server (no added latency, 64 at once, rate limits
//! off):
//! - 10,000 rows, until every cell has finished;
//! - 1,000,000 rows, from the key that confirms the enrichment (typed like the others, so
//!   its own frame counts) until the first 10,000 cells have finished, while the rest are
//!   still being planned and queued.
//!
//! Goal: p99 under 30 ms. Run: `cargo bench --bench tui_latency` (the 1M-row file is
//! generated into a temp dir: ~220 MB).

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use leadgrid::config::Config;
use leadgrid::demo::DemoOptions;
use leadgrid::session::{Session, SessionOptions};
use leadgrid::table::{OpenOptions, Sheet};
use leadgrid::tui::app::App;
use leadgrid::tui::event::AppEvent;
use leadgrid::tui::{attach_engine, event_loop};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn key(c: KeyCode) -> AppEvent {
    AppEvent::Input(Event::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

/// One scenario: `rows` in the sheet, measured until `cells` cells have finished.
struct Scenario {
    rows: usize,
    cells: usize,
}

/// What one scenario measured.
struct Measured {
    latencies: Vec<Duration>,
    frames: usize,
    streamed: Duration,
    confirm: Duration,
    first_cell: Duration,
}

fn main() -> anyhow::Result<()> {
    for scenario in [
        Scenario {
            rows: 10_000,
            cells: 10_000,
        },
        Scenario {
            rows: 1_000_000,
            cells: 10_000,
        },
    ] {
        let m = measure(&scenario)?;
        report(&scenario, m);
    }
    Ok(())
}

fn measure(scenario: &Scenario) -> anyhow::Result<Measured> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("leads.csv");
    leadgrid::table::generate(&path, scenario.rows, 7)?;
    let sheet = Sheet::open(&path, &OpenOptions::default())?;
    sheet.wait_indexed();
    let (tx, rx) = channel();
    let mut app = App::new(sheet, tx.clone());
    app.update(AppEvent::Input(Event::Resize(200, 50)));
    // Full speed: no rate limit between the engine and the demo server.
    let config = Config::from_sources(
        Some((
            std::path::Path::new("bench.toml"),
            "[rate_limits]\ndatagen = 0\n",
        )),
        |_| None,
    )?;
    let opts = SessionOptions {
        demo: Some(DemoOptions::default()),
        parallel: Some(64),
        ..SessionOptions::default()
    };
    let mut session = Session::start(&config, opts)?;
    attach_engine(&mut app, &mut session, tx.clone());
    // Choose the enrichment through the picker, as a user would; the confirming Enter is
    // typed below, timed like every other key.
    app.update(key(KeyCode::Char('a')));
    for c in "linkedin_profile".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    for _ in 0..2 {
        app.update(key(KeyCode::Enter));
    }

    let sent: Arc<Mutex<VecDeque<Instant>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    if let Ok(mut s) = sent.lock() {
        s.push_back(Instant::now());
    }
    tx.send(key(KeyCode::Enter))?;
    let typist = {
        let (sent, stop, tx) = (sent.clone(), stop.clone(), tx.clone());
        std::thread::spawn(move || {
            let keys = [
                KeyCode::Char('j'),
                KeyCode::Char('l'),
                KeyCode::PageDown,
                KeyCode::Char('k'),
                KeyCode::Char('h'),
                KeyCode::Char('j'),
            ];
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                sent.lock().map(|mut s| s.push_back(Instant::now())).ok();
                if tx.send(key(keys[i % keys.len()])).is_err() {
                    break;
                }
                i += 1;
                std::thread::sleep(Duration::from_millis(4));
            }
        })
    };

    let mut latencies: Vec<Duration> = Vec::new();
    let mut frames = 0usize;
    let mut streaming_done: Option<Duration> = None;
    let mut first_cell: Option<Duration> = None;
    let mut terminal = Terminal::new(TestBackend::new(200, 50))?;
    let quit_sent = AtomicBool::new(false);
    event_loop(&mut terminal, &mut app, &rx, |app, inputs| {
        frames += 1;
        let now = Instant::now();
        if let Ok(mut sent) = sent.lock() {
            for _ in 0..inputs {
                if let Some(t) = sent.pop_front()
                    && streaming_done.is_none()
                {
                    latencies.push(now - t);
                }
            }
        }
        let finished = app.enrich.totals().finished();
        if first_cell.is_none() && finished > 0 {
            first_cell = Some(started.elapsed());
        }
        if streaming_done.is_none() && finished >= scenario.cells {
            streaming_done = Some(started.elapsed());
            stop.store(true, Ordering::Relaxed);
        }
        if streaming_done.is_some() && !quit_sent.swap(true, Ordering::Relaxed) {
            // Quit without saving: q, y to cancel what still runs, n at the unsaved question.
            let _ = tx.send(key(KeyCode::Char('q')));
            if app.enrich.is_running() {
                let _ = tx.send(key(KeyCode::Char('y')));
            }
            let _ = tx.send(key(KeyCode::Char('n')));
        }
    })?;
    let _ = typist.join();
    let confirm = latencies.first().copied().unwrap_or_default();
    Ok(Measured {
        latencies,
        frames,
        streamed: streaming_done.unwrap_or_default(),
        confirm,
        first_cell: first_cell.unwrap_or_default(),
    })
}

fn report(scenario: &Scenario, mut m: Measured) {
    m.latencies.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| {
        let i = ((m.latencies.len() as f64 - 1.0) * p).round() as usize;
        ms(m.latencies.get(i).copied().unwrap_or_default())
    };
    println!(
        "keystroke-to-frame, {} rows, until {} cells finished ({:.0} cells/s, {} frames, {} keys):",
        scenario.rows,
        scenario.cells,
        scenario.cells as f64 / m.streamed.as_secs_f64(),
        m.frames,
        m.latencies.len()
    );
    println!(
        "  confirm key {:.2} ms, first cell after {:.0} ms, {} cells after {:.2} s",
        ms(m.confirm),
        ms(m.first_cell),
        scenario.cells,
        m.streamed.as_secs_f64()
    );
    println!(
        "  p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  max {:.2} ms   (goal p99 < 30 ms: {:.2} of the budget)",
        pct(0.5),
        pct(0.95),
        pct(0.99),
        pct(1.0),
        pct(0.99) / 30.0
    );
}
