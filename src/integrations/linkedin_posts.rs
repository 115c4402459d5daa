//! Reading `get_linkedin_person_posts` results, shared by the post-activity and Claude-mention integrations.

use crate::integrations::EnrichError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// The DataGen tool both posts integrations call, with the same parameters, so the engine can share the call.
pub const POSTS_TOOL: &str = "get_linkedin_person_posts";

/// The fields of one post that integrations use.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    /// When it was posted; `None` when the date is missing or unreadable.
    pub date: Option<DateTime<Utc>>,
    /// The post's text; empty when missing.
    pub text: String,
    /// Link to the post, when the result carries one.
    pub url: Option<String>,
}

/// The posts of a result shaped `{"posts": [...]}` (a bare list is accepted too). A missing or
/// null list means no posts; anything else unexpected is a bad response.
pub fn parse_posts(result: &Value) -> Result<Vec<Post>, EnrichError> {
    let list = match result {
        Value::Array(items) => items,
        Value::Object(obj) => match obj.get("posts") {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(EnrichError::bad_response(format!(
                    "posts is not a list: {}",
                    kind_of(other)
                )));
            }
        },
        Value::Null => return Ok(Vec::new()),
        other => {
            return Err(EnrichError::bad_response(format!(
                "posts result is not an object: {}",
                kind_of(other)
            )));
        }
    };
    Ok(list.iter().filter(|p| p.is_object()).map(post_of).collect())
}

fn post_of(v: &Value) -> Post {
    let date = ["activityDate", "postedAt", "date"]
        .iter()
        .find_map(|k| v.get(k).and_then(parse_date));
    let text = v
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let url = ["activityUrl", "postUrl", "url"]
        .iter()
        .find_map(|k| v.get(k).and_then(Value::as_str))
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string);
    Post { date, text, url }
}

/// Reads a post date: ISO 8601 with any offset, or without one (taken as UTC), a bare date,
/// or epoch milliseconds. Everything ends up timezone-aware so comparisons never mix kinds.
pub fn parse_date(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::Number(n) => {
            let millis = n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))?;
            Utc.timestamp_millis_opt(millis).single()
        }
        Value::String(s) => {
            let s = s.trim();
            if let Ok(d) = DateTime::parse_from_rfc3339(s) {
                return Some(d.with_timezone(&Utc));
            }
            for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
                if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
                    return Some(d.and_utc());
                }
            }
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
        }
        _ => None,
    }
}

/// How dates are written to cells: ISO 8601 in UTC, to the second.
pub fn format_date(d: DateTime<Utc>) -> String {
    d.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_in_every_seen_form() {
        let want = Utc.with_ymd_and_hms(2026, 1, 8, 14, 2, 11).unwrap();
        for v in [
            json!("2026-01-08T14:02:11.000Z"),
            json!("2026-01-08T14:02:11Z"),
            json!("2026-01-08T15:02:11+01:00"),
            json!("2026-01-08T14:02:11"),
            json!("2026-01-08 14:02:11"),
            json!(1767880931000_i64),
        ] {
            assert_eq!(parse_date(&v), Some(want), "{v}");
        }
        assert_eq!(
            parse_date(&json!("2026-01-08")),
            Some(Utc.with_ymd_and_hms(2026, 1, 8, 0, 0, 0).unwrap())
        );
        assert_eq!(parse_date(&json!("last week")), None);
        assert_eq!(parse_date(&json!(null)), None);
    }

    #[test]
    fn posts_list_shapes() {
        assert!(parse_posts(&json!({})).unwrap().is_empty());
        assert!(parse_posts(&json!({"posts": null})).unwrap().is_empty());
        assert!(parse_posts(&json!({"posts": []})).unwrap().is_empty());
        assert_eq!(parse_posts(&json!([{"text": "hi"}])).unwrap().len(), 1);
        assert!(parse_posts(&json!({"posts": "nope"})).is_err());
        assert!(parse_posts(&json!("nope")).is_err());
    }

    #[test]
    fn post_fields_are_read_with_fallbacks() {
        let posts = parse_posts(&json!({"posts": [
            {"text": "a", "activityDate": "2026-01-08T14:02:11.000Z", "activityUrl": "https://x/1"},
            {"postUrl": " https://x/2 ", "activityDate": "garbage"},
            "not a post"
        ]}))
        .unwrap();
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[0].url.as_deref(), Some("https://x/1"));
        assert_eq!(posts[1].url.as_deref(), Some("https://x/2"));
        assert_eq!(posts[1].date, None);
        assert_eq!(posts[1].text, "");
    }
}
