//! `heyreach_network`: whether the lead is a first-degree connection of a HeyReach sender account.

use crate::integrations::heyreach::{PROVIDER, bool_cell, page};
use crate::integrations::linkedin_url::{LINKEDIN_URL_INPUT, input_url, profile_slug};
use crate::integrations::{
    Ctx, EnrichError, Enriched, Fields, InputSpec, IntegrationSpec, OutputKind, OutputSpec,
    RowEnrich,
};
use crate::providers::ErrorKind;
use serde_json::{Value, json};
use std::collections::HashSet;

/// The DataGen tool this integration calls.
pub const NETWORK_TOOL: &str = "mcp_Heyreach_get_my_network_for_sender";

/// Connections asked for per page; HeyReach allows at most 100.
pub const NETWORK_PAGE_SIZE: u64 = 100;

/// Pages read at most: LinkedIn caps a network at 30,000 connections, so this covers any sender.
pub const MAX_NETWORK_PAGES: u64 = 300;

/// The sender account whose network is searched.
pub const SENDER_ID_INPUT: InputSpec = InputSpec {
    name: "heyreach_sender_id",
    description: "HeyReach sender (LinkedIn account) id whose network is searched",
    guesses: &[
        "heyreach_sender_id",
        "sender_id",
        "heyreach sender",
        "sender account id",
        "linkedin_account_id",
    ],
    required: true,
    allows_constant: true,
};

static SPEC: IntegrationSpec = IntegrationSpec {
    name: "heyreach_network",
    description: "Whether the lead is a 1st-degree connection of a HeyReach sender, from the sender's network list. \
        Profiles HeyReach lists by opaque id (/in/ACoAA…) can't be matched to vanity URLs; \
        the API has no degree or mutual-connection data, so degree is 1 or empty and the mutual count stays empty",
    provider: PROVIDER,
    tools: &[NETWORK_TOOL],
    inputs: &[LINKEDIN_URL_INPUT, SENDER_ID_INPUT],
    outputs: &[
        OutputSpec {
            name: "heyreach_is_connection",
            kind: OutputKind::Bool,
            description: "The lead is in the sender's network",
        },
        OutputSpec {
            name: "heyreach_connection_degree",
            kind: OutputKind::Integer,
            description: "1 when connected, else empty (HeyReach gives no other degree)",
        },
        OutputSpec {
            name: "heyreach_mutual_connections_count",
            kind: OutputKind::Integer,
            description: "Always empty: HeyReach's network API has no mutual-connection count",
        },
    ],
    cost_per_row_usd: 0.005,
};

/// The `heyreach_network` integration.
pub struct HeyreachNetwork;

impl RowEnrich for HeyreachNetwork {
    const SPEC: &'static IntegrationSpec = &SPEC;

    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        let url = input_url(inputs)?;
        let slug = profile_slug(&url).unwrap_or_default();
        let sender_raw = inputs
            .get(SENDER_ID_INPUT.name)
            .map(|s| s.trim())
            .unwrap_or_default();
        let sender = sender_id(sender_raw)?;
        let scan = scan(ctx, &sender, &slug).await?;
        outcome(&scan, sender_raw)
    }
}

/// The sender id as HeyReach expects it: a number when it is one, else the text as given.
pub fn sender_id(raw: &str) -> Result<Value, EnrichError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(EnrichError::new(
            ErrorKind::Permanent,
            "missing required columns: heyreach_sender_id",
        ));
    }
    Ok(raw.parse::<i64>().map_or_else(|_| json!(raw), |n| json!(n)))
}

/// One page request. Only the sender and page go in, so every row of a sender asks for
/// identical pages and the engine's call sharing and cache pay for each page once.
pub fn params(sender: &Value, page_number: u64) -> Value {
    json!({"senderId": sender, "pageNumber": page_number, "pageSize": NETWORK_PAGE_SIZE})
}

/// Whether a network entry is the lead with profile slug `slug` (compared in normalized form).
pub fn is_lead(item: &Value, slug: &str) -> bool {
    let by_url = item
        .get("profileUrl")
        .and_then(Value::as_str)
        .and_then(profile_slug)
        .is_some_and(|s| s == slug);
    let by_id = item
        .get("linkedin_id")
        .and_then(Value::as_str)
        .is_some_and(|id| id.trim().eq_ignore_ascii_case(slug));
    by_url || by_id
}

/// What identifies a network entry across pages, to spot a page served twice.
fn entry_key(item: &Value) -> String {
    item.get("profileUrl")
        .and_then(Value::as_str)
        .and_then(profile_slug)
        .or_else(|| {
            item.get("linkedin_id")
                .and_then(Value::as_str)
                .map(str::to_lowercase)
        })
        .unwrap_or_else(|| item.to_string())
}

/// What to do after reading a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Read this page number next.
    Next(u64),
    /// Paging is over; `complete` says whether the whole network was seen.
    Stop { complete: bool },
}

/// Decides the next page. Pages may be numbered from 0 (HeyReach's example) or 1 (one client's
/// reading), so: an empty page 0 of a non-empty network moves on to page 1, a page 1 repeating
/// page 0 is skipped over, and otherwise an empty page, a reached `totalCount`, a short page
/// without a total, or a page of nothing new ends the scan.
pub fn next_step(
    page_number: u64,
    got: usize,
    fresh: usize,
    seen: usize,
    total: Option<u64>,
) -> Step {
    if got == 0 {
        if page_number == 0 && total.is_some_and(|t| t > 0) {
            return Step::Next(1);
        }
        return Step::Stop { complete: true };
    }
    if total.is_some_and(|t| seen as u64 >= t) {
        return Step::Stop { complete: true };
    }
    if fresh == 0 && page_number != 1 {
        return Step::Stop { complete: false };
    }
    if total.is_none() && (got as u64) < NETWORK_PAGE_SIZE {
        return Step::Stop { complete: true };
    }
    Step::Next(page_number + 1)
}

/// The result of searching a sender's network for one lead.
#[derive(Debug, Clone, PartialEq)]
pub enum Scan {
    /// The lead's entry, as listed.
    Found(Value),
    /// The lead was not among the connections seen.
    NotFound {
        /// Every connection was seen.
        complete: bool,
        /// Distinct connections seen.
        seen: usize,
        /// The network's `totalCount`, when given.
        total: Option<u64>,
        /// Pages requested.
        pages: u64,
    },
}

/// Reads the sender's network page by page until the lead turns up or the network ends.
pub async fn scan(ctx: &Ctx, sender: &Value, slug: &str) -> Result<Scan, EnrichError> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut total = None;
    let mut page_number = 0;
    let mut pages = 0;
    let mut complete = false;
    while pages < MAX_NETWORK_PAGES {
        let result = ctx
            .call(PROVIDER, NETWORK_TOOL, params(sender, page_number))
            .await?;
        pages += 1;
        let p = page(&result)?;
        total = total.max(p.total_count);
        if let Some(hit) = p.items.iter().find(|item| is_lead(item, slug)) {
            return Ok(Scan::Found(hit.clone()));
        }
        let fresh = p
            .items
            .iter()
            .filter(|item| seen.insert(entry_key(item)))
            .count();
        match next_step(page_number, p.items.len(), fresh, seen.len(), total) {
            Step::Next(n) => page_number = n,
            Step::Stop { complete: c } => {
                complete = c;
                break;
            }
        }
    }
    Ok(Scan::NotFound {
        complete,
        seen: seen.len(),
        total,
        pages,
    })
}

/// Turns a scan into this integration's outputs; a scan that could not see the whole network
/// cannot say "not connected", so it is an error.
pub fn outcome(scan: &Scan, sender: &str) -> Result<Enriched, EnrichError> {
    let mut fields = Fields::new();
    let mut notes = Vec::new();
    match scan {
        Scan::Found(entry) => {
            fields.insert("heyreach_is_connection".into(), bool_cell(true));
            fields.insert("heyreach_connection_degree".into(), "1".into());
            let listed = entry
                .get("profileUrl")
                .and_then(Value::as_str)
                .unwrap_or("(no profileUrl)");
            notes.push(format!("in the network of sender {sender} as {listed}"));
        }
        Scan::NotFound { complete: true, .. } => {
            fields.insert("heyreach_is_connection".into(), bool_cell(false));
        }
        Scan::NotFound {
            complete: false,
            seen,
            total,
            pages,
        } => {
            let of = total.map_or_else(String::new, |t| format!(" of {t}"));
            return Err(EnrichError::new(
                ErrorKind::Permanent,
                format!(
                    "not among the {seen}{of} connections of sender {sender} read in {pages} pages; the network could not be read to its end"
                ),
            ));
        }
    }
    Ok(Enriched { fields, notes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::heyreach::tests::fake_ctx;

    fn get<'a>(e: &'a Enriched, k: &str) -> Option<&'a str> {
        e.fields.get(k).map(String::as_str)
    }

    fn conn(i: u64) -> Value {
        json!({"linkedin_id": format!("ACoAA{i}"), "profileUrl": format!("https://www.linkedin.com/in/person-{i}"),
               "firstName": "P", "lastName": format!("{i}"), "headline": "h", "connections": 500, "followers": 9})
    }

    /// A network of `n` connections, paged from `base` (0 or 1); `lead` is inserted at `at`.
    fn network(
        n: u64,
        base: u64,
        lead: Option<(u64, Value)>,
    ) -> impl Fn(&str, &Value) -> Result<Value, crate::providers::CallError> + Send + Sync + 'static
    {
        move |tool: &str, p: &Value| {
            assert_eq!(tool, NETWORK_TOOL);
            let number = p["pageNumber"].as_u64().unwrap();
            let size = p["pageSize"].as_u64().unwrap();
            let start = number.saturating_sub(base) * size;
            let items: Vec<Value> = (start..(start + size).min(n))
                .map(|i| match &lead {
                    Some((at, v)) if *at == i => v.clone(),
                    _ => conn(i),
                })
                .collect();
            Ok(json!([{"totalCount": n, "items": items}]))
        }
    }

    fn pages_asked(requests: &std::sync::Mutex<Vec<(String, Value)>>) -> Vec<u64> {
        requests
            .lock()
            .unwrap()
            .iter()
            .map(|(_, p)| p["pageNumber"].as_u64().unwrap())
            .collect()
    }

    #[test]
    fn urls_in_any_form_match() {
        for url in [
            "http://linkedin.com/in/Ada-Quill-Demo?trk=x",
            "https://www.linkedin.com/in/ada-quill-demo",
            "linkedin.com/in/ada-quill-demo/",
            "HTTPS://WWW.LINKEDIN.COM/IN/ADA-QUILL-DEMO/",
        ] {
            assert!(
                is_lead(&json!({"profileUrl": url}), "ada-quill-demo"),
                "{url}"
            );
        }
        assert!(!is_lead(
            &json!({"profileUrl": "https://www.linkedin.com/in/ACoAAB9xyz"}),
            "ada-quill-demo"
        ));
        assert!(is_lead(&json!({"linkedin_id": "ACoAAB9xyz"}), "acoaab9xyz"));
        assert!(!is_lead(&json!({}), "ada-quill-demo"));
    }

    #[test]
    fn step_rules() {
        assert_eq!(next_step(0, 0, 0, 0, Some(250)), Step::Next(1));
        assert_eq!(
            next_step(0, 0, 0, 0, Some(0)),
            Step::Stop { complete: true }
        );
        assert_eq!(
            next_step(3, 0, 0, 300, Some(350)),
            Step::Stop { complete: true }
        );
        assert_eq!(next_step(0, 100, 100, 100, Some(250)), Step::Next(1));
        assert_eq!(next_step(1, 100, 0, 100, Some(250)), Step::Next(2));
        assert_eq!(
            next_step(2, 100, 0, 100, Some(250)),
            Step::Stop { complete: false }
        );
        assert_eq!(
            next_step(2, 50, 50, 250, Some(250)),
            Step::Stop { complete: true }
        );
        assert_eq!(
            next_step(2, 50, 50, 250, None),
            Step::Stop { complete: true }
        );
        assert_eq!(next_step(2, 100, 100, 300, None), Step::Next(3));
    }

    #[test]
    fn sender_ids() {
        assert_eq!(sender_id(" 456 ").unwrap(), json!(456));
        assert_eq!(sender_id("demo-sender-1").unwrap(), json!("demo-sender-1"));
        assert!(sender_id("  ").is_err());
        assert_eq!(
            params(&json!(456), 2),
            json!({"senderId": 456, "pageNumber": 2, "pageSize": 100})
        );
    }

    #[test]
    fn outcomes() {
        let found = outcome(&Scan::Found(conn(7)), "456").unwrap();
        assert_eq!(get(&found, "heyreach_is_connection"), Some("true"));
        assert_eq!(get(&found, "heyreach_connection_degree"), Some("1"));
        assert_eq!(get(&found, "heyreach_mutual_connections_count"), None);
        assert_eq!(
            found.notes,
            ["in the network of sender 456 as https://www.linkedin.com/in/person-7"]
        );

        let absent = outcome(
            &Scan::NotFound {
                complete: true,
                seen: 250,
                total: Some(250),
                pages: 3,
            },
            "456",
        )
        .unwrap();
        assert_eq!(get(&absent, "heyreach_is_connection"), Some("false"));
        assert_eq!(get(&absent, "heyreach_connection_degree"), None);

        let partial = outcome(
            &Scan::NotFound {
                complete: false,
                seen: 100,
                total: Some(250),
                pages: 3,
            },
            "456",
        )
        .unwrap_err();
        assert_eq!(partial.kind, ErrorKind::Permanent);
        assert!(
            partial.message.contains("100 of 250"),
            "{}",
            partial.message
        );
    }

    fn inputs(url: &str, sender: &str) -> Fields {
        Fields::from([
            ("linkedin_url".to_string(), url.to_string()),
            ("heyreach_sender_id".to_string(), sender.to_string()),
        ])
    }

    #[tokio::test]
    async fn zero_based_network_stops_at_the_lead() {
        let lead = json!({"profileUrl": "http://LinkedIn.com/in/Ada-Quill-Demo/"});
        let (ctx, caller) = fake_ctx(network(250, 0, Some((150, lead))));
        let e = HeyreachNetwork
            .run(
                &ctx,
                &inputs("https://www.linkedin.com/in/ada-quill-demo/", "456"),
            )
            .await
            .unwrap();
        assert_eq!(get(&e, "heyreach_is_connection"), Some("true"));
        assert_eq!(pages_asked(&caller.requests), [0, 1]);
    }

    #[tokio::test]
    async fn zero_based_network_read_to_the_end() {
        let (ctx, caller) = fake_ctx(network(250, 0, None));
        let e = HeyreachNetwork
            .run(&ctx, &inputs("https://www.linkedin.com/in/nobody/", "456"))
            .await
            .unwrap();
        assert_eq!(get(&e, "heyreach_is_connection"), Some("false"));
        assert_eq!(pages_asked(&caller.requests), [0, 1, 2]);
    }

    #[tokio::test]
    async fn one_based_network_clamping_page_zero() {
        let lead = json!({"profileUrl": "https://www.linkedin.com/in/ada-quill-demo"});
        let (ctx, caller) = fake_ctx(network(250, 1, Some((249, lead))));
        let e = HeyreachNetwork
            .run(&ctx, &inputs("linkedin.com/in/ada-quill-demo", "456"))
            .await
            .unwrap();
        assert_eq!(get(&e, "heyreach_is_connection"), Some("true"));
        // This 1-based server treats page 0 as page 1, so page 1 repeats it and is skipped over.
        assert_eq!(pages_asked(&caller.requests), [0, 1, 2, 3]);
    }

    #[tokio::test]
    async fn one_based_network_with_truly_empty_page_zero() {
        let (ctx, caller) = fake_ctx(|_: &str, p: &Value| {
            let n = p["pageNumber"].as_u64().unwrap();
            let items: Vec<Value> = match n {
                1 => (0..100).map(conn).collect(),
                2 => (100..120).map(conn).collect(),
                _ => Vec::new(),
            };
            Ok(json!([{"totalCount": 120, "items": items}]))
        });
        let e = HeyreachNetwork
            .run(
                &ctx,
                &inputs("https://www.linkedin.com/in/person-110/", "456"),
            )
            .await
            .unwrap();
        assert_eq!(get(&e, "heyreach_is_connection"), Some("true"));
        assert_eq!(pages_asked(&caller.requests), [0, 1, 2]);
    }

    #[tokio::test]
    async fn empty_network_and_paging_ignored_by_the_server() {
        let (ctx, caller) =
            fake_ctx(|_: &str, _: &Value| Ok(json!([{"totalCount": 0, "items": []}])));
        let e = HeyreachNetwork
            .run(&ctx, &inputs("https://www.linkedin.com/in/ada/", "unknown"))
            .await
            .unwrap();
        assert_eq!(get(&e, "heyreach_is_connection"), Some("false"));
        assert_eq!(pages_asked(&caller.requests), [0]);

        // A server that always sends page 0 must not be read 300 times.
        let (ctx, caller) = fake_ctx(|_: &str, _: &Value| {
            Ok(json!([{"totalCount": 1000, "items": (0..100).map(conn).collect::<Vec<_>>()}]))
        });
        let err = HeyreachNetwork
            .run(&ctx, &inputs("https://www.linkedin.com/in/ada/", "456"))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Permanent);
        assert_eq!(pages_asked(&caller.requests), [0, 1, 2]);
    }

    #[tokio::test]
    async fn every_row_asks_for_identical_pages() {
        let (ctx, caller) = fake_ctx(network(150, 0, None));
        for url in [
            "https://www.linkedin.com/in/a/",
            "https://www.linkedin.com/in/b/",
        ] {
            HeyreachNetwork
                .run(&ctx, &inputs(url, "456"))
                .await
                .unwrap();
        }
        let requests = caller.requests.lock().unwrap();
        assert_eq!(requests.len(), 4);
        assert_eq!(requests[0], requests[2]);
        assert_eq!(requests[1], requests[3]);
    }
}
