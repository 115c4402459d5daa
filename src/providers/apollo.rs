//! Apollo's People Enrichment (`POST /api/v1/people/match`) and Organization Enrichment
//! (`GET /api/v1/organizations/enrich`). Pure functions: the transport sends and adds the key.
//!
//! A successful answer is Apollo's body as is: `{"person": {…}}` or `{"organization": {…}}`.
//! "No match" is a 200 too (`{"person": null}`, or an organization-less body): that is NoData.

use super::wire::{
    self, HttpRequest, KeyPlacement, Method, ProviderWire, failure, not_json, status_error,
    unexpected, with_query,
};
use super::{CallError, ErrorKind};
use serde_json::Value;

/// Where Apollo lives, its environment variables and its key header.
pub const WIRE: ProviderWire = ProviderWire {
    name: "Apollo",
    default_base_url: "https://api.apollo.io",
    base_url_env: "APOLLO_BASE_URL",
    api_key_env: "APOLLO_API_KEY",
    key: KeyPlacement::Header {
        name: "x-api-key",
        prefix: "",
    },
};

/// People Enrichment: one person from whatever identifies them.
pub const PEOPLE_MATCH_PATH: &str = "/api/v1/people/match";

/// Organization Enrichment: one company by domain.
pub const ORGANIZATION_ENRICH_PATH: &str = "/api/v1/organizations/enrich";

/// People match from `{linkedin_url?, email?, first_name?, last_name?, name?, organization_name?,
/// domain?}`: needs a LinkedIn URL, an email, or a name with a company name or domain (a bare
/// name matches nobody and would still be a call). Parameters go in the query string, as
/// Apollo documents them; personal emails and phones are never requested (they cost more).
pub fn person_match_request(params: &Value) -> Result<HttpRequest, CallError> {
    let get = |k: &str| wire::text(params, k).unwrap_or("");
    let domain = bare_domain(get("domain"));
    let named =
        !get("name").is_empty() || (!get("first_name").is_empty() && !get("last_name").is_empty());
    let placed = !domain.is_empty() || !get("organization_name").is_empty();
    if get("linkedin_url").is_empty() && get("email").is_empty() && !(named && placed) {
        return Err(wire::bad_params(
            WIRE.name,
            "people match needs linkedin_url, email, or a name with organization_name or domain",
        ));
    }
    let path = with_query(
        PEOPLE_MATCH_PATH,
        &[
            ("linkedin_url", get("linkedin_url")),
            ("email", get("email")),
            ("first_name", get("first_name")),
            ("last_name", get("last_name")),
            ("name", get("name")),
            ("organization_name", get("organization_name")),
            ("domain", &domain),
        ],
    );
    Ok(HttpRequest {
        method: Method::Post,
        path_and_query: path,
        headers: vec![("accept".to_string(), "application/json".to_string())],
        body: None,
    })
}

/// Organization enrich from `{domain}` (a URL or `www.` is reduced to the bare domain, as Apollo asks).
pub fn organization_enrich_request(params: &Value) -> Result<HttpRequest, CallError> {
    let domain = bare_domain(wire::text(params, "domain").unwrap_or(""));
    if domain.is_empty() {
        return Err(wire::bad_params(
            WIRE.name,
            "organization enrich needs a domain",
        ));
    }
    Ok(HttpRequest {
        method: Method::Get,
        path_and_query: with_query(ORGANIZATION_ENRICH_PATH, &[("domain", &domain)]),
        headers: vec![("accept".to_string(), "application/json".to_string())],
        body: None,
    })
}

/// `https://www.Example.com/about` → `example.com`.
fn bare_domain(raw: &str) -> String {
    let lower = raw.trim().to_ascii_lowercase();
    let no_scheme = lower.split("://").last().unwrap_or("");
    let host = no_scheme.split(['/', '?', '#']).next().unwrap_or("");
    host.trim_start_matches("www.")
        .trim_start_matches('@')
        .to_string()
}

/// Classifies a response of either endpoint: the body when it holds a person or an
/// organization, NoData when Apollo matched nothing, else why it failed.
pub fn classify(status: u16, retry_after: Option<&str>, body: &str) -> Result<Value, CallError> {
    let json = serde_json::from_str::<Value>(body).ok();
    if !(200..300).contains(&status) {
        return Err(error_of(status, retry_after, json.as_ref(), body));
    }
    let json = json.ok_or_else(|| not_json(&WIRE, status, body))?;
    let Some(top) = json.as_object() else {
        return Err(unexpected(&WIRE, status, "the body is not a JSON object"));
    };
    let found = |key: &str| match top.get(key) {
        Some(Value::Object(o)) => Some(!o.is_empty()),
        Some(Value::Null) => Some(false),
        _ => None,
    };
    match (found("person"), found("organization")) {
        (Some(true), _) | (None, Some(true)) => Ok(json),
        _ => Err(failure(
            ErrorKind::NoData,
            "Apollo has no match".to_string(),
            status,
            None,
        )),
    }
}

/// Apollo's errors: 401 is plain text ("Invalid access credentials."), others
/// `{"error", "error_code"}` or, for rate limits, `{"message"}`.
fn error_of(status: u16, retry_after: Option<&str>, json: Option<&Value>, body: &str) -> CallError {
    let field = |k: &str| json.and_then(|j| j.get(k)).and_then(Value::as_str);
    let message = field("error")
        .or_else(|| field("message"))
        .map(str::to_string)
        .or_else(|| (!body.trim().is_empty()).then(|| wire::snippet(body)));
    if status == 403 && field("error_code") == Some("API_INACCESSIBLE") {
        return failure(
            ErrorKind::Auth,
            format!(
                "this Apollo endpoint is not in your plan (HTTP 403; free plans have no API access): {}",
                wire::cut(message.as_deref().unwrap_or(""), wire::MAX_MESSAGE)
            ),
            status,
            retry_after,
        );
    }
    status_error(status, retry_after, message.as_deref(), &WIRE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn person_match_by_any_identifier() {
        let r = person_match_request(
            &json!({"linkedin_url": "https://www.linkedin.com/in/ada-quill-demo/"}),
        )
        .unwrap();
        assert_eq!(r.method, Method::Post);
        assert_eq!(
            r.path_and_query,
            "/api/v1/people/match?linkedin_url=https%3A%2F%2Fwww.linkedin.com%2Fin%2Fada-quill-demo%2F"
        );
        let r = person_match_request(&json!({"first_name": "Grace", "last_name": "Mbeki",
            "domain": "https://www.LumenLedger.example/"}))
        .unwrap();
        assert_eq!(
            r.path_and_query,
            "/api/v1/people/match?first_name=Grace&last_name=Mbeki&domain=lumenledger.example"
        );
        assert!(person_match_request(&json!({"email": "ada@brightforge.example"})).is_ok());
        assert!(
            person_match_request(
                &json!({"name": "Ada Quill", "organization_name": "Brightforge Labs"})
            )
            .is_ok()
        );
        for bad in [
            json!({}),
            json!({"first_name": "Ada", "last_name": "Quill"}),
            json!({"domain": "x.example"}),
        ] {
            assert_eq!(
                person_match_request(&bad).unwrap_err().kind,
                ErrorKind::Permanent
            );
        }
    }

    #[test]
    fn organization_enrich_by_domain() {
        let r =
            organization_enrich_request(&json!({"domain": "http://www.kitecraft.example/team"}))
                .unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            (
                Method::Get,
                "/api/v1/organizations/enrich?domain=kitecraft.example"
            )
        );
        assert!(organization_enrich_request(&json!({"domain": " "})).is_err());
    }

    // Trimmed from the example in Apollo's People Enrichment reference.
    const PERSON: &str = r#"{"person": {"id": "64a7ff0cc4dfae00013df1a5", "first_name": "Tim",
      "last_name": "Zheng", "name": "Tim Zheng", "linkedin_url": "http://www.linkedin.com/in/tim-zheng-677ba010",
      "title": "Founder & CEO", "email_status": "verified", "email": "tim@apollo.io",
      "city": "San Francisco", "state": "California", "country": "United States", "seniority": "founder",
      "organization": {"id": "5e66b6381e05b4008c8331b8", "name": "Apollo.io", "primary_domain": "apollo.io",
        "linkedin_url": "http://www.linkedin.com/company/apolloio", "industry": "information technology & services",
        "estimated_num_employees": 1600, "founded_year": 2015, "country": "United States"}}}"#;

    #[test]
    fn matches_and_no_matches() {
        let v = classify(200, None, PERSON).unwrap();
        assert_eq!(v["person"]["email"], "tim@apollo.io");
        assert_eq!(
            classify(200, None, r#"{"person": null}"#).unwrap_err().kind,
            ErrorKind::NoData
        );
        let org = r#"{"organization": {"name": "Apollo.io", "estimated_num_employees": 1600}}"#;
        assert_eq!(
            classify(200, None, org).unwrap()["organization"]["name"],
            "Apollo.io"
        );
        for none in ["{}", r#"{"organization": {}}"#, r#"{"organization": null}"#] {
            assert_eq!(
                classify(200, None, none).unwrap_err().kind,
                ErrorKind::NoData,
                "{none}"
            );
        }
        assert_eq!(
            classify(200, None, "[]").unwrap_err().kind,
            ErrorKind::Permanent
        );
        assert_eq!(
            classify(200, None, "<html>").unwrap_err().kind,
            ErrorKind::Transient
        );
    }

    #[test]
    fn errors_as_apollo_sends_them() {
        let e = classify(401, None, "Invalid access credentials.").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(
            e.message.contains("Invalid access credentials.")
                && e.message.contains("APOLLO_API_KEY")
        );
        let e = classify(403, None, r#"{"error": "api/v1/people/match is not accessible with this api_key on a free plan.", "error_code": "API_INACCESSIBLE"}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.message.contains("not in your plan"));
        let e = classify(429, Some("1"), r#"{"message": "The maximum number of api calls allowed for api/v1/people/match is 600 times per hour. Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade."}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert!(e.message.contains("600 times per hour"));
        assert_eq!(
            classify(422, None, r#"{"error": "invalid domain"}"#)
                .unwrap_err()
                .kind,
            ErrorKind::Permanent
        );
        assert_eq!(
            classify(503, None, "").unwrap_err().kind,
            ErrorKind::Transient
        );
    }
}
