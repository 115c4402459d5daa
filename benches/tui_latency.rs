//! Keystroke-to-frame latency while enrichment results stream in at full speed.
//!
//! Runs the product's own event loop (`tui::event_loop`) on a 200×50 `TestBackend`:
//! 10,000 rows get `linkedin_profile` from the demo server (no added latency, 64 at
//! once) while a thread types a key every 4 ms. For each key, the time from sending it
//! to the end of the frame that answered it is recorded. Goal: p99 under 30 ms.
//! Run: `cargo bench --bench tui_latency`.

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

const ROWS: usize = 10_000;

fn key(c: KeyCode) -> AppEvent {
    AppEvent::Input(Event::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("leads.csv");
    leadgrid::table::generate(&path, ROWS, 7)?;
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
    // Add the enrichment column through the picker, as a user would.
    app.update(key(KeyCode::Char('a')));
    for c in "linkedin_profile".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    for _ in 0..3 {
        app.update(key(KeyCode::Enter));
    }
    let started = Instant::now();

    let sent: Arc<Mutex<VecDeque<Instant>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
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
        if streaming_done.is_none()
            && app.enrich.totals().pending() == 0
            && app.enrich.totals().finished() >= ROWS
        {
            streaming_done = Some(started.elapsed());
            stop.store(true, Ordering::Relaxed);
        }
        if streaming_done.is_some() && !quit_sent.swap(true, Ordering::Relaxed) {
            // Quit without saving: q, then n at the unsaved-changes question.
            let _ = tx.send(key(KeyCode::Char('q')));
            let _ = tx.send(key(KeyCode::Char('n')));
        }
    })?;
    let _ = typist.join();

    latencies.sort_unstable();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(i).copied().unwrap_or_default().as_secs_f64() * 1000.0
    };
    let streamed = streaming_done.unwrap_or_default().as_secs_f64();
    println!(
        "keystroke-to-frame while {ROWS} cells streamed ({:.0} cells/s, {frames} frames, {} keys):",
        ROWS as f64 / streamed,
        latencies.len()
    );
    println!(
        "  p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  max {:.2} ms   (goal p99 < 30 ms: {:.2} of the budget)",
        pct(0.5),
        pct(0.95),
        pct(0.99),
        pct(1.0),
        pct(0.99) / 30.0
    );
    Ok(())
}
