//! The demo's `mcp_Heyreach_*` tools over [`Heyreach`]'s data, answering in the live tools'
//! shapes: results wrapped in a one-element list, pages by `limit`/`offset` or `pageNumber`.

use super::{ConversationFixture, Heyreach};
use crate::demo::hash::fnv1a;
use crate::demo::linkedin::NOT_FOUND;
use crate::demo::tools::DemoTool;
use crate::integrations::linkedin_url::profile_slug;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use std::io;
use std::sync::Arc;

/// Most items a page may hold, as HeyReach allows.
const MAX_PAGE: u64 = 100;

/// The four HeyReach tools (plus stats), sharing one fixture set.
pub fn tools() -> io::Result<Vec<Arc<dyn DemoTool>>> {
    let data = Arc::new(Heyreach::load()?);
    Ok(vec![
        Arc::new(Conversations(data.clone())),
        Arc::new(CampaignsForLead(data.clone())),
        Arc::new(Network(data.clone())),
        Arc::new(AllCampaigns(data.clone())),
        Arc::new(OverallStats(data)),
    ])
}

/// `{totalCount, items}` for one page of `all`, wrapped in a one-element list like the live tools.
fn wrapped_page(all: Vec<Value>, offset: u64, limit: u64, extra: Map<String, Value>) -> Value {
    let total = all.len();
    let items: Vec<Value> = all
        .into_iter()
        .skip(offset as usize)
        .take(limit.min(MAX_PAGE) as usize)
        .collect();
    let mut page = extra;
    page.insert("totalCount".into(), json!(total));
    page.insert("items".into(), Value::Array(items));
    json!([page])
}

fn uint(params: &Value, key: &str, default: u64) -> Result<u64, String> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| format!("Invalid parameters: {key} must be a non-negative integer")),
    }
}

fn text_param<'a>(params: &'a Value, key: &str) -> Option<&'a str> {
    params
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn lead_key(params: &Value, key: &str) -> String {
    let raw = text_param(params, key).unwrap_or("");
    let slug = profile_slug(raw).unwrap_or_else(|| raw.to_string());
    format!("{slug}@{}", params.get("offset").unwrap_or(&Value::Null))
}

fn full_name(slug: &str) -> String {
    slug.split('-')
        // Generated lists number their slugs (`noor-patel-1f-demo`); the number is not a name.
        .filter(|w| !w.is_empty() && *w != "demo" && !w.chars().any(|c| c.is_ascii_digit()))
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `mcp_Heyreach_get_conversations_v2`.
struct Conversations(Arc<Heyreach>);

impl DemoTool for Conversations {
    fn name(&self) -> &'static str {
        "mcp_Heyreach_get_conversations_v2"
    }

    fn run(&self, params: &Value, _now: DateTime<Utc>) -> Result<Value, String> {
        let url = text_param(params, "leadProfileUrl")
            .ok_or("Invalid parameters: this demo filters by leadProfileUrl")?;
        let (offset, limit) = (uint(params, "offset", 0)?, uint(params, "limit", 10)?);
        let (slug, lead) = self.0.lead(url).ok_or(NOT_FOUND)?;
        let items = lead
            .conversations
            .iter()
            .enumerate()
            .map(|(i, c)| conversation_json(&slug, i, c))
            .collect();
        Ok(wrapped_page(items, offset, limit, Map::new()))
    }

    fn billing_key(&self, params: &Value) -> String {
        lead_key(params, "leadProfileUrl")
    }
}

fn conversation_json(slug: &str, index: usize, c: &ConversationFixture) -> Value {
    let last = c.messages.last();
    let messages: Vec<Value> = c
        .messages
        .iter()
        .map(|m| {
            json!({"createdAt": m.created_at, "body": m.body, "subject": null,
                   "isInMail": false, "sender": m.sender})
        })
        .collect();
    json!({
        "id": format!("demo-{:x}-{index}", fnv1a(slug) & 0xffff_ffff),
        "read": c.read,
        "lastMessageAt": last.map(|m| m.created_at.as_str()),
        "lastMessageText": last.map(|m| m.body.as_str()),
        "lastMessageSender": last.map(|m| m.sender.as_str()),
        "totalMessages": c.messages.len(),
        "campaignId": c.campaign,
        "linkedInAccountId": c.account,
        "correspondentProfile": {
            "profileUrl": format!("https://www.linkedin.com/in/{slug}"),
            "fullName": full_name(slug),
        },
        "messages": messages,
    })
}

/// `mcp_Heyreach_get_campaigns_for_lead`.
struct CampaignsForLead(Arc<Heyreach>);

impl DemoTool for CampaignsForLead {
    fn name(&self) -> &'static str {
        "mcp_Heyreach_get_campaigns_for_lead"
    }

    fn run(&self, params: &Value, _now: DateTime<Utc>) -> Result<Value, String> {
        let url = text_param(params, "profileUrl")
            .ok_or("Invalid parameters: one of profileUrl, linkedinId or email is required")?;
        let (offset, limit) = (uint(params, "offset", 0)?, uint(params, "limit", 10)?);
        let (slug, lead) = self.0.lead(url).ok_or(NOT_FOUND)?;
        let items = lead
            .campaigns
            .iter()
            .filter_map(|lc| {
                let c = self.0.campaign(lc.id)?;
                Some(json!({"campaignId": c.id, "campaignName": c.name,
                            "campaignStatus": c.status, "leadStatus": lc.lead_status}))
            })
            .collect();
        let mut extra = Map::new();
        extra.insert("leadFullName".into(), json!(full_name(&slug)));
        Ok(wrapped_page(items, offset, limit, extra))
    }

    fn billing_key(&self, params: &Value) -> String {
        lead_key(params, "profileUrl")
    }
}

/// `mcp_Heyreach_get_my_network_for_sender`: pages numbered from 0.
struct Network(Arc<Heyreach>);

impl DemoTool for Network {
    fn name(&self) -> &'static str {
        "mcp_Heyreach_get_my_network_for_sender"
    }

    fn run(&self, params: &Value, _now: DateTime<Utc>) -> Result<Value, String> {
        let sender = match params.get("senderId") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err("Invalid parameters: senderId is required".into()),
        };
        let size = uint(params, "pageSize", 10)?.clamp(1, MAX_PAGE);
        let number = uint(params, "pageNumber", 0)?;
        let all = self.0.networks.get(&sender).cloned().unwrap_or_default();
        Ok(wrapped_page(
            all,
            number.saturating_mul(size),
            size,
            Map::new(),
        ))
    }
}

/// `mcp_Heyreach_get_all_campaigns`: names matched by substring, case-insensitively.
struct AllCampaigns(Arc<Heyreach>);

impl DemoTool for AllCampaigns {
    fn name(&self) -> &'static str {
        "mcp_Heyreach_get_all_campaigns"
    }

    fn run(&self, params: &Value, _now: DateTime<Utc>) -> Result<Value, String> {
        let keyword = text_param(params, "keyword").unwrap_or("").to_lowercase();
        let statuses: Vec<&str> = params
            .get("statuses")
            .and_then(Value::as_array)
            .map(|s| s.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let (offset, limit) = (uint(params, "offset", 0)?, uint(params, "limit", 10)?);
        let items = self
            .0
            .campaigns
            .iter()
            .filter(|c| c.name.to_lowercase().contains(&keyword))
            .filter(|c| statuses.is_empty() || statuses.contains(&c.status.as_str()))
            .map(|c| {
                json!({"id": c.id, "name": c.name, "creationTime": c.creation_time,
                       "status": c.status, "linkedInUserListId": 7000 + c.id % 1000})
            })
            .collect();
        Ok(wrapped_page(items, offset, limit, Map::new()))
    }
}

/// `mcp_Heyreach_get_overall_stats`: insists on both id lists and an explicit window, as the
/// live tool effectively does (without dates it reports only about three weeks).
struct OverallStats(Arc<Heyreach>);

impl DemoTool for OverallStats {
    fn name(&self) -> &'static str {
        "mcp_Heyreach_get_overall_stats"
    }

    fn run(&self, params: &Value, _now: DateTime<Utc>) -> Result<Value, String> {
        let ids: Vec<u64> = params
            .get("campaignIds")
            .and_then(Value::as_array)
            .ok_or("Invalid parameters: campaignIds is required")?
            .iter()
            .filter_map(Value::as_u64)
            .collect();
        if !params.get("accountIds").is_some_and(Value::is_array) {
            return Err("Invalid parameters: accountIds is required".into());
        }
        for key in ["startDate", "endDate"] {
            let ok =
                text_param(params, key).is_some_and(|d| DateTime::parse_from_rfc3339(d).is_ok());
            if !ok {
                return Err(format!(
                    "Invalid parameters: {key} must be an ISO 8601 date"
                ));
            }
        }
        let stats = match ids.as_slice() {
            [id] => self
                .0
                .campaign(*id)
                .map(|c| c.stats.clone())
                .unwrap_or_else(zero_stats),
            _ => zero_stats(),
        };
        Ok(json!([{"byDayStats": {}, "overallStats": stats}]))
    }
}

fn zero_stats() -> Value {
    json!({"messageReplyRate": 0, "inMailReplyRate": 0, "totalMessageReplies": 0, "totalInmailReplies": 0})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str) -> Arc<dyn DemoTool> {
        tools()
            .unwrap()
            .into_iter()
            .find(|t| t.name() == name)
            .unwrap()
    }

    fn page_of(result: &Value) -> (u64, Vec<Value>) {
        let p = &result[0];
        (
            p["totalCount"].as_u64().unwrap(),
            p["items"].as_array().unwrap().clone(),
        )
    }

    #[test]
    fn network_pages_from_zero() {
        let t = tool("mcp_Heyreach_get_my_network_for_sender");
        let now = Utc::now();
        let page = |n: u64| {
            page_of(
                &t.run(
                    &json!({"senderId": "demo-sender-1", "pageNumber": n, "pageSize": 100}),
                    now,
                )
                .unwrap(),
            )
        };
        let sizes: Vec<usize> = (0..4).map(|n| page(n).1.len()).collect();
        assert_eq!(sizes, [100, 100, 50, 0]);
        assert_eq!(page(0).0, 250);
        assert_eq!(
            page(0).1[3]["profileUrl"],
            "http://linkedin.com/in/Ada-Quill-Demo?trk=people-guest"
        );
        assert!(page(0).1[3].get("position").is_none());
        let unknown = t
            .run(
                &json!({"senderId": 123, "pageNumber": 0, "pageSize": 100}),
                now,
            )
            .unwrap();
        assert_eq!(page_of(&unknown), (0, vec![]));
        assert!(t.run(&json!({"pageNumber": 0}), now).is_err());
    }

    #[test]
    fn synthetic_leads_are_deterministic_and_mostly_known() {
        let t = tool("mcp_Heyreach_get_campaigns_for_lead");
        let now = Utc::now();
        let mut known = 0;
        for n in 0..400 {
            let params = json!({"profileUrl": format!("https://www.linkedin.com/in/sam-lee-{n}/"), "limit": 100, "offset": 0});
            let a = t.run(&params, now);
            assert_eq!(a, t.run(&params, now));
            if let Ok(result) = a {
                known += 1;
                let (total, items) = page_of(&result);
                assert!(total <= 3 && items.len() as u64 == total);
            } else {
                assert_eq!(a.unwrap_err(), NOT_FOUND);
            }
        }
        assert!((340..=395).contains(&known), "{known}");
    }

    #[test]
    fn synthetic_conversations_follow_the_documented_shape() {
        let t = tool("mcp_Heyreach_get_conversations_v2");
        let now = Utc::now();
        let mut messages = 0;
        for n in 0..100 {
            let params = json!({"leadProfileUrl": format!("https://www.linkedin.com/in/kim-berg-{n}"), "limit": 100, "offset": 0});
            let Ok(result) = t.run(&params, now) else {
                continue;
            };
            for c in page_of(&result).1 {
                for m in c["messages"].as_array().unwrap() {
                    messages += 1;
                    assert!(DateTime::parse_from_rfc3339(m["createdAt"].as_str().unwrap()).is_ok());
                    assert!(["ME", "CORRESPONDENT"].contains(&m["sender"].as_str().unwrap()));
                }
            }
        }
        assert!(messages > 50, "{messages}");
    }

    #[test]
    fn stats_need_ids_and_window() {
        let t = tool("mcp_Heyreach_get_overall_stats");
        let now = Utc::now();
        let full = json!({"campaignIds": [41001], "accountIds": [],
                          "startDate": "2015-01-01T00:00:00Z", "endDate": "2026-12-31T23:59:59Z"});
        let result = t.run(&full, now).unwrap();
        assert_eq!(result[0]["overallStats"]["totalMessageReplies"], 22);
        for missing in ["accountIds", "startDate", "campaignIds"] {
            let mut p = full.clone();
            p.as_object_mut().unwrap().remove(missing);
            assert!(t.run(&p, now).unwrap_err().contains(missing), "{missing}");
        }
    }

    #[test]
    fn campaign_search_is_by_substring() {
        let t = tool("mcp_Heyreach_get_all_campaigns");
        let result = t
            .run(
                &json!({"keyword": "platform LEADS", "statuses": [], "accountIds": [], "limit": 100, "offset": 0}),
                Utc::now(),
            )
            .unwrap();
        let names: Vec<String> = page_of(&result)
            .1
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(names, ["Platform leads", "Platform leads EMEA"]);
    }

    #[test]
    fn names_come_from_slugs() {
        assert_eq!(full_name("ada-quill-demo"), "Ada Quill");
        assert_eq!(full_name("noor-patel-1f-demo"), "Noor Patel");
    }
}
