//! The terminal UI as components: the grid and each popup (picker, inspector, runs panel,
//! prompt, dialogs, cell view, help) own their state, handle their keys from their own
//! command table and draw themselves; [`app::App`] routes events to them and carries out
//! the [`intent::Intent`]s they return. The enrichment model ([`enrich`]) has no UI.
//!
//! One loop waits on one channel fed by the input thread, background workers and
//! the engine; it applies every pending event, then draws once.

pub mod action;
pub mod app;
pub mod bound;
pub mod cell_view;
pub mod census;
pub mod clipboard;
pub mod command;
pub mod component;
pub mod deps;
pub mod dialog;
pub mod draw;
pub mod enrich;
pub mod event;
pub mod formula;
pub mod grid;
pub mod help;
pub mod inspector;
pub mod intent;
pub mod message;
pub mod mode;
pub mod open;
pub mod persist;
pub mod picker;
pub mod popup;
pub mod prompt;
pub mod runs;
pub mod scope;
pub mod scroll;
pub mod text;
pub mod trust;
pub mod withheld;

use crate::config::Config;
use crate::integrations::user::Catalog;
use crate::integrations::user::project::TrustStore;
use crate::session::{Session, SessionOptions};
use crate::table::{OpenOptions, Sheet};
use app::App;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use event::AppEvent;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use std::io::{self, Stdout};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// How often the screen refreshes while something is loading or running.
const TICK: Duration = Duration::from_millis(80);

/// What the user asked for on the command line.
#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    pub file: Option<PathBuf>,
    pub open: OpenOptions,
    /// Engine settings, including `--demo`.
    pub session: SessionOptions,
}

/// Most engine events handed to the UI at once.
const ENGINE_BATCH: usize = 4096;

/// Connects an app to a running session. A forwarder thread gathers the engine's events into
/// batches and hands them over one at a time through a one-slot channel, waking the loop with
/// [`AppEvent::Engine`]: a burst (a million cells cancelled at once) waits in the engine's
/// channel, never between the user's keys and the loop.
pub fn attach_engine(app: &mut App, session: &mut Session, tx: Sender<AppEvent>) {
    app.enrich = enrich::Enrichments::new(session.engine.clone());
    app.enrich.caller = Some(session.caller.clone());
    app.enrich.missing_keys = session.missing_keys.clone();
    app.enrich.demo = session.demo.is_some();
    app.persist = match (&session.store, &session.run) {
        (Some(store), Some(run)) => Some(persist::Persistence {
            store: store.clone(),
            run: run.clone(),
        }),
        _ => None,
    };
    if let Some(warning) = &session.store_warning {
        app.say(message::Message::error(warning.clone()));
    }
    let Some(mut events) = session.take_events() else {
        return;
    };
    let (slot, batches) = mpsc::sync_channel(1);
    app.enrich.events = Some(batches);
    let spawned = std::thread::Builder::new()
        .name("leadgrid-engine-events".into())
        .spawn(move || {
            while let Some(first) = events.blocking_recv() {
                let mut batch = vec![first];
                while batch.len() < ENGINE_BATCH
                    && let Some(event) = events.try_recv()
                {
                    batch.push(event);
                }
                // Waits while the app has not taken the previous batch yet.
                if slot.send(batch).is_err() || tx.send(AppEvent::Engine).is_err() {
                    break;
                }
            }
        });
    if spawned.is_err() {
        app.enrich.engine = None;
    }
}

/// Runs the grid until the user quits. The terminal is restored on every exit path.
pub fn run(opts: TuiOptions) -> anyhow::Result<()> {
    // Open the file and start the engine before touching the terminal, so a bad
    // file or config is one clean line on stderr.
    let config = Config::load()?;
    let (sheet, mut session, mut catalog) = match &opts.file {
        Some(path) => {
            let sheet = Sheet::open(path, &opts.open)?;
            let (session, catalog) = start_session(&config, &opts.session, path)?;
            (Some(sheet), session, Some(catalog))
        }
        None => (None, None, None),
    };
    let mut terminal = TerminalGuard::enter()?;
    let sheet = match sheet {
        Some(s) => s,
        None => {
            let candidates = open::candidates();
            let Some(path) = open::choose(&mut terminal.terminal, &candidates)? else {
                return Ok(());
            };
            let opened = Sheet::open(&path, &opts.open)
                .map_err(anyhow::Error::from)
                .and_then(|s| Ok((s, start_session(&config, &opts.session, &path)?)));
            match opened {
                Ok((s, (started, loaded))) => {
                    session = started;
                    catalog = Some(loaded);
                    s
                }
                Err(e) => {
                    drop(terminal);
                    return Err(e);
                }
            }
        }
    };
    let (tx, rx) = mpsc::channel();
    spawn_input_thread(tx.clone());
    let mut app = App::new(sheet, tx.clone());
    if let Some(session) = &mut session {
        attach_engine(&mut app, session, tx);
    }
    app.set_catalog(catalog.unwrap_or_else(|| Catalog::from_config(&config)));
    let size = terminal.terminal.size()?;
    app.update(AppEvent::Input(crossterm::event::Event::Resize(
        size.width,
        size.height,
    )));
    let mut copies = clipboard::Copies::default();
    event_loop(&mut terminal.terminal, &mut app, &rx, |app, _| {
        copies.send_new(app, &mut io::stdout())
    })
}

/// Starts the engine for a sheet, journaling under the sheet's path, with the integrations
/// the sheet may use (a project file beside it joins once trusted; the session already knows
/// its providers' limits). It starts without API keys too: local integrations run, and the
/// picker marks those whose provider needs a key.
fn start_session(
    config: &Config,
    opts: &SessionOptions,
    path: &std::path::Path,
) -> anyhow::Result<(Option<Session>, Catalog)> {
    let catalog =
        Catalog::from_config(config).with_project_beside(path, &TrustStore::in_config_dir(), false);
    let mut config = config.clone();
    catalog.configure(&mut config);
    let mut opts = opts.clone();
    opts.allow_no_key = true;
    if opts.store != crate::session::StoreChoice::Off {
        opts.run = crate::store::RunId::for_sheet(path).ok();
    }
    Ok((Some(Session::start(&config, opts)?), catalog))
}

/// Longest time spent applying queued events before a frame is drawn, so a flood
/// of engine results never delays the screen.
const FRAME_BUDGET: Duration = Duration::from_millis(8);

/// The UI loop: wait for an event, apply everything pending (within a budget), draw once.
/// `on_frame` hears, after each frame, how many input events that frame answered.
pub fn event_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    rx: &Receiver<AppEvent>,
    mut on_frame: impl FnMut(&App, usize),
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    terminal.draw(|f| draw::draw(app, f))?;
    loop {
        let first = if app.wants_ticks() {
            match rx.recv_timeout(TICK) {
                Ok(ev) => ev,
                Err(RecvTimeoutError::Timeout) => AppEvent::Tick,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        } else {
            match rx.recv() {
                Ok(ev) => ev,
                Err(_) => return Ok(()),
            }
        };
        let started = Instant::now();
        let mut inputs = usize::from(matches!(first, AppEvent::Input(_)));
        app.update(first);
        // Many events, one frame.
        while started.elapsed() < FRAME_BUDGET {
            let Ok(ev) = rx.try_recv() else { break };
            inputs += usize::from(matches!(ev, AppEvent::Input(_)));
            app.update(ev);
        }
        app.update(AppEvent::Tick);
        if app.quit {
            return Ok(());
        }
        terminal.draw(|f| draw::draw(app, f))?;
        on_frame(app, inputs);
    }
}

fn spawn_input_thread(tx: Sender<AppEvent>) {
    let spawned = std::thread::Builder::new()
        .name("leadgrid-input".into())
        .spawn(move || {
            while let Ok(ev) = crossterm::event::read() {
                if tx.send(AppEvent::Input(ev)).is_err() {
                    break;
                }
            }
        });
    if spawned.is_err() {
        eprintln!("leadgrid: could not start the input thread");
    }
}

/// Puts the terminal in raw mode on the alternate screen and restores it on drop and on panic.
struct TerminalGuard {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook(restore);
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        if let Err(e) = execute!(
            stdout,
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        ) {
            restore();
            return Err(e);
        }
        let terminal = Terminal::new(CrosstermBackend::new(stdout)).inspect_err(|_| restore())?;
        Ok(TerminalGuard { terminal })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
        let _ = self.terminal.show_cursor();
    }
}

/// Installs a panic hook for the grid, with the calling thread as the UI thread. A panic
/// there ends the grid: `restore` gives the terminal back, then the panic is reported as
/// before. A panic on any other thread prints nothing over the grid and leaves the terminal
/// alone: whoever catches it reports it (the engine turns a worker's panic into a failed
/// cell with its message).
pub fn install_panic_hook(restore: fn()) {
    let ui = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui {
            restore();
            previous(info);
        }
    }));
}

fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen
    );
}
