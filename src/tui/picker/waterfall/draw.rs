//! Drawing the waterfall form: the fields and steps on the left; the step search, or what a
//! row costs and what the form still lacks, on the right.

use super::{Field, WaterfallBuilder};
use crate::providers::format_usd;
use crate::sanitize;
use crate::tui::command;
use crate::tui::popup::{DIM, PROBLEM, SELECTED, TITLE};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Draws the form in `rect` (already cleared).
pub fn draw(form: &WaterfallBuilder, frame: &mut Frame, rect: Rect) {
    let hint = format!(" {} ", command::bar(super::FORM));
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Add enrichment: waterfall ")
        .title_bottom(hint);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .spacing(2)
            .areas(inner);
    draw_fields(form, frame, left);
    draw_side(form, frame, right);
}

fn styled(on: bool) -> Style {
    if on { SELECTED } else { Style::new() }
}

fn draw_fields(form: &WaterfallBuilder, frame: &mut Frame, area: Rect) {
    let focused = form.focused();
    let on = |f: Field| styled(form.search.is_none() && focused == f);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("name      ", DIM),
            Span::styled(form.name.value().to_string(), on(Field::Name)),
        ]),
        Line::from(vec![
            Span::styled("fills     ", DIM),
            Span::styled(form.output.value().to_string(), on(Field::Output)),
        ]),
        Line::from(vec![
            Span::styled("type      ", DIM),
            Span::styled(format!("‹ {} ›", form.kind.name()), on(Field::OutputType)),
        ]),
        Line::raw(""),
        Line::styled(
            "steps, tried in order until one passes (Ctrl-n adds, Ctrl-x removes, Ctrl-k/Ctrl-j move)",
            TITLE,
        ),
    ];
    if form.steps.is_empty() {
        lines.push(Line::styled("  no step yet: Ctrl-n adds one", DIM));
    }
    for (i, step) in form.steps.iter().enumerate() {
        lines.push(Line::styled(
            format!(
                "{}. {} → {}",
                i + 1,
                sanitize::for_display(&step.integration),
                sanitize::for_display(&step.output)
            ),
            on(Field::Step(i)),
        ));
        let mut check = vec![
            Span::styled("   valid if ", DIM),
            Span::styled(format!("‹ {} ›", step.check.label()), on(Field::Check(i))),
        ];
        if step.check.default_param().is_some() {
            check.push(Span::raw(" "));
            check.push(Span::styled(
                step.param.value().to_string(),
                on(Field::Param(i)),
            ));
        }
        lines.push(Line::from(check));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn draw_side(form: &WaterfallBuilder, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    if let Some(search) = &form.search {
        lines.push(Line::from(vec![
            Span::styled("add step: ", TITLE),
            Span::raw(search.query.value().to_string()),
        ]));
        lines.push(Line::raw(""));
        for (i, (integration, output)) in search.matches.iter().enumerate() {
            lines.push(Line::styled(
                format!(" {integration} → {output}"),
                styled(i == search.selected),
            ));
        }
        if search.matches.is_empty() {
            lines.push(Line::styled(" no output matches", DIM));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled("Enter adds it · Esc cancels", DIM));
    } else {
        lines.push(Line::styled("cost per row", TITLE));
        match &form.estimate {
            Ok(range) => {
                lines.push(Line::raw(format!(
                    "{} (first step answers) – {} (every step tried)",
                    format_usd(range.best.usd),
                    format_usd(range.worst.usd)
                )));
                lines.push(Line::styled(
                    format!(
                        "{}–{} paid calls; a step's answer is cached, so editing and re-running pays only for new steps",
                        range.best.calls, range.worst.calls
                    ),
                    DIM,
                ));
            }
            Err(why) if why.is_empty() => {}
            Err(why) => lines.push(Line::styled(sanitize::for_display(why).into_owned(), DIM)),
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "beside the value it fills <name>_source (the step that answered) and <name>_cost",
            DIM,
        ));
    }
    if form.saving {
        lines.push(Line::raw(""));
        lines.push(Line::styled("saving…", DIM));
    }
    if let Some(problem) = &form.problem {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            sanitize::for_display(problem).into_owned(),
            PROBLEM,
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
