//! The shape every part of the screen shares: it owns its state, handles its keys against
//! a read-only [`Context`], and draws itself without changing anything.

use super::enrich::Enrichments;
use super::event::AppEvent;
use super::formula::Formulas;
use super::intent::Intent;
use crate::store::Store;
use crate::table::Sheet;
use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use std::sync::mpsc::Sender;

/// What components may read, and where background work they start reports.
pub struct Context<'a> {
    pub sheet: &'a Sheet,
    pub enrich: &'a Enrichments,
    /// The formula columns.
    pub formulas: &'a Formulas,
    /// The response cache and journal, when there is a store.
    pub store: Option<&'a Store>,
    /// Where background results go (as [`AppEvent::Worker`]).
    pub tx: &'a Sender<AppEvent>,
    /// A save is running: edits wait for it.
    pub saving: bool,
}

/// What became of a key or mouse event.
pub enum Outcome {
    /// Not for this component.
    Ignored,
    /// Handled inside the component.
    Consumed,
    /// Handled, and the app has to do something.
    Request(Intent),
}

impl From<Intent> for Outcome {
    fn from(intent: Intent) -> Outcome {
        Outcome::Request(intent)
    }
}

/// A part of the screen that takes input.
pub trait Component {
    /// Handles a key: changes only this component, and asks the app for anything else.
    fn handle_key(&mut self, key: KeyEvent, ctx: &Context) -> Outcome;

    /// Handles a mouse event; most components ignore the mouse.
    fn handle_mouse(&mut self, _event: MouseEvent, _ctx: &Context) -> Outcome {
        Outcome::Ignored
    }
}

/// A part of the screen that draws itself from its state and the context, changing nothing.
pub trait Draw {
    fn draw(&self, ctx: &Context, frame: &mut Frame, area: Rect);
}
