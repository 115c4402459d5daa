//! The inputs the person and company integrations share (Apollo, Hunter, the email pattern),
//! with the same names and guesses, so a waterfall over them maps each column once.

use super::{Fields, InputSpec};

/// An input of these integrations, optional unless `required`.
const fn input(
    name: &'static str,
    description: &'static str,
    guesses: &'static [&'static str],
    required: bool,
) -> InputSpec {
    InputSpec {
        name,
        description,
        guesses,
        required,
        allows_constant: false,
    }
}

const FIRST_NAME_GUESSES: &[&str] = &["first_name", "first name", "firstname", "given_name"];
const LAST_NAME_GUESSES: &[&str] = &[
    "last_name",
    "last name",
    "lastname",
    "surname",
    "family_name",
];
const DOMAIN_GUESSES: &[&str] = &[
    "domain",
    "website",
    "company_domain",
    "company_website",
    "url",
];

/// The person's first name.
pub const FIRST_NAME: InputSpec = input(
    "first_name",
    "The person's first name",
    FIRST_NAME_GUESSES,
    true,
);
/// The person's last name.
pub const LAST_NAME: InputSpec = input(
    "last_name",
    "The person's last name",
    LAST_NAME_GUESSES,
    true,
);
/// The company's website domain.
pub const DOMAIN: InputSpec = input(
    "domain",
    "The company's website domain",
    DOMAIN_GUESSES,
    true,
);
/// The first name, when other inputs can stand in for it.
pub const FIRST_NAME_OPTIONAL: InputSpec = input(
    "first_name",
    "The person's first name",
    FIRST_NAME_GUESSES,
    false,
);
/// The last name, when other inputs can stand in for it.
pub const LAST_NAME_OPTIONAL: InputSpec = input(
    "last_name",
    "The person's last name",
    LAST_NAME_GUESSES,
    false,
);
/// The domain, when other inputs can stand in for it.
pub const DOMAIN_OPTIONAL: InputSpec = input(
    "domain",
    "The company's website domain",
    DOMAIN_GUESSES,
    false,
);
/// The company's name.
pub const COMPANY_OPTIONAL: InputSpec = input(
    "company",
    "The company's name",
    &[
        "company",
        "company_name",
        "organization",
        "account",
        "account_name",
    ],
    false,
);
/// A known address of the person.
pub const EMAIL_OPTIONAL: InputSpec = input(
    "email",
    "A known email address of the person",
    &["email", "email_address", "work_email"],
    false,
);
/// The person's LinkedIn profile.
pub const LINKEDIN_URL_OPTIONAL: InputSpec = input(
    "linkedin_url",
    "LinkedIn profile URL of the person",
    super::linkedin_url::LINKEDIN_URL_INPUT.guesses,
    false,
);

/// An input's trimmed value, when it has one.
pub fn value<'a>(inputs: &'a Fields, name: &str) -> Option<&'a str> {
    inputs.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// `https://www.Example.com/about` → `example.com`: what Apollo and Hunter take as a domain.
pub fn bare_domain(raw: &str) -> String {
    let lower = raw.trim().to_ascii_lowercase();
    let no_scheme = lower.split("://").last().unwrap_or("");
    let host = no_scheme.split(['/', '?', '#']).next().unwrap_or("");
    host.trim_start_matches("www.")
        .trim_start_matches('@')
        .to_string()
}

/// The first string at `pointer` in `json`, trimmed, when it is not empty.
pub fn text_at(json: &serde_json::Value, pointer: &str) -> Option<String> {
    match json.pointer(pointer)? {
        serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Fields from (name, value) pairs, leaving out the values that are missing.
pub fn fields(pairs: impl IntoIterator<Item = (&'static str, Option<String>)>) -> Fields {
    pairs
        .into_iter()
        .filter_map(|(k, v)| Some((k.to_string(), v?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_bare() {
        assert_eq!(
            bare_domain("https://www.Kitecraft.example/team"),
            "kitecraft.example"
        );
        assert_eq!(bare_domain("@lumenledger.example"), "lumenledger.example");
        assert_eq!(bare_domain(" "), "");
    }
}
