use super::*;
use crate::config::Config;
use crate::integrations::user::Settings;
use crate::integrations::user::definition::{Definition, KindDef};
use crate::integrations::{CallObserver, NoObserver, ToolCaller};
use crate::providers::{CallError, CallRecord, ToolFailure, ToolOutput};
use std::sync::{Arc, Mutex};

type Script = dyn Fn(ProviderId, &str, &Value, usize) -> Result<Value, CallError> + Send + Sync;

/// Answers calls from a script (provider, tool, params, n-th call) and keeps every request.
struct Scripted {
    script: Box<Script>,
    requests: Mutex<Vec<(ProviderId, String, Value)>>,
    refuse: Option<ProviderId>,
}

impl Scripted {
    fn new(
        script: impl Fn(ProviderId, &str, &Value, usize) -> Result<Value, CallError>
        + Send
        + Sync
        + 'static,
    ) -> Arc<Scripted> {
        Arc::new(Scripted {
            script: Box::new(script),
            requests: Mutex::new(Vec::new()),
            refuse: None,
        })
    }

    fn requests(&self) -> Vec<(ProviderId, String, Value)> {
        self.requests.lock().unwrap().clone()
    }
}

impl ToolCaller for Scripted {
    fn unavailable(&self, provider: ProviderId) -> Option<CallError> {
        (self.refuse == Some(provider)).then(|| {
            CallError::new(
                ErrorKind::Auth,
                "no Anthropic API key: set ANTHROPIC_API_KEY",
            )
        })
    }

    fn call<'a>(
        &'a self,
        provider: ProviderId,
        tool: &'a str,
        params: Value,
        _observer: &'a dyn CallObserver,
    ) -> BoxFuture<'a, Result<ToolOutput, ToolFailure>> {
        Box::pin(async move {
            let n = {
                let mut requests = self.requests.lock().unwrap();
                requests.push((provider, tool.to_string(), params.clone()));
                requests.len()
            };
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
            match (self.script)(provider, tool, &params, n) {
                Ok(result) => Ok(ToolOutput { result, record }),
                Err(error) => Err(ToolFailure { error, record }),
            }
        })
    }
}

fn settings() -> Settings {
    Settings::from_config(&Config::from_sources(None, |_| None).unwrap())
}

const CEO: &str = r#"
name = "ceo_test"
kind = "ai"
prompt = "Who is the CEO of {{company}} ({{domain}})?"
research = true

[[outputs]]
name = "ceo_name"
type = "text"

[[outputs]]
name = "ceo_confidence"
type = "number"
"#;

fn column(text: &str) -> AiColumn {
    let def = Definition::parse(text).unwrap();
    let KindDef::Ai(ai) = &def.kind else {
        panic!("an AI column")
    };
    AiColumn::new(&def, ai, &settings()).unwrap()
}

fn row() -> Fields {
    [("company", "Kitecraft"), ("domain", "kitecraft.example")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// An LLM answer in the documented shape.
fn answer(output: Value, raw: &str) -> Value {
    json!({"output": output, "raw": raw, "stop": "end_turn", "truncated": false,
           "invalid": null, "model": "m", "usage": {"input_tokens": 100, "output_tokens": 10}})
}

fn research_or(llm: impl Fn(&Value, usize) -> Value + Send + Sync + 'static) -> Arc<Scripted> {
    Scripted::new(move |provider, tool, params, n| {
        if tool == RESEARCH_TOOL {
            assert_eq!(provider, ProviderId::DATAGEN);
            Ok(json!({"answer": "Kitecraft is run by Dev Anand, its founder."}))
        } else {
            Ok(llm(params, n))
        }
    })
}

async fn enrich(
    column: &AiColumn,
    caller: Arc<Scripted>,
) -> (Result<Enriched, EnrichError>, Vec<String>) {
    let ctx = Ctx::new(caller, Arc::new(NoObserver));
    let out = column.enrich(&ctx, &row()).await;
    (out, ctx.take_notes())
}

#[tokio::test]
async fn research_then_a_typed_answer() {
    let c = column(CEO);
    let caller = research_or(|_, _| {
        answer(
            json!({"ceo_name": "Dev Anand", "ceo_confidence": "0.90"}),
            "{…}",
        )
    });
    let (out, notes) = enrich(&c, caller.clone()).await;
    let fields = out.unwrap().fields;
    assert_eq!(fields["ceo_name"], "Dev Anand");
    assert_eq!(fields["ceo_confidence"], "0.9", "normalised");
    let requests = caller.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].2,
        json!({"query": "Who is the CEO of Kitecraft (kitecraft.example)?"})
    );
    let (provider, tool, params) = &requests[1];
    assert_eq!(
        (*provider, tool.as_str()),
        (ProviderId::ANTHROPIC, "messages")
    );
    let prompt = params["prompt"].as_str().unwrap();
    assert!(prompt.starts_with("Who is the CEO of Kitecraft (kitecraft.example)?"));
    assert!(
        prompt.contains("run by Dev Anand"),
        "the research text is given"
    );
    assert!(prompt.contains("- ceo_confidence (number)"));
    assert_eq!(
        params["schema"]["required"],
        json!(["ceo_name", "ceo_confidence"])
    );
    assert_eq!(params["temperature"], 0.0);
    assert_eq!(
        params["structured"], "native",
        "Haiku 4.5 has native structured output"
    );
    assert_eq!(params["model"], "claude-haiku-4-5");
    assert!(params.get("history").is_none());
    let titles: Vec<&str> = notes.iter().map(|n| n.lines().next().unwrap()).collect();
    assert_eq!(
        titles,
        ["prompt", "research", "answer (stop: end_turn)", "parsed"]
    );
    assert!(notes[3].contains("ceo_name = Dev Anand"));
}

#[tokio::test]
async fn an_invalid_answer_is_retried_once_with_the_validation_error() {
    let c = column(CEO);
    let caller = research_or(|_, n| match n {
        2 => answer(json!({"ceo_name": 12345}), "{\"ceo_name\": 12345}"),
        _ => answer(
            json!({"ceo_name": "Dev Anand", "ceo_confidence": null}),
            "{}",
        ),
    });
    let (out, notes) = enrich(&c, caller.clone()).await;
    assert_eq!(out.unwrap().fields["ceo_name"], "Dev Anand");
    let requests = caller.requests();
    assert_eq!(requests.len(), 3, "research, answer, one retry");
    let history = &requests[2].2["history"];
    assert_eq!(
        history[0],
        json!({"role": "assistant", "content": "{\"ceo_name\": 12345}"})
    );
    let correction = history[1]["content"].as_str().unwrap();
    assert!(
        correction.contains("ceo_confidence: missing (use null if unknown)"),
        "{correction}"
    );
    assert_eq!(requests[2].2["prompt"], requests[1].2["prompt"]);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("answer rejected\nceo_confidence: missing"))
    );
}

#[tokio::test]
async fn a_second_bad_answer_fails_the_cell_with_the_raw_answer_noted() {
    let c = column(CEO);
    let caller = research_or(|_, _| {
        json!({"output": null, "raw": "I believe it is Dev.", "stop": "end_turn",
               "truncated": false, "invalid": "the answer is not JSON (expected value)",
               "model": "m", "usage": {"input_tokens": 1, "output_tokens": 1}})
    });
    let (out, notes) = enrich(&c, caller.clone()).await;
    let e = out.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Permanent);
    assert!(
        e.message
            .contains("even after a retry: the answer is not JSON"),
        "{}",
        e.message
    );
    assert_eq!(caller.requests().len(), 3, "exactly one retry");
    assert!(notes.iter().any(|n| n.contains("I believe it is Dev.")));
}

#[tokio::test]
async fn a_cut_off_answer_is_retried_with_more_room() {
    let c = column(CEO);
    let caller = research_or(|_, n| match n {
        2 => json!({"output": null, "raw": "{\"ceo_na", "stop": "max_tokens", "truncated": true,
                    "invalid": "the answer was cut off at the token limit (1024 tokens)",
                    "model": "m", "usage": {"input_tokens": 1, "output_tokens": 1024}}),
        _ => answer(json!({"ceo_name": "Dev Anand", "ceo_confidence": 1}), "{}"),
    });
    let (out, _) = enrich(&c, caller.clone()).await;
    assert!(out.is_ok());
    assert_eq!(caller.requests()[2].2["max_tokens"], 2048);
}

#[tokio::test]
async fn nothing_found_is_no_data_not_text() {
    let c = column(CEO);
    let caller =
        research_or(|_, _| answer(json!({"ceo_name": "N/A", "ceo_confidence": null}), "{}"));
    let (out, _) = enrich(&c, caller).await;
    assert_eq!(out.unwrap_err().kind, ErrorKind::NoData);
}

#[tokio::test]
async fn a_provider_without_a_key_stops_the_row_before_any_paid_call() {
    let c = column(CEO);
    let caller = Arc::new(Scripted {
        script: Box::new(|_, _, _, _| Ok(json!(null))),
        requests: Mutex::new(Vec::new()),
        refuse: Some(ProviderId::ANTHROPIC),
    });
    let (out, _) = enrich(&c, caller.clone()).await;
    let e = out.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(e.message.contains("ANTHROPIC_API_KEY"));
    assert!(
        caller.requests().is_empty(),
        "the research was not paid for"
    );
}

#[tokio::test]
async fn without_research_the_model_is_asked_directly_and_the_request_is_known_up_front() {
    let c = column(&CEO.replace("research = true", "research = false\nllm = \"openai\""));
    let caller = Scripted::new(|_, _, _, _| {
        Ok(answer(
            json!({"ceo_name": "Dev Anand", "ceo_confidence": 0.5}),
            "{}",
        ))
    });
    let (out, _) = enrich(&c, caller.clone()).await;
    assert!(out.is_ok());
    let requests = caller.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].0, requests[0].1.as_str()),
        (ProviderId::OPENAI, "chat_completions")
    );
    assert!(requests[0].2.get("structured").is_none());
    assert_eq!(requests[0].2["model"], "gpt-4.1-mini");
    assert_eq!(c.first_request(&row()), Some(requests[0].2.clone()));
    assert_eq!(c.spec().tools, ["chat_completions"]);
    assert_eq!(c.providers(), [ProviderId::OPENAI]);
    assert_eq!(
        column(CEO).providers(),
        [ProviderId::DATAGEN, ProviderId::ANTHROPIC]
    );
    assert_eq!(column(CEO).first_request(&row()), None);
}

#[test]
fn inputs_come_from_the_prompt_or_must_cover_it() {
    let c = column(CEO);
    let names: Vec<&str> = c.spec().inputs.iter().map(|i| i.name).collect();
    assert_eq!(names, ["company", "domain"]);
    assert!(c.spec().inputs.iter().all(|i| i.required));
    let undeclared = format!("{CEO}\n[[inputs]]\nname = \"company\"\n");
    let def = Definition::parse(&undeclared).unwrap();
    let KindDef::Ai(ai) = &def.kind else {
        panic!("an AI column")
    };
    let e = AiColumn::new(&def, ai, &settings()).err().unwrap();
    assert_eq!(
        e,
        "the prompt reads {{domain}} but no input \"domain\" is declared"
    );
    let optional = format!(
        "{CEO}\n[[inputs]]\nname = \"company\"\n\n[[inputs]]\nname = \"domain\"\nrequired = false\n"
    );
    let def = Definition::parse(&optional).unwrap();
    let KindDef::Ai(ai) = &def.kind else {
        panic!("an AI column")
    };
    assert!(
        AiColumn::new(&def, ai, &settings())
            .err()
            .unwrap()
            .contains("required")
    );
}

#[test]
fn an_edited_definition_is_journaled_apart() {
    let a = column(CEO);
    assert_eq!(column(CEO).journal_name(), a.journal_name());
    assert!(a.journal_name().starts_with("ceo_test#"));
    let edited = column(&CEO.replace("Who is", "Who's"));
    assert_ne!(edited.journal_name(), a.journal_name());
    assert_eq!(edited.spec().name, "ceo_test");
}

#[test]
fn estimates_follow_the_prompt_and_the_price() {
    let c = column(CEO);
    let short = c.estimate(&row()).unwrap();
    let mut long_row = row();
    long_row.insert("company".into(), "K".repeat(4000));
    let long = c.estimate(&long_row).unwrap();
    assert!(long.input_tokens >= short.input_tokens + 990);
    assert!(short.input_tokens > 500, "research text is counted");
    let usd = short.usd.unwrap();
    assert!(
        usd > 0.01 && usd < 0.02,
        "a research call and ~1k haiku tokens: {usd}"
    );
    assert!(c.spec().cost_per_row_usd > 0.0);
    let local = column(&CEO.replace("research = true", "research = true\nmodel = \"llama3.1\""));
    assert_eq!(
        local.estimate(&row()).unwrap().usd,
        None,
        "no price: tokens only"
    );
}

#[tokio::test]
async fn a_row_missing_a_column_the_prompt_reads_is_skipped_and_nothing_is_sent() {
    use crate::cell::{CellState, SkipReason};
    use crate::engine::caller::{Caller, CallerSettings};
    use crate::engine::fake::FakeTransport;
    use crate::engine::{Engine, EngineSettings, Event, Job, JobKey};
    let transport = Arc::new(FakeTransport::echo(std::time::Duration::ZERO));
    let caller = Arc::new(Caller::new(
        transport.clone(),
        CallerSettings::default(),
        Arc::new(crate::providers::NoCache),
    ));
    let (engine, mut events) = Engine::new(
        &tokio::runtime::Handle::current(),
        EngineSettings::default(),
        caller,
    );
    let mut inputs = row();
    inputs.insert("domain".into(), "  ".into());
    engine.submit(vec![Job {
        key: JobKey { row: 0, column: 0 },
        integration: Arc::new(column(CEO)),
        inputs,
        fresh: false,
        budget: None,
    }]);
    let result = loop {
        match events.recv().await {
            Some(Event::Finished(result)) => break result,
            Some(_) => {}
            None => panic!("the engine stopped"),
        }
    };
    assert_eq!(
        result.state,
        CellState::Skipped(SkipReason::MissingInput(
            "missing required columns: domain".into()
        ))
    );
    assert_eq!(
        transport.calls(),
        0,
        "neither the research nor the model was asked"
    );
}
