//! AI columns as a user runs them: `leadgrid run` (the real binary) against a loopback demo
//! server standing in for DataGen, Anthropic and an OpenAI-compatible server, with keys and
//! base URLs from the environment and AI columns from `integrations.d/`.

use leadgrid::demo::{DemoHandle, DemoOptions};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/lead-list/sample.csv");

/// A key as long as real ones: a key is scrubbed from every answer, so a short one would
/// mangle the demo's JSON.
const KEY: &str = "demo-key-0123456789abcdef";

/// A temp dir with a config, a store, the sample list and an `integrations.d/`.
struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("config.toml"), "").expect("config");
        fs::copy(SAMPLE, dir.path().join("sample.csv")).expect("sample");
        fs::create_dir(dir.path().join("integrations.d")).expect("integrations.d");
        Dir { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `integrations.d/<name>.toml`.
    fn integration(&self, name: &str, text: &str) {
        fs::write(self.path(&format!("integrations.d/{name}.toml")), text).expect("write");
    }

    /// The binary in this dir, every provider at `demo` with `key` (none of the user's
    /// environment leaks in).
    fn against(&self, demo: &DemoHandle, key: &str) -> Command {
        let base = demo.base_url();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_leadgrid"));
        cmd.current_dir(self.dir.path())
            .env("LEADGRID_CONFIG", self.path("config.toml"))
            .env("LEADGRID_STORE", self.path("store.sqlite3"))
            .env("DATAGEN_BASE_URL", &base)
            .env("DATAGEN_API_KEY", key)
            .env("ANTHROPIC_BASE_URL", &base)
            .env("ANTHROPIC_API_KEY", key)
            .env("OPENAI_BASE_URL", format!("{base}/v1"))
            .env("OPENAI_API_KEY", key);
        cmd
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn summary(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON summary: {e}\nstderr: {}", stderr(out)))
}

/// The output as rows of (column → value).
fn rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    csv::Reader::from_path(path)
        .expect("output")
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn demo(opts: DemoOptions) -> DemoHandle {
    DemoHandle::start_background(opts).expect("demo server")
}

/// An AI column on `llm` whose prompt carries `marker` (a demo fault), without research.
fn marked(name: &str, llm: &str, marker: &str) -> String {
    format!(
        r#"name = "{name}"
kind = "ai"
prompt = "How many employees does {{{{company}}}} ({{{{domain}}}}) have? {marker}"
llm = "{llm}"
model = "demo-model"

[[outputs]]
name = "employees"
type = "integer"

[[outputs]]
name = "industry"
type = "text"
"#
    )
}

#[test]
fn find_ceo_fills_typed_columns_with_research_and_reports_spend() {
    let d = Dir::new();
    let server = demo(DemoOptions::default());
    let out = d
        .against(&server, KEY)
        .args([
            "run",
            "sample.csv",
            "-i",
            "find_ceo",
            "-o",
            "out.csv",
            "--json",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["integrations"]["find_ceo"]["done"], 7);
    assert_eq!(
        s["integrations"]["find_ceo"]["no_data"], 1,
        "Sakura Stack has no CEO"
    );
    let spend = &s["spend"]["find_ceo"];
    assert!(spend["input_tokens"].as_u64().unwrap() > 1000, "{spend}");
    assert!(spend["output_tokens"].as_u64().unwrap() > 0, "{spend}");
    // Priced by the default model's price plus one research call per row.
    let usd = spend["usd"].as_f64().unwrap();
    assert!(usd > 0.08 && usd < 0.2, "{usd}");
    assert_eq!(s["spent"], *spend);
    let rows = rows(&d.path("out.csv"));
    assert_eq!(rows[0]["ceo_name"], "Ada Quill");
    assert_eq!(rows[0]["ceo_title"], "Founder & CEO");
    assert_eq!(
        rows[0]["ceo_linkedin_url"],
        "https://www.linkedin.com/in/ada-quill-demo/"
    );
    assert_eq!(
        rows[0]["ceo_source_url"],
        "https://brightforge.example/about"
    );
    let confidence: f64 = rows[0]["ceo_confidence"].parse().unwrap();
    assert!((0.0..=1.0).contains(&confidence));
    // "Not found" is no data: empty cells, never "N/A".
    let sakura = &rows[7];
    assert_eq!(sakura["company"], "Sakura Stack");
    for column in [
        "ceo_name",
        "ceo_title",
        "ceo_linkedin_url",
        "ceo_confidence",
    ] {
        assert_eq!(sakura[column], "", "{column}");
    }
    let text = fs::read_to_string(d.path("out.csv")).unwrap();
    assert!(!text.contains("N/A"));
    let stats = server.stats();
    assert_eq!(stats.by_tool["chatgpt_webresearch"], 8);
    assert_eq!(stats.by_tool["anthropic/messages"], 8);
}

#[test]
fn both_protocols_retry_an_invalid_answer_once_with_the_error() {
    let d = Dir::new();
    d.integration(
        "size_a",
        &marked("size_a", "anthropic", "[demo:invalid-once]"),
    );
    d.integration("size_o", &marked("size_o", "openai", "[demo:invalid-once]"));
    let server = demo(DemoOptions::default());
    let out = d
        .against(&server, KEY)
        .args([
            "run",
            "sample.csv",
            "-i",
            "size_a,size_o",
            "-o",
            "out.csv",
            "--json",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = summary(&out);
    for name in ["size_a", "size_o"] {
        assert_eq!(s["integrations"][name]["done"], 8, "{name}: {s}");
    }
    let stats = server.stats();
    // Every row: a first answer that breaks the schema, then one retry that fits.
    assert_eq!(stats.by_tool["anthropic/messages"], 16);
    assert_eq!(stats.by_tool["openai/chat_completions"], 16);
    let rows = rows(&d.path("out.csv"));
    assert_eq!(rows[0]["employees"], "140", "Brightforge Labs' head count");
    assert_eq!(rows[0]["industry"], "Developer tools");
}

#[test]
fn an_answer_that_stays_cut_off_fails_after_one_retry() {
    let d = Dir::new();
    d.integration("size_t", &marked("size_t", "anthropic", "[demo:truncate]"));
    let server = demo(DemoOptions::default());
    let out = d
        .against(&server, KEY)
        .args([
            "run",
            "sample.csv",
            "-i",
            "size_t",
            "--limit",
            "2",
            "-o",
            "out.csv",
            "--json",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(summary(&out)["integrations"]["size_t"]["failed"], 2);
    assert_eq!(
        server.stats().by_tool["anthropic/messages"],
        4,
        "one retry per row"
    );
    let rows = rows(&d.path("out.csv"));
    assert!(
        rows[0]["size_t_error"].contains("even after a retry: the answer was cut off"),
        "{}",
        rows[0]["size_t_error"]
    );
}

#[test]
fn an_overload_is_waited_out_as_its_retry_after_says_in_both_protocols() {
    let d = Dir::new();
    d.integration(
        "size_529",
        &marked("size_529", "anthropic", "[demo:overload-once]"),
    );
    d.integration(
        "size_503",
        &marked("size_503", "openai", "[demo:overload-once]"),
    );
    let server = demo(DemoOptions::default());
    let started = Instant::now();
    let out = d
        .against(&server, KEY)
        .args([
            "run",
            "sample.csv",
            "-i",
            "size_529,size_503",
            "--limit",
            "1",
        ])
        .args(["-o", "out.csv", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["integrations"]["size_529"]["done"], 1);
    assert_eq!(s["integrations"]["size_503"]["done"], 1);
    let stats = server.stats();
    // Anthropic's overload is a 529, OpenAI's a 503, both with `retry-after: 1`.
    assert_eq!(stats.faults_by_kind.get("529"), Some(&1), "{stats:?}");
    assert_eq!(stats.faults_by_kind.get("503"), Some(&1), "{stats:?}");
    assert_eq!(stats.by_tool["anthropic/messages"], 1);
    assert_eq!(stats.by_tool["openai/chat_completions"], 1);
    // The second attempts waited at least the second the servers asked for.
    assert!(started.elapsed().as_secs_f64() >= 1.0);
}

#[test]
fn a_refused_key_stops_the_ai_column_and_names_the_variable_in_both_protocols() {
    let d = Dir::new();
    d.integration("size_k", &marked("size_k", "anthropic", ""));
    d.integration("size_ko", &marked("size_ko", "openai", ""));
    let right = "demo-key-right-0123456789";
    let server = demo(DemoOptions {
        required_key: Some(right.into()),
        ..DemoOptions::default()
    });
    let out = d
        .against(&server, right)
        .env("ANTHROPIC_API_KEY", "demo-key-wrong-0123456789")
        .env("OPENAI_API_KEY", "demo-key-wrong-0123456789")
        // One request at a time, so each first 401 is seen before another is sent.
        .args(["run", "sample.csv", "-i", "size_k,size_ko,email_domain"])
        .args(["--parallel", "1", "-o", "out.csv", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let s = summary(&out);
    // The 401 fails its cell (and any already past the engine's stop, refused by the caller
    // without a request); the column's other cells are cancelled, so the same command with a
    // good key runs them.
    for column in ["size_k", "size_ko"] {
        let c = &s["integrations"][column];
        let (failed, cancelled) = (c["failed"].as_u64(), c["cancelled"].as_u64());
        assert_eq!(failed.zip(cancelled).map(|(f, c)| f + c), Some(8), "{s}");
        assert!(failed >= Some(1) && cancelled >= Some(1), "{s}");
    }
    assert_eq!(
        s["integrations"]["email_domain"]["done"], 8,
        "the other column runs"
    );
    let err = stderr(&out);
    for variable in ["ANTHROPIC_API_KEY", "OPENAI_API_KEY"] {
        assert!(
            err.contains("refused the key") && err.contains(variable),
            "{variable}: {err}"
        );
    }
    assert!(
        !err.contains("demo-key-wrong"),
        "the key is never printed: {err}"
    );
    assert_eq!(
        server.stats().unauthorized,
        2,
        "one 401 per protocol, then each column stops"
    );
}

#[test]
fn a_missing_key_fails_its_cells_with_the_variable_and_never_blocks_the_others() {
    let d = Dir::new();
    let server = demo(DemoOptions::default());
    // No Anthropic key for its public API: find_ceo cannot run, email_domain can.
    let out = d
        .against(&server, KEY)
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("ANTHROPIC_BASE_URL")
        .args([
            "run",
            "sample.csv",
            "-i",
            "find_ceo,email_domain",
            "-o",
            "out.csv",
            "--json",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["integrations"]["email_domain"]["done"], 8);
    assert_eq!(s["integrations"]["find_ceo"]["failed"], 8);
    let rows = rows(&d.path("out.csv"));
    assert_eq!(
        rows[0]["find_ceo_error"],
        "no Anthropic API key: set ANTHROPIC_API_KEY (or use --demo)"
    );
    assert_eq!(
        server.stats().by_tool.get("chatgpt_webresearch"),
        None,
        "no research was paid for a row that could not finish"
    );
    // Alone, it refuses to start at all.
    let alone = d
        .against(&server, KEY)
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("ANTHROPIC_BASE_URL")
        .args(["run", "sample.csv", "-i", "find_ceo", "-o", "out2.csv"])
        .output()
        .expect("run");
    assert_eq!(alone.status.code(), Some(1));
    assert_eq!(
        stderr(&alone).trim(),
        "leadgrid run: no Anthropic API key: set ANTHROPIC_API_KEY (or use --demo)"
    );
}

#[test]
fn a_done_cell_is_free_the_second_time_and_an_edited_prompt_is_not() {
    let d = Dir::new();
    d.integration("size_c", &marked("size_c", "openai", ""));
    let server = demo(DemoOptions::default());
    let run = |output: &str| {
        let out = d
            .against(&server, KEY)
            .args(["run", "sample.csv", "-i", "size_c", "-o", output, "--json"])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        summary(&out)
    };
    let first = run("a.csv");
    assert_eq!(first["calls_made"], 8);
    // Another output: a new journal, so the answers come from the response cache.
    let second = run("b.csv");
    assert_eq!(second["calls_made"], 0);
    assert_eq!(second["calls_cached"], 8);
    assert!(
        second.get("spend").unwrap().get("size_c").is_none(),
        "nothing paid"
    );
    assert_eq!(
        fs::read(d.path("a.csv")).unwrap(),
        fs::read(d.path("b.csv")).unwrap()
    );
    // The same command again: restored from its journal.
    assert_eq!(run("a.csv")["cells_restored"], 8);
    // An edited prompt asks again, and is not restored from the old journal.
    d.integration(
        "size_c",
        &marked("size_c", "openai", "").replace("How many", "About how many"),
    );
    let edited = run("a.csv");
    assert_eq!(edited["cells_restored"], 0);
    assert_eq!(edited["calls_made"], 8);
    assert_eq!(server.stats().by_tool["openai/chat_completions"], 16);
}

#[test]
fn integrations_lists_user_files_and_explains_broken_ones() {
    let d = Dir::new();
    d.integration("size_l", &marked("size_l", "openai", ""));
    d.integration(
        "broken",
        "name = \"broken\"\nkind = \"ai\"\npromt = \"typo\"\n",
    );
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_leadgrid"))
            .current_dir(d.dir.path())
            .env("LEADGRID_CONFIG", d.path("config.toml"))
            .args(args)
            .output()
            .expect("run")
    };
    let out = run(&["integrations", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mine = json["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "size_l")
        .expect("listed");
    assert_eq!(mine["kind"], "ai");
    assert_eq!(mine["defined_in"], "integrations.d");
    assert_eq!(mine["provider"], "openai");
    assert_eq!(
        mine["outputs"][0],
        serde_json::json!({"name": "employees", "kind": "integer", "description": ""})
    );
    assert_eq!(mine["inputs"][0]["name"], "company");
    let problems = json["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0]["name"], "broken");
    assert!(
        problems[0]["error"]
            .as_str()
            .unwrap()
            .contains("unknown field `promt`")
    );
    assert!(
        json["integrations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"] == "find_ceo")
    );
    let text = String::from_utf8_lossy(&run(&["integrations"]).stdout).into_owned();
    assert!(text.contains("size_l  (openai"), "{text}");
    assert!(
        text.contains("not loaded: ") && text.contains("broken.toml"),
        "{text}"
    );
}

#[test]
fn the_readme_example_file_loads_as_written() {
    use leadgrid::config::Config;
    use leadgrid::integrations::user::definition::Definition;
    use leadgrid::integrations::user::{Catalog, Settings};
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("### Your own integrations").expect("section")..];
    let start = section
        .find("```toml\nname = \"funding_stage\"")
        .expect("example")
        + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let d = Dir::new();
    d.integration("funding_stage", example);
    let config = Config::from_sources(None, |_| None).unwrap();
    let catalog = Catalog::load(
        Some(d.path("integrations.d")),
        Settings::from_config(&config),
    );
    assert!(catalog.problems().is_empty(), "{:?}", catalog.problems());
    let spec = catalog.find("funding_stage").expect("loaded").spec();
    assert_eq!(spec.outputs.len(), 2);
    assert_eq!(spec.tools, ["chatgpt_webresearch", "messages"]);
    assert!(Definition::parse(example).is_ok());
}
