use super::*;
use crate::config::Config;
use crossterm::event::{KeyCode, KeyModifiers};

fn catalog() -> Catalog {
    let config = Config::from_sources(None, |_| None).unwrap();
    Catalog::load(None, Settings::from_config(&config))
}

fn typed(input: &mut Input, text: &str) {
    for c in text.chars() {
        let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        if let Some(r) = to_input_request(&TermEvent::Key(key)) {
            input.handle(r);
        }
    }
}

#[test]
fn a_new_form_has_a_free_name_and_the_configs_model() {
    let form = AiBuilder::new(&catalog()).unwrap();
    assert_eq!(form.name.value(), "ai_column");
    assert_eq!(form.model.value(), "claude-haiku-4-5");
    assert_eq!(form.focused(), Field::Prompt);
    assert_eq!(
        form.fields(),
        [
            Field::Name,
            Field::Prompt,
            Field::OutputName(0),
            Field::OutputType(0),
            Field::OutputAbout(0),
            Field::Research,
            Field::Llm,
            Field::Model
        ]
    );
}

#[test]
fn column_names_complete_the_token_being_typed() {
    let mut form = AiBuilder::new(&catalog()).unwrap();
    typed(&mut form.prompt, "Who runs {{comp");
    let headers: Vec<String> = ["first_name", "company", "company_domain", "domain"]
        .map(String::from)
        .to_vec();
    assert_eq!(form.open_token(), Some("comp"));
    assert_eq!(form.completions(&headers), ["company", "company_domain"]);
    form.complete("company");
    assert_eq!(form.prompt.value(), "Who runs {{company}}");
    assert_eq!(form.open_token(), None);
    typed(&mut form.prompt, " at {{dom");
    assert_eq!(form.completions(&headers), ["domain", "company_domain"]);
    form.complete("domain");
    assert_eq!(form.prompt.value(), "Who runs {{company}} at {{domain}}");
}

#[test]
fn the_form_becomes_a_checked_definition() {
    let mut form = AiBuilder::new(&catalog()).unwrap();
    form.name = Input::new("funding".into());
    typed(&mut form.prompt, "Latest funding round of {{company}}?");
    form.outputs[0].name = Input::new("stage".into());
    form.outputs[0].kind = OutputType::Enum;
    assert!(
        form.definition().unwrap_err().contains("list its choices"),
        "an enum needs choices"
    );
    form.outputs[0].choices = Input::new("seed, series a ,".into());
    form.research = true;
    let def = form.definition().unwrap();
    assert_eq!(def.outputs[0].choices, ["seed", "series a"]);
    assert_eq!(def.inputs[0].name, "company");
    assert_eq!(def.inputs[0].guess, ["company"]);
    let KindDef::Ai(ai) = &def.kind else {
        panic!("an AI column")
    };
    assert!(ai.research);
    assert_eq!(ai.llm, Some(LlmProvider::Anthropic));
    assert_eq!(ai.model.as_deref(), Some("claude-haiku-4-5"));
    form.prompt = Input::new("no columns here".into());
    assert!(form.definition().unwrap_err().contains("reads no column"));
}

#[test]
fn editing_keeps_what_the_form_does_not_show() {
    let catalog = catalog();
    let def = catalog.definition("find_ceo").unwrap().clone();
    let mut form = AiBuilder::edit(&catalog, &def).unwrap();
    assert_eq!(form.outputs.len(), 5);
    assert!(form.research);
    typed(&mut form.prompt, " Be brief.");
    let edited = form.definition().unwrap();
    assert_eq!(edited.inputs, def.inputs, "declared guesses are kept");
    assert_eq!(edited.description, def.description);
    let KindDef::Ai(ai) = &edited.kind else {
        panic!("an AI column")
    };
    assert!(ai.prompt.ends_with("Be brief."));
}

#[test]
fn switching_protocol_switches_an_untouched_model() {
    let mut form = AiBuilder::new(&catalog()).unwrap();
    form.change(Field::Llm, false);
    assert_eq!(form.llm, LlmProvider::Openai);
    assert_eq!(form.model.value(), "gpt-4.1-mini");
    form.model = Input::new("llama3.1".into());
    form.change(Field::Llm, false);
    assert_eq!(form.model.value(), "llama3.1", "a typed model is kept");
    form.change(Field::OutputType(0), true);
    assert_eq!(form.outputs[0].kind, OutputType::Enum, "← wraps around");
    assert_eq!(form.fields().len(), 9, "an enum has a choices field");
}
