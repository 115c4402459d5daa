//! `hunter_email`: Hunter's Email Finder (`GET /v2/email-finder`): a person's work address
//! from the company's domain and their first and last name.

use super::lead_inputs::{DOMAIN, FIRST_NAME, LAST_NAME, bare_domain, fields, text_at, value};
use super::{
    Ctx, EnrichError, Enriched, Fields, IntegrationSpec, OutputKind, OutputSpec, RowEnrich,
};
use crate::providers::ProviderId;
use crate::providers::router::HUNTER_EMAIL_FINDER;
use serde_json::{Value, json};

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "hunter_email",
    description: "Hunter email finder: a person's work address and Hunter's confidence score from their name and the company's domain",
    provider: ProviderId::HUNTER,
    tools: &[HUNTER_EMAIL_FINDER],
    inputs: &[DOMAIN, FIRST_NAME, LAST_NAME],
    outputs: &[
        OutputSpec {
            name: "hunter_email",
            kind: OutputKind::Text,
            description: "The address Hunter found",
        },
        OutputSpec {
            name: "hunter_score",
            kind: OutputKind::Integer,
            description: "Hunter's confidence, 0 to 100",
        },
    ],
    cost_per_row_usd: 0.025,
};

/// The `hunter_email` integration.
pub struct HunterEmail;

fn params(inputs: &Fields) -> Option<Value> {
    let domain = bare_domain(value(inputs, "domain")?);
    let (first, last) = (value(inputs, "first_name")?, value(inputs, "last_name")?);
    (!domain.is_empty()).then(|| json!({"domain": domain, "first_name": first, "last_name": last}))
}

impl RowEnrich for HunterEmail {
    const SPEC: &'static IntegrationSpec = &SPEC;

    fn first_request(&self, inputs: &Fields) -> Option<Value> {
        params(inputs)
    }

    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let Some(params) = params(inputs) else {
            return Err(EnrichError::new(
                crate::providers::ErrorKind::Permanent,
                "not sent: the domain and both names are needed",
            ));
        };
        let data = ctx.call(SPEC.provider, HUNTER_EMAIL_FINDER, params).await?;
        parse(&data)
    }
}

/// Hunter's finder `data` as this integration's outputs.
pub fn parse(data: &Value) -> Result<Enriched, EnrichError> {
    let Some(email) = text_at(data, "/email").filter(|e| e.contains('@')) else {
        return Err(EnrichError::no_data(
            "Hunter found no address for this person",
        ));
    };
    Ok(Enriched {
        fields: fields([
            ("hunter_email", Some(email.to_lowercase())),
            ("hunter_score", text_at(data, "/score")),
        ]),
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::ErrorKind;

    #[test]
    fn found_and_not_found() {
        let f = parse(&json!({"email": "Chiara@Tidewater.example", "score": 88}))
            .unwrap()
            .fields;
        assert_eq!(
            (f["hunter_email"].as_str(), f["hunter_score"].as_str()),
            ("chiara@tidewater.example", "88")
        );
        assert_eq!(
            parse(&json!({"email": null})).unwrap_err().kind,
            ErrorKind::NoData
        );
    }
}
