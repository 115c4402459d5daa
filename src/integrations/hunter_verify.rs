//! `hunter_verify`: Hunter's Email Verifier (`GET /v2/email-verifier`): whether an address
//! receives mail. Waterfalls use it to validate the addresses their steps find.

use super::lead_inputs::{fields, text_at, value};
use super::{
    Ctx, EnrichError, Enriched, Fields, InputSpec, IntegrationSpec, OutputKind, OutputSpec,
    RowEnrich,
};
use crate::providers::hunter::VERIFY_STATUSES;
use crate::providers::router::HUNTER_EMAIL_VERIFIER;
use crate::providers::{ErrorKind, ProviderId};
use serde_json::{Value, json};

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "hunter_verify",
    description: "Hunter email verifier: valid, invalid, accept_all, webmail, disposable or unknown, with a score",
    provider: ProviderId::HUNTER,
    tools: &[HUNTER_EMAIL_VERIFIER],
    inputs: &[InputSpec {
        name: "email",
        description: "The address to verify",
        guesses: &["email", "email_address", "work_email"],
        required: true,
        allows_constant: false,
    }],
    outputs: &[
        OutputSpec {
            name: "email_status",
            kind: OutputKind::Enum(&VERIFY_STATUSES),
            description: "valid: receives mail; accept_all: the server accepts any address, so none can be proven",
        },
        OutputSpec {
            name: "email_score",
            kind: OutputKind::Integer,
            description: "Hunter's deliverability score, 0 to 100",
        },
    ],
    cost_per_row_usd: 0.0125,
};

/// The `hunter_verify` integration.
pub struct HunterVerify;

/// The verifier's parameters for an address (lower-cased: the same address is one call).
pub fn params(email: &str) -> Value {
    json!({ "email": email.trim().to_lowercase() })
}

impl RowEnrich for HunterVerify {
    const SPEC: &'static IntegrationSpec = &SPEC;

    fn first_request(&self, inputs: &Fields) -> Option<Value> {
        value(inputs, "email").map(params)
    }

    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let email = value(inputs, "email").unwrap_or_default();
        if !super::waterfall::validate::is_email(email) {
            return Err(EnrichError::new(
                ErrorKind::Permanent,
                format!("not sent: {email:?} is not an email address"),
            ));
        }
        let data = ctx
            .call(SPEC.provider, HUNTER_EMAIL_VERIFIER, params(email))
            .await?;
        parse(&data)
    }
}

/// Hunter's verifier `data` as this integration's outputs.
pub fn parse(data: &Value) -> Result<Enriched, EnrichError> {
    let status = text_at(data, "/status")
        .map(|s| s.to_lowercase())
        .filter(|s| VERIFY_STATUSES.contains(&s.as_str()));
    let Some(status) = status else {
        return Err(EnrichError::bad_response(
            "Hunter's verification has no known status",
        ));
    };
    Ok(Enriched {
        fields: fields([
            ("email_status", Some(status)),
            ("email_score", text_at(data, "/score")),
        ]),
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_hunters_words() {
        let f = parse(&json!({"status": "accept_all", "score": 72}))
            .unwrap()
            .fields;
        assert_eq!(f["email_status"], "accept_all");
        assert!(parse(&json!({"status": "maybe"})).is_err());
    }
}
