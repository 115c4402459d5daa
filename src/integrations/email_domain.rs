//! `email_domain`: the domain part of an email address, computed locally.

use crate::integrations::{
    Ctx, EnrichError, Enriched, Fields, InputSpec, IntegrationSpec, OutputKind, OutputSpec,
    RowEnrich,
};
use crate::providers::{ErrorKind, ProviderId};

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "email_domain",
    description: "Domain of an email address (local, free)",
    provider: ProviderId::LOCAL,
    tools: &[],
    inputs: &[InputSpec {
        name: "email",
        description: "Email address",
        guesses: &[
            "email",
            "email address",
            "work email",
            "e-mail",
            "mail",
            "business email",
        ],
        required: true,
        allows_constant: false,
    }],
    outputs: &[OutputSpec {
        name: "email_domain",
        kind: OutputKind::Text,
        description: "Lower-cased domain after the @",
    }],
    cost_per_row_usd: 0.0,
};

/// The `email_domain` integration.
pub struct EmailDomain;

impl RowEnrich for EmailDomain {
    const SPEC: &'static IntegrationSpec = &SPEC;

    async fn run(&self, _ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let email = inputs.get("email").map(String::as_str).unwrap_or("");
        email_domain(email)
            .map(|d| Enriched {
                fields: Fields::from([("email_domain".to_string(), d)]),
                notes: Vec::new(),
            })
            .ok_or_else(|| {
                EnrichError::new(
                    ErrorKind::Permanent,
                    format!("not an email address: {:?}", email.trim()),
                )
            })
    }
}

/// The lower-cased domain of `email` (after the last `@`, without `mailto:` or `<>`), if it looks like one.
pub fn email_domain(email: &str) -> Option<String> {
    email_domain_as_written(email).map(str::to_lowercase)
}

/// The domain of `email` as written (not lower-cased), if it looks like one; a slice of the
/// input, so a formula over a million rows need not allocate for it.
pub fn email_domain_as_written(email: &str) -> Option<&str> {
    let email = email.trim().trim_start_matches("mailto:");
    let email = email.trim_start_matches('<').trim_end_matches('>');
    let (local, domain) = email.rsplit_once('@')?;
    let domain = domain.trim().trim_end_matches('.');
    let valid = !local.trim().is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    valid.then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!(
            email_domain("ada@Brightforge.Example"),
            Some("brightforge.example".into())
        );
        assert_eq!(email_domain(" <a.b+c@x.co.uk> "), Some("x.co.uk".into()));
        assert_eq!(email_domain("mailto:ada@x.io"), Some("x.io".into()));
        assert_eq!(email_domain("\"a@b\"@x.io"), Some("x.io".into()));
        for bad in [
            "",
            "ada",
            "ada@",
            "@x.io",
            "ada@localhost",
            "ada@x..io",
            "ada@x y.io",
        ] {
            assert_eq!(email_domain(bad), None, "{bad}");
        }
    }
}
