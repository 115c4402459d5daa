//! The picker's side of "AI column…": opening the form (new, or to edit an AI column), handing
//! it the keys, and going on to the new column's mapping once it is saved.

use super::{Entry, Picker, Step, ai};
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

    /// An AI column was saved as `name`: offer the new catalog and go on to map its inputs.
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
        self.ai = None;
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

    /// Saving the AI column failed: say why on its form.
    pub fn save_failed(&mut self, why: String) {
        if let Some(form) = &mut self.ai {
            form.saving = false;
            form.problem = Some(why);
        }
    }
}
