//! Keys: the response-cache key built from the normalized request, the journal's run identity
//! and the row key (a hash of the row's mapped input values).

use super::StoreError;
use crate::integrations::Fields;
use crate::integrations::linkedin_url::normalize_linkedin_url;
use crate::providers::ProviderId;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// Identifies one tool call's answer: provider, tool and the canonical, normalized parameters.
///
/// Equal requests written differently (key order, a LinkedIn URL with `www.`, a trailing slash,
/// a query string or upper case) produce the same key, so the answer is paid for once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    provider: ProviderId,
    tool: String,
    params: String,
}

impl CacheKey {
    /// The key for calling `tool` of `provider` with `params`.
    pub fn new(provider: ProviderId, tool: &str, params: &Value) -> CacheKey {
        let mut canonical = String::new();
        write_canonical(&mut canonical, params);
        CacheKey {
            provider,
            tool: tool.to_string(),
            params: canonical,
        }
    }

    /// The provider called.
    pub fn provider(&self) -> ProviderId {
        self.provider
    }

    /// The tool called.
    pub fn tool(&self) -> &str {
        &self.tool
    }

    /// The normalized parameters as canonical JSON (sorted keys, no whitespace).
    pub fn params(&self) -> &str {
        &self.params
    }
}

/// Parameter names that would hold a credential. They never belong in tool parameters; if one
/// slips in, it is left out of the key so a secret is never written to disk (and cannot change
/// the answer anyway).
fn is_credential_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace(['-', '_'], "");
    [
        "apikey",
        "authorization",
        "token",
        "secret",
        "password",
        "bearer",
    ]
    .iter()
    .any(|c| lower.contains(c))
}

/// Canonical JSON: object keys sorted by code point, no whitespace, LinkedIn URLs normalized.
/// Written by hand so the form does not depend on serde_json's map ordering features.
fn write_canonical(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> =
                map.iter().filter(|(k, _)| !is_credential_name(k)).collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, k);
                out.push(':');
                write_canonical(out, v);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(out, v);
            }
            out.push(']');
        }
        Value::String(s) => match looks_like_linkedin(s)
            .then(|| normalize_linkedin_url(s))
            .flatten()
        {
            Some(url) => write_json_string(out, &url),
            None => write_json_string(out, s),
        },
        Value::Null | Value::Bool(_) | Value::Number(_) => out.push_str(&value.to_string()),
    }
}

fn looks_like_linkedin(s: &str) -> bool {
    s.to_ascii_lowercase().contains("linkedin.com/")
}

fn write_json_string(out: &mut String, s: &str) {
    out.push_str(&Value::String(s.to_string()).to_string());
}

/// A stable row key: FNV-1a-128 of the canonical JSON of the row's mapped input values, in hex.
///
/// Hashing the inputs (not the row number) means a finished cell is found again after rows are
/// sorted, inserted or deleted, or unrelated columns are edited; editing an input correctly
/// makes the old result not apply. Two rows with identical inputs share one entry, which is
/// right because the result is a function of the inputs. Values are hashed exactly as mapped
/// (no trimming), so any visible change to an input counts as a change.
pub fn input_hash(inputs: &Fields) -> String {
    let mut canonical = String::from("{");
    // `Fields` is a BTreeMap: already in key order.
    for (i, (k, v)) in inputs.iter().enumerate() {
        if i > 0 {
            canonical.push(',');
        }
        write_json_string(&mut canonical, k);
        canonical.push(':');
        write_json_string(&mut canonical, v);
    }
    canonical.push('}');
    let hash = canonical
        .bytes()
        .fold(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d_u128, |h, b| {
            (h ^ u128::from(b)).wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b)
        });
    let mut hex = String::with_capacity(32);
    let _ = write!(hex, "{hash:032x}");
    hex
}

/// Which run a journal entry belongs to: the input CSV's canonical path (plus the output path
/// for `leadgrid run`), so reopening the same file finds its finished cells.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RunId(String);

impl RunId {
    /// The run for a sheet opened in the TUI.
    pub fn for_sheet(input: &Path) -> Result<RunId, StoreError> {
        Ok(RunId(canonical(input)?))
    }

    /// The run for `leadgrid run INPUT --output OUTPUT`; the output may not exist yet.
    pub fn for_headless(input: &Path, output: &Path) -> Result<RunId, StoreError> {
        Ok(RunId(format!(
            "{}\n{}",
            canonical(input)?,
            canonical(output)?
        )))
    }

    /// A run identified by an explicit string (tests and callers with their own identity).
    pub fn new(id: impl Into<String>) -> RunId {
        RunId(id.into())
    }

    /// The identity as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The canonical path of `path`, or of its parent joined with its file name when the file does
/// not exist yet.
fn canonical(path: &Path) -> Result<String, StoreError> {
    let err = |e: std::io::Error| StoreError::RunPath {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let resolved = match std::fs::canonicalize(path) {
        Ok(p) => p,
        Err(e) => {
            let name = path.file_name().ok_or_else(|| err(e))?;
            let parent = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(p) => p,
                None => Path::new("."),
            };
            std::fs::canonicalize(parent).map_err(err)?.join(name)
        }
    };
    Ok(resolved.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(params: Value) -> CacheKey {
        CacheKey::new(ProviderId::DATAGEN, "get_person", &params)
    }

    #[test]
    fn linkedin_url_variants_are_one_key() {
        let want = key(json!({"linkedin_url": "https://www.linkedin.com/in/ada-quill/"}));
        for url in [
            "https://linkedin.com/in/ada-quill",
            "https://www.linkedin.com/in/ada-quill",
            "http://www.linkedin.com/in/ada-quill/",
            "linkedin.com/in/ada-quill/",
            "https://www.linkedin.com/in/ada-quill/?utm_source=x",
            "HTTPS://WWW.LINKEDIN.COM/IN/ADA-QUILL/",
            "  https://uk.linkedin.com/in/Ada-Quill  ",
        ] {
            assert_eq!(key(json!({ "linkedin_url": url })), want, "{url}");
        }
        assert_eq!(
            want.params(),
            r#"{"linkedin_url":"https://www.linkedin.com/in/ada-quill/"}"#
        );
        assert_ne!(key(json!({"linkedin_url": "linkedin.com/in/bob"})), want);
    }

    #[test]
    fn key_order_and_nesting_do_not_matter_but_values_do() {
        let a = key(json!({"b": 1, "a": {"y": [1, "linkedin.com/in/X"], "x": null}}));
        let b = key(json!({"a": {"x": null, "y": [1, "https://www.linkedin.com/in/x/"]}, "b": 1}));
        assert_eq!(a, b);
        assert_eq!(
            a.params(),
            r#"{"a":{"x":null,"y":[1,"https://www.linkedin.com/in/x/"]},"b":1}"#
        );
        assert_ne!(key(json!({"b": 2})), key(json!({"b": 1})));
        assert_ne!(
            CacheKey::new(ProviderId::HEYREACH, "get_person", &json!({"b": 1})),
            key(json!({"b": 1}))
        );
        assert_ne!(
            CacheKey::new(ProviderId::DATAGEN, "other", &json!({"b": 1})),
            key(json!({"b": 1}))
        );
    }

    #[test]
    fn non_profile_strings_are_kept_as_written() {
        let k = key(json!({"q": "Linkedin.com/company/Acme", "name": "Ada \"Q\""}));
        assert_eq!(
            k.params(),
            r#"{"name":"Ada \"Q\"","q":"Linkedin.com/company/Acme"}"#
        );
    }

    #[test]
    fn credentials_never_reach_the_key() {
        let k = key(
            json!({"q": 1, "api_key": "sk-live-123", "X-API-KEY": "k", "Authorization": "Bearer t"}),
        );
        assert_eq!(k.params(), r#"{"q":1}"#);
    }

    #[test]
    fn input_hash_depends_on_values_only() {
        let row = |url: &str, name: &str| -> Fields {
            [
                ("linkedin_url".to_string(), url.to_string()),
                ("name".to_string(), name.to_string()),
            ]
            .into_iter()
            .collect()
        };
        let h = input_hash(&row("linkedin.com/in/a", "Ada"));
        assert_eq!(h.len(), 32);
        assert_eq!(h, input_hash(&row("linkedin.com/in/a", "Ada")));
        assert_ne!(h, input_hash(&row("linkedin.com/in/a", "Ada ")));
        assert_ne!(h, input_hash(&row("linkedin.com/in/b", "Ada")));
        // Field boundaries are unambiguous.
        assert_ne!(input_hash(&row("ab", "c")), input_hash(&row("a", "bc")));
        // Pinned (FNV-1a-128 of `{}`, checked independently): the hash must never change between
        // versions, or journals stop matching.
        assert_eq!(
            input_hash(&Fields::new()),
            "0880955dd2ab1be95aa0733055c655b5"
        );
    }

    #[test]
    fn run_ids_use_canonical_paths() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("leads.csv");
        std::fs::write(&csv, "a\n1\n").unwrap();
        let via_dot = dir.path().join(".").join("leads.csv");
        assert_eq!(
            RunId::for_sheet(&csv).unwrap(),
            RunId::for_sheet(&via_dot).unwrap()
        );
        let out = dir.path().join("out.csv");
        let headless = RunId::for_headless(&csv, &out).unwrap();
        assert_ne!(headless, RunId::for_sheet(&csv).unwrap());
        assert!(headless.as_str().ends_with("out.csv"));
        assert!(RunId::for_sheet(&dir.path().join("missing-dir/x.csv")).is_err());
    }
}
