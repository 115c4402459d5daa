use super::*;
use crate::integrations::OutputKind;
use project::TrustStore;

fn settings() -> Settings {
    Settings::from_config(&Config::from_sources(None, |_| None).unwrap())
}

const MINE: &str = r#"
name = "funding_stage"
kind = "ai"
description = "Latest funding stage"
prompt = "What is the latest funding stage of {{company}}?"

[[outputs]]
name = "stage"
type = "enum"
choices = ["seed", "series a", "later"]
"#;

#[test]
fn shipped_ai_columns_load_with_typed_outputs() {
    let catalog = Catalog::load(None, settings());
    assert!(catalog.problems().is_empty(), "{:?}", catalog.problems());
    let ceo = catalog.find("find_ceo").unwrap();
    let outputs: Vec<(&str, OutputKind)> = ceo
        .spec()
        .outputs
        .iter()
        .map(|o| (o.name, o.kind))
        .collect();
    assert_eq!(
        outputs,
        [
            ("ceo_name", OutputKind::Text),
            ("ceo_title", OutputKind::Text),
            ("ceo_linkedin_url", OutputKind::Url),
            ("ceo_source_url", OutputKind::Url),
            ("ceo_confidence", OutputKind::Number),
        ]
    );
    let research = catalog.find("web_research").unwrap();
    assert_eq!(research.spec().outputs[4].kind, OutputKind::UrlList);
    assert_eq!(research.spec().tools, ["chatgpt_webresearch", "messages"]);
    assert!(research.spec().cost_per_row_usd > 0.0);
    // Code integrations come first, in their order.
    assert_eq!(catalog.integrations()[0].spec().name, "linkedin_profile");
    assert!(catalog.definition("find_ceo").is_some());
    assert!(catalog.definition("linkedin_profile").is_none());
}

#[test]
fn a_broken_file_is_reported_and_never_stops_the_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b_mine.toml"), MINE).unwrap();
    std::fs::write(
        dir.path().join("a_broken.toml"),
        "name = \"x\"\nkind = \"ai\"\npromt = \"hi\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("c_clash.toml"),
        MINE.replace("funding_stage", "linkedin_profile"),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not an integration").unwrap();
    let catalog = Catalog::load(Some(dir.path().to_path_buf()), settings());
    assert!(catalog.find("funding_stage").is_some());
    assert!(catalog.is_users("funding_stage"));
    let problems: Vec<(String, Option<String>, String)> = catalog
        .problems()
        .iter()
        .map(|p| {
            (
                p.path.file_name().unwrap().to_string_lossy().into_owned(),
                p.name.clone(),
                p.error.clone(),
            )
        })
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].0, "a_broken.toml");
    assert_eq!(problems[0].1.as_deref(), Some("x"));
    assert!(
        problems[0].2.contains("unknown field `promt`"),
        "{}",
        problems[0].2
    );
    assert_eq!(problems[1].0, "c_clash.toml");
    assert!(
        problems[1]
            .2
            .contains("already used by a built-in integration")
    );
}

#[test]
fn a_users_file_replaces_a_shipped_one_once() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = SHIPPED[0].1;
    let mine = shipped.replace("What does", "Tell me what");
    std::fs::write(dir.path().join("web_research.toml"), &mine).unwrap();
    std::fs::write(dir.path().join("zz_again.toml"), &mine).unwrap();
    let catalog = Catalog::load(Some(dir.path().to_path_buf()), settings());
    let count = catalog
        .integrations()
        .iter()
        .filter(|i| i.spec().name == "web_research")
        .count();
    assert_eq!(count, 1);
    assert!(
        catalog
            .definition("web_research")
            .unwrap()
            .to_toml()
            .unwrap()
            .contains("Tell me what")
    );
    assert_eq!(catalog.problems().len(), 1);
    assert!(
        catalog.problems()[0]
            .error
            .contains("already used by another file")
    );
}

#[test]
fn saving_writes_the_file_and_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join(FOLDER);
    let mut catalog = Catalog::load(Some(folder.clone()), settings());
    let def = Definition::parse(MINE).unwrap();
    let path = catalog.save(&def).unwrap();
    assert_eq!(path, folder.join("funding_stage.toml"));
    assert_eq!(
        Definition::parse(&std::fs::read_to_string(&path).unwrap()).unwrap(),
        def
    );
    assert!(catalog.find("funding_stage").is_some());
    let taken = Definition::parse(&MINE.replace("funding_stage", "email_domain")).unwrap();
    assert!(matches!(catalog.save(&taken), Err(SaveError::Taken(_))));
    let unusable = Definition::parse(&MINE.replace("{{company}}", "it")).unwrap();
    assert!(matches!(
        catalog.save(&unusable),
        Err(SaveError::Unusable(_))
    ));
    let nowhere = &mut Catalog::load(None, settings());
    assert!(matches!(nowhere.save(&def), Err(SaveError::NoDirectory)));
}

#[test]
fn the_same_file_loaded_twice_shares_one_spec() {
    let a = Catalog::load(None, settings());
    let b = Catalog::load(None, settings());
    let (a, b) = (a.find("find_ceo").unwrap(), b.find("find_ceo").unwrap());
    assert!(std::ptr::eq(a.spec(), b.spec()));
}

const HTTP: &str = r#"
name = "company_size"
kind = "http"
provider = "example"
url = "https://api.example.com/v1/companies?domain={{domain}}"
cost = 0.002
rate_limit = 60
timeout = 45

[[outputs]]
name = "employees"
type = "integer"
path = "$.company.employees"
"#;

#[test]
fn http_and_datagen_files_load_beside_ai_columns_with_their_providers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("company_size.toml"), HTTP).unwrap();
    std::fs::write(
        dir.path().join("literal.toml"),
        HTTP.replace("company_size", "literal").replace(
            "cost = 0.002",
            "headers = { X-Api-Key = \"abc123abc123abc123abc123\" }",
        ),
    )
    .unwrap();
    let catalog = Catalog::load(Some(dir.path().to_path_buf()), settings());
    assert!(catalog.problems().is_empty(), "{:?}", catalog.problems());
    let size = catalog.find("company_size").unwrap();
    assert_eq!(size.spec().provider.name(), "example");
    assert_eq!(
        catalog.definition("company_size").unwrap().kind_name(),
        "http"
    );
    assert_eq!(catalog.warnings().len(), 1);
    assert_eq!(catalog.warnings()[0].name.as_deref(), Some("literal"));
    let mut config = Config::from_sources(None, |_| None).unwrap();
    catalog.configure(&mut config);
    let example = &config.file_providers[&ProviderId::named("example")];
    assert_eq!(example.rate_limit, Some(60));
    assert_eq!(example.timeout, Some(std::time::Duration::from_secs(45)));
    assert_eq!(example.cost_per_call, 0.002);
    // A call is priced by the file, unless [call_prices] says otherwise.
    let example_id = ProviderId::named("example");
    assert_eq!(
        config.prices().call(example_id, "company_size"),
        Some(0.002)
    );
    config
        .call_prices
        .insert("example.company_size".into(), 0.005);
    assert_eq!(
        config.prices().call(example_id, "company_size"),
        Some(0.005)
    );
}

#[test]
fn a_project_file_joins_only_when_trusted_and_survives_a_save() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("leads.csv");
    std::fs::write(&csv, "domain\nacme.example\n").unwrap();
    let project = format!(
        "[[integrations]]\n{}",
        HTTP.replace("[[outputs]]", "[[integrations.outputs]]")
            .replace("\"example\"", "\"project_api\"")
    );
    std::fs::write(dir.path().join(project::FILE), &project).unwrap();
    let trust = TrustStore::at(dir.path().join("trusted.toml"));
    let untrusted = Catalog::load(None, settings()).with_project_beside(&csv, &trust, false);
    assert!(untrusted.find("company_size").is_none());
    let state = untrusted.project().unwrap();
    assert!(!state.trusted && state.defines("company_size"));
    // Its provider's facts are known already (nothing calls it until it is trusted).
    let mut config = Config::from_sources(None, |_| None).unwrap();
    untrusted.configure(&mut config);
    assert!(
        config
            .file_providers
            .contains_key(&ProviderId::named("project_api"))
    );
    let trusted = Catalog::load(None, settings()).with_project_beside(&csv, &trust, true);
    assert!(trusted.is_projects("company_size"));
    let again = Catalog::load(None, settings()).with_project_beside(&csv, &trust, false);
    assert!(again.find("company_size").is_some(), "remembered");
    // Saving an AI column reloads the folder and keeps the project's integrations.
    let mut saving = Catalog::load(Some(dir.path().join(FOLDER)), settings())
        .with_project_beside(&csv, &trust, false);
    saving.save(&Definition::parse(MINE).unwrap()).unwrap();
    assert!(saving.find("funding_stage").is_some());
    assert!(saving.is_projects("company_size"));
}
