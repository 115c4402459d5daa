//! `heyreach_engagement`: the lead's HeyReach conversations: messages each way, last reply, meeting signals.

use crate::integrations::heyreach::{
    Fetched, PROVIDER, as_count, bool_cell, fetch_offset_pages, listing, offset_page,
};
use crate::integrations::linkedin_posts::{format_date, parse_date};
use crate::integrations::linkedin_url::{LINKEDIN_URL_INPUT, input_url};
use crate::integrations::{
    Ctx, EnrichError, Enriched, Fields, IntegrationSpec, OutputKind, OutputSpec, RowEnrich,
};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

/// The DataGen tool this integration calls.
pub const CONVERSATIONS_TOOL: &str = "mcp_Heyreach_get_conversations_v2";

/// Words (and one phrase) that, in a message from the lead, signal a meeting.
pub const MEETING_KEYWORDS: &[&str] = &[
    "book",
    "calendar",
    "meeting",
    "schedule",
    "call",
    "zoom",
    "calendly",
    "available",
    "time slot",
    "appointment",
];

/// Meeting-signal messages quoted in the notes, newest first.
const MAX_SIGNAL_NOTES: usize = 3;

/// How much of a message a note quotes, in bytes.
const NOTE_QUOTE_BYTES: usize = 200;

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "heyreach_engagement",
    description: "HeyReach conversations with the lead: messages sent and received, last reply, meeting signals",
    provider: PROVIDER,
    tools: &[CONVERSATIONS_TOOL],
    inputs: &[LINKEDIN_URL_INPUT],
    outputs: &[
        OutputSpec {
            name: "heyreach_conversations_count",
            kind: OutputKind::Integer,
            description: "Conversations with the lead across all sender accounts",
        },
        OutputSpec {
            name: "heyreach_last_reply_date",
            kind: OutputKind::Date,
            description: "When the lead last wrote (ISO 8601, UTC); empty if never",
        },
        OutputSpec {
            name: "heyreach_meeting_booked",
            kind: OutputKind::Bool,
            description: "A message from the lead has a meeting word (book, call, calendly, time slot, …); the message is in the notes",
        },
        OutputSpec {
            name: "heyreach_messages_sent",
            kind: OutputKind::Integer,
            description: "Messages sent to the lead",
        },
        OutputSpec {
            name: "heyreach_messages_received",
            kind: OutputKind::Integer,
            description: "Messages the lead sent",
        },
    ],
    cost_per_row_usd: 0.005,
};

/// The `heyreach_engagement` integration.
pub struct HeyreachEngagement;

impl RowEnrich for HeyreachEngagement {
    const SPEC: &'static IntegrationSpec = &SPEC;

    fn first_request(&self, inputs: &Fields) -> Option<Value> {
        let url = input_url(inputs).ok()?;
        Some(offset_page(params(&url), 0))
    }

    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let url = input_url(inputs)?;
        let fetched = fetch_offset_pages(ctx, CONVERSATIONS_TOOL, params(&url)).await?;
        parse(&fetched)
    }
}

/// The tool's filters for one lead (paging is added per page). Both id lists are sent empty,
/// meaning every sender account and campaign.
pub fn params(profile_url: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("linkedInAccountIds".into(), json!([]));
    m.insert("campaignIds".into(), json!([]));
    m.insert("leadProfileUrl".into(), json!(profile_url));
    m
}

/// The meeting keyword that occurs first in `text` as whole words, case-insensitively.
pub fn meeting_keyword(text: &str) -> Option<&'static str> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    (0..words.len()).find_map(|start| {
        MEETING_KEYWORDS.iter().copied().find(|keyword| {
            let phrase: Vec<&str> = keyword.split(' ').collect();
            words
                .get(start..start + phrase.len())
                .is_some_and(|w| w.iter().zip(&phrase).all(|(a, b)| a == b))
        })
    })
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Sender {
    Me,
    Lead,
    Unknown,
}

fn sender_of(message: &Value) -> Sender {
    match message.get("sender").and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("ME") => Sender::Me,
        Some(s) if s.eq_ignore_ascii_case("CORRESPONDENT") => Sender::Lead,
        _ => Sender::Unknown,
    }
}

struct Signal {
    at: Option<DateTime<Utc>>,
    keyword: &'static str,
    body: String,
}

impl Signal {
    fn note(&self) -> String {
        let when = self.at.map_or_else(
            || "of unknown date".to_string(),
            |d| format!("of {}", d.format("%Y-%m-%d")),
        );
        let quote = crate::providers::datagen::truncate(self.body.trim(), NOTE_QUOTE_BYTES);
        format!(
            "meeting signal ({:?}) in message {when}: {quote:?}",
            self.keyword
        )
    }
}

/// Turns the pages of a `get_conversations_v2` listing into this integration's outputs.
pub fn parse(fetched: &Fetched) -> Result<Enriched, EnrichError> {
    let conversations = listing(fetched)?;
    let (mut sent, mut received) = (0u64, 0u64);
    let mut last_reply: Option<DateTime<Utc>> = None;
    let mut signals = Vec::new();
    let messages = conversations
        .items
        .iter()
        .filter_map(|c| c.get("messages").and_then(Value::as_array))
        .flatten();
    for message in messages {
        match sender_of(message) {
            Sender::Me => sent += 1,
            Sender::Lead => {
                received += 1;
                let at = message.get("createdAt").and_then(parse_date);
                last_reply = last_reply.max(at);
                let body = message
                    .get("body")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if let Some(keyword) = meeting_keyword(body) {
                    signals.push(Signal {
                        at,
                        keyword,
                        body: body.to_string(),
                    });
                }
            }
            Sender::Unknown => {}
        }
    }
    // Newest first; undated last.
    signals.sort_by_key(|s| std::cmp::Reverse(s.at));
    let mut fields = Fields::new();
    fields.insert(
        "heyreach_conversations_count".into(),
        conversations.count().to_string(),
    );
    if let Some(at) = last_reply {
        fields.insert("heyreach_last_reply_date".into(), format_date(at));
    }
    fields.insert(
        "heyreach_meeting_booked".into(),
        bool_cell(!signals.is_empty()),
    );
    fields.insert("heyreach_messages_sent".into(), sent.to_string());
    fields.insert("heyreach_messages_received".into(), received.to_string());
    let mut notes: Vec<String> = signals
        .iter()
        .take(MAX_SIGNAL_NOTES)
        .map(Signal::note)
        .collect();
    notes.extend(conversations.truncation_note("conversations"));
    notes.extend(missing_messages_note(&conversations.items));
    Ok(Enriched { fields, notes })
}

/// A note when conversations announce more messages (`totalMessages`) than they carry, so the
/// counts are known to cover only what HeyReach returned.
fn missing_messages_note(conversations: &[Value]) -> Option<String> {
    let (mut carried, mut announced) = (0u64, 0u64);
    for c in conversations {
        let n = c
            .get("messages")
            .and_then(Value::as_array)
            .map_or(0, Vec::len) as u64;
        carried += n;
        announced += c
            .get("totalMessages")
            .and_then(as_count)
            .unwrap_or(n)
            .max(n);
    }
    (announced > carried).then(|| {
        format!(
            "HeyReach returned {carried} of {announced} messages; the message counts cover those"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::heyreach::PAGE_LIMIT;
    use crate::integrations::heyreach::tests::fake_ctx;
    use crate::providers::{CallError, ErrorKind};

    fn get<'a>(e: &'a Enriched, k: &str) -> Option<&'a str> {
        e.fields.get(k).map(String::as_str)
    }

    fn complete(results: Vec<Value>) -> Fetched {
        Fetched {
            results,
            complete: true,
        }
    }

    fn msg(at: &str, sender: &str, body: &str) -> Value {
        json!({"createdAt": at, "body": body, "subject": null, "isInMail": false, "sender": sender})
    }

    fn conversation(messages: Vec<Value>) -> Value {
        json!({"id": "c", "read": true, "lastMessageAt": "2026-01-05T09:00:00Z",
               "lastMessageSender": "CORRESPONDENT", "totalMessages": messages.len(),
               "campaignId": 123, "linkedInAccountId": 456, "correspondentProfile": {},
               "messages": messages})
    }

    #[test]
    fn whole_word_keywords() {
        assert_eq!(meeting_keyword("Can we BOOK a slot?"), Some("book"));
        assert_eq!(
            meeting_keyword("Here's my Calendly: calendly.com/x"),
            Some("calendly")
        );
        assert_eq!(
            meeting_keyword("any time-slot next week"),
            Some("time slot")
        );
        assert_eq!(meeting_keyword("a quick zoom?"), Some("zoom"));
        assert_eq!(
            meeting_keyword("Available for a zoom call"),
            Some("available")
        );
        assert_eq!(meeting_keyword("what time works? slot me in"), None);
        assert_eq!(meeting_keyword("pick a time"), None);
        assert_eq!(
            meeting_keyword("I booked a vendor, recalled it, rescheduled"),
            None
        );
        assert_eq!(
            meeting_keyword("Unavailable until May; timeslots are full"),
            None
        );
        assert_eq!(meeting_keyword(""), None);
    }

    #[test]
    fn replied_with_meeting_signal() {
        let page = json!([{"totalCount": 1, "items": [conversation(vec![
            msg("2026-01-02T10:00:00Z", "ME", "Hi Ada, worth a call?"),
            msg("2026-01-03T11:00:00Z", "CORRESPONDENT", "Maybe, tell me more"),
            msg("2026-01-03T12:00:00Z", "ME", "Sure: we help teams ship faster."),
            msg("2026-01-04T10:00:00.000Z", "CORRESPONDENT", "Sounds good, let's book a time slot."),
        ])]}]);
        let e = parse(&complete(vec![page])).unwrap();
        assert_eq!(get(&e, "heyreach_conversations_count"), Some("1"));
        assert_eq!(get(&e, "heyreach_messages_sent"), Some("2"));
        assert_eq!(get(&e, "heyreach_messages_received"), Some("2"));
        assert_eq!(
            get(&e, "heyreach_last_reply_date"),
            Some("2026-01-04T10:00:00Z")
        );
        assert_eq!(get(&e, "heyreach_meeting_booked"), Some("true"));
        assert_eq!(
            e.notes,
            [
                r#"meeting signal ("book") in message of 2026-01-04: "Sounds good, let's book a time slot.""#
            ]
        );
    }

    #[test]
    fn my_own_meeting_words_do_not_count() {
        let page = json!({"totalCount": 1, "items": [conversation(vec![
            msg("2026-01-02T10:00:00Z", "ME", "Can we book a call?"),
            msg("2026-01-03T10:00:00Z", "CORRESPONDENT", "Not interested, thanks."),
        ])]});
        let e = parse(&complete(vec![page])).unwrap();
        assert_eq!(get(&e, "heyreach_meeting_booked"), Some("false"));
        assert!(e.notes.is_empty());
    }

    #[test]
    fn no_conversations() {
        for result in [
            json!([{"totalCount": 0, "items": []}]),
            json!({"totalCount": 0, "items": []}),
            json!([]),
        ] {
            let e = parse(&complete(vec![result])).unwrap();
            assert_eq!(get(&e, "heyreach_conversations_count"), Some("0"));
            assert_eq!(get(&e, "heyreach_messages_sent"), Some("0"));
            assert_eq!(get(&e, "heyreach_messages_received"), Some("0"));
            assert_eq!(get(&e, "heyreach_meeting_booked"), Some("false"));
            assert_eq!(get(&e, "heyreach_last_reply_date"), None);
        }
    }

    #[test]
    fn missing_fields_are_tolerated() {
        let page = json!([{"items": [
            {"id": "no messages"},
            {"messages": null},
            {"messages": [{"sender": "CORRESPONDENT"}, {"body": "who sent me?"}, {"sender": "me", "sentAt": "2026-01-01"}]}
        ]}]);
        let e = parse(&complete(vec![page])).unwrap();
        assert_eq!(get(&e, "heyreach_conversations_count"), Some("3"));
        assert_eq!(get(&e, "heyreach_messages_sent"), Some("1"));
        assert_eq!(get(&e, "heyreach_messages_received"), Some("1"));
        assert_eq!(get(&e, "heyreach_last_reply_date"), None);
    }

    #[test]
    fn pages_add_up_and_newest_signals_come_first() {
        let first = json!([{"totalCount": 2, "items": [conversation(vec![
            msg("2026-01-01T10:00:00Z", "CORRESPONDENT", "Are you available Friday?"),
        ])]}]);
        let second = json!([{"totalCount": 2, "items": [conversation(vec![
            msg("2026-02-01T10:00:00Z", "ME", "Hello"),
            msg("2026-02-03T10:00:00Z", "CORRESPONDENT", "Send a calendar invite"),
        ])]}]);
        let e = parse(&complete(vec![first, second])).unwrap();
        assert_eq!(get(&e, "heyreach_conversations_count"), Some("2"));
        assert_eq!(get(&e, "heyreach_messages_received"), Some("2"));
        assert_eq!(
            get(&e, "heyreach_last_reply_date"),
            Some("2026-02-03T10:00:00Z")
        );
        assert_eq!(e.notes.len(), 2);
        assert!(e.notes[0].contains("2026-02-03"), "{:?}", e.notes);
    }

    #[test]
    fn conversations_carrying_fewer_messages_than_announced_say_so() {
        let mut c = conversation(vec![msg("2026-01-01T00:00:00Z", "ME", "hi")]);
        c["totalMessages"] = json!(7);
        let e = parse(&complete(vec![json!([{"totalCount": 1, "items": [c]}])])).unwrap();
        assert_eq!(get(&e, "heyreach_messages_sent"), Some("1"));
        assert_eq!(
            e.notes,
            ["HeyReach returned 1 of 7 messages; the message counts cover those"]
        );
    }

    #[test]
    fn truncated_listing_says_so() {
        let page = json!([{"totalCount": 5000, "items": [conversation(vec![])]}]);
        let e = parse(&Fetched {
            results: vec![page],
            complete: false,
        })
        .unwrap();
        assert_eq!(get(&e, "heyreach_conversations_count"), Some("5000"));
        assert!(
            e.notes[0].contains("first 1 of 5000 conversations"),
            "{:?}",
            e.notes
        );
    }

    #[tokio::test]
    async fn enrich_pages_with_the_right_parameters() {
        let (ctx, caller) = fake_ctx(|tool: &str, p: &Value| {
            assert_eq!(tool, CONVERSATIONS_TOOL);
            let offset = p["offset"].as_u64().unwrap();
            let n = 130u64.saturating_sub(offset).min(PAGE_LIMIT);
            let items: Vec<Value> = (0..n)
                .map(|_| conversation(vec![msg("2026-01-01T00:00:00Z", "ME", "hi")]))
                .collect();
            Ok(json!([{"totalCount": 130, "items": items}]))
        });
        let inputs = Fields::from([(
            "linkedin_url".to_string(),
            "http://LinkedIn.com/in/Ada-Quill-Demo?utm=x".to_string(),
        )]);
        let e = HeyreachEngagement.run(&ctx, &inputs).await.unwrap();
        assert_eq!(get(&e, "heyreach_messages_sent"), Some("130"));
        let requests = caller.requests.lock().unwrap();
        assert_eq!(requests.len(), 2);
        assert_eq!(
            requests[1].1,
            json!({"linkedInAccountIds": [], "campaignIds": [], "limit": 100, "offset": 100,
                   "leadProfileUrl": "https://www.linkedin.com/in/ada-quill-demo/"})
        );
    }

    #[tokio::test]
    async fn not_found_is_no_data_and_bad_urls_are_permanent() {
        let (ctx, _) = fake_ctx(|_: &str, _: &Value| {
            Err(CallError::new(ErrorKind::NoData, "Resource not found"))
        });
        let inputs = Fields::from([(
            "linkedin_url".to_string(),
            "https://www.linkedin.com/in/nobody/".to_string(),
        )]);
        let err = HeyreachEngagement.run(&ctx, &inputs).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::NoData);
        let bad = Fields::from([("linkedin_url".to_string(), "n/a".to_string())]);
        let err = HeyreachEngagement.run(&ctx, &bad).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Permanent);
    }
}
