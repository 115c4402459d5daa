//! The demo server's Anthropic, OpenAI-compatible, Apollo, Hunter and web-research routes over
//! real sockets, read back through the protocol modules' own request builders and `classify`.

use leadgrid::demo::faults::Fault;
use leadgrid::demo::{
    DemoOptions, DemoServer, DemoStats, anthropic as demo_anthropic, apollo as demo_apollo,
    hunter as demo_hunter, openai as demo_openai,
};
use leadgrid::providers::datagen::{ApiKey, DatagenClient};
use leadgrid::providers::wire::{HttpRequest, KeyPlacement, Method, ProviderWire};
use leadgrid::providers::{CallError, ErrorKind, anthropic, apollo, hunter, openai};
use serde_json::{Value, json};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

async fn start(opts: DemoOptions) -> DemoServer {
    DemoServer::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), opts)
        .await
        .unwrap()
}

/// One HTTP exchange, as a transport would make it.
struct Reply {
    status: u16,
    retry_after: Option<String>,
    body: String,
}

/// Sends `request` to the provider at `base`, adding `key` where the provider wants it: the
/// only place a key ever meets a request.
async fn send(base: &str, wire: &ProviderWire, request: HttpRequest, key: Option<&str>) -> Reply {
    let mut url = format!("{base}{}", request.path_and_query);
    let http = reqwest::Client::new();
    let mut headers = request.headers.clone();
    if let Some(key) = key {
        match wire.key {
            KeyPlacement::Header { name, prefix } => {
                headers.push((name.into(), format!("{prefix}{key}")))
            }
            KeyPlacement::Query { param } => {
                let sep = if url.contains('?') { '&' } else { '?' };
                url = format!("{url}{sep}{param}={key}");
            }
        }
    }
    let mut builder = match request.method {
        Method::Get => http.get(&url),
        Method::Post => http.post(&url),
    };
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = &request.body {
        builder = builder.json(body);
    }
    let response = builder.send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    Reply {
        status,
        retry_after,
        body: response.text().await.unwrap(),
    }
}

type Classify = fn(u16, Option<&str>, &str) -> Result<Value, CallError>;

/// Sends and classifies.
async fn call(
    base: &str,
    wire: &ProviderWire,
    classify: Classify,
    request: HttpRequest,
    key: Option<&str>,
) -> Result<Value, CallError> {
    let r = send(base, wire, request, key).await;
    classify(r.status, r.retry_after.as_deref(), &r.body)
}

fn openai_base(server: &DemoServer) -> String {
    format!("{}/v1", server.base_url())
}

fn ceo_schema() -> Value {
    json!({"type": "object", "additionalProperties": false,
      "required": ["ceo_name", "ceo_title", "ceo_linkedin_url", "ceo_source_url", "ceo_confidence"],
      "properties": {
        "ceo_name": {"type": ["string", "null"], "description": "Full name of the chief executive"},
        "ceo_title": {"type": ["string", "null"]},
        "ceo_linkedin_url": {"type": ["string", "null"], "format": "uri"},
        "ceo_source_url": {"type": ["string", "null"], "format": "uri"},
        "ceo_confidence": {"type": ["number", "null"]}}})
}

fn llm_params(prompt: &str, schema: Value) -> Value {
    json!({"model": "demo-model", "system": "You extract facts about companies. Answer only with the requested fields.",
           "prompt": prompt, "schema": schema, "schema_name": "answer", "max_tokens": 1024, "temperature": 0})
}

/// Whether `value` follows `schema` (the subset AI columns use); the reason when not.
fn conforms(value: &Value, schema: &Value) -> Result<(), String> {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if let Some(choices) = schema.get("enum").and_then(Value::as_array) {
        return if choices.contains(value) {
            Ok(())
        } else {
            Err(format!("{value} not in {choices:?}"))
        };
    }
    let ok = types.is_empty()
        || types.iter().any(|t| match *t {
            "null" => value.is_null(),
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => value.is_i64() || value.is_u64(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => false,
        });
    if !ok {
        return Err(format!("{value} is not {types:?}"));
    }
    match schema.get("format").and_then(Value::as_str) {
        Some("date") if value.is_string() => {
            chrono::NaiveDate::parse_from_str(value.as_str().unwrap(), "%Y-%m-%d")
                .map_err(|_| format!("{value} is not a date"))?;
        }
        Some("uri") if value.is_string() => {
            url::Url::parse(value.as_str().unwrap())
                .map_err(|_| format!("{value} is not a URI"))?;
        }
        _ => {}
    }
    if let (Some(props), Some(map)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap();
            if !map.contains_key(name) {
                return Err(format!("{name} is missing"));
            }
        }
        for (name, v) in map {
            match props.get(name) {
                Some(sub) => conforms(v, sub).map_err(|e| format!("{name}: {e}"))?,
                None if schema.get("additionalProperties") == Some(&json!(false)) => {
                    return Err(format!("{name} is not allowed"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for v in list {
            conforms(v, items)?;
        }
    }
    Ok(())
}

#[tokio::test]
async fn web_research_is_a_datagen_tool_about_the_named_company() {
    let server = start(DemoOptions::default()).await;
    let client = DatagenClient::new(&server.base_url(), None, Duration::from_secs(10)).unwrap();
    let ask = |q: &str| {
        let client = client.clone();
        let q = q.to_string();
        async move {
            client
                .execute_once("chatgpt_webresearch", &json!({ "query": q }))
                .await
                .result
                .unwrap()["answer"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let kite = ask("What does Kitecraft (kitecraft.example) do, who are its customers?").await;
    assert!(
        kite.contains("internal-tool builders") && kite.contains("Amberlane Software"),
        "{kite}"
    );
    assert!(kite.contains("Chief executive: Dev Anand"));
    assert!(
        ask("Who runs Sakura Stack?")
            .await
            .contains("do not name a chief executive")
    );
    let acme = ask("What does acme-widgets.example do?").await;
    assert!(
        acme.starts_with("Acme Widgets (acme-widgets.example): "),
        "{acme}"
    );
    let stats = server.stats();
    assert_eq!(stats.by_tool.get("chatgpt_webresearch"), Some(&3));
    assert_eq!(stats.by_provider.get("datagen"), Some(&3));
    server.shutdown().await;
}

#[tokio::test]
async fn anthropic_forced_tool_use_answers_from_the_company() {
    let server = start(DemoOptions::default()).await;
    let base = server.base_url();
    let request = anthropic::build_request(&llm_params(
        "Who is the CEO of Brightforge Labs (brightforge.example)?",
        ceo_schema(),
    ))
    .unwrap();
    let raw = send(&base, &anthropic::WIRE, request.clone(), None).await;
    let message: Value = serde_json::from_str(&raw.body).unwrap();
    assert_eq!(message["type"], "message");
    assert_eq!(message["content"][0]["type"], "tool_use");
    assert_eq!(message["content"][0]["name"], "answer");
    let answer = anthropic::classify(raw.status, None, &raw.body).unwrap();
    assert_eq!(
        answer["output"],
        json!({"ceo_name": "Ada Quill", "ceo_title": "Founder & CEO",
               "ceo_linkedin_url": "https://www.linkedin.com/in/ada-quill-demo/",
               "ceo_source_url": "https://brightforge.example/about", "ceo_confidence": 0.92})
    );
    assert_eq!(
        (answer["stop"].as_str(), answer["truncated"].as_bool()),
        (Some("tool_use"), Some(false))
    );
    assert_eq!(answer["model"], "demo-model");
    let (input, output) = (
        answer["usage"]["input_tokens"].as_u64().unwrap(),
        answer["usage"]["output_tokens"].as_u64().unwrap(),
    );
    assert!(input > 40 && output > 20, "{input} {output}");

    // The same request again: the same answer, byte for byte.
    let again = send(&base, &anthropic::WIRE, request, None).await;
    assert_eq!(again.body, raw.body);

    // A company with no findable CEO: every nullable field is null.
    let none = call(
        &base,
        &anthropic::WIRE,
        anthropic::classify,
        anthropic::build_request(&llm_params("Who is the CEO of Sakura Stack?", ceo_schema()))
            .unwrap(),
        None,
    )
    .await
    .unwrap();
    assert!(
        none["output"]
            .as_object()
            .unwrap()
            .values()
            .all(Value::is_null),
        "{none}"
    );

    let stats = server.stats();
    assert_eq!(stats.by_provider.get("anthropic"), Some(&3));
    assert_eq!(stats.by_tool.get(demo_anthropic::ENDPOINT), Some(&3));
    assert_eq!(stats.duplicate_paid, 1);
    server.shutdown().await;
}

#[tokio::test]
async fn anthropic_native_output_and_research_text_in_the_prompt() {
    let server = start(DemoOptions::default()).await;
    let base = server.base_url();
    let research = DatagenClient::new(&base, None, Duration::from_secs(10))
        .unwrap()
        .execute_once(
            "chatgpt_webresearch",
            &json!({"query": "What does acme-widgets.example do?"}),
        )
        .await
        .result
        .unwrap()["answer"]
        .as_str()
        .unwrap()
        .to_string();
    let schema = json!({"type": "object", "additionalProperties": false,
        "required": ["summary", "industry", "employee_range", "recent_news", "sources"],
        "properties": {"summary": {"type": "string"}, "industry": {"type": "string"},
            "employee_range": {"type": "string"}, "recent_news": {"type": ["string", "null"]},
            "sources": {"type": "array", "items": {"type": "string", "format": "uri"}}}});
    let mut params = llm_params(
        &format!("Extract the facts from this research:\n\n{research}"),
        schema.clone(),
    );
    params["structured"] = json!("native");
    let request = anthropic::build_request(&params).unwrap();
    assert!(
        request
            .body
            .as_ref()
            .unwrap()
            .get("output_config")
            .is_some()
    );
    let answer = call(&base, &anthropic::WIRE, anthropic::classify, request, None)
        .await
        .unwrap();
    assert_eq!(answer["stop"], "end_turn");
    let output = &answer["output"];
    conforms(output, &schema).unwrap();
    let industry = research
        .split("Industry: ")
        .nth(1)
        .unwrap()
        .split('.')
        .next()
        .unwrap();
    assert_eq!(output["industry"], industry);
    assert!(research.contains(output["employee_range"].as_str().unwrap()));
    assert!(
        output["summary"]
            .as_str()
            .unwrap()
            .starts_with("Acme Widgets ")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn openai_json_schema_answers_and_local_server_conventions() {
    let server = start(DemoOptions::default()).await;
    let base = openai_base(&server);
    let request =
        openai::build_request(&llm_params("Who runs Cedarlight Health?", ceo_schema())).unwrap();
    let raw = send(&base, &openai::WIRE, request.clone(), None).await;
    let completion: Value = serde_json::from_str(&raw.body).unwrap();
    assert_eq!(completion["object"], "chat.completion");
    assert!(completion["choices"][0]["message"]["content"].is_string());
    let answer = openai::classify(raw.status, None, &raw.body).unwrap();
    assert_eq!(answer["output"]["ceo_name"], "Naomi Achterberg");
    assert_eq!(answer["stop"], "stop");
    assert!(answer["usage"]["input_tokens"].as_u64().unwrap() > 0);
    assert_eq!(
        send(&base, &openai::WIRE, request, None).await.body,
        raw.body
    );

    // `max_tokens` (older local servers) works as well as `max_completion_tokens`.
    let mut params = llm_params("Who runs Cedarlight Health?", ceo_schema());
    params["max_tokens_field"] = json!("max_tokens");
    let answer = call(
        &base,
        &openai::WIRE,
        openai::classify,
        openai::build_request(&params).unwrap(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(answer["output"]["ceo_name"], "Naomi Achterberg");

    // No schema: free text, no structured output.
    let mut prose = llm_params("Tell me about Kitecraft.", json!(null));
    prose.as_object_mut().unwrap().remove("schema");
    let answer = call(
        &base,
        &openai::WIRE,
        openai::classify,
        openai::build_request(&prose).unwrap(),
        None,
    )
    .await
    .unwrap();
    assert!(answer["raw"].as_str().unwrap().contains("Dev Anand"));
    assert_eq!(answer["output"], Value::Null);

    assert_eq!(server.stats().by_tool.get(demo_openai::ENDPOINT), Some(&4));
    server.shutdown().await;
}

#[tokio::test]
async fn a_schema_with_every_type_is_honoured_by_both_protocols() {
    let server = start(DemoOptions::default()).await;
    let schema = json!({"type": "object", "additionalProperties": false,
      "required": ["title", "score", "headcount", "hiring", "stage", "launched", "homepage", "tags", "links", "ceo_name", "details"],
      "properties": {
        "title": {"type": "string"}, "score": {"type": "number"}, "headcount": {"type": "integer"},
        "hiring": {"type": "boolean"}, "stage": {"type": "string", "enum": ["seed", "series_a", "growth"]},
        "launched": {"type": "string", "format": "date"}, "homepage": {"type": "string", "format": "uri"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "links": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "ceo_name": {"type": ["string", "null"]},
        "details": {"type": "object", "additionalProperties": false, "required": ["note", "rank"],
                    "properties": {"note": {"type": "string"}, "rank": {"type": "integer"}}}}});
    let companies = leadgrid::demo::companies::Companies::load().unwrap();
    let gone = (0..80)
        .map(|n| format!("gone-{n}.example"))
        .find(|d| companies.by_domain(d).is_none())
        .unwrap();
    for prompt in [
        "Describe Lumen Ledger (lumenledger.example).".to_string(),
        "Describe a made-up bakery.".to_string(),
        format!("Describe {gone}"),
    ] {
        let prompt = prompt.as_str();
        let params = llm_params(prompt, schema.clone());
        let a = call(
            &server.base_url(),
            &anthropic::WIRE,
            anthropic::classify,
            anthropic::build_request(&params).unwrap(),
            None,
        )
        .await
        .unwrap();
        conforms(&a["output"], &schema)
            .unwrap_or_else(|e| panic!("anthropic, {prompt}: {e}: {}", a["output"]));
        let o = call(
            &openai_base(&server),
            &openai::WIRE,
            openai::classify,
            openai::build_request(&params).unwrap(),
            None,
        )
        .await
        .unwrap();
        conforms(&o["output"], &schema)
            .unwrap_or_else(|e| panic!("openai, {prompt}: {e}: {}", o["output"]));
        // Both protocols see the same prompt, so they give the same object.
        assert_eq!(a["output"], o["output"]);
        let out = &a["output"];
        if prompt.contains("Lumen") {
            assert_eq!(out["ceo_name"], "Theo Marchetti");
            assert_eq!(out["headcount"], 120);
        } else if prompt.contains(&gone) {
            // A company that does not exist: nothing is known, the nullable field is null.
            assert_eq!(
                (&out["ceo_name"], out["title"].as_str()),
                (&Value::Null, Some("unknown"))
            );
        } else {
            assert!(
                out["ceo_name"].is_string(),
                "no company: invented from the prompt"
            );
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn invalid_once_then_valid_in_both_protocols() {
    let server = start(DemoOptions::default()).await;
    let base = server.base_url();
    let prompt = "[demo:invalid-once] Who is the CEO of Tidewater Analytics?";
    let params = llm_params(prompt, ceo_schema());

    // Anthropic tool use: an object that breaks the schema, then a valid one.
    let request = anthropic::build_request(&params).unwrap();
    let first = call(
        &base,
        &anthropic::WIRE,
        anthropic::classify,
        request.clone(),
        None,
    )
    .await
    .unwrap();
    assert!(
        conforms(&first["output"], &ceo_schema()).is_err(),
        "{first}"
    );
    let second = call(&base, &anthropic::WIRE, anthropic::classify, request, None)
        .await
        .unwrap();
    conforms(&second["output"], &ceo_schema()).unwrap();
    assert_eq!(second["output"]["ceo_name"], "Oskar Lindqvist");

    // OpenAI: text that is not JSON; a retry showing the model its answer and the error is valid.
    let first = call(
        &openai_base(&server),
        &openai::WIRE,
        openai::classify,
        openai::build_request(&params).unwrap(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(first["output"], Value::Null);
    assert!(first["invalid"].as_str().unwrap().contains("not JSON"));
    let mut retry = params.clone();
    retry["history"] = json!([
        {"role": "assistant", "content": first["raw"]},
        {"role": "user", "content": format!("That answer was invalid: {}. Answer again with JSON only.", first["invalid"].as_str().unwrap())}
    ]);
    let second = call(
        &openai_base(&server),
        &openai::WIRE,
        openai::classify,
        openai::build_request(&retry).unwrap(),
        None,
    )
    .await
    .unwrap();
    conforms(&second["output"], &ceo_schema()).unwrap();
    assert_eq!(second["output"]["ceo_name"], "Oskar Lindqvist");
    // Invalid answers were paid for: four answered calls.
    assert_eq!(server.stats().paid_calls(), 4);
    server.shutdown().await;
}

#[tokio::test]
async fn overload_once_answers_with_retry_after_then_normally() {
    let server = start(DemoOptions::default()).await;
    let params = llm_params("[demo:overload-once] Who runs Kitecraft?", ceo_schema());

    let request = anthropic::build_request(&params).unwrap();
    let r = send(&server.base_url(), &anthropic::WIRE, request.clone(), None).await;
    assert_eq!((r.status, r.retry_after.as_deref()), (529, Some("1")));
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        (body["type"].as_str(), body["error"]["type"].as_str()),
        (Some("error"), Some("overloaded_error"))
    );
    let e = anthropic::classify(r.status, r.retry_after.as_deref(), &r.body).unwrap_err();
    assert_eq!(
        (e.kind, e.retry_after),
        (ErrorKind::Transient, Some(Duration::from_secs(1)))
    );
    let ok = call(
        &server.base_url(),
        &anthropic::WIRE,
        anthropic::classify,
        request,
        None,
    )
    .await
    .unwrap();
    assert_eq!(ok["output"]["ceo_name"], "Dev Anand");

    let request = openai::build_request(&params).unwrap();
    let r = send(&openai_base(&server), &openai::WIRE, request.clone(), None).await;
    assert_eq!((r.status, r.retry_after.as_deref()), (503, Some("1")));
    let e = openai::classify(r.status, r.retry_after.as_deref(), &r.body).unwrap_err();
    assert_eq!(
        (e.kind, e.retry_after),
        (ErrorKind::Transient, Some(Duration::from_secs(1)))
    );
    assert!(
        call(
            &openai_base(&server),
            &openai::WIRE,
            openai::classify,
            request,
            None
        )
        .await
        .is_ok()
    );

    let stats = server.stats();
    assert_eq!(stats.faults_by_kind.get("529"), Some(&1));
    assert_eq!(stats.faults_by_kind.get("503"), Some(&1));
    assert_eq!(stats.paid_calls(), 2);
    server.shutdown().await;
}

#[tokio::test]
async fn truncated_answers_are_flagged_in_both_protocols() {
    let server = start(DemoOptions::default()).await;
    let marked = llm_params("[demo:truncate] Who runs Kitecraft?", ceo_schema());
    let mut small = llm_params("Who runs Kitecraft?", ceo_schema());
    small["max_tokens"] = json!(8);
    for params in [marked, small] {
        let a = call(
            &server.base_url(),
            &anthropic::WIRE,
            anthropic::classify,
            anthropic::build_request(&params).unwrap(),
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            (a["stop"].as_str(), a["truncated"].as_bool(), &a["output"]),
            (Some("max_tokens"), Some(true), &Value::Null),
            "{a}"
        );
        let mut native = params.clone();
        native["structured"] = json!("native");
        let n = call(
            &server.base_url(),
            &anthropic::WIRE,
            anthropic::classify,
            anthropic::build_request(&native).unwrap(),
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            (n["stop"].as_str(), n["truncated"].as_bool()),
            (Some("max_tokens"), Some(true))
        );
        assert!(n["raw"].as_str().unwrap().starts_with("{\""), "{n}");
        let o = call(
            &openai_base(&server),
            &openai::WIRE,
            openai::classify,
            openai::build_request(&params).unwrap(),
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            (o["stop"].as_str(), o["truncated"].as_bool(), &o["output"]),
            (Some("length"), Some(true), &Value::Null),
            "{o}"
        );
        assert!(serde_json::from_str::<Value>(o["raw"].as_str().unwrap()).is_err());
    }
    server.shutdown().await;
}

#[tokio::test]
async fn apollo_people_and_organizations() {
    let server = start(DemoOptions::default()).await;
    let base = server.base_url();
    let person = |params: Value| {
        let base = base.clone();
        async move {
            call(
                &base,
                &apollo::WIRE,
                apollo::classify,
                apollo::person_match_request(&params).unwrap(),
                None,
            )
            .await
        }
    };
    let ada = person(json!({"linkedin_url": "https://www.linkedin.com/in/ada-quill-demo/"}))
        .await
        .unwrap();
    let p = &ada["person"];
    assert_eq!(
        (p["email"].as_str(), p["email_status"].as_str()),
        (Some("ada@brightforge.example"), Some("verified"))
    );
    assert_eq!(
        (p["title"].as_str(), p["seniority"].as_str()),
        (Some("Founder & CEO"), Some("founder"))
    );
    assert_eq!(
        p["linkedin_url"],
        "http://www.linkedin.com/in/ada-quill-demo"
    );
    assert_eq!(
        (p["city"].as_str(), p["country"].as_str()),
        (Some("London"), Some("United Kingdom"))
    );
    assert_eq!(p["organization"]["primary_domain"], "brightforge.example");
    assert_eq!(p["organization"]["estimated_num_employees"], 140);

    // By email, and by name with a domain (Grace has no LinkedIn).
    let farid = person(json!({"email": "farid@cedarlight.example"}))
        .await
        .unwrap();
    assert_eq!(farid["person"]["title"], "Director of Sales");
    let grace = person(
        json!({"first_name": "Grace", "last_name": "Mbeki", "domain": "lumenledger.example"}),
    )
    .await
    .unwrap();
    assert_eq!(grace["person"]["email"], "grace@lumenledger.example");
    let by_org = person(json!({"name": "Grace Mbeki", "organization_name": "Lumen Ledger"}))
        .await
        .unwrap();
    assert_eq!(by_org, grace);

    // Chiara is known without an email; Bram is not known at all.
    let chiara =
        person(json!({"linkedin_url": "https://www.linkedin.com/in/chiara-vellacott-demo/"}))
            .await
            .unwrap();
    assert_eq!(
        (
            chiara["person"]["email"].clone(),
            chiara["person"]["email_status"].as_str()
        ),
        (Value::Null, Some("unavailable"))
    );
    let bram =
        person(json!({"linkedin_url": "https://www.linkedin.com/in/bram-okonkwo-lind-demo/"}))
            .await;
    assert_eq!(bram.unwrap_err().kind, ErrorKind::NoData);

    // Anyone else: synthetic, deterministic, sometimes unknown.
    let mut outcomes = (0, 0);
    for n in 0..30 {
        let params =
            json!({"linkedin_url": format!("https://www.linkedin.com/in/noor-patel-{n}/")});
        match person(params.clone()).await {
            Ok(v) => {
                outcomes.0 += 1;
                assert_eq!(v["person"]["first_name"], "Noor");
                assert_eq!(person(params).await.unwrap(), v);
            }
            Err(e) => {
                outcomes.1 += 1;
                assert_eq!(e.kind, ErrorKind::NoData);
            }
        }
    }
    assert!(outcomes.0 >= 15 && outcomes.1 >= 1, "{outcomes:?}");

    let org = |domain: &str| {
        let base = base.clone();
        let params = json!({"domain": domain});
        async move {
            call(
                &base,
                &apollo::WIRE,
                apollo::classify,
                apollo::organization_enrich_request(&params).unwrap(),
                None,
            )
            .await
        }
    };
    let fjord = org("https://www.fjordline.example/").await.unwrap();
    let o = &fjord["organization"];
    assert_eq!(
        (
            o["name"].as_str(),
            o["founded_year"].as_u64(),
            o["country"].as_str()
        ),
        (Some("Fjordline Robotics"), Some(2018), Some("Norway"))
    );
    assert_eq!(
        o["linkedin_url"],
        "http://www.linkedin.com/company/fjordline-robotics-demo"
    );
    assert_eq!(o["industry"], "robotics");
    let mut no_data = 0;
    for n in 0..60 {
        match org(&format!("acme-{n}.example")).await {
            Ok(v) => assert!(v["organization"]["name"].is_string()),
            Err(e) => {
                assert_eq!(e.kind, ErrorKind::NoData);
                no_data += 1;
            }
        }
    }
    assert!((1..=15).contains(&no_data), "{no_data}");

    let stats = server.stats();
    assert_eq!(
        stats.by_tool.get(demo_apollo::PEOPLE_MATCH),
        Some(&(6 + 30 + outcomes.0))
    );
    assert_eq!(
        stats.by_tool.get(demo_apollo::ORGANIZATION_ENRICH),
        Some(&61)
    );
    server.shutdown().await;
}

#[tokio::test]
async fn hunter_finder_verifier_and_domain_search() {
    let server = start(DemoOptions::default()).await;
    let base = server.base_url();
    let finder = |domain: &str, first: &str, last: &str| {
        let base = base.clone();
        let params = json!({"domain": domain, "first_name": first, "last_name": last});
        async move {
            call(
                &base,
                &hunter::WIRE,
                hunter::classify,
                hunter::email_finder_request(&params).unwrap(),
                None,
            )
            .await
        }
    };
    let chiara = finder("tidewater.example", "Chiara", "Vellacott")
        .await
        .unwrap();
    assert_eq!(
        (chiara["email"].as_str(), chiara["score"].as_u64()),
        (Some("chiara@tidewater.example"), Some(88))
    );
    assert_eq!(chiara["verification"]["status"], "valid");
    assert_eq!(
        finder("sakurastack.example", "Hiro", "Tanaka")
            .await
            .unwrap_err()
            .kind,
        ErrorKind::NoData
    );
    assert_eq!(
        finder("nullpoint.example", "Bram", "Okonkwo-Lind")
            .await
            .unwrap_err()
            .kind,
        ErrorKind::NoData
    );

    let verify = |email: &str| {
        let base = base.clone();
        let params = json!({"email": email});
        async move {
            call(
                &base,
                &hunter::WIRE,
                hunter::classify,
                hunter::email_verifier_request(&params).unwrap(),
                None,
            )
            .await
            .unwrap()
        }
    };
    for (email, status) in [
        ("ada@brightforge.example", "valid"),
        ("bram@nullpoint.example", "invalid"),
        ("elin@fjordline.example", "accept_all"),
        ("someone@gmail.com", "webmail"),
        ("x@mailinator.com", "disposable"),
    ] {
        let v = verify(email).await;
        assert_eq!(v["status"], status, "{email}");
        assert!(hunter::VERIFY_STATUSES.contains(&v["status"].as_str().unwrap()));
    }
    let statuses: std::collections::BTreeSet<String> = futures::future::join_all(
        (0..40).map(|n| verify_owned(base.clone(), format!("person{n}@tidewater.example"))),
    )
    .await
    .into_iter()
    .collect();
    assert!(statuses.len() >= 3, "{statuses:?}");

    let search = |domain: &str| {
        let base = base.clone();
        let params = json!({"domain": domain});
        async move {
            call(
                &base,
                &hunter::WIRE,
                hunter::classify,
                hunter::domain_search_request(&params).unwrap(),
                None,
            )
            .await
        }
    };
    let sakura = search("sakurastack.example").await.unwrap();
    assert_eq!(
        (sakura["pattern"].as_str(), sakura["organization"].as_str()),
        (Some("{first}"), Some("Sakura Stack"))
    );
    let synthetic = search("acme-widgets.example").await.unwrap();
    assert!(synthetic["pattern"].as_str().unwrap().contains('{'));
    let gone = (0..80).find(|n| {
        let companies = leadgrid::demo::companies::Companies::load().unwrap();
        companies.by_domain(&format!("acme-{n}.example")).is_none()
    });
    assert_eq!(
        search(&format!("acme-{}.example", gone.unwrap()))
            .await
            .unwrap_err()
            .kind,
        ErrorKind::NoData
    );

    // Hunter also takes the key as the `api_key` query parameter.
    let keyed = start(DemoOptions {
        required_key: Some("hunter-secret".into()),
        ..DemoOptions::default()
    })
    .await;
    let query_wire = ProviderWire {
        key: KeyPlacement::Query { param: "api_key" },
        ..hunter::WIRE
    };
    let request =
        hunter::email_verifier_request(&json!({"email": "ada@brightforge.example"})).unwrap();
    assert!(
        call(
            &keyed.base_url(),
            &query_wire,
            hunter::classify,
            request.clone(),
            Some("hunter-secret")
        )
        .await
        .is_ok()
    );
    assert!(
        call(
            &keyed.base_url(),
            &hunter::WIRE,
            hunter::classify,
            request,
            Some("hunter-secret")
        )
        .await
        .is_ok()
    );

    let stats = server.stats();
    assert_eq!(stats.by_tool.get(demo_hunter::EMAIL_FINDER), Some(&3));
    assert_eq!(stats.by_tool.get(demo_hunter::EMAIL_VERIFIER), Some(&45));
    assert_eq!(stats.by_tool.get(demo_hunter::DOMAIN_SEARCH), Some(&3));
    keyed.shutdown().await;
    server.shutdown().await;
}

async fn verify_owned(base: String, email: String) -> String {
    let params = json!({"email": email});
    let v = call(
        &base,
        &hunter::WIRE,
        hunter::classify,
        hunter::email_verifier_request(&params).unwrap(),
        None,
    )
    .await
    .unwrap();
    v["status"].as_str().unwrap().to_string()
}

/// Whether Hunter's verifier calls `email` valid.
async fn verified(base: &str, email: &str) -> bool {
    let request = hunter::email_verifier_request(&json!({ "email": email })).unwrap();
    let v = call(base, &hunter::WIRE, hunter::classify, request, None)
        .await
        .unwrap();
    v["status"] == "valid"
}

/// The address a step proposes for a sample row, if any.
async fn proposal(
    base: &str,
    step: &str,
    row: &std::collections::HashMap<String, String>,
) -> Option<String> {
    let (first, last, domain) = (&row["first_name"], &row["last_name"], &row["domain"]);
    match step {
        "apollo" => {
            let request = apollo::person_match_request(
                &json!({"first_name": first, "last_name": last, "domain": domain}),
            )
            .unwrap();
            let v = call(base, &apollo::WIRE, apollo::classify, request, None)
                .await
                .ok()?;
            v["person"]["email"].as_str().map(str::to_string)
        }
        "hunter" => {
            let request = hunter::email_finder_request(
                &json!({"domain": domain, "first_name": first, "last_name": last}),
            )
            .unwrap();
            let v = call(base, &hunter::WIRE, hunter::classify, request, None)
                .await
                .ok()?;
            v["email"].as_str().map(str::to_string)
        }
        _ => {
            let request = hunter::domain_search_request(&json!({ "domain": domain })).unwrap();
            let v = call(base, &hunter::WIRE, hunter::classify, request, None)
                .await
                .ok()?;
            let local = v["pattern"]
                .as_str()?
                .replace("{first}", &first.to_lowercase());
            Some(format!("{local}@{domain}"))
        }
    }
}

/// The work-email waterfall on the sample list: Apollo, then Hunter's finder, then a guess from
/// Hunter's domain pattern, each verified. Shows every way a row can end.
#[tokio::test]
async fn sample_list_shows_every_waterfall_outcome() {
    let server = start(DemoOptions::default()).await;
    let base = server.base_url();
    let mut outcome = std::collections::BTreeMap::new();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/lead-list/sample.csv");
    let mut reader = csv::Reader::from_path(path).unwrap();
    for row in reader.deserialize::<std::collections::HashMap<String, String>>() {
        let row = row.unwrap();
        let mut winner = "none";
        for step in ["apollo", "hunter", "pattern"] {
            if let Some(email) = proposal(&base, step, &row).await
                && verified(&base, &email).await
            {
                winner = step;
                break;
            }
        }
        outcome.insert(row["first_name"].clone(), winner);
    }
    assert_eq!(outcome["Ada"], "apollo");
    assert_eq!(outcome["Grace"], "apollo");
    assert_eq!(outcome["Chiara"], "hunter");
    assert_eq!(outcome["Hiro"], "pattern");
    assert_eq!(outcome["Bram"], "none");
    // Elin's domain accepts every address, so no step can verify hers.
    assert_eq!(outcome["Elin"], "none");
    server.shutdown().await;
}

#[tokio::test]
async fn refused_keys_answer_401_in_each_providers_shape() {
    let server = start(DemoOptions {
        required_key: Some("demo-secret".into()),
        ..DemoOptions::default()
    })
    .await;
    let base = server.base_url();
    let llm = llm_params("Who runs Kitecraft?", ceo_schema());
    let cases: Vec<(&ProviderWire, Classify, HttpRequest, String)> = vec![
        (
            &anthropic::WIRE,
            anthropic::classify,
            anthropic::build_request(&llm).unwrap(),
            base.clone(),
        ),
        (
            &openai::WIRE,
            openai::classify,
            openai::build_request(&llm).unwrap(),
            openai_base(&server),
        ),
        (
            &apollo::WIRE,
            apollo::classify,
            apollo::organization_enrich_request(&json!({"domain": "kitecraft.example"})).unwrap(),
            base.clone(),
        ),
        (
            &hunter::WIRE,
            hunter::classify,
            hunter::domain_search_request(&json!({"domain": "kitecraft.example"})).unwrap(),
            base.clone(),
        ),
    ];
    for (wire, classify, request, url) in cases {
        for key in [None, Some("wrong-key")] {
            let r = send(&url, wire, request.clone(), key).await;
            assert_eq!(r.status, 401, "{}", wire.name);
            let e = classify(r.status, None, &r.body).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Auth, "{}: {}", wire.name, e.message);
            assert!(
                e.message.contains(wire.api_key_env) && !e.message.contains("wrong-key"),
                "{}",
                e.message
            );
        }
        assert!(
            call(&url, wire, classify, request, Some("demo-secret"))
                .await
                .is_ok(),
            "{}",
            wire.name
        );
    }
    // The shapes themselves.
    let r = send(
        &base,
        &anthropic::WIRE,
        anthropic::build_request(&llm).unwrap(),
        None,
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(&r.body).unwrap()["error"]["type"],
        "authentication_error"
    );
    let r = send(
        &base,
        &apollo::WIRE,
        apollo::organization_enrich_request(&json!({"domain": "x.example"})).unwrap(),
        None,
    )
    .await;
    assert_eq!(r.body, "Invalid access credentials.");
    let r = send(
        &base,
        &hunter::WIRE,
        hunter::domain_search_request(&json!({"domain": "x.example"})).unwrap(),
        None,
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(&r.body).unwrap()["errors"][0]["id"],
        "authentication_failed"
    );

    let stats = server.stats();
    assert_eq!(stats.unauthorized, 11);
    assert_eq!(stats.paid_calls(), 4);
    for provider in ["anthropic", "openai", "apollo", "hunter"] {
        assert!(stats.by_provider[provider] >= 3, "{provider}");
    }
    server.shutdown().await;
}

/// A seed whose first request is answered with `fault` when every request faults.
fn seed_for(fault: Fault) -> u64 {
    (0..10_000)
        .find(|seed| Fault::choose(*seed, 0, 1.0) == Some(fault))
        .unwrap()
}

#[tokio::test]
async fn rate_limits_come_in_each_providers_shape_with_retry_after() {
    let server = start(DemoOptions {
        fault_rate: 1.0,
        seed: seed_for(Fault::RateLimited),
        ..DemoOptions::default()
    })
    .await;
    let base = server.base_url();
    let llm = llm_params("Who runs Kitecraft?", ceo_schema());
    let cases: Vec<(&ProviderWire, Classify, HttpRequest, String, u16)> = vec![
        (
            &anthropic::WIRE,
            anthropic::classify,
            anthropic::build_request(&llm).unwrap(),
            base.clone(),
            429,
        ),
        (
            &openai::WIRE,
            openai::classify,
            openai::build_request(&llm).unwrap(),
            openai_base(&server),
            429,
        ),
        (
            &apollo::WIRE,
            apollo::classify,
            apollo::person_match_request(&json!({"email": "ada@brightforge.example"})).unwrap(),
            base.clone(),
            429,
        ),
        // Hunter says "slow down" with 403.
        (
            &hunter::WIRE,
            hunter::classify,
            hunter::email_finder_request(
                &json!({"domain": "kitecraft.example", "first_name": "Dev", "last_name": "Anand"}),
            )
            .unwrap(),
            base.clone(),
            403,
        ),
    ];
    let http = reqwest::Client::new();
    for (wire, classify, request, url, status) in cases {
        // Request numbers restart at 0 after a reset, so each provider gets the seed's first fault.
        http.post(format!("{base}/stats/reset"))
            .send()
            .await
            .unwrap();
        let r = send(&url, wire, request, None).await;
        assert_eq!(
            (r.status, r.retry_after.as_deref()),
            (status, Some("1")),
            "{}",
            wire.name
        );
        let e = classify(r.status, r.retry_after.as_deref(), &r.body).unwrap_err();
        assert_eq!(
            (e.kind, e.retry_after),
            (ErrorKind::RateLimited, Some(Duration::from_secs(1))),
            "{}",
            wire.name
        );
    }
    server.shutdown().await;

    // The overload fault: Anthropic's 529.
    let server = start(DemoOptions {
        fault_rate: 1.0,
        seed: seed_for(Fault::Timeout524),
        ..DemoOptions::default()
    })
    .await;
    let r = send(
        &server.base_url(),
        &anthropic::WIRE,
        anthropic::build_request(&llm).unwrap(),
        None,
    )
    .await;
    assert_eq!((r.status, r.retry_after.as_deref()), (529, Some("1")));
    assert_eq!(
        anthropic::classify(r.status, None, &r.body)
            .unwrap_err()
            .kind,
        ErrorKind::Transient
    );
    server.shutdown().await;
}

#[tokio::test]
async fn injected_faults_are_retryable_for_every_provider_and_counted() {
    let server = start(DemoOptions {
        fault_rate: 0.4,
        seed: 5,
        ..DemoOptions::default()
    })
    .await;
    let base = server.base_url();
    let http = reqwest::Client::new();
    let mut failures = 0;
    for n in 0..25 {
        let llm = llm_params(&format!("Who runs Kitecraft? ({n})"), ceo_schema());
        let cases: Vec<(&ProviderWire, Classify, HttpRequest, String)> = vec![
            (
                &anthropic::WIRE,
                anthropic::classify,
                anthropic::build_request(&llm).unwrap(),
                base.clone(),
            ),
            (
                &openai::WIRE,
                openai::classify,
                openai::build_request(&llm).unwrap(),
                openai_base(&server),
            ),
            (
                &apollo::WIRE,
                apollo::classify,
                apollo::organization_enrich_request(&json!({"domain": "kitecraft.example"}))
                    .unwrap(),
                base.clone(),
            ),
            (
                &hunter::WIRE,
                hunter::classify,
                hunter::email_verifier_request(&json!({"email": "dev@kitecraft.example"})).unwrap(),
                base.clone(),
            ),
        ];
        for (wire, classify, request, url) in cases {
            let mut url_request = http.request(
                match request.method {
                    Method::Get => reqwest::Method::GET,
                    Method::Post => reqwest::Method::POST,
                },
                format!("{url}{}", request.path_and_query),
            );
            for (k, v) in &request.headers {
                url_request = url_request.header(k, v);
            }
            if let Some(body) = &request.body {
                url_request = url_request.json(body);
            }
            match url_request.send().await {
                // A dropped connection: the transport reports it as transient.
                Err(_) => failures += 1,
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry = response
                        .headers()
                        .get("retry-after")
                        .map(|v| v.to_str().unwrap().to_string());
                    match response.text().await {
                        Err(_) => failures += 1,
                        Ok(body) => {
                            if let Err(e) = classify(status, retry.as_deref(), &body) {
                                failures += 1;
                                assert!(e.kind.is_retryable(), "{}: {e:?}", wire.name);
                            }
                        }
                    }
                }
            }
        }
    }
    let stats: DemoStats = http
        .get(format!("{base}/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats.requests, 100);
    assert_eq!(stats.faults, failures);
    assert!((25..=55).contains(&failures), "{failures}");
    assert_eq!(stats.paid_calls(), 100 - failures);
    for provider in ["anthropic", "openai", "apollo", "hunter"] {
        assert_eq!(stats.by_provider.get(provider), Some(&25), "{provider}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn datagen_key_still_refused_in_datagen_shape() {
    let server = start(DemoOptions {
        required_key: Some("k".into()),
        ..DemoOptions::default()
    })
    .await;
    let out = DatagenClient::new(
        &server.base_url(),
        ApiKey::new("nope"),
        Duration::from_secs(10),
    )
    .unwrap()
    .execute_once("chatgpt_webresearch", &json!({"query": "Kitecraft"}))
    .await;
    assert_eq!(out.result.unwrap_err().kind, ErrorKind::Auth);
    assert_eq!(server.stats().by_provider.get("datagen"), Some(&1));
    server.shutdown().await;
}
