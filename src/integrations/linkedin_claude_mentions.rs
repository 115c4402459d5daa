//! `linkedin_claude_mentions`: LinkedIn posts in which a person mentions Claude Code.

use crate::integrations::linkedin_posts::{POSTS_TOOL, Post, format_date, parse_posts};
use crate::integrations::linkedin_url::{LINKEDIN_URL_INPUT, person_params};
use crate::integrations::{
    Ctx, EnrichError, Enriched, Fields, IntegrationSpec, OutputKind, OutputSpec, RowEnrich,
};
use crate::providers::ProviderId;
use serde_json::Value;

/// Lower-cased phrases that make a post a mention.
pub const MENTION_PHRASES: &[&str] = &["claude code", "claude-code", "claudecode", "@claude"];

/// How many mention URLs the output lists.
const MAX_URLS: usize = 5;

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "linkedin_claude_mentions",
    description: "LinkedIn posts mentioning Claude Code: count, newest links, first mention",
    provider: ProviderId::DATAGEN,
    tools: &[POSTS_TOOL],
    inputs: &[LINKEDIN_URL_INPUT],
    outputs: &[
        OutputSpec {
            name: "claude_mentions_count",
            kind: OutputKind::Integer,
            description: "Posts mentioning Claude Code",
        },
        OutputSpec {
            name: "claude_mention_urls",
            kind: OutputKind::UrlList,
            description: "Links to the 5 newest mentions, joined by \", \"",
        },
        OutputSpec {
            name: "first_claude_mention_date",
            kind: OutputKind::Date,
            description: "Date of the oldest mention (ISO 8601, UTC)",
        },
    ],
    cost_per_row_usd: 0.01,
};

/// The `linkedin_claude_mentions` integration.
pub struct LinkedinClaudeMentions;

impl RowEnrich for LinkedinClaudeMentions {
    const SPEC: &'static IntegrationSpec = &SPEC;

    fn first_request(&self, inputs: &Fields) -> Option<serde_json::Value> {
        person_params(inputs).ok()
    }

    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let params = person_params(inputs)?;
        let result = ctx.call(SPEC.provider, POSTS_TOOL, params).await?;
        parse(&result)
    }
}

/// Whether a post's text mentions Claude Code.
pub fn is_mention(text: &str) -> bool {
    let lower = text.to_lowercase();
    MENTION_PHRASES.iter().any(|p| lower.contains(p))
}

/// Turns a `get_linkedin_person_posts` result into this integration's outputs.
pub fn parse(result: &Value) -> Result<Enriched, EnrichError> {
    let mut mentions: Vec<Post> = parse_posts(result)?
        .into_iter()
        .filter(|p| is_mention(&p.text))
        .collect();
    // Newest first; undated mentions last so they never push a dated one out of the top five.
    mentions.sort_by(|a, b| match (a.date, b.date) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let urls: Vec<&str> = mentions
        .iter()
        .filter_map(|p| p.url.as_deref())
        .take(MAX_URLS)
        .collect();
    let mut fields = Fields::new();
    fields.insert("claude_mentions_count".into(), mentions.len().to_string());
    if !urls.is_empty() {
        fields.insert("claude_mention_urls".into(), urls.join(", "));
    }
    if let Some(first) = mentions.iter().filter_map(|p| p.date).min() {
        fields.insert("first_claude_mention_date".into(), format_date(first));
    }
    let notes = mentions
        .iter()
        .take(MAX_URLS)
        .map(|p| crate::providers::datagen::truncate(p.text.trim(), 200))
        .collect();
    Ok(Enriched { fields, notes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn get<'a>(e: &'a Enriched, k: &str) -> Option<&'a str> {
        e.fields.get(k).map(String::as_str)
    }

    #[test]
    fn mention_phrases() {
        assert!(is_mention("Shipping with Claude Code today"));
        assert!(is_mention("npm i claude-code"));
        assert!(is_mention("#ClaudeCode rocks"));
        assert!(is_mention("thanks @Claude!"));
        assert!(!is_mention("Claude is a nice name"));
        assert!(!is_mention("claude, code review later"));
    }

    #[test]
    fn newest_five_urls_and_oldest_date() {
        let posts: Vec<_> = (1..=7)
            .map(|d| {
                json!({"text": "Claude Code tip", "activityDate": format!("2026-01-0{d}T10:00:00Z"),
                       "activityUrl": format!("https://x/{d}")})
            })
            .chain([json!({"text": "unrelated", "activityDate": "2026-01-09T10:00:00Z", "activityUrl": "https://x/9"})])
            .chain([json!({"text": "@claude no date", "activityUrl": "https://x/undated"})])
            .collect();
        let e = parse(&json!({ "posts": posts })).unwrap();
        assert_eq!(get(&e, "claude_mentions_count"), Some("8"));
        assert_eq!(
            get(&e, "claude_mention_urls"),
            Some("https://x/7, https://x/6, https://x/5, https://x/4, https://x/3")
        );
        assert_eq!(
            get(&e, "first_claude_mention_date"),
            Some("2026-01-01T10:00:00Z")
        );
    }

    #[test]
    fn no_mentions_or_no_posts() {
        for result in [
            json!({"posts": []}),
            json!({"posts": [{"text": "hello", "activityDate": "2026-01-01T00:00:00Z"}]}),
        ] {
            let e = parse(&result).unwrap();
            assert_eq!(get(&e, "claude_mentions_count"), Some("0"));
            assert_eq!(get(&e, "claude_mention_urls"), None);
            assert_eq!(get(&e, "first_claude_mention_date"), None);
        }
    }
}
