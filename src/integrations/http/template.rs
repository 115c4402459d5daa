//! Request templates of the `http` kind: `{{input}}` tokens filled from a row and escaped for
//! where they land (URL-encoded in a URL, JSON-escaped in a body, without line breaks in a
//! header), and `{{env.NAME}}` tokens kept as written, for the router to fill when the request
//! is sent (`providers::generic`), so a secret never enters the cached parameters.

use crate::integrations::ai::prompt::spans;
use crate::providers::generic::URL_COMPONENT;
use percent_encoding::utf8_percent_encode;

/// What a token names when it starts with this: an environment variable.
pub const ENV_PREFIX: &str = "env.";

/// Where a template's values land, and so how they are escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Percent-encoded as a URL component (`a b&c` → `a%20b%26c`).
    Url,
    /// Escaped as the inside of a JSON string (`say "hi"` → `say \"hi\"`).
    Json,
    /// As is, without control characters (no header injection through a line break).
    Header,
    /// As is (a DataGen tool parameter: the value itself).
    Raw,
}

impl Escape {
    fn apply(self, value: &str, out: &mut String) {
        match self {
            Escape::Url => out.extend(utf8_percent_encode(value, URL_COMPONENT)),
            Escape::Json => {
                let quoted = serde_json::Value::String(value.to_string()).to_string();
                out.push_str(&quoted[1..quoted.len() - 1]);
            }
            Escape::Header => out.extend(value.chars().filter(|c| !c.is_control())),
            Escape::Raw => out.push_str(value),
        }
    }
}

/// A text with `{{input}}` and `{{env.NAME}}` tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    text: String,
    /// Input tokens, in order of first appearance, without duplicates.
    inputs: Vec<String>,
    /// Environment variables named, in order of first appearance, without duplicates.
    env: Vec<String>,
}

impl Template {
    /// Reads the tokens of `text` (an unclosed `{{` is text).
    pub fn new(text: &str) -> Template {
        let mut inputs: Vec<String> = Vec::new();
        let mut env: Vec<String> = Vec::new();
        for (_, name) in spans(text) {
            let (list, name) = match name.strip_prefix(ENV_PREFIX) {
                Some(var) => (&mut env, var.trim()),
                None => (&mut inputs, name),
            };
            if !list.iter().any(|t| t == name) {
                list.push(name.to_string());
            }
        }
        Template {
            text: text.to_string(),
            inputs,
            env,
        }
    }

    /// The template as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The inputs it reads.
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    /// The environment variables it names.
    pub fn env(&self) -> &[String] {
        &self.env
    }

    /// The text with each input token replaced by its value (trimmed; empty when the row has
    /// none) escaped by `escape`, and each `{{env.NAME}}` kept for the router.
    pub fn render<'a>(&self, value: impl Fn(&str) -> Option<&'a str>, escape: Escape) -> String {
        let mut out = String::with_capacity(self.text.len() + 32);
        let mut last = 0;
        for (range, name) in spans(&self.text) {
            out.push_str(&self.text[last..range.start]);
            match name.strip_prefix(ENV_PREFIX) {
                Some(var) => {
                    out.push_str("{{env.");
                    out.push_str(var.trim());
                    out.push_str("}}");
                }
                None => escape.apply(value(name).map(str::trim).unwrap_or_default(), &mut out),
            }
            last = range.end;
        }
        out.push_str(&self.text[last..]);
        out
    }

    /// The text before its first token (the part of a URL no row can change).
    pub fn fixed_prefix(&self) -> &str {
        spans(&self.text)
            .first()
            .map_or(self.text.as_str(), |(range, _)| &self.text[..range.start])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(name: &str) -> Option<&'static str> {
        match name {
            "domain" => Some(" acme.example "),
            "q" => Some("a b&c=d/é"),
            "quote" => Some("say \"hi\"\n\\"),
            _ => None,
        }
    }

    #[test]
    fn values_are_escaped_for_where_they_land() {
        let url = Template::new("https://api.example.com/v1/{{domain}}?q={{q}}&k={{env.KEY}}");
        assert_eq!(url.inputs(), ["domain", "q"]);
        assert_eq!(url.env(), ["KEY"]);
        assert_eq!(
            url.render(values, Escape::Url),
            "https://api.example.com/v1/acme.example?q=a%20b%26c%3Dd%2F%C3%A9&k={{env.KEY}}"
        );
        let body = Template::new(r#"{"text": "{{quote}}", "d": "{{domain}}"}"#);
        let rendered = body.render(values, Escape::Json);
        let parsed: serde_json::Value = serde_json::from_str(&rendered).unwrap();
        assert_eq!(parsed["text"], "say \"hi\"\n\\");
        assert_eq!(parsed["d"], "acme.example");
        let header = Template::new("Bearer {{ env.TOKEN }} for {{quote}}");
        assert_eq!(
            header.render(values, Escape::Header),
            "Bearer {{env.TOKEN}} for say \"hi\"\\",
            "no line break reaches a header"
        );
    }

    #[test]
    fn a_missing_value_is_empty_and_the_fixed_prefix_is_known() {
        let t = Template::new("https://api.example.com/v1/companies?domain={{nothing}}");
        assert_eq!(
            t.render(values, Escape::Url),
            "https://api.example.com/v1/companies?domain="
        );
        assert_eq!(
            t.fixed_prefix(),
            "https://api.example.com/v1/companies?domain="
        );
        assert_eq!(Template::new("plain").fixed_prefix(), "plain");
    }
}
