//! The bottom-line prompt: go to row, search, filter, edit a cell, name a column, save as.

use super::component::{Component, Context, Draw, Outcome};
use super::intent::{Intent, PromptKind};
use super::text::text_width;
use crate::sanitize;
use crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::backend::crossterm::to_input_request;
use tui_input::{Input, InputRequest};

const LABEL: Style = Style::new().add_modifier(Modifier::BOLD);
const PROBLEM: Style = Style::new().fg(Color::White).bg(Color::Red);

/// What is being asked, and the answer typed so far.
pub struct Prompt {
    pub kind: PromptKind,
    pub input: Input,
    /// Why the last answer was refused: where in it (a byte offset) and what is wrong.
    pub problem: Option<(usize, String)>,
}

impl Prompt {
    /// A prompt for `kind`, starting with `initial` (e.g. the cell's value to edit).
    pub fn new(kind: PromptKind, initial: String) -> Prompt {
        Prompt {
            kind,
            input: Input::new(initial),
            problem: None,
        }
    }

    /// The prompt again after `answer` was refused: the answer kept to fix, the cursor
    /// where the problem is, and a caret with the message above it.
    pub fn with_problem(kind: PromptKind, answer: String, at: usize, message: String) -> Prompt {
        let at = (0..=at.min(answer.len()))
            .rev()
            .find(|&i| answer.is_char_boundary(i))
            .unwrap_or(0);
        let cursor = answer[..at].chars().count();
        Prompt {
            kind,
            input: Input::new(answer).with_cursor(cursor),
            problem: Some((at, message)),
        }
    }

    /// Pasted text goes into the answer (without carriage returns).
    pub fn paste(&mut self, text: &str) {
        for c in text.chars().filter(|c| *c != '\r') {
            self.input.handle(InputRequest::InsertChar(c));
        }
    }
}

impl Component for Prompt {
    fn handle_key(&mut self, key: KeyEvent, _ctx: &Context) -> Outcome {
        match key.code {
            KeyCode::Esc => Intent::Close.into(),
            KeyCode::Enter => Intent::Submit(self.kind, self.input.value().to_string()).into(),
            _ => {
                if let Some(req) = to_input_request(&Event::Key(key))
                    && self.input.handle(req).is_some_and(|c| c.value)
                {
                    self.problem = None;
                }
                Outcome::Consumed
            }
        }
    }
}

impl Draw for Prompt {
    /// Draws on `area`, the bottom line, with the terminal cursor in the input.
    fn draw(&self, _ctx: &Context, frame: &mut Frame, area: Rect) {
        let label = self.kind.label();
        let label_w = text_width(label) as u16;
        let avail = usize::from(area.width.saturating_sub(label_w + 1));
        let scroll = self.input.visual_scroll(avail);
        let shown: String = sanitize::for_display(self.input.value())
            .chars()
            .skip(scroll)
            .collect();
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(label, LABEL),
                Span::raw(shown),
            ])),
            area,
        );
        if let Some((at, message)) = &self.problem
            && area.y > 0
        {
            let value = self.input.value();
            let before = sanitize::for_display(&value[..(*at).min(value.len())]);
            let column = text_width(&before).saturating_sub(scroll) + usize::from(label_w);
            let line = format!("{}^ {}", " ".repeat(column), sanitize::for_display(message));
            let above = Rect::new(area.x, area.y - 1, area.width, 1);
            frame.render_widget(Paragraph::new(line).style(PROBLEM), above);
        }
        let cursor_x = label_w + (self.input.visual_cursor().saturating_sub(scroll)) as u16;
        frame.set_cursor_position(Position::new(
            cursor_x.min(area.width.saturating_sub(1)),
            area.y,
        ));
    }
}
