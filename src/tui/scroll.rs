//! Scrolling a popup's text (help, cell view, inspector): one key table and the offset.

use super::command::{Command, Group, bar_cmd, code, k};
use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};
use serde::{Deserialize, Serialize};

/// A way to scroll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScrollAction {
    Up,
    Down,
    PageUp,
    PageDown,
}

/// The scroll keys every scrolling popup takes.
pub static SCROLL: &[Command<ScrollAction>] = &[
    bar_cmd(
        ScrollAction::Up,
        &[code(KeyCode::Up), k('k')],
        Group::Scroll,
        "scroll up",
        "scroll",
    ),
    bar_cmd(
        ScrollAction::Down,
        &[code(KeyCode::Down), k('j')],
        Group::Scroll,
        "scroll down",
        "scroll",
    ),
    bar_cmd(
        ScrollAction::PageUp,
        &[code(KeyCode::PageUp)],
        Group::Scroll,
        "scroll up a page",
        "page",
    ),
    bar_cmd(
        ScrollAction::PageDown,
        &[code(KeyCode::PageDown)],
        Group::Scroll,
        "scroll down a page",
        "page",
    ),
];

/// Lines scrolled by a page key and by a mouse wheel step.
const PAGE: u16 = 10;
const WHEEL: u16 = 3;

/// How far a popup's text is scrolled.
#[derive(Debug, Default, Clone, Copy)]
pub struct Scroll {
    pub offset: u16,
}

impl Scroll {
    /// Scrolls for a scroll key; returns false for any other key.
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        let Some(action) = super::command::find(SCROLL, key) else {
            return false;
        };
        self.offset = match action {
            ScrollAction::Up => self.offset.saturating_sub(1),
            ScrollAction::Down => self.offset.saturating_add(1),
            ScrollAction::PageUp => self.offset.saturating_sub(PAGE),
            ScrollAction::PageDown => self.offset.saturating_add(PAGE),
        };
        true
    }

    /// Scrolls for the mouse wheel; returns false for any other mouse event.
    pub fn handle_mouse(&mut self, event: &MouseEvent) -> bool {
        match event.kind {
            MouseEventKind::ScrollDown => self.offset = self.offset.saturating_add(WHEEL),
            MouseEventKind::ScrollUp => self.offset = self.offset.saturating_sub(WHEEL),
            _ => return false,
        }
        true
    }
}
