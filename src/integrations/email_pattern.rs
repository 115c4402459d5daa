//! `email_pattern`: a work address guessed from the pattern the company's addresses follow
//! (Hunter's Domain Search `data.pattern`, such as `{first}.{last}`) and the person's name.
//! A guess: waterfalls verify it before using it.

use super::lead_inputs::{DOMAIN, FIRST_NAME, LAST_NAME, bare_domain, fields, text_at, value};
use super::{
    Ctx, EnrichError, Enriched, Fields, IntegrationSpec, OutputKind, OutputSpec, RowEnrich,
};
use crate::providers::ProviderId;
use crate::providers::router::HUNTER_DOMAIN_SEARCH;
use serde_json::{Value, json};

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "email_pattern",
    description: "A work address guessed from the domain's address pattern (Hunter domain search) and the person's name",
    provider: ProviderId::HUNTER,
    tools: &[HUNTER_DOMAIN_SEARCH],
    inputs: &[DOMAIN, FIRST_NAME, LAST_NAME],
    outputs: &[
        OutputSpec {
            name: "pattern_email",
            kind: OutputKind::Text,
            description: "The guessed address (unverified)",
        },
        OutputSpec {
            name: "email_pattern",
            kind: OutputKind::Text,
            description: "The domain's pattern, e.g. {first}.{last}",
        },
    ],
    cost_per_row_usd: 0.025,
};

/// The `email_pattern` integration.
pub struct EmailPattern;

/// One search per domain, whoever the person: the call is shared by every lead of a company.
fn params(inputs: &Fields) -> Option<Value> {
    let domain = bare_domain(value(inputs, "domain")?);
    (!domain.is_empty()).then(|| json!({"domain": domain, "limit": 1}))
}

impl RowEnrich for EmailPattern {
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
        let domain = params["domain"].as_str().unwrap_or_default().to_string();
        let data = ctx
            .call(SPEC.provider, HUNTER_DOMAIN_SEARCH, params)
            .await?;
        let Some(pattern) = text_at(&data, "/pattern") else {
            return Err(EnrichError::no_data(
                "Hunter knows no address pattern for this domain",
            ));
        };
        let first = value(inputs, "first_name").unwrap_or_default();
        let last = value(inputs, "last_name").unwrap_or_default();
        let Some(email) = apply(&pattern, first, last, &domain) else {
            return Err(EnrichError::no_data(format!(
                "the pattern {pattern} cannot be filled from this name"
            )));
        };
        Ok(Enriched {
            fields: fields([
                ("pattern_email", Some(email)),
                ("email_pattern", Some(pattern)),
            ]),
            notes: Vec::new(),
        })
    }
}

/// `{first}.{last}` for Élin Sørby at `fjordline.example` → `elin.sorby@fjordline.example`.
/// `None` when the pattern needs a part of the name that has no letters, or has a placeholder
/// it does not know.
pub fn apply(pattern: &str, first: &str, last: &str, domain: &str) -> Option<String> {
    let (first, last) = (mail_name(first), mail_name(last));
    let initial = |s: &str| s.chars().next().map(String::from);
    let mut local = pattern.trim().to_lowercase();
    for (token, part) in [
        ("{first}", Some(first.clone())),
        ("{last}", Some(last.clone())),
        ("{f}", initial(&first)),
        ("{l}", initial(&last)),
    ] {
        if local.contains(token) {
            let part = part.filter(|p| !p.is_empty())?;
            local = local.replace(token, &part);
        }
    }
    let usable = !local.is_empty() && !local.contains(['{', '}', '@', ' ']) && !domain.is_empty();
    usable.then(|| format!("{local}@{domain}"))
}

/// A name as addresses write it: lower case, common accents folded, letters and digits only
/// (`Okonkwo-Lind` → `okonkwolind`).
pub fn mail_name(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => Some('a'),
            'æ' => Some('a'),
            'ç' | 'č' | 'ć' => Some('c'),
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => Some('e'),
            'ì' | 'í' | 'î' | 'ï' | 'ī' => Some('i'),
            'ñ' | 'ń' => Some('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => Some('o'),
            'ù' | 'ú' | 'û' | 'ü' | 'ū' => Some('u'),
            'ý' | 'ÿ' => Some('y'),
            'ś' | 'š' | 'ß' => Some('s'),
            'ž' | 'ź' | 'ż' => Some('z'),
            'ł' => Some('l'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_filled_from_names() {
        assert_eq!(
            apply("{first}", "Hiro", "Tanaka", "sakurastack.example").as_deref(),
            Some("hiro@sakurastack.example")
        );
        assert_eq!(
            apply("{first}.{last}", "Elin", "Sørby", "fjordline.example").as_deref(),
            Some("elin.sorby@fjordline.example")
        );
        assert_eq!(
            apply("{f}{last}", "Bram", "Okonkwo-Lind", "n.example").as_deref(),
            Some("bokonkwolind@n.example")
        );
        assert_eq!(apply("{first}{l}", "Ada", "", "b.example"), None);
        assert_eq!(apply("{nickname}", "Ada", "Quill", "b.example"), None);
    }
}
