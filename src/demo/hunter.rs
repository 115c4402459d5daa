//! Demo Hunter: Email Finder, Email Verifier and Domain Search (`GET /v2/…`), answered from the
//! demo companies and people in Hunter's `{"data", "meta"}` shape. The key is accepted as the
//! `api_key` query parameter, the `X-API-KEY` header or a bearer token, as Hunter does.

use super::Shared;
use super::companies::Company;
use super::faults::{Fault, dropped_connection, gateway_page};
use super::gate::{self, Protocol};
use super::hash::fnv1a;
use super::people::Employee;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// How answered Email Finder calls are counted in [`super::DemoStats::by_tool`].
pub const EMAIL_FINDER: &str = "hunter/email_finder";

/// How answered Email Verifier calls are counted.
pub const EMAIL_VERIFIER: &str = "hunter/email_verifier";

/// How answered Domain Search calls are counted.
pub const DOMAIN_SEARCH: &str = "hunter/domain_search";

/// Hunter: key in `api_key`, `X-API-KEY` or `Authorization: Bearer`.
struct Hunter;

impl Protocol for Hunter {
    fn name(&self) -> &'static str {
        "hunter"
    }

    fn sent_key(&self, headers: &HeaderMap, query: Option<&str>) -> Option<String> {
        gate::query_param(query, "api_key")
            .or_else(|| gate::header(headers, "x-api-key"))
            .or_else(|| {
                gate::header(headers, "authorization")
                    .and_then(|v| v.strip_prefix("Bearer ").map(str::to_string))
            })
    }

    fn unauthorized(&self) -> Response {
        errors(
            StatusCode::UNAUTHORIZED,
            "authentication_failed",
            "No user found for the API key supplied",
        )
    }

    fn fault(&self, fault: Fault) -> (&'static str, Response) {
        match fault {
            // Hunter signals its per-second and per-minute limits with 403.
            Fault::RateLimited => {
                let mut response = errors(
                    StatusCode::FORBIDDEN,
                    "too_many_requests",
                    "You have reached the rate limit",
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
                ("403", response)
            }
            Fault::ServerError => (
                "500",
                errors(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_server_error",
                    "Something went wrong on our end",
                ),
            ),
            Fault::Timeout524 => ("503", gateway_page(StatusCode::SERVICE_UNAVAILABLE)),
            Fault::ToolTimeout524 => ("502", gateway_page(StatusCode::BAD_GATEWAY)),
            Fault::Drop => ("drop", dropped_connection()),
        }
    }
}

/// Hunter's error body.
fn errors(status: StatusCode, id: &str, details: &str) -> Response {
    let body = json!({"errors": [{"id": id, "code": status.as_u16(), "details": details}]});
    (status, axum::Json(body)).into_response()
}

fn missing(parameter: &str) -> Response {
    errors(
        StatusCode::BAD_REQUEST,
        "wrong_params",
        &format!("You are missing the {parameter} parameter"),
    )
}

fn param(query: Option<&str>, name: &str) -> String {
    gate::query_param(query, name)
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// A stable verification date for an address.
fn checked_on(email: &str) -> String {
    super::companies::date_after_2025_06(300 + fnv1a(email) % 60)
}

/// `GET /v2/email-finder?domain=&first_name=&last_name=` (or `full_name`, or `company`).
pub(super) async fn email_finder(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let _request = match gate::admit(&s, &Hunter, &headers, query.as_deref()).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let q = query.as_deref();
    let (domain, company_name) = (param(q, "domain"), param(q, "company"));
    let (mut first, mut last) = (param(q, "first_name"), param(q, "last_name"));
    if (first.is_empty() || last.is_empty())
        && let Some((f, l)) = param(q, "full_name").split_once(' ')
    {
        (first, last) = (f.to_string(), l.trim().to_string());
    }
    if domain.is_empty() && company_name.is_empty() {
        return missing("domain");
    }
    if first.is_empty() {
        return missing("first_name");
    }
    if last.is_empty() {
        return missing("last_name");
    }
    s.stats.paid(
        EMAIL_FINDER,
        format!("{domain}|{company_name}|{first}|{last}").to_lowercase(),
    );
    let companies = s.people.companies();
    let company = if domain.is_empty() {
        companies.by_name(&company_name)
    } else {
        companies.by_domain(&domain)
    };
    let employee = company.map(|c| s.people.by_name(&c, &first, &last));
    let found = employee
        .as_ref()
        .and_then(|e| Some((e, e.person.hunter_score?)));
    let data = match found {
        Some((e, score)) => {
            let email = e.email();
            let verdict = s.people.verify(&email);
            json!({
                "first_name": e.person.first_name,
                "last_name": e.person.last_name,
                "email": email,
                "score": score,
                "domain": e.company.domain,
                "accept_all": e.company.accept_all,
                "position": e.person.title,
                "twitter": null,
                "linkedin_url": e.person.linkedin_url,
                "phone_number": null,
                "company": e.company.name,
                "sources": [{
                    "domain": e.company.domain,
                    "uri": format!("https://{}/about", e.company.domain),
                    "extracted_on": "2025-09-14",
                    "last_seen_on": "2026-05-30",
                    "still_on_page": true,
                }],
                "verification": {"date": checked_on(&email), "status": verdict.status},
            })
        }
        None => json!({
            "first_name": first,
            "last_name": last,
            "email": null,
            "score": null,
            "domain": if domain.is_empty() { Value::Null } else { json!(domain) },
            "accept_all": null,
            "position": null,
            "twitter": null,
            "linkedin_url": null,
            "phone_number": null,
            "company": null,
            "sources": [],
            "verification": {"date": null, "status": null},
        }),
    };
    let meta = json!({"params": {
        "first_name": first, "last_name": last, "full_name": null,
        "domain": domain, "company": company_name, "max_duration": null,
    }});
    axum::Json(json!({"data": data, "meta": meta})).into_response()
}

/// `GET /v2/email-verifier?email=`.
pub(super) async fn email_verifier(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let _request = match gate::admit(&s, &Hunter, &headers, query.as_deref()).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let email = param(query.as_deref(), "email");
    if email.is_empty() {
        return missing("email");
    }
    s.stats.paid(EMAIL_VERIFIER, email.to_lowercase());
    let v = s.people.verify(&email);
    let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    let reachable =
        (v.regexp && s.people.companies().by_domain(domain).is_some()) || v.status == "webmail";
    let result = match v.status {
        "valid" => "deliverable",
        "invalid" => "undeliverable",
        _ => "risky",
    };
    let data = json!({
        "status": v.status,
        "result": result,
        "score": v.score,
        "email": email,
        "regexp": v.regexp,
        "gibberish": false,
        "disposable": v.status == "disposable",
        "webmail": v.status == "webmail",
        "mx_records": reachable,
        "smtp_server": reachable,
        "smtp_check": v.status == "valid",
        "accept_all": v.status == "accept_all",
        "block": false,
        "sources": [],
    });
    axum::Json(json!({"data": data, "meta": {"params": {"email": email}}})).into_response()
}

/// `GET /v2/domain-search?domain=` (`limit`, default 10).
pub(super) async fn domain_search(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let _request = match gate::admit(&s, &Hunter, &headers, query.as_deref()).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let q = query.as_deref();
    let domain = param(q, "domain").to_lowercase();
    if domain.is_empty() {
        return missing("domain");
    }
    let limit = param(q, "limit")
        .parse::<usize>()
        .unwrap_or(10)
        .clamp(1, 100);
    s.stats.paid(DOMAIN_SEARCH, domain.clone());
    let company = s.people.companies().by_domain(&domain);
    let emails: Vec<Value> = company.as_ref().map(|c| listed(c, &s)).unwrap_or_default();
    let total = emails.len();
    let data = match &company {
        Some(c) => json!({
            "domain": c.domain,
            "disposable": false,
            "webmail": false,
            "accept_all": c.accept_all,
            "pattern": c.email_pattern,
            "organization": c.name,
            "description": c.description,
            "industry": c.industry,
            "linkedin": c.linkedin_url,
            "country": c.country,
            "emails": emails.into_iter().take(limit).collect::<Vec<_>>(),
        }),
        None => json!({
            "domain": domain,
            "disposable": false,
            "webmail": false,
            "accept_all": false,
            "pattern": null,
            "organization": null,
            "emails": [],
        }),
    };
    let meta = json!({"results": total, "limit": limit, "offset": 0,
                      "params": {"domain": domain, "company": null, "type": null}});
    axum::Json(json!({"data": data, "meta": meta})).into_response()
}

/// The addresses a domain search lists: the people Hunter's finder knows, and a generic one.
fn listed(c: &Arc<Company>, s: &Shared) -> Vec<Value> {
    let mut emails: Vec<Value> = c
        .people
        .iter()
        .filter_map(|p| {
            let score = p.hunter_score?;
            let e = Employee {
                company: c.clone(),
                person: p.clone(),
            };
            let email = e.email();
            Some(json!({
                "value": email,
                "type": "personal",
                "confidence": score,
                "first_name": p.first_name,
                "last_name": p.last_name,
                "position": p.title,
                "seniority": null,
                "department": null,
                "linkedin": p.linkedin_url,
                "twitter": null,
                "phone_number": null,
                "sources": [],
                "verification": {"date": checked_on(&email), "status": s.people.verify(&email).status},
            }))
        })
        .collect();
    let generic = format!("hello@{}", c.domain);
    emails.push(json!({
        "value": generic,
        "type": "generic",
        "confidence": 80,
        "first_name": null,
        "last_name": null,
        "position": null,
        "seniority": null,
        "department": null,
        "linkedin": null,
        "twitter": null,
        "phone_number": null,
        "sources": [],
        "verification": {"date": checked_on(&generic), "status": s.people.verify(&generic).status},
    }));
    emails
}
