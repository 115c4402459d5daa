//! The help overlay: every mode's command table, section by section, so the keys shown are
//! the keys bound.

use super::action::{Action, COMMANDS, key_label};
use super::command::{self, Command, Group};
use super::component::{Component, Context, Draw, Outcome};
use super::enrich::{SPINNER, STALE};
use super::intent::Intent;
use super::picker::ai::commands as ai_form;
use super::picker::commands as picker;
use super::picker::waterfall::commands as waterfall_form;
use super::popup::centered;
use super::scroll::{SCROLL, Scroll};
use super::{census, inspector, runs};
use crate::cell::{CellState, SkipReason};
use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

const HEADING: Style = Style::new().add_modifier(Modifier::BOLD);
const KEYS: Style = Style::new().fg(Color::Cyan);

/// How far the help is scrolled.
#[derive(Default)]
pub struct Help {
    pub scroll: Scroll,
}

/// What each mark in an enrichment cell means, for the help's first page.
fn legend() -> Vec<(String, String)> {
    let glyph = |state: CellState| state.glyph().to_string();
    vec![
        (glyph(CellState::Queued), "queued".into()),
        (SPINNER[0].to_string(), "running".into()),
        (
            glyph(CellState::Retrying { attempt: 2, max: 4 }),
            "retrying after a failure (retry n/N)".into(),
        ),
        ("value".into(), "done: the answer".into()),
        (
            glyph(CellState::NoData),
            "no data: the provider has nothing for this input".into(),
        ),
        (
            glyph(CellState::Failed),
            format!(
                "failed: {} shows why, {} goes to the next, {} re-runs",
                key_label(Action::Inspect),
                key_label(Action::NextFailed),
                key_label(Action::RerunUnfinished)
            ),
        ),
        (
            glyph(CellState::Skipped(SkipReason::AlreadyFilled)),
            "skipped: a required input is empty, or the outputs were filled".into(),
        ),
        (
            glyph(CellState::Cancelled),
            format!(
                "cancelled or paused before it finished: {} re-runs it",
                key_label(Action::RerunUnfinished)
            ),
        ),
        (
            STALE.to_string(),
            format!(
                "done, but an input was edited since: {} re-runs the row",
                key_label(Action::RerunRow)
            ),
        ),
    ]
}

/// Lines of the help overlay: what cell marks mean and the enrichment keys first (what a
/// newcomer came for), then the grid's other groups, then each popup's table.
pub fn help_lines() -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("Enrichment cells", HEADING)];
    for (mark, meaning) in legend() {
        lines.push(Line::from(vec![
            Span::styled(format!("  {mark:<7}"), KEYS),
            Span::raw(meaning),
        ]));
    }
    for group in [
        Group::Enrich,
        Group::Move,
        Group::View,
        Group::Edit,
        Group::App,
    ] {
        section(
            &mut lines,
            group,
            COMMANDS.iter().filter(|c| c.group == group),
        );
    }
    section(&mut lines, Group::Scroll, SCROLL.iter());
    section(&mut lines, Group::Inspector, inspector::COMMANDS.iter());
    section(&mut lines, Group::Runs, runs::COMMANDS.iter());
    section(
        &mut lines,
        Group::Census,
        census::frequency::COMMANDS.iter(),
    );
    command_lines(&mut lines, census::duplicates::COMMANDS.iter());
    section(&mut lines, Group::PickerSearch, picker::SEARCH.iter());
    section(&mut lines, Group::PickerMap, picker::MAP.iter());
    section(&mut lines, Group::PickerOutputs, picker::OUTPUTS.iter());
    section(&mut lines, Group::PickerAi, ai_form::FORM.iter());
    section(
        &mut lines,
        Group::PickerWaterfall,
        waterfall_form::FORM.iter(),
    );
    lines
}

fn section<'a, A: 'static>(
    lines: &mut Vec<Line<'static>>,
    group: Group,
    commands: impl Iterator<Item = &'a Command<A>>,
) {
    if !lines.is_empty() {
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(group.title(), HEADING));
    command_lines(lines, commands);
}

/// One line per command: its keys, then what it does.
fn command_lines<'a, A: 'static>(
    lines: &mut Vec<Line<'static>>,
    commands: impl Iterator<Item = &'a Command<A>>,
) {
    for c in commands {
        let keys: Vec<String> = c.keys.iter().map(|k| k.label()).collect();
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<16}", keys.join(" ")), KEYS),
            Span::raw(c.help),
        ]));
    }
}

impl Component for Help {
    fn handle_key(&mut self, key: KeyEvent, _ctx: &Context) -> Outcome {
        if self.scroll.handle_key(&key) {
            Outcome::Consumed
        } else {
            Intent::Close.into()
        }
    }

    fn handle_mouse(&mut self, event: MouseEvent, _ctx: &Context) -> Outcome {
        if self.scroll.handle_mouse(&event) {
            Outcome::Consumed
        } else {
            Outcome::Ignored
        }
    }
}

impl Draw for Help {
    fn draw(&self, _ctx: &Context, frame: &mut Frame, area: Rect) {
        let rect = centered(area, 112, area.height.saturating_sub(2));
        frame.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(" Keys ")
            .title_bottom(format!(" {} · any other key closes ", command::bar(SCROLL)));
        frame.render_widget(
            Paragraph::new(help_lines())
                .scroll((self.scroll.offset, 0))
                .block(block),
            rect,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::command::Key;

    fn keys<A>(table: &[Command<A>]) -> Vec<Key> {
        table.iter().flat_map(|c| c.keys.iter().copied()).collect()
    }

    #[test]
    fn the_first_page_explains_the_marks_then_the_enrichment_keys() {
        let text: Vec<String> = help_lines().iter().map(|l| l.to_string()).collect();
        let first_page = text[..20].join("\n");
        for mark in ["·", "◐", "↻", "∅", "✗", "–", "⊘", "≠"] {
            assert!(
                first_page.contains(&format!("  {mark} ")),
                "{mark} in {first_page}"
            );
        }
        assert!(first_page.contains("add enrichment column"), "{first_page}");
    }

    #[test]
    fn help_lists_every_popup_command() {
        let text: Vec<String> = help_lines().iter().map(|l| l.to_string()).collect();
        let text = text.join("\n");
        let helps = inspector::COMMANDS
            .iter()
            .map(|c| c.help)
            .chain(runs::COMMANDS.iter().map(|c| c.help))
            .chain(census::frequency::COMMANDS.iter().map(|c| c.help))
            .chain(census::duplicates::COMMANDS.iter().map(|c| c.help))
            .chain(picker::SEARCH.iter().map(|c| c.help))
            .chain(picker::MAP.iter().map(|c| c.help))
            .chain(picker::OUTPUTS.iter().map(|c| c.help))
            .chain(ai_form::FORM.iter().map(|c| c.help))
            .chain(waterfall_form::FORM.iter().map(|c| c.help))
            .chain(SCROLL.iter().map(|c| c.help));
        for help in helps {
            assert!(text.contains(help), "help is missing {help:?}");
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_a_mode() {
        let inspector = [keys(SCROLL), keys(inspector::COMMANDS)].concat();
        let modes = [
            keys(picker::SEARCH),
            keys(picker::MAP),
            keys(picker::OUTPUTS),
            keys(ai_form::FORM),
            keys(waterfall_form::FORM),
            inspector,
            keys(runs::COMMANDS),
            keys(census::frequency::COMMANDS),
            keys(census::duplicates::COMMANDS),
        ];
        for keys in modes {
            for (i, key) in keys.iter().enumerate() {
                assert!(!keys[i + 1..].contains(key), "{} bound twice", key.label());
            }
        }
    }
}
