//! Drawing the enrichment views: picker, inspector, runs panel, and cell styles.

use super::app::App;
use super::enrich::{format_eta, inspector_lines};
use super::picker::{Picker, Source, Step};
use crate::cell::CellState;
use crate::integrations::OutputKind;
use crate::sanitize;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table, Wrap};

const TITLE: Style = Style::new().add_modifier(Modifier::BOLD);
const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
const DIM: Style = Style::new().fg(Color::DarkGray);
const PROBLEM: Style = Style::new().fg(Color::Red);

/// Colour of a cell in a state; the glyph carries the meaning without colour.
pub fn state_style(state: &CellState) -> Style {
    match state {
        CellState::Empty | CellState::Done => Style::new(),
        CellState::Queued => Style::new().fg(Color::DarkGray),
        CellState::Running => Style::new().fg(Color::Cyan),
        CellState::Retrying { .. } => Style::new().fg(Color::Yellow),
        CellState::NoData => Style::new().fg(Color::Magenta),
        CellState::Failed => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        CellState::Skipped(_) => Style::new()
            .fg(Color::DarkGray)
            .add_modifier(Modifier::ITALIC),
    }
}

fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(1);
    let h = height.min(area.height.saturating_sub(2)).max(1);
    Rect::new(
        (area.width.saturating_sub(w)) / 2,
        (area.height.saturating_sub(h)) / 2,
        w,
        h,
    )
}

/// The integration picker popup.
pub fn draw_picker(app: &App, picker: &Picker, frame: &mut Frame, area: Rect) {
    let rect = popup(area, 110, area.height.saturating_sub(4).max(12));
    frame.render_widget(Clear, rect);
    let (title, hint) = match picker.step {
        Step::Search => (
            " Add enrichment: 1/3 choose an integration ",
            " type to search · ↑↓ select · Enter next · Esc close ",
        ),
        Step::Map => (
            " Add enrichment: 2/3 map inputs ",
            " ↑↓ input · ←→ column · c one value for all rows · Enter next · Esc back ",
        ),
        Step::Outputs => (
            " Add enrichment: 3/3 outputs and rows ",
            " ↑↓ move · Space toggle/cycle · +/- N · Enter run · Esc back ",
        ),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .title_bottom(hint);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(inner);
    match picker.step {
        Step::Search => {
            let mut lines = vec![
                Line::from(vec![
                    Span::styled("search: ", TITLE),
                    Span::raw(picker.query.value().to_string()),
                ]),
                Line::raw(""),
            ];
            for (i, &idx) in picker.matches.iter().enumerate() {
                let Some(integration) = picker.integrations.get(idx) else {
                    continue;
                };
                let spec = integration.spec();
                let style = if i == picker.selected {
                    SELECTED
                } else {
                    Style::new()
                };
                lines.push(Line::styled(
                    format!(" {:<28} {}", spec.name, spec.provider.name()),
                    style,
                ));
            }
            if picker.matches.is_empty() {
                lines.push(Line::styled(" no integration matches", DIM));
            }
            frame.render_widget(Paragraph::new(lines), left);
            let x = left.x + 8 + picker.query.visual_cursor() as u16;
            frame.set_cursor_position(ratatui::layout::Position::new(
                x.min(left.right().saturating_sub(1)),
                left.y,
            ));
        }
        Step::Map => draw_mapping(app, picker, frame, left),
        Step::Outputs => draw_outputs(app, picker, frame, left),
    }
    draw_details(picker, frame, right);
}

fn draw_details(picker: &Picker, frame: &mut Frame, area: Rect) {
    let Some(spec) = picker.spec() else { return };
    let mut lines = vec![
        Line::styled(spec.name, TITLE),
        Line::raw(spec.description),
        Line::raw(""),
        Line::from(vec![
            Span::styled("provider ", DIM),
            Span::raw(spec.provider.name()),
        ]),
        Line::from(vec![
            Span::styled("cost     ", DIM),
            Span::raw(format!("~${:.3} per row", spec.cost_per_row_usd)),
        ]),
        Line::from(vec![
            Span::styled("tools    ", DIM),
            Span::raw(spec.tools.join(", ")),
        ]),
        Line::raw(""),
        Line::styled("inputs", TITLE),
    ];
    for input in spec.inputs {
        let req = if input.required {
            "required"
        } else {
            "optional"
        };
        lines.push(Line::raw(format!(
            "  {} ({req}): {}",
            input.name, input.description
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("outputs", TITLE));
    for output in spec.outputs {
        lines.push(Line::raw(format!(
            "  {} ({}): {}",
            output.name,
            kind_label(output.kind),
            output.description
        )));
    }
    if let Some(problem) = &picker.problem {
        lines.push(Line::raw(""));
        lines.push(Line::styled(problem.clone(), PROBLEM));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn kind_label(kind: OutputKind) -> &'static str {
    match kind {
        OutputKind::Text => "text",
        OutputKind::Integer => "integer",
        OutputKind::Number => "number",
        OutputKind::Date => "date",
        OutputKind::Url => "url",
        OutputKind::UrlList => "url list",
        OutputKind::Bool => "yes/no",
    }
}

fn draw_mapping(app: &App, picker: &Picker, frame: &mut Frame, area: Rect) {
    let Some(spec) = picker.spec() else { return };
    let mut lines = vec![
        Line::styled("input            ← from", TITLE),
        Line::raw(""),
    ];
    for (i, (input, source)) in spec.inputs.iter().zip(&picker.sources).enumerate() {
        let shown = match source {
            Source::Column(c) => app
                .sheet
                .columns()
                .get(*c)
                .map(|c| format!("column '{}'", sanitize::for_display(&c.display)))
                .unwrap_or_default(),
            Source::Constant(v) => format!("value \"{}\"", sanitize::for_display(v)),
            Source::Unmapped if input.required => "(not mapped: required)".to_string(),
            Source::Unmapped => "(not mapped)".to_string(),
        };
        let style = if i == picker.input_cursor {
            SELECTED
        } else {
            Style::new()
        };
        lines.push(Line::styled(
            format!(" {:<16} ← {shown}", input.name),
            style,
        ));
    }
    if let Some(input) = &picker.constant {
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled("value for all rows: ", TITLE),
            Span::raw(input.value().to_string()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_outputs(app: &App, picker: &Picker, frame: &mut Frame, area: Rect) {
    let Some(spec) = picker.spec() else { return };
    let mut lines = vec![Line::styled("columns to add", TITLE)];
    for (i, (output, on)) in spec.outputs.iter().zip(&picker.outputs).enumerate() {
        let style = if i == picker.output_cursor {
            SELECTED
        } else {
            Style::new()
        };
        let exists = app.sheet.columns().iter().any(|c| c.name == output.name);
        let note = if exists {
            "  (exists: filled in place)"
        } else {
            ""
        };
        lines.push(Line::styled(
            format!(" [{}] {}{note}", if *on { 'x' } else { ' ' }, output.name),
            style,
        ));
    }
    lines.push(Line::raw(""));
    let scope_style = if picker.output_cursor == picker.outputs.len() {
        SELECTED
    } else {
        Style::new()
    };
    lines.push(Line::from(vec![
        Span::styled("rows: ", TITLE),
        Span::styled(picker.scope.label(), scope_style),
    ]));
    let rows = app.scope_rows(picker.scope);
    // Rows the cache answers or that lack an input cost nothing; a partial count (the first
    // rows of a large scope) is scaled to the whole scope.
    let scale = |n: usize, e: &super::picker::CacheEstimate| {
        if e.complete {
            n
        } else {
            (n as f64 * rows as f64 / e.scanned.max(1) as f64).round() as usize
        }
    };
    let estimate = picker.cache_estimate.filter(|e| e.checked > 0);
    let cached = estimate.map_or(0, |e| scale(e.cached, &e));
    let missing = picker.cache_estimate.map_or(0, |e| scale(e.missing, &e));
    let paid_rows = rows.saturating_sub(cached + missing);
    let calls = paid_rows * spec.tools.len().max(1);
    let cost = paid_rows as f64 * spec.cost_per_row_usd;
    let upto = if matches!(picker.scope, super::picker::Scope::EmptyOrFailed) {
        "up to "
    } else {
        ""
    };
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "{upto}{} · {upto}{} · est. ${cost:.2}",
            super::layout::count(rows, "row"),
            super::layout::count(calls, "call")
        ),
        TITLE,
    ));
    if missing > 0 {
        let required: Vec<&str> = spec
            .inputs
            .iter()
            .filter(|i| i.required)
            .map(|i| i.name)
            .collect();
        lines.push(Line::raw(format!(
            "{}{} without {}: skipped, not paid",
            if picker.cache_estimate.is_some_and(|e| e.complete) {
                ""
            } else {
                "~"
            },
            super::layout::count(missing, "row"),
            required.join(" or ")
        )));
    }
    match (estimate, picker.cache_estimate) {
        (Some(e), _) if e.complete => lines.push(Line::raw(format!(
            "{} rows answered from the cache (free)",
            e.cached
        ))),
        (Some(e), _) => lines.push(Line::raw(format!(
            "~{cached} rows answered from the cache (free; {} of the first {} rows)",
            e.cached, e.scanned
        ))),
        (None, None) if picker.estimate_generation > 0 => {
            lines.push(Line::styled("counting rows the cache answers…", DIM))
        }
        _ => {}
    }
    if spec.cost_per_row_usd > 0.0 {
        lines.push(Line::styled(
            "calls another column already made for the same row are shared, not paid twice",
            DIM,
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The cell inspector popup.
pub fn draw_inspector(app: &App, frame: &mut Frame, area: Rect, scroll: u16) {
    let Some((column, cell)) = app.current_enrichment_cell() else {
        return;
    };
    let rect = popup(
        area,
        area.width.saturating_sub(6),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let title = format!(
        " Inspect · {} · row {} ",
        column.integration.spec().name,
        app.current_row().map_or(0, |r| r + 1)
    );
    let row_cells = app
        .current_row()
        .map(|r| app.sheet.row_cells(r))
        .unwrap_or_default();
    let changes: Vec<_> = cell
        .map(|info| app.input_changes(column, info, &row_cells).collect())
        .unwrap_or_default();
    let text: Vec<Line> = inspector_lines(column, cell, &changes)
        .into_iter()
        .map(|l| Line::raw(sanitize::for_display(&l).into_owned()))
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .title_bottom(
            " ↑↓ PgUp/PgDn scroll · r re-run cell · R re-run row · f refresh (paid) · Esc close ",
        );
    frame.render_widget(Paragraph::new(text).scroll((scroll, 0)).block(block), rect);
}

/// The runs panel: one line per enrichment column.
pub fn draw_runs(app: &App, frame: &mut Frame, area: Rect, selected: usize) {
    let rect = popup(
        area,
        area.width.saturating_sub(4),
        (app.enrich.columns.len() as u16 + 6).max(8),
    );
    frame.render_widget(Clear, rect);
    let header = Row::new([
        "integration",
        "inputs",
        "done",
        "no data",
        "failed",
        "skipped",
        "pending",
        "calls",
        "avg ms",
        "est. $",
        "status",
    ])
    .style(TITLE);
    let rows: Vec<Row> = app
        .enrich
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let spec = c.integration.spec();
            let inputs: Vec<String> = spec
                .inputs
                .iter()
                .zip(&c.sources)
                .map(|(input, source)| match source {
                    super::enrich::InputSource::Column(name) => {
                        format!("{}←{}", input.name, sanitize::for_display(name))
                    }
                    super::enrich::InputSource::Constant(v) => {
                        format!("{}=\"{}\"", input.name, sanitize::for_display(v))
                    }
                    super::enrich::InputSource::Unmapped => format!("{}←?", input.name),
                })
                .collect();
            let n = c.counts;
            let finished_calls = c.attempts.max(1);
            let status = if let Some(stop) = &c.stopped {
                format!("stopped: {stop}")
            } else if c.paused {
                "paused".to_string()
            } else if n.pending() > 0 {
                let elapsed = c.started.elapsed().as_secs_f64().max(0.001);
                let rate = n.finished() as f64 / elapsed;
                if rate > 0.0 {
                    format!("running, ETA {}", format_eta(n.pending() as f64 / rate))
                } else {
                    "running".to_string()
                }
            } else {
                "idle".to_string()
            };
            let cost = (c.attempts as f64).min(n.finished() as f64) * spec.cost_per_row_usd;
            let row = Row::new(vec![
                spec.name.to_string(),
                inputs.join(" "),
                n.done.to_string(),
                n.no_data.to_string(),
                n.failed.to_string(),
                n.skipped.to_string(),
                n.pending().to_string(),
                format!("{} (+{} reused)", c.attempts, c.reused),
                (c.latency_ms / finished_calls).to_string(),
                format!("{cost:.2}"),
                status,
            ]);
            if i == selected {
                row.style(SELECTED)
            } else {
                row
            }
        })
        .collect();
    let widths = [
        Constraint::Length(26),
        Constraint::Min(18),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(16),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(18),
    ];
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Runs ")
        .title_bottom(" ↑↓ select · p pause/resume · c cancel · r re-run column · f re-run failed · d remove column · Esc close ");
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new("No enrichment columns yet: press a to add one.").block(block),
            rect,
        );
    } else {
        frame.render_widget(Table::new(rows, widths).header(header).block(block), rect);
    }
}
