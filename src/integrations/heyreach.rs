//! What the HeyReach integrations share: reading their list-wrapped results and paging through them.

use crate::integrations::{Ctx, EnrichError};
use crate::providers::ProviderId;
use serde_json::{Map, Value};

/// The provider every HeyReach tool is called through, so the engine paces them at HeyReach's limit.
pub const PROVIDER: ProviderId = ProviderId::HEYREACH;

/// Items asked for per page; HeyReach allows at most 100.
pub const PAGE_LIMIT: u64 = 100;

/// Pages read at most for one row of an offset-paged tool; the rest is reported as truncated.
pub const MAX_PAGES: usize = 20;

/// How booleans are written to cells.
pub fn bool_cell(b: bool) -> String {
    if b { "true" } else { "false" }.to_string()
}

/// One page of a HeyReach list result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// `totalCount`, when the page carries a readable one.
    pub total_count: Option<u64>,
    /// The page's items that are objects.
    pub items: Vec<Value>,
}

/// Reads one page of a list tool's result. HeyReach tools wrap `{"totalCount", "items"}` in a
/// one-element list; the bare object, a bare list of items and JSON sent as text are accepted too.
pub fn page(result: &Value) -> Result<Page, EnrichError> {
    match result {
        Value::Null => Ok(Page::default()),
        // MCP tools may hand their JSON over as text.
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(inner @ (Value::Array(_) | Value::Object(_) | Value::Null)) => page(&inner),
            _ => Err(EnrichError::bad_response(format!(
                "HeyReach answered with text, not a list: {}",
                crate::providers::datagen::truncate(text, 120)
            ))),
        },
        Value::Object(obj) => page_of_object(obj),
        Value::Array(list) if list.iter().any(is_wrapper) => {
            let mut merged = Page::default();
            for wrapper in list.iter().filter_map(Value::as_object) {
                let p = page_of_object(wrapper)?;
                merged.total_count = merged.total_count.or(p.total_count);
                merged.items.extend(p.items);
            }
            Ok(merged)
        }
        Value::Array(list) => Ok(Page {
            total_count: None,
            items: list.iter().filter(|v| v.is_object()).cloned().collect(),
        }),
        other => Err(EnrichError::bad_response(format!(
            "HeyReach result is not a list: {other}"
        ))),
    }
}

/// The single object of a non-list result (e.g. overall stats), list-wrapped or bare.
pub fn single_object(result: &Value) -> Result<Map<String, Value>, EnrichError> {
    match result {
        Value::Object(obj) => Ok(obj.clone()),
        Value::Array(list) => match list.as_slice() {
            [] => Ok(Map::new()),
            [one, ..] => single_object(one),
        },
        Value::Null => Ok(Map::new()),
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(inner @ (Value::Array(_) | Value::Object(_))) => single_object(&inner),
            _ => Err(EnrichError::bad_response(format!(
                "HeyReach answered with text, not an object: {}",
                crate::providers::datagen::truncate(text, 120)
            ))),
        },
        other => Err(EnrichError::bad_response(format!(
            "HeyReach result is not an object: {other}"
        ))),
    }
}

fn is_wrapper(v: &Value) -> bool {
    v.get("items").is_some() || v.get("totalCount").is_some()
}

fn page_of_object(obj: &Map<String, Value>) -> Result<Page, EnrichError> {
    let items = match obj.get("items") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter(|v| v.is_object()).cloned().collect(),
        Some(other) => {
            return Err(EnrichError::bad_response(format!(
                "HeyReach items is not a list: {other}"
            )));
        }
    };
    Ok(Page {
        total_count: obj.get("totalCount").and_then(as_count),
        items,
    })
}

/// A non-negative count sent as a number or a numeric string.
pub fn as_count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f.round() as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The raw results of an offset-paged listing, and whether every item was read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fetched {
    /// Each page's raw tool result, in order.
    pub results: Vec<Value>,
    /// False when paging stopped at [`MAX_PAGES`] before the end.
    pub complete: bool,
}

/// Every item of fetched pages, with the listing's total.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    /// Every page's items, in order.
    pub items: Vec<Value>,
    /// The largest `totalCount` any page gave.
    pub total_count: Option<u64>,
    /// Every item was read: paging ended by itself and no page announced more.
    pub complete: bool,
}

impl Listing {
    /// How many there are: the announced total, or the items read when that is more.
    pub fn count(&self) -> u64 {
        self.total_count.unwrap_or(0).max(self.items.len() as u64)
    }

    /// A note for the inspector when only part of the listing was read.
    pub fn truncation_note(&self, what: &str) -> Option<String> {
        (!self.complete).then(|| {
            let of = self
                .total_count
                .map_or_else(String::new, |t| format!(" of {t}"));
            format!(
                "read only the first {}{of} {what} (at most {MAX_PAGES} pages of {PAGE_LIMIT}); figures cover those",
                self.items.len()
            )
        })
    }
}

/// Merges the pages of a fetch into one listing.
pub fn listing(fetched: &Fetched) -> Result<Listing, EnrichError> {
    let mut out = Listing::default();
    for result in &fetched.results {
        let p = page(result)?;
        out.total_count = out.total_count.max(p.total_count);
        out.items.extend(p.items);
    }
    out.complete = fetched.complete && out.total_count.is_none_or(|t| out.items.len() as u64 >= t);
    Ok(out)
}

/// Whether offset paging is over after a page of `got` items, `fetched` items having been read in all.
pub fn offset_paging_done(got: usize, fetched: u64, total: Option<u64>) -> bool {
    got == 0
        || match total {
            Some(t) => fetched >= t,
            None => (got as u64) < PAGE_LIMIT,
        }
}

/// The request for the page at `offset` of an offset-paged tool with parameters `params`.
pub fn offset_page(mut params: Map<String, Value>, offset: u64) -> Value {
    params.insert("limit".into(), PAGE_LIMIT.into());
    params.insert("offset".into(), offset.into());
    Value::Object(params)
}

/// Calls an offset-paged tool (`limit`, `offset`) until its `totalCount` is reached, a page is
/// empty, or [`MAX_PAGES`] pages were read. `params` holds the tool's other parameters.
pub async fn fetch_offset_pages(
    ctx: &Ctx,
    tool: &str,
    params: Map<String, Value>,
) -> Result<Fetched, EnrichError> {
    let mut fetched = Fetched::default();
    let mut offset = 0u64;
    let mut total = None;
    while fetched.results.len() < MAX_PAGES {
        let request = offset_page(params.clone(), offset);
        let result = ctx.call(PROVIDER, tool, request).await?;
        let p = page(&result)?;
        total = total.max(p.total_count);
        offset += p.items.len() as u64;
        fetched.results.push(result);
        if offset_paging_done(p.items.len(), offset, total) {
            fetched.complete = true;
            break;
        }
    }
    Ok(fetched)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::integrations::{CallObserver, NoObserver, ToolCaller};
    use crate::providers::{CallError, CallRecord, ErrorKind, ToolFailure, ToolOutput};
    use futures::future::BoxFuture;
    use serde_json::json;
    use std::sync::{Arc, Mutex};

    /// Answers tool calls from a function of the parameters and remembers every request.
    pub(crate) struct FakeCaller<F> {
        pub answer: F,
        pub requests: Mutex<Vec<(String, Value)>>,
    }

    impl<F> ToolCaller for FakeCaller<F>
    where
        F: Fn(&str, &Value) -> Result<Value, CallError> + Send + Sync,
    {
        fn call<'a>(
            &'a self,
            provider: ProviderId,
            tool: &'a str,
            params: Value,
            _observer: &'a dyn CallObserver,
        ) -> BoxFuture<'a, Result<ToolOutput, ToolFailure>> {
            Box::pin(async move {
                assert_eq!(provider, ProviderId::HEYREACH);
                self.requests
                    .lock()
                    .unwrap()
                    .push((tool.to_string(), params.clone()));
                let record = CallRecord {
                    provider,
                    tool: tool.to_string(),
                    request: params.clone(),
                    attempts: Vec::new(),
                    raw_response: None,
                    cached: false,
                    shared: false,
                    usage: None,
                };
                match (self.answer)(tool, &params) {
                    Ok(result) => Ok(ToolOutput { result, record }),
                    Err(error) => Err(ToolFailure { error, record }),
                }
            })
        }
    }

    /// A context over a fake caller; the caller is returned too, to read its requests.
    pub(crate) fn fake_ctx<F>(answer: F) -> (Ctx, Arc<FakeCaller<F>>)
    where
        F: Fn(&str, &Value) -> Result<Value, CallError> + Send + Sync + 'static,
    {
        let caller = Arc::new(FakeCaller {
            answer,
            requests: Mutex::new(Vec::new()),
        });
        (Ctx::new(caller.clone(), Arc::new(NoObserver)), caller)
    }

    /// `n` numbered items starting at `from`.
    fn items(from: u64, n: u64) -> Vec<Value> {
        (from..from + n).map(|i| json!({ "id": i })).collect()
    }

    #[test]
    fn wrapped_bare_text_and_item_lists() {
        let wrapped = json!([{"totalCount": 2, "items": [{"id": 1}, {"id": 2}]}]);
        let bare = json!({"totalCount": 2, "items": [{"id": 1}, {"id": 2}]});
        let text = Value::String(wrapped.to_string());
        for r in [&wrapped, &bare, &text] {
            let p = page(r).unwrap();
            assert_eq!(p.total_count, Some(2), "{r}");
            assert_eq!(p.items.len(), 2, "{r}");
        }
        let items_only = page(&json!([{"id": 1}, "junk", {"id": 2}])).unwrap();
        assert_eq!((items_only.total_count, items_only.items.len()), (None, 2));
    }

    #[test]
    fn empty_and_odd_pages() {
        for r in [
            json!(null),
            json!([]),
            json!({}),
            json!([{"totalCount": 0, "items": []}]),
            json!([{"totalCount": "0", "items": null}]),
        ] {
            assert!(page(&r).unwrap().items.is_empty(), "{r}");
        }
        for r in [json!(3), json!({"items": "x"}), json!("not json")] {
            assert_eq!(page(&r).unwrap_err().kind, ErrorKind::Permanent, "{r}");
        }
    }

    #[test]
    fn single_objects() {
        let want = json!({"a": 1});
        for r in [json!([{"a": 1}]), json!({"a": 1}), json!("[{\"a\":1}]")] {
            assert_eq!(Value::Object(single_object(&r).unwrap()), want, "{r}");
        }
        assert!(single_object(&json!([])).unwrap().is_empty());
        assert!(single_object(&json!(true)).is_err());
    }

    #[test]
    fn listing_merges_pages_and_sees_truncation() {
        let pages = vec![
            json!([{"totalCount": 3, "items": [{"id": 1}, {"id": 2}]}]),
            json!({"totalCount": 3, "items": [{"id": 3}]}),
        ];
        let l = listing(&Fetched {
            results: pages.clone(),
            complete: true,
        })
        .unwrap();
        assert_eq!((l.items.len(), l.count(), l.complete), (3, 3, true));
        assert_eq!(l.truncation_note("conversations"), None);

        let short = listing(&Fetched {
            results: pages[..1].to_vec(),
            complete: true,
        })
        .unwrap();
        assert!(!short.complete);
        assert_eq!(short.count(), 3);
        let note = short.truncation_note("conversations").unwrap();
        assert!(note.contains("first 2 of 3 conversations"), "{note}");
    }

    #[test]
    fn offset_paging_stop_rule() {
        assert!(offset_paging_done(0, 0, Some(5)));
        assert!(offset_paging_done(5, 5, Some(5)));
        assert!(!offset_paging_done(100, 100, Some(250)));
        assert!(!offset_paging_done(40, 40, Some(250)));
        assert!(offset_paging_done(40, 140, None));
        assert!(!offset_paging_done(100, 100, None));
    }

    fn offset_of(params: &Value) -> u64 {
        params["offset"].as_u64().unwrap()
    }

    #[tokio::test]
    async fn offset_pages_until_total() {
        let (ctx, caller) = fake_ctx(|_tool: &str, p: &Value| {
            let offset = offset_of(p);
            let n = 250u64
                .saturating_sub(offset)
                .min(p["limit"].as_u64().unwrap());
            Ok(json!([{"totalCount": 250, "items": items(offset, n)}]))
        });
        let mut params = Map::new();
        params.insert("profileUrl".into(), json!("u"));
        let fetched = fetch_offset_pages(&ctx, "t", params).await.unwrap();
        assert!(fetched.complete);
        let offsets: Vec<u64> = caller
            .requests
            .lock()
            .unwrap()
            .iter()
            .map(|(_, p)| offset_of(p))
            .collect();
        assert_eq!(offsets, [0, 100, 200]);
        let l = listing(&fetched).unwrap();
        assert_eq!((l.items.len(), l.complete), (250, true));
        assert_eq!(ctx.take_calls().len(), 3);
    }

    #[tokio::test]
    async fn offset_pages_are_bounded() {
        let (ctx, caller) = fake_ctx(|_tool: &str, p: &Value| {
            Ok(json!([{"totalCount": 100_000, "items": items(offset_of(p), 100)}]))
        });
        let fetched = fetch_offset_pages(&ctx, "t", Map::new()).await.unwrap();
        assert!(!fetched.complete);
        assert_eq!(caller.requests.lock().unwrap().len(), MAX_PAGES);
        let l = listing(&fetched).unwrap();
        assert!(!l.complete);
        assert_eq!(l.count(), 100_000);
    }

    #[tokio::test]
    async fn errors_stop_paging() {
        let (ctx, _) = fake_ctx(|_tool: &str, p: &Value| {
            if offset_of(p) == 0 {
                Ok(json!([{"totalCount": 150, "items": items(0, 100)}]))
            } else {
                Err(CallError::new(ErrorKind::NoData, "Resource not found"))
            }
        });
        let err = fetch_offset_pages(&ctx, "t", Map::new()).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::NoData);
    }

    #[tokio::test]
    async fn first_request_is_the_request_a_row_makes_first() {
        let inputs = crate::integrations::Fields::from([
            (
                "linkedin_url".to_string(),
                "https://www.linkedin.com/in/ada-quill/".to_string(),
            ),
            ("campaign_name".to_string(), "Q1 founders".to_string()),
        ]);
        for name in [
            "heyreach_engagement",
            "heyreach_campaigns",
            "heyreach_campaign_stats",
        ] {
            let integration = crate::integrations::find(name).unwrap();
            let (ctx, caller) = fake_ctx(|_, _| Ok(json!([{"totalCount": 0, "items": []}])));
            let _ = integration.enrich(&ctx, &inputs).await;
            let requests = caller.requests.lock().unwrap();
            let (tool, params) = requests.first().unwrap();
            assert_eq!(tool, integration.spec().tools[0], "{name}");
            assert_eq!(
                Some(params),
                integration.first_request(&inputs).as_ref(),
                "{name}"
            );
        }
    }
}
