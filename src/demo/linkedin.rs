//! Demo LinkedIn tools: the sample list's people from `assets/demo/linkedin.json`, and a
//! deterministic synthetic person for any other profile URL (so generated lists of any size work).

use super::faults::Fault;
use super::hash::{SplitMix, fnv1a};
use super::tools::DemoTool;
use crate::integrations::linkedin_url::{normalize_linkedin_url, profile_slug};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io;
use std::sync::Arc;

const FIXTURE: &str = include_str!("../../assets/demo/linkedin.json");

/// The answer LinkedIn tools give for profiles that do not exist.
pub const NOT_FOUND: &str = "Resource not found";

/// Share of synthetic profiles that do not exist, in percent.
const SYNTHETIC_NOT_FOUND_PERCENT: u64 = 5;

#[derive(Debug, Deserialize)]
struct FixtureFile {
    people: HashMap<String, PersonFixture>,
}

#[derive(Debug, Clone, Deserialize)]
struct PersonFixture {
    #[serde(default)]
    not_found: bool,
    #[serde(default)]
    person: Value,
    #[serde(default)]
    posts: Vec<PostFixture>,
    /// Faults the first requests for this person get, by name (`"429"`, `"500"`…), per tool.
    #[serde(default)]
    faults: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct PostFixture {
    /// Days before the request; turned into a date when the request arrives.
    #[serde(default)]
    days_ago: Option<f64>,
    /// A literal date string instead, for odd dates LinkedIn returns.
    #[serde(default)]
    date: Option<String>,
    text: String,
    #[serde(default)]
    reactions: u64,
    #[serde(default)]
    comments: u64,
}

/// The people the LinkedIn tools know, by lower-cased profile slug.
pub struct People {
    fixtures: HashMap<String, PersonFixture>,
}

impl People {
    /// Parses the embedded fixtures.
    pub fn load() -> io::Result<Self> {
        let file: FixtureFile = serde_json::from_str(FIXTURE).map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("linkedin.json: {e}"))
        })?;
        let fixtures = file
            .people
            .into_iter()
            .map(|(slug, p)| (slug.to_lowercase(), p))
            .collect();
        Ok(People { fixtures })
    }

    /// The person behind a profile URL, or `None` when the profile does not exist.
    fn lookup(&self, url: &str) -> Option<PersonFixture> {
        let slug = profile_slug(url)?;
        match self.fixtures.get(&slug) {
            Some(p) if p.not_found => None,
            Some(p) => Some(p.clone()),
            None => synthetic(&slug),
        }
    }

    /// The faults scripted for the person a request names.
    fn scripted_faults(&self, params: &Value) -> Vec<Fault> {
        let slug = params
            .get("linkedin_url")
            .and_then(Value::as_str)
            .and_then(profile_slug);
        slug.and_then(|slug| self.fixtures.get(&slug))
            .map(|p| p.faults.iter().filter_map(|f| Fault::named(f)).collect())
            .unwrap_or_default()
    }

    fn person_for(&self, params: &Value) -> Result<(String, PersonFixture), String> {
        let url = params
            .get("linkedin_url")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .ok_or("Invalid parameters: linkedin_url is required")?;
        let slug = profile_slug(url).ok_or(NOT_FOUND)?;
        self.lookup(url)
            .map(|p| (slug, p))
            .ok_or_else(|| NOT_FOUND.to_string())
    }
}

/// The two LinkedIn tools, sharing one fixture set.
pub fn tools() -> io::Result<Vec<Arc<dyn DemoTool>>> {
    let people = Arc::new(People::load()?);
    Ok(vec![
        Arc::new(PersonData(people.clone())),
        Arc::new(PersonPosts(people)),
    ])
}

fn url_key(params: &Value) -> String {
    let raw = params
        .get("linkedin_url")
        .and_then(Value::as_str)
        .unwrap_or("");
    normalize_linkedin_url(raw).unwrap_or_else(|| raw.trim().to_string())
}

/// `get_linkedin_person_data`.
struct PersonData(Arc<People>);

impl DemoTool for PersonData {
    fn name(&self) -> &'static str {
        "get_linkedin_person_data"
    }

    fn run(&self, params: &Value, _now: DateTime<Utc>) -> Result<Value, String> {
        let (_, p) = self.0.person_for(params)?;
        Ok(json!({ "person": p.person }))
    }

    fn billing_key(&self, params: &Value) -> String {
        url_key(params)
    }

    fn scripted_faults(&self, params: &Value) -> Vec<Fault> {
        self.0.scripted_faults(params)
    }
}

/// `get_linkedin_person_posts`.
struct PersonPosts(Arc<People>);

impl DemoTool for PersonPosts {
    fn name(&self) -> &'static str {
        "get_linkedin_person_posts"
    }

    fn run(&self, params: &Value, now: DateTime<Utc>) -> Result<Value, String> {
        let (slug, p) = self.0.person_for(params)?;
        let base = 7_100_000_000_000_000_000u64 + fnv1a(&slug) % 100_000_000_000_000_000;
        let posts: Vec<Value> = p
            .posts
            .iter()
            .enumerate()
            .map(|(i, post)| {
                let id = base.wrapping_add(i as u64 * 7_919);
                let date = match (&post.date, post.days_ago) {
                    (Some(raw), _) => Value::String(raw.clone()),
                    (None, Some(days)) => {
                        let at = now - Duration::milliseconds((days * 86_400_000.0) as i64);
                        Value::String(at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
                    }
                    (None, None) => Value::Null,
                };
                json!({
                    "activityId": id.to_string(),
                    "text": post.text,
                    "reactionsCount": post.reactions,
                    "commentsCount": post.comments,
                    "activityDate": date,
                    "activityUrl": format!("https://www.linkedin.com/feed/update/urn:li:activity:{id}"),
                })
            })
            .collect();
        Ok(json!({ "posts": posts }))
    }

    fn billing_key(&self, params: &Value) -> String {
        url_key(params)
    }
}

const COMPANIES: &[&str] = &[
    "Northwind Forge",
    "Bluefin Metrics",
    "Quarry Cloud",
    "Amberlane Software",
    "Pinecrest Data",
    "Harborlight AI",
    "Copperfield Systems",
    "Saltmarsh Labs",
    "Driftwood Analytics",
    "Ironbark Tools",
    "Meadowlark Health",
    "Stonebridge Fintech",
    "Lanternfish Security",
    "Willowbrook Robotics",
    "Cobalt Orchard",
    "Juniper Relay",
];
const TITLES: &[&str] = &[
    "Founder",
    "CEO",
    "CTO",
    "VP Engineering",
    "Head of Growth",
    "Engineering Manager",
    "Staff Engineer",
    "Director of Sales",
    "Product Lead",
    "COO",
];
const LOCATIONS: &[&str] = &[
    "London, England, United Kingdom",
    "Berlin, Germany",
    "Austin, Texas, United States",
    "Toronto, Ontario, Canada",
    "Stockholm, Sweden",
    "Singapore",
    "Madrid, Spain",
    "Sydney, New South Wales, Australia",
    "Nairobi, Kenya",
    "São Paulo, Brazil",
];
const POST_TEXTS: &[&str] = &[
    "Lessons from our latest launch.",
    "We're hiring! Reach out if you love hard problems.",
    "Three things I wish I knew as a first-time manager.",
    "Great conversations at the meetup last night.",
    "Our Q3 retrospective, in public.",
    "Why we rewrote our pricing page (again).",
    "Thank you to the team for an incredible year.",
    "A thread on hiring senior engineers.",
];
const MENTION_TEXTS: &[&str] = &[
    "Claude Code refactored our billing module overnight.",
    "Week one with claude-code: notes.",
    "#ClaudeCode is now part of our onboarding.",
    "Asked @Claude to review our migration plan.",
];

/// A synthetic profile's owner and current role, for demo providers that must agree with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Current title.
    pub title: String,
    /// Current company.
    pub company: String,
}

/// The role on the synthetic profile at `slug`; `None` when that profile does not exist.
pub fn synthetic_role(slug: &str) -> Option<Role> {
    let person = synthetic(slug)?.person;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let current = &person["positions"]["positionHistory"][0];
    Some(Role {
        first_name: text(&person["firstName"]),
        last_name: text(&person["lastName"]),
        title: text(&current["title"]),
        company: text(&current["companyName"]),
    })
}

/// A fictional person derived only from the slug, or `None` for the ~5% that "do not exist".
fn synthetic(slug: &str) -> Option<PersonFixture> {
    let mut rng = SplitMix::new(fnv1a(slug));
    if rng.below(100) < SYNTHETIC_NOT_FOUND_PERCENT {
        return None;
    }
    let words: Vec<String> = slug
        .split('-')
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .map(capitalize)
        .collect();
    let first = words.first().cloned().unwrap_or_else(|| "Demo".to_string());
    let last = if words.len() > 1 {
        words[1..].join("-")
    } else {
        "Person".to_string()
    };
    let company = rng.pick(COMPANIES);
    let title = rng.pick(TITLES);
    let followers = (50 + rng.below(5_000)) * [1, 1, 1, 3, 10][rng.below(5) as usize];
    let start_year = 2012 + rng.below(13);
    let person = json!({
        "firstName": first, "lastName": last,
        "headline": format!("{title} at {company}"),
        "location": rng.pick(LOCATIONS),
        "followerCount": followers,
        "positions": {"positionsCount": 1, "positionHistory": [
            {"title": title, "companyName": company,
             "startEndDate": {"start": {"month": 1 + rng.below(12), "year": start_year}, "end": null}}
        ]}
    });
    let count = if rng.below(5) == 0 { 0 } else { rng.below(21) };
    let posts = (0..count)
        .map(|_| {
            let mut days = rng.below(36_000) as f64 / 100.0;
            // Keep posts clear of the 30/90-day edges so counts do not flip between two requests.
            if [30.0, 90.0].iter().any(|edge| (days - edge).abs() < 0.05) {
                days += 0.1;
            }
            let text = if rng.below(100) < 12 {
                rng.pick(MENTION_TEXTS)
            } else {
                rng.pick(POST_TEXTS)
            };
            PostFixture {
                days_ago: Some(days),
                date: None,
                text: text.to_string(),
                reactions: rng.below(400),
                comments: rng.below(60),
            }
        })
        .collect();
    Some(PersonFixture {
        not_found: false,
        person,
        posts,
        faults: Vec::new(),
    })
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc::now()
    }

    #[test]
    fn fixtures_parse_and_sample_people_exist() {
        let people = People::load().unwrap();
        let ada = people
            .lookup("https://www.linkedin.com/in/ada-quill-demo/")
            .unwrap();
        assert_eq!(ada.person["followerCount"], 48210);
        assert!(
            people
                .lookup("linkedin.com/in/Bram-Okonkwo-Lind-Demo?x=1")
                .is_none()
        );
    }

    #[test]
    fn scripted_faults_name_real_faults_and_one_sample_lead_has_them() {
        let people = People::load().unwrap();
        for (slug, p) in &people.fixtures {
            for name in &p.faults {
                assert!(Fault::named(name).is_some(), "{slug}: unknown fault {name}");
            }
        }
        let farid = json!({"linkedin_url": "https://www.linkedin.com/in/farid-haddad-demo/"});
        assert_eq!(
            people.scripted_faults(&farid),
            [
                Fault::RateLimited,
                Fault::ServerError,
                Fault::ServerError,
                Fault::ServerError
            ]
        );
        let ada = json!({"linkedin_url": "https://www.linkedin.com/in/ada-quill-demo/"});
        assert!(people.scripted_faults(&ada).is_empty());
    }

    #[test]
    fn every_sample_list_url_has_a_fixture() {
        let people = People::load().unwrap();
        let sample = include_str!("../../lead-list/sample.csv");
        let slugs: Vec<String> = sample.split([',', '\n']).filter_map(profile_slug).collect();
        assert_eq!(slugs.len(), 7);
        for slug in slugs {
            assert!(people.fixtures.contains_key(&slug), "{slug}");
        }
    }

    #[test]
    fn synthetic_people_are_deterministic_and_mostly_found() {
        let people = People::load().unwrap();
        let found = (0..1000)
            .filter(|n| {
                people
                    .lookup(&format!("https://www.linkedin.com/in/sam-lee-{n}/"))
                    .is_some()
            })
            .count();
        assert!((900..=990).contains(&found), "{found}");
        let a = synthetic("sam-lee-42").map(|p| p.person);
        let b = synthetic("sam-lee-42").map(|p| p.person);
        assert_eq!(a, b);
    }

    #[test]
    fn synthetic_names_come_from_the_slug() {
        let p = (0..50)
            .find_map(|n| synthetic(&format!("maria-lopez-{n}")))
            .unwrap();
        assert_eq!(p.person["firstName"], "Maria");
        assert_eq!(p.person["lastName"], "Lopez");
    }

    #[test]
    fn posts_have_relative_dates_and_stable_ids() {
        let tools = tools().unwrap();
        let posts = tools
            .iter()
            .find(|t| t.name() == "get_linkedin_person_posts")
            .unwrap();
        let params = json!({"linkedin_url": "https://www.linkedin.com/in/dev-anand-demo/"});
        let a = posts.run(&params, now()).unwrap();
        let b = posts.run(&params, now()).unwrap();
        assert_eq!(a["posts"][0]["activityId"], b["posts"][0]["activityId"]);
        assert_eq!(a["posts"].as_array().unwrap().len(), 4);
        assert!(
            a["posts"][0]["activityDate"]
                .as_str()
                .unwrap()
                .ends_with('Z')
        );
    }

    #[test]
    fn bad_params_are_tool_errors() {
        let tools = tools().unwrap();
        for t in &tools {
            assert_eq!(
                t.run(&json!({}), now()).unwrap_err(),
                "Invalid parameters: linkedin_url is required"
            );
            assert_eq!(
                t.run(&json!({"linkedin_url": "https://example.com/x"}), now())
                    .unwrap_err(),
                NOT_FOUND
            );
        }
    }
}
