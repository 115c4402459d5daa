//! The integration picker: fuzzy search → map inputs → choose outputs and scope → confirm.

use crate::integrations::{Integration, IntegrationSpec, guess_column};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use std::sync::Arc;
use tui_input::Input;

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

/// Which rows an enrichment runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    AllRows,
    /// The rows the user selected, in file order.
    SelectedRows,
    /// Rows shown by the current filter, in view order.
    ViewRows,
    /// The first N rows of the view: a cheap test run.
    FirstRows(usize),
    /// Rows whose output cells are empty or failed.
    EmptyOrFailed,
}

impl Scope {
    /// How the scope is written in the picker.
    pub fn label(&self) -> String {
        match self {
            Scope::AllRows => "all rows".into(),
            Scope::SelectedRows => "selected rows".into(),
            Scope::ViewRows => "rows in the current view".into(),
            Scope::FirstRows(n) => format!("first {n} rows (test run)"),
            Scope::EmptyOrFailed => "only rows whose outputs are empty or failed".into(),
        }
    }

    /// The scope after this one; "selected rows" is offered only when there is a selection.
    fn next(self, has_selection: bool) -> Scope {
        match self {
            Scope::AllRows if has_selection => Scope::SelectedRows,
            Scope::AllRows | Scope::SelectedRows => Scope::ViewRows,
            Scope::ViewRows => Scope::FirstRows(10),
            Scope::FirstRows(_) => Scope::EmptyOrFailed,
            Scope::EmptyOrFailed => Scope::AllRows,
        }
    }
}

/// The step the picker is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Search,
    Map,
    Outputs,
}

/// State of the picker popup.
pub struct Picker {
    pub step: Step,
    pub query: Input,
    /// Indices into `integrations` that match the query, best first.
    pub matches: Vec<usize>,
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
    /// How many rows are selected in the grid (0: the "selected rows" scope is not offered).
    pub selected_rows: usize,
    /// A problem to explain on the current step.
    pub problem: Option<String>,
    /// How many rows in scope the response cache already answers, once counted.
    pub cache_estimate: Option<CacheEstimate>,
    /// Identifies the latest estimate asked for; older answers are dropped.
    pub estimate_generation: u64,
}

/// Rows in scope whose first call the response cache already answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheEstimate {
    pub generation: u64,
    /// Rows looked at (the first ones in scope, up to a bound).
    pub scanned: usize,
    /// Of those, rows whose request is known up front (0: the integration can't tell).
    pub checked: usize,
    /// Of those, rows answered from the cache.
    pub cached: usize,
    /// Rows looked at that have no value for a required input: skipped, not paid.
    pub missing: usize,
    /// Every row in scope was checked.
    pub complete: bool,
}

impl Picker {
    /// A picker over the given integrations, all shown. With rows selected, the scope
    /// starts at those rows.
    pub fn new(integrations: Vec<Arc<dyn Integration>>, selected_rows: usize) -> Picker {
        let mut p = Picker {
            step: Step::Search,
            query: Input::default(),
            matches: Vec::new(),
            selected: 0,
            integrations,
            sources: Vec::new(),
            input_cursor: 0,
            constant: None,
            outputs: Vec::new(),
            output_cursor: 0,
            scope: if selected_rows > 0 {
                Scope::SelectedRows
            } else {
                Scope::AllRows
            },
            selected_rows,
            problem: None,
            cache_estimate: None,
            estimate_generation: 0,
        };
        p.refilter();
        p
    }

    /// The integration under the cursor (search step) or chosen (later steps).
    pub fn current(&self) -> Option<&Arc<dyn Integration>> {
        self.matches
            .get(self.selected)
            .and_then(|&i| self.integrations.get(i))
    }

    /// The chosen integration's spec.
    pub fn spec(&self) -> Option<&'static IntegrationSpec> {
        self.current().map(|i| i.spec())
    }

    /// Re-ranks integrations for the query: name, description and output names all count.
    pub fn refilter(&mut self) {
        let query = self.query.value().trim();
        if query.is_empty() {
            self.matches = (0..self.integrations.len()).collect();
        } else {
            let haystacks: Vec<(usize, String)> = self
                .integrations
                .iter()
                .enumerate()
                .map(|(i, integ)| (i, search_text(integ.spec())))
                .collect();
            let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
            let mut matcher = Matcher::new(Config::DEFAULT);
            let mut scored: Vec<(usize, u32)> = haystacks
                .iter()
                .filter_map(|(i, text)| {
                    let mut buf = Vec::new();
                    pattern
                        .score(nucleo_matcher::Utf32Str::new(text, &mut buf), &mut matcher)
                        .map(|s| (*i, s))
                })
                .collect();
            scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            self.matches = scored.into_iter().map(|(i, _)| i).collect();
        }
        self.selected = self.selected.min(self.matches.len().saturating_sub(1));
    }

    /// Moves on from search to mapping, guessing each input's column from the headers.
    pub fn choose(&mut self, headers: &[String]) -> bool {
        let Some(spec) = self.spec() else {
            self.problem = Some("no integration matches".into());
            return false;
        };
        self.sources = spec
            .inputs
            .iter()
            .map(|input| guess_column(input, headers).map_or(Source::Unmapped, Source::Column))
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
            self.scope = self.scope.next(self.selected_rows > 0);
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
