use super::*;
use crate::config::Config;
use crate::engine::caller::{Caller, CallerSettings};
use crate::integrations::NoObserver;
use crate::integrations::user::Catalog;
use crate::providers::datagen::DatagenClient;
use crate::providers::http::{HttpClient, HttpSettings};
use crate::providers::router::{Endpoint, HTTP_PROVIDERS, ProviderRouter};

/// A context whose calls go through the engine's caller to a demo server, priced as configured.
fn ctx(base: &str, config: &Config) -> Ctx {
    let http = HttpClient::new(HttpSettings::default()).unwrap();
    let datagen = DatagenClient::with_http(base, None, http.clone()).unwrap();
    let endpoints = HTTP_PROVIDERS.map(|(id, wire)| {
        let url = if id == ProviderId::OPENAI {
            format!("{base}/v1")
        } else {
            base.to_string()
        };
        (id, Endpoint::new(wire, &url, None).unwrap())
    });
    let router = ProviderRouter::new(http, datagen, endpoints);
    let settings = CallerSettings {
        prices: config.prices(),
        rate_limits: Default::default(),
        ..CallerSettings::default()
    };
    let caller = Caller::new(
        Arc::new(router),
        settings,
        Arc::new(crate::providers::NoCache),
    );
    Ctx::new(Arc::new(caller), Arc::new(NoObserver))
}

fn sample(first: &str) -> Fields {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/lead-list/sample.csv");
    let rows: Vec<Fields> = csv::Reader::from_path(path)
        .unwrap()
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.into_iter().find(|r| r["first_name"] == first).unwrap()
}

#[tokio::test]
async fn the_inspector_sees_every_step_tried_and_why_it_was_rejected() {
    let demo = crate::demo::DemoServer::start(
        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        crate::demo::DemoOptions::default(),
    )
    .await
    .unwrap();
    let config = Config::from_sources(None, |_| None).unwrap();
    let catalog = Catalog::load(None, Settings::from_config(&config));
    let work = catalog.find("work_email").unwrap();
    assert_eq!(
        work.providers(),
        [ProviderId::APOLLO, ProviderId::HUNTER],
        "every provider its steps and validators call"
    );

    let ada = ctx(&demo.base_url(), &config);
    let answer = work.enrich(&ada, &sample("Ada")).await.unwrap();
    assert_eq!(answer.fields["work_email_source"], "apollo_person");
    let notes = ada.take_notes();
    assert!(
        notes[0].starts_with("step 1 · apollo_person: kept"),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("hunter_email: not called")),
        "{notes:?}"
    );
    let tools: Vec<String> = ada.take_calls().into_iter().map(|c| c.tool).collect();
    assert_eq!(tools, ["people_match", "email_verifier"]);

    let elin = ctx(&demo.base_url(), &config);
    let e = work.enrich(&elin, &sample("Elin")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoData);
    assert!(e.message.contains("no step gave a valid work_email"), "{e}");
    let notes = elin.take_notes();
    let rejected: Vec<&String> = notes.iter().filter(|n| n.contains(": rejected")).collect();
    assert_eq!(rejected.len(), 3, "{notes:?}");
    assert!(
        rejected[0]
            .contains("elin@fjordline.example: Hunter's verifier says accept_all (wanted valid)"),
        "{notes:?}"
    );
    // The same address found again is verified once: the second check is shared.
    let verified: Vec<bool> = elin
        .take_calls()
        .into_iter()
        .filter(|c| c.tool == "email_verifier")
        .map(|c| c.paid().is_some())
        .collect();
    assert_eq!(verified.first(), Some(&true));
    assert!(verified.iter().skip(1).all(|paid| !paid), "{verified:?}");
    demo.shutdown().await;
}

#[test]
fn a_step_naming_nothing_known_or_a_missing_output_is_refused() {
    let config = Config::from_sources(None, |_| None).unwrap();
    let catalog = Catalog::load(None, Settings::from_config(&config));
    let file = |step: &str| {
        format!(
            "name = \"w\"\nkind = \"waterfall\"\n[[steps]]\n{step}\n[[outputs]]\nname = \"w\"\ntype = \"text\"\n"
        )
    };
    let build = |text: String| {
        let def = Definition::parse(&text).map_err(|e| e.to_string())?;
        catalog.build(&def).map(|_| ())
    };
    assert!(
        build(file(
            "integration = \"hunter_email\"\noutput = \"hunter_email\""
        ))
        .is_ok()
    );
    let e = build(file("integration = \"nope\"\noutput = \"x\"")).unwrap_err();
    assert!(e.contains("no integration \"nope\""), "{e}");
    let e = build(file("integration = \"hunter_email\"\noutput = \"x\"")).unwrap_err();
    assert!(
        e.contains("has no output \"x\"; it has hunter_email, hunter_score"),
        "{e}"
    );
    let e = build(file("integration = \"hunter_email\"\noutput = \"hunter_email\"\nvalidate = { verify = [\"great\"] }")).unwrap_err();
    assert!(e.contains("verify status \"great\""), "{e}");
    let e = build(file("integration = \"hunter_email\"")).unwrap_err();
    assert!(e.contains("add a step with an output"), "{e}");
}

#[test]
fn a_waterfall_file_reads_and_writes_back_the_same() {
    let text = crate::integrations::user::SHIPPED
        .iter()
        .find(|(f, _)| *f == "ceo_email.toml")
        .unwrap()
        .1;
    let def = Definition::parse(text).unwrap();
    let again = Definition::parse(&def.to_toml().unwrap()).unwrap();
    assert_eq!(again, def);
}
