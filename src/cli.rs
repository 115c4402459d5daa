//! Command-line arguments (clap).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// What `--help` says about the environment: every variable leadgrid reads.
pub const ENVIRONMENT: &str = "\
Environment:
  DATAGEN_API_KEY     DataGen key: LinkedIn tools, web research, and HeyReach (through the
                      HeyReach server connected to your DataGen account)
  DATAGEN_BASE_URL    another DataGen endpoint (default https://api.datagen.dev)
  ANTHROPIC_API_KEY   Anthropic key, for integrations that call Claude (ANTHROPIC_BASE_URL: another endpoint)
  OPENAI_API_KEY      key for an OpenAI-compatible endpoint (OPENAI_BASE_URL: e.g. a local
                      llama.cpp, vLLM or Ollama server, which may need no key)
  APOLLO_API_KEY      Apollo key (APOLLO_BASE_URL: another endpoint)
  HUNTER_API_KEY      Hunter key (HUNTER_BASE_URL: another endpoint)
  LEADGRID_CONFIG     the settings file (default ~/.config/leadgrid/config.toml on Linux)
  LEADGRID_STORE      the response cache and run journal (default
                      ~/.local/share/leadgrid/leadgrid.sqlite3 on Linux)
  LEADGRID_<PROVIDER>_BASE_URL
                      another address for the provider of your own http integrations
                      (e.g. LEADGRID_EXAMPLE_BASE_URL); they read their own keys from the
                      variables their files name ({{env.NAME}})

Keys are read, never written. Without one the grid still opens and local integrations run;
--demo runs everything against a built-in server with fictional data, free.";

/// Enrich lead-list CSVs in a fast terminal spreadsheet.
#[derive(Debug, Parser)]
#[command(
    name = "leadgrid",
    version,
    about,
    after_help = ENVIRONMENT,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// A subcommand; without one, FILE opens in the spreadsheet.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the spreadsheet view.
    #[command(flatten)]
    pub open: OpenArgs,
}

/// `leadgrid [FILE]`: the spreadsheet.
#[derive(Debug, Clone, Args)]
pub struct OpenArgs {
    /// The CSV file to open.
    pub file: Option<PathBuf>,
    /// Use the built-in demo server (fictional data, no API key needed).
    #[arg(long)]
    pub demo: bool,
    /// Field delimiter (one character, or `tab`) [default: detected among , ; tab |].
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Text encoding of FILE [default: utf8, with or without BOM; a file that is not valid UTF-8 is refused with the line, and a hint to use latin1].
    #[arg(long, value_enum)]
    pub encoding: Option<Encoding>,
    /// Response cache and run journal: none, or this SQLite file [default: $LEADGRID_STORE, else the data dir].
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Where answers and finished cells are kept.
#[derive(Debug, Clone, Default, Args)]
pub struct StoreArgs {
    /// Keep no response cache and no run journal.
    #[arg(long, conflicts_with = "store")]
    pub no_store: bool,
    /// The SQLite file for the response cache and run journal.
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Ask the providers again instead of answering from the cache (answers are still cached).
    #[arg(long)]
    pub refresh: bool,
}

impl StoreArgs {
    /// The store the session should open.
    pub fn choice(&self) -> crate::session::StoreChoice {
        match (&self.store, self.no_store) {
            (_, true) => crate::session::StoreChoice::Off,
            (Some(path), false) => crate::session::StoreChoice::Path(path.clone()),
            (None, false) => crate::session::StoreChoice::Default,
        }
    }
}

/// Text encodings leadgrid reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Encoding {
    /// UTF-8 (with or without BOM).
    Utf8,
    /// ISO-8859-1, as old spreadsheet exports often are.
    Latin1,
}

impl Encoding {
    /// The table's encoding.
    pub fn table(self) -> crate::table::Encoding {
        match self {
            Encoding::Utf8 => crate::table::Encoding::Utf8,
            Encoding::Latin1 => crate::table::Encoding::Latin1,
        }
    }
}

/// Subcommands.
// Parsed once per process: the size of the `run` variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Enrich a CSV without the UI and write the result to a new CSV.
    #[command(after_help = ENVIRONMENT)]
    Run(Box<RunArgs>),
    /// List the integrations with their inputs, outputs and cost.
    Integrations(IntegrationsArgs),
    /// Serve the DataGen protocol with fictional data on 127.0.0.1.
    DemoServer(DemoServerArgs),
    /// Generate a fictional lead list (for trying things out and benchmarks).
    Gen(GenArgs),
    /// Serve the Model Context Protocol on stdio, so AI agents can discover, price, run and inspect enrichments.
    Mcp(McpArgs),
}

/// `leadgrid mcp`.
#[derive(Debug, Clone, Args)]
pub struct McpArgs {
    /// Use the built-in demo server for every provider (fictional data, no key, nothing charged).
    #[arg(long)]
    pub demo: bool,
    /// A directory the server may read and write files under (repeatable) [default: the current directory].
    #[arg(long, value_name = "DIR")]
    pub root: Vec<PathBuf>,
    /// Response cache and run journal (shared with the grid and `leadgrid run`).
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `leadgrid run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The lead list (CSV).
    pub input: PathBuf,
    /// Integrations to run, comma-separated (see `leadgrid integrations`).
    #[arg(long, short = 'i', value_delimiter = ',', required = true)]
    pub integrations: Vec<String>,
    /// Provider requests in flight at once [default: from config, 8].
    #[arg(long, short = 'p')]
    pub parallel: Option<usize>,
    /// Where to write the result [default: <input stem>_enriched.csv beside the input].
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Read an input from a column: `--map linkedin_url="LinkedIn Profile"` (repeatable).
    #[arg(long = "map", value_name = "INPUT=COLUMN", value_parser = parse_pair)]
    pub map: Vec<(String, String)>,
    /// Give an input one value for every row: `--set heyreach_sender_id=1234` (repeatable).
    #[arg(long = "set", value_name = "INPUT=VALUE", value_parser = parse_pair)]
    pub set: Vec<(String, String)>,
    /// Enrich only the first N rows (the others are written unchanged).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Stream one JSON object per cell state change on stdout (started, retrying, finished,
    /// notice), then the summary as the last line.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub events: Option<EventsFormat>,
    /// Print what the run would do and cost per integration (rows, calls, cache and journal
    /// hits, estimated dollars) and make no paid call.
    #[arg(long)]
    pub dry_run: bool,
    /// Only these 1-based data rows (set by agents' re-runs; not a command-line option).
    #[arg(skip)]
    pub rows: Option<Vec<usize>>,
    /// Only enrich rows where this expression holds (e.g. `title ~ 'ceo' and email is empty`);
    /// other rows are written unchanged, at no cost. See docs/EXPRESSIONS.md.
    #[arg(long = "if", value_name = "EXPR")]
    pub condition: Option<String>,
    /// Skip a row's integration when all its output cells are already filled.
    #[arg(long)]
    pub skip_existing: bool,
    /// Spend at most this many US dollars in this run: no paid call starts once what was
    /// spent plus what calls in flight are expected to cost would pass it; the cells left are
    /// `budget` (exit code 3), and the same command with a bigger budget runs them.
    #[arg(long, value_name = "USD", value_parser = parse_usd)]
    pub max_cost: Option<f64>,
    /// Pay once per person: a row whose LinkedIn URL (else email) repeats an earlier row's,
    /// compared normalised, takes that row's answers instead of calling again.
    #[arg(long)]
    pub dedupe: bool,
    /// The column `--dedupe` compares (implies `--dedupe`).
    #[arg(long, value_name = "COLUMN")]
    pub dedupe_key: Option<String>,
    /// Use the built-in demo server (fictional data, no API key needed).
    #[arg(long)]
    pub demo: bool,
    /// Trust the `leadgrid.toml` beside the input (its integrations may then send rows where
    /// it says); remembered until the file changes.
    #[arg(long)]
    pub trust: bool,
    /// Attempts per call, the first included [default: from config, 4].
    #[arg(long)]
    pub max_attempts: Option<u32>,
    /// Seconds one HTTP request may take [default: from config, 30].
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Field delimiter (one character, or `tab`) [default: detected among , ; tab |].
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Text encoding of the input, kept in the output [default: utf8, with or without BOM; a file that is not valid UTF-8 is refused with the line].
    #[arg(long, value_enum)]
    pub encoding: Option<Encoding>,
    /// Response cache and run journal.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// How `--events` are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EventsFormat {
    /// One JSON object per line.
    Ndjson,
}

impl RunArgs {
    /// The arguments of `leadgrid run INPUT -i INTEGRATIONS` with every option at its default.
    pub fn new(input: PathBuf, integrations: Vec<String>) -> RunArgs {
        RunArgs {
            input,
            integrations,
            parallel: None,
            output: None,
            map: Vec::new(),
            set: Vec::new(),
            limit: None,
            json: false,
            events: None,
            dry_run: false,
            rows: None,
            condition: None,
            skip_existing: false,
            max_cost: None,
            dedupe: false,
            dedupe_key: None,
            demo: false,
            trust: false,
            max_attempts: None,
            timeout: None,
            delimiter: None,
            encoding: None,
            store: StoreArgs::default(),
        }
    }
}

/// `leadgrid integrations`.
#[derive(Debug, Clone, Args)]
pub struct IntegrationsArgs {
    /// Check an integration file instead of listing them.
    #[command(subcommand)]
    pub command: Option<IntegrationsCommand>,
    /// Machine-readable output for scripts and agents.
    #[arg(long)]
    pub json: bool,
}

/// Subcommands of `leadgrid integrations`.
#[derive(Debug, Clone, Subcommand)]
pub enum IntegrationsCommand {
    /// Validate an integration file (or a project's leadgrid.toml) and print what it would
    /// send for a sample row, secrets masked; nothing is sent. Exit code 0 valid, 1 not.
    Check(CheckArgs),
}

/// `leadgrid integrations check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The integration file.
    pub file: PathBuf,
    /// Take the sample row from this CSV (inputs read from their guessed columns).
    #[arg(long, value_name = "CSV")]
    pub csv: Option<PathBuf>,
    /// Which data row of the CSV, from 1.
    #[arg(long, value_name = "N", requires = "csv")]
    pub row: Option<usize>,
    /// Give an input a sample value: `--set domain=acme.example` (repeatable).
    #[arg(long = "set", value_name = "INPUT=VALUE", value_parser = parse_pair)]
    pub set: Vec<(String, String)>,
}

/// `leadgrid demo-server`.
#[derive(Debug, Clone, Args)]
pub struct DemoServerArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Random extra latency up to this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,
    /// Fraction of requests answered with a fault (429, 5xx, 524, drop), 0 to 1.
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Require this API key in X-API-Key.
    #[arg(long)]
    pub require_key: Option<String>,
}

/// `leadgrid gen`.
#[derive(Debug, Clone, Args)]
pub struct GenArgs {
    /// Number of rows.
    #[arg(long)]
    pub rows: u64,
    /// Random seed (the same seed gives the same file).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output path.
    #[arg(long)]
    pub out: PathBuf,
}

/// Parses `name=value`.
pub fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
}

/// Parses an amount of US dollars: a number ≥ 0, with or without a leading `$`.
pub fn parse_usd(s: &str) -> Result<f64, String> {
    let text = s.trim().trim_start_matches('$');
    match text.parse::<f64>() {
        Ok(usd) if usd.is_finite() && usd >= 0.0 => Ok(usd),
        _ => Err(format!("expected a number of US dollars ≥ 0, got `{s}`")),
    }
}

/// Parses a delimiter: one ASCII character, or `tab`.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "delimiter must be one ASCII character or `tab`, got `{s}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every environment variable leadgrid reads.
    const VARIABLES: [&str; 13] = [
        "DATAGEN_API_KEY",
        "DATAGEN_BASE_URL",
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "APOLLO_API_KEY",
        "APOLLO_BASE_URL",
        "HUNTER_API_KEY",
        "HUNTER_BASE_URL",
        "LEADGRID_CONFIG",
        "LEADGRID_STORE",
        "LEADGRID_<PROVIDER>_BASE_URL",
    ];

    #[test]
    fn help_and_readme_name_every_environment_variable() {
        let mut cli = Cli::command();
        let help = cli.render_long_help().to_string();
        let mut run = Cli::command();
        let run_help = run
            .find_subcommand_mut("run")
            .expect("run")
            .render_long_help()
            .to_string();
        let readme = include_str!("../README.md");
        for var in VARIABLES {
            assert!(help.contains(var), "leadgrid --help lacks {var}");
            assert!(run_help.contains(var), "leadgrid run --help lacks {var}");
            assert!(readme.contains(var), "README.md lacks {var}");
        }
        // Each provider the keys module knows is named here too.
        for provider in crate::providers::ProviderId::BUILTIN {
            if let Some(var) = provider.key_env() {
                assert!(VARIABLES.contains(&var), "{var}");
            }
        }
    }

    #[test]
    fn run_arguments_parse() {
        let cli = Cli::try_parse_from([
            "leadgrid",
            "run",
            "leads.csv",
            "--integrations",
            "linkedin_profile,email_domain",
            "--map",
            "linkedin_url=LinkedIn Profile",
            "--set",
            "heyreach_sender_id=42",
            "--parallel",
            "16",
            "--json",
        ])
        .expect("parses");
        let Some(Command::Run(run)) = cli.command else {
            panic!("run expected");
        };
        assert_eq!(run.integrations, ["linkedin_profile", "email_domain"]);
        assert_eq!(
            run.map,
            [("linkedin_url".into(), "LinkedIn Profile".into())]
        );
        assert_eq!(run.set, [("heyreach_sender_id".into(), "42".into())]);
        assert_eq!(run.parallel, Some(16));
        assert!(run.json);
    }

    #[test]
    fn a_bare_file_opens_the_spreadsheet() {
        let cli = Cli::try_parse_from(["leadgrid", "leads.csv", "--delimiter", "tab"]).expect("ok");
        assert!(cli.command.is_none());
        assert_eq!(cli.open.delimiter, Some(b'\t'));
    }

    #[test]
    fn bad_pairs_and_delimiters_are_rejected() {
        assert!(parse_pair("novalue").is_err());
        assert!(parse_pair("=x").is_err());
        assert_eq!(parse_pair("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert!(parse_delimiter(",,").is_err());
        assert_eq!(parse_delimiter(";"), Ok(b';'));
    }
}
