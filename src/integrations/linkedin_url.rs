//! The `linkedin_url` input LinkedIn integrations share, and their tool parameters in the
//! canonical URL form (see [`crate::providers::linkedin_url`]).

use crate::integrations::{EnrichError, Fields, InputSpec};
pub use crate::providers::linkedin_url::{normalize_linkedin_url, profile_slug};

/// The `linkedin_url` input every LinkedIn integration takes, with the column names it is guessed from.
pub const LINKEDIN_URL_INPUT: InputSpec = InputSpec {
    name: "linkedin_url",
    description: "LinkedIn profile URL of the person",
    guesses: &[
        "linkedin_url",
        "linkedin",
        "LinkedIn Profile",
        "linkedin profile url",
        "linkedin url",
        "profile_url",
        "person linkedin url",
        "linkedin_url_normalized",
    ],
    required: true,
    allows_constant: false,
};

/// The tool parameters `{"linkedin_url": <normalized>}` for a row; normalizing makes equal
/// profiles share one call and one cache entry.
pub fn person_params(inputs: &Fields) -> Result<serde_json::Value, EnrichError> {
    Ok(serde_json::json!({ "linkedin_url": input_url(inputs)? }))
}

/// The row's `linkedin_url` input in canonical form; a permanent error when it is not a profile URL.
pub fn input_url(inputs: &Fields) -> Result<String, EnrichError> {
    let raw = inputs
        .get(LINKEDIN_URL_INPUT.name)
        .map(String::as_str)
        .unwrap_or("");
    normalize_linkedin_url(raw).ok_or_else(|| {
        EnrichError::new(
            crate::providers::ErrorKind::Permanent,
            format!("not a LinkedIn profile URL: {:?}", raw.trim()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_use_the_normalized_url() {
        let inputs = Fields::from([(
            "linkedin_url".to_string(),
            "linkedin.com/in/Ada".to_string(),
        )]);
        assert_eq!(
            person_params(&inputs).unwrap(),
            serde_json::json!({"linkedin_url": "https://www.linkedin.com/in/ada/"})
        );
        let bad = Fields::from([("linkedin_url".to_string(), "n/a".to_string())]);
        assert_eq!(
            person_params(&bad).unwrap_err().kind,
            crate::providers::ErrorKind::Permanent
        );
    }
}
