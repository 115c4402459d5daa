//! Demo HeyReach data: the sample list's leads, campaigns and a sender network from
//! `assets/demo/heyreach.json`, and deterministic synthetic data for any other lead.
//! The tools answering `mcp_Heyreach_*` over it live in [`handlers`].

mod handlers;

pub use handlers::tools;

use super::hash::{SplitMix, fnv1a};
use crate::integrations::linkedin_url::profile_slug;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io;

const FIXTURE: &str = include_str!("../../assets/demo/heyreach.json");

/// Share of synthetic leads HeyReach does not know, in percent.
const SYNTHETIC_NOT_FOUND_PERCENT: u64 = 8;

#[derive(Debug, Deserialize)]
struct FixtureFile {
    campaigns: Vec<CampaignFixture>,
    leads: HashMap<String, LeadFixture>,
    senders: HashMap<String, SenderFixture>,
}

#[derive(Debug, Clone, Deserialize)]
struct CampaignFixture {
    id: u64,
    name: String,
    status: String,
    #[serde(rename = "creationTime")]
    creation_time: String,
    stats: Value,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct LeadFixture {
    #[serde(default)]
    not_found: bool,
    #[serde(default)]
    campaigns: Vec<LeadCampaign>,
    #[serde(default)]
    conversations: Vec<ConversationFixture>,
}

#[derive(Debug, Clone, Deserialize)]
struct LeadCampaign {
    id: u64,
    #[serde(rename = "leadStatus")]
    lead_status: String,
}

#[derive(Debug, Clone, Deserialize)]
struct ConversationFixture {
    #[serde(rename = "linkedInAccountId")]
    account: u64,
    #[serde(rename = "campaignId")]
    campaign: u64,
    read: bool,
    messages: Vec<MessageFixture>,
}

#[derive(Debug, Clone, Deserialize)]
struct MessageFixture {
    #[serde(rename = "createdAt")]
    created_at: String,
    sender: String,
    body: String,
}

#[derive(Debug, Clone, Deserialize)]
struct SenderFixture {
    size: u64,
    connections: Vec<Value>,
}

/// Everything the HeyReach tools know.
pub struct Heyreach {
    campaigns: Vec<CampaignFixture>,
    leads: HashMap<String, LeadFixture>,
    /// Each sender's whole network, in listing order.
    networks: HashMap<String, Vec<Value>>,
}

impl Heyreach {
    /// Parses the embedded fixtures and lays out the sender networks.
    pub fn load() -> io::Result<Self> {
        let file: FixtureFile = serde_json::from_str(FIXTURE).map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("heyreach.json: {e}"))
        })?;
        let networks = file
            .senders
            .into_iter()
            .map(|(id, s)| (id.clone(), network(&id, &s)))
            .collect();
        let leads = file
            .leads
            .into_iter()
            .map(|(slug, l)| (slug.to_lowercase(), l))
            .collect();
        Ok(Heyreach {
            campaigns: file.campaigns,
            leads,
            networks,
        })
    }

    /// The lead behind a profile URL; `None` when HeyReach does not know it.
    fn lead(&self, url: &str) -> Option<(String, LeadFixture)> {
        let slug = profile_slug(url)?;
        let lead = match self.leads.get(&slug) {
            Some(l) if l.not_found => return None,
            Some(l) => l.clone(),
            None => self.synthetic(&slug)?,
        };
        Some((slug, lead))
    }

    fn campaign(&self, id: u64) -> Option<&CampaignFixture> {
        self.campaigns.iter().find(|c| c.id == id)
    }

    /// A lead derived only from the slug, or `None` for the few HeyReach "does not know".
    fn synthetic(&self, slug: &str) -> Option<LeadFixture> {
        let mut rng = SplitMix::new(fnv1a(slug) ^ 0x4865_7952_6561_6368);
        if rng.below(100) < SYNTHETIC_NOT_FOUND_PERCENT {
            return None;
        }
        let mut ids: Vec<u64> = self.campaigns.iter().map(|c| c.id).collect();
        let mut campaigns = Vec::new();
        for _ in 0..rng.below(4) {
            if ids.is_empty() {
                break;
            }
            let id = ids.remove(rng.below(ids.len() as u64) as usize);
            let lead_status = rng.pick(&["PENDING", "IN_SEQUENCE", "REPLIED", "FINISHED"]);
            campaigns.push(LeadCampaign {
                id,
                lead_status: lead_status.to_string(),
            });
        }
        let conversations = campaigns
            .iter()
            .take(rng.below(3) as usize)
            .map(|c| synthetic_conversation(&mut rng, c.id))
            .collect();
        Some(LeadFixture {
            not_found: false,
            campaigns,
            conversations,
        })
    }
}

const OPENERS: &[&str] = &[
    "Hi, enjoyed your recent post. Open to comparing notes on developer tooling?",
    "Hello! We help engineering teams ship faster. Worth a short chat?",
    "Hi there, saw your team is growing. Curious how you handle CI today?",
];
const FOLLOW_UPS: &[&str] = &[
    "Following up in case this got buried.",
    "Sharing a short case study that might be relevant.",
    "Last note from me, all the best!",
];
const REPLIES: &[&str] = &[
    "Thanks, not a priority right now.",
    "Interesting. Can you send more details by email?",
    "Sure, let's set up a call next week.",
    "Happy to chat. Here is my calendly: calendly.com/demo-lead",
    "We already have a vendor for this, sorry.",
    "Ping me again next quarter please.",
];

fn synthetic_conversation(rng: &mut SplitMix, campaign: u64) -> ConversationFixture {
    let start = Utc
        .with_ymd_and_hms(2025, 6, 1, 8, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::minutes(rng.below(500 * 24 * 60) as i64);
    let mut at = start;
    let mut messages = vec![MessageFixture {
        created_at: stamp(at),
        sender: "ME".into(),
        body: rng.pick(OPENERS).into(),
    }];
    for _ in 0..rng.below(5) {
        at += Duration::minutes(60 + rng.below(5 * 24 * 60) as i64);
        let (sender, body) = if rng.below(2) == 0 {
            ("ME", rng.pick(FOLLOW_UPS))
        } else {
            ("CORRESPONDENT", rng.pick(REPLIES))
        };
        messages.push(MessageFixture {
            created_at: stamp(at),
            sender: sender.into(),
            body: body.into(),
        });
    }
    ConversationFixture {
        account: 9001 + rng.below(3),
        campaign,
        read: rng.below(3) > 0,
        messages,
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

const FIRST: &[&str] = &[
    "Alex", "Sam", "Jordan", "Robin", "Kim", "Noor", "Mika", "Lea", "Tariq", "Zoe", "Ivo", "Rhea",
];
const LAST: &[&str] = &[
    "Berg", "Costa", "Dahl", "Ekman", "Fonseca", "Grant", "Holm", "Iqbal", "Jensen", "Kovac",
];
const HEADLINES: &[&str] = &[
    "Engineering Manager",
    "Founder",
    "Head of Platform",
    "Staff Engineer",
    "VP Sales",
    "Product Lead",
];

/// A sender's network: the fixture's connections at their positions, synthetic ones elsewhere.
/// Every seventh synthetic entry is listed by opaque id, as HeyReach does for some profiles.
fn network(sender: &str, fixture: &SenderFixture) -> Vec<Value> {
    let placed: HashMap<u64, &Value> = fixture
        .connections
        .iter()
        .filter_map(|c| Some((c.get("position")?.as_u64()?, c)))
        .collect();
    let mut rng = SplitMix::new(fnv1a(sender));
    (0..fixture.size)
        .map(|i| match placed.get(&i) {
            Some(c) => {
                let mut c = (*c).clone();
                if let Some(obj) = c.as_object_mut() {
                    obj.remove("position");
                }
                c
            }
            None => {
                let id = format!("ACoAAD{i:06}");
                let url = if i % 7 == 0 {
                    format!("https://www.linkedin.com/in/{id}")
                } else {
                    format!("https://www.linkedin.com/in/demo-connection-{i:03}")
                };
                json!({
                    "linkedin_id": id,
                    "profileUrl": url,
                    "firstName": rng.pick(FIRST),
                    "lastName": rng.pick(LAST),
                    "headline": rng.pick(HEADLINES),
                    "connections": 50 + rng.below(3000),
                    "followers": 20 + rng.below(9000),
                })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_list_url_has_a_fixture() {
        let data = Heyreach::load().unwrap();
        let sample = include_str!("../../lead-list/sample.csv");
        let slugs: Vec<String> = sample.split([',', '\n']).filter_map(profile_slug).collect();
        assert_eq!(slugs.len(), 7);
        for slug in slugs {
            assert!(data.leads.contains_key(&slug), "{slug}");
        }
        for lead in data.leads.values() {
            for c in &lead.campaigns {
                assert!(data.campaign(c.id).is_some(), "campaign {}", c.id);
            }
        }
    }

    #[test]
    fn sample_campaign_names_exist() {
        let data = Heyreach::load().unwrap();
        for name in ["Q1 founders", "Platform leads", "Nordic SaaS"] {
            assert!(data.campaigns.iter().any(|c| c.name == name), "{name}");
        }
    }
}
