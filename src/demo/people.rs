//! Demo people: who works where, what Apollo and Hunter know of them, and how an address
//! verifies. Sample people come from `assets/demo/companies.json`; anyone else is derived from a
//! hash of their company and name, so Apollo, Hunter's finder and its verifier always agree.

use super::companies::{Companies, Company, LAST_NAMES, Person, mail_name};
use super::hash::{SplitMix, fnv1a};
use super::linkedin;
use crate::integrations::linkedin_url::profile_slug;
use std::sync::Arc;

/// Share of synthetic people Apollo has a record of, in percent.
const APOLLO_KNOWN_PERCENT: u64 = 75;

/// Share of synthetic people Hunter's finder finds an address for, in percent.
const HUNTER_FOUND_PERCENT: u64 = 65;

/// Mail providers whose addresses are personal, never a company's.
const WEBMAIL: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
    "proton.me",
];

/// Throwaway mail providers.
const DISPOSABLE: &[&str] = &[
    "mailinator.com",
    "guerrillamail.com",
    "10minutemail.com",
    "trashmail.com",
];

const TITLES: &[(&str, &str)] = &[
    ("Engineering Manager", "manager"),
    ("Head of Growth", "head"),
    ("VP Sales", "vp"),
    ("Staff Engineer", "senior"),
    ("Product Lead", "senior"),
    ("Director of Marketing", "director"),
    ("CTO", "c_suite"),
    ("Account Executive", "senior"),
];

/// A person together with the company they work at.
#[derive(Debug, Clone)]
pub struct Employee {
    /// Their company.
    pub company: Arc<Company>,
    /// The person.
    pub person: Person,
}

impl Employee {
    /// Their work address, by the company's pattern.
    pub fn email(&self) -> String {
        self.company
            .email_for(&self.person.first_name, &self.person.last_name)
    }

    /// Full name.
    pub fn name(&self) -> String {
        format!("{} {}", self.person.first_name, self.person.last_name)
    }
}

/// What Hunter's verifier says of an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// One of `valid`, `invalid`, `accept_all`, `webmail`, `disposable`, `unknown`.
    pub status: &'static str,
    /// Deliverability score, 0 to 100.
    pub score: u64,
    /// The address looks like an address at all.
    pub regexp: bool,
}

/// Lookups over [`Companies`] by the identifiers providers accept.
pub struct People {
    companies: Arc<Companies>,
}

impl People {
    /// People over a set of companies.
    pub fn new(companies: Arc<Companies>) -> Self {
        People { companies }
    }

    /// The companies behind them.
    pub fn companies(&self) -> &Companies {
        &self.companies
    }

    /// The person at a LinkedIn profile: a sample person, or the demo LinkedIn profile's owner at
    /// the company their profile names. `None` when the profile does not exist.
    pub fn by_linkedin(&self, url: &str) -> Option<Employee> {
        let slug = profile_slug(url)?;
        for company in self.companies.fixtures() {
            let found = company.people.iter().find(|p| {
                p.linkedin_url
                    .as_deref()
                    .and_then(profile_slug)
                    .is_some_and(|s| s == slug)
            });
            if let Some(p) = found {
                return Some(Employee {
                    company: company.clone(),
                    person: p.clone(),
                });
            }
        }
        let profile = linkedin::synthetic_role(&slug)?;
        let company = self.companies.by_name(&profile.company)?;
        let mut employee = self.by_name(&company, &profile.first_name, &profile.last_name);
        employee.person.title = profile.title;
        employee.person.linkedin_url = Some(format!("https://www.linkedin.com/in/{slug}/"));
        Some(employee)
    }

    /// The person with this address: a sample person, or someone named from the local part.
    /// `None` when the domain's company does not exist.
    pub fn by_email(&self, email: &str) -> Option<Employee> {
        let (local, domain) = email
            .trim()
            .to_lowercase()
            .rsplit_once('@')
            .map(|(l, d)| (l.to_string(), d.to_string()))?;
        let company = self.companies.by_domain(&domain)?;
        if let Some(p) = company
            .people
            .iter()
            .find(|p| company.email_for(&p.first_name, &p.last_name) == email.trim().to_lowercase())
        {
            return Some(Employee {
                company: company.clone(),
                person: p.clone(),
            });
        }
        let mut words = local.split(['.', '_', '-']).filter(|w| !w.is_empty());
        let first = words.next().unwrap_or("contact").to_string();
        let last = words.next().map(str::to_string).unwrap_or_else(|| {
            let mut rng = SplitMix::new(fnv1a(email));
            rng.pick(LAST_NAMES).to_string()
        });
        Some(self.by_name(&company, &capitalize(&first), &capitalize(&last)))
    }

    /// The person with this name at a company: a sample person, or a synthetic one.
    pub fn by_name(&self, company: &Arc<Company>, first: &str, last: &str) -> Employee {
        let wanted = (mail_name(first), mail_name(last));
        if let Some(p) = company
            .people
            .iter()
            .find(|p| (mail_name(&p.first_name), mail_name(&p.last_name)) == wanted)
        {
            return Employee {
                company: company.clone(),
                person: p.clone(),
            };
        }
        let mut rng = SplitMix::new(fnv1a(&format!(
            "{}|{}|{}",
            company.domain, wanted.0, wanted.1
        )));
        let (title, seniority) = TITLES
            .get(rng.below(TITLES.len() as u64) as usize)
            .copied()
            .unwrap_or(("Staff Engineer", "senior"));
        let apollo = (rng.below(100) < APOLLO_KNOWN_PERCENT).then(|| {
            rng.pick(&[
                "verified",
                "verified",
                "verified",
                "unverified",
                "unavailable",
            ])
            .to_string()
        });
        let hunter_score = (rng.below(100) < HUNTER_FOUND_PERCENT).then(|| 40 + rng.below(60));
        Employee {
            company: company.clone(),
            person: Person {
                first_name: first.trim().to_string(),
                last_name: last.trim().to_string(),
                title: title.to_string(),
                seniority: seniority.to_string(),
                linkedin_url: None,
                city: company.city.clone(),
                country: company.country.clone(),
                apollo,
                hunter_score,
                verify: None,
            },
        }
    }

    /// What the verifier says of an address. A sample person's address has its fixed verdict;
    /// others depend on the domain (webmail, disposable, accept-all, missing) and a hash.
    pub fn verify(&self, email: &str) -> Verdict {
        let email = email.trim().to_lowercase();
        let verdict = |status, score| Verdict {
            status,
            score,
            regexp: true,
        };
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Verdict {
                status: "invalid",
                score: 0,
                regexp: false,
            };
        };
        if local.is_empty() || !domain.contains('.') {
            return Verdict {
                status: "invalid",
                score: 0,
                regexp: false,
            };
        }
        if WEBMAIL.contains(&domain) {
            return verdict("webmail", 50);
        }
        if DISPOSABLE.contains(&domain) {
            return verdict("disposable", 0);
        }
        let Some(company) = self.companies.by_domain(domain) else {
            return verdict("invalid", 0);
        };
        let known = company
            .people
            .iter()
            .find(|p| company.email_for(&p.first_name, &p.last_name) == email)
            .and_then(|p| p.verify.as_deref());
        let status = match known {
            Some(s) => fixed_status(s),
            None if company.accept_all => "accept_all",
            None => {
                let roll = SplitMix::new(fnv1a(&email)).below(100);
                match roll {
                    0..60 => "valid",
                    60..85 => "invalid",
                    _ => "unknown",
                }
            }
        };
        let score = match status {
            "valid" => 91 + fnv1a(&email) % 9,
            "accept_all" => 60 + fnv1a(&email) % 20,
            "unknown" => 30 + fnv1a(&email) % 20,
            _ => 0,
        };
        verdict(status, score)
    }
}

/// The fixture's verifier status as one of Hunter's own words.
fn fixed_status(s: &str) -> &'static str {
    ["valid", "invalid", "accept_all", "webmail", "disposable"]
        .into_iter()
        .find(|known| *known == s)
        .unwrap_or("unknown")
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

    fn people() -> People {
        People::new(Arc::new(Companies::load().unwrap()))
    }

    #[test]
    fn sample_people_by_every_identifier() {
        let people = people();
        let ada = people
            .by_linkedin("linkedin.com/in/Ada-Quill-Demo")
            .unwrap();
        assert_eq!(
            (ada.company.name.as_str(), ada.email().as_str()),
            ("Brightforge Labs", "ada@brightforge.example")
        );
        let elin = people.by_email("ELIN@fjordline.example").unwrap();
        assert_eq!(elin.person.last_name, "Sørby");
        let kite = people.companies().by_domain("kitecraft.example").unwrap();
        assert_eq!(
            people
                .by_name(&kite, "dev", "ANAND")
                .person
                .apollo
                .as_deref(),
            Some("verified")
        );
        // Bram left: Apollo and Hunter know nothing and his listed address bounces.
        let bram = people.by_email("bram@nullpoint.example").unwrap();
        assert_eq!(
            (bram.person.apollo.clone(), bram.person.hunter_score),
            (None, None)
        );
        assert_eq!(people.verify("bram@nullpoint.example").status, "invalid");
    }

    #[test]
    fn verdicts_follow_the_domain() {
        let people = people();
        assert_eq!(people.verify("hiro@sakurastack.example").status, "valid");
        assert_eq!(
            people.verify("anyone@fjordline.example").status,
            "accept_all"
        );
        assert_eq!(people.verify("sam@gmail.com").status, "webmail");
        assert_eq!(people.verify("x@mailinator.com").status, "disposable");
        assert!(!people.verify("not-an-address").regexp);
        let statuses: std::collections::BTreeSet<_> = (0..200)
            .map(|n| people.verify(&format!("p{n}@tidewater.example")).status)
            .collect();
        assert_eq!(
            statuses.into_iter().collect::<Vec<_>>(),
            ["invalid", "unknown", "valid"]
        );
        assert_eq!(
            people.verify("a@b-c.example"),
            people.verify("A@B-C.example")
        );
    }

    #[test]
    fn synthetic_profiles_work_at_their_linkedin_company() {
        let people = people();
        let found: Vec<Employee> = (0..30)
            .filter_map(|n| {
                people.by_linkedin(&format!("https://www.linkedin.com/in/noor-patel-{n}/"))
            })
            .collect();
        assert!(found.len() >= 20, "{}", found.len());
        assert!(
            found
                .iter()
                .all(|e| e.person.first_name == "Noor" && e.email().ends_with(".example"))
        );
    }
}
