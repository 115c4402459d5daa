//! `apollo_person`: Apollo's People Enrichment (`POST /api/v1/people/match`) from a LinkedIn
//! URL, an email, or a first and last name with the company's name or domain.

use super::lead_inputs::{
    COMPANY_OPTIONAL, DOMAIN_OPTIONAL, EMAIL_OPTIONAL, FIRST_NAME_OPTIONAL, LAST_NAME_OPTIONAL,
    LINKEDIN_URL_OPTIONAL, bare_domain, fields, text_at, value,
};
use super::linkedin_url::normalize_linkedin_url;
use super::{
    Ctx, EnrichError, Enriched, Fields, IntegrationSpec, OutputKind, OutputSpec, RowEnrich,
};
use crate::providers::ProviderId;
use crate::providers::router::APOLLO_PEOPLE_MATCH;
use serde_json::{Map, Value, json};

const fn text(name: &'static str, description: &'static str) -> OutputSpec {
    OutputSpec {
        name,
        kind: OutputKind::Text,
        description,
    }
}

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "apollo_person",
    description: "Apollo people match: work email and its status, title, seniority, company, LinkedIn, city, country",
    provider: ProviderId::APOLLO,
    tools: &[APOLLO_PEOPLE_MATCH],
    inputs: &[
        LINKEDIN_URL_OPTIONAL,
        EMAIL_OPTIONAL,
        FIRST_NAME_OPTIONAL,
        LAST_NAME_OPTIONAL,
        COMPANY_OPTIONAL,
        DOMAIN_OPTIONAL,
    ],
    outputs: &[
        text("apollo_email", "Work email Apollo has for the person"),
        OutputSpec {
            name: "apollo_email_status",
            kind: OutputKind::Enum(&["verified", "unverified", "likely to engage", "unavailable"]),
            description: "How sure Apollo is of the email",
        },
        text("apollo_title", "Current title"),
        text(
            "apollo_seniority",
            "founder, c_suite, vp, head, director, manager, senior, …",
        ),
        text("apollo_company", "Current company"),
        text("apollo_company_domain", "The company's primary domain"),
        OutputSpec {
            name: "apollo_linkedin_url",
            kind: OutputKind::Url,
            description: "LinkedIn profile Apollo links to",
        },
        text("apollo_city", "City"),
        text("apollo_country", "Country"),
    ],
    cost_per_row_usd: 0.03,
};

/// The `apollo_person` integration.
pub struct ApolloPerson;

/// Why a row cannot be matched: Apollo needs to know who and where.
const NEEDS: &str = "needs linkedin_url, email, or first_name and last_name with company or domain";

/// The people-match parameters of a row, or why it cannot be matched.
pub fn params(inputs: &Fields) -> Result<Value, String> {
    let mut p = Map::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            p.insert(k.to_string(), json!(v));
        }
    };
    let linkedin = value(inputs, "linkedin_url")
        .map(|u| normalize_linkedin_url(u).unwrap_or_else(|| u.to_string()));
    put("linkedin_url", linkedin);
    put("email", value(inputs, "email").map(str::to_lowercase));
    put(
        "first_name",
        value(inputs, "first_name").map(str::to_string),
    );
    put("last_name", value(inputs, "last_name").map(str::to_string));
    put(
        "organization_name",
        value(inputs, "company").map(str::to_string),
    );
    put("domain", value(inputs, "domain").map(bare_domain));
    let has = |k: &str| p.contains_key(k);
    let named = has("first_name") && has("last_name");
    let placed = has("organization_name") || has("domain");
    if has("linkedin_url") || has("email") || (named && placed) {
        Ok(Value::Object(p))
    } else {
        Err(NEEDS.to_string())
    }
}

impl RowEnrich for ApolloPerson {
    const SPEC: &'static IntegrationSpec = &SPEC;

    fn first_request(&self, inputs: &Fields) -> Option<Value> {
        params(inputs).ok()
    }

    fn missing(&self, inputs: &Fields) -> Option<String> {
        params(inputs).err()
    }

    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let params = params(inputs).map_err(|why| {
            EnrichError::new(
                crate::providers::ErrorKind::Permanent,
                format!("not sent: {why}"),
            )
        })?;
        let answer = ctx.call(SPEC.provider, APOLLO_PEOPLE_MATCH, params).await?;
        parse(&answer)
    }
}

/// An Apollo person answer as this integration's outputs. A placeholder address
/// (`email_not_unlocked@…`, credits did not unlock it) is no email.
pub fn parse(answer: &Value) -> Result<Enriched, EnrichError> {
    let Some(person) = answer.get("person").filter(|p| p.is_object()) else {
        return Err(EnrichError::no_data("Apollo has no match"));
    };
    let email = text_at(person, "/email")
        .filter(|e| e.contains('@') && !e.starts_with("email_not_unlocked"));
    let status = text_at(person, "/email_status").map(|s| s.to_lowercase());
    let linkedin =
        text_at(person, "/linkedin_url").map(|u| normalize_linkedin_url(&u).unwrap_or(u));
    let fields = fields([
        ("apollo_email_status", status.filter(|_| email.is_some())),
        ("apollo_email", email),
        ("apollo_title", text_at(person, "/title")),
        ("apollo_seniority", text_at(person, "/seniority")),
        ("apollo_company", text_at(person, "/organization/name")),
        (
            "apollo_company_domain",
            text_at(person, "/organization/primary_domain"),
        ),
        ("apollo_linkedin_url", linkedin),
        ("apollo_city", text_at(person, "/city")),
        ("apollo_country", text_at(person, "/country")),
    ]);
    if fields.is_empty() {
        return Err(EnrichError::no_data(
            "Apollo's match has none of the columns",
        ));
    }
    Ok(Enriched {
        fields,
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::ErrorKind;

    fn inputs(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_row_needs_an_identifier_and_a_place() {
        let by_url = params(&inputs(&[(
            "linkedin_url",
            "linkedin.com/in/ada-quill-demo",
        )]))
        .unwrap();
        assert_eq!(
            by_url["linkedin_url"],
            "https://www.linkedin.com/in/ada-quill-demo/"
        );
        let by_name = params(&inputs(&[
            ("first_name", "Grace"),
            ("last_name", "Mbeki"),
            ("domain", "https://www.LumenLedger.example/"),
        ]))
        .unwrap();
        assert_eq!(by_name["domain"], "lumenledger.example");
        assert!(params(&inputs(&[("first_name", "Grace"), ("last_name", "Mbeki")])).is_err());
        assert_eq!(
            ApolloPerson.missing(&inputs(&[("company", "Lumen Ledger")])),
            Some(NEEDS.to_string())
        );
    }

    #[test]
    fn answers_become_columns() {
        let answer = serde_json::json!({"person": {"email": "tim@apollo.example", "email_status": "Verified",
            "title": "Founder & CEO", "seniority": "founder", "linkedin_url": "http://www.linkedin.com/in/tim-zheng",
            "city": "San Francisco", "country": "United States",
            "organization": {"name": "Apollo", "primary_domain": "apollo.example"}}});
        let f = parse(&answer).unwrap().fields;
        assert_eq!(f["apollo_email"], "tim@apollo.example");
        assert_eq!(f["apollo_email_status"], "verified");
        assert_eq!(
            f["apollo_linkedin_url"],
            "https://www.linkedin.com/in/tim-zheng/"
        );
        assert_eq!(f["apollo_company_domain"], "apollo.example");
        let locked = serde_json::json!({"person": {"email": "email_not_unlocked@domain.com",
            "email_status": "unavailable", "title": "CTO"}});
        let f = parse(&locked).unwrap().fields;
        assert!(!f.contains_key("apollo_email") && !f.contains_key("apollo_email_status"));
        assert_eq!(
            parse(&serde_json::json!({"person": null}))
                .unwrap_err()
                .kind,
            ErrorKind::NoData
        );
    }
}
