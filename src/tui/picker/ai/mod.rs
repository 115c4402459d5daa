//! "AI column…" in the picker: write a prompt over the sheet's columns (`{{column}}`, with
//! completion of column names), declare typed outputs, research the web first or not, pick the
//! protocol and model; a dry run on the row under the cursor shows the prompt, the answer and
//! the parsed fields; saving writes the column as a file in `integrations.d/`, so
//! `leadgrid run -i NAME` and `leadgrid integrations` see it, and goes on to map its inputs.

pub mod commands;
pub(super) mod draw;

use crate::config::LlmProvider;
use crate::engine::{Engine, Event, Job, JobKey, JobResult};
use crate::integrations::ai::prompt::{Template, open_token_at};
use crate::integrations::user::definition::{
    AiDef, Definition, InputDef, KindDef, OutputDef, OutputType,
};
use crate::integrations::user::{Catalog, Settings};
use crate::integrations::{Fields, Integration, header_key};
use crate::table::RowId;
use crate::tui::command;
use crate::tui::component::{Context, Outcome};
use crate::tui::event::{AppEvent, WorkerResult, spawn_worker};
use crate::tui::intent::Intent;
use commands::{AiAction, FORM};
use crossterm::event::{Event as TermEvent, KeyEvent};
use std::sync::Arc;
use std::sync::mpsc::Sender;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

/// The engine column a dry run's job is filed under: no enrichment column has it.
pub const DRY_RUN_COLUMN: u32 = u32::MAX;

/// Column names offered at most while a `{{token}}` is typed.
const MAX_COMPLETIONS: usize = 8;

/// Runs a dry run's job: an engine job of no column ([`DRY_RUN_COLUMN`]), through the same
/// caller (cache, retries, rate limits, journal) as any cell.
pub fn submit_dry_run(
    engine: &Engine,
    integration: Arc<dyn Integration>,
    row: RowId,
    inputs: Fields,
) {
    // A refused key stopped the last dry run's column: this one may have a new key.
    engine.resume_column(DRY_RUN_COLUMN);
    engine.submit(vec![Job {
        budget: None,
        key: JobKey {
            row: row.as_u64(),
            column: DRY_RUN_COLUMN,
        },
        integration,
        inputs,
        fresh: false,
    }]);
}

/// Saves `def` into the catalog's folder on a worker and reloads it; the result arrives as
/// [`WorkerResult::IntegrationSaved`].
pub fn save_in_background(mut catalog: Catalog, def: Definition, tx: Sender<AppEvent>) {
    spawn_worker("leadgrid-save-integration", move || {
        let saved = catalog
            .save(&def)
            .map(|path| (Box::new(catalog), path, def.name.clone()))
            .map_err(|e| e.to_string());
        let _ = tx.send(AppEvent::Worker(WorkerResult::IntegrationSaved(saved)));
    });
}

/// Whether an engine event belongs to a dry run (and so to the picker, not the grid).
pub fn is_dry_run(event: &Event) -> bool {
    let column = match event {
        Event::Running(key) | Event::Retrying { key, .. } => key.column,
        Event::Finished(result) => result.key.column,
        Event::ColumnStopped { column, .. } => *column,
        Event::Provider(_) | Event::Idle => return false,
    };
    column == DRY_RUN_COLUMN
}

/// One output being declared.
#[derive(Debug, Clone, Default)]
pub struct OutputRow {
    pub name: Input,
    pub kind: OutputType,
    /// Choices of an enum, comma-separated.
    pub choices: Input,
    pub about: Input,
}

/// A place the cursor can be in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Prompt,
    OutputName(usize),
    OutputType(usize),
    OutputChoices(usize),
    OutputAbout(usize),
    Research,
    Llm,
    Model,
}

impl Field {
    /// A field changed with ←/→/Space rather than typed into.
    fn is_choice(self) -> bool {
        matches!(self, Field::OutputType(_) | Field::Research | Field::Llm)
    }
}

/// Where the dry run is.
#[derive(Debug, Clone, Default)]
pub enum DryRun {
    #[default]
    Idle,
    /// Asked on sheet row `row` (a position).
    Running { row: usize },
    /// Its result, on sheet row `row`.
    Finished { row: usize, result: Box<JobResult> },
}

/// The form's state.
pub struct AiBuilder {
    pub name: Input,
    pub prompt: Input,
    pub outputs: Vec<OutputRow>,
    pub research: bool,
    pub llm: LlmProvider,
    pub model: Input,
    /// Index into [`AiBuilder::fields`].
    pub focus: usize,
    pub dry_run: DryRun,
    /// What is wrong, or what happened (a save), for the user.
    pub problem: Option<String>,
    /// Saving is under way.
    pub saving: bool,
    /// The definition edited, when changing an existing one (its other keys are kept).
    base: Option<Definition>,
    settings: Settings,
}

impl AiBuilder {
    /// An empty form with the config's defaults and a name no integration has (`None`
    /// without a config to take the defaults from).
    pub fn new(catalog: &Catalog) -> Option<AiBuilder> {
        let settings = catalog.settings()?.clone();
        let name = (1..)
            .map(|n| match n {
                1 => "ai_column".to_string(),
                n => format!("ai_column_{n}"),
            })
            .find(|n| catalog.find(n).is_none())
            .unwrap_or_default();
        let llm = settings.llm.provider;
        Some(AiBuilder {
            name: Input::new(name),
            prompt: Input::default(),
            outputs: vec![OutputRow {
                name: Input::new("answer".into()),
                ..OutputRow::default()
            }],
            research: false,
            llm,
            model: Input::new(settings.llm.default_model(llm).to_string()),
            focus: 1,
            dry_run: DryRun::Idle,
            problem: None,
            saving: false,
            base: None,
            settings,
        })
    }

    /// A form holding an existing AI column, to change it (or save a copy under a new name);
    /// `None` for another kind.
    pub fn edit(catalog: &Catalog, def: &Definition) -> Option<AiBuilder> {
        let KindDef::Ai(ai) = &def.kind else {
            return None;
        };
        let mut form = AiBuilder::new(catalog)?;
        form.name = Input::new(def.name.clone());
        form.prompt = Input::new(ai.prompt.clone());
        form.outputs = def
            .outputs
            .iter()
            .map(|o| OutputRow {
                name: Input::new(o.name.clone()),
                kind: o.kind,
                choices: Input::new(o.choices.join(", ")),
                about: Input::new(o.description.clone()),
            })
            .collect();
        form.research = ai.research;
        form.llm = ai.llm.unwrap_or(form.settings.llm.provider);
        form.model = Input::new(
            ai.model
                .clone()
                .unwrap_or_else(|| form.settings.llm.default_model(form.llm).to_string()),
        );
        form.base = Some(def.clone());
        Some(form)
    }

    /// Every place the cursor can go, in order.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = vec![Field::Name, Field::Prompt];
        for (i, output) in self.outputs.iter().enumerate() {
            fields.push(Field::OutputName(i));
            fields.push(Field::OutputType(i));
            if output.kind == OutputType::Enum {
                fields.push(Field::OutputChoices(i));
            }
            fields.push(Field::OutputAbout(i));
        }
        fields.extend([Field::Research, Field::Llm, Field::Model]);
        fields
    }

    /// The field under the cursor.
    pub fn focused(&self) -> Field {
        let fields = self.fields();
        fields
            .get(self.focus.min(fields.len().saturating_sub(1)))
            .copied()
            .unwrap_or(Field::Prompt)
    }

    /// The text input of `field`, when it is typed into.
    pub fn input(&self, field: Field) -> Option<&Input> {
        match field {
            Field::Name => Some(&self.name),
            Field::Prompt => Some(&self.prompt),
            Field::Model => Some(&self.model),
            Field::OutputName(i) => self.outputs.get(i).map(|o| &o.name),
            Field::OutputChoices(i) => self.outputs.get(i).map(|o| &o.choices),
            Field::OutputAbout(i) => self.outputs.get(i).map(|o| &o.about),
            Field::OutputType(_) | Field::Research | Field::Llm => None,
        }
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut Input> {
        match field {
            Field::Name => Some(&mut self.name),
            Field::Prompt => Some(&mut self.prompt),
            Field::Model => Some(&mut self.model),
            Field::OutputName(i) => self.outputs.get_mut(i).map(|o| &mut o.name),
            Field::OutputChoices(i) => self.outputs.get_mut(i).map(|o| &mut o.choices),
            Field::OutputAbout(i) => self.outputs.get_mut(i).map(|o| &mut o.about),
            Field::OutputType(_) | Field::Research | Field::Llm => None,
        }
    }

    fn move_focus(&mut self, forward: bool) {
        let last = self.fields().len().saturating_sub(1);
        self.focus = if forward {
            (self.focus + 1).min(last)
        } else {
            self.focus.saturating_sub(1)
        };
    }

    fn focus_on(&mut self, field: Field) {
        if let Some(i) = self.fields().iter().position(|f| *f == field) {
            self.focus = i;
        }
    }

    /// The `{{token}}` being typed in the prompt, when the cursor is in one.
    pub fn open_token(&self) -> Option<&str> {
        if self.focused() != Field::Prompt {
            return None;
        }
        let value = self.prompt.value();
        let cursor = value
            .char_indices()
            .nth(self.prompt.cursor())
            .map_or(value.len(), |(i, _)| i);
        open_token_at(value, cursor)
    }

    /// Column names that complete the token being typed, best first.
    pub fn completions(&self, headers: &[String]) -> Vec<String> {
        let Some(partial) = self.open_token() else {
            return Vec::new();
        };
        let key = header_key(partial);
        let mut starts: Vec<&String> = headers
            .iter()
            .filter(|h| header_key(h).starts_with(&key))
            .collect();
        let contains = headers
            .iter()
            .filter(|h| !header_key(h).starts_with(&key) && header_key(h).contains(&key));
        starts.extend(contains);
        starts.into_iter().take(MAX_COMPLETIONS).cloned().collect()
    }

    /// Replaces the token being typed with `column` and closes it.
    fn complete(&mut self, column: &str) {
        let value = self.prompt.value().to_string();
        let cursor = value
            .char_indices()
            .nth(self.prompt.cursor())
            .map_or(value.len(), |(i, _)| i);
        let Some(open) = value[..cursor].rfind("{{") else {
            return;
        };
        let rest = &value[cursor..];
        // A token already closed right after the cursor keeps its braces.
        let rest = rest
            .find("}}")
            .filter(|end| !rest[..*end].contains("{{"))
            .map_or(rest, |end| &rest[end + 2..]);
        let head = format!("{}{{{{{column}}}}}", &value[..open]);
        let cursor = head.chars().count();
        self.prompt = Input::new(format!("{head}{rest}")).with_cursor(cursor);
    }

    /// The definition the form describes, checked.
    pub fn definition(&self) -> Result<Definition, String> {
        let prompt = self.prompt.value().trim().to_string();
        let template = Template::new(&prompt);
        let base = self.base.as_ref();
        let inputs: Vec<InputDef> = template
            .tokens()
            .iter()
            .map(|token| {
                base.and_then(|b| b.inputs.iter().find(|i| i.name == *token))
                    .cloned()
                    .unwrap_or_else(|| InputDef {
                        name: token.clone(),
                        guess: vec![token.clone()],
                        required: true,
                        description: String::new(),
                    })
            })
            .collect();
        let outputs = self
            .outputs
            .iter()
            .map(|o| OutputDef {
                name: o.name.value().trim().to_string(),
                kind: o.kind,
                choices: if o.kind == OutputType::Enum {
                    o.choices
                        .value()
                        .split(',')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                        .collect()
                } else {
                    Vec::new()
                },
                description: o.about.value().trim().to_string(),
                path: None,
            })
            .collect();
        let (max_tokens, temperature) = match base.map(|b| &b.kind) {
            Some(KindDef::Ai(ai)) => (ai.max_tokens, ai.temperature),
            _ => (None, None),
        };
        let model = self.model.value().trim();
        let description = base
            .map(|b| b.description.clone())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| {
                format!(
                    "AI column: {}",
                    crate::providers::wire::cut(&prompt.replace('\n', " "), 100)
                )
            });
        let def = Definition {
            name: self.name.value().trim().to_string(),
            description,
            provider: None,
            cost: base.and_then(|b| b.cost),
            inputs,
            outputs,
            kind: KindDef::Ai(AiDef {
                prompt,
                research: self.research,
                llm: Some(self.llm),
                model: (!model.is_empty()).then(|| model.to_string()),
                max_tokens,
                temperature,
            }),
        };
        def.check().map_err(|e| e.to_string())?;
        if template.tokens().is_empty() {
            return Err("the prompt reads no column: type {{ and a column name".into());
        }
        Ok(def)
    }

    /// Tokens of the prompt that name no column of the sheet (their rows could not be filled).
    pub fn unknown_tokens(&self, headers: &[String]) -> Vec<String> {
        Template::new(self.prompt.value())
            .tokens()
            .iter()
            .filter(|t| {
                let key = header_key(t);
                !headers.iter().any(|h| header_key(h) == key)
            })
            .cloned()
            .collect()
    }

    /// The dry run's integration and inputs: the form built, the row under the cursor read.
    fn dry_run_job(
        &self,
        catalog: &Catalog,
        ctx: &Context,
        row: Option<usize>,
    ) -> Result<(Arc<dyn Integration>, usize, Fields), String> {
        let def = self.definition()?;
        let integration = catalog.build(&def)?;
        let row = row.ok_or("move the grid's cursor to a row first")?;
        let headers: Vec<String> = ctx.sheet.columns().iter().map(|c| c.name.clone()).collect();
        let unknown = self.unknown_tokens(&headers);
        if !unknown.is_empty() {
            return Err(format!(
                "no column called {}: a dry run reads columns by their names",
                unknown.join(", ")
            ));
        }
        let cells = ctx.sheet.row_cells(row);
        let inputs: Fields = integration
            .spec()
            .inputs
            .iter()
            .filter_map(|input| {
                let col = crate::integrations::guess_column(input, &headers)?;
                Some((input.name.to_string(), cells.get(col)?.clone()))
            })
            .collect();
        Ok((integration, row, inputs))
    }

    /// There is no engine to run the dry run on.
    pub fn no_engine(&mut self) {
        self.dry_run = DryRun::Idle;
        self.problem =
            Some("no enrichment engine: set a provider's API key, or start with --demo".into());
    }

    /// Takes an engine event of the dry run.
    pub fn dry_run_event(&mut self, event: Event) {
        match (event, &self.dry_run) {
            (Event::Finished(result), DryRun::Running { row }) => {
                self.dry_run = DryRun::Finished { row: *row, result };
            }
            (Event::ColumnStopped { error, .. }, _) => {
                self.problem = Some(error.message);
            }
            _ => {}
        }
    }

    /// Handles a key; `row` is the grid's cursor row, for a dry run.
    pub fn handle_key(
        &mut self,
        key: KeyEvent,
        ctx: &Context,
        catalog: &Catalog,
        row: Option<usize>,
    ) -> Outcome {
        let field = self.focused();
        let action = command::find(FORM, &key);
        // On a text field, ←/→/Space type (move the cursor, insert a space).
        let action = match action {
            Some(AiAction::Change) if !field.is_choice() => None,
            other => other,
        };
        match action {
            Some(AiAction::Up) => self.move_focus(false),
            Some(AiAction::Down) => self.move_focus(true),
            Some(AiAction::Complete) => {
                let headers: Vec<String> =
                    ctx.sheet.columns().iter().map(|c| c.name.clone()).collect();
                match self.completions(&headers).first() {
                    Some(column) => self.complete(&column.clone()),
                    None => self.move_focus(true),
                }
            }
            Some(AiAction::Change) => {
                self.change(field, key.code == crossterm::event::KeyCode::Left)
            }
            Some(AiAction::AddOutput) => {
                self.outputs.push(OutputRow::default());
                self.focus_on(Field::OutputName(self.outputs.len() - 1));
            }
            Some(AiAction::RemoveOutput) => self.remove_output(field),
            Some(AiAction::DryRun) => match self.dry_run_job(catalog, ctx, row) {
                Ok((integration, row, inputs)) => {
                    self.problem = None;
                    self.dry_run = DryRun::Running { row };
                    return Intent::DryRun {
                        integration,
                        row,
                        inputs,
                    }
                    .into();
                }
                Err(why) => self.problem = Some(why),
            },
            Some(AiAction::Save) => match self.definition() {
                Ok(def) => {
                    self.problem = None;
                    self.saving = true;
                    return Intent::SaveIntegration(Box::new(def)).into();
                }
                Err(why) => self.problem = Some(why),
            },
            Some(AiAction::Back) => return Outcome::Ignored,
            None => {
                if let Some(input) = self.input_mut(field)
                    && let Some(request) = to_input_request(&TermEvent::Key(key))
                {
                    input.handle(request);
                }
            }
        }
        Outcome::Consumed
    }

    /// Changes a choice field: the output's type, research, the protocol (and its model).
    fn change(&mut self, field: Field, back: bool) {
        match field {
            Field::OutputType(i) => {
                if let Some(output) = self.outputs.get_mut(i) {
                    let all = OutputType::ALL;
                    let at = all.iter().position(|k| *k == output.kind).unwrap_or(0);
                    let next = if back {
                        (at + all.len() - 1) % all.len()
                    } else {
                        (at + 1) % all.len()
                    };
                    output.kind = all[next];
                }
            }
            Field::Research => self.research = !self.research,
            Field::Llm => {
                let default_before = self.settings.llm.default_model(self.llm).to_string();
                self.llm = match self.llm {
                    LlmProvider::Anthropic => LlmProvider::Openai,
                    LlmProvider::Openai => LlmProvider::Anthropic,
                };
                // The other protocol's default model, unless the user typed their own.
                if self.model.value().trim() == default_before {
                    self.model = Input::new(self.settings.llm.default_model(self.llm).to_string());
                }
            }
            _ => {}
        }
    }

    fn remove_output(&mut self, field: Field) {
        let i = match field {
            Field::OutputName(i)
            | Field::OutputType(i)
            | Field::OutputChoices(i)
            | Field::OutputAbout(i) => i,
            _ => {
                self.problem = Some("move to an output to remove it".into());
                return;
            }
        };
        if self.outputs.len() <= 1 {
            self.problem = Some("an AI column needs at least one output".into());
            return;
        }
        self.outputs.remove(i);
        self.focus_on(Field::OutputName(i.min(self.outputs.len() - 1)));
    }
}

#[cfg(test)]
mod tests;
