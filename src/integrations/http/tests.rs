use super::*;
use crate::engine::caller::{Caller, CallerSettings};
use crate::engine::fake::FakeTransport;
use crate::integrations::NoObserver;
use crate::integrations::user::definition::KindDef;
use crate::providers::{CallError, NoCache, ProviderId};
use std::sync::Arc;

/// The README's example, as written.
const README: &str = r#"
name = "company_size"
kind = "http"
description = "Employee count of a company by its domain"
provider = "example"
method = "GET"
url = "https://api.example.com/v1/companies?domain={{domain}}"
headers = { Authorization = "Bearer {{env.EXAMPLE_API_KEY}}" }
cost = 0.002
no_data_status = [404]

[[inputs]]
name = "domain"
guess = ["domain", "website", "company_domain"]

[[outputs]]
name = "employees"
type = "integer"
path = "$.company.employees"
"#;

fn column(text: &str) -> HttpColumn {
    let def = Definition::parse(text).unwrap();
    let KindDef::Http(http) = &def.kind else {
        panic!("an http file");
    };
    HttpColumn::new(&def, http).unwrap()
}

fn row(pairs: &[(&str, &str)]) -> Fields {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn the_readme_example_reads_as_written() {
    let c = column(README);
    let spec = c.spec();
    assert_eq!(spec.name, "company_size");
    assert_eq!(spec.provider, ProviderId::named("example"));
    assert_eq!(spec.tools, ["company_size"], "its tool is its name");
    assert_eq!(spec.cost_per_row_usd, 0.002);
    assert_eq!(
        spec.inputs[0].guesses,
        ["domain", "website", "company_domain"]
    );
    assert_eq!(spec.outputs[0].kind.label(), "integer");
    assert_eq!(c.env_vars(), ["EXAMPLE_API_KEY"]);
    assert_eq!(c.host(), "api.example.com");
    let params = c.params(&row(&[("domain", " acme example&co ")])).unwrap();
    assert_eq!(
        params,
        json!({
            "method": "GET",
            "url": "https://api.example.com/v1/companies?domain=acme%20example%26co",
            "headers": {"Authorization": "Bearer {{env.EXAMPLE_API_KEY}}"},
            "no_data_status": [404],
        }),
        "values are URL-encoded and the secret stays named"
    );
    assert!(Definition::parse(README).unwrap().warnings().is_empty());
    assert!(c.journal_name().starts_with("company_size#"));
}

#[test]
fn a_post_body_is_json_with_escaped_values() {
    let c = column(
        r#"
name = "lookup"
kind = "http"
method = "post"
url = "https://api.example.com/v2/lookup"
body = '{"query": {"name": "{{name}}", "limit": 3}}'

[[outputs]]
name = "id"
type = "text"
path = "$.id"
"#,
    );
    assert_eq!(c.spec().inputs[0].name, "name", "a token is an input");
    let params = c.params(&row(&[("name", "Ada \"the\" Quill\n")])).unwrap();
    assert_eq!(params["method"], "POST");
    assert_eq!(
        params["body"],
        json!({"query": {"name": "Ada \"the\" Quill", "limit": 3}})
    );
    assert_eq!(params.get("headers"), None);
}

#[test]
fn mistakes_are_named_when_the_file_is_read() {
    let cases = [
        (
            README.replace("https://api.example.com", "https://{{domain}}"),
            "host must be written out",
        ),
        (
            README.replace("https://api.example.com/v1", "ftp://api.example.com/v1"),
            "must start with https://",
        ),
        (
            README.replace("method = \"GET\"", "method = \"DELETE\""),
            "\"GET\" or \"POST\"",
        ),
        (
            README.replace("cost = 0.002", "body = '{}'"),
            "with method = \"POST\" only",
        ),
        (
            README.replace(
                "method = \"GET\"",
                "method = \"POST\"\nbody = '{\"d\": {{domain}'",
            ),
            "body is not JSON",
        ),
        (
            README.replace("{{domain}}", "{{website}}"),
            "no input \"website\"",
        ),
        (README.replace("\"example\"", "\"hunter\""), "is built in"),
        (
            README.replace("cost = 0.002", "timeout = 0"),
            "timeout is in seconds",
        ),
        (
            README.replace("no_data_status = [404]", "no_data_status = [42]"),
            "not an HTTP status",
        ),
        (
            README.replace("Authorization =", "\"Bad Header\" ="),
            "not a valid HTTP header name",
        ),
        (
            README.replace("path = \"$.company.employees\"", "path = \"company\""),
            "is not a JSONPath",
        ),
        (
            README.replace("{{env.EXAMPLE_API_KEY}}", "{{env.bad-name}}"),
            "letters, digits and _",
        ),
        (
            README.replace("no_data_status", "no_data_statuses"),
            "unknown field `no_data_statuses`",
        ),
    ];
    for (text, expected) in cases {
        let e = Definition::parse(&text).unwrap_err().to_string();
        assert!(e.contains(expected), "{expected}: {e}");
    }
}

#[test]
fn a_literal_secret_and_plain_http_are_warned_about() {
    let literal = README.replace("{{env.EXAMPLE_API_KEY}}", "sk_live_51Habc123def456ghi789");
    let warnings = Definition::parse(&literal).unwrap().warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("header \"Authorization\" holds a literal secret"));
    assert!(
        warnings[0].contains("Bearer {{env.YOUR_API_KEY}}"),
        "{}",
        warnings[0]
    );
    let query = README.replace("domain={{domain}}", "domain={{domain}}&api_key=abc123");
    let warnings = Definition::parse(&query).unwrap().warnings();
    assert!(
        warnings[0].contains("url parameter \"api_key\""),
        "{warnings:?}"
    );
    let from_env = README.replace("domain={{domain}}", "domain={{domain}}&api_key={{env.K}}");
    assert!(Definition::parse(&from_env).unwrap().warnings().is_empty());
    let plain = README.replace("https://api", "http://api");
    let warnings = Definition::parse(&plain).unwrap().warnings();
    assert!(warnings[0].contains("unencrypted"), "{warnings:?}");
    let local = README.replace("https://api.example.com", "http://127.0.0.1:8080");
    assert!(Definition::parse(&local).unwrap().warnings().is_empty());
}

fn caller(answer: Result<Value, CallError>) -> (Arc<FakeTransport>, Arc<Caller>) {
    let transport = Arc::new(FakeTransport::new(
        Some(std::time::Duration::ZERO),
        move |_, _, _| answer.clone(),
    ));
    let caller = Arc::new(Caller::new(
        transport.clone(),
        CallerSettings {
            // What `Catalog::configure` declares for the README's file.
            prices: {
                let mut config = crate::config::Config::from_sources(None, |_| None).unwrap();
                config
                    .file_prices
                    .insert("example.company_size".into(), 0.002);
                config.prices()
            },
            ..CallerSettings::default()
        },
        Arc::new(NoCache),
    ));
    (transport, caller)
}

#[tokio::test]
async fn a_row_is_read_by_json_path_and_priced_by_the_file() {
    // PATH is set wherever tests run: it stands in for the key.
    let c = column(&README.replace("EXAMPLE_API_KEY", "PATH"));
    let (transport, caller) = caller(Ok(json!({"company": {"employees": "1,250"}})));
    let ctx = Ctx::new(caller, Arc::new(NoObserver));
    let done = c
        .enrich(&ctx, &row(&[("domain", "acme.example")]))
        .await
        .unwrap();
    assert_eq!(done.fields["employees"], "1250");
    assert_eq!(transport.calls(), 1);
    assert_eq!(
        ctx.take_notes(),
        ["parsed\nemployees = 1250  ← $.company.employees"],
        "the inspector shows what each path found"
    );
    let calls = ctx.take_calls();
    assert_eq!(calls[0].paid().and_then(|u| u.usd), Some(0.002));
    assert!(
        !calls[0]
            .request
            .to_string()
            .contains(&std::env::var("PATH").unwrap()),
        "the recorded request names the secret, never holds it"
    );
}

#[tokio::test]
async fn a_missing_secret_stops_the_row_before_anything_is_sent() {
    let c = column(&README.replace("EXAMPLE_API_KEY", "LEADGRID_TEST_NEVER_SET_4F1C"));
    let (transport, caller) = caller(Ok(json!({})));
    let ctx = Ctx::new(caller, Arc::new(NoObserver));
    let e = c
        .enrich(&ctx, &row(&[("domain", "acme.example")]))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(
        e.message,
        "LEADGRID_TEST_NEVER_SET_4F1C is not set: company_size sends it to api.example.com"
    );
    assert_eq!(transport.calls(), 0);
}
