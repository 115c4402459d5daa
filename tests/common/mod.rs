//! Shared helpers for integration tests.
#![allow(dead_code)]

pub mod demo;
pub mod pty;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use leadgrid::config::Config;
use leadgrid::demo::DemoOptions;
use leadgrid::engine::backoff::Backoff;
use leadgrid::session::{Session, SessionOptions, StoreChoice};
use leadgrid::store::RunId;
use leadgrid::table::{OpenOptions, Sheet};
use leadgrid::tui::app::App;
use leadgrid::tui::attach_engine;
use leadgrid::tui::draw::draw;
use leadgrid::tui::event::AppEvent;
use leadgrid::tui::mode::Mode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// The headless app: real state, events fed by the test, drawn on a `TestBackend`.
pub struct Harness {
    pub app: App,
    rx: Receiver<AppEvent>,
    terminal: Terminal<TestBackend>,
    /// The engine and demo server, when enrichment is on.
    pub session: Option<Session>,
}

impl Harness {
    /// Opens `path` on a `w`×`h` screen and waits until it is loaded.
    pub fn open(path: &Path, w: u16, h: u16) -> Harness {
        let sheet = Sheet::open(path, &OpenOptions::default()).expect("open sheet");
        let (tx, rx) = channel();
        let mut app = App::new(sheet, tx);
        app.update(AppEvent::Input(Event::Resize(w, h)));
        let terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        let mut h = Harness {
            app,
            rx,
            terminal,
            session: None,
        };
        h.settle();
        h
    }

    /// Opens `path` with an engine talking to a fresh demo server (parallel 8).
    pub fn open_demo(path: &Path, w: u16, h: u16, demo: DemoOptions) -> Harness {
        Harness::open_demo_with(path, w, h, demo, 8)
    }

    /// Opens `path` with an engine talking to a fresh demo server, `parallel` jobs at once,
    /// two attempts per call and short backoff so failing tests stay quick.
    pub fn open_demo_with(
        path: &Path,
        w: u16,
        h: u16,
        demo: DemoOptions,
        parallel: usize,
    ) -> Harness {
        Harness::open_session(path, w, h, Harness::demo_options(demo, parallel))
    }

    /// Session options for a fresh demo server, without a store.
    pub fn demo_options(demo: DemoOptions, parallel: usize) -> SessionOptions {
        SessionOptions {
            demo: Some(demo),
            parallel: Some(parallel),
            max_attempts: Some(2),
            // Generous: a loaded machine must not turn a slow answer into a failed cell.
            request_timeout: Some(Duration::from_secs(30)),
            backoff: Some(Backoff {
                base: Duration::from_millis(5),
                cap: Duration::from_millis(20),
                max_retry_after: Duration::from_millis(20),
            }),
            ..SessionOptions::default()
        }
    }

    /// Opens `path` with a session started from `opts` (journaled under the sheet's path
    /// when `opts` has a store).
    pub fn open_session(path: &Path, w: u16, h: u16, mut opts: SessionOptions) -> Harness {
        let sheet = Sheet::open(path, &OpenOptions::default()).expect("open sheet");
        let (tx, rx) = channel();
        let mut app = App::new(sheet, tx.clone());
        app.update(AppEvent::Input(Event::Resize(w, h)));
        let config = Config::from_sources(None, |_| None).expect("default config");
        if opts.store != StoreChoice::Off {
            opts.run = Some(RunId::for_sheet(path).expect("run id"));
        }
        let mut session = Session::start(&config, opts).expect("session");
        attach_engine(&mut app, &mut session, tx);
        let terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        let mut h = Harness {
            app,
            rx,
            terminal,
            session: Some(session),
        };
        h.settle();
        h
    }

    /// Sends one key with modifiers.
    pub fn key_mod(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.app
            .update(AppEvent::Input(Event::Key(KeyEvent::new(code, mods))));
    }

    /// Sends one plain key.
    pub fn key(&mut self, code: KeyCode) {
        self.key_mod(code, KeyModifiers::NONE);
    }

    /// Types each character as a key press.
    pub fn keys(&mut self, text: &str) {
        for c in text.chars() {
            let mods = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.key_mod(KeyCode::Char(c), mods);
        }
    }

    /// Ctrl + a letter.
    pub fn ctrl(&mut self, c: char) {
        self.key_mod(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    /// Applies background results until nothing is pending (loading, sorting, searching, saving).
    pub fn settle(&mut self) {
        let start = Instant::now();
        loop {
            while let Ok(ev) = self.rx.recv_timeout(Duration::from_millis(5)) {
                self.app.update(ev);
            }
            self.app.update(AppEvent::Tick);
            if !self.app.is_busy() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "app never settled"
            );
        }
    }

    /// The terminal changes size.
    pub fn resize(&mut self, w: u16, h: u16) {
        self.terminal.backend_mut().resize(w, h);
        self.app.update(AppEvent::Input(Event::Resize(w, h)));
    }

    /// Draws and returns the screen's cells.
    pub fn buffer(&mut self) -> ratatui::buffer::Buffer {
        self.terminal.draw(|f| draw(&self.app, f)).expect("draw");
        self.terminal.backend().buffer().clone()
    }

    /// Applies background results (and ticks) until `done` holds, for states reached while
    /// something is still running; the timeout is only the failure bound.
    pub fn settle_until(&mut self, mut done: impl FnMut(&App) -> bool) {
        let start = Instant::now();
        while !done(&self.app) {
            if let Ok(ev) = self.rx.recv_timeout(Duration::from_millis(5)) {
                self.app.update(ev);
            }
            self.app.update(AppEvent::Tick);
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "the condition never held"
            );
        }
    }

    /// Draws and returns the screen as lines of text.
    pub fn render(&mut self) -> String {
        let buf = self.buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..buf.area.width {
                // A wide character's trailing cells belong to it.
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let symbol = buf[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                line.push_str(symbol);
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// Path of a file in the repository.
pub fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Copies a repository file into a fresh temp dir, returning (dir guard, path).
pub fn temp_copy(rel: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = repo_file(rel);
    let dst = dir.path().join(src.file_name().expect("file name"));
    std::fs::copy(&src, &dst).expect("copy");
    (dir, dst)
}

/// Adds `linkedin_profile` through the picker with default mapping, outputs and scope.
pub fn add_profile_column(h: &mut Harness) {
    h.keys("a");
    assert!(matches!(h.app.mode, Mode::Picker(_)));
    h.keys("linkedin_profile");
    let screen = h.render();
    assert!(screen.contains("1/3 choose an integration"), "{screen}");
    assert!(screen.contains("follower_count"), "{screen}");
    h.key(KeyCode::Enter);
    let screen = h.render();
    assert!(screen.contains("column 'linkedin_url'"), "{screen}");
    h.key(KeyCode::Enter);
    h.settle();
    let screen = h.render();
    // Grace has no LinkedIn URL: her row is skipped, not paid.
    assert!(screen.contains("8 rows · 7 calls · est. $0.07"), "{screen}");
    assert!(
        screen.contains("1 row without linkedin_url: skipped, not paid"),
        "{screen}"
    );
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.mode, Mode::Normal));
}

/// The sheet column named `name`.
pub fn column_of(h: &Harness, name: &str) -> usize {
    h.app
        .sheet
        .columns()
        .iter()
        .position(|c| c.name == name)
        .unwrap()
}
