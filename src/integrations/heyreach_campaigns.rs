//! `heyreach_campaigns`: the HeyReach campaigns a lead is in, and their states.

use crate::integrations::heyreach::{Fetched, PROVIDER, fetch_offset_pages, listing, offset_page};
use crate::integrations::linkedin_posts::{format_date, parse_date};
use crate::integrations::linkedin_url::{LINKEDIN_URL_INPUT, input_url};
use crate::integrations::{
    Ctx, EnrichError, Enriched, Fields, IntegrationSpec, OutputKind, OutputSpec, RowEnrich,
};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

/// The DataGen tool this integration calls.
pub const CAMPAIGNS_FOR_LEAD_TOOL: &str = "mcp_Heyreach_get_campaigns_for_lead";

/// Campaign states that still reach out to the lead.
pub const ACTIVE_STATUSES: &[&str] = &["IN_PROGRESS", "STARTING", "SCHEDULED"];

/// Per-lead date fields a campaign entry may carry. HeyReach's documented answer has none, so
/// first contact stays empty unless one of these appears; a campaign's own `creationTime` is
/// deliberately not one of them (it says nothing about the lead).
pub const CONTACT_DATE_KEYS: &[&str] =
    &["firstContactedAt", "contactedAt", "leadAddedAt", "addedAt"];

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "heyreach_campaigns",
    description: "HeyReach campaigns the lead is in: count, names, last status, how many are active",
    provider: PROVIDER,
    tools: &[CAMPAIGNS_FOR_LEAD_TOOL],
    inputs: &[LINKEDIN_URL_INPUT],
    outputs: &[
        OutputSpec {
            name: "heyreach_campaign_count",
            kind: OutputKind::Integer,
            description: "Campaigns the lead is in",
        },
        OutputSpec {
            name: "heyreach_first_contacted_date",
            kind: OutputKind::Date,
            description: "Earliest per-lead date HeyReach gives (ISO 8601, UTC); empty when it gives none",
        },
        OutputSpec {
            name: "heyreach_campaign_names",
            kind: OutputKind::Text,
            description: "Campaign names, joined by \", \"",
        },
        OutputSpec {
            name: "heyreach_last_campaign_status",
            kind: OutputKind::Text,
            description: "Status of the last campaign listed (the most recently contacted when dates are given)",
        },
        OutputSpec {
            name: "heyreach_active_campaigns",
            kind: OutputKind::Integer,
            description: "Campaigns in progress, starting or scheduled",
        },
    ],
    cost_per_row_usd: 0.005,
};

/// The `heyreach_campaigns` integration.
pub struct HeyreachCampaigns;

impl RowEnrich for HeyreachCampaigns {
    const SPEC: &'static IntegrationSpec = &SPEC;

    fn first_request(&self, inputs: &Fields) -> Option<Value> {
        let url = input_url(inputs).ok()?;
        Some(offset_page(params(&url), 0))
    }

    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let url = input_url(inputs)?;
        let fetched = fetch_offset_pages(ctx, CAMPAIGNS_FOR_LEAD_TOOL, params(&url)).await?;
        parse(&fetched)
    }
}

/// The tool's lookup for one lead (paging is added per page).
pub fn params(profile_url: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("profileUrl".into(), json!(profile_url));
    m
}

fn text<'a>(item: &'a Value, key: &str) -> Option<&'a str> {
    item.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn contact_date(item: &Value) -> Option<DateTime<Utc>> {
    CONTACT_DATE_KEYS
        .iter()
        .filter_map(|k| item.get(k).and_then(parse_date))
        .min()
}

/// Turns the pages of a `get_campaigns_for_lead` listing into this integration's outputs.
pub fn parse(fetched: &Fetched) -> Result<Enriched, EnrichError> {
    let campaigns = listing(fetched)?;
    let items = &campaigns.items;
    let mut names: Vec<&str> = Vec::new();
    for name in items.iter().filter_map(|c| text(c, "campaignName")) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let active = items
        .iter()
        .filter_map(|c| text(c, "campaignStatus"))
        .filter(|s| ACTIVE_STATUSES.iter().any(|a| a.eq_ignore_ascii_case(s)))
        .count();
    let dated: Vec<(DateTime<Utc>, &Value)> = items
        .iter()
        .filter_map(|c| contact_date(c).map(|d| (d, c)))
        .collect();
    let last = match dated.iter().max_by_key(|(d, _)| *d) {
        Some((_, c)) => Some(*c),
        None => items.last(),
    };
    let mut fields = Fields::new();
    fields.insert(
        "heyreach_campaign_count".into(),
        campaigns.count().to_string(),
    );
    if let Some((first, _)) = dated.iter().min_by_key(|(d, _)| *d) {
        fields.insert("heyreach_first_contacted_date".into(), format_date(*first));
    }
    if !names.is_empty() {
        fields.insert("heyreach_campaign_names".into(), names.join(", "));
    }
    if let Some(status) = last.and_then(|c| text(c, "campaignStatus")) {
        fields.insert("heyreach_last_campaign_status".into(), status.to_string());
    }
    fields.insert("heyreach_active_campaigns".into(), active.to_string());
    Ok(Enriched {
        fields,
        notes: campaigns.truncation_note("campaigns").into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::heyreach::tests::fake_ctx;

    fn get<'a>(e: &'a Enriched, k: &str) -> Option<&'a str> {
        e.fields.get(k).map(String::as_str)
    }

    fn complete(results: Vec<Value>) -> Fetched {
        Fetched {
            results,
            complete: true,
        }
    }

    fn campaign(id: u64, name: &str, status: &str) -> Value {
        json!({"campaignId": id, "campaignName": name, "campaignStatus": status, "leadStatus": "IN_SEQUENCE"})
    }

    #[test]
    fn documented_answer() {
        let result = json!([{"leadFullName": "Ada Quill", "totalCount": 3, "items": [
            campaign(1, "Q1 founders", "IN_PROGRESS"),
            campaign(2, "Q4 webinar guests", "FINISHED"),
            campaign(3, "Nordic SaaS", "SCHEDULED"),
        ]}]);
        let e = parse(&complete(vec![result])).unwrap();
        assert_eq!(get(&e, "heyreach_campaign_count"), Some("3"));
        assert_eq!(
            get(&e, "heyreach_campaign_names"),
            Some("Q1 founders, Q4 webinar guests, Nordic SaaS")
        );
        assert_eq!(get(&e, "heyreach_last_campaign_status"), Some("SCHEDULED"));
        assert_eq!(get(&e, "heyreach_active_campaigns"), Some("2"));
        assert_eq!(get(&e, "heyreach_first_contacted_date"), None);
        assert!(e.notes.is_empty());
    }

    #[test]
    fn prototype_field_names_are_not_read() {
        let result =
            json!({"totalCount": 1, "items": [{"id": 1, "name": "Old", "status": "IN_PROGRESS"}]});
        let e = parse(&complete(vec![result])).unwrap();
        assert_eq!(get(&e, "heyreach_campaign_count"), Some("1"));
        assert_eq!(get(&e, "heyreach_campaign_names"), None);
        assert_eq!(get(&e, "heyreach_last_campaign_status"), None);
        assert_eq!(get(&e, "heyreach_active_campaigns"), Some("0"));
    }

    #[test]
    fn dates_when_given_pick_first_contact_and_last_status() {
        let mut a = campaign(1, "A", "FINISHED");
        a["leadAddedAt"] = json!("2025-11-02T08:00:00Z");
        let mut b = campaign(2, "B", "PAUSED");
        b["leadAddedAt"] = json!("2026-01-10T08:00:00Z");
        let c = campaign(3, "C", "DRAFT");
        let e = parse(&complete(vec![json!([{"items": [b, a, c]}])])).unwrap();
        assert_eq!(
            get(&e, "heyreach_first_contacted_date"),
            Some("2025-11-02T08:00:00Z")
        );
        assert_eq!(get(&e, "heyreach_last_campaign_status"), Some("PAUSED"));
    }

    #[test]
    fn empty_and_paginated() {
        let e = parse(&complete(vec![json!([{"totalCount": 0, "items": []}])])).unwrap();
        assert_eq!(get(&e, "heyreach_campaign_count"), Some("0"));
        assert_eq!(get(&e, "heyreach_active_campaigns"), Some("0"));
        assert_eq!(get(&e, "heyreach_campaign_names"), None);

        let pages = vec![
            json!([{"totalCount": 3, "items": [campaign(1, "A", "STARTING"), campaign(2, "A", "STARTING")]}]),
            json!([{"totalCount": 3, "items": [campaign(3, "B", "CANCELED")]}]),
        ];
        let e = parse(&complete(pages)).unwrap();
        assert_eq!(get(&e, "heyreach_campaign_names"), Some("A, B"));
        assert_eq!(get(&e, "heyreach_active_campaigns"), Some("2"));
        assert_eq!(get(&e, "heyreach_last_campaign_status"), Some("CANCELED"));
    }

    #[tokio::test]
    async fn enrich_sends_profile_url() {
        let (ctx, caller) = fake_ctx(|_: &str, _: &Value| {
            Ok(json!([{"totalCount": 1, "items": [campaign(1, "Q1 founders", "IN_PROGRESS")]}]))
        });
        let inputs = Fields::from([(
            "linkedin_url".to_string(),
            "www.linkedin.com/in/ada-quill-demo".to_string(),
        )]);
        let e = HeyreachCampaigns.run(&ctx, &inputs).await.unwrap();
        assert_eq!(get(&e, "heyreach_campaign_names"), Some("Q1 founders"));
        let requests = caller.requests.lock().unwrap();
        assert_eq!(
            requests.as_slice(),
            [(
                CAMPAIGNS_FOR_LEAD_TOOL.to_string(),
                json!({"profileUrl": "https://www.linkedin.com/in/ada-quill-demo/", "limit": 100, "offset": 0})
            )]
        );
    }
}
