//! Drawing: a pure function of the app state.

use super::action::{COMMANDS, Group};
use super::app::{App, ConfirmKind, Level, Mode};
use super::draw_enrich;
use super::layout::{self, clip, placed_columns, text_width};
use crate::sanitize;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

const HEADER: Style = Style::new().add_modifier(Modifier::BOLD);
const GUTTER: Style = Style::new().fg(Color::DarkGray);
const SELECTED: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::Cyan)
    .add_modifier(Modifier::BOLD);
const STATUS: Style = Style::new().bg(Color::Blue).fg(Color::White);
const ERROR: Style = Style::new().bg(Color::Red).fg(Color::White);

/// Draws the whole screen.
pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    draw_grid(app, frame.buffer_mut(), area);
    draw_status(app, frame, area);
    match &app.mode {
        Mode::Help { scroll } => draw_help(frame, area, *scroll),
        Mode::CellView { scroll } => draw_cell(app, frame, area, *scroll),
        Mode::Confirm(kind) => draw_confirm(app, frame, area, *kind),
        Mode::Fatal(msg) => draw_popup(frame, area, " Problem ", msg, "q: quit"),
        Mode::Picker(picker) => draw_enrich::draw_picker(app, picker, frame, area),
        Mode::Inspector { scroll } => draw_enrich::draw_inspector(app, frame, area, *scroll),
        Mode::Runs { selected } => draw_enrich::draw_runs(app, frame, area, *selected),
        Mode::Normal | Mode::Prompt { .. } => {}
    }
}

fn draw_grid(app: &App, buf: &mut Buffer, area: Rect) {
    let placed = placed_columns(app);
    let gutter = layout::gutter_width(app);
    let current_col = app.cursor_col;
    let enrich_cols: Vec<Option<(usize, usize)>> = (0..app.sheet.columns().len())
        .map(|c| app.enrichment_at(c))
        .collect();
    // Header line.
    buf.set_stringn(
        0,
        0,
        format!("{:>w$}", "#", w = usize::from(gutter - 1)),
        usize::from(gutter),
        GUTTER,
    );
    for p in &placed {
        let column = &app.sheet.columns()[p.col];
        let mut title = sanitize::for_display(&column.display).into_owned();
        if enrich_cols[p.col].is_some() {
            title.insert(0, '✦');
        }
        if let Some(sort) = app.sort.filter(|s| s.col == p.col) {
            title.push(if sort.descending { '▼' } else { '▲' });
        }
        let style = if p.visible_index == current_col {
            HEADER.add_modifier(Modifier::UNDERLINED)
        } else {
            HEADER
        };
        buf.set_stringn(
            p.x,
            0,
            clip(&title, usize::from(p.width)),
            usize::from(p.width),
            style,
        );
    }
    // Data rows.
    let height = app
        .body_height()
        .min(usize::from(area.height.saturating_sub(1)));
    for line in 0..height {
        let view_row = app.top + line;
        let Some(row) = app.row_at(view_row) else {
            break;
        };
        let y = (line + 1) as u16;
        let number = format!("{:>w$}", row + 1, w = usize::from(gutter - 1));
        if app.is_selected(row) {
            // The mark sits in the separator column, so selection reads without colour too.
            buf.set_stringn(0, y, number, usize::from(gutter - 1), SELECTED);
            buf.set_stringn(gutter - 1, y, "•", 1, SELECTED);
        } else {
            buf.set_stringn(0, y, number, usize::from(gutter - 1), GUTTER);
        }
        let cells = app.sheet.row_cells(row);
        for p in &placed {
            let text = cells.get(p.col).map(String::as_str).unwrap_or("");
            let (shown, base_style) = match enrich_cols[p.col] {
                Some((ci, _)) => {
                    let (text, state) = app.enrichment_text(ci, row, &cells, text);
                    (
                        sanitize::for_display(&text).into_owned(),
                        draw_enrich::state_style(&state),
                    )
                }
                None => (sanitize::for_display(text).into_owned(), Style::new()),
            };
            let style = if view_row == app.cursor_row && p.visible_index == current_col {
                base_style.add_modifier(Modifier::REVERSED)
            } else if is_search_hit(app, row, p.col) {
                Style::new().fg(Color::Black).bg(Color::Yellow)
            } else {
                base_style
            };
            buf.set_style(Rect::new(p.x, y, p.width, 1), style);
            buf.set_stringn(
                p.x,
                y,
                clip(&shown, usize::from(p.width)),
                usize::from(p.width),
                style,
            );
        }
    }
}

fn is_search_hit(app: &App, row: usize, col: usize) -> bool {
    app.search
        .as_ref()
        .is_some_and(|s| s.done && s.hits.binary_search(&(row as u32, col as u32)).is_ok())
}

fn draw_status(app: &App, frame: &mut Frame, area: Rect) {
    let y = area.height.saturating_sub(1);
    let line = Rect::new(0, y, area.width, 1);
    if let Mode::Prompt { kind, input } = &app.mode {
        let label = kind.label();
        let label_w = text_width(label) as u16;
        let avail = usize::from(area.width.saturating_sub(label_w + 1));
        let scroll = input.visual_scroll(avail);
        let shown: String = sanitize::for_display(input.value())
            .chars()
            .skip(scroll)
            .collect();
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(label, HEADER),
                Span::raw(shown),
            ])),
            line,
        );
        let cursor_x = label_w + (input.visual_cursor().saturating_sub(scroll)) as u16;
        frame.set_cursor_position(Position::new(cursor_x.min(area.width.saturating_sub(1)), y));
        return;
    }
    let sheet = &app.sheet;
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
        " {}{} │ {} rows × {} cols",
        sanitize::for_display(&name),
        if app.is_dirty() { " [+]" } else { "" },
        rows,
        sheet.columns().len()
    );
    if let Some(order) = &app.order
        && app.filter.is_some()
    {
        left.push_str(&format!(" │ {} shown", order.len()));
    }
    if let Some(row) = app.current_row() {
        left.push_str(&format!(
            " │ R{} C{}",
            row + 1,
            app.current_col().map_or(0, |c| c + 1)
        ));
    }
    if !app.selection.is_empty() {
        left.push_str(&format!(" │ {} selected", app.selection.len()));
    }
    if !app.hidden.is_empty() {
        left.push_str(&format!(" │ {} hidden", app.hidden.len()));
    }
    if sheet.ragged_rows() > 0 {
        left.push_str(&format!(" │ {} ragged", sheet.ragged_rows()));
    }
    let mut right = String::new();
    if let Some(run) = app.run_summary() {
        right = format!("{run} ");
    }
    if !progress.done && progress.total_bytes > 0 {
        right.push_str(&format!(
            "loading {:.0}% ",
            100.0 * progress.bytes_read as f64 / progress.total_bytes as f64
        ));
    }
    for pending in [&app.pending_view, &app.pending_search]
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
        Some((text, Level::Error)) => (text.as_str(), ERROR),
        Some((text, Level::Info)) => (text.as_str(), STATUS),
        None => ("", STATUS),
    };
    let help_hint = if message.is_empty() && right.is_empty() {
        "? help "
    } else {
        ""
    };
    let right = format!(
        "{}{}{}",
        sanitize::for_display(message),
        if message.is_empty() { "" } else { " " },
        right
    ) + help_hint;
    let right_w = text_width(&right);
    let left = clip(&left, usize::from(area.width).saturating_sub(right_w + 1));
    let pad = usize::from(area.width).saturating_sub(text_width(&left) + right_w);
    let text = format!("{left}{}{right}", " ".repeat(pad));
    frame.render_widget(
        Paragraph::new(clip(&text, usize::from(area.width))).style(style),
        line,
    );
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width
        .min(area.width.saturating_sub(2))
        .max(10.min(area.width));
    let h = height
        .min(area.height.saturating_sub(2))
        .max(3.min(area.height));
    Rect::new(
        (area.width.saturating_sub(w)) / 2,
        (area.height.saturating_sub(h)) / 2,
        w,
        h,
    )
}

fn draw_popup(frame: &mut Frame, area: Rect, title: &str, body: &str, hint: &str) {
    let rect = centered(area, 70, 9);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title.to_string())
        .title_bottom(format!(" {hint} "));
    frame.render_widget(
        Paragraph::new(sanitize::for_display_multiline(body).into_owned())
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

fn draw_confirm(app: &App, frame: &mut Frame, area: Rect, kind: ConfirmKind) {
    match kind {
        ConfirmKind::CancelColumn { ci } => {
            let Some(column) = app.enrich.columns.get(ci) else {
                return;
            };
            let body = format!(
                "Cancel the {} queued and running cells of {}?\nCancelled cells become skipped and can be re-run.\n\ny: cancel this column\nEsc: let it go on",
                column.counts.pending(),
                column.integration.spec().name
            );
            draw_popup(frame, area, " Cancel column ", &body, "y / Esc");
        }
        ConfirmKind::Refresh { ci, rows } => {
            let Some(spec) = app.enrich.columns.get(ci).map(|c| c.integration.spec()) else {
                return;
            };
            let body = format!(
                "Ask {} again for {} of {}, not the cache?\nEach is paid for again: about ${:.2}.\n\ny: refresh them\nEsc: keep the answers",
                spec.provider.name(),
                layout::count(rows, "selected row"),
                spec.name,
                spec.cost_per_row_usd * rows as f64
            );
            draw_popup(frame, area, " Refresh ", &body, "y / Esc");
        }
        ConfirmKind::QuitRunning => draw_popup(
            frame,
            area,
            " Enrichment running ",
            "Cells are still queued or running.\n\ny: cancel them and quit (finished cells are kept)\nEsc: keep working",
            "y / Esc",
        ),
        ConfirmKind::CancelRun => draw_popup(
            frame,
            area,
            " Cancel run ",
            "Cancel every queued and running cell?\nCancelled cells become skipped and can be re-run.\n\ny: cancel the run\nEsc: let it go on",
            "y / Esc",
        ),
        ConfirmKind::QuitUnsaved => draw_popup(
            frame,
            area,
            " Unsaved changes ",
            "This sheet has changes that are not saved.\n\ny: save, then quit\nn: quit without saving\nEsc: keep working",
            "y / n / Esc",
        ),
    }
}

fn draw_cell(app: &App, frame: &mut Frame, area: Rect, scroll: u16) {
    let rect = centered(
        area,
        area.width.saturating_sub(8),
        area.height.saturating_sub(4),
    );
    frame.render_widget(Clear, rect);
    let title = app
        .current_col()
        .and_then(|c| app.sheet.columns().get(c))
        .map(|c| {
            format!(
                " {} · row {} ",
                sanitize::for_display(&c.display),
                app.current_row().map_or(0, |r| r + 1)
            )
        })
        .unwrap_or_default();
    let text = app.current_cell();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .title_bottom(" ↑↓ scroll · any key closes ");
    frame.render_widget(
        Paragraph::new(sanitize::for_display_multiline(&text).into_owned())
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        rect,
    );
}

/// Lines of the help overlay, built from the command table.
pub fn help_lines() -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for group in [
        Group::Move,
        Group::View,
        Group::Edit,
        Group::Enrich,
        Group::App,
    ] {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(group.title(), HEADER));
        for c in COMMANDS.iter().filter(|c| c.group == group) {
            let keys: Vec<String> = c.keys.iter().map(|k| k.label()).collect();
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<16}", keys.join(" ")),
                    Style::new().fg(Color::Cyan),
                ),
                Span::raw(c.help),
            ]));
        }
    }
    lines
}

fn draw_help(frame: &mut Frame, area: Rect, scroll: u16) {
    let rect = centered(area, 76, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Keys ")
        .title_bottom(" ↑↓ scroll · any other key closes ");
    frame.render_widget(
        Paragraph::new(help_lines())
            .scroll((scroll, 0))
            .block(block),
        rect,
    );
}
