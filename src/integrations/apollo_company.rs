//! `apollo_company`: Apollo's Organization Enrichment (`GET /api/v1/organizations/enrich`) by
//! domain. It replaces Clearbit's company enrichment, which new users can no longer get
//! (see `docs/PROVIDERS.md`).

use super::lead_inputs::{DOMAIN, bare_domain, fields, text_at, value};
use super::linkedin_url::normalize_linkedin_url;
use super::{
    Ctx, EnrichError, Enriched, Fields, IntegrationSpec, OutputKind, OutputSpec, RowEnrich,
};
use crate::providers::ProviderId;
use crate::providers::router::APOLLO_ORGANIZATION_ENRICH;
use serde_json::{Value, json};

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "apollo_company",
    description: "Apollo organization enrich: name, LinkedIn page, industry, employees, founding year, country (replaces Clearbit)",
    provider: ProviderId::APOLLO,
    tools: &[APOLLO_ORGANIZATION_ENRICH],
    inputs: &[DOMAIN],
    outputs: &[
        OutputSpec {
            name: "company_name",
            kind: OutputKind::Text,
            description: "The company's name",
        },
        OutputSpec {
            name: "company_linkedin_url",
            kind: OutputKind::Url,
            description: "The company's LinkedIn page",
        },
        OutputSpec {
            name: "company_industry",
            kind: OutputKind::Text,
            description: "Industry, lower case",
        },
        OutputSpec {
            name: "company_employees",
            kind: OutputKind::Integer,
            description: "Estimated number of employees",
        },
        OutputSpec {
            name: "company_founded_year",
            kind: OutputKind::Integer,
            description: "Year founded",
        },
        OutputSpec {
            name: "company_country",
            kind: OutputKind::Text,
            description: "Country of the headquarters",
        },
    ],
    cost_per_row_usd: 0.03,
};

/// The `apollo_company` integration.
pub struct ApolloCompany;

fn params(inputs: &Fields) -> Option<Value> {
    let domain = bare_domain(value(inputs, "domain")?);
    (!domain.is_empty()).then(|| json!({ "domain": domain }))
}

impl RowEnrich for ApolloCompany {
    const SPEC: &'static IntegrationSpec = &SPEC;

    fn first_request(&self, inputs: &Fields) -> Option<Value> {
        params(inputs)
    }

    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let Some(params) = params(inputs) else {
            return Err(EnrichError::new(
                crate::providers::ErrorKind::Permanent,
                "not sent: the domain is empty",
            ));
        };
        let answer = ctx
            .call(SPEC.provider, APOLLO_ORGANIZATION_ENRICH, params)
            .await?;
        parse(&answer)
    }
}

/// An Apollo organization answer as this integration's outputs. Apollo writes LinkedIn pages
/// as `http://www.linkedin.com/company/slug`; they are written `https://…/company/slug/`.
pub fn parse(answer: &Value) -> Result<Enriched, EnrichError> {
    let Some(org) = answer.get("organization").filter(|o| o.is_object()) else {
        return Err(EnrichError::no_data(
            "Apollo knows no organization at this domain",
        ));
    };
    let linkedin = text_at(org, "/linkedin_url").map(|u| company_page(&u));
    let whole = |p: &str| {
        org.pointer(p)
            .and_then(|v| v.as_f64().or_else(|| v.as_str()?.trim().parse().ok()))
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(|n| (n.round() as u64).to_string())
    };
    let fields = fields([
        ("company_name", text_at(org, "/name")),
        ("company_linkedin_url", linkedin),
        (
            "company_industry",
            text_at(org, "/industry").map(|s| s.to_lowercase()),
        ),
        ("company_employees", whole("/estimated_num_employees")),
        ("company_founded_year", whole("/founded_year")),
        ("company_country", text_at(org, "/country")),
    ]);
    if fields.is_empty() {
        return Err(EnrichError::no_data(
            "Apollo's organization has none of the columns",
        ));
    }
    Ok(Enriched {
        fields,
        notes: Vec::new(),
    })
}

/// A LinkedIn page URL in one form: `https://www.linkedin.com/company/slug/`.
pub fn company_page(raw: &str) -> String {
    let trimmed = raw.trim();
    match trimmed.split_once("linkedin.com/") {
        Some((_, path)) => {
            let path = path
                .split(['?', '#'])
                .next()
                .unwrap_or("")
                .trim_end_matches('/');
            format!("https://www.linkedin.com/{path}/")
        }
        None => normalize_linkedin_url(trimmed).unwrap_or_else(|| trimmed.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::ErrorKind;

    #[test]
    fn organizations_become_columns() {
        let answer = json!({"organization": {"name": "Kitecraft", "linkedin_url": "http://www.linkedin.com/company/kitecraft-demo",
            "industry": "Computer Software", "estimated_num_employees": 48, "founded_year": 2019, "country": "India"}});
        let f = parse(&answer).unwrap().fields;
        assert_eq!(
            f["company_linkedin_url"],
            "https://www.linkedin.com/company/kitecraft-demo/"
        );
        assert_eq!(f["company_industry"], "computer software");
        assert_eq!(f["company_employees"], "48");
        assert_eq!(f["company_founded_year"], "2019");
        for none in [json!({}), json!({"organization": null})] {
            assert_eq!(parse(&none).unwrap_err().kind, ErrorKind::NoData);
        }
    }
}
