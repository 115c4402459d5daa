//! `heyreach_campaign_stats`: reply rates and reply totals of a HeyReach campaign, found by name.

use crate::integrations::heyreach::{
    Fetched, PROVIDER, as_count, fetch_offset_pages, listing, offset_page, single_object,
};
use crate::integrations::{
    Ctx, EnrichError, Enriched, Fields, InputSpec, IntegrationSpec, OutputKind, OutputSpec,
    RowEnrich,
};
use crate::providers::ErrorKind;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

/// Lists campaigns whose name contains a keyword.
pub const ALL_CAMPAIGNS_TOOL: &str = "mcp_Heyreach_get_all_campaigns";

/// Reply statistics of campaigns over a window.
pub const OVERALL_STATS_TOOL: &str = "mcp_Heyreach_get_overall_stats";

/// Start of the stats window: before HeyReach existed, so a campaign's whole life is covered
/// (without dates the API falls back to about three weeks).
pub const STATS_START: &str = "2015-01-01T00:00:00Z";

/// The campaign to report on.
pub const CAMPAIGN_NAME_INPUT: InputSpec = InputSpec {
    name: "campaign_name",
    description: "Name of the HeyReach campaign",
    guesses: &[
        "campaign_name",
        "campaign",
        "Campaign Name",
        "heyreach campaign",
    ],
    required: true,
    allows_constant: true,
};

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "heyreach_campaign_stats",
    description: "Reply rates (%) and reply totals of a HeyReach campaign over its whole life, found by name",
    provider: PROVIDER,
    tools: &[ALL_CAMPAIGNS_TOOL, OVERALL_STATS_TOOL],
    inputs: &[CAMPAIGN_NAME_INPUT],
    outputs: &[
        OutputSpec {
            name: "heyreach_campaign_id",
            kind: OutputKind::Text,
            description: "HeyReach's id of the campaign",
        },
        OutputSpec {
            name: "heyreach_message_reply_rate",
            kind: OutputKind::Number,
            description: "Share of messages replied to, in percent with one decimal",
        },
        OutputSpec {
            name: "heyreach_inmail_reply_rate",
            kind: OutputKind::Number,
            description: "Share of InMails replied to, in percent with one decimal",
        },
        OutputSpec {
            name: "heyreach_total_message_replies",
            kind: OutputKind::Integer,
            description: "Replies to messages",
        },
        OutputSpec {
            name: "heyreach_total_inmail_replies",
            kind: OutputKind::Integer,
            description: "Replies to InMails",
        },
    ],
    cost_per_row_usd: 0.01,
};

/// The `heyreach_campaign_stats` integration.
pub struct HeyreachCampaignStats;

impl RowEnrich for HeyreachCampaignStats {
    const SPEC: &'static IntegrationSpec = &SPEC;

    fn first_request(&self, inputs: &Fields) -> Option<Value> {
        let name = inputs.get(CAMPAIGN_NAME_INPUT.name)?.trim();
        (!name.is_empty()).then(|| offset_page(search_params(name), 0))
    }

    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let name = inputs
            .get(CAMPAIGN_NAME_INPUT.name)
            .map(|s| s.trim())
            .unwrap_or_default();
        let fetched = fetch_offset_pages(ctx, ALL_CAMPAIGNS_TOOL, search_params(name)).await?;
        let campaign = pick(&fetched, name)?;
        let result = ctx
            .call(
                PROVIDER,
                OVERALL_STATS_TOOL,
                stats_params(&campaign, Utc::now()),
            )
            .await?;
        parse_stats(&campaign, &result)
    }
}

/// A campaign as listed by `get_all_campaigns`.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    /// The id as HeyReach sent it (a number, normally).
    pub id: Value,
    /// The name as listed.
    pub name: String,
}

impl Campaign {
    fn id_text(&self) -> String {
        match &self.id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// The name search (paging is added per page); the empty lists mean every status and account.
pub fn search_params(name: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("keyword".into(), json!(name));
    m.insert("statuses".into(), json!([]));
    m.insert("accountIds".into(), json!([]));
    m
}

/// The whole-life stats request. The window ends at the end of today (UTC) rather than this
/// instant, so rows asking about the same campaign send identical requests and share one call.
pub fn stats_params(campaign: &Campaign, now: DateTime<Utc>) -> Value {
    let end = format!("{}T23:59:59Z", now.format("%Y-%m-%d"));
    json!({"campaignIds": [campaign.id], "accountIds": [], "startDate": STATS_START, "endDate": end})
}

/// Picks the campaign named `name`: the exact (case-insensitive) match, else the only name that
/// contains it; none is `Campaign not found`, several are an ambiguity. Both are permanent.
pub fn pick(fetched: &Fetched, name: &str) -> Result<Campaign, EnrichError> {
    let wanted = name.trim().to_lowercase();
    let campaigns: Vec<Campaign> = listing(fetched)?
        .items
        .iter()
        .filter_map(|item| {
            let id = item.get("id").filter(|v| !v.is_null())?.clone();
            let name = item.get("name")?.as_str()?.trim().to_string();
            Some(Campaign { id, name })
        })
        .collect();
    if let Some(exact) = campaigns.iter().find(|c| c.name.to_lowercase() == wanted) {
        return Ok(exact.clone());
    }
    let partial: Vec<&Campaign> = campaigns
        .iter()
        .filter(|c| c.name.to_lowercase().contains(&wanted))
        .collect();
    match partial.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(EnrichError::new(
            ErrorKind::Permanent,
            format!("Campaign not found: '{name}'"),
        )),
        several => {
            let names: Vec<String> = several.iter().map(|c| format!("'{}'", c.name)).collect();
            Err(EnrichError::new(
                ErrorKind::Permanent,
                format!("Campaign name '{name}' is ambiguous: {}", names.join(", ")),
            ))
        }
    }
}

/// A 0..1 fraction as a percentage with one decimal.
pub fn percent(v: &Value) -> Option<String> {
    let f = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    f.is_finite().then(|| format!("{:.1}", f * 100.0))
}

/// Turns a `get_overall_stats` result for `campaign` into this integration's outputs.
pub fn parse_stats(campaign: &Campaign, result: &Value) -> Result<Enriched, EnrichError> {
    let outer = single_object(result)?;
    let stats = match outer.get("overallStats") {
        Some(Value::Object(s)) => s,
        None | Some(Value::Null) => {
            return Err(EnrichError::no_data(format!(
                "HeyReach has no stats for campaign '{}'",
                campaign.name
            )));
        }
        Some(other) => {
            return Err(EnrichError::bad_response(format!(
                "overallStats is not an object: {other}"
            )));
        }
    };
    let first = |keys: &[&str]| keys.iter().find_map(|k| stats.get(*k));
    let mut fields = Fields::new();
    fields.insert("heyreach_campaign_id".into(), campaign.id_text());
    let outputs = [
        (
            "heyreach_message_reply_rate",
            first(&["messageReplyRate"]).and_then(percent),
        ),
        (
            "heyreach_inmail_reply_rate",
            first(&["inMailReplyRate", "inmailReplyRate"]).and_then(percent),
        ),
        (
            "heyreach_total_message_replies",
            first(&["totalMessageReplies"])
                .and_then(as_count)
                .map(|n| n.to_string()),
        ),
        (
            "heyreach_total_inmail_replies",
            first(&["totalInmailReplies", "totalInMailReplies"])
                .and_then(as_count)
                .map(|n| n.to_string()),
        ),
    ];
    for (name, value) in outputs {
        if let Some(v) = value {
            fields.insert(name.to_string(), v);
        }
    }
    Ok(Enriched {
        fields,
        notes: vec![format!(
            "campaign '{}' (id {})",
            campaign.name,
            campaign.id_text()
        )],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::heyreach::tests::fake_ctx;
    use chrono::TimeZone;

    fn get<'a>(e: &'a Enriched, k: &str) -> Option<&'a str> {
        e.fields.get(k).map(String::as_str)
    }

    fn listed(names: &[(u64, &str)]) -> Fetched {
        let items: Vec<Value> = names
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name, "creationTime": "2026-01-01T00:00:00Z", "status": "IN_PROGRESS"}))
            .collect();
        Fetched {
            results: vec![json!([{"totalCount": items.len(), "items": items}])],
            complete: true,
        }
    }

    fn campaign(id: u64, name: &str) -> Campaign {
        Campaign {
            id: json!(id),
            name: name.to_string(),
        }
    }

    #[test]
    fn exact_match_beats_substring() {
        let f = listed(&[(2, "Q1 founders follow-up"), (1, "q1 Founders")]);
        assert_eq!(pick(&f, "Q1 founders").unwrap(), campaign(1, "q1 Founders"));
    }

    #[test]
    fn single_substring_match_is_taken() {
        let f = listed(&[(3, "Nordic SaaS 2026")]);
        assert_eq!(
            pick(&f, "nordic saas").unwrap(),
            campaign(3, "Nordic SaaS 2026")
        );
    }

    #[test]
    fn not_found_and_ambiguous_are_permanent() {
        let err = pick(&listed(&[]), "Ghost").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Permanent);
        assert_eq!(err.message, "Campaign not found: 'Ghost'");
        let err = pick(&listed(&[(1, "Platform A"), (2, "Platform B")]), "Platform").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Permanent);
        assert!(
            err.message.contains("'Platform A', 'Platform B'"),
            "{}",
            err.message
        );
        // Entries without an id or a name are skipped.
        let f = Fetched {
            results: vec![json!({"items": [{"name": "X"}, {"id": 5}]})],
            complete: true,
        };
        assert_eq!(
            pick(&f, "X").unwrap_err().message,
            "Campaign not found: 'X'"
        );
    }

    #[test]
    fn stats_request_covers_the_whole_life() {
        let now = Utc.with_ymd_and_hms(2026, 3, 4, 15, 30, 0).unwrap();
        assert_eq!(
            stats_params(&campaign(41001, "Q1 founders"), now),
            json!({"campaignIds": [41001], "accountIds": [], "startDate": "2015-01-01T00:00:00Z",
                   "endDate": "2026-03-04T23:59:59Z"})
        );
    }

    #[test]
    fn percentages_with_one_decimal() {
        for (v, want) in [
            (json!(0.1834), Some("18.3")),
            (json!(0), Some("0.0")),
            (json!(1), Some("100.0")),
            (json!("0.25"), Some("25.0")),
            (json!(null), None),
            (json!("n/a"), None),
        ] {
            assert_eq!(percent(&v).as_deref(), want, "{v}");
        }
    }

    #[test]
    fn stats_wrapped_bare_and_missing() {
        let stats = json!({"messageReplyRate": 0.1834, "inMailReplyRate": 0.25,
                           "totalMessageReplies": 22, "totalInmailReplies": 3, "other": 1});
        for result in [
            json!([{"byDayStats": {}, "overallStats": stats}]),
            json!({"byDayStats": {}, "overallStats": stats}),
        ] {
            let e = parse_stats(&campaign(41001, "Q1 founders"), &result).unwrap();
            assert_eq!(get(&e, "heyreach_campaign_id"), Some("41001"));
            assert_eq!(get(&e, "heyreach_message_reply_rate"), Some("18.3"));
            assert_eq!(get(&e, "heyreach_inmail_reply_rate"), Some("25.0"));
            assert_eq!(get(&e, "heyreach_total_message_replies"), Some("22"));
            assert_eq!(get(&e, "heyreach_total_inmail_replies"), Some("3"));
        }
        let partial = parse_stats(
            &campaign(1, "x"),
            &json!([{"overallStats": {"totalMessageReplies": 4}}]),
        )
        .unwrap();
        assert_eq!(get(&partial, "heyreach_total_message_replies"), Some("4"));
        assert_eq!(get(&partial, "heyreach_message_reply_rate"), None);
        for empty in [json!([]), json!([{"byDayStats": {}}])] {
            assert_eq!(
                parse_stats(&campaign(1, "x"), &empty).unwrap_err().kind,
                ErrorKind::NoData
            );
        }
    }

    #[tokio::test]
    async fn enrich_finds_then_asks_for_stats() {
        let (ctx, caller) = fake_ctx(|tool: &str, _: &Value| {
            Ok(match tool {
                ALL_CAMPAIGNS_TOOL => json!([{"totalCount": 2, "items": [
                    {"id": 7, "name": "Platform leads EMEA"}, {"id": 6, "name": "Platform leads"}]}]),
                _ => json!([{"overallStats": {"messageReplyRate": 0.5}}]),
            })
        });
        let inputs = Fields::from([("campaign_name".to_string(), " platform leads ".to_string())]);
        let e = HeyreachCampaignStats.run(&ctx, &inputs).await.unwrap();
        assert_eq!(get(&e, "heyreach_campaign_id"), Some("6"));
        assert_eq!(get(&e, "heyreach_message_reply_rate"), Some("50.0"));
        let requests = caller.requests.lock().unwrap();
        assert_eq!(
            requests[0].1,
            json!({"keyword": "platform leads", "statuses": [], "accountIds": [], "limit": 100, "offset": 0})
        );
        assert_eq!(requests[1].0, OVERALL_STATS_TOOL);
        assert_eq!(requests[1].1["campaignIds"], json!([6]));
    }
}
