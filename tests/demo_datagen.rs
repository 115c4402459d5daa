//! The DataGen client and the LinkedIn integrations against the demo server, over real sockets.

mod common;

use common::demo::{direct_ctx, enrich, field, sample_rows};
use leadgrid::demo::{DemoHandle, DemoOptions, DemoServer};
use leadgrid::integrations::{Fields, find, missing_inputs};
use leadgrid::providers::ErrorKind;
use leadgrid::providers::datagen::{ApiKey, DatagenClient};
use serde_json::json;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

fn loopback() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

async fn start(opts: DemoOptions) -> DemoServer {
    DemoServer::start(loopback(), opts).await.unwrap()
}

fn client(server: &DemoServer, key: Option<&str>, timeout: Duration) -> DatagenClient {
    DatagenClient::new(&server.base_url(), key.and_then(ApiKey::new), timeout).unwrap()
}

#[tokio::test]
async fn sample_list_gives_the_documented_outcomes() {
    let server = start(DemoOptions::default()).await;
    let ctx = direct_ctx(client(&server, None, Duration::from_secs(10)));
    let rows = sample_rows();
    assert_eq!(rows.len(), 8);

    // (followers, posts in 30 days, mentions) per lead; None = profile not found.
    let expected: [Option<(&str, &str, &str)>; 4] = [
        Some(("48210", "6", "3")),
        None,
        Some(("7815", "4", "0")),
        Some(("2710", "3", "2")),
    ];
    for (row, want) in rows.iter().zip(expected) {
        let profile = enrich(&ctx, "linkedin_profile", row).await;
        let activity = enrich(&ctx, "linkedin_post_activity", row).await;
        let mentions = enrich(&ctx, "linkedin_claude_mentions", row).await;
        match want {
            Some((followers, posts30, count)) => {
                assert_eq!(field(&profile.unwrap(), "follower_count"), followers);
                assert_eq!(field(&activity.unwrap(), "posts_last_30_days"), posts30);
                assert_eq!(field(&mentions.unwrap(), "claude_mentions_count"), count);
            }
            None => {
                for result in [profile, activity, mentions] {
                    assert_eq!(result.unwrap_err().kind, ErrorKind::NoData);
                }
            }
        }
    }

    let ada = enrich(&ctx, "linkedin_profile", &rows[0]).await.unwrap();
    assert_eq!(field(&ada, "current_company"), "Brightforge Labs");
    assert_eq!(field(&ada, "location"), "London, England, United Kingdom");
    let ada_mentions = enrich(&ctx, "linkedin_claude_mentions", &rows[0])
        .await
        .unwrap();
    let urls = field(&ada_mentions, "claude_mention_urls");
    assert_eq!(urls.split(", ").count(), 3);
    assert!(urls.starts_with("https://www.linkedin.com/feed/update/urn:li:activity:"));
    assert!(!field(&ada_mentions, "first_claude_mention_date").is_empty());

    // Lead 5 never posted.
    let elin = enrich(&ctx, "linkedin_post_activity", &rows[4])
        .await
        .unwrap();
    for name in ["posts_last_30_days", "posts_last_90_days", "total_posts"] {
        assert_eq!(field(&elin, name), "0");
    }
    assert_eq!(field(&elin, "last_post_date"), "");

    // Lead 7 has no URL: the engine reports it before any call.
    let spec = find("linkedin_profile").unwrap().spec();
    assert_eq!(
        missing_inputs(spec, &rows[6]).as_deref(),
        Some("missing required columns: linkedin_url")
    );

    // Every call was recorded with the normalized URL, and none carried a key.
    let calls = ctx.take_calls();
    assert!(calls.iter().all(|c| {
        c.request["linkedin_url"]
            .as_str()
            .unwrap()
            .starts_with("https://www.linkedin.com/in/")
    }));
    let stats = server.stats();
    assert_eq!(stats.faults, 0);
    assert_eq!(stats.requests, calls.len() as u64);
    server.shutdown().await;
}

#[tokio::test]
async fn local_integrations_on_the_sample_list() {
    let server = start(DemoOptions::default()).await;
    let ctx = direct_ctx(client(&server, None, Duration::from_secs(10)));
    let row = &sample_rows()[0];
    let domain = enrich(&ctx, "email_domain", row).await.unwrap();
    assert_eq!(field(&domain, "email_domain"), "brightforge.example");
    let url = enrich(&ctx, "normalize_linkedin_url", row).await.unwrap();
    assert_eq!(
        field(&url, "linkedin_url_normalized"),
        "https://www.linkedin.com/in/ada-quill-demo/"
    );
    let name = Fields::from([("full_name".to_string(), "Ada Quill".to_string())]);
    let split = enrich(&ctx, "split_full_name", &name).await.unwrap();
    assert_eq!(field(&split, "last_name"), "Quill");
    assert_eq!(server.stats().requests, 0);
    server.shutdown().await;
}

#[tokio::test]
async fn generated_list_urls_get_synthetic_people() {
    let server = start(DemoOptions::default()).await;
    let ctx = direct_ctx(client(&server, None, Duration::from_secs(10)));
    let mut found = 0;
    for n in 0..40 {
        let inputs = Fields::from([(
            "linkedin_url".to_string(),
            format!("https://www.linkedin.com/in/noor-patel-{n}/"),
        )]);
        match enrich(&ctx, "linkedin_profile", &inputs).await {
            Ok(e) => {
                found += 1;
                assert!(field(&e, "follower_count").parse::<u64>().is_ok());
                assert!(!field(&e, "current_company").is_empty());
            }
            Err(e) => assert_eq!(e.kind, ErrorKind::NoData),
        }
    }
    assert!(found >= 30, "{found}");
    server.shutdown().await;
}

#[tokio::test]
async fn wrong_or_missing_key_is_an_auth_error() {
    let server = start(DemoOptions {
        required_key: Some("demo-secret".into()),
        ..DemoOptions::default()
    })
    .await;
    let params = json!({"linkedin_url": "https://www.linkedin.com/in/ada-quill-demo/"});
    for key in [Some("wrong-key"), None] {
        let out = client(&server, key, Duration::from_secs(10))
            .execute_once("get_linkedin_person_data", &params)
            .await;
        let err = out.result.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Auth);
        assert_eq!(out.status, Some(401));
        assert!(!err.message.contains("wrong-key"));
    }
    let ok = client(&server, Some("demo-secret"), Duration::from_secs(10))
        .execute_once("get_linkedin_person_data", &params)
        .await;
    assert_eq!(ok.result.unwrap()["person"]["firstName"], "Ada");
    assert_eq!(server.stats().unauthorized, 2);
    server.shutdown().await;
}

#[tokio::test]
async fn hanging_server_times_out_as_transient() {
    let server = start(DemoOptions {
        hang: true,
        ..DemoOptions::default()
    })
    .await;
    let out = client(&server, None, Duration::from_millis(300))
        .execute_once("get_linkedin_person_data", &json!({"linkedin_url": "x"}))
        .await;
    let err = out.result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient);
    assert!(err.message.contains("timed out"), "{}", err.message);
    assert_eq!(out.status, None);
    assert_eq!(server.stats().requests, 1);
    // Shutdown must not wait for the hanging request.
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_tool_is_a_permanent_tool_error() {
    let server = start(DemoOptions::default()).await;
    let out = client(&server, None, Duration::from_secs(10))
        .execute_once("no_such_tool", &json!({}))
        .await;
    let err = out.result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Permanent);
    assert!(err.message.contains("Unknown tool"), "{}", err.message);
    assert!(out.raw_body.unwrap().contains("Unknown tool"));
    server.shutdown().await;
}

#[tokio::test]
async fn faults_come_at_the_configured_rate_and_are_counted() {
    let server = start(DemoOptions {
        fault_rate: 0.3,
        seed: 11,
        ..DemoOptions::default()
    })
    .await;
    let client = client(&server, None, Duration::from_secs(10));
    let total = 300;
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    let mut failures = 0;
    for n in 0..total {
        let params =
            json!({"linkedin_url": format!("https://www.linkedin.com/in/ada-quill-demo/?n={n}")});
        let out = client
            .execute_once("get_linkedin_person_data", &params)
            .await;
        if let Err(e) = out.result {
            failures += 1;
            assert!(e.kind.is_retryable(), "{e:?}");
            if e.kind == ErrorKind::RateLimited {
                assert_eq!(e.retry_after, Some(Duration::from_secs(1)));
            }
            *kinds.entry(format!("{:?}", e.kind)).or_default() += 1;
        }
    }
    let stats = server.stats();
    assert_eq!(stats.requests, total);
    assert_eq!(stats.faults, failures);
    assert!(
        (60..=120).contains(&failures),
        "{failures} faults of {total}"
    );
    assert_eq!(stats.faults_by_kind.len(), 5, "{:?}", stats.faults_by_kind);
    assert!(kinds.contains_key("RateLimited") && kinds.contains_key("Transient"));
    // Every answered call was for the same (normalized) profile.
    assert_eq!(
        stats.max_paid_per_param("get_linkedin_person_data"),
        total - failures
    );

    // The same counters over HTTP, and a reset.
    let http = reqwest::Client::new();
    let served: leadgrid::demo::DemoStats = http
        .get(format!("{}/stats", server.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, stats);
    let reset = http
        .post(format!("{}/stats/reset", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 204);
    assert_eq!(server.stats().requests, 0);
    server.shutdown().await;
}

#[test]
fn background_handle_serves_sync_callers_and_stops_on_drop() {
    let handle = DemoHandle::start_background(DemoOptions::default()).unwrap();
    let base = handle.base_url();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = DatagenClient::new(&base, None, Duration::from_secs(10)).unwrap();
    let out = runtime.block_on(client.execute_once(
        "get_linkedin_person_posts",
        &json!({"linkedin_url": "https://www.linkedin.com/in/dev-anand-demo/"}),
    ));
    assert_eq!(out.result.unwrap()["posts"].as_array().unwrap().len(), 4);
    assert_eq!(
        handle.stats().by_tool.get("get_linkedin_person_posts"),
        Some(&1)
    );
    drop(handle);
    let after = runtime.block_on(client.execute_once("get_linkedin_person_posts", &json!({})));
    assert_eq!(after.result.unwrap_err().kind, ErrorKind::Transient);
}

/// Waits until the server reports `n` requests in flight; the timeout only bounds a failure.
async fn until_in_flight(server: &DemoServer, n: u64) {
    tokio::time::timeout(
        Duration::from_secs(10),
        server.wait_until(|s| s.in_flight >= n),
    )
    .await
    .expect("requests never arrived");
}

#[tokio::test]
async fn concurrent_requests_are_counted_and_shutdown_releases_them() {
    let server = start(DemoOptions {
        hang: true,
        ..DemoOptions::default()
    })
    .await;
    let client = client(&server, None, Duration::from_secs(30));
    let calls: Vec<_> = (0..3)
        .map(|n| {
            let client = client.clone();
            tokio::spawn(async move {
                let params = json!({"linkedin_url": format!("https://www.linkedin.com/in/x-{n}/")});
                client
                    .execute_once("get_linkedin_person_data", &params)
                    .await
            })
        })
        .collect();
    until_in_flight(&server, 3).await;
    assert_eq!(server.stats_summary().peak_in_flight, 3);
    server.shutdown().await;
    for call in calls {
        let out = call.await.unwrap();
        assert_eq!(out.status, Some(503));
        assert_eq!(out.result.unwrap_err().kind, ErrorKind::Transient);
    }
}

#[tokio::test]
async fn latency_and_jitter_do_not_change_answers() {
    let server = start(DemoOptions {
        latency: Duration::from_millis(5),
        jitter: Duration::from_millis(5),
        seed: 3,
        ..DemoOptions::default()
    })
    .await;
    let client = client(&server, None, Duration::from_secs(10));
    let params = json!({"linkedin_url": "https://www.linkedin.com/in/chiara-vellacott-demo/"});
    let a = client
        .execute_once("get_linkedin_person_posts", &params)
        .await;
    let b = client
        .execute_once("get_linkedin_person_posts", &params)
        .await;
    let (a, b) = (a.result.unwrap(), b.result.unwrap());
    assert_eq!(a["posts"].as_array().unwrap().len(), 6);
    assert_eq!(a["posts"][0]["activityId"], b["posts"][0]["activityId"]);
    let stats = server.stats();
    assert_eq!(stats.duplicate_paid, 1);
    assert_eq!(stats.max_paid_per_param("get_linkedin_person_posts"), 2);
    server.shutdown().await;
}

#[tokio::test]
async fn every_registered_integration_runs_and_only_fills_declared_outputs() {
    let server = start(DemoOptions::default()).await;
    let ctx = direct_ctx(client(&server, None, Duration::from_secs(10)));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/lead-list/sample.csv");
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    headers.push("Full Name".to_string());
    let mut first: Vec<String> = reader
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    first.push("Ada Quill".to_string());
    // Inputs that take one value for the whole column (a HeyReach sender) get the demo's.
    let constants = [("heyreach_sender_id", "demo-sender-1")];
    for integration in leadgrid::integrations::registry() {
        let spec = integration.spec();
        let inputs: Fields = spec
            .inputs
            .iter()
            .map(|input| {
                let value = match leadgrid::integrations::guess_column(input, &headers) {
                    Some(col) => first[col].clone(),
                    None if input.allows_constant => constants
                        .iter()
                        .find(|(name, _)| *name == input.name)
                        .unwrap_or_else(|| {
                            panic!("{}: no demo value for {}", spec.name, input.name)
                        })
                        .1
                        .to_string(),
                    None => panic!("{}: no column guessed for {}", spec.name, input.name),
                };
                (input.name.to_string(), value)
            })
            .collect();
        assert_eq!(missing_inputs(spec, &inputs), None, "{}", spec.name);
        let enriched = integration.enrich(&ctx, &inputs).await.unwrap();
        assert!(!enriched.fields.is_empty(), "{}", spec.name);
        for name in enriched.fields.keys() {
            assert!(
                spec.outputs.iter().any(|o| o.name == name),
                "{} produced undeclared output {name}",
                spec.name
            );
        }
    }
    server.shutdown().await;
}
