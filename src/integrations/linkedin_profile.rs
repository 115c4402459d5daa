//! `linkedin_profile`: headline, current company, location and followers of a LinkedIn profile.

use crate::integrations::linkedin_url::{LINKEDIN_URL_INPUT, person_params};
use crate::integrations::{
    Ctx, EnrichError, Enriched, Fields, IntegrationSpec, OutputKind, OutputSpec, RowEnrich,
};
use crate::providers::ProviderId;
use serde_json::Value;

/// The DataGen tool this integration calls.
pub const PROFILE_TOOL: &str = "get_linkedin_person_data";

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "linkedin_profile",
    description: "Headline, current company, location and follower count from a LinkedIn profile",
    provider: ProviderId::DATAGEN,
    tools: &[PROFILE_TOOL],
    inputs: &[LINKEDIN_URL_INPUT],
    outputs: &[
        OutputSpec {
            name: "headline",
            kind: OutputKind::Text,
            description: "Profile headline",
        },
        OutputSpec {
            name: "current_company",
            kind: OutputKind::Text,
            description: "Company of the first (current) position",
        },
        OutputSpec {
            name: "location",
            kind: OutputKind::Text,
            description: "Location shown on the profile",
        },
        OutputSpec {
            name: "follower_count",
            kind: OutputKind::Integer,
            description: "LinkedIn followers",
        },
    ],
    cost_per_row_usd: 0.01,
};

/// The `linkedin_profile` integration.
pub struct LinkedinProfile;

impl RowEnrich for LinkedinProfile {
    const SPEC: &'static IntegrationSpec = &SPEC;

    fn first_request(&self, inputs: &Fields) -> Option<serde_json::Value> {
        person_params(inputs).ok()
    }

    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let params = person_params(inputs)?;
        let result = ctx.call(SPEC.provider, PROFILE_TOOL, params).await?;
        parse(&result)
    }
}

/// Turns a `get_linkedin_person_data` result into this integration's outputs.
pub fn parse(result: &Value) -> Result<Enriched, EnrichError> {
    let person = match result.get("person") {
        Some(p @ Value::Object(_)) => p,
        Some(Value::Null) | None if result.get("firstName").is_some() => result,
        Some(Value::Null) | None => {
            return Err(EnrichError::no_data("the result has no person"));
        }
        Some(_) => return Err(EnrichError::bad_response("person is not an object")),
    };
    let text = |key: &str| {
        person
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let current_company = person
        .pointer("/positions/positionHistory/0/companyName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let followers = ["followerCount", "followersCount"]
        .iter()
        .find_map(|k| person.get(k).and_then(as_count));
    let mut fields = Fields::new();
    let outputs = [
        ("headline", text("headline")),
        ("current_company", current_company),
        ("location", text("location")),
        ("follower_count", followers.map(|n| n.to_string())),
    ];
    for (name, value) in outputs {
        if let Some(v) = value {
            fields.insert(name.to_string(), v);
        }
    }
    Ok(Enriched {
        fields,
        notes: Vec::new(),
    })
}

/// A count that may arrive as a number, a float or a string like "48,210".
fn as_count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f.round() as u64)),
        Value::String(s) => s.trim().replace([',', '_', ' '], "").parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::ErrorKind;
    use serde_json::json;

    fn get<'a>(e: &'a Enriched, k: &str) -> Option<&'a str> {
        e.fields.get(k).map(String::as_str)
    }

    #[test]
    fn full_profile() {
        let result = json!({"person": {
            "firstName": "Ada", "lastName": "Quill", "headline": "CEO at Brightforge Labs ",
            "location": "London, United Kingdom", "followerCount": 48210,
            "positions": {"positionsCount": 2, "positionHistory": [
                {"title": "CEO", "companyName": "Brightforge Labs",
                 "startEndDate": {"start": {"month": 3, "year": 2021}, "end": null}},
                {"title": "CTO", "companyName": "Older Co"}]},
            "skills": ["x"], "unknownField": {"a": 1}}});
        let e = parse(&result).unwrap();
        assert_eq!(get(&e, "headline"), Some("CEO at Brightforge Labs"));
        assert_eq!(get(&e, "current_company"), Some("Brightforge Labs"));
        assert_eq!(get(&e, "location"), Some("London, United Kingdom"));
        assert_eq!(get(&e, "follower_count"), Some("48210"));
    }

    #[test]
    fn missing_fields_stay_empty() {
        let e =
            parse(&json!({"person": {"firstName": "Farid", "positions": {"positionHistory": []}}}))
                .unwrap();
        assert!(e.fields.is_empty());
    }

    #[test]
    fn odd_follower_counts() {
        for (v, want) in [
            (json!("48,210"), Some("48210")),
            (json!(7815.0), Some("7815")),
            (json!("many"), None),
            (json!(-3), None),
        ] {
            let e = parse(&json!({"person": {"followerCount": v}})).unwrap();
            assert_eq!(get(&e, "follower_count"), want);
        }
    }

    #[test]
    fn bare_person_object_is_accepted() {
        let e = parse(&json!({"firstName": "Ada", "headline": "h"})).unwrap();
        assert_eq!(get(&e, "headline"), Some("h"));
    }

    #[test]
    fn no_person_is_no_data() {
        assert_eq!(parse(&json!({})).unwrap_err().kind, ErrorKind::NoData);
        assert_eq!(
            parse(&json!({"person": null})).unwrap_err().kind,
            ErrorKind::NoData
        );
        assert_eq!(
            parse(&json!({"person": "x"})).unwrap_err().kind,
            ErrorKind::Permanent
        );
    }
}
