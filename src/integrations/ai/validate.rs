//! Checking a model's answer against the declared outputs and normalising each value to its
//! type: numbers without separators, ISO dates, canonical enum choices, absolute URLs.
//! "Not found" (`null`, or a placeholder such as "N/A") becomes an empty cell, never text.

use crate::integrations::{Fields, OutputKind, OutputSpec};
use serde_json::{Map, Value};

/// The answer's fields, normalised, or every reason it does not fit (one line each).
pub fn validate(outputs: &[OutputSpec], answer: &Map<String, Value>) -> Result<Fields, String> {
    let mut fields = Fields::new();
    let mut problems = Vec::new();
    for output in outputs {
        match answer.get(output.name) {
            None => problems.push(format!("{}: missing (use null if unknown)", output.name)),
            Some(value) => match normalise(output.kind, value) {
                Ok(Some(v)) => {
                    fields.insert(output.name.to_string(), v);
                }
                Ok(None) => {}
                Err(why) => problems.push(format!("{}: {why}", output.name)),
            },
        }
    }
    if problems.is_empty() {
        Ok(fields)
    } else {
        Err(problems.join("; "))
    }
}

/// Texts models write when they mean "nothing found".
const PLACEHOLDERS: &[&str] = &[
    "",
    "-",
    "n/a",
    "na",
    "none",
    "null",
    "nil",
    "unknown",
    "not found",
    "not available",
    "not applicable",
    "not specified",
    "not disclosed",
    "no data",
];

fn is_placeholder(text: &str) -> bool {
    let t = text.trim().trim_end_matches('.').to_ascii_lowercase();
    PLACEHOLDERS.contains(&t.as_str())
}

/// One value as its column's text: `Ok(None)` for "not found", `Err` when it does not fit.
pub fn normalise(kind: OutputKind, value: &Value) -> Result<Option<String>, String> {
    if value.is_null() || value.as_str().is_some_and(is_placeholder) {
        return Ok(None);
    }
    match kind {
        OutputKind::Text => text(value),
        OutputKind::Number => number(value).map(Some),
        OutputKind::Integer => integer(value).map(Some),
        OutputKind::Bool => boolean(value).map(Some),
        OutputKind::Date => date(value).map(Some),
        OutputKind::Url => url(value).map(Some),
        OutputKind::UrlList => url_list(value),
        OutputKind::Enum(choices) => choice(choices, value).map(Some),
    }
}

/// A short quote of what the model wrote, for error messages.
fn shown(value: &Value) -> String {
    crate::providers::wire::cut(&value.to_string(), 80)
}

fn text(value: &Value) -> Result<Option<String>, String> {
    match value {
        Value::String(s) => Ok(Some(s.trim().to_string())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|i| text(i).ok().flatten())
                .filter(|s| !is_placeholder(s))
                .collect();
            Ok((!parts.is_empty()).then(|| parts.join(", ")))
        }
        other => Err(format!("expected text, got {}", shown(other))),
    }
}

/// Digits with `,` `_` or spaces between thousands, and an optional `$` or `%`, as a number.
fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String = text
        .trim()
        .trim_start_matches('$')
        .trim_end_matches('%')
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    cleaned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// A number written plainly: `1200`, `0.85`, `-3.5`.
fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn number(value: &Value) -> Result<String, String> {
    let parsed = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => parse_number(s),
        _ => None,
    };
    parsed
        .map(format_number)
        .ok_or_else(|| format!("expected a number, got {}", shown(value)))
}

fn integer(value: &Value) -> Result<String, String> {
    let parsed = match value {
        Value::Number(n) => n
            .as_i64()
            .map(|i| i as f64)
            .or_else(|| n.as_u64().map(|u| u as f64))
            .or_else(|| n.as_f64()),
        Value::String(s) => parse_number(s),
        _ => None,
    };
    match parsed {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(format!("{}", f as i64)),
        _ => Err(format!("expected a whole number, got {}", shown(value))),
    }
}

fn boolean(value: &Value) -> Result<String, String> {
    let parsed = match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" => Some(true),
            "false" | "no" | "n" => Some(false),
            _ => None,
        },
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        _ => None,
    };
    parsed
        .map(|b| b.to_string())
        .ok_or_else(|| format!("expected true or false, got {}", shown(value)))
}

/// `YYYY-MM-DD` from the usual ways of writing a date; a bare year-month or year stays as it is.
fn date(value: &Value) -> Result<String, String> {
    use chrono::NaiveDate;
    let fail = || format!("expected a date (YYYY-MM-DD), got {}", shown(value));
    let Value::String(s) = value else {
        return Err(fail());
    };
    let s = s.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(dt.date_naive().format("%Y-%m-%d").to_string());
    }
    let head = s.split(['T', ' ']).next().unwrap_or(s);
    for format in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(head, format) {
            return Ok(d.format("%Y-%m-%d").to_string());
        }
    }
    for format in ["%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, format) {
            return Ok(d.format("%Y-%m-%d").to_string());
        }
    }
    let year_month = |t: &str| {
        let (y, m) = t.split_once('-')?;
        (y.len() == 4 && m.len() == 2 && y.parse::<u16>().is_ok())
            .then(|| m.parse::<u8>().ok().filter(|m| (1..=12).contains(m)))
            .flatten()
    };
    if year_month(s).is_some() || (s.len() == 4 && s.parse::<u16>().is_ok()) {
        return Ok(s.to_string());
    }
    Err(fail())
}

/// An absolute http(s) URL; a bare host or path (`example.com/about`) gets `https://`.
fn url(value: &Value) -> Result<String, String> {
    let fail = || format!("expected an absolute URL, got {}", shown(value));
    let Value::String(s) = value else {
        return Err(fail());
    };
    let s = s.trim().trim_matches(['<', '>']);
    let candidate = if s.contains("://") {
        s.to_string()
    } else if s.contains('.') && !s.contains(char::is_whitespace) {
        format!("https://{s}")
    } else {
        return Err(fail());
    };
    match url::Url::parse(&candidate) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(candidate),
        _ => Err(fail()),
    }
}

fn url_list(value: &Value) -> Result<Option<String>, String> {
    let items: Vec<Value> = match value {
        Value::Array(items) => items.clone(),
        Value::String(s) => s
            .split([',', ' ', '\n', ';'])
            .filter(|p| !p.trim().is_empty())
            .map(|p| Value::String(p.to_string()))
            .collect(),
        other => return Err(format!("expected a list of URLs, got {}", shown(other))),
    };
    let mut urls: Vec<String> = Vec::new();
    for item in items
        .iter()
        .filter(|i| !i.is_null() && !i.as_str().is_some_and(is_placeholder))
    {
        let u = url(item)?;
        if !urls.contains(&u) {
            urls.push(u);
        }
    }
    Ok((!urls.is_empty()).then(|| urls.join(", ")))
}

/// The choice `value` names, ignoring case, spaces and punctuation.
fn choice(choices: &[&str], value: &Value) -> Result<String, String> {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let given = match value {
        Value::String(s) => key(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    };
    choices
        .iter()
        .find(|c| key(c) == given)
        .map(|c| (*c).to_string())
        .ok_or_else(|| {
            format!(
                "expected one of {}, got {}",
                choices.join(", "),
                shown(value)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(kind: OutputKind, v: Value) -> Option<String> {
        normalise(kind, &v).unwrap()
    }

    fn bad(kind: OutputKind, v: Value) -> String {
        normalise(kind, &v).unwrap_err()
    }

    #[test]
    fn not_found_is_empty_never_text() {
        for v in [
            json!(null),
            json!("N/A"),
            json!(" unknown. "),
            json!(""),
            json!("Not found"),
        ] {
            for kind in [OutputKind::Text, OutputKind::Number, OutputKind::Url] {
                assert_eq!(ok(kind, v.clone()), None, "{kind:?} {v}");
            }
        }
        assert_eq!(ok(OutputKind::UrlList, json!([null, "n/a"])), None);
    }

    #[test]
    fn numbers_and_integers() {
        assert_eq!(ok(OutputKind::Number, json!(0.85)).unwrap(), "0.85");
        assert_eq!(ok(OutputKind::Number, json!("1,234.50")).unwrap(), "1234.5");
        assert_eq!(ok(OutputKind::Number, json!("$12")).unwrap(), "12");
        assert_eq!(ok(OutputKind::Number, json!(3.0)).unwrap(), "3");
        assert!(bad(OutputKind::Number, json!("high")).contains("expected a number"));
        assert_eq!(ok(OutputKind::Integer, json!("1 200")).unwrap(), "1200");
        assert_eq!(ok(OutputKind::Integer, json!(48.0)).unwrap(), "48");
        assert!(bad(OutputKind::Integer, json!(1.5)).contains("whole number"));
        assert!(bad(OutputKind::Integer, json!("about 50")).contains("whole number"));
    }

    #[test]
    fn booleans_dates_and_enums() {
        assert_eq!(ok(OutputKind::Bool, json!("Yes")).unwrap(), "true");
        assert_eq!(ok(OutputKind::Bool, json!(false)).unwrap(), "false");
        assert!(bad(OutputKind::Bool, json!("maybe")).contains("true or false"));
        for (given, want) in [
            ("2026-05-12", "2026-05-12"),
            ("2026-05-12T09:30:00Z", "2026-05-12"),
            ("2026/5/12", "2026-05-12"),
            ("May 12, 2026", "2026-05-12"),
            ("12 May 2026", "2026-05-12"),
            ("2026-05", "2026-05"),
            ("2026", "2026"),
        ] {
            assert_eq!(ok(OutputKind::Date, json!(given)).unwrap(), want, "{given}");
        }
        assert!(bad(OutputKind::Date, json!("last spring")).contains("YYYY-MM-DD"));
        let stages = OutputKind::Enum(&["pre-seed", "Series A"]);
        assert_eq!(ok(stages, json!("preseed")).unwrap(), "pre-seed");
        assert_eq!(ok(stages, json!("series_a")).unwrap(), "Series A");
        assert_eq!(
            bad(stages, json!("IPO")),
            "expected one of pre-seed, Series A, got \"IPO\""
        );
    }

    #[test]
    fn urls_and_lists() {
        assert_eq!(
            ok(OutputKind::Url, json!(" https://www.linkedin.com/in/ada ")).unwrap(),
            "https://www.linkedin.com/in/ada"
        );
        assert_eq!(
            ok(OutputKind::Url, json!("kitecraft.example/about")).unwrap(),
            "https://kitecraft.example/about"
        );
        assert!(bad(OutputKind::Url, json!("the company website")).contains("absolute URL"));
        assert!(bad(OutputKind::Url, json!("ftp://x.example")).contains("absolute URL"));
        assert_eq!(
            ok(
                OutputKind::UrlList,
                json!(["https://a.example/1", "b.example", "https://a.example/1"])
            )
            .unwrap(),
            "https://a.example/1, https://b.example"
        );
        assert_eq!(
            ok(
                OutputKind::UrlList,
                json!("https://a.example, https://b.example")
            )
            .unwrap(),
            "https://a.example, https://b.example"
        );
        assert!(bad(OutputKind::UrlList, json!(["not a url"])).contains("absolute URL"));
    }

    #[test]
    fn text_takes_plain_values_and_refuses_objects() {
        assert_eq!(ok(OutputKind::Text, json!("  Acme ")).unwrap(), "Acme");
        assert_eq!(ok(OutputKind::Text, json!(["a", "b"])).unwrap(), "a, b");
        assert!(bad(OutputKind::Text, json!({"a": 1})).contains("expected text"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let outputs = [
            OutputSpec {
                name: "ceo_name",
                kind: OutputKind::Text,
                description: "",
            },
            OutputSpec {
                name: "ceo_confidence",
                kind: OutputKind::Number,
                description: "",
            },
            OutputSpec {
                name: "ceo_linkedin_url",
                kind: OutputKind::Url,
                description: "",
            },
        ];
        let answer = json!({"ceo_confidence": "very", "ceo_linkedin_url": null});
        let e = validate(&outputs, answer.as_object().unwrap()).unwrap_err();
        assert_eq!(
            e,
            "ceo_name: missing (use null if unknown); ceo_confidence: expected a number, got \"very\""
        );
        let good = json!({"ceo_name": "Ada Quill", "ceo_confidence": 0.9, "ceo_linkedin_url": null, "extra": 1});
        let fields = validate(&outputs, good.as_object().unwrap()).unwrap();
        assert_eq!(fields.len(), 2);
        assert_eq!(fields["ceo_confidence"], "0.9");
    }
}
