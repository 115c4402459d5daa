//! Prompt templates: text with `{{name}}` tokens filled from a row's inputs.

/// A prompt with `{{name}}` tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    text: String,
    /// Token names in order of first appearance, trimmed, without duplicates.
    tokens: Vec<String>,
}

/// The tokens a row could not fill.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("missing {}", .0.join(", "))]
pub struct Missing(pub Vec<String>);

impl Template {
    /// Reads the tokens of `text`. An unclosed `{{` is kept as text.
    pub fn new(text: &str) -> Template {
        let mut tokens: Vec<String> = Vec::new();
        for (_, name) in spans(text) {
            if !tokens.iter().any(|t| t == name) {
                tokens.push(name.to_string());
            }
        }
        Template {
            text: text.to_string(),
            tokens,
        }
    }

    /// The template as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The token names, in order of first appearance.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The prompt for one row: each token replaced by its value, trimmed. Tokens with no value
    /// or a blank one make it fail, so such a row is skipped rather than sent half-asked.
    pub fn render<'a>(&self, value: impl Fn(&str) -> Option<&'a str>) -> Result<String, Missing> {
        let missing: Vec<String> = self
            .tokens
            .iter()
            .filter(|t| value(t).is_none_or(|v| v.trim().is_empty()))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(Missing(missing));
        }
        let mut out = String::with_capacity(self.text.len() + 64);
        let mut last = 0;
        for (range, name) in spans(&self.text) {
            out.push_str(&self.text[last..range.start]);
            out.push_str(value(name).map(str::trim).unwrap_or_default());
            last = range.end;
        }
        out.push_str(&self.text[last..]);
        Ok(out)
    }
}

/// Each `{{ name }}` in `text`: its byte range and its trimmed name. Empty names are text.
pub(crate) fn spans(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| i + from) {
        let Some(close) = text[open + 2..].find("}}").map(|i| i + open + 2) else {
            break;
        };
        let raw = &text[open + 2..close];
        // A name holds no braces: `{{a {{b}}` is text then the token `b`, and `{{{x}}` is
        // `{` then the token `x`.
        if let Some(inner) = raw.rfind("{{") {
            from = open + 2 + inner;
            continue;
        }
        if raw.starts_with('{') {
            from = open + 1;
            continue;
        }
        let name = raw.trim();
        if !name.is_empty() && !name.contains(['{', '}', '\n']) {
            found.push((open..close + 2, name));
        }
        from = close + 2;
    }
    found
}

/// The token being typed at `cursor` (a byte offset): the text after the last unclosed `{{`
/// before it, for completing column names.
pub fn open_token_at(text: &str, cursor: usize) -> Option<&str> {
    let before = text.get(..cursor)?;
    let open = before.rfind("{{")?;
    let partial = &before[open + 2..];
    (!partial.contains("}}") && !partial.contains('\n')).then_some(partial)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn row(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tokens_are_filled_from_the_row() {
        let t = Template::new("What does {{company}} ({{ domain }}) do? Ask {{company}}.");
        assert_eq!(t.tokens(), ["company", "domain"]);
        let r = row(&[("company", " Kitecraft "), ("domain", "kitecraft.example")]);
        assert_eq!(
            t.render(|k| r.get(k).map(String::as_str)).unwrap(),
            "What does Kitecraft (kitecraft.example) do? Ask Kitecraft."
        );
    }

    #[test]
    fn a_missing_or_blank_value_fails_the_row_instead_of_sending_it() {
        let t = Template::new("Who runs {{company}} at {{domain}}?");
        let r = row(&[("company", "Kitecraft"), ("domain", "  ")]);
        assert_eq!(
            t.render(|k| r.get(k).map(String::as_str)),
            Err(Missing(vec!["domain".into()]))
        );
        let none = row(&[]);
        let e = t.render(|k| none.get(k).map(String::as_str)).unwrap_err();
        assert_eq!(e.to_string(), "missing company, domain");
    }

    #[test]
    fn odd_braces_stay_text() {
        let t = Template::new("JSON like {\"a\": 1} and {{ }} and {{open and {{{x}}");
        assert_eq!(t.tokens(), ["x"]);
        let r = row(&[("x", "1")]);
        assert_eq!(
            t.render(|k| r.get(k).map(String::as_str)).unwrap(),
            "JSON like {\"a\": 1} and {{ }} and {{open and {1"
        );
        assert_eq!(Template::new("no tokens").tokens().len(), 0);
    }

    #[test]
    fn the_token_being_typed_is_found() {
        assert_eq!(open_token_at("Who runs {{comp", 15), Some("comp"));
        assert_eq!(open_token_at("Who runs {{company}} ", 21), None);
        assert_eq!(open_token_at("Who runs {{", 11), Some(""));
        assert_eq!(open_token_at("plain", 5), None);
    }
}
