//! Settings: embedded defaults, the user's config file on top, environment last.
//!
//! `assets/default-config.toml` is the only copy of the defaults. The user's file
//! may set any subset of its keys; unknown keys are an error (a typo should not be
//! silently ignored). The file is only ever read.

use crate::providers::ProviderId;
use crate::providers::price::{PriceList, TokenPrice};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const DEFAULTS: &str = include_str!("../assets/default-config.toml");

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file exists but could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The config file is not valid TOML or has unknown keys or wrong types.
    #[error("invalid config file {path}: {message}")]
    Invalid {
        /// The file (`<built-in defaults>` for the embedded one).
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// A secret that never appears in Debug output.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// DataGen connection settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatagenSettings {
    /// API base URL.
    pub base_url: String,
    /// API key, if configured (environment first).
    #[serde(default)]
    pub api_key: Option<Secret>,
}

/// Where an HTTP provider (Anthropic, OpenAI-compatible, Apollo, Hunter) lives, and its key.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// API base URL (OpenAI-compatible ones include `/v1`).
    pub base_url: String,
    /// API key, if configured (the environment wins).
    #[serde(default)]
    pub api_key: Option<Secret>,
}

/// Which protocol an AI column speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LlmProvider {
    /// Anthropic's Messages API.
    Anthropic,
    /// Any OpenAI-compatible Chat Completions server (OpenAI, llama.cpp, vLLM, Ollama).
    Openai,
}

impl LlmProvider {
    /// The provider calls go to.
    pub fn id(self) -> ProviderId {
        match self {
            LlmProvider::Anthropic => ProviderId::ANTHROPIC,
            LlmProvider::Openai => ProviderId::OPENAI,
        }
    }

    /// The tool name of one call.
    pub fn tool(self) -> &'static str {
        match self {
            LlmProvider::Anthropic => crate::providers::router::ANTHROPIC_MESSAGES,
            LlmProvider::Openai => crate::providers::router::OPENAI_CHAT,
        }
    }

    /// The name used in config and integration files.
    pub fn name(self) -> &'static str {
        match self {
            LlmProvider::Anthropic => "anthropic",
            LlmProvider::Openai => "openai",
        }
    }
}

/// How Anthropic is asked for structured output (see `docs/PROVIDERS.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Structured {
    /// Native structured output where the model supports it, forced tool use elsewhere.
    Auto,
    /// Forced tool use: a tool whose input schema is the answer's (every model).
    Tool,
    /// `output_config.format`: constrained decoding (recent models only).
    Native,
}

impl Structured {
    /// The `structured` parameter of an Anthropic call to `model`.
    pub fn for_model(self, model: &str) -> &'static str {
        match self {
            Structured::Tool => "tool",
            Structured::Native => "native",
            Structured::Auto if crate::providers::anthropic::supports_native(model) => "native",
            Structured::Auto => "tool",
        }
    }
}

/// The model each protocol uses when an AI column names none.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LlmModels {
    /// Anthropic's default model.
    pub anthropic: String,
    /// The OpenAI-compatible server's default model.
    pub openai: String,
}

/// AI columns: default protocol, model, limits, and prices.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    /// Protocol of AI columns that do not choose one.
    pub provider: LlmProvider,
    /// Model of the default protocol, overriding `models` (optional).
    #[serde(default)]
    pub model: Option<String>,
    /// Default model per protocol.
    pub models: LlmModels,
    /// Most tokens one answer may use.
    pub max_tokens: u64,
    /// Sampling temperature (0: the most repeatable answers).
    pub temperature: f64,
    /// How Anthropic is asked for structured output.
    pub structured: Structured,
    /// US dollars per million tokens, `[input, output]`, by model id.
    pub prices: BTreeMap<String, [f64; 2]>,
}

impl LlmConfig {
    /// The model an AI column on `provider` uses when it names none.
    pub fn default_model(&self, provider: LlmProvider) -> &str {
        match (provider, &self.model) {
            (p, Some(model)) if p == self.provider && !model.trim().is_empty() => model.trim(),
            (LlmProvider::Anthropic, _) => &self.models.anthropic,
            (LlmProvider::Openai, _) => &self.models.openai,
        }
    }

    /// The model prices, for [`PriceList`].
    pub fn token_prices(&self) -> BTreeMap<String, TokenPrice> {
        self.prices
            .iter()
            .map(|(model, [input, output])| {
                (
                    model.clone(),
                    TokenPrice {
                        input: *input,
                        output: *output,
                    },
                )
            })
            .collect()
    }
}

/// What integration files say about a provider of their own (`kind = "http"`): not read from
/// the config file, declared by the catalog (`Catalog::file_providers`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FileProvider {
    /// Requests per minute (`[rate_limits]` in the config wins).
    pub rate_limit: Option<u32>,
    /// Bound on one request (default `[engine] timeout_secs`).
    pub timeout: Option<std::time::Duration>,
    /// Dollars one call costs (what a cached answer saved).
    pub cost_per_call: f64,
}

impl FileProvider {
    /// Joins what another file says about the same provider: the lowest rate limit, the
    /// longest timeout, the highest price.
    pub fn merge(&mut self, other: &FileProvider) {
        self.rate_limit = match (self.rate_limit, other.rate_limit) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.timeout = self.timeout.max(other.timeout);
        self.cost_per_call = self.cost_per_call.max(other.cost_per_call);
    }
}

/// Engine settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// Jobs running at once.
    pub parallel: usize,
    /// Bound on one HTTP request, in seconds.
    pub timeout_secs: u64,
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// Bound on one cell's enrichment, in seconds.
    pub job_timeout_secs: u64,
    /// Longest `Retry-After` obeyed, in seconds.
    pub max_retry_after_secs: u64,
    /// Largest response body read, in MB.
    pub max_response_mb: u64,
    /// Consecutive transient failures that pause a provider (0: never).
    pub breaker_failures: u32,
    /// How long a provider that failed its probe is not called, in seconds.
    pub breaker_cooldown_secs: u64,
}

/// Response cache settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    /// Days a cached DataGen (LinkedIn) response is reused.
    pub ttl_days: u32,
    /// Days a cached HeyReach response is reused (engagement changes daily).
    pub heyreach_ttl_days: u32,
    /// Days a cached AI answer (Anthropic, OpenAI-compatible) is reused.
    pub ai_ttl_days: u32,
}

/// Every setting leadgrid reads.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// DataGen connection.
    pub datagen: DatagenSettings,
    /// Anthropic's Messages API.
    pub anthropic: ProviderSettings,
    /// An OpenAI-compatible Chat Completions server.
    pub openai: ProviderSettings,
    /// Apollo.
    pub apollo: ProviderSettings,
    /// Hunter.
    pub hunter: ProviderSettings,
    /// AI columns.
    pub llm: LlmConfig,
    /// Engine.
    pub engine: EngineConfig,
    /// Requests per minute by provider name (any provider, user-defined ones too; 0: unlimited).
    pub rate_limits: BTreeMap<String, u32>,
    /// US dollars per call, by provider name or `provider.tool`.
    pub call_prices: BTreeMap<String, f64>,
    /// Response cache.
    pub cache: CacheSettings,
    /// Every provider points at the demo server (not read from files): answers are fictional,
    /// so they are kept in a store of their own, never beside real ones.
    #[serde(skip)]
    pub demo: bool,
    /// Providers of the user's own integrations, as their files describe them (not read from
    /// the config file: see [`FileProvider`]).
    #[serde(skip)]
    pub file_providers: BTreeMap<ProviderId, FileProvider>,
    /// What one call of the user's own integrations costs, by `provider.tool` as their files
    /// say (`cost`); `[call_prices]` wins.
    #[serde(skip)]
    pub file_prices: BTreeMap<String, f64>,
}

impl Config {
    /// Loads defaults, the user's file ($LEADGRID_CONFIG or the standard config dir) and the environment.
    pub fn load() -> Result<Config, ConfigError> {
        let explicit = std::env::var_os("LEADGRID_CONFIG").map(PathBuf::from);
        let path = explicit.clone().or_else(default_path);
        let user = match &path {
            Some(p) => match std::fs::read_to_string(p) {
                Ok(text) => Some((p.as_path(), text)),
                // A missing file is fine at the default place, not where the user pointed.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => None,
                Err(source) => {
                    return Err(ConfigError::Read {
                        path: p.clone(),
                        source,
                    });
                }
            },
            None => None,
        };
        let user = user.as_ref().map(|(p, text)| (*p, text.as_str()));
        Config::from_sources(user, |name| std::env::var(name).ok())
    }

    /// Builds the settings from an optional user file (path, text) and an environment lookup.
    pub fn from_sources(
        user: Option<(&Path, &str)>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let builtin = Path::new("<built-in defaults>");
        let mut table = parse(builtin, DEFAULTS)?;
        if let Some((path, text)) = user {
            merge(&mut table, parse(path, text)?);
        }
        let path = user.map_or(builtin, |(p, _)| p);
        let mut config: Config =
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::Invalid {
                    path: path.to_owned(),
                    message: e.message().to_owned(),
                })?;
        if let Some(url) = env("DATAGEN_BASE_URL").filter(|v| !v.trim().is_empty()) {
            config.datagen.base_url = url.trim().to_owned();
        }
        if let Some(key) = env("DATAGEN_API_KEY").filter(|v| !v.trim().is_empty()) {
            config.datagen.api_key = Some(Secret(key.trim().to_owned()));
        }
        for (provider, wire) in crate::providers::router::HTTP_PROVIDERS {
            let Some(settings) = config.provider_mut(provider) else {
                continue;
            };
            if let Some(url) = env(wire.base_url_env).filter(|v| !v.trim().is_empty()) {
                settings.base_url = url.trim().to_owned();
            }
            if let Some(key) = env(wire.api_key_env).filter(|v| !v.trim().is_empty()) {
                settings.api_key = Some(Secret(key.trim().to_owned()));
            }
        }
        Ok(config)
    }

    /// The settings of an HTTP provider (Anthropic, OpenAI-compatible, Apollo, Hunter).
    pub fn provider(&self, provider: ProviderId) -> Option<&ProviderSettings> {
        match provider {
            ProviderId::ANTHROPIC => Some(&self.anthropic),
            ProviderId::OPENAI => Some(&self.openai),
            ProviderId::APOLLO => Some(&self.apollo),
            ProviderId::HUNTER => Some(&self.hunter),
            _ => None,
        }
    }

    fn provider_mut(&mut self, provider: ProviderId) -> Option<&mut ProviderSettings> {
        match provider {
            ProviderId::ANTHROPIC => Some(&mut self.anthropic),
            ProviderId::OPENAI => Some(&mut self.openai),
            ProviderId::APOLLO => Some(&mut self.apollo),
            ProviderId::HUNTER => Some(&mut self.hunter),
            _ => None,
        }
    }

    /// Requests per minute per provider, keyed by provider: `[rate_limits]`, else what an
    /// integration file says about its own provider.
    pub fn rate_limits(&self) -> BTreeMap<ProviderId, u32> {
        let mut limits: BTreeMap<ProviderId, u32> = self
            .file_providers
            .iter()
            .filter_map(|(id, p)| Some((*id, p.rate_limit?)))
            .collect();
        limits.extend(
            self.rate_limits
                .iter()
                .map(|(name, n)| (ProviderId::named(name), *n)),
        );
        limits
    }

    /// What calls cost: model prices from `[llm.prices]`, and the price per call of the
    /// providers (and tools) that bill per call, from `[call_prices]`.
    pub fn prices(&self) -> PriceList {
        let mut per_call = self.file_prices.clone();
        per_call.extend(self.call_prices.clone());
        PriceList::new(
            self.llm.token_prices(),
            crate::providers::price::per_call_from_names(&per_call),
        )
    }

    /// The directory the config file is read from: `$LEADGRID_CONFIG`'s, else the standard one.
    /// User integrations live in its `integrations.d/`.
    pub fn dir() -> Option<PathBuf> {
        match std::env::var_os("LEADGRID_CONFIG") {
            Some(path) => {
                let path = PathBuf::from(path);
                Some(match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                    _ => PathBuf::from("."),
                })
            }
            None => directories::ProjectDirs::from("", "", "leadgrid")
                .map(|d| d.config_dir().to_path_buf()),
        }
    }

    /// Sends every provider's calls to the demo server at `base_url` (OpenAI-compatible ones to
    /// `{base_url}/v1`), with `key` for all of them: the key the server requires, if any (a
    /// loopback server needs none, see `providers::router::Endpoint::unavailable`).
    pub fn point_at_demo(&mut self, base_url: &str, key: Option<&str>) {
        let key = key.map(|k| Secret::new(k.to_owned()));
        self.demo = true;
        self.datagen.base_url = base_url.to_owned();
        self.datagen.api_key = key.clone();
        for (provider, _) in crate::providers::router::HTTP_PROVIDERS {
            if let Some(settings) = self.provider_mut(provider) {
                settings.base_url = if provider == ProviderId::OPENAI {
                    format!("{base_url}/v1")
                } else {
                    base_url.to_owned()
                };
                settings.api_key = key.clone();
            }
        }
    }

    /// Where the user's config file is read from when $LEADGRID_CONFIG is not set.
    pub fn default_path() -> Option<PathBuf> {
        default_path()
    }
}

fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "leadgrid").map(|d| d.config_dir().join("config.toml"))
}

fn parse(path: &Path, text: &str) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>()
        .map_err(|e| ConfigError::Invalid {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })
}

/// Overlays `over` on `base`, table by table.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn defaults_load_without_any_file() {
        let c = Config::from_sources(None, no_env).expect("defaults parse");
        assert_eq!(c.datagen.base_url, "https://api.datagen.dev");
        assert_eq!(c.engine.parallel, 8);
        assert_eq!(c.engine.max_attempts, 4);
        assert_eq!(
            (c.rate_limits["datagen"], c.rate_limits["heyreach"]),
            (600, 300)
        );
        assert_eq!(c.datagen.api_key, None);
        assert_eq!(c.llm.provider, LlmProvider::Anthropic);
        assert_eq!(c.llm.temperature, 0.0);
        assert_eq!(c.anthropic.base_url, "https://api.anthropic.com");
        assert!(c.llm.prices.contains_key("claude-haiku-4-5"));
    }

    #[test]
    fn user_file_overrides_only_what_it_sets() {
        let user = "[engine]\nparallel = 32\n[rate_limits]\nheyreach = 100\n";
        let c = Config::from_sources(Some((Path::new("u.toml"), user)), no_env).expect("ok");
        assert_eq!(c.engine.parallel, 32);
        assert_eq!(c.engine.timeout_secs, 30);
        assert_eq!(c.rate_limits["heyreach"], 100);
        assert_eq!(c.rate_limits["datagen"], 600);
    }

    #[test]
    fn any_provider_can_have_a_rate_limit() {
        let user = "[rate_limits]\nexample = 42\nanthropic = 7\n";
        let c = Config::from_sources(Some((Path::new("u.toml"), user)), no_env).expect("ok");
        let limits = c.rate_limits();
        assert_eq!(limits[&ProviderId::named("example")], 42);
        assert_eq!(limits[&ProviderId::ANTHROPIC], 7);
        assert_eq!(limits[&ProviderId::DATAGEN], 600);
    }

    #[test]
    fn an_integration_files_rate_limit_applies_unless_the_config_sets_one() {
        let mut c = Config::from_sources(None, no_env).expect("ok");
        let example = ProviderId::named("example");
        let mut own = FileProvider {
            rate_limit: Some(60),
            timeout: Some(std::time::Duration::from_secs(5)),
            cost_per_call: 0.002,
        };
        own.merge(&FileProvider {
            rate_limit: Some(30),
            timeout: Some(std::time::Duration::from_secs(90)),
            cost_per_call: 0.001,
        });
        assert_eq!(own.rate_limit, Some(30), "the lowest limit");
        assert_eq!(
            own.timeout,
            Some(std::time::Duration::from_secs(90)),
            "the longest timeout"
        );
        assert_eq!(own.cost_per_call, 0.002);
        c.file_providers.insert(example, own);
        assert_eq!(c.rate_limits()[&example], 30);
        c.rate_limits.insert("example".into(), 5);
        assert_eq!(c.rate_limits()[&example], 5, "the config wins");
    }

    #[test]
    fn llm_defaults_and_provider_endpoints_come_from_file_and_environment() {
        let user = "[llm]\nprovider = \"openai\"\nmodel = \"llama3.1\"\n[openai]\nbase_url = \"http://localhost:11434/v1\"\n";
        let env = |name: &str| match name {
            "ANTHROPIC_API_KEY" => Some("sk-ant".to_owned()),
            "HUNTER_BASE_URL" => Some("http://127.0.0.1:9".to_owned()),
            _ => None,
        };
        let c = Config::from_sources(Some((Path::new("u.toml"), user)), env).expect("ok");
        assert_eq!(c.llm.default_model(LlmProvider::Openai), "llama3.1");
        assert_eq!(
            c.llm.default_model(LlmProvider::Anthropic),
            c.llm.models.anthropic
        );
        assert_eq!(c.openai.base_url, "http://localhost:11434/v1");
        assert_eq!(c.hunter.base_url, "http://127.0.0.1:9");
        assert_eq!(
            c.anthropic.api_key.as_ref().map(Secret::expose),
            Some("sk-ant")
        );
        let bad = "[llm]\nprovider = \"gemini\"\n";
        assert!(Config::from_sources(Some((Path::new("u.toml"), bad)), no_env).is_err());
    }

    #[test]
    fn environment_wins_over_the_file() {
        let user = "[datagen]\nbase_url = \"http://file\"\napi_key = \"from-file\"\n";
        let env = |name: &str| match name {
            "DATAGEN_BASE_URL" => Some("http://127.0.0.1:9".to_owned()),
            "DATAGEN_API_KEY" => Some("from-env".to_owned()),
            _ => None,
        };
        let c = Config::from_sources(Some((Path::new("u.toml"), user)), env).expect("ok");
        assert_eq!(c.datagen.base_url, "http://127.0.0.1:9");
        assert_eq!(
            c.datagen.api_key.as_ref().map(Secret::expose),
            Some("from-env")
        );
    }

    #[test]
    fn key_never_appears_in_debug_output() {
        let env = |name: &str| (name == "DATAGEN_API_KEY").then(|| "sk-very-secret".to_owned());
        let c = Config::from_sources(None, env).expect("ok");
        let shown = format!("{c:?} {c:#?}");
        assert!(!shown.contains("sk-very-secret"));
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn typos_and_bad_types_are_reported_with_the_file() {
        for bad in [
            "[engine]\nparalel = 3\n",
            "[engine]\nparallel = \"many\"\n",
            "[engine\n",
        ] {
            let err =
                Config::from_sources(Some((Path::new("mine.toml"), bad)), no_env).expect_err(bad);
            assert!(err.to_string().contains("mine.toml"), "{err}");
        }
    }
}
