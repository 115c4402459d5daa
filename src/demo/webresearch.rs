//! Demo `chatgpt_webresearch`: `{"query"}` → `{"answer": "free text"}` about the company the
//! query names, written from the same company records the demo LLM, Apollo and Hunter use, so
//! extraction from this text and the other providers agree.

use super::companies::{Companies, Company};
use super::tools::DemoTool;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::sync::Arc;

/// The DataGen tool name.
pub const TOOL: &str = "chatgpt_webresearch";

/// `chatgpt_webresearch` over the demo companies.
pub struct WebResearch(pub Arc<Companies>);

impl DemoTool for WebResearch {
    fn name(&self) -> &'static str {
        TOOL
    }

    fn run(&self, params: &Value, _now: DateTime<Utc>) -> Result<Value, String> {
        let query = params
            .get("query")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .ok_or("Invalid parameters: query is required")?;
        let answer = match self.0.mentioned_in(query) {
            Some(m) => match &m.company {
                Some(company) => research(company),
                None => format!(
                    "I could not find reliable public information about {}: no company website, \
                     news coverage or business profile matches it.",
                    m.domain
                ),
            },
            None => "The question does not name a company or a website I can research. \
                     Include the company's name or domain."
                .to_string(),
        };
        Ok(json!({ "answer": answer }))
    }

    fn billing_key(&self, params: &Value) -> String {
        params
            .get("query")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_lowercase()
    }
}

/// The research text about one company: prose, like the live tool's, with every fact the demo
/// LLM can extract.
pub fn research(c: &Company) -> String {
    let mut parts = vec![format!("{} ({}): {}", c.name, c.domain, c.description)];
    if !c.customers.is_empty() {
        parts.push(format!("Customers include {}.", list(&c.customers)));
    }
    parts.push(format!(
        "Industry: {}. Size: {} employees (about {}). Founded in {}; headquartered in {}, {}.",
        c.industry, c.employee_range, c.employee_count, c.founded_year, c.city, c.country
    ));
    parts.push(format!("LinkedIn: {}", c.linkedin_url));
    parts.push(match &c.ceo {
        Some(ceo) => format!(
            "Chief executive: {}, {} ({}), according to {}.",
            ceo.name, ceo.title, ceo.linkedin_url, ceo.source_url
        ),
        None => "Leadership: public sources do not name a chief executive.".to_string(),
    });
    if c.news.is_empty() {
        parts.push("Recent news: none found.".to_string());
    } else {
        let news: Vec<String> = c
            .news
            .iter()
            .map(|n| format!("{}: {} ({})", n.date, n.headline, n.url))
            .collect();
        parts.push(format!("Recent news: {}.", news.join("; ")));
    }
    parts.push(format!("Sources: {}", c.sources().join(", ")));
    parts.join("\n")
}

/// `a`, `a and b`, `a, b and c`.
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool() -> WebResearch {
        WebResearch(Arc::new(Companies::load().unwrap()))
    }

    fn answer(query: &str) -> String {
        tool().run(&json!({ "query": query }), Utc::now()).unwrap()["answer"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn sample_companies_are_researched_from_fixtures() {
        let a =
            answer("What does Brightforge Labs (brightforge.example) do, who are its customers?");
        assert!(a.starts_with("Brightforge Labs (brightforge.example): Brightforge Labs builds"));
        assert!(a.contains("Quarry Cloud, Harborlight AI and Stonebridge Fintech"));
        assert!(a.contains("Chief executive: Ada Quill, Founder & CEO"));
        assert!(a.contains("2026-05-12: Brightforge Labs raises"));
        assert!(
            answer("Who is the CEO of Sakura Stack?").contains("do not name a chief executive")
        );
    }

    #[test]
    fn other_companies_are_synthetic_or_unknown() {
        let a = answer("Tell me about acme-widgets.example");
        assert!(
            a.starts_with("Acme Widgets (acme-widgets.example): "),
            "{a}"
        );
        assert_eq!(a, answer("tell me about https://www.acme-widgets.example/"));
        let missing = (0..200)
            .map(|n| answer(&format!("research acme-{n}.example")))
            .filter(|a| a.starts_with("I could not find"))
            .count();
        assert!((5..=40).contains(&missing), "{missing}");
        assert!(answer("What is a good name for a cat?").contains("does not name a company"));
        assert!(tool().run(&json!({}), Utc::now()).is_err());
    }
}
