//! Hunter's Email Finder, Email Verifier and Domain Search (`GET /v2/…`). Pure functions: the
//! transport sends and adds the key (as the `X-API-KEY` header, so it never sits in a URL).
//!
//! A successful answer is Hunter's `data` object. Hunter's status codes differ from the usual:
//! 403 means *rate limited* and 429 means the plan's monthly credits are used up.

use super::wire::{
    self, HttpRequest, KeyPlacement, Method, ProviderWire, failure, not_json, status_error,
    unexpected, with_query,
};
use super::{CallError, ErrorKind};
use serde_json::Value;

/// Where Hunter lives, its environment variables and its key header.
pub const WIRE: ProviderWire = ProviderWire {
    name: "Hunter",
    default_base_url: "https://api.hunter.io",
    base_url_env: "HUNTER_BASE_URL",
    api_key_env: "HUNTER_API_KEY",
    key: KeyPlacement::Header {
        name: "x-api-key",
        prefix: "",
    },
};

/// Email Finder: a person's address from a domain and a name.
pub const EMAIL_FINDER_PATH: &str = "/v2/email-finder";

/// Email Verifier: whether an address receives mail.
pub const EMAIL_VERIFIER_PATH: &str = "/v2/email-verifier";

/// Domain Search: the addresses and the address pattern of a domain.
pub const DOMAIN_SEARCH_PATH: &str = "/v2/domain-search";

/// The statuses the Email Verifier answers, as `data.status`.
pub const VERIFY_STATUSES: [&str; 6] = [
    "valid",
    "invalid",
    "accept_all",
    "webmail",
    "disposable",
    "unknown",
];

fn get_request(path: String) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        path_and_query: path,
        headers: vec![("accept".to_string(), "application/json".to_string())],
        body: None,
    }
}

/// Email Finder from `{domain, first_name, last_name}` (or `full_name` instead of the two names).
pub fn email_finder_request(params: &Value) -> Result<HttpRequest, CallError> {
    let get = |k: &str| wire::text(params, k).unwrap_or("");
    let named = !get("full_name").is_empty()
        || (!get("first_name").is_empty() && !get("last_name").is_empty());
    if get("domain").is_empty() || !named {
        return Err(wire::bad_params(
            WIRE.name,
            "email finder needs a domain and a first and last name (or full_name)",
        ));
    }
    Ok(get_request(with_query(
        EMAIL_FINDER_PATH,
        &[
            ("domain", get("domain")),
            ("first_name", get("first_name")),
            ("last_name", get("last_name")),
            ("full_name", get("full_name")),
        ],
    )))
}

/// Email Verifier from `{email}`.
pub fn email_verifier_request(params: &Value) -> Result<HttpRequest, CallError> {
    let email = wire::text(params, "email").unwrap_or("");
    if !email.contains('@') {
        return Err(wire::bad_params(
            WIRE.name,
            "email verifier needs an email address",
        ));
    }
    Ok(get_request(with_query(
        EMAIL_VERIFIER_PATH,
        &[("email", email)],
    )))
}

/// Domain Search from `{domain, limit?}`; waterfalls use it for `data.pattern` only, so the
/// default limit is 1 address.
pub fn domain_search_request(params: &Value) -> Result<HttpRequest, CallError> {
    let domain = wire::text(params, "domain").unwrap_or("");
    if domain.is_empty() {
        return Err(wire::bad_params(WIRE.name, "domain search needs a domain"));
    }
    let limit = params
        .get("limit")
        .and_then(Value::as_u64)
        .unwrap_or(1)
        .to_string();
    Ok(get_request(with_query(
        DOMAIN_SEARCH_PATH,
        &[("domain", domain), ("limit", &limit)],
    )))
}

/// Classifies a response of any of the three endpoints: `data` on success; NoData when the
/// finder found no address or a domain search knows nothing; else why it failed.
pub fn classify(status: u16, retry_after: Option<&str>, body: &str) -> Result<Value, CallError> {
    let json = serde_json::from_str::<Value>(body).ok();
    match status {
        // 202: verification still running, 222: the mail server answered oddly; both say "retry later".
        202 | 222 => {
            return Err(failure(
                ErrorKind::Transient,
                format!("Hunter could not finish the verification yet (HTTP {status})"),
                status,
                retry_after,
            ));
        }
        200..=299 => {}
        _ => return Err(error_of(status, retry_after, json.as_ref(), body)),
    }
    let json = json.ok_or_else(|| not_json(&WIRE, status, body))?;
    let Some(data) = json.get("data").filter(|d| d.is_object()) else {
        return Err(unexpected(&WIRE, status, "no data object"));
    };
    let no_data = |why: &str| Err(failure(ErrorKind::NoData, why.to_string(), status, None));
    // The finder answers `email: null` when it found nobody; the verifier always has an email.
    if data.get("email").is_some_and(Value::is_null) {
        return no_data("Hunter found no address for this person");
    }
    let empty_search = data.get("pattern").is_some_and(Value::is_null)
        && data
            .get("emails")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty);
    if empty_search {
        return no_data("Hunter knows no address or pattern for this domain");
    }
    Ok(data.clone())
}

/// Hunter's `{"errors": [{"id", "code", "details"}]}`, classified by Hunter's own status meanings.
fn error_of(status: u16, retry_after: Option<&str>, json: Option<&Value>, body: &str) -> CallError {
    let first = json
        .and_then(|j| j.get("errors"))
        .and_then(Value::as_array)
        .and_then(|e| e.first());
    let message = first
        .and_then(|e| e.get("details"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| (!body.trim().is_empty()).then(|| wire::snippet(body)));
    let detail = wire::cut(
        message.as_deref().unwrap_or("no message"),
        wire::MAX_MESSAGE,
    );
    match status {
        403 => failure(
            ErrorKind::RateLimited,
            format!("Hunter rate limit (HTTP 403): {detail}"),
            status,
            retry_after,
        ),
        // The month's credits are gone: every further call fails, so stop like a refused key.
        429 => failure(
            ErrorKind::Auth,
            format!(
                "Hunter usage limit reached (HTTP 429): {detail}; the plan's credits are used up"
            ),
            status,
            retry_after,
        ),
        // The person asked Hunter to stop showing their address.
        451 => failure(
            ErrorKind::NoData,
            format!("Hunter may not show this address (HTTP 451): {detail}"),
            status,
            None,
        ),
        _ => status_error(status, retry_after, message.as_deref(), &WIRE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    #[test]
    fn requests_put_parameters_in_the_query_and_never_the_key() {
        let r = email_finder_request(&json!({"domain": "tidewater.example", "first_name": "Chiara", "last_name": "Vellacott"})).unwrap();
        assert_eq!(
            r.path_and_query,
            "/v2/email-finder?domain=tidewater.example&first_name=Chiara&last_name=Vellacott"
        );
        assert!(!r.path_and_query.contains("api_key"));
        assert!(email_finder_request(&json!({"domain": "x.example", "first_name": "A"})).is_err());
        let r = email_verifier_request(&json!({"email": "ada@brightforge.example"})).unwrap();
        assert_eq!(
            r.path_and_query,
            "/v2/email-verifier?email=ada%40brightforge.example"
        );
        assert!(email_verifier_request(&json!({"email": "nope"})).is_err());
        let r = domain_search_request(&json!({"domain": "kitecraft.example"})).unwrap();
        assert_eq!(
            r.path_and_query,
            "/v2/domain-search?domain=kitecraft.example&limit=1"
        );
    }

    // Shaped like the examples in Hunter's API documentation (v2).
    const FOUND: &str = r#"{"data": {"first_name": "Alexis", "last_name": "Ohanian", "email": "alexis@reddit.com",
      "score": 97, "domain": "reddit.com", "accept_all": false, "position": "Cofounder",
      "twitter": null, "linkedin_url": null, "phone_number": null, "company": "Reddit",
      "sources": [{"domain": "redditblog.com", "uri": "http://redditblog.com/2009/08/25/test",
                   "extracted_on": "2015-07-29", "last_seen_on": "2017-07-01", "still_on_page": true}],
      "verification": {"date": "2019-12-06", "status": "valid"}},
      "meta": {"params": {"first_name": "Alexis", "last_name": "Ohanian", "full_name": null,
               "domain": "reddit.com", "company": null, "max_duration": null}}}"#;

    #[test]
    fn finder_answers() {
        let d = classify(200, None, FOUND).unwrap();
        assert_eq!(
            (d["email"].as_str(), d["score"].as_u64()),
            (Some("alexis@reddit.com"), Some(97))
        );
        let none = r#"{"data": {"first_name": "A", "last_name": "B", "email": null, "score": null, "domain": "x.example"}, "meta": {}}"#;
        assert_eq!(
            classify(200, None, none).unwrap_err().kind,
            ErrorKind::NoData
        );
    }

    #[test]
    fn verifier_and_domain_search_answers() {
        let v = r#"{"data": {"status": "accept_all", "result": "risky", "score": 70, "email": "elin@fjordline.example",
          "regexp": true, "gibberish": false, "disposable": false, "webmail": false, "mx_records": true,
          "smtp_server": true, "smtp_check": true, "accept_all": true, "block": false, "sources": []}, "meta": {}}"#;
        assert_eq!(classify(200, None, v).unwrap()["status"], "accept_all");
        let s = r#"{"data": {"domain": "kitecraft.example", "pattern": "{first}", "organization": "Kitecraft", "emails": []}, "meta": {}}"#;
        assert_eq!(classify(200, None, s).unwrap()["pattern"], "{first}");
        let empty =
            r#"{"data": {"domain": "nowhere.example", "pattern": null, "emails": []}, "meta": {}}"#;
        assert_eq!(
            classify(200, None, empty).unwrap_err().kind,
            ErrorKind::NoData
        );
        assert_eq!(
            classify(202, None, "{}").unwrap_err().kind,
            ErrorKind::Transient
        );
        assert_eq!(
            classify(222, None, "{}").unwrap_err().kind,
            ErrorKind::Transient
        );
        assert_eq!(
            classify(200, None, r#"{"meta": {}}"#).unwrap_err().kind,
            ErrorKind::Permanent
        );
    }

    #[test]
    fn errors_as_hunter_sends_them() {
        let err = |id: &str, code: u16, d: &str| {
            json!({"errors": [{"id": id, "code": code, "details": d}]}).to_string()
        };
        let e = classify(
            401,
            None,
            &err(
                "authentication_failed",
                401,
                "No user found for the API key supplied",
            ),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.message.contains("HUNTER_API_KEY") && e.message.contains("No user found"));
        let e = classify(
            403,
            Some("1"),
            &err("too_many_requests", 403, "You have reached the rate limit"),
        )
        .unwrap_err();
        assert_eq!(
            (e.kind, e.retry_after),
            (ErrorKind::RateLimited, Some(Duration::from_secs(1)))
        );
        let e = classify(
            429,
            None,
            &err(
                "too_many_requests",
                429,
                "You have reached your usage limit",
            ),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.message.contains("credits"));
        assert_eq!(
            classify(451, None, &err("claimed_email", 451, "x"))
                .unwrap_err()
                .kind,
            ErrorKind::NoData
        );
        let e = classify(
            400,
            None,
            &err("wrong_params", 400, "You are missing the domain parameter"),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Permanent);
        assert!(e.message.contains("missing the domain"));
        assert_eq!(
            classify(500, None, "").unwrap_err().kind,
            ErrorKind::Transient
        );
    }
}
