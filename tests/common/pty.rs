//! Runs the real `leadgrid` binary in a pseudo-terminal and reads its screen.

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running binary in a pty, with a terminal emulator parsing its output.
pub struct PtyApp {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
}

impl PtyApp {
    /// Starts the binary with `args` in `cwd` on a `cols`×`rows` terminal.
    pub fn spawn(args: &[&str], cwd: &Path, cols: u16, rows: u16) -> PtyApp {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_leadgrid"));
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("DATAGEN_API_KEY");
        // Each test keeps its cache and journal beside its files, never in the user's.
        cmd.env("LEADGRID_STORE", cwd.join("store.sqlite3"));
        let config = cwd.join("config.toml");
        if !config.exists() {
            std::fs::write(&config, "").expect("write empty config");
        }
        cmd.env("LEADGRID_CONFIG", config);
        let child = pty.slave.spawn_command(cmd).expect("spawn leadgrid");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(rows).expect("rows > 0"),
            std::num::NonZeroU16::new(cols).expect("cols > 0"),
            0,
        )));
        let feed = parser.clone();
        std::thread::spawn(move || {
            // Keep the master alive as long as the reader runs.
            let _master = pty.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
            }
        });
        PtyApp {
            parser,
            writer,
            child,
        }
    }

    /// The screen as text, one line per row.
    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Types raw bytes (keys, escape sequences).
    pub fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits until the screen satisfies `pred`; panics with the screen after `timeout`.
    pub fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {what}; screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the screen contains `text`.
    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, Duration::from_secs(20), |s| s.contains(text))
    }

    /// Waits for the process to exit and returns whether it succeeded.
    pub fn wait_exit(&mut self, timeout: Duration) -> bool {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                panic!("leadgrid did not exit; screen was:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for PtyApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
