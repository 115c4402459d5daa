//! Demo Apollo: People Enrichment (`POST /api/v1/people/match`, parameters in the query string
//! or a JSON body) and Organization Enrichment (`GET /api/v1/organizations/enrich?domain=`),
//! answered from the demo companies and people in Apollo's shapes.

use super::Shared;
use super::companies::Company;
use super::faults::{Fault, dropped_connection, gateway_page};
use super::gate::{self, Protocol};
use super::hash::fnv1a;
use super::people::Employee;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// How answered people matches are counted in [`super::DemoStats::by_tool`].
pub const PEOPLE_MATCH: &str = "apollo/people_match";

/// How answered organization enrichments are counted in [`super::DemoStats::by_tool`].
pub const ORGANIZATION_ENRICH: &str = "apollo/organizations_enrich";

/// Apollo: key in `x-api-key`. `path` names the endpoint in rate-limit messages.
struct Apollo {
    path: &'static str,
}

impl Protocol for Apollo {
    fn name(&self) -> &'static str {
        "apollo"
    }

    fn sent_key(&self, headers: &HeaderMap, _query: Option<&str>) -> Option<String> {
        gate::header(headers, "x-api-key")
    }

    fn unauthorized(&self) -> Response {
        (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/plain")],
            "Invalid access credentials.",
        )
            .into_response()
    }

    fn fault(&self, fault: Fault) -> (&'static str, Response) {
        match fault {
            Fault::RateLimited => {
                let message = format!(
                    "The maximum number of api calls allowed for {} is 600 times per hour. \
                     Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade.",
                    self.path
                );
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(json!({ "message": message })),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
                ("429", response)
            }
            Fault::ServerError => (
                "500",
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    axum::Json(json!({"error": "Internal Server Error"})),
                )
                    .into_response(),
            ),
            Fault::Timeout524 => ("503", gateway_page(StatusCode::SERVICE_UNAVAILABLE)),
            Fault::ToolTimeout524 => ("502", gateway_page(StatusCode::BAD_GATEWAY)),
            Fault::Drop => ("drop", dropped_connection()),
        }
    }
}

/// Parameters from the query string and a JSON body (body values win), as text.
fn parameters(query: Option<&str>, body: &[u8]) -> Map<String, Value> {
    let mut params: Map<String, Value> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
    if let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) {
        params.extend(fields);
    }
    params
}

fn text<'a>(params: &'a Map<String, Value>, key: &str) -> &'a str {
    params
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default()
}

/// `POST /api/v1/people/match`.
pub(super) async fn people_match(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let protocol = Apollo {
        path: "api/v1/people/match",
    };
    let _request = match gate::admit(&s, &protocol, &headers, query.as_deref()).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let p = parameters(query.as_deref(), &body);
    let (linkedin, email) = (text(&p, "linkedin_url"), text(&p, "email"));
    let (mut first, mut last) = (
        text(&p, "first_name").to_string(),
        text(&p, "last_name").to_string(),
    );
    if (first.is_empty() || last.is_empty())
        && let Some((f, l)) = text(&p, "name").split_once(' ')
    {
        (first, last) = (f.to_string(), l.trim().to_string());
    }
    let (domain, organization) = (text(&p, "domain"), text(&p, "organization_name"));
    if linkedin.is_empty() && email.is_empty() && (first.is_empty() || last.is_empty()) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(
                json!({"error": "Please provide linkedin_url, email, or a first and last name"}),
            ),
        )
            .into_response();
    }
    let billing = [linkedin, email, &first, &last, domain, organization]
        .join("|")
        .to_lowercase();
    s.stats.paid(PEOPLE_MATCH, billing);
    let employee = if !linkedin.is_empty() {
        s.people.by_linkedin(linkedin)
    } else if !email.is_empty() {
        s.people.by_email(email)
    } else {
        // A name alone matches nobody: Apollo needs to know where they work.
        let company = if !domain.is_empty() {
            s.people.companies().by_domain(domain)
        } else if !organization.is_empty() {
            s.people.companies().by_name(organization)
        } else {
            None
        };
        company.map(|c| s.people.by_name(&c, &first, &last))
    };
    let person = employee
        .filter(|e| e.person.apollo.is_some())
        .map(|e| person_json(&e))
        .unwrap_or(Value::Null);
    axum::Json(json!({ "person": person })).into_response()
}

/// `GET /api/v1/organizations/enrich?domain=`.
pub(super) async fn organization_enrich(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let protocol = Apollo {
        path: "api/v1/organizations/enrich",
    };
    let _request = match gate::admit(&s, &protocol, &headers, query.as_deref()).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let p = parameters(query.as_deref(), &[]);
    let domain = text(&p, "domain");
    if domain.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"error": "domain is required"})),
        )
            .into_response();
    }
    s.stats.paid(ORGANIZATION_ENRICH, domain.to_lowercase());
    match s.people.companies().by_domain(domain) {
        Some(company) => axum::Json(json!({ "organization": organization_json(&company) })),
        // Apollo answers an unknown domain with an empty body object.
        None => axum::Json(json!({})),
    }
    .into_response()
}

/// A 24-hex-digit id, like Apollo's, stable for the same input.
fn apollo_id(seed: &str) -> String {
    format!(
        "{:016x}{:08x}",
        fnv1a(seed),
        fnv1a(&format!("{seed}#")) & 0xffff_ffff
    )
}

/// LinkedIn URLs the way Apollo writes them: `http://www.linkedin.com/in/slug`.
fn apollo_linkedin(url: &str) -> String {
    let path = url
        .split("linkedin.com")
        .nth(1)
        .unwrap_or_default()
        .trim_end_matches('/');
    format!("http://www.linkedin.com{path}")
}

fn person_json(e: &Employee) -> Value {
    let p = &e.person;
    let status = p.apollo.as_deref().unwrap_or("unavailable");
    let email = (status != "unavailable").then(|| e.email());
    json!({
        "id": apollo_id(&format!("{}|{}", e.company.domain, e.name())),
        "first_name": p.first_name,
        "last_name": p.last_name,
        "name": e.name(),
        "linkedin_url": p.linkedin_url.as_deref().map(apollo_linkedin),
        "title": p.title,
        "headline": format!("{} at {}", p.title, e.company.name),
        "email_status": status,
        "email": email,
        "photo_url": null,
        "twitter_url": null,
        "github_url": null,
        "facebook_url": null,
        "extrapolated_email_confidence": null,
        "organization_id": apollo_id(&e.company.domain),
        "employment_history": [{
            "current": true,
            "organization_id": apollo_id(&e.company.domain),
            "organization_name": e.company.name,
            "title": p.title,
            "start_date": null,
            "end_date": null,
        }],
        "state": null,
        "city": p.city,
        "country": p.country,
        "seniority": p.seniority,
        "departments": [department(&p.seniority)],
        "organization": organization_json(&e.company),
    })
}

fn department(seniority: &str) -> &'static str {
    match seniority {
        "founder" | "c_suite" | "owner" => "c_suite",
        _ => "master_engineering_technical",
    }
}

fn organization_json(c: &Company) -> Value {
    json!({
        "id": apollo_id(&c.domain),
        "name": c.name,
        "website_url": format!("http://www.{}", c.domain),
        "linkedin_url": apollo_linkedin(&c.linkedin_url),
        "twitter_url": null,
        "founded_year": c.founded_year,
        "primary_domain": c.domain,
        "industry": c.industry.to_lowercase(),
        "estimated_num_employees": c.employee_count,
        "keywords": [c.industry.to_lowercase()],
        "phone": null,
        "city": c.city,
        "state": null,
        "country": c.country,
        "short_description": c.description,
        "logo_url": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linkedin_urls_are_written_apollo_style() {
        assert_eq!(
            apollo_linkedin("https://www.linkedin.com/in/ada-quill-demo/"),
            "http://www.linkedin.com/in/ada-quill-demo"
        );
        assert_eq!(apollo_id("x"), apollo_id("x"));
        assert_eq!(apollo_id("x").len(), 24);
    }

    #[test]
    fn parameters_merge_query_and_body() {
        let p = parameters(
            Some("email=a%40b.example&domain=x.example"),
            br#"{"domain": "y.example"}"#,
        );
        assert_eq!(
            (text(&p, "email"), text(&p, "domain")),
            ("a@b.example", "y.example")
        );
    }
}
