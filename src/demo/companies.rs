//! Demo companies: the sample list's from `assets/demo/companies.json`, and a deterministic
//! synthetic company for any other domain or name (a few "do not exist", so no-data shows).
//! Web research, the demo LLM, Apollo and Hunter all read them, so their answers agree.

use super::hash::{SplitMix, fnv1a};
use serde::Deserialize;
use std::collections::HashMap;
use std::io;
use std::sync::Arc;

const FIXTURE: &str = include_str!("../../assets/demo/companies.json");

/// Share of synthetic companies that do not exist anywhere, in percent.
const SYNTHETIC_MISSING_PERCENT: u64 = 8;

/// Hosts that appear in research text and URLs but are never the company asked about.
const NOT_COMPANY_HOSTS: &[&str] = &["linkedin.com", "news.example"];

#[derive(Debug, Deserialize)]
struct FixtureFile {
    companies: Vec<Company>,
}

/// One company, as every demo provider sees it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Company {
    /// Display name.
    pub name: String,
    /// Bare domain, lower case.
    pub domain: String,
    /// One-sentence description.
    pub description: String,
    /// Named customers.
    pub customers: Vec<String>,
    /// Industry, as a human would say it.
    pub industry: String,
    /// Employee range (`11-50`).
    pub employee_range: String,
    /// Employee count.
    pub employee_count: u64,
    /// Year founded.
    pub founded_year: u64,
    /// Headquarters city.
    pub city: String,
    /// Headquarters country.
    pub country: String,
    /// The company's LinkedIn page.
    pub linkedin_url: String,
    /// The chief executive, when public sources name one.
    pub ceo: Option<Ceo>,
    /// How addresses are made (`{first}`, `{first}.{last}`, `{f}{last}`…).
    pub email_pattern: String,
    /// The mail server accepts every address, so no address can be verified.
    #[serde(default)]
    pub accept_all: bool,
    /// Recent news, newest first.
    pub news: Vec<News>,
    /// People known by name (synthetic companies have none; their people are made on demand).
    #[serde(default)]
    pub people: Vec<Person>,
}

/// A company's chief executive.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Ceo {
    /// Full name.
    pub name: String,
    /// Title as published.
    pub title: String,
    /// LinkedIn profile.
    pub linkedin_url: String,
    /// Where the name was found.
    pub source_url: String,
}

/// One news item.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct News {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Headline.
    pub headline: String,
    /// Article URL.
    pub url: String,
}

/// One person at a company, with what each provider knows of them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Person {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Job title.
    pub title: String,
    /// Apollo's seniority (`founder`, `c_suite`, `vp`, `head`, `director`, `manager`, `senior`).
    pub seniority: String,
    /// LinkedIn profile, when they have one.
    #[serde(default)]
    pub linkedin_url: Option<String>,
    /// City.
    pub city: String,
    /// Country.
    pub country: String,
    /// Apollo's `email_status`; `None` when Apollo has no match for them.
    #[serde(default)]
    pub apollo: Option<String>,
    /// Hunter Email Finder's score; `None` when it finds no address.
    #[serde(default)]
    pub hunter_score: Option<u64>,
    /// Hunter Email Verifier's status for their address; `None` derives it from the address.
    #[serde(default)]
    pub verify: Option<String>,
}

impl Company {
    /// The address the company's pattern gives a person.
    pub fn email_for(&self, first: &str, last: &str) -> String {
        let (first, last) = (mail_name(first), mail_name(last));
        let initial = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        let local = self
            .email_pattern
            .replace("{first}", &first)
            .replace("{last}", &last)
            .replace("{f}", &initial(&first))
            .replace("{l}", &initial(&last));
        format!("{local}@{}", self.domain)
    }

    /// Web pages that back what is known about the company.
    pub fn sources(&self) -> Vec<String> {
        let mut sources = vec![format!("https://{}/about", self.domain)];
        sources.extend(self.news.iter().map(|n| n.url.clone()));
        if let Some(ceo) = &self.ceo {
            sources.push(ceo.source_url.clone());
        }
        sources.dedup();
        sources
    }
}

/// A name as it appears in an address: lower case, accents folded, only letters and digits.
pub fn mail_name(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => Some('a'),
            'ç' => Some('c'),
            'è' | 'é' | 'ê' | 'ë' => Some('e'),
            'ì' | 'í' | 'î' | 'ï' => Some('i'),
            'ñ' => Some('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => Some('o'),
            'ù' | 'ú' | 'û' | 'ü' => Some('u'),
            'ý' | 'ÿ' => Some('y'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// Where a text names a company, and which.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// The company's domain.
    pub domain: String,
    /// The company; `None` when it does not exist (a synthetic miss).
    pub company: Option<Arc<Company>>,
}

/// Every company the demo knows, plus the synthetic rest.
pub struct Companies {
    fixtures: Vec<Arc<Company>>,
    by_domain: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

impl Companies {
    /// Parses the embedded fixtures.
    pub fn load() -> io::Result<Self> {
        let file: FixtureFile = serde_json::from_str(FIXTURE).map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("companies.json: {e}"))
        })?;
        let fixtures: Vec<Arc<Company>> = file.companies.into_iter().map(Arc::new).collect();
        let by_domain = fixtures
            .iter()
            .enumerate()
            .map(|(i, c)| (c.domain.to_lowercase(), i))
            .collect();
        let by_name = fixtures
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.to_lowercase(), i))
            .collect();
        Ok(Companies {
            fixtures,
            by_domain,
            by_name,
        })
    }

    /// The sample list's companies.
    pub fn fixtures(&self) -> &[Arc<Company>] {
        &self.fixtures
    }

    /// The company at a domain (any form: URL, `www.`, an address); `None` when it does not exist.
    pub fn by_domain(&self, raw: &str) -> Option<Arc<Company>> {
        let domain = bare_domain(raw)?;
        match self.by_domain.get(&domain) {
            Some(&i) => self.fixtures.get(i).cloned(),
            None => synthetic(&domain, None).map(Arc::new),
        }
    }

    /// The company with this name; unknown names get a synthetic company at `<slug>.example`.
    pub fn by_name(&self, name: &str) -> Option<Arc<Company>> {
        let key = name.trim().to_lowercase();
        if let Some(&i) = self.by_name.get(&key) {
            return self.fixtures.get(i).cloned();
        }
        let slug = slug(&key);
        if slug.is_empty() {
            return None;
        }
        let domain = format!("{slug}.example");
        match self.by_domain.get(&domain) {
            Some(&i) => self.fixtures.get(i).cloned(),
            None => synthetic(&domain, Some(name.trim())).map(Arc::new),
        }
    }

    /// The company a text is about: the sample company named or whose domain appears first,
    /// else the first domain-like word (a synthetic company).
    pub fn mentioned_in(&self, text: &str) -> Option<Mention> {
        let lower = text.to_lowercase();
        let known = self
            .fixtures
            .iter()
            .filter_map(|c| {
                let at = [lower.find(&c.name.to_lowercase()), lower.find(&c.domain)]
                    .into_iter()
                    .flatten()
                    .min()?;
                Some((at, c))
            })
            .min_by_key(|(at, _)| *at);
        if let Some((_, c)) = known {
            return Some(Mention {
                domain: c.domain.clone(),
                company: Some(c.clone()),
            });
        }
        let domain = lower
            .split(|c: char| c.is_whitespace() || "()[]<>{},;\"'!?|*`".contains(c))
            .filter_map(bare_domain)
            .find(|d| {
                !NOT_COMPANY_HOSTS
                    .iter()
                    .any(|h| d == h || d.ends_with(&format!(".{h}")))
            })?;
        Some(Mention {
            company: synthetic(&domain, None).map(Arc::new),
            domain,
        })
    }
}

/// `https://www.Acme-Widgets.example/about.` or `sam@acme-widgets.example` → `acme-widgets.example`;
/// `None` when the text is not domain-shaped.
pub fn bare_domain(raw: &str) -> Option<String> {
    let lower = raw.trim().trim_end_matches(['.', ':']).to_lowercase();
    let no_scheme = lower.rsplit("://").next().unwrap_or("");
    let host = no_scheme.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    let host = host.strip_prefix("www.").unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last()?;
    let shaped = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic());
    shaped.then(|| host.to_string())
}

/// `Acme Widgets, Inc.` → `acme-widgets-inc`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// (industry, what companies in it do).
const INDUSTRIES: &[(&str, &str)] = &[
    (
        "Developer tools",
        "builds tools that help engineering teams ship software faster",
    ),
    (
        "Cybersecurity",
        "protects cloud workloads from misconfiguration and intrusion",
    ),
    (
        "Fintech",
        "automates payments and reconciliation for online businesses",
    ),
    (
        "Health care",
        "helps clinics coordinate care and follow up with patients",
    ),
    (
        "Logistics",
        "plans routes and tracks freight for shippers and carriers",
    ),
    (
        "Marketing software",
        "helps marketing teams plan, run and measure campaigns",
    ),
    (
        "Data infrastructure",
        "moves and transforms data between warehouses and apps",
    ),
    (
        "Robotics",
        "builds robots that automate inspection and warehouse work",
    ),
    (
        "Education technology",
        "runs online courses and assessments for universities",
    ),
    (
        "Climate technology",
        "measures and reduces the carbon footprint of factories",
    ),
];
const CUSTOMERS: &[&str] = &[
    "Northwind Forge",
    "Bluefin Metrics",
    "Quarry Cloud",
    "Amberlane Software",
    "Pinecrest Data",
    "Harborlight AI",
    "Saltmarsh Labs",
    "Ironbark Tools",
    "Meadowlark Health",
    "Stonebridge Fintech",
    "Lanternfish Security",
    "Juniper Relay",
];
const SIZES: &[(&str, u64, u64)] = &[
    ("1-10", 2, 10),
    ("11-50", 11, 50),
    ("51-200", 51, 200),
    ("201-500", 201, 500),
    ("501-1000", 501, 1000),
    ("1001-5000", 1001, 5000),
];
const PLACES: &[(&str, &str)] = &[
    ("Berlin", "Germany"),
    ("Austin", "United States"),
    ("Toronto", "Canada"),
    ("Stockholm", "Sweden"),
    ("Singapore", "Singapore"),
    ("Madrid", "Spain"),
    ("Sydney", "Australia"),
    ("Nairobi", "Kenya"),
    ("São Paulo", "Brazil"),
    ("Dublin", "Ireland"),
];
/// Given names for synthetic people.
const FIRST_NAMES: &[&str] = &[
    "Alex", "Sam", "Jordan", "Robin", "Kim", "Noor", "Mika", "Lea", "Tariq", "Zoe", "Ivo", "Rhea",
    "Priya", "Jonas", "Amara", "Luca",
];
/// Family names for synthetic people.
pub const LAST_NAMES: &[&str] = &[
    "Berg", "Costa", "Dahl", "Ekman", "Fonseca", "Grant", "Holm", "Iqbal", "Jensen", "Kovac",
    "Lindgren", "Moreau", "Nakamura", "Okafor",
];
const CEO_TITLES: &[&str] = &[
    "CEO",
    "Co-founder & CEO",
    "Founder & CEO",
    "Chief Executive Officer",
];
const PATTERNS: &[&str] = &[
    "{first}",
    "{first}.{last}",
    "{f}{last}",
    "{first}{l}",
    "{first}_{last}",
    "{last}",
];
const HEADLINES: &[&str] = &[
    "{name} raises a seed round to expand its team",
    "{name} launches a new analytics dashboard",
    "{name} partners with Quarry Cloud",
    "{name} opens an office in Lisbon",
    "{name} is named a top startup to watch",
];

/// A company derived only from its domain (and a given name), or `None` for the ~8% that do
/// not exist.
fn synthetic(domain: &str, name: Option<&str>) -> Option<Company> {
    let mut rng = SplitMix::new(fnv1a(domain) ^ 0x436f_6d70_616e_7921);
    if rng.below(100) < SYNTHETIC_MISSING_PERCENT {
        return None;
    }
    let label = domain.split('.').next().unwrap_or(domain);
    let name = name.map(str::to_string).unwrap_or_else(|| {
        label
            .split('-')
            .filter(|w| !w.is_empty())
            .map(capitalize)
            .collect::<Vec<_>>()
            .join(" ")
    });
    let (industry, what) = INDUSTRIES
        .get(rng.below(INDUSTRIES.len() as u64) as usize)
        .copied()
        .unwrap_or(("Software", "builds software"));
    let (range, low, high) = SIZES
        .get(rng.below(SIZES.len() as u64) as usize)
        .copied()
        .unwrap_or(("11-50", 11, 50));
    let (city, country) = PLACES
        .get(rng.below(PLACES.len() as u64) as usize)
        .copied()
        .unwrap_or(("Berlin", "Germany"));
    let mut customers: Vec<String> = Vec::new();
    for _ in 0..2 + rng.below(2) {
        let c = rng.pick(CUSTOMERS).to_string();
        if !customers.contains(&c) && c != name {
            customers.push(c);
        }
    }
    let ceo = (rng.below(100) >= 15).then(|| {
        let (first, last) = (rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
        Ceo {
            name: format!("{first} {last}"),
            title: rng.pick(CEO_TITLES).to_string(),
            linkedin_url: format!(
                "https://www.linkedin.com/in/{}-{}-{}-demo/",
                mail_name(first),
                mail_name(last),
                rng.below(90) + 10
            ),
            source_url: format!("https://{domain}/about"),
        }
    });
    let news = (0..rng.below(3))
        .map(|i| News {
            date: date_after_2025_06(rng.below(365)),
            headline: rng.pick(HEADLINES).replace("{name}", &name),
            url: format!("https://news.example/{label}-{}", i + 1),
        })
        .collect();
    Some(Company {
        description: format!("{name} {what}."),
        customers,
        industry: industry.to_string(),
        employee_range: range.to_string(),
        employee_count: low + rng.below(high - low + 1),
        founded_year: 1998 + rng.below(27),
        city: city.to_string(),
        country: country.to_string(),
        linkedin_url: format!("https://www.linkedin.com/company/{label}-demo/"),
        ceo,
        email_pattern: rng.pick(PATTERNS).to_string(),
        accept_all: rng.below(100) < 15,
        news,
        people: Vec::new(),
        domain: domain.to_string(),
        name,
    })
}

/// `YYYY-MM-DD`, `days` after 2025-06-01 (a fixed anchor: answers must not change with the clock).
pub fn date_after_2025_06(days: u64) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default();
    (start + chrono::Days::new(days))
        .format("%Y-%m-%d")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_companies_and_emails_match_the_sample_list() {
        let companies = Companies::load().unwrap();
        let mut reader =
            csv::Reader::from_reader(include_str!("../../lead-list/sample.csv").as_bytes());
        for row in reader.records() {
            let row = row.unwrap();
            let (first, last, name, domain, email) = (&row[0], &row[1], &row[2], &row[3], &row[5]);
            let c = companies.by_domain(domain).unwrap();
            assert_eq!(c.name, name);
            assert_eq!(companies.by_name(name).unwrap().domain, domain);
            assert_eq!(c.email_for(first, last), email);
            assert!(c.people.iter().any(|p| p.first_name == first), "{first}");
        }
        assert_eq!(companies.fixtures().len(), 8);
        assert!(companies.fixtures().iter().any(|c| c.ceo.is_none()));
    }

    #[test]
    fn synthetic_companies_are_stable_and_sometimes_missing() {
        let companies = Companies::load().unwrap();
        let found = (0..500)
            .filter(|n| companies.by_domain(&format!("acme-{n}.example")).is_some())
            .count();
        assert!((430..=490).contains(&found), "{found}");
        let a = companies
            .by_domain("https://www.Acme-Widgets.example/about")
            .unwrap();
        assert_eq!(a, companies.by_domain("sam@acme-widgets.example").unwrap());
        assert_eq!(a.name, "Acme Widgets");
        assert_eq!(
            companies.by_name("Acme Widgets").unwrap().domain,
            "acme-widgets.example"
        );
    }

    #[test]
    fn mentions_prefer_sample_companies_then_domains() {
        let companies = Companies::load().unwrap();
        let m = companies
            .mentioned_in("Who runs kitecraft? See https://www.linkedin.com/company/x")
            .unwrap();
        assert_eq!(m.company.unwrap().name, "Kitecraft");
        let m = companies
            .mentioned_in("Profile https://www.linkedin.com/in/x and news.example/y, about acme-widgets.example.")
            .unwrap();
        assert_eq!(m.domain, "acme-widgets.example");
        assert!(
            companies
                .mentioned_in("What is the meaning of life?")
                .is_none()
        );
    }

    #[test]
    fn patterns_make_addresses() {
        let companies = Companies::load().unwrap();
        let mut c = (*companies.by_domain("kitecraft.example").unwrap()).clone();
        c.email_pattern = "{f}{last}".into();
        assert_eq!(c.email_for("Elin", "Sørby"), "esorby@kitecraft.example");
        c.email_pattern = "{first}.{last}".into();
        assert_eq!(
            c.email_for("Bram", "Okonkwo-Lind"),
            "bram.okonkwolind@kitecraft.example"
        );
        assert_eq!(bare_domain("e.g."), None);
        assert_eq!(bare_domain("x@a-b.example"), Some("a-b.example".into()));
    }
}
