//! Drawing: a pure function of the app state. The grid, then the status line (or the
//! prompt), then the popup that has the keyboard.

use super::action::{Action, key_label};
use super::app::App;
use super::component::Draw;
use super::enrich::{Enrichments, SPINNER};
use super::message::Level;
use super::mode::Mode;
use super::text::{clip, format_eta, text_width};
use crate::sanitize;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const STATUS: Style = Style::new().bg(Color::Blue).fg(Color::White);
const ERROR: Style = Style::new().bg(Color::Red).fg(Color::White);
const MESSAGE: Style = Style::new()
    .bg(Color::Blue)
    .fg(Color::White)
    .add_modifier(Modifier::BOLD);

/// Draws the whole screen.
pub fn draw(app: &App, frame: &mut Frame) {
    let ctx = app.context();
    let area = frame.area();
    app.grid.draw(&ctx, frame, area);
    let line = Rect::new(0, area.height.saturating_sub(1), area.width, 1);
    match &app.mode {
        Mode::Prompt(prompt) => prompt.draw(&ctx, frame, line),
        _ => draw_status(app, frame, line),
    }
    if let Some(popup) = app.mode.popup() {
        popup.draw(&ctx, frame, area);
    }
}

fn draw_status(app: &App, frame: &mut Frame, line: Rect) {
    let (sheet, grid) = (&app.sheet, &app.grid);
    let progress = sheet.index_progress();
    let name = sheet
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rows = if progress.done {
        format!("{}", sheet.row_count())
    } else {
        format!("{}+", sheet.row_count())
    };
    let mut left = format!(
        " {}{}{} │ {} rows × {} cols",
        sanitize::for_display(&name),
        if app.is_dirty() { " [+]" } else { "" },
        if app.enrich.demo { " │ demo" } else { "" },
        rows,
        sheet.columns().len()
    );
    if let Some(filter) = &grid.view.filter {
        left.push_str(&format!(
            " │ filter: {}",
            sanitize::for_display(&filter.describe())
        ));
        if let Some(order) = &grid.view.order {
            left.push_str(&format!(" ({} shown)", order.len()));
        }
    }
    if let Some(row) = grid.current_row(sheet) {
        left.push_str(&format!(
            " │ R{} C{}",
            row + 1,
            grid.current_col(sheet).map_or(0, |c| c + 1)
        ));
    }
    if !grid.selection.is_empty() {
        left.push_str(&format!(" │ {} selected", grid.selection.len()));
    }
    if !grid.columns.hidden.is_empty() {
        left.push_str(&format!(" │ {} hidden", grid.columns.hidden.len()));
    }
    if sheet.ragged_rows() > 0 {
        left.push_str(&format!(" │ {} ragged", sheet.ragged_rows()));
    }
    let mut right: Vec<String> = Vec::new();
    right.extend(run_summary(&app.enrich));
    if !progress.done && progress.total_bytes > 0 {
        right.push(format!(
            "loading {:.0}%",
            100.0 * progress.bytes_read as f64 / progress.total_bytes as f64
        ));
    }
    for pending in [&grid.view.pending, &grid.search.pending]
        .into_iter()
        .flatten()
    {
        right.push(format!(
            "{} {:.0}%",
            pending.what,
            100.0 * pending.progress.fraction()
        ));
    }
    let message = app.message.as_ref();
    if message.is_none() && right.is_empty() {
        // With nothing else to say, the bar says what to do first.
        right.push(format!(
            "{} enrich · {} help",
            key_label(Action::AddEnrichment),
            key_label(Action::Help)
        ));
    }
    let right = format!("{} ", right.join(" │ "));
    // The message sits apart from the counters, in its own colour. The counters keep their
    // room; the sheet's facts on the left keep up to half the line; the message has the rest.
    let width = usize::from(line.width);
    let right_w = text_width(&right);
    let (message, message_style) = match message {
        Some(m) => {
            let left_keeps = text_width(&left).min(width / 2);
            let room = width.saturating_sub(right_w + left_keeps + 2);
            let text = clip(&sanitize::for_display(&m.text), room.saturating_sub(3));
            let style = if m.level == Level::Error {
                ERROR
            } else {
                MESSAGE
            };
            (format!(" {text} "), style)
        }
        None => (String::new(), STATUS),
    };
    let separator = if message.is_empty() { "" } else { "│ " };
    let used = right_w + text_width(&message) + text_width(separator);
    let left = clip(&left, width.saturating_sub(used + 1));
    let pad = width.saturating_sub(text_width(&left) + used);
    let spans = vec![
        Span::styled(left, STATUS),
        Span::styled(" ".repeat(pad), STATUS),
        Span::styled(message, message_style),
        Span::styled(separator, STATUS),
        Span::styled(right, STATUS),
    ];
    frame.render_widget(Paragraph::new(Line::from(spans)).style(STATUS), line);
}

/// The run's figures for the status bar: calls and reused answers (as the runs panel sums
/// them), cell counts by state, and while it runs, the rate, the ETA and any provider whose
/// rate limit holds it back.
fn run_summary(enrich: &Enrichments) -> Vec<String> {
    if enrich.columns.is_empty() {
        return Vec::new();
    }
    let mut parts = Vec::new();
    let spend = enrich.spend();
    let mut calls = format!("{} calls", spend.calls);
    if spend.reused > 0 {
        calls.push_str(&format!(
            ", {} reused (${:.2} saved)",
            spend.reused, spend.saved_usd
        ));
    }
    parts.push(calls);
    let t = enrich.totals();
    let mut states = format!("✓{} ∅{} ✗{}", t.done, t.no_data, t.failed);
    if t.skipped > 0 {
        states.push_str(&format!(" –{}", t.skipped));
    }
    if t.cancelled > 0 {
        states.push_str(&format!(" ⊘{}", t.cancelled));
    }
    if t.pending() > 0 {
        states.push_str(&format!(" {}{} ·{}", SPINNER[0], t.running, t.queued));
        if let (Some(rate), Some(eta)) =
            (enrich.rate.per_second(), enrich.rate.eta_secs(t.pending()))
        {
            states.push_str(&format!(" {rate:.1}/s ETA {}", format_eta(eta)));
        }
    }
    parts.push(states);
    if t.pending() > 0
        && let Some(caller) = &enrich.caller
    {
        let throttled: Vec<String> = caller
            .throttled()
            .into_iter()
            .map(|(provider, per_minute)| format!("{provider} {per_minute}/min"))
            .collect();
        if !throttled.is_empty() {
            parts.push(format!("throttled: {}", throttled.join(", ")));
        }
    }
    parts
}
