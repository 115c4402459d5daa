//! The picker's side of "AI column…" and "Waterfall…": opening a form (new, or to edit one
//! defined in a file), handing it the keys, and going on to the new integration's mapping
//! once it is saved.

use super::{Entry, Picker, Step, ai, waterfall};
use crate::integrations::user::Catalog;
use crate::integrations::user::definition::Definition;
use crate::tui::component::{Context, Outcome};
use crossterm::event::KeyEvent;
use tui_input::Input;

/// Why the AI column form cannot open.
const NO_FORM: &str = "AI columns need the config's [llm] settings, and no config could be read";

impl Picker {
    /// Opens the form: the one being written (kept while the user looked at the list), a new
    /// one, or one holding `def` to change it.
    pub(super) fn open_ai_form(&mut self, def: Option<&Definition>) {
        let form = match def {
            Some(def) => ai::AiBuilder::edit(&self.catalog, def),
            None => self.ai.take().or_else(|| ai::AiBuilder::new(&self.catalog)),
        };
        match form {
            Some(form) => {
                self.ai = Some(form);
                self.step = Step::Ai;
            }
            None => self.problem = Some(NO_FORM.into()),
        }
    }

    /// Opens the waterfall form: the one being built, a new one, or one holding `def`.
    pub(super) fn open_waterfall_form(&mut self, def: Option<&Definition>) {
        let form = match def {
            Some(def) => waterfall::WaterfallBuilder::edit(&self.catalog, def),
            None => self
                .waterfall
                .take()
                .or_else(|| Some(waterfall::WaterfallBuilder::new(&self.catalog))),
        };
        self.waterfall = form;
        self.step = Step::Waterfall;
    }

    /// Keys of the waterfall step; `Esc` goes back to the list, keeping the form.
    pub(super) fn waterfall_key(&mut self, key: KeyEvent) -> Outcome {
        let Some(form) = &mut self.waterfall else {
            self.step = Step::Search;
            return Outcome::Consumed;
        };
        match form.handle_key(key, &self.catalog) {
            Outcome::Ignored => {
                self.step = Step::Search;
                Outcome::Consumed
            }
            other => other,
        }
    }

    /// Keys of the AI step; `Esc` goes back to the list, keeping the form.
    pub(super) fn ai_key(&mut self, key: KeyEvent, ctx: &Context) -> Outcome {
        let Some(form) = &mut self.ai else {
            self.step = Step::Search;
            return Outcome::Consumed;
        };
        match form.handle_key(key, ctx, &self.catalog, self.scopes.current) {
            Outcome::Ignored => {
                self.step = Step::Search;
                Outcome::Consumed
            }
            other => other,
        }
    }

    /// An AI column or a waterfall was saved as `name`: offer the new catalog and go on to
    /// map its inputs.
    pub fn saved(
        &mut self,
        catalog: &Catalog,
        name: &str,
        path: &std::path::Path,
        headers: &[String],
    ) {
        self.catalog = catalog.clone();
        self.integrations = catalog.integrations().to_vec();
        self.query = Input::default();
        self.refilter();
        match self.step {
            Step::Waterfall => self.waterfall = None,
            _ => self.ai = None,
        }
        let integrations = &self.integrations;
        self.selected = self
            .entries()
            .iter()
            .position(
                |e| matches!(e, Entry::Integration(i) if integrations[*i].spec().name == name),
            )
            .unwrap_or(0);
        if self.choose(headers) {
            self.notice = Some(format!("saved {}", path.display()));
        }
    }

    /// Saving the AI column or waterfall failed: say why on its form.
    pub fn save_failed(&mut self, why: String) {
        if self.step == Step::Waterfall
            && let Some(form) = &mut self.waterfall
        {
            form.saving = false;
            form.problem = Some(why);
        } else if let Some(form) = &mut self.ai {
            form.saving = false;
            form.problem = Some(why);
        }
    }
}
