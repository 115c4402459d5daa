//! Drawing the AI column form: the fields on the left; column names to complete, the prompt
//! for the cursor's row, or the dry run's result on the right.

use super::{AiBuilder, DryRun, Field};
use crate::integrations::ai::prompt::Template;
use crate::integrations::header_key;
use crate::sanitize;
use crate::tui::command;
use crate::tui::component::Context;
use crate::tui::popup::{DIM, PROBLEM, SELECTED, TITLE};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Width of the labels before each field.
const LABEL: usize = 10;

/// Lines of a dry run's research text shown (it is long; the inspector has it whole).
const RESEARCH_LINES: usize = 6;

/// Draws the form in `rect` (already cleared), `row` being the grid's cursor row.
pub fn draw(ctx: &Context, form: &AiBuilder, row: Option<usize>, frame: &mut Frame, rect: Rect) {
    let hint = format!(" {} ", command::bar(super::FORM));
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Add enrichment: AI column ")
        .title_bottom(hint);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .spacing(2)
            .areas(inner);
    draw_fields(form, frame, left);
    draw_side(ctx, form, row, frame, right);
}

fn draw_fields(form: &AiBuilder, frame: &mut Frame, area: Rect) {
    let width = (area.width as usize).saturating_sub(LABEL + 1).max(8);
    let focused = form.focused();
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor: Option<Position> = None;
    let mut last_output = None;
    for field in form.fields() {
        if let Some(i) = output_of(field)
            && last_output != Some(i)
        {
            if last_output.is_none() {
                lines.push(Line::styled(
                    "outputs (Ctrl-n adds one, Ctrl-x removes it)",
                    TITLE,
                ));
            }
            last_output = Some(i);
        }
        let label = match field {
            Field::Name => "name".to_string(),
            Field::Prompt => "prompt".to_string(),
            Field::OutputName(i) => format!(" {} name", i + 1),
            Field::OutputType(_) => "   type".to_string(),
            Field::OutputChoices(_) => "   choices".to_string(),
            Field::OutputAbout(_) => "   about".to_string(),
            Field::Research => "research".to_string(),
            Field::Llm => "llm".to_string(),
            Field::Model => "model".to_string(),
        };
        let style = if field == focused {
            SELECTED
        } else {
            Style::new()
        };
        let value = match form.input(field) {
            Some(input) => {
                let scroll = if field == focused {
                    input.visual_scroll(width)
                } else {
                    0
                };
                if field == focused {
                    let x = area.x + (LABEL + 1) as u16 + (input.visual_cursor() - scroll) as u16;
                    cursor = Some(Position::new(
                        x.min(area.right().saturating_sub(1)),
                        area.y + lines.len() as u16,
                    ));
                }
                let shown: String = input.value().chars().skip(scroll).take(width).collect();
                match (shown.is_empty(), field) {
                    (true, Field::Prompt) if field != focused => {
                        "(type a question; {{column}} reads a column)".to_string()
                    }
                    _ => sanitize::for_display(&shown).into_owned(),
                }
            }
            None => choice_text(form, field),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<LABEL$} "), DIM),
            Span::styled(value, style),
        ]));
        if field == Field::Prompt {
            lines.push(Line::raw(""));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
    if let Some(position) = cursor
        && position.y < area.bottom()
    {
        frame.set_cursor_position(position);
    }
}

fn output_of(field: Field) -> Option<usize> {
    match field {
        Field::OutputName(i)
        | Field::OutputType(i)
        | Field::OutputChoices(i)
        | Field::OutputAbout(i) => Some(i),
        _ => None,
    }
}

/// How a choice field reads: `‹ enum ›`, `[x] search the web first`.
fn choice_text(form: &AiBuilder, field: Field) -> String {
    match field {
        Field::OutputType(i) => format!(
            "‹ {} ›",
            form.outputs.get(i).map_or("text", |o| o.kind.name())
        ),
        Field::Research => format!(
            "[{}] search the web first (DataGen chatgpt_webresearch)",
            if form.research { 'x' } else { ' ' }
        ),
        Field::Llm => format!(
            "‹ {} ›{}",
            form.llm.name(),
            match form.llm {
                crate::config::LlmProvider::Anthropic => " ANTHROPIC_API_KEY",
                crate::config::LlmProvider::Openai => " OPENAI_API_KEY / OPENAI_BASE_URL",
            }
        ),
        _ => String::new(),
    }
}

fn draw_side(ctx: &Context, form: &AiBuilder, row: Option<usize>, frame: &mut Frame, area: Rect) {
    let headers: Vec<String> = ctx.sheet.columns().iter().map(|c| c.name.clone()).collect();
    let mut lines: Vec<Line> = Vec::new();
    if let Some(problem) = &form.problem {
        lines.push(Line::styled(problem.clone(), PROBLEM));
        lines.push(Line::raw(""));
    }
    if form.saving {
        lines.push(Line::styled("saving…", DIM));
    }
    let completions = form.completions(&headers);
    if let Some(partial) = form.open_token() {
        lines.push(Line::styled(format!("columns for {{{{{partial}"), TITLE));
        for (i, column) in completions.iter().enumerate() {
            let mark = if i == 0 { "Tab →" } else { "     " };
            lines.push(Line::raw(format!(
                "{mark} {}",
                sanitize::for_display(column)
            )));
        }
        if completions.is_empty() {
            lines.push(Line::styled("no column matches", DIM));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    }
    let unknown = form.unknown_tokens(&headers);
    if !unknown.is_empty() {
        lines.push(Line::styled(
            format!(
                "not a column: {} (map it to one after saving, or fix the name)",
                unknown.join(", ")
            ),
            PROBLEM,
        ));
        lines.push(Line::raw(""));
    }
    match &form.dry_run {
        DryRun::Idle => preview(ctx, form, row, &headers, &mut lines),
        DryRun::Running { row } => lines.push(Line::styled(
            format!(
                "dry run on row {}: asking {}…",
                row + 1,
                form.model.value().trim()
            ),
            TITLE,
        )),
        DryRun::Finished { row, result } => {
            lines.push(Line::styled(
                format!(
                    "dry run on row {}: {} {}",
                    row + 1,
                    result.state.glyph(),
                    result.state.label()
                ),
                TITLE,
            ));
            if let Some(e) = &result.error {
                lines.push(Line::styled(
                    sanitize::for_display(&e.message).into_owned(),
                    PROBLEM,
                ));
            }
            let mut spent = crate::providers::Usage::default();
            let mut paid = false;
            for usage in result.calls.iter().filter_map(|c| c.paid()) {
                spent.add(&usage);
                paid = true;
            }
            if paid {
                lines.push(Line::raw(format!("spent {}", spent.describe())));
            }
            for note in &result.notes {
                let mut parts = note.lines();
                let title = parts.next().unwrap_or_default();
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    sanitize::for_display(title).into_owned(),
                    TITLE,
                ));
                let limit = if title == "research" {
                    RESEARCH_LINES
                } else {
                    usize::MAX
                };
                for line in parts.take(limit) {
                    lines.push(Line::raw(format!("  {}", sanitize::for_display(line))));
                }
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled("Ctrl-r runs it again · Enter saves it", DIM));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The prompt as the cursor's row would send it, and how to try it.
fn preview(
    ctx: &Context,
    form: &AiBuilder,
    row: Option<usize>,
    headers: &[String],
    lines: &mut Vec<Line>,
) {
    let Some(row) = row else {
        lines.push(Line::styled(
            "move the grid's cursor to a row to try the prompt on it",
            DIM,
        ));
        return;
    };
    let cells = ctx.sheet.row_cells(row);
    let template = Template::new(form.prompt.value());
    let value = |token: &str| {
        let key = header_key(token);
        let col = headers.iter().position(|h| header_key(h) == key)?;
        cells.get(col).map(String::as_str)
    };
    lines.push(Line::styled(format!("prompt for row {}", row + 1), TITLE));
    match template.render(value) {
        Ok(prompt) if !prompt.trim().is_empty() => {
            lines.push(Line::raw(sanitize::for_display(&prompt).into_owned()));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "Ctrl-r: dry run on this row (one paid call, or two with research) to see the answer and the parsed fields before saving",
                DIM,
            ));
        }
        Ok(_) => lines.push(Line::styled("(no prompt yet)", DIM)),
        Err(missing) => lines.push(Line::styled(format!("this row is skipped: {missing}"), DIM)),
    }
}
