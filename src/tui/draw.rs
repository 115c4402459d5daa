//! Drawing: a pure function of the app state. The grid, then the status line (or the
//! prompt), then the popup that has the keyboard.

use super::action::{Action, key_label};
use super::app::App;
use super::component::Draw;
use super::enrich::Enrichments;
use super::message::Level;
use super::mode::Mode;
use super::text::{clip, format_eta, text_width};
use crate::sanitize;
use crate::store::Store;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::widgets::Paragraph;

const STATUS: Style = Style::new().bg(Color::Blue).fg(Color::White);
const ERROR: Style = Style::new().bg(Color::Red).fg(Color::White);

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
    let mut right = String::new();
    let store = app.persist.as_ref().map(|p| &p.store);
    if let Some(run) = run_summary(&app.enrich, store) {
        right = format!("{run} ");
    }
    if !progress.done && progress.total_bytes > 0 {
        right.push_str(&format!(
            "loading {:.0}% ",
            100.0 * progress.bytes_read as f64 / progress.total_bytes as f64
        ));
    }
    for pending in [&grid.view.pending, &grid.search.pending]
        .into_iter()
        .flatten()
    {
        right.push_str(&format!(
            "{} {:.0}% ",
            pending.what,
            100.0 * pending.progress.fraction()
        ));
    }
    let (message, style) = match &app.message {
        Some(m) if m.level == Level::Error => (m.text.as_str(), ERROR),
        Some(m) => (m.text.as_str(), STATUS),
        None => ("", STATUS),
    };
    // With nothing else to say, the bar says what to do first.
    let help_hint = if message.is_empty() && right.is_empty() {
        format!(
            "{} enrich · {} help ",
            key_label(Action::AddEnrichment),
            key_label(Action::Help)
        )
    } else {
        String::new()
    };
    let right = format!(
        "{}{}{}",
        sanitize::for_display(message),
        if message.is_empty() { "" } else { " " },
        right
    ) + &help_hint;
    let width = usize::from(line.width);
    let right_w = text_width(&right);
    let left = clip(&left, width.saturating_sub(right_w + 1));
    let pad = width.saturating_sub(text_width(&left) + right_w);
    let text = format!("{left}{}{right}", " ".repeat(pad));
    frame.render_widget(Paragraph::new(clip(&text, width)).style(style), line);
}

/// A one-line summary of the run for the status bar.
fn run_summary(enrich: &Enrichments, store: Option<&Store>) -> Option<String> {
    if enrich.columns.is_empty() {
        return None;
    }
    let t = enrich.totals();
    let mut s = String::new();
    if let Some(caller) = &enrich.caller {
        let calls = caller.stats();
        s.push_str(&format!("{} calls", calls.attempts));
        // Answers shared with another cell or taken from the cache were not paid again.
        let reused = calls.shared + calls.cached;
        if reused > 0 {
            s.push_str(&format!(", {reused} reused"));
        }
        let saved = store.map_or(0.0, |store| store.stats().cost_saved);
        if saved > 0.0 {
            s.push_str(&format!(" (${saved:.2} saved)"));
        }
        s.push_str(" │ ");
    }
    s.push_str(&format!("✓{} ∅{} ✗{}", t.done, t.no_data, t.failed));
    if t.skipped > 0 {
        s.push_str(&format!(" –{}", t.skipped));
    }
    if t.cancelled > 0 {
        s.push_str(&format!(" ⊘{}", t.cancelled));
    }
    if t.pending() > 0 {
        s.push_str(&format!(" ◌{} ·{}", t.running, t.queued));
        if enrich.rate > 0.0 {
            let eta = t.pending() as f64 / enrich.rate;
            s.push_str(&format!(" {:.1}/s ETA {}", enrich.rate, format_eta(eta)));
        }
    }
    Some(s)
}
