use super::*;
use crate::config::Config;

const FILE: &str = r#"
name = "company_size"
kind = "http"
provider = "example"
url = "https://api.example.com/v1/companies?domain={{domain}}"
headers = { Authorization = "Bearer {{env.EXAMPLE_API_KEY}}", X-Team = "growth" }
cost = 0.002
no_data_status = [404]
rate_limit = 60

[[inputs]]
name = "domain"
guess = ["domain", "website"]

[[outputs]]
name = "employees"
type = "integer"
path = "$.company.employees"
"#;

fn catalog() -> Catalog {
    Catalog::load(
        None,
        Settings::from_config(&Config::from_sources(None, |_| None).unwrap()),
    )
}

fn env(name: &str) -> Option<String> {
    match name {
        "EXAMPLE_API_KEY" => Some("sk-example-secret-0123456789".into()),
        "LEADGRID_EXAMPLE_BASE_URL" => Some("http://127.0.0.1:9".into()),
        _ => None,
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_valid_file_shows_the_request_for_a_sample_row_with_secrets_masked() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "company_size.toml", FILE);
    let sample = Sample {
        set: vec![("domain".into(), "acme example.com".into())],
        ..Sample::default()
    };
    let report = check(&file, &catalog(), &sample, env);
    assert!(report.valid, "{}", report.text);
    let text = report.text;
    for expected in [
        "valid http integration \"company_size\"",
        "provider  example",
        "60 requests/min ([rate_limits] example in the config overrides it)",
        "cost      $0.0020 per row",
        "input     domain (required; --set) = \"acme example.com\"",
        "output    employees (integer) ← $.company.employees",
        "GET https://api.example.com/v1/companies?domain=acme%20example.com",
        "Authorization: Bearer ***",
        "X-Team: growth",
        "(sent to http://127.0.0.1:9 instead: LEADGRID_EXAMPLE_BASE_URL is set)",
        "secret    EXAMPLE_API_KEY is set (shown as ***)",
        "no data   HTTP 404; no output found",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    assert!(!text.contains("sk-example-secret"), "{text}");
    let unset = check(&file, &catalog(), &sample, |_| None);
    assert!(
        unset.text.contains("EXAMPLE_API_KEY is NOT set"),
        "{}",
        unset.text
    );
}

#[test]
fn the_sample_row_can_come_from_a_csv_by_guessed_columns() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "company_size.toml", FILE);
    let csv = write(
        dir.path(),
        "leads.csv",
        "name,Website\nAda,brightforge.example\nBram,nullpoint.example\n",
    );
    let sample = Sample {
        csv: Some(csv.clone()),
        row: Some(2),
        set: Vec::new(),
    };
    let report = check(&file, &catalog(), &sample, env);
    assert!(
        report
            .text
            .contains("domain (required; column \"Website\") = \"nullpoint.example\""),
        "{}",
        report.text
    );
    assert!(report.text.contains("?domain=nullpoint.example"));
    let beyond = Sample {
        csv: Some(csv),
        row: Some(9),
        set: Vec::new(),
    };
    let report = check(&file, &catalog(), &beyond, env);
    assert!(!report.valid);
    assert!(report.text.contains("has no data row 9"), "{}", report.text);
}

#[test]
fn a_literal_secret_is_masked_and_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let literal = FILE.replace("{{env.EXAMPLE_API_KEY}}", "sk_live_0123456789abcdefghij");
    let file = write(dir.path(), "literal.toml", &literal);
    let report = check(&file, &catalog(), &Sample::default(), env);
    assert!(report.valid, "a warning is not an error");
    assert!(!report.text.contains("sk_live_0123"), "{}", report.text);
    assert!(report.text.contains("Authorization: Bearer ***"));
    assert!(
        report
            .text
            .contains("warning   header \"Authorization\" holds a literal secret")
    );
    assert!(
        report.text.contains("domain=sample-domain"),
        "{}",
        report.text
    );
}

#[test]
fn invalid_files_and_project_files_are_reported_entry_by_entry() {
    let dir = tempfile::tempdir().unwrap();
    let broken = write(dir.path(), "broken.toml", &FILE.replace("url =", "uri ="));
    let report = check(&broken, &catalog(), &Sample::default(), env);
    assert!(!report.valid);
    assert!(
        report.text.contains("not valid: unknown field `uri`"),
        "{}",
        report.text
    );
    let taken = write(
        dir.path(),
        "taken.toml",
        &FILE.replace("company_size", "email_domain"),
    );
    let report = check(&taken, &catalog(), &Sample::default(), env);
    assert!(
        report.text.contains("taken by a built-in integration"),
        "{}",
        report.text
    );
    let project = write(
        dir.path(),
        "leadgrid.toml",
        r#"
[[integrations]]
name = "headline"
kind = "datagen"
tool = "get_linkedin_person_data"
params = { linkedin_url = "{{linkedin_url}}" }
[[integrations.outputs]]
name = "headline"
type = "text"
path = "$.person.headline"

[[integrations]]
name = "nothing"
kind = "http"
"#,
    );
    let report = check(&project, &catalog(), &Sample::default(), env);
    assert!(!report.valid);
    assert!(
        report
            .text
            .contains("valid datagen integration \"headline\""),
        "{}",
        report.text
    );
    assert!(report.text.contains(
        r#"POST …/api/tools/execute {"parameters":{"linkedin_url":"sample-linkedin_url"},"tool_alias_name":"get_linkedin_person_data"}"#
    ), "{}", report.text);
    assert!(
        report.text.contains("(nothing): not valid"),
        "{}",
        report.text
    );
    let missing = check(
        &dir.path().join("none.toml"),
        &catalog(),
        &Sample::default(),
        env,
    );
    assert!(!missing.valid && missing.text.contains("cannot read it"));
}
