//! The identity of a request: the one key the caller's memo, its table of calls in flight and
//! the persistent response cache all use, so "the same request" means the same thing to each.

use super::ProviderId;
use super::linkedin_url::normalize_linkedin_url;
use serde_json::Value;

/// Identifies one tool call's answer: provider, tool and the canonical, normalized parameters.
///
/// Equal requests written differently (key order, a LinkedIn URL with `www.`, a trailing slash,
/// a query string or upper case) produce the same key, so the answer is paid for once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestKey {
    provider: ProviderId,
    tool: String,
    params: String,
}

impl RequestKey {
    /// The key for calling `tool` of `provider` with `params`.
    pub fn new(provider: ProviderId, tool: &str, params: &Value) -> RequestKey {
        let mut canonical = String::new();
        write_canonical(&mut canonical, params);
        RequestKey {
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
/// the answer anyway). A name *ending* in "token" is one (`access_token`), an LLM call's
/// `max_tokens` is not: it changes the answer.
fn is_credential_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace(['-', '_'], "");
    lower.ends_with("token")
        || ["apikey", "authorization", "secret", "password", "bearer"]
            .iter()
            .any(|c| lower.contains(c))
}

/// `params` as they may be kept (journal, inspector): the value of a credential-named key (a
/// key written into an integration file's header) shown as `***`. A named secret
/// (`{{env.NAME}}`) is kept: it says which variable, not what it holds.
pub fn redacted(params: &Value) -> Value {
    match params {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let hidden =
                        is_credential_name(k) && v.as_str().is_some_and(|s| !s.contains("{{env."));
                    let v = if hidden {
                        Value::String("***".into())
                    } else {
                        redacted(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redacted).collect()),
        other => other.clone(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(params: Value) -> RequestKey {
        RequestKey::new(ProviderId::DATAGEN, "get_person", &params)
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
            RequestKey::new(ProviderId::HEYREACH, "get_person", &json!({"b": 1})),
            key(json!({"b": 1}))
        );
        assert_ne!(
            RequestKey::new(ProviderId::DATAGEN, "other", &json!({"b": 1})),
            key(json!({"b": 1}))
        );
    }

    #[test]
    fn key_order_does_not_depend_on_how_the_map_was_built() {
        // Built in two insertion orders: whatever order the JSON map keeps its keys in,
        // the key (and so the memo, the calls in flight and the cache) sees one request.
        let mut forward = serde_json::Map::new();
        let mut backward = serde_json::Map::new();
        let pairs = [
            ("zeta", json!(1)),
            ("alpha", json!("a")),
            ("mid", json!([2])),
        ];
        for (k, v) in pairs.iter() {
            forward.insert((*k).to_string(), v.clone());
        }
        for (k, v) in pairs.iter().rev() {
            backward.insert((*k).to_string(), v.clone());
        }
        assert_eq!(key(Value::Object(forward)), key(Value::Object(backward)));
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
        let k = key(json!({"access_token": "t", "q": 1}));
        assert_eq!(k.params(), r#"{"q":1}"#);
    }

    #[test]
    fn an_llm_requests_token_limit_is_part_of_its_key() {
        let a = key(json!({"model": "m", "max_tokens": 1024, "prompt": "p"}));
        let b = key(json!({"model": "m", "max_tokens": 2048, "prompt": "p"}));
        assert_ne!(a, b);
        assert!(a.params().contains("\"max_tokens\":1024"), "{}", a.params());
    }

    #[test]
    fn credentials_written_into_parameters_are_redacted_for_keeping() {
        let params = serde_json::json!({
            "url": "https://api.example.com/v1?d=x",
            "headers": {"Authorization": "Bearer sk-live-123", "X-Api-Key": "{{env.KEY}}", "X-Team": "growth"},
            "max_tokens": 100,
        });
        assert_eq!(
            redacted(&params),
            serde_json::json!({
                "url": "https://api.example.com/v1?d=x",
                "headers": {"Authorization": "***", "X-Api-Key": "{{env.KEY}}", "X-Team": "growth"},
                "max_tokens": 100,
            })
        );
    }
}
