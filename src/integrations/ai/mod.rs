//! AI columns (`kind = "ai"`): a prompt over the row's columns, typed outputs, and optionally
//! a web search first. One row: render the prompt (a row missing a token's column is skipped
//! by the engine, never sent), research it with DataGen's `chatgpt_webresearch` when asked,
//! ask the model for the outputs as a JSON object following a schema built from them,
//! validate and normalise each value to its type, and on an invalid or cut-off answer ask once
//! more with the validation error. Every step is noted for the inspector.

pub mod prompt;
pub mod schema;
pub mod validate;

use super::user::definition::{AiDef, Definition, InputDef};
use super::user::{Settings, intern_spec};
use super::{Ctx, EnrichError, Enriched, Fields, Integration, IntegrationSpec};
use crate::config::LlmProvider;
use crate::providers::price::TokenPrice;
use crate::providers::router::{ANTHROPIC_MESSAGES, OPENAI_CHAT};
use crate::providers::{ErrorKind, ProviderId, Usage};
use futures::future::BoxFuture;
use prompt::Template;
use serde_json::{Value, json};

/// The DataGen tool that searches the web.
pub const RESEARCH_TOOL: &str = "chatgpt_webresearch";

/// What every AI column tells the model, whatever the prompt.
pub const SYSTEM: &str = "You fill in columns of a sales team's lead list. Answer only with the \
requested fields. Use null for anything the research or reliable knowledge does not support: \
never guess, and never write N/A, unknown or other placeholder text.";

/// Characters of research text assumed per row when estimating (live answers run 1–3k).
const RESEARCH_CHARS_ESTIMATE: usize = 2_000;

/// Characters assumed per input value when estimating without a row.
const VALUE_CHARS_ESTIMATE: usize = 20;

/// Largest token limit a retry of a cut-off answer asks for.
const MAX_RETRY_TOKENS: u64 = 16_384;

/// The tools an AI column calls, in order, by (research first, protocol).
fn tools(research: bool, llm: LlmProvider) -> &'static [&'static str] {
    match (research, llm) {
        (true, LlmProvider::Anthropic) => &[RESEARCH_TOOL, ANTHROPIC_MESSAGES],
        (true, LlmProvider::Openai) => &[RESEARCH_TOOL, OPENAI_CHAT],
        (false, LlmProvider::Anthropic) => &[ANTHROPIC_MESSAGES],
        (false, LlmProvider::Openai) => &[OPENAI_CHAT],
    }
}

/// An AI column, ready to run.
pub struct AiColumn {
    spec: &'static IntegrationSpec,
    template: Template,
    research: bool,
    llm: LlmProvider,
    model: String,
    max_tokens: u64,
    temperature: f64,
    /// Anthropic's structured-output mode (`tool` or `native`); unused by OpenAI.
    structured: &'static str,
    schema: Value,
    token_price: Option<TokenPrice>,
    research_price: Option<f64>,
    journal_name: String,
}

impl AiColumn {
    /// An AI column from its definition, with the config's defaults for what it leaves out.
    pub fn new(def: &Definition, ai: &AiDef, settings: &Settings) -> Result<AiColumn, String> {
        let template = Template::new(&ai.prompt);
        let inputs = inputs_of(def, &template)?;
        let llm = ai.llm.unwrap_or(settings.llm.provider);
        if let Some(provider) = def.provider.as_deref()
            && provider.trim() != llm.name()
        {
            return Err(format!(
                "provider {provider:?}: an AI column's provider is its llm ({})",
                llm.name()
            ));
        }
        let model = ai
            .model
            .clone()
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| settings.llm.default_model(llm).to_string());
        let max_tokens = ai.max_tokens.unwrap_or(settings.llm.max_tokens).max(1);
        let temperature = ai.temperature.unwrap_or(settings.llm.temperature);
        let token_price = settings.prices.model(&model);
        let structured = settings.llm.structured.for_model(&model);
        let research_price = settings.prices.per_call(ProviderId::DATAGEN);
        let mut column = AiColumn {
            spec: intern_spec(
                def,
                &inputs,
                llm.id(),
                tools(ai.research, llm),
                def.cost.unwrap_or(0.0),
            ),
            template,
            research: ai.research,
            llm,
            model,
            max_tokens,
            temperature,
            structured,
            schema: Value::Null,
            token_price,
            research_price,
            journal_name: String::new(),
        };
        column.schema = schema::build(column.spec.outputs);
        if def.cost.is_none() {
            // A typical row's estimate, for the catalog and the picker's per-row figure.
            let typical = column.estimate_text(None).usd.unwrap_or(0.0);
            column.spec = intern_spec(def, &inputs, llm.id(), column.spec.tools, typical);
        }
        let resolved = format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            def.to_toml().map_err(|e| e.to_string())?,
            llm.name(),
            column.model,
            max_tokens,
            temperature,
            column.structured
        );
        column.journal_name = format!("{}#{:08x}", def.name, crc32fast::hash(resolved.as_bytes()));
        Ok(column)
    }

    /// The prompt template.
    pub fn template(&self) -> &Template {
        &self.template
    }

    /// The model asked.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The protocol spoken.
    pub fn llm(&self) -> LlmProvider {
        self.llm
    }

    /// Whether the web is researched first.
    pub fn researches(&self) -> bool {
        self.research
    }

    /// The row's prompt, or the tokens it lacks.
    pub fn render(&self, inputs: &Fields) -> Result<String, prompt::Missing> {
        self.template.render(|k| inputs.get(k).map(String::as_str))
    }

    /// The model call for a rendered prompt and the research text found for it.
    fn params(&self, prompt: &str, research: Option<&str>) -> Value {
        let mut params = json!({
            "model": self.model,
            "system": SYSTEM,
            "prompt": self.user_message(prompt, research),
            "schema": self.schema,
            "schema_name": self.spec.name,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
        });
        if self.llm == LlmProvider::Anthropic {
            params["structured"] = json!(self.structured);
        }
        params
    }

    /// The user's prompt, the research text, and the columns to fill.
    fn user_message(&self, prompt: &str, research: Option<&str>) -> String {
        let mut message = prompt.trim().to_string();
        if let Some(text) = research {
            message.push_str("\n\nWhat a web search found:\n\"\"\"\n");
            message.push_str(text.trim());
            message.push_str("\n\"\"\"");
        }
        message.push_str("\n\nFill in these columns:");
        for output in self.spec.outputs {
            message.push_str(&format!("\n- {} ({})", output.name, output.kind.label()));
            if !output.description.is_empty() {
                message.push_str(&format!(": {}", output.description));
            }
            if !output.kind.choices().is_empty() {
                message.push_str(&format!(" (one of: {})", output.kind.choices().join(", ")));
            }
        }
        message
    }

    /// Usage of one row whose prompt is `prompt` (or the template with typical values).
    fn estimate_text(&self, prompt: Option<&str>) -> Usage {
        let prompt_chars = prompt.map_or_else(
            || {
                self.template.text().chars().count()
                    + self.template.tokens().len() * VALUE_CHARS_ESTIMATE
            },
            |p| p.chars().count(),
        );
        let research = if self.research {
            RESEARCH_CHARS_ESTIMATE
        } else {
            0
        };
        let fixed =
            SYSTEM.len() + self.user_message("", None).len() + self.schema.to_string().len();
        let input_tokens = ((prompt_chars + research + fixed) as u64).div_ceil(4);
        let output_tokens = 10
            + self
                .spec
                .outputs
                .iter()
                .map(|o| match o.kind {
                    super::OutputKind::Text => 60,
                    super::OutputKind::UrlList => 50,
                    super::OutputKind::Url => 20,
                    _ => 8,
                })
                .sum::<u64>();
        let usd = self.token_price.map(|p| {
            p.usd(input_tokens, output_tokens)
                + if self.research {
                    self.research_price.unwrap_or(0.0)
                } else {
                    0.0
                }
        });
        Usage {
            input_tokens,
            output_tokens,
            usd,
        }
    }

    /// Web research on the prompt: the text found, or a line saying nothing was found.
    async fn research(&self, ctx: &Ctx, prompt: &str) -> Result<String, EnrichError> {
        match ctx
            .call(
                ProviderId::DATAGEN,
                RESEARCH_TOOL,
                json!({ "query": prompt }),
            )
            .await
        {
            Ok(result) => Ok(match &result {
                Value::String(s) => s.clone(),
                other => other
                    .get("answer")
                    .and_then(Value::as_str)
                    .map_or_else(|| other.to_string(), str::to_string),
            }),
            Err(e) if e.kind == ErrorKind::NoData => {
                Ok("The web search found nothing about this.".to_string())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// One model call; its answer in the shape of [`crate::providers::llm`].
    async fn ask(&self, ctx: &Ctx, params: Value) -> Result<Value, EnrichError> {
        Ok(ctx.call(self.llm.id(), self.llm.tool(), params).await?)
    }

    /// The answer's fields, or why they cannot be used.
    fn check(&self, answer: &Value) -> Result<Fields, String> {
        match answer.get("output") {
            Some(Value::Object(object)) => validate::validate(self.spec.outputs, object),
            _ => Err(answer
                .get("invalid")
                .and_then(Value::as_str)
                .unwrap_or("the answer has no fields")
                .to_string()),
        }
    }

    /// The same call once more, showing the model its answer and what was wrong with it
    /// (with room for a longer answer when the first was cut off).
    fn retry(&self, mut params: Value, answer: &Value, why: &str) -> Value {
        let raw = answer
            .get("raw")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let raw = if raw.trim().is_empty() { "{}" } else { raw };
        params["history"] = json!([
            {"role": "assistant", "content": raw},
            {"role": "user", "content": format!(
                "That answer cannot be used: {why}. Answer again with every column, following \
                 the schema exactly; use null for anything you cannot support."
            )},
        ]);
        if answer.get("truncated").and_then(Value::as_bool) == Some(true) {
            params["max_tokens"] = json!((self.max_tokens * 2).min(MAX_RETRY_TOKENS));
        }
        params
    }

    /// Enriches one row (see the module documentation).
    async fn run(&self, ctx: &Ctx, inputs: &Fields) -> Result<Enriched, EnrichError> {
        ctx.require(self.llm.id())?;
        if self.research {
            ctx.require(ProviderId::DATAGEN)?;
        }
        let prompt = self.render(inputs).map_err(|missing| {
            EnrichError::new(ErrorKind::Permanent, format!("not sent: {missing}"))
        })?;
        ctx.note(format!("prompt\n{prompt}"));
        let research = match self.research {
            true => {
                let text = self.research(ctx, &prompt).await?;
                ctx.note(format!("research\n{text}"));
                Some(text)
            }
            false => None,
        };
        let params = self.params(&prompt, research.as_deref());
        let first = self.ask(ctx, params.clone()).await?;
        note_answer(ctx, "answer", &first);
        let fields = match self.check(&first) {
            Ok(fields) => fields,
            Err(why) => {
                ctx.note(format!("answer rejected\n{why}"));
                let second = self.ask(ctx, self.retry(params, &first, &why)).await?;
                note_answer(ctx, "answer to the retry", &second);
                self.check(&second).map_err(|why| {
                    ctx.note(format!("answer rejected\n{why}"));
                    EnrichError::new(
                        ErrorKind::Permanent,
                        format!(
                            "the model's answer did not fit the columns, even after a retry: {why}"
                        ),
                    )
                })?
            }
        };
        if fields.is_empty() {
            return Err(EnrichError::no_data(
                "the model found none of the columns (it answered null for each)",
            ));
        }
        let parsed: Vec<String> = fields.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        ctx.note(format!("parsed\n{}", parsed.join("\n")));
        Ok(Enriched {
            fields,
            notes: Vec::new(),
        })
    }
}

/// The model's answer as it came, for the inspector.
fn note_answer(ctx: &Ctx, title: &str, answer: &Value) {
    let raw = answer
        .get("raw")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let stop = answer
        .get("stop")
        .and_then(Value::as_str)
        .unwrap_or_default();
    ctx.note(format!("{title} (stop: {stop})\n{raw}"));
}

/// The inputs: as declared, or one per prompt token. Every token must read a required input.
fn inputs_of(def: &Definition, template: &Template) -> Result<Vec<InputDef>, String> {
    if def.inputs.is_empty() {
        if template.tokens().is_empty() {
            return Err("the prompt reads no column: add {{column}} tokens".into());
        }
        return Ok(template
            .tokens()
            .iter()
            .map(|t| InputDef {
                name: t.clone(),
                guess: vec![t.clone()],
                required: true,
                description: String::new(),
            })
            .collect());
    }
    for token in template.tokens() {
        match def.inputs.iter().find(|i| i.name == *token) {
            None => {
                return Err(format!(
                    "the prompt reads {{{{{token}}}}} but no input {token:?} is declared"
                ));
            }
            Some(input) if !input.required => {
                return Err(format!(
                    "input {token:?} is in the prompt, so it is required (rows without it are skipped)"
                ));
            }
            Some(_) => {}
        }
    }
    Ok(def.inputs.clone())
}

impl Integration for AiColumn {
    fn spec(&self) -> &'static IntegrationSpec {
        self.spec
    }

    fn enrich<'a>(
        &'a self,
        ctx: &'a Ctx,
        inputs: &'a Fields,
    ) -> BoxFuture<'a, Result<Enriched, EnrichError>> {
        Box::pin(self.run(ctx, inputs))
    }

    fn first_request(&self, inputs: &Fields) -> Option<Value> {
        // With research first, the first call is the search, which `spec().provider` is not.
        (!self.research).then(|| {
            let prompt = self.render(inputs).ok()?;
            Some(self.params(&prompt, None))
        })?
    }

    fn providers(&self) -> Vec<ProviderId> {
        let mut providers = vec![self.llm.id()];
        if self.research {
            providers.insert(0, ProviderId::DATAGEN);
        }
        providers
    }

    fn estimate(&self, inputs: &Fields) -> Option<Usage> {
        Some(self.estimate_text(self.render(inputs).ok().as_deref()))
    }

    fn journal_name(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(&self.journal_name)
    }
}

#[cfg(test)]
mod tests;
