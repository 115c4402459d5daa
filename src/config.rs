//! Settings: embedded defaults, the user's config file on top, environment last.
//!
//! `assets/default-config.toml` is the only copy of the defaults. The user's file
//! may set any subset of its keys; unknown keys are an error (a typo should not be
//! silently ignored). The file is only ever read.

use serde::Deserialize;
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

/// Requests per minute per provider.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    /// DataGen's own tools.
    pub datagen: u32,
    /// HeyReach tools.
    pub heyreach: u32,
}

/// Response cache settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    /// Days a cached DataGen (LinkedIn) response is reused.
    pub ttl_days: u32,
    /// Days a cached HeyReach response is reused (engagement changes daily).
    pub heyreach_ttl_days: u32,
}

/// Every setting leadgrid reads.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// DataGen connection.
    pub datagen: DatagenSettings,
    /// Engine.
    pub engine: EngineConfig,
    /// Per-provider rate limits.
    pub rate_limits: RateLimits,
    /// Response cache.
    pub cache: CacheSettings,
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
        Ok(config)
    }

    /// Sends every provider's calls to the demo server at `base_url` (with a key it accepts).
    pub fn point_at_demo(&mut self, base_url: &str) {
        self.datagen.base_url = base_url.to_owned();
        self.datagen.api_key = Some(Secret::new("demo".to_owned()));
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
        assert_eq!((c.rate_limits.datagen, c.rate_limits.heyreach), (600, 300));
        assert_eq!(c.datagen.api_key, None);
    }

    #[test]
    fn user_file_overrides_only_what_it_sets() {
        let user = "[engine]\nparallel = 32\n[rate_limits]\nheyreach = 100\n";
        let c = Config::from_sources(Some((Path::new("u.toml"), user)), no_env).expect("ok");
        assert_eq!(c.engine.parallel, 32);
        assert_eq!(c.engine.timeout_secs, 30);
        assert_eq!(c.rate_limits.heyreach, 100);
        assert_eq!(c.rate_limits.datagen, 600);
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
