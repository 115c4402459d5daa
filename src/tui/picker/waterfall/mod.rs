//! "Waterfall…" in the picker: name a target output and its type, list the steps that may
//! fill it (each an integration's output, found by fuzzy search), in the order they are tried,
//! each with a validator; the form shows what a row costs, from the first step answering to
//! every step tried. Saving writes a `kind = "waterfall"` file into `integrations.d/` through
//! the same writer as AI columns, so it is then in the picker and `leadgrid run -i NAME`.

pub mod commands;
pub(super) mod draw;

use crate::integrations::CostRange;
use crate::integrations::user::Catalog;
use crate::integrations::user::definition::{Definition, KindDef, OutputDef, OutputType};
use crate::integrations::waterfall::definition::{StepDef, Validate, WaterfallDef};
use crate::tui::command;
use crate::tui::component::Outcome;
use crate::tui::intent::Intent;
use commands::{FORM, WaterfallAction};
use crossterm::event::{Event, KeyCode, KeyEvent};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::collections::BTreeMap;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

/// Outputs the step search lists at most.
const MAX_MATCHES: usize = 12;

/// What a step's value must pass (besides not being empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    NotEmpty,
    /// Email syntax (free).
    Email,
    /// Email syntax, then Hunter's verifier answers one of the statuses typed.
    Verified,
    /// A URL whose host and path start with what is typed.
    UrlHost,
    /// A number in the range typed, `min..max` (either side may be left out).
    Range,
}

impl Check {
    /// Every validator, in the order ←/→ offers them.
    pub const ALL: [Check; 5] = [
        Check::NotEmpty,
        Check::Email,
        Check::Verified,
        Check::UrlHost,
        Check::Range,
    ];

    /// What the form calls it.
    pub fn label(self) -> &'static str {
        match self {
            Check::NotEmpty => "not empty",
            Check::Email => "email syntax",
            Check::Verified => "email verified by hunter, status in",
            Check::UrlHost => "URL starting with",
            Check::Range => "number in range",
        }
    }

    /// Whether it takes a typed parameter, and what it starts as.
    fn default_param(self) -> Option<&'static str> {
        match self {
            Check::NotEmpty | Check::Email => None,
            Check::Verified => Some("valid"),
            Check::UrlHost => Some("linkedin.com/company/"),
            Check::Range => Some("0..100"),
        }
    }
}

/// One step being listed.
#[derive(Debug, Clone)]
pub struct StepRow {
    pub integration: String,
    pub output: String,
    pub check: Check,
    /// The validator's parameter (statuses, URL prefix, range).
    pub param: Input,
    /// Input mapping kept from the file edited (the form does not change it).
    map: BTreeMap<String, String>,
}

impl StepRow {
    fn new(integration: String, output: String, check: Check) -> StepRow {
        StepRow {
            integration,
            output,
            check,
            param: Input::new(check.default_param().unwrap_or_default().to_string()),
            map: BTreeMap::new(),
        }
    }

    /// The step as the file has it, or why its validator's parameter does not read.
    fn to_def(&self, at: usize) -> Result<StepDef, String> {
        let param = self.param.value().trim();
        let validate = match self.check {
            Check::NotEmpty => Validate::default(),
            Check::Email => Validate {
                email: true,
                ..Validate::default()
            },
            Check::Verified => Validate {
                email: true,
                verify: param
                    .split([',', '|', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                ..Validate::default()
            },
            Check::UrlHost => Validate {
                url_host: Some(param.to_string()),
                ..Validate::default()
            },
            Check::Range => {
                let (lo, hi) = param.split_once("..").ok_or_else(|| {
                    format!("step {at}: type the range as min..max (e.g. 0..100, or 10..)")
                })?;
                let bound = |s: &str| -> Result<Option<f64>, String> {
                    let s = s.trim();
                    if s.is_empty() {
                        return Ok(None);
                    }
                    s.parse()
                        .map(Some)
                        .map_err(|_| format!("step {at}: {s:?} is not a number"))
                };
                Validate {
                    min: bound(lo)?,
                    max: bound(hi)?,
                    ..Validate::default()
                }
            }
        };
        Ok(StepDef {
            integration: self.integration.clone(),
            output: Some(self.output.clone()),
            map: self.map.clone(),
            validate,
        })
    }

    /// A step of a file being edited, its validators read back as the form's closest one.
    fn from_def(step: &StepDef) -> Option<StepRow> {
        let output = step.output.clone()?;
        let v = &step.validate;
        let (check, param) = if !v.verify.is_empty() {
            (Check::Verified, v.verify.join(", "))
        } else if let Some(host) = &v.url_host {
            (Check::UrlHost, host.clone())
        } else if v.min.is_some() || v.max.is_some() {
            let side = |b: Option<f64>| b.map_or_else(String::new, |n| n.to_string());
            (Check::Range, format!("{}..{}", side(v.min), side(v.max)))
        } else if v.email {
            (Check::Email, String::new())
        } else {
            (Check::NotEmpty, String::new())
        };
        Some(StepRow {
            integration: step.integration.clone(),
            output,
            check,
            param: Input::new(param),
            map: step.map.clone(),
        })
    }
}

/// A place the cursor can be in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Output,
    OutputType,
    Step(usize),
    Check(usize),
    Param(usize),
}

/// Searching the integrations' outputs for a step to add.
#[derive(Debug, Clone, Default)]
pub struct StepSearch {
    pub query: Input,
    /// Matching (integration, output) pairs, best first.
    pub matches: Vec<(String, String)>,
    pub selected: usize,
}

/// The form's state.
pub struct WaterfallBuilder {
    pub name: Input,
    /// The column the waterfall fills.
    pub output: Input,
    pub kind: OutputType,
    pub steps: Vec<StepRow>,
    /// Index into [`WaterfallBuilder::fields`].
    pub focus: usize,
    /// Open while a step is being chosen.
    pub search: Option<StepSearch>,
    /// What a row costs, from the first step answering to every step tried, or why the
    /// form does not make a waterfall yet.
    pub estimate: Result<CostRange, String>,
    pub problem: Option<String>,
    /// Saving is under way.
    pub saving: bool,
    /// The definition edited, when changing an existing one (its other keys are kept).
    base: Option<Definition>,
    /// Every (integration, output) a step may take, with the text it is searched by.
    candidates: Vec<(String, String, String)>,
}

impl WaterfallBuilder {
    /// An empty form with a name no integration has.
    pub fn new(catalog: &Catalog) -> WaterfallBuilder {
        let name = (1..)
            .map(|n| match n {
                1 => "waterfall".to_string(),
                n => format!("waterfall_{n}"),
            })
            .find(|n| catalog.find(n).is_none())
            .unwrap_or_default();
        let candidates = catalog
            .integrations()
            .iter()
            .flat_map(|i| {
                let spec = i.spec();
                spec.outputs.iter().map(move |o| {
                    (
                        spec.name.to_string(),
                        o.name.to_string(),
                        format!("{} {} {}", spec.name, o.name, o.description),
                    )
                })
            })
            .collect();
        let mut form = WaterfallBuilder {
            name: Input::new(name),
            output: Input::new("value".into()),
            kind: OutputType::Text,
            steps: Vec::new(),
            focus: 0,
            search: None,
            estimate: Err(String::new()),
            problem: None,
            saving: false,
            base: None,
            candidates,
        };
        form.refresh(catalog);
        form
    }

    /// A form holding an existing waterfall, to change it (or save a copy under a new name);
    /// `None` for another kind.
    pub fn edit(catalog: &Catalog, def: &Definition) -> Option<WaterfallBuilder> {
        let KindDef::Waterfall(wf) = &def.kind else {
            return None;
        };
        let mut form = WaterfallBuilder::new(catalog);
        form.name = Input::new(def.name.clone());
        if let Some(out) = def.outputs.first() {
            form.output = Input::new(out.name.clone());
            form.kind = out.kind;
        }
        form.steps = wf.steps.iter().filter_map(StepRow::from_def).collect();
        form.base = Some(def.clone());
        form.refresh(catalog);
        Some(form)
    }

    /// Every place the cursor can go, in order.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = vec![Field::Name, Field::Output, Field::OutputType];
        for (i, step) in self.steps.iter().enumerate() {
            fields.push(Field::Step(i));
            fields.push(Field::Check(i));
            if step.check.default_param().is_some() {
                fields.push(Field::Param(i));
            }
        }
        fields
    }

    /// The field under the cursor.
    pub fn focused(&self) -> Field {
        let fields = self.fields();
        fields
            .get(self.focus.min(fields.len().saturating_sub(1)))
            .copied()
            .unwrap_or(Field::Name)
    }

    fn focus_on(&mut self, field: Field) {
        if let Some(i) = self.fields().iter().position(|f| *f == field) {
            self.focus = i;
        }
    }

    /// The step the cursor is on, if it is on one.
    fn step_at(&self) -> Option<usize> {
        match self.focused() {
            Field::Step(i) | Field::Check(i) | Field::Param(i) => Some(i),
            Field::Name | Field::Output | Field::OutputType => None,
        }
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut Input> {
        match field {
            Field::Name => Some(&mut self.name),
            Field::Output => Some(&mut self.output),
            Field::Param(i) => self.steps.get_mut(i).map(|s| &mut s.param),
            Field::OutputType | Field::Step(_) | Field::Check(_) => None,
        }
    }

    /// The definition the form describes, checked.
    pub fn definition(&self) -> Result<Definition, String> {
        if self.steps.is_empty() {
            return Err("add a step: Ctrl-n searches the integrations' outputs".into());
        }
        let steps = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| s.to_def(i + 1))
            .collect::<Result<Vec<_>, _>>()?;
        let base = self.base.as_ref();
        let name = self.output.value().trim().to_string();
        let description = base
            .map(|b| b.description.clone())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| {
                let order: Vec<&str> = self.steps.iter().map(|s| s.integration.as_str()).collect();
                format!("Waterfall: {}", order.join(" → "))
            });
        let about = base
            .and_then(|b| b.outputs.first())
            .filter(|o| o.name == name)
            .map(|o| o.description.clone())
            .unwrap_or_default();
        let def = Definition {
            name: self.name.value().trim().to_string(),
            description,
            provider: base.and_then(|b| b.provider.clone()),
            cost: base.and_then(|b| b.cost),
            inputs: base.map(|b| b.inputs.clone()).unwrap_or_default(),
            outputs: vec![OutputDef {
                name,
                kind: self.kind,
                choices: Vec::new(),
                description: about,
                path: None,
            }],
            kind: KindDef::Waterfall(WaterfallDef { steps }),
        };
        def.check().map_err(|e| e.to_string())?;
        Ok(def)
    }

    /// Works out the cost range again after a change (building the waterfall checks that
    /// every step's integration and output exists).
    fn refresh(&mut self, catalog: &Catalog) {
        self.estimate = self.definition().and_then(|def| {
            catalog
                .build(&def)?
                .cost_range()
                .ok_or_else(|| "no cost range".to_string())
        });
    }

    /// Re-ranks the outputs a step may take for the search's query.
    fn refilter(&mut self) {
        let Some(search) = &mut self.search else {
            return;
        };
        let query = search.query.value().trim();
        let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut scored: Vec<(u32, usize)> = self
            .candidates
            .iter()
            .enumerate()
            .filter_map(|(i, (_, _, text))| {
                let mut buf = Vec::new();
                pattern
                    .score(Utf32Str::new(text, &mut buf), &mut matcher)
                    .map(|score| (score, i))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        search.matches = scored
            .into_iter()
            .take(MAX_MATCHES)
            .filter_map(|(_, i)| self.candidates.get(i))
            .map(|(integration, output, _)| (integration.clone(), output.clone()))
            .collect();
        search.selected = search.selected.min(search.matches.len().saturating_sub(1));
    }

    /// Keys while the step search is open: typing filters, ↑/↓ choose, Enter adds the step
    /// after the one under the cursor, Esc cancels.
    fn search_key(&mut self, key: KeyEvent) {
        let Some(search) = &mut self.search else {
            return;
        };
        match command::find(FORM, &key) {
            Some(WaterfallAction::Up) => search.selected = search.selected.saturating_sub(1),
            Some(WaterfallAction::Down) => {
                search.selected = (search.selected + 1).min(search.matches.len().saturating_sub(1));
            }
            Some(WaterfallAction::Back) => self.search = None,
            Some(WaterfallAction::Save) => {
                let Some((integration, output)) = search.matches.get(search.selected).cloned()
                else {
                    self.problem = Some("no output matches: type less".into());
                    return;
                };
                // Emails are checked for syntax unless the user picks another validator.
                let check = if output.contains("email") {
                    Check::Email
                } else {
                    Check::NotEmpty
                };
                let at = self.step_at().map_or(self.steps.len(), |i| i + 1);
                self.steps
                    .insert(at, StepRow::new(integration, output, check));
                self.search = None;
                self.focus_on(Field::Step(at));
            }
            _ => {
                if let Some(request) = to_input_request(&Event::Key(key)) {
                    search.query.handle(request);
                    search.selected = 0;
                    self.refilter();
                }
            }
        }
    }

    /// Handles a key; `Ignored` means "back to the list".
    pub fn handle_key(&mut self, key: KeyEvent, catalog: &Catalog) -> Outcome {
        if self.search.is_some() {
            self.search_key(key);
            self.refresh(catalog);
            return Outcome::Consumed;
        }
        let field = self.focused();
        let action = match command::find(FORM, &key) {
            // On a text field, ←/→/Space type (move the cursor, insert a space).
            Some(WaterfallAction::Change)
                if !matches!(field, Field::OutputType | Field::Check(_)) =>
            {
                None
            }
            other => other,
        };
        let last = self.fields().len().saturating_sub(1);
        match action {
            Some(WaterfallAction::Up) => self.focus = self.focus.saturating_sub(1),
            Some(WaterfallAction::Down) => self.focus = (self.focus + 1).min(last),
            Some(WaterfallAction::Change) => self.change(field, key.code == KeyCode::Left),
            Some(WaterfallAction::AddStep) => {
                self.problem = None;
                self.search = Some(StepSearch::default());
                self.refilter();
            }
            Some(WaterfallAction::RemoveStep) => match self.step_at() {
                Some(i) => {
                    self.steps.remove(i);
                    self.focus_on(if self.steps.is_empty() {
                        Field::OutputType
                    } else {
                        Field::Step(i.min(self.steps.len() - 1))
                    });
                }
                None => self.problem = Some("move to a step to remove it".into()),
            },
            Some(action @ (WaterfallAction::StepEarlier | WaterfallAction::StepLater)) => {
                let earlier = action == WaterfallAction::StepEarlier;
                match self.step_at() {
                    Some(i) if earlier && i > 0 => {
                        self.steps.swap(i, i - 1);
                        self.focus_on(Field::Step(i - 1));
                    }
                    Some(i) if !earlier && i + 1 < self.steps.len() => {
                        self.steps.swap(i, i + 1);
                        self.focus_on(Field::Step(i + 1));
                    }
                    Some(_) => {}
                    None => self.problem = Some("move to a step to move it".into()),
                }
            }
            Some(WaterfallAction::Save) => match self.definition() {
                Ok(def) => {
                    self.problem = None;
                    self.saving = true;
                    return Intent::SaveIntegration(Box::new(def)).into();
                }
                Err(why) => self.problem = Some(why),
            },
            Some(WaterfallAction::Back) => return Outcome::Ignored,
            None => {
                if let Some(input) = self.input_mut(field)
                    && let Some(request) = to_input_request(&Event::Key(key))
                {
                    input.handle(request);
                }
            }
        }
        self.refresh(catalog);
        Outcome::Consumed
    }

    /// Changes a choice: the output's type (any but enum, which a waterfall cannot list the
    /// choices of), or a step's validator.
    fn change(&mut self, field: Field, back: bool) {
        fn cycle<T: Copy + PartialEq>(all: &[T], at: T, back: bool) -> T {
            let i = all.iter().position(|x| *x == at).unwrap_or(0);
            let n = all.len();
            all[if back { (i + n - 1) % n } else { (i + 1) % n }]
        }
        match field {
            Field::OutputType => {
                let types: Vec<OutputType> = OutputType::ALL
                    .into_iter()
                    .filter(|t| *t != OutputType::Enum)
                    .collect();
                self.kind = cycle(&types, self.kind, back);
            }
            Field::Check(i) => {
                if let Some(step) = self.steps.get_mut(i) {
                    step.check = cycle(&Check::ALL, step.check, back);
                    step.param =
                        Input::new(step.check.default_param().unwrap_or_default().to_string());
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
