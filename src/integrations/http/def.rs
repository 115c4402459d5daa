//! The keys of `kind = "http"` and what is checked when a file is read: the request's shape
//! (method, a URL whose host no row can change, headers, a body that is JSON once filled), the
//! tokens against the declared inputs, and the warnings a careful reviewer would give (a
//! literal secret in the file, data sent unencrypted).

use super::template::Template;
use crate::integrations::json_outputs::JsonOutputs;
use crate::integrations::user::definition::Definition;
use crate::providers::ProviderId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest `timeout` a file may set, in seconds.
pub const MAX_TIMEOUT_SECS: u64 = 600;

/// The keys of `kind = "http"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpDef {
    /// `GET` (default) or `POST`.
    #[serde(default = "get")]
    pub method: String,
    /// The URL, with `{{input}}` tokens (URL-encoded) after its host, and `{{env.NAME}}`.
    pub url: String,
    /// Header values, with `{{input}}` and `{{env.NAME}}` tokens.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// JSON body template of a `POST`, values JSON-escaped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Statuses that mean "nothing for this input".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_data_status: Vec<u16>,
    /// An answer with nothing at this JSONPath means "no data".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_data_path: Option<String>,
    /// Seconds one request to this provider may take (default `[engine] timeout_secs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// Requests per minute to this provider (`[rate_limits]` in the config wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<u32>,
}

fn get() -> String {
    "GET".to_string()
}

/// A value that stands in for every input when a template is checked: valid in a URL, in a
/// JSON string and as a bare JSON number.
const SAMPLE: &str = "1";

impl HttpDef {
    /// The URL template.
    pub fn url_template(&self) -> Template {
        Template::new(&self.url)
    }

    /// The header templates, by header name.
    pub fn header_templates(&self) -> Vec<(String, Template)> {
        self.headers
            .iter()
            .map(|(name, value)| (name.clone(), Template::new(value)))
            .collect()
    }

    /// The body template.
    pub fn body_template(&self) -> Option<Template> {
        self.body.as_deref().map(Template::new)
    }

    /// Whether it posts (else it gets).
    pub fn is_post(&self) -> bool {
        self.method.trim().eq_ignore_ascii_case("POST")
    }

    /// Every template of the request: URL, header values, body.
    pub fn templates(&self) -> Vec<Template> {
        let mut all = vec![self.url_template()];
        all.extend(self.header_templates().into_iter().map(|(_, t)| t));
        all.extend(self.body_template());
        all
    }

    /// The environment variables the request names, in order, without duplicates.
    pub fn env_vars(&self) -> Vec<String> {
        let mut vars: Vec<String> = Vec::new();
        for t in self.templates() {
            for v in t.env() {
                if !vars.contains(v) {
                    vars.push(v.clone());
                }
            }
        }
        vars
    }

    /// The input tokens the request reads, in order, without duplicates.
    pub fn input_tokens(&self) -> Vec<String> {
        let mut tokens: Vec<String> = Vec::new();
        for t in self.templates() {
            for v in t.inputs() {
                if !tokens.contains(v) {
                    tokens.push(v.clone());
                }
            }
        }
        tokens
    }

    /// The host calls go to (fixed by the file: no row can change it).
    pub fn host(&self) -> Option<String> {
        let url = url::Url::parse(
            &self
                .url_template()
                .render(|_| Some(SAMPLE), super::template::Escape::Url),
        )
        .ok()?;
        Some(match url.port() {
            Some(port) => format!("{}:{port}", url.host_str()?),
            None => url.host_str()?.to_string(),
        })
    }

    /// The provider calls are grouped under: the file's `provider`, else its name.
    pub fn provider(def: &Definition) -> ProviderId {
        ProviderId::named(def.provider.as_deref().unwrap_or(&def.name))
    }

    /// Checks what serde cannot (see the module documentation).
    pub fn check(&self, def: &Definition) -> Result<(), String> {
        let method = self.method.trim().to_ascii_uppercase();
        if method != "GET" && method != "POST" {
            return Err(format!(
                "method must be \"GET\" or \"POST\", not {:?}",
                self.method
            ));
        }
        if self.body.is_some() && method != "POST" {
            return Err("a body is sent with method = \"POST\" only".into());
        }
        self.check_url()?;
        for (name, _) in self.header_templates() {
            if name.is_empty() || !name.bytes().all(is_header_name_byte) {
                return Err(format!(
                    "header name {name:?} is not a valid HTTP header name"
                ));
            }
        }
        if let Some(body) = self.body_template() {
            let sample = body.render(|_| Some(SAMPLE), super::template::Escape::Json);
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&sample) {
                return Err(format!(
                    "body is not JSON once its tokens are filled ({e}); write tokens inside strings: \"{{{{domain}}}}\""
                ));
            }
        }
        for var in self.env_vars() {
            if var.is_empty() || !var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(format!(
                    "{{{{env.{var}}}}}: an environment variable name is letters, digits and _"
                ));
            }
        }
        let tokens = self.input_tokens();
        if def.inputs.is_empty() && tokens.is_empty() {
            return Err(
                "the request reads no column: add {{column}} tokens to url, headers or body".into(),
            );
        }
        if !def.inputs.is_empty()
            && let Some(token) = tokens
                .iter()
                .find(|t| !def.inputs.iter().any(|i| i.name == **t))
        {
            return Err(format!(
                "the request reads {{{{{token}}}}} but no input {token:?} is declared"
            ));
        }
        for status in &self.no_data_status {
            if !(100..=599).contains(status) {
                return Err(format!("no_data_status: {status} is not an HTTP status"));
            }
        }
        if self.timeout.is_some_and(|t| t == 0 || t > MAX_TIMEOUT_SECS) {
            return Err(format!(
                "timeout is in seconds, from 1 to {MAX_TIMEOUT_SECS}"
            ));
        }
        if let Some(provider) = &def.provider {
            let id = ProviderId::named(provider);
            if ProviderId::BUILTIN.contains(&id) {
                return Err(format!(
                    "provider {provider:?} is built in; an http integration names its own (e.g. \"{provider}_http\")"
                ));
            }
            if !crate::integrations::user::definition::valid_name(id.name()) {
                return Err(format!(
                    "provider {provider:?} must be lower-case letters, digits, _ or -, starting with a letter"
                ));
            }
        }
        JsonOutputs::compile(&def.outputs, self.no_data_path.as_deref())?;
        Ok(())
    }

    /// An absolute http(s) URL whose scheme and host come from the file, not from a row.
    fn check_url(&self) -> Result<(), String> {
        let template = self.url_template();
        let fixed = template.fixed_prefix();
        let after_scheme = fixed
            .strip_prefix("https://")
            .or_else(|| fixed.strip_prefix("http://"))
            .ok_or_else(|| format!("url must start with https:// (or http://): {:?}", self.url))?;
        if !after_scheme.contains(['/', '?', '#']) && fixed.len() < self.url.len() {
            return Err(format!(
                "url: the host must be written out, not read from a column or the environment: {:?}",
                self.url
            ));
        }
        let sample = template.render(|_| Some(SAMPLE), super::template::Escape::Url);
        match url::Url::parse(&sample) {
            Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
            Ok(_) => Err(format!("url has no host: {:?}", self.url)),
            Err(e) => Err(format!("url is not a valid URL ({e}): {:?}", self.url)),
        }
    }

    /// What a reviewer should know, one line each: secrets written into the file instead of
    /// read from the environment, and data sent unencrypted.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        for (name, value) in &self.headers {
            if literal_secret(name, value) {
                warnings.push(format!(
                    "header {name:?} holds a literal secret: keep it in an environment variable and write {:?}",
                    suggestion(value)
                ));
            }
        }
        if let Ok(url) = url::Url::parse(
            &self
                .url_template()
                .render(|_| Some(SAMPLE), super::template::Escape::Url),
        ) {
            for (key, value) in url.query_pairs() {
                if is_credential_name(&key) && !value.contains("{{env.") && !value.is_empty() {
                    warnings.push(format!(
                        "url parameter {key:?} holds a literal secret: write {key}={{{{env.YOUR_API_KEY}}}} and set YOUR_API_KEY"
                    ));
                }
            }
            let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
            if url.scheme() == "http" && !local {
                warnings.push(format!(
                    "url is http://: rows (and any key) travel unencrypted to {}",
                    url.host_str().unwrap_or_default()
                ));
            }
        }
        warnings
    }
}

/// Whether header `name` holds a secret written into the file (not read from the environment
/// or a column).
pub fn literal_secret(name: &str, value: &str) -> bool {
    !value.contains("{{")
        && !value.trim().is_empty()
        && (is_credential_name(name) || looks_secret(value))
}

/// A header value with its secret replaced by an environment variable token.
fn suggestion(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _))
            if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("basic") =>
        {
            format!("{scheme} {{{{env.YOUR_API_KEY}}}}")
        }
        _ => "{{env.YOUR_API_KEY}}".to_string(),
    }
}

/// Header and parameter names that carry credentials.
fn is_credential_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace(['-', '_'], "");
    [
        "authorization",
        "apikey",
        "token",
        "secret",
        "password",
        "key",
    ]
    .iter()
    .any(|c| lower == *c || lower.ends_with(c))
}

/// A run of 20 or more key-like characters mixing letters and digits.
fn looks_secret(value: &str) -> bool {
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .any(|word| {
            word.len() >= 20
                && word.bytes().any(|b| b.is_ascii_digit())
                && word.bytes().any(|b| b.is_ascii_alphabetic())
        })
}

/// RFC 9110 token characters.
fn is_header_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
