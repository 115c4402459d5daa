//! `normalize_linkedin_url`: one canonical form for LinkedIn profile URLs, computed locally.

use crate::integrations::linkedin_url::{LINKEDIN_URL_INPUT, normalize_linkedin_url};
use crate::integrations::{
    Ctx, EnrichError, Enriched, Fields, IntegrationSpec, OutputKind, OutputSpec, RowEnrich,
};
use crate::providers::{ErrorKind, ProviderId};

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "normalize_linkedin_url",
    description: "LinkedIn profile URL as https://www.linkedin.com/in/<slug>/ (local, free)",
    provider: ProviderId::LOCAL,
    tools: &[],
    inputs: &[LINKEDIN_URL_INPUT],
    outputs: &[OutputSpec {
        name: "linkedin_url_normalized",
        kind: OutputKind::Url,
        description: "Lower-cased profile URL without query, www host, trailing slash",
    }],
    cost_per_row_usd: 0.0,
};

/// The `normalize_linkedin_url` integration.
pub struct NormalizeLinkedinUrl;

impl RowEnrich for NormalizeLinkedinUrl {
    const SPEC: &'static IntegrationSpec = &SPEC;

    async fn run(&self, _ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let raw = inputs.get("linkedin_url").map(String::as_str).unwrap_or("");
        normalize_linkedin_url(raw)
            .map(|url| Enriched {
                fields: Fields::from([("linkedin_url_normalized".to_string(), url)]),
                notes: Vec::new(),
            })
            .ok_or_else(|| {
                EnrichError::new(
                    ErrorKind::Permanent,
                    format!("not a LinkedIn profile URL: {:?}", raw.trim()),
                )
            })
    }
}
