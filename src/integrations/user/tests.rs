use super::*;
use crate::integrations::OutputKind;

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
