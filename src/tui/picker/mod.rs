//! The integration picker: fuzzy search → map inputs → choose outputs and scope → confirm.
//! Each step has its command table ([`commands`]); confirming asks the app to add the
//! enrichment. "AI column…" ([`ai`]) writes a new integration on the way.

pub mod ai;
mod ai_step;
pub mod commands;
mod draw;
mod estimate;
pub mod waterfall;

use super::command;
use super::component::{Component, Context, Outcome};
use super::deps::Feeds;
use super::enrich::{InputSource, NewEnrichment};
use super::intent::Intent;
use super::scope::{RowScopes, Scope};
use crate::integrations::user::Catalog;
use crate::integrations::user::definition::KindDef;
use crate::integrations::{Integration, IntegrationSpec};
use crate::plan::{self, Mapping, Plan, Rules};
use crate::table::ColumnId;
use crate::tui::bound::Bound;
use commands::PickerAction;
use crossterm::event::{Event, KeyEvent};
use estimate::Estimate;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use std::sync::Arc;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

/// Where an input's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Not mapped yet.
    Unmapped,
    /// A sheet column (index into the sheet's columns).
    Column(usize),
    /// One value for every row.
    Constant(String),
}

/// The step the picker is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Search,
    Map,
    Outputs,
    /// Writing an AI column ([`ai`]).
    Ai,
    /// Building a waterfall ([`waterfall`]).
    Waterfall,
}

/// One line of the search step's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// An integration (index into `integrations`).
    Integration(usize),
    /// "AI column…": write a new one.
    NewAi,
    /// "Waterfall…": build a new one.
    NewWaterfall,
    /// A file that did not load (index into the catalog's problems): choosing it explains.
    Problem(usize),
}

/// What the search step's "AI column…" line says (and is searched by).
pub const NEW_AI: &str = "AI column… (your own prompt)";

/// What the search step's "Waterfall…" line says (and is searched by).
pub const NEW_WATERFALL: &str = "Waterfall… (try providers in order, keep the first valid)";

/// State of the picker popup.
pub struct Picker {
    pub step: Step,
    pub query: Input,
    /// The list's lines that match the query, best first.
    pub entries: Vec<Entry>,
    pub selected: usize,
    pub integrations: Vec<Arc<dyn Integration>>,
    /// Input sources, one per input of the chosen integration.
    pub sources: Vec<Source>,
    /// Which input row has the cursor in the map step.
    pub input_cursor: usize,
    /// Typing a constant for the input under the cursor.
    pub constant: Option<Input>,
    /// Output chosen flags, one per output.
    pub outputs: Vec<bool>,
    /// Cursor in the outputs step: outputs first, then the scope line.
    pub output_cursor: usize,
    pub scope: Scope,
    /// The grid's view order and selection, which scopes are read from.
    pub scopes: RowScopes,
    /// A problem to explain on the current step.
    pub problem: Option<String>,
    /// What the scope will need and cost, once counted.
    pub cache_estimate: Option<plan::Estimate>,
    /// Identifies the latest estimate asked for; older answers are dropped.
    pub estimate_generation: u64,
    /// Every integration and the files that did not load.
    pub catalog: Catalog,
    /// The AI column being written, kept while the user goes back to the list.
    pub ai: Option<ai::AiBuilder>,
    /// The waterfall being built, kept while the user goes back to the list.
    pub waterfall: Option<waterfall::WaterfallBuilder>,
    /// What just happened (an AI column saved), shown until the next step.
    pub notice: Option<String>,
    /// Only rows where this holds run ("only run if").
    pub condition: Option<Bound>,
    /// Typing the run condition.
    pub condition_input: Option<Input>,
    /// The most dollars the new enrichment's calls may spend, if set.
    pub budget: Option<f64>,
    /// Typing the budget (the outputs step's `b`).
    pub budget_input: Option<Input>,
}

impl Picker {
    /// A picker over the catalog's integrations, all shown. With rows selected, the scope
    /// starts at those rows.
    pub fn new(catalog: &Catalog, scopes: RowScopes) -> Picker {
        let mut p = Picker {
            step: Step::Search,
            query: Input::default(),
            entries: Vec::new(),
            selected: 0,
            integrations: catalog.integrations().to_vec(),
            catalog: catalog.clone(),
            ai: None,
            waterfall: None,
            notice: None,
            budget: None,
            budget_input: None,
            sources: Vec::new(),
            input_cursor: 0,
            constant: None,
            outputs: Vec::new(),
            output_cursor: 0,
            scope: if scopes.selected.is_empty() {
                Scope::AllRows
            } else {
                Scope::SelectedRows
            },
            scopes,
            problem: None,
            cache_estimate: None,
            estimate_generation: 0,
            condition: None,
            condition_input: None,
        };
        p.refilter();
        p
    }

    /// The integration under the cursor (search step) or chosen (later steps).
    pub fn current(&self) -> Option<&Arc<dyn Integration>> {
        match self.entries().get(self.selected)? {
            Entry::Integration(i) => self.integrations.get(*i),
            Entry::NewAi | Entry::NewWaterfall | Entry::Problem(_) => None,
        }
    }

    /// The search step's lines: matching integrations, "AI column…", files that did not load.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Anything running in the background for the picker (an estimate, a dry run, a save).
    pub fn is_busy(&self) -> bool {
        self.is_estimating()
            || self
                .ai
                .as_ref()
                .is_some_and(|a| a.saving || matches!(a.dry_run, ai::DryRun::Running { .. }))
            || self.waterfall.as_ref().is_some_and(|w| w.saving)
    }

    /// The chosen integration's spec.
    pub fn spec(&self) -> Option<&'static IntegrationSpec> {
        self.current().map(|i| i.spec())
    }

    /// Re-ranks integrations for the query: name, description and output names all count.
    pub fn refilter(&mut self) {
        let query = self.query.value().trim();
        let candidates: Vec<(Entry, String)> = self
            .integrations
            .iter()
            .enumerate()
            .map(|(i, integ)| (Entry::Integration(i), search_text(integ.spec())))
            .chain(std::iter::once((Entry::NewAi, NEW_AI.to_string())))
            .chain(std::iter::once((
                Entry::NewWaterfall,
                NEW_WATERFALL.to_string(),
            )))
            .chain(
                self.catalog
                    .problems()
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (Entry::Problem(i), p.to_string())),
            )
            .collect();
        if query.is_empty() {
            self.entries = candidates.into_iter().map(|(e, _)| e).collect();
        } else {
            let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
            let mut matcher = Matcher::new(Config::DEFAULT);
            let mut scored: Vec<(usize, Entry, u32)> = candidates
                .into_iter()
                .enumerate()
                .filter_map(|(order, (entry, text))| {
                    let mut buf = Vec::new();
                    pattern
                        .score(nucleo_matcher::Utf32Str::new(&text, &mut buf), &mut matcher)
                        .map(|s| (order, entry, s))
                })
                .collect();
            scored.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
            self.entries = scored.into_iter().map(|(_, e, _)| e).collect();
        }
        self.selected = self.selected.min(self.entries.len().saturating_sub(1));
    }

    /// Moves on from search to mapping, guessing each input's column from the headers.
    pub fn choose(&mut self, headers: &[String]) -> bool {
        let Some(spec) = self.spec() else {
            self.problem = Some("no integration matches".into());
            return false;
        };
        self.sources = Mapping::guess(spec, headers)
            .inputs
            .into_iter()
            .map(|(_, source)| match source {
                Some(plan::Source::Column(c)) => Source::Column(c),
                Some(plan::Source::Constant(v)) => Source::Constant(v),
                None => Source::Unmapped,
            })
            .collect();
        self.outputs = vec![true; spec.outputs.len()];
        self.input_cursor = 0;
        self.output_cursor = 0;
        self.problem = None;
        self.step = Step::Map;
        true
    }

    /// Cycles the source of the input under the cursor through the sheet's columns.
    pub fn cycle_source(&mut self, columns: usize, forward: bool) {
        let Some(source) = self.sources.get_mut(self.input_cursor) else {
            return;
        };
        let n = columns as i64;
        if n == 0 {
            return;
        }
        let next = match source {
            Source::Column(c) => *c as i64 + if forward { 1 } else { -1 },
            _ => {
                if forward {
                    0
                } else {
                    n - 1
                }
            }
        };
        *source = if next < 0 || next >= n {
            Source::Unmapped
        } else {
            Source::Column(next as usize)
        };
        self.problem = None;
    }

    /// Required inputs that have no source, explained.
    pub fn unmapped_required(&self) -> Option<String> {
        let spec = self.spec()?;
        let missing: Vec<&str> = spec
            .inputs
            .iter()
            .zip(&self.sources)
            .filter(|(input, source)| {
                input.required && matches!(source, Source::Unmapped)
                    || matches!(source, Source::Constant(v) if v.trim().is_empty() && input.required)
            })
            .map(|(input, _)| input.name)
            .collect();
        (!missing.is_empty()).then(|| {
            format!(
                "map {} to a column (←/→) or type a value (c) — rows can't be enriched without it",
                missing.join(", ")
            )
        })
    }

    /// Toggles the output under the cursor, or cycles the scope when on the scope line.
    pub fn toggle(&mut self) {
        if self.output_cursor < self.outputs.len() {
            if let Some(flag) = self.outputs.get_mut(self.output_cursor) {
                *flag = !*flag;
            }
        } else {
            self.scope = self.scope.next(!self.scopes.selected.is_empty());
        }
    }

    /// Changes N for a "first N rows" scope.
    pub fn adjust_first_rows(&mut self, bigger: bool) {
        if let Scope::FirstRows(n) = &mut self.scope {
            *n = if bigger {
                (*n * 10).min(1_000_000)
            } else {
                (*n / 10).max(1)
            };
        }
    }

    /// The chosen output names, in spec order.
    pub fn chosen_outputs(&self) -> Vec<&'static str> {
        self.spec()
            .map(|spec| {
                spec.outputs
                    .iter()
                    .zip(&self.outputs)
                    .filter(|(_, on)| **on)
                    .map(|(o, _)| o.name)
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Picker {
    /// Why the integration under the cursor cannot run: its provider's key is missing (and
    /// which variable to set).
    pub fn needs_key(&self, ctx: &Context) -> Option<String> {
        let integration = self.current()?;
        let Some((provider, var)) = integration
            .providers()
            .into_iter()
            .find_map(|p| Some((p, ctx.enrich.missing_keys.of(p)?)))
        else {
            return self.missing_secret();
        };
        Some(format!(
            "{} calls {provider}, which needs an API key: set {var} and start leadgrid again, \
             or start with --demo to try it on fictional data",
            integration.spec().name
        ))
    }

    /// A variable the user's http integration under the cursor sends (`{{env.NAME}}`) that
    /// is not set.
    fn missing_secret(&self) -> Option<String> {
        let name = self.current()?.spec().name;
        let (var, host) = self.unset_secret(name)?;
        Some(format!(
            "{name} sends {var} to {host}, and it is not set: set it and start leadgrid again"
        ))
    }

    /// The first variable the user's http integration `name` sends that is not set, and the
    /// host it goes to.
    pub(super) fn unset_secret(&self, name: &str) -> Option<(String, String)> {
        let KindDef::Http(http) = &self.catalog.definition(name)?.kind else {
            return None;
        };
        let var = http
            .env_vars()
            .into_iter()
            .find(|v| std::env::var(v).map_or(true, |s| s.trim().is_empty()))?;
        Some((var, http.host().unwrap_or_default()))
    }

    /// The command table of the current step.
    pub fn commands(&self) -> &'static [command::Command<PickerAction>] {
        match self.step {
            Step::Search => commands::SEARCH,
            Step::Map => commands::MAP,
            Step::Outputs => commands::OUTPUTS,
            // The forms have their own tables ([`ai::commands::FORM`],
            // [`waterfall::commands::FORM`]).
            Step::Ai | Step::Waterfall => &[],
        }
    }

    /// An estimate was asked for and has not arrived yet.
    pub fn is_estimating(&self) -> bool {
        self.estimate_generation > 0 && self.cache_estimate.is_none()
    }

    /// Takes a finished estimate, when it is the latest asked for.
    pub fn estimated(&mut self, generation: u64, estimate: plan::Estimate) {
        if generation == self.estimate_generation {
            self.cache_estimate = Some(estimate);
        }
    }

    /// Counts, in the background, the rows in scope that will be skipped for a missing input
    /// or left alone for being filled, and those whose first call the response cache
    /// already answers (so the confirm step can say what is free).
    fn start_estimate(&mut self, ctx: &Context) {
        let Some(integration) = self.current().cloned() else {
            return;
        };
        let spec = integration.spec();
        let columns = ctx.sheet.columns();
        let inputs = spec
            .inputs
            .iter()
            .zip(&self.sources)
            .map(|(input, source)| {
                let source = match source {
                    Source::Column(c) if *c < columns.len() => Some(plan::Source::Column(*c)),
                    Source::Constant(v) => Some(plan::Source::Constant(v.clone())),
                    _ => None,
                };
                (input.name, source)
            })
            .collect();
        // The outputs as the new enrichment will bind them: a column of that name is filled
        // in place, any other is new (so no row has it filled).
        let chosen = self.chosen_outputs();
        let outputs: Vec<(&'static str, usize)> = chosen
            .iter()
            .filter_map(|&name| Some((name, columns.iter().position(|c| c.name == name)?)))
            .collect();
        let rules = Rules {
            journal: None,
            skip_filled: self.scope.skips_filled() && outputs.len() == chosen.len(),
        };
        self.estimate_generation += 1;
        self.cache_estimate = None;
        Estimate {
            snapshot: ctx.sheet.snapshot(),
            plan: Plan {
                condition: self.condition.as_ref().map(|c| c.filter(ctx.sheet)),
                integration,
                mapping: Mapping { inputs },
                outputs,
            },
            scope: self.scopes.plan_scope(self.scope),
            rules,
            store: ctx.store.cloned(),
            generation: self.estimate_generation,
        }
        .spawn(ctx.tx.clone());
    }

    /// The chosen enrichment, its inputs bound to the sheet's columns.
    fn finish(&self, ctx: &Context) -> Option<NewEnrichment> {
        let integration = self.current().cloned()?;
        let columns = ctx.sheet.columns();
        let sources = self
            .sources
            .iter()
            .map(|s| match s {
                Source::Column(c) => columns
                    .get(*c)
                    .map_or(InputSource::Unmapped, |h| InputSource::Column(h.id)),
                Source::Constant(v) => InputSource::Constant(v.clone()),
                Source::Unmapped => InputSource::Unmapped,
            })
            .collect();
        Some(NewEnrichment {
            integration,
            sources,
            outputs: self
                .chosen_outputs()
                .into_iter()
                .map(|name| (name, name.to_string()))
                .collect(),
            condition: self.condition.clone(),
            budget_usd: self.budget,
        })
    }

    /// Why the chosen mapping cannot be: an output fills a column it reads, directly or
    /// through other enrichments and formulas (the path shown).
    fn feeds_itself(&self, ctx: &Context) -> Option<String> {
        let enrichment = self.finish(ctx)?;
        let inputs: Vec<ColumnId> = enrichment
            .sources
            .iter()
            .filter_map(|s| match s {
                InputSource::Column(id) => Some(*id),
                _ => None,
            })
            .collect();
        // Outputs fill the column of their name when there is one; a new column feeds nothing.
        let columns = ctx.sheet.columns();
        let outputs: Vec<ColumnId> = enrichment
            .outputs
            .iter()
            .filter_map(|(_, name)| columns.iter().find(|c| c.name == *name).map(|c| c.id))
            .collect();
        let feeds = Feeds::of(ctx.formulas, ctx.enrich, None, None);
        let path = feeds.cycle(&inputs, &outputs)?;
        Some(format!(
            "a column cannot be computed from itself: {}",
            crate::tui::deps::describe(ctx.sheet, &path)
        ))
    }

    /// Typing the run condition: Enter keeps it once it reads (empty: every row), Esc
    /// leaves it as it was.
    fn condition_key(&mut self, key: KeyEvent, ctx: &Context) -> Outcome {
        let Some(input) = &mut self.condition_input else {
            return Outcome::Ignored;
        };
        match key.code {
            crossterm::event::KeyCode::Esc => {
                self.condition_input = None;
                self.problem = None;
            }
            crossterm::event::KeyCode::Enter => {
                let text = input.value().to_string();
                if text.trim().is_empty() {
                    self.condition = None;
                } else {
                    match Bound::new(&text, ctx.sheet) {
                        Ok(bound) => self.condition = Some(bound),
                        Err(e) => {
                            self.problem = Some(e.render(&text));
                            return Outcome::Consumed;
                        }
                    }
                }
                self.problem = None;
                self.condition_input = None;
                self.start_estimate(ctx);
            }
            _ => {
                if let Some(req) = to_input_request(&Event::Key(key)) {
                    input.handle(req);
                }
            }
        }
        Outcome::Consumed
    }

    fn search_key(&mut self, key: KeyEvent, ctx: &Context) -> Outcome {
        let entries = self.entries.clone();
        let last = entries.len().saturating_sub(1);
        match command::find(commands::SEARCH, &key) {
            Some(PickerAction::Close) => return Intent::Close.into(),
            Some(PickerAction::Down) => {
                self.selected = (self.selected + 1).min(last);
                self.problem = None;
            }
            Some(PickerAction::Up) => {
                self.selected = self.selected.saturating_sub(1);
                self.problem = None;
            }
            Some(PickerAction::Next) => match entries.get(self.selected) {
                Some(Entry::NewAi) => self.open_ai_form(None),
                Some(Entry::NewWaterfall) => self.open_waterfall_form(None),
                Some(Entry::Problem(i)) => {
                    self.problem = self.catalog.problems().get(*i).map(|p| {
                        format!("{p} — fix the file; the other integrations are unaffected")
                    });
                }
                _ => match self.needs_key(ctx) {
                    Some(problem) => self.problem = Some(problem),
                    None => {
                        let headers: Vec<String> =
                            ctx.sheet.columns().iter().map(|c| c.name.clone()).collect();
                        self.choose(&headers);
                    }
                },
            },
            Some(PickerAction::Edit) => {
                let name = self.current().map(|i| i.spec().name);
                let def = name.and_then(|n| self.catalog.definition(n));
                match def.cloned() {
                    Some(def) if def.kind_name() == "waterfall" => {
                        self.open_waterfall_form(Some(&def))
                    }
                    Some(def) if def.kind_name() == "ai" => self.open_ai_form(Some(&def)),
                    _ => {
                        self.problem = Some(
                            "only AI columns and waterfalls can be edited here (other kinds: edit their file)"
                                .into(),
                        )
                    }
                }
            }
            Some(_) => {}
            None => {
                if let Some(req) = to_input_request(&Event::Key(key)) {
                    self.query.handle(req);
                    self.selected = 0;
                    self.problem = None;
                    self.refilter();
                }
            }
        }
        Outcome::Consumed
    }

    /// Typing the value for all rows of the input under the cursor.
    fn constant_key(&mut self, key: KeyEvent) -> Outcome {
        let Some(input) = &mut self.constant else {
            return Outcome::Ignored;
        };
        match key.code {
            crossterm::event::KeyCode::Esc => self.constant = None,
            crossterm::event::KeyCode::Enter => {
                let value = input.value().to_string();
                if let Some(slot) = self.sources.get_mut(self.input_cursor) {
                    *slot = if value.trim().is_empty() {
                        Source::Unmapped
                    } else {
                        Source::Constant(value)
                    };
                }
                self.constant = None;
            }
            _ => {
                if let Some(req) = to_input_request(&Event::Key(key)) {
                    input.handle(req);
                }
            }
        }
        Outcome::Consumed
    }

    fn map_key(&mut self, key: KeyEvent, ctx: &Context) -> Outcome {
        if self.constant.is_some() {
            return self.constant_key(key);
        }
        let columns = ctx.sheet.columns().len();
        let last = self.sources.len().saturating_sub(1);
        match command::find(commands::MAP, &key) {
            Some(PickerAction::Back) => self.step = Step::Search,
            Some(PickerAction::Down) => self.input_cursor = (self.input_cursor + 1).min(last),
            Some(PickerAction::Up) => self.input_cursor = self.input_cursor.saturating_sub(1),
            Some(PickerAction::NextColumn) => self.cycle_source(columns, true),
            Some(PickerAction::PreviousColumn) => self.cycle_source(columns, false),
            Some(PickerAction::Constant) => {
                let allowed = self
                    .spec()
                    .and_then(|s| s.inputs.get(self.input_cursor))
                    .is_some_and(|i| i.allows_constant);
                if allowed {
                    let current = match self.sources.get(self.input_cursor) {
                        Some(Source::Constant(v)) => v.clone(),
                        _ => String::new(),
                    };
                    self.constant = Some(Input::new(current));
                } else {
                    self.problem = Some(
                        "this input comes from a column; one value for all rows is not allowed"
                            .into(),
                    );
                }
            }
            Some(PickerAction::Next) => match self.unmapped_required() {
                Some(problem) => self.problem = Some(problem),
                None => {
                    self.problem = None;
                    self.step = Step::Outputs;
                    self.start_estimate(ctx);
                }
            },
            Some(_) | None => {}
        }
        Outcome::Consumed
    }

    /// Typing the budget: Enter sets it (empty: none), Esc leaves it as it was.
    fn budget_key(&mut self, key: KeyEvent) -> Outcome {
        let Some(input) = &mut self.budget_input else {
            return Outcome::Ignored;
        };
        match key.code {
            crossterm::event::KeyCode::Esc => self.budget_input = None,
            crossterm::event::KeyCode::Enter => {
                let text = input.value().trim().to_string();
                if text.is_empty() {
                    self.budget = None;
                    self.budget_input = None;
                } else if let Some(usd) = crate::providers::budget::parse_usd(&text) {
                    self.budget = Some(usd);
                    self.budget_input = None;
                    self.problem = None;
                } else {
                    self.problem = Some(format!(
                        "not an amount of dollars: '{text}' (e.g. 5 or $5.00; empty for none)"
                    ));
                }
            }
            _ => {
                if let Some(req) = to_input_request(&Event::Key(key)) {
                    input.handle(req);
                }
            }
        }
        Outcome::Consumed
    }

    fn outputs_key(&mut self, key: KeyEvent, ctx: &Context) -> Outcome {
        if self.condition_input.is_some() {
            return self.condition_key(key, ctx);
        }
        if self.budget_input.is_some() {
            return self.budget_key(key);
        }
        let last = self.outputs.len();
        match command::find(commands::OUTPUTS, &key) {
            Some(PickerAction::Condition) => {
                let current = self.condition.as_ref().map(|c| c.source.clone());
                self.condition_input = Some(Input::new(current.unwrap_or_default()));
            }
            Some(PickerAction::Budget) => {
                let current = self
                    .budget
                    .map_or_else(String::new, |usd| format!("{usd:.2}"));
                self.budget_input = Some(Input::new(current));
            }
            Some(PickerAction::Back) => self.step = Step::Map,
            Some(PickerAction::Down) => self.output_cursor = (self.output_cursor + 1).min(last),
            Some(PickerAction::Up) => self.output_cursor = self.output_cursor.saturating_sub(1),
            Some(PickerAction::Toggle) => {
                let on_scope = self.output_cursor >= self.outputs.len();
                self.toggle();
                // Which outputs are filled decides the rows an "empty or failed" scope runs.
                if on_scope || self.scope.skips_filled() {
                    self.start_estimate(ctx);
                }
            }
            Some(action @ (PickerAction::More | PickerAction::Fewer)) => {
                self.adjust_first_rows(action == PickerAction::More);
                self.start_estimate(ctx);
            }
            Some(PickerAction::Next) => {
                if self.chosen_outputs().is_empty() {
                    self.problem = Some("choose at least one output (Space toggles)".into());
                } else if let Some(problem) = self.feeds_itself(ctx) {
                    self.problem = Some(problem);
                } else if let Some(enrichment) = self.finish(ctx) {
                    return Intent::AddEnrichment {
                        enrichment: Box::new(enrichment),
                        scope: self.scope,
                    }
                    .into();
                }
            }
            Some(_) | None => {}
        }
        Outcome::Consumed
    }
}

impl Component for Picker {
    fn handle_key(&mut self, key: KeyEvent, ctx: &Context) -> Outcome {
        if !matches!(self.step, Step::Ai | Step::Waterfall) {
            self.notice = None;
        }
        match self.step {
            Step::Search => self.search_key(key, ctx),
            Step::Map => self.map_key(key, ctx),
            Step::Outputs => self.outputs_key(key, ctx),
            Step::Ai => self.ai_key(key, ctx),
            Step::Waterfall => self.waterfall_key(key),
        }
    }
}

fn search_text(spec: &IntegrationSpec) -> String {
    let outputs: Vec<&str> = spec.outputs.iter().map(|o| o.name).collect();
    format!(
        "{} {} {} {}",
        spec.name,
        spec.description,
        spec.provider.name(),
        outputs.join(" ")
    )
}
