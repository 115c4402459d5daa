//! `leadgrid run` against a deliberately hostile server and big files: every case ends
//! within a bound, with the right exit code, no escape byte in stderr or the CSV, no key
//! at another origin, and bounded memory where it can be measured.

use leadgrid::demo::hostile::HostileServer;
use serde_json::Value;
use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "sk-hostile-test-key-1234";
/// Failure bound only: every case is expected to end far sooner.
const BOUND: Duration = Duration::from_secs(90);

struct Env {
    dir: tempfile::TempDir,
    server: HostileServer,
    _runtime: tokio::runtime::Runtime,
}

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    stderr_bytes: Vec<u8>,
    elapsed: Duration,
    /// Peak resident memory in KiB, when /proc tells.
    peak_rss_kib: Option<u64>,
}

impl Env {
    fn new() -> Env {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime
            .block_on(HostileServer::start())
            .expect("hostile server");
        let dir = tempfile::tempdir().expect("tempdir");
        Env {
            dir,
            server,
            _runtime: runtime,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A lead list of `rows` people with LinkedIn URLs.
    fn leads(&self, rows: usize) -> PathBuf {
        let mut text = String::from("name,linkedin_url\n");
        for i in 0..rows {
            text.push_str(&format!(
                "Person {i},https://www.linkedin.com/in/person-{i}/\n"
            ));
        }
        let path = self.path("in.csv");
        fs::write(&path, text).expect("write input");
        path
    }

    fn config(&self, text: &str) {
        fs::write(self.path("config.toml"), text).expect("config");
    }

    /// `leadgrid run in.csv -i linkedin_profile --json ARGS` against `case`.
    fn run(&self, case: &str, args: &[&str]) -> Ran {
        if !self.path("config.toml").exists() {
            self.config("");
        }
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_leadgrid"));
        cmd.current_dir(self.dir.path())
            .env("LEADGRID_CONFIG", self.path("config.toml"))
            .env("LEADGRID_STORE", self.path("store.sqlite3"))
            .env("DATAGEN_API_KEY", KEY)
            .env("DATAGEN_BASE_URL", self.server.base_url(case))
            .args(["run", "in.csv", "-i", "linkedin_profile", "--json"])
            .args(args);
        run_bounded(cmd)
    }

    fn output(&self) -> String {
        fs::read_to_string(self.path("in_enriched.csv")).expect("output written")
    }
}

fn run_bounded(mut cmd: Command) -> Ran {
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn leadgrid");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        buf
    });
    let mut peak: Option<u64> = None;
    let status = loop {
        if let Some(hwm) = peak_rss_kib(child.id()) {
            peak = Some(peak.map_or(hwm, |p| p.max(hwm)));
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > BOUND {
            let _ = child.kill();
            panic!("leadgrid did not finish within {BOUND:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = out_thread.join().expect("stdout thread");
    let stderr_bytes = err_thread.join().expect("stderr thread");
    Ran {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr_bytes).into_owned(),
        stderr_bytes,
        elapsed: started.elapsed(),
        peak_rss_kib: peak,
    }
}

/// `VmHWM` of a live process (Linux); `None` elsewhere or once it has exited.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn summary(ran: &Ran) -> Value {
    serde_json::from_str(&ran.stdout)
        .unwrap_or_else(|e| panic!("JSON summary: {e}\nstderr: {}", ran.stderr))
}

fn assert_no_escapes(what: &str, bytes: &[u8]) {
    assert!(
        !bytes.iter().any(|&b| b == 0x1b || b == 0x07),
        "{what} carries control bytes: {}",
        String::from_utf8_lossy(bytes)
    );
    assert!(
        !String::from_utf8_lossy(bytes).contains('\u{9b}'),
        "{what} carries a C1 CSI"
    );
}

fn error_column(csv_text: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let col = headers
        .iter()
        .position(|h| h == "linkedin_profile_error")
        .expect("an error column");
    reader
        .records()
        .map(|r| r.expect("record").get(col).unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn redirects_to_another_host_are_refused_and_the_key_stays_home() {
    for case in [
        "redirect-301",
        "redirect-302",
        "redirect-307",
        "redirect-308",
    ] {
        let env = Env::new();
        env.leads(2);
        let ran = env.run(case, &["--max-attempts", "1"]);
        assert_eq!(ran.code, Some(2), "{case}: {}", ran.stderr);
        assert!(
            env.server.seen_elsewhere().is_empty(),
            "{case}: the other host was reached: {:?}",
            env.server.seen_elsewhere()
        );
        assert!(env.server.seen().iter().all(|s| s.referer.is_none()));
        for message in error_column(&env.output()) {
            assert!(
                message.contains("redirected to another host"),
                "{case}: {message}"
            );
            assert!(!message.contains(KEY));
        }
        assert!(!env.output().contains("answer from another host"));
    }
}

#[test]
#[ignore = "heavy (seconds of real time): scripts/heavy-tests runs it"]
fn absurd_retry_after_values_are_capped_and_the_run_finishes() {
    let env = Env::new();
    env.leads(4);
    env.config("[engine]\nmax_retry_after_secs = 1\n");
    let ran = env.run("retry-after-huge", &["--parallel", "1"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let s = summary(&ran);
    assert_eq!(s["integrations"]["linkedin_profile"]["done"], 4, "{s}");
    assert!(env.output().contains("fine after waiting"));
}

#[test]
#[ignore = "heavy (seconds of real time): scripts/heavy-tests runs it"]
fn huge_and_endless_bodies_fail_the_cell_with_memory_bounded() {
    for case in ["huge-body", "endless-body"] {
        let env = Env::new();
        env.leads(2);
        let ran = env.run(case, &["--max-attempts", "1", "--timeout", "60"]);
        assert_eq!(ran.code, Some(2), "{case}: {}", ran.stderr);
        for message in error_column(&env.output()) {
            assert!(
                message.contains("response larger than 8 MB"),
                "{case}: {message}"
            );
        }
        if let Some(peak) = ran.peak_rss_kib {
            // The cap is 8 MB a body; two bodies in flight and the program itself fit well under this.
            assert!(peak < 160 * 1024, "{case}: peak RSS {peak} KiB");
        }
        assert!(
            ran.elapsed < Duration::from_secs(60),
            "{case}: {:?}",
            ran.elapsed
        );
    }
}

#[test]
fn server_escape_sequences_never_reach_stderr_or_the_csv() {
    for case in ["escapes-401", "escapes-500"] {
        let env = Env::new();
        // One row: an auth stop on the last (only) cell must still be reported.
        env.leads(1);
        let ran = env.run(case, &["--max-attempts", "1"]);
        assert_eq!(ran.code, Some(2), "{case}: {}", ran.stderr);
        assert_no_escapes("stderr", &ran.stderr_bytes);
        assert_no_escapes("stdout", ran.stdout.as_bytes());
        let csv_text = env.output();
        assert_no_escapes("the CSV", csv_text.as_bytes());
        let messages = error_column(&csv_text);
        assert!(messages[0].contains("red"), "{case}: {}", messages[0]);
        if case == "escapes-401" {
            let stopped = &summary(&ran)["stopped"];
            assert_eq!(stopped.as_array().map(Vec::len), Some(1), "{stopped}");
            assert_no_escapes("the stop line", stopped.to_string().as_bytes());
        }
    }
}

#[test]
fn a_key_echoed_in_a_result_is_scrubbed_from_csv_store_and_output() {
    let env = Env::new();
    env.leads(2);
    let ran = env.run("echo-key", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let csv_text = env.output();
    assert!(csv_text.contains("your key is ***"), "{csv_text}");
    assert!(!csv_text.contains(KEY));
    assert!(!ran.stdout.contains(KEY) && !ran.stderr.contains(KEY));
    let store = fs::read(env.path("store.sqlite3")).expect("store written");
    let needle = KEY.as_bytes();
    assert!(
        !store.windows(needle.len()).any(|w| w == needle),
        "the key is in the store"
    );
}

#[test]
fn a_failing_provider_is_paused_probed_and_then_fails_fast() {
    let env = Env::new();
    env.leads(40);
    env.config("[engine]\nbreaker_failures = 3\nbreaker_cooldown_secs = 600\n");
    let ran = env.run("always-500", &["--parallel", "2", "--max-attempts", "3"]);
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    let s = summary(&ran);
    assert_eq!(s["integrations"]["linkedin_profile"]["failed"], 40, "{s}");
    // Without the breaker: 40 cells × 3 attempts = 120 requests.
    let requests = env.server.requests();
    assert!(
        requests <= 12,
        "{requests} requests reached a dead provider"
    );
    assert_eq!(
        ran.stderr.matches("paused, probing").count(),
        1,
        "{}",
        ran.stderr
    );
    assert_eq!(
        ran.stderr.matches("still failing").count(),
        1,
        "{}",
        ran.stderr
    );
    let messages = error_column(&env.output());
    assert!(messages.iter().any(|m| m.contains("datagen is down")));
}

#[test]
#[ignore = "heavy (seconds of real time): scripts/heavy-tests runs it"]
fn a_hung_provider_costs_a_few_timeouts_not_one_per_cell() {
    let env = Env::new();
    env.leads(30);
    env.config("[engine]\nbreaker_failures = 2\nbreaker_cooldown_secs = 600\n");
    let ran = env.run(
        "hang",
        &["--parallel", "2", "--max-attempts", "2", "--timeout", "1"],
    );
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    // 30 cells × 2 attempts × 1 s would be a minute at parallel 1; the breaker ends it in a few.
    assert!(
        ran.elapsed < Duration::from_secs(20),
        "took {:?}",
        ran.elapsed
    );
}

fn generated(env: &Env, rows: usize) -> PathBuf {
    let path = env.path("in.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_leadgrid"))
        .args(["gen", "--rows", &rows.to_string(), "--out"])
        .arg(&path)
        .output()
        .expect("gen");
    assert!(out.status.success());
    path
}

fn run_local(env: &Env, args: &[&str]) -> Ran {
    if !env.path("config.toml").exists() {
        env.config("");
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leadgrid"));
    cmd.current_dir(env.dir.path())
        .env("LEADGRID_CONFIG", env.path("config.toml"))
        .env("LEADGRID_STORE", env.path("store.sqlite3"))
        .env_remove("DATAGEN_API_KEY")
        .args(["run", "in.csv", "-i", "email_domain", "--json"])
        .args(args);
    run_bounded(cmd)
}

#[test]
#[ignore = "heavy (seconds of real time): scripts/heavy-tests runs it"]
fn windows_that_need_no_calls_do_not_hang_the_run() {
    let env = Env::new();
    generated(&env, 20_000);
    let first = run_local(&env, &[]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    // Resumed: every cell comes from the journal, no job is ever submitted.
    let again = run_local(&env, &[]);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert_eq!(summary(&again)["cells_restored"], 20_000);
    // Filled already: --skip-existing over the enriched file needs nothing either.
    fs::rename(env.path("in_enriched.csv"), env.path("in.csv")).expect("rename");
    let skip = run_local(&env, &["--skip-existing", "--no-store"]);
    assert_eq!(skip.code, Some(0), "{}", skip.stderr);
}

#[test]
fn a_small_limit_on_a_big_file_finishes() {
    let env = Env::new();
    generated(&env, 40_000);
    let ran = run_local(&env, &["--limit", "5", "--no-store"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(summary(&ran)["rows_enriched"], 5);
    let records = csv::Reader::from_path(env.path("in_enriched.csv"))
        .expect("output")
        .records()
        .count();
    assert_eq!(records, 40_000);
}

#[test]
fn run_writes_in_the_inputs_dialect() {
    let env = Env::new();
    fs::write(
        env.path("in.csv"),
        "\u{feff}name|email\r\nAda|ada@brightforge.example\r\n\"Bram | Jr\"|bram@nullpoint.example\r\n",
    )
    .expect("write");
    let ran = run_local(&env, &["--no-store"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let out = fs::read(env.path("in_enriched.csv")).expect("output");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(
        text.starts_with("\u{feff}name|email|email_domain\r\n"),
        "{text:?}"
    );
    assert!(text.contains("\r\n\"Bram | Jr\"|bram@nullpoint.example|nullpoint.example\r\n"));
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every line ends CRLF: {text:?}"
    );
}

#[test]
fn run_writes_through_a_symlinked_output_and_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    fs::write(env.path("in.csv"), "email\nada@brightforge.example\n").expect("write");
    let real = env.path("real_out.csv");
    fs::write(&real, "old\n").expect("write");
    fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).expect("chmod");
    std::os::unix::fs::symlink(&real, env.path("link.csv")).expect("symlink");
    let ran = run_local(&env, &["--output", "link.csv"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let link = fs::symlink_metadata(env.path("link.csv")).expect("link");
    assert!(link.file_type().is_symlink(), "the link is kept");
    assert!(
        fs::read_to_string(&real)
            .expect("read")
            .contains("brightforge.example")
    );
    let mode = fs::metadata(&real).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let store = fs::metadata(env.path("store.sqlite3")).expect("store");
    assert_eq!(
        store.permissions().mode() & 0o777,
        0o600,
        "the store is private"
    );
}

#[test]
fn an_unbalanced_quote_is_reported_with_its_line() {
    let env = Env::new();
    fs::write(
        env.path("in.csv"),
        "name,title,email\nAda,CEO,ada@a.example\nBram,\"Head, Growth,bram@b.example\nCai,CTO,cai@c.example\nDee,VP\",dee@d.example\n",
    )
    .expect("write");
    let ran = run_local(&env, &["--no-store"]);
    assert!(
        ran.stderr
            .contains("line 3: a quoted field holds what looks like whole rows"),
        "{}",
        ran.stderr
    );
    assert!(summary(&ran)["warnings"].to_string().contains("line 3"));
}
