//! `linkedin_post_activity`: how much a person posts on LinkedIn, and when they last did.

use crate::integrations::linkedin_posts::{POSTS_TOOL, format_date, parse_posts};
use crate::integrations::linkedin_url::{LINKEDIN_URL_INPUT, person_params};
use crate::integrations::{
    Ctx, EnrichError, Enriched, Fields, IntegrationSpec, OutputKind, OutputSpec, RowEnrich,
};
use crate::providers::ProviderId;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "linkedin_post_activity",
    description: "Posts in the last 30 and 90 days, total posts and the date of the newest post",
    provider: ProviderId::DATAGEN,
    tools: &[POSTS_TOOL],
    inputs: &[LINKEDIN_URL_INPUT],
    outputs: &[
        OutputSpec {
            name: "posts_last_30_days",
            kind: OutputKind::Integer,
            description: "Posts dated within the last 30 days",
        },
        OutputSpec {
            name: "posts_last_90_days",
            kind: OutputKind::Integer,
            description: "Posts dated within the last 90 days",
        },
        OutputSpec {
            name: "total_posts",
            kind: OutputKind::Integer,
            description: "Posts returned by LinkedIn",
        },
        OutputSpec {
            name: "last_post_date",
            kind: OutputKind::Date,
            description: "Date of the newest post (ISO 8601, UTC)",
        },
    ],
    cost_per_row_usd: 0.01,
};

/// The `linkedin_post_activity` integration.
pub struct LinkedinPostActivity;

impl RowEnrich for LinkedinPostActivity {
    const SPEC: &'static IntegrationSpec = &SPEC;

    fn first_request(&self, inputs: &Fields) -> Option<serde_json::Value> {
        person_params(inputs).ok()
    }

    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let params = person_params(inputs)?;
        let result = ctx.call(SPEC.provider, POSTS_TOOL, params).await?;
        parse(&result, Utc::now())
    }
}

/// Turns a `get_linkedin_person_posts` result into this integration's outputs, counting from `now`.
pub fn parse(result: &Value, now: DateTime<Utc>) -> Result<Enriched, EnrichError> {
    let posts = parse_posts(result)?;
    let since = |days: i64| {
        let cutoff = now - Duration::days(days);
        posts
            .iter()
            .filter(|p| p.date.is_some_and(|d| d > cutoff))
            .count()
    };
    let mut fields = Fields::new();
    fields.insert("posts_last_30_days".into(), since(30).to_string());
    fields.insert("posts_last_90_days".into(), since(90).to_string());
    fields.insert("total_posts".into(), posts.len().to_string());
    if let Some(newest) = posts.iter().filter_map(|p| p.date).max() {
        fields.insert("last_post_date".into(), format_date(newest));
    }
    Ok(Enriched {
        fields,
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn get<'a>(e: &'a Enriched, k: &str) -> Option<&'a str> {
        e.fields.get(k).map(String::as_str)
    }

    #[test]
    fn counts_by_window_with_odd_dates() {
        let result = json!({"posts": [
            {"activityDate": "2026-02-28T09:00:00.000Z", "text": "a"},
            {"activityDate": "2026-02-10T09:00:00+02:00", "text": "b"},
            {"activityDate": "2026-01-30T12:00:01Z", "text": "c (29.99 days ago)"},
            {"activityDate": "2026-01-30T11:59:59Z", "text": "d (just over 30 days ago)"},
            {"activityDate": "2025-12-15", "text": "e"},
            {"activityDate": "2025-06-01T00:00:00Z", "text": "f"},
            {"activityDate": "not a date", "text": "g"},
            {"text": "h, no date"}
        ]});
        let e = parse(&result, now()).unwrap();
        assert_eq!(get(&e, "posts_last_30_days"), Some("3"));
        assert_eq!(get(&e, "posts_last_90_days"), Some("5"));
        assert_eq!(get(&e, "total_posts"), Some("8"));
        assert_eq!(get(&e, "last_post_date"), Some("2026-02-28T09:00:00Z"));
    }

    #[test]
    fn no_posts_is_zero_and_empty_date() {
        for result in [json!({"posts": []}), json!({}), json!({"posts": null})] {
            let e = parse(&result, now()).unwrap();
            assert_eq!(get(&e, "posts_last_30_days"), Some("0"));
            assert_eq!(get(&e, "posts_last_90_days"), Some("0"));
            assert_eq!(get(&e, "total_posts"), Some("0"));
            assert_eq!(get(&e, "last_post_date"), None);
        }
    }

    #[test]
    fn unsorted_posts_give_newest_date() {
        let result = json!({"posts": [
            {"activityDate": "2026-01-01T00:00:00Z"},
            {"activityDate": "2026-02-01T00:00:00Z"},
            {"activityDate": "2025-01-01T00:00:00Z"}
        ]});
        let e = parse(&result, now()).unwrap();
        assert_eq!(get(&e, "last_post_date"), Some("2026-02-01T00:00:00Z"));
    }
}
