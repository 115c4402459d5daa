//! The HeyReach integrations against the demo server, over real sockets.

mod common;

use common::demo::{direct_ctx, enrich, field, sample_rows};
use leadgrid::demo::{DemoOptions, DemoServer};
use leadgrid::integrations::{Ctx, Enriched, Fields, find, missing_inputs};
use leadgrid::providers::datagen::DatagenClient;
use leadgrid::providers::{ErrorKind, ProviderId};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

async fn start() -> (DemoServer, Ctx) {
    let server = DemoServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        DemoOptions::default(),
    )
    .await
    .unwrap();
    let client = DatagenClient::new(&server.base_url(), None, Duration::from_secs(10)).unwrap();
    let ctx = direct_ctx(client);
    (server, ctx)
}

/// The named outputs of a result, in order, for compact expectations.
fn fields(e: &Enriched, names: &[&str]) -> Vec<String> {
    names.iter().map(|n| field(e, n).to_string()).collect()
}

fn first_name(row: &Fields) -> &str {
    row["first_name"].as_str()
}

#[tokio::test]
async fn engagement_on_the_sample_list() {
    let (server, ctx) = start().await;
    const OUT: &[&str] = &[
        "heyreach_conversations_count",
        "heyreach_messages_sent",
        "heyreach_messages_received",
        "heyreach_last_reply_date",
        "heyreach_meeting_booked",
    ];
    let expected: BTreeMap<&str, Option<[&str; 5]>> = BTreeMap::from([
        ("Ada", Some(["1", "2", "2", "2026-01-04T10:20:00Z", "true"])),
        ("Bram", Some(["0", "0", "0", "", "false"])),
        (
            "Chiara",
            Some(["1", "1", "1", "2026-02-12T14:05:00Z", "false"]),
        ),
        ("Dev", Some(["1", "3", "0", "", "false"])),
        // "unavailable" and "Recalled" are not the whole words "available" and "call".
        (
            "Elin",
            Some(["2", "2", "1", "2026-01-07T07:45:00Z", "false"]),
        ),
        (
            "Farid",
            Some(["1", "3", "2", "2025-09-17T15:30:00Z", "true"]),
        ),
        ("Hiro", None),
    ]);
    for row in sample_rows() {
        let spec = find("heyreach_engagement").unwrap().spec();
        if missing_inputs(spec, &row).is_some() {
            assert_eq!(first_name(&row), "Grace");
            continue;
        }
        let result = enrich(&ctx, "heyreach_engagement", &row).await;
        match expected[first_name(&row)] {
            Some(want) => assert_eq!(fields(&result.unwrap(), OUT), want, "{}", first_name(&row)),
            None => assert_eq!(result.unwrap_err().kind, ErrorKind::NoData),
        }
    }

    // The message that signalled a meeting is shown, with its date.
    let rows = sample_rows();
    let ada = enrich(&ctx, "heyreach_engagement", &rows[0]).await.unwrap();
    assert_eq!(ada.notes.len(), 1);
    assert!(
        ada.notes[0].starts_with(
            r#"meeting signal ("calendly") in message of 2026-01-04: "Sure, grab a slot"#
        ),
        "{}",
        ada.notes[0]
    );
    let farid = enrich(&ctx, "heyreach_engagement", &rows[5]).await.unwrap();
    assert!(
        farid.notes[0].contains(r#"("available")"#),
        "{:?}",
        farid.notes
    );
    assert!(farid.notes[0].contains("2025-09-17"), "{:?}", farid.notes);

    for call in ctx.take_calls() {
        assert_eq!(call.provider, ProviderId::HEYREACH);
        assert_eq!(call.request["limit"], 100);
        assert_eq!(call.request["offset"], 0);
        let url = call.request["leadProfileUrl"].as_str().unwrap();
        assert!(url.starts_with("https://www.linkedin.com/in/"), "{url}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn campaigns_on_the_sample_list() {
    let (server, ctx) = start().await;
    const OUT: &[&str] = &[
        "heyreach_campaign_count",
        "heyreach_campaign_names",
        "heyreach_last_campaign_status",
        "heyreach_active_campaigns",
        "heyreach_first_contacted_date",
    ];
    let expected: BTreeMap<&str, Option<[&str; 5]>> = BTreeMap::from([
        (
            "Ada",
            Some([
                "2",
                "Q4 webinar guests, Q1 founders",
                "IN_PROGRESS",
                "1",
                "",
            ]),
        ),
        ("Bram", Some(["1", "Q1 founders", "IN_PROGRESS", "1", ""])),
        (
            "Chiara",
            Some(["2", "Q4 webinar guests, Platform leads", "PAUSED", "0", ""]),
        ),
        (
            "Dev",
            Some(["2", "Legacy outbound, Platform leads", "PAUSED", "0", ""]),
        ),
        (
            "Elin",
            Some([
                "3",
                "Q1 founders, Q1 founders follow-up, Nordic SaaS",
                "SCHEDULED",
                "2",
                "",
            ]),
        ),
        (
            "Farid",
            Some(["2", "Legacy outbound, Nordic SaaS", "SCHEDULED", "1", ""]),
        ),
        ("Hiro", None),
    ]);
    for row in sample_rows()
        .iter()
        .filter(|r| !r["linkedin_url"].is_empty())
    {
        let result = enrich(&ctx, "heyreach_campaigns", row).await;
        match expected[first_name(row)] {
            Some(want) => assert_eq!(fields(&result.unwrap(), OUT), want, "{}", first_name(row)),
            None => assert_eq!(result.unwrap_err().kind, ErrorKind::NoData),
        }
    }
    let calls = ctx.take_calls();
    assert_eq!(calls.len(), 7);
    assert!(calls.iter().all(|c| c.request["profileUrl"].is_string()));
    server.shutdown().await;
}

fn network_inputs(row: &Fields, sender: &str) -> Fields {
    let mut inputs = row.clone();
    inputs.insert("heyreach_sender_id".into(), sender.into());
    inputs
}

#[tokio::test]
async fn network_of_the_demo_sender_is_paged_and_matched() {
    let (server, ctx) = start().await;
    // (is connection, degree, pages read); Dev is listed by opaque id, so he cannot be matched.
    let expected: BTreeMap<&str, (&str, &str, usize)> = BTreeMap::from([
        ("Ada", ("true", "1", 1)),
        ("Bram", ("false", "", 3)),
        ("Chiara", ("true", "1", 2)),
        ("Dev", ("false", "", 3)),
        ("Elin", ("true", "1", 2)),
        ("Farid", ("false", "", 3)),
        ("Hiro", ("true", "1", 3)),
    ]);
    let mut pages_seen = BTreeSet::new();
    for row in sample_rows()
        .iter()
        .filter(|r| !r["linkedin_url"].is_empty())
    {
        let name = first_name(row);
        let e = enrich(
            &ctx,
            "heyreach_network",
            &network_inputs(row, "demo-sender-1"),
        )
        .await
        .unwrap();
        let (connected, degree, pages) = expected[name];
        assert_eq!(field(&e, "heyreach_is_connection"), connected, "{name}");
        assert_eq!(field(&e, "heyreach_connection_degree"), degree, "{name}");
        assert_eq!(field(&e, "heyreach_mutual_connections_count"), "", "{name}");
        let calls = ctx.take_calls();
        assert_eq!(calls.len(), pages, "{name}");
        for (n, call) in calls.iter().enumerate() {
            // Identical across rows, so the engine can share each page.
            assert_eq!(
                call.request,
                json!({"senderId": "demo-sender-1", "pageNumber": n, "pageSize": 100}),
                "{name}"
            );
            pages_seen.insert(call.request.to_string());
        }
    }
    assert_eq!(pages_seen.len(), 3);
    let stats = server.stats();
    assert_eq!(
        stats.by_tool.get("mcp_Heyreach_get_my_network_for_sender"),
        Some(&17)
    );
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_sender_has_an_empty_network() {
    let (server, ctx) = start().await;
    let row = &sample_rows()[0];
    for sender in ["no-such-sender", "123456"] {
        let e = enrich(&ctx, "heyreach_network", &network_inputs(row, sender))
            .await
            .unwrap();
        assert_eq!(field(&e, "heyreach_is_connection"), "false");
    }
    let calls = ctx.take_calls();
    assert_eq!(calls.len(), 2);
    // A numeric sender id goes out as a number.
    assert_eq!(calls[1].request["senderId"], 123456);
    server.shutdown().await;
}

#[tokio::test]
async fn campaign_stats_by_name() {
    let (server, ctx) = start().await;
    const OUT: &[&str] = &[
        "heyreach_campaign_id",
        "heyreach_message_reply_rate",
        "heyreach_inmail_reply_rate",
        "heyreach_total_message_replies",
        "heyreach_total_inmail_replies",
    ];
    for (name, want) in [
        ("Q1 founders", ["41001", "18.3", "25.0", "22", "3"]),
        // Exact beats "Platform leads EMEA".
        ("platform leads", ["41003", "9.2", "0.0", "11", "0"]),
        ("Nordic SaaS", ["41004", "0.0", "0.0", "0", "0"]),
        // The only name containing it.
        ("webinar", ["41005", "31.1", "40.0", "56", "8"]),
    ] {
        let inputs = Fields::from([("campaign_name".to_string(), name.to_string())]);
        let e = enrich(&ctx, "heyreach_campaign_stats", &inputs)
            .await
            .unwrap();
        assert_eq!(fields(&e, OUT), want, "{name}");
    }
    for (name, message) in [
        ("Ghost campaign", "Campaign not found: 'Ghost campaign'"),
        (
            "Q1",
            "Campaign name 'Q1' is ambiguous: 'Q1 founders', 'Q1 founders follow-up'",
        ),
    ] {
        let inputs = Fields::from([("campaign_name".to_string(), name.to_string())]);
        let err = enrich(&ctx, "heyreach_campaign_stats", &inputs)
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Permanent);
        assert_eq!(err.message, message);
    }
    // The stats request had both id lists and the wide window (the demo insists, as the live tool needs).
    let stats_calls: Vec<_> = ctx
        .take_calls()
        .into_iter()
        .filter(|c| c.tool == "mcp_Heyreach_get_overall_stats")
        .collect();
    assert_eq!(stats_calls.len(), 4);
    for c in stats_calls {
        assert_eq!(c.request["startDate"], "2015-01-01T00:00:00Z");
        assert_eq!(c.request["accountIds"], json!([]));
    }
    server.shutdown().await;
}

#[tokio::test]
async fn results_come_list_wrapped_and_other_leads_get_synthetic_data() {
    let (server, ctx) = start().await;
    let client = DatagenClient::new(&server.base_url(), None, Duration::from_secs(10)).unwrap();
    let raw = client
        .execute_once(
            "mcp_Heyreach_get_campaigns_for_lead",
            &json!({"profileUrl": "https://www.linkedin.com/in/ada-quill-demo/", "limit": 100, "offset": 0}),
        )
        .await
        .result
        .unwrap();
    assert_eq!(raw.as_array().map(Vec::len), Some(1));
    assert_eq!(raw[0]["leadFullName"], "Ada Quill");

    let mut known = 0;
    for n in 0..30 {
        let inputs = Fields::from([(
            "linkedin_url".to_string(),
            format!("https://www.linkedin.com/in/noor-patel-{n:x}-demo/"),
        )]);
        let first = enrich(&ctx, "heyreach_engagement", &inputs).await;
        let again = enrich(&ctx, "heyreach_engagement", &inputs).await;
        match (first, again) {
            (Ok(a), Ok(b)) => {
                known += 1;
                assert_eq!(a.fields, b.fields);
                let sent: u64 = field(&a, "heyreach_messages_sent").parse().unwrap();
                let count: u64 = field(&a, "heyreach_conversations_count").parse().unwrap();
                assert!(sent >= count, "every conversation starts with our message");
            }
            (Err(a), Err(b)) => {
                assert_eq!(a.kind, ErrorKind::NoData);
                assert_eq!(b.kind, ErrorKind::NoData);
            }
            (a, b) => panic!("answers differ: {a:?} / {b:?}"),
        }
    }
    assert!(known >= 20, "{known}");
    server.shutdown().await;
}

/// Through the real binary and engine: every row scans the same sender network, yet each page
/// (and each campaign lookup) is paid for once.
#[test]
fn headless_run_pays_each_network_page_once() {
    let demo = leadgrid::demo::DemoHandle::start_background(DemoOptions {
        required_key: Some("demo-key".into()),
        ..DemoOptions::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let input = dir.path().join("sample.csv");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/lead-list/sample.csv"),
        &input,
    )
    .unwrap();
    let output = dir.path().join("out.csv");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leadgrid"))
        .args(["run", "sample.csv", "--json", "-o", "out.csv"])
        .args(["-i", "heyreach_network,heyreach_campaign_stats"])
        .args(["--set", "heyreach_sender_id=demo-sender-1"])
        .current_dir(dir.path())
        .env("LEADGRID_CONFIG", &config)
        .env("LEADGRID_STORE", dir.path().join("store.sqlite3"))
        .env("DATAGEN_API_KEY", "demo-key")
        .env("DATAGEN_BASE_URL", demo.base_url())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stats = demo.stats();
    let paid = |tool: &str| stats.by_tool.get(tool).copied().unwrap_or(0);
    assert_eq!(paid("mcp_Heyreach_get_my_network_for_sender"), 3);
    assert_eq!(paid("mcp_Heyreach_get_all_campaigns"), 3);
    assert_eq!(paid("mcp_Heyreach_get_overall_stats"), 3);
    assert_eq!(stats.duplicate_paid, 0);

    let mut reader = csv::Reader::from_path(&output).unwrap();
    let rows: Vec<Fields> = reader.deserialize().collect::<Result<_, _>>().unwrap();
    let connected: Vec<&str> = rows
        .iter()
        .filter(|r| r["heyreach_is_connection"] == "true")
        .map(first_name)
        .collect();
    assert_eq!(connected, ["Ada", "Chiara", "Elin", "Hiro"]);
    assert_eq!(rows[6]["heyreach_is_connection"], "", "Grace has no URL");
    assert_eq!(rows[6]["heyreach_campaign_id"], "41004", "Nordic SaaS");
}
