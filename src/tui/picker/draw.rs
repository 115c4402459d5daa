//! Drawing the picker: the step's list on the left, the integration's details on the right.

use super::{Entry, NEW_AI, NEW_WATERFALL, Picker, Source, Step};
use crate::integrations::OutputKind;
use crate::integrations::http::def::HttpDef;
use crate::integrations::user::definition::KindDef;
use crate::providers::ProviderId;
use crate::sanitize;
use crate::tui::command;
use crate::tui::component::{Context, Draw};
use crate::tui::popup::{DIM, PROBLEM, SELECTED, TITLE, popup};
use crate::tui::scope::Scope;
use crate::tui::text::count;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// The demo's "nothing is charged".
const DEMO: Style = Style::new().fg(Color::Green);

impl Draw for Picker {
    fn draw(&self, ctx: &Context, frame: &mut Frame, area: Rect) {
        draw_picker(ctx, self, frame, area);
    }
}

/// The integration picker popup.
fn draw_picker(ctx: &Context, picker: &Picker, frame: &mut Frame, area: Rect) {
    let rect = popup(area, 110, area.height.saturating_sub(4).max(12));
    frame.render_widget(Clear, rect);
    if let (Step::Ai, Some(form)) = (picker.step, &picker.ai) {
        super::ai::draw::draw(ctx, form, picker.scopes.current, frame, rect);
        return;
    }
    if let (Step::Waterfall, Some(form)) = (picker.step, &picker.waterfall) {
        super::waterfall::draw::draw(form, frame, rect);
        return;
    }
    let (title, typing) = match picker.step {
        Step::Search => (
            " Add enrichment: 1/3 choose an integration ",
            "type to search · ",
        ),
        Step::Map => (" Add enrichment: 2/3 map inputs ", ""),
        Step::Outputs | Step::Ai | Step::Waterfall => {
            (" Add enrichment: 3/3 outputs and rows ", "")
        }
    };
    let hint = format!(" {typing}{} ", command::bar(picker.commands()));
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
            let entries = picker.entries();
            // Keep the selected line on screen.
            let room = (left.height as usize).saturating_sub(2).max(1);
            let first = picker.selected.saturating_sub(room - 1);
            for (i, entry) in entries.iter().enumerate().skip(first).take(room) {
                let style = if i == picker.selected {
                    SELECTED
                } else {
                    Style::new()
                };
                let line = match entry {
                    Entry::Integration(idx) => {
                        let Some(integration) = picker.integrations.get(*idx) else {
                            continue;
                        };
                        let spec = integration.spec();
                        let mut line = Line::styled(
                            format!(" {:<25} {:<9}", spec.name, spec.provider.name()),
                            style,
                        );
                        let no_key = integration
                            .providers()
                            .into_iter()
                            .any(|p| ctx.enrich.missing_keys.of(p).is_some())
                            || picker.unset_secret(spec.name).is_some();
                        if no_key {
                            line.push_span(Span::styled(" no key", PROBLEM));
                        }
                        line
                    }
                    Entry::NewAi => Line::styled(format!(" {NEW_AI}"), style.patch(TITLE)),
                    Entry::NewWaterfall => {
                        Line::styled(format!(" {NEW_WATERFALL}"), style.patch(TITLE))
                    }
                    Entry::Problem(p) => {
                        let name =
                            picker
                                .catalog
                                .problems()
                                .get(*p)
                                .map_or_else(String::new, |p| {
                                    p.path
                                        .file_name()
                                        .map(|f| f.to_string_lossy().into_owned())
                                        .unwrap_or_default()
                                });
                        Line::styled(
                            format!(" ✗ {} (not loaded)", sanitize::for_display(&name)),
                            style.patch(PROBLEM),
                        )
                    }
                };
                lines.push(line);
            }
            if entries.is_empty() {
                lines.push(Line::styled(" no integration matches", DIM));
            }
            frame.render_widget(Paragraph::new(lines), left);
            let x = left.x + 8 + picker.query.visual_cursor() as u16;
            frame.set_cursor_position(ratatui::layout::Position::new(
                x.min(left.right().saturating_sub(1)),
                left.y,
            ));
        }
        Step::Map => draw_mapping(ctx, picker, frame, left),
        Step::Outputs | Step::Ai | Step::Waterfall => draw_outputs(ctx, picker, frame, left),
    }
    draw_details(ctx, picker, frame, right);
}

fn draw_details(ctx: &Context, picker: &Picker, frame: &mut Frame, area: Rect) {
    let Some(spec) = picker.spec() else {
        draw_extra_details(picker, frame, area);
        return;
    };
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
            Span::raw(format!(
                "~{} per row",
                crate::providers::format_usd(spec.cost_per_row_usd)
            )),
        ]),
        Line::from(vec![
            Span::styled("tools    ", DIM),
            Span::raw(spec.tools.join(", ")),
        ]),
        match picker.catalog.definition(spec.name).map(|d| &d.kind) {
            Some(KindDef::Http(http)) => own_key_line(ctx, picker, spec.name, http),
            _ => key_line(ctx, spec.provider),
        },
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
            "  {} ({req}){}",
            input.name,
            described(input.description)
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("outputs", TITLE));
    for output in spec.outputs {
        lines.push(Line::raw(format!(
            "  {} ({}){}",
            output.name,
            kind_label(output.kind),
            described(output.description)
        )));
    }
    if let Some(def) = picker.catalog.definition(spec.name)
        && picker.step == Step::Search
    {
        let note = if def.kind_name() == "ai" {
            "an AI column: Ctrl-e edits its prompt and outputs".to_string()
        } else if def.kind_name() == "waterfall" {
            "a waterfall: Ctrl-e edits its steps".to_string()
        } else {
            let file = if picker.catalog.is_projects(spec.name) {
                "defined in leadgrid.toml"
            } else if picker.catalog.is_users(spec.name) {
                "defined in integrations.d"
            } else {
                "shipped with leadgrid"
            };
            format!(
                "{file}: sends rows to {}",
                crate::integrations::user::project::destination(def)
            )
        };
        lines.push(Line::raw(""));
        lines.push(Line::styled(sanitize::for_display(&note).into_owned(), DIM));
    }
    if let Some(notice) = &picker.notice {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            sanitize::for_display(notice).into_owned(),
            TITLE,
        ));
    }
    if let Some(problem) = &picker.problem {
        lines.push(Line::raw(""));
        // An expression's error is three lines: the source, a caret under the place, why.
        for line in problem.lines() {
            lines.push(Line::styled(line.to_string(), PROBLEM));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// Whether the integration's provider has its key: not needed, set, free in the demo, or
/// which variable is missing.
fn key_line(ctx: &Context, provider: ProviderId) -> Line<'static> {
    let (text, style) = match (provider.key_env(), ctx.enrich.missing_keys.of(provider)) {
        (None, _) => (
            "none needed (runs on this machine)".to_string(),
            Style::new(),
        ),
        (Some(_), _) if ctx.enrich.demo => ("not needed: demo server".to_string(), Style::new()),
        (Some(var), None) => (format!("{var} (set)"), Style::new()),
        (Some(_), Some(var)) => (format!("{var} is not set: needed to run this"), PROBLEM),
    };
    Line::from(vec![
        Span::styled("API key  ", DIM),
        Span::styled(text, style),
    ])
}

/// The secrets a user's http integration reads (`{{env.NAME}}`): set, or which is missing.
fn own_key_line(ctx: &Context, picker: &Picker, name: &str, http: &HttpDef) -> Line<'static> {
    let vars = http.env_vars();
    let (text, style) = match picker.unset_secret(name).map(|(var, _)| var) {
        _ if ctx.enrich.demo => ("not called with --demo".to_string(), PROBLEM),
        _ if vars.is_empty() => ("none named in its file".to_string(), Style::new()),
        Some(var) => (format!("{var} is not set: needed to run this"), PROBLEM),
        None => (format!("{} (set)", vars.join(", ")), Style::new()),
    };
    Line::from(vec![
        Span::styled("API key  ", DIM),
        Span::styled(text, style),
    ])
}

/// What the "AI column…" line and a file that did not load say about themselves.
fn draw_extra_details(picker: &Picker, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    match picker.entries().get(picker.selected) {
        Some(Entry::NewAi) => {
            lines.push(Line::styled("AI column", TITLE));
            lines.push(Line::raw(
                "Write a prompt that reads the row's columns ({{company}}), declare the columns \
                 the answer fills (text, number, integer, bool, date, url, url list, enum), \
                 research the web first or not, and pick the model. A dry run on the row under \
                 the cursor shows the prompt, the answer and the parsed fields before you run \
                 it; it is saved in integrations.d/ so `leadgrid run -i NAME` runs it too.",
            ));
        }
        Some(Entry::NewWaterfall) => {
            lines.push(Line::styled("Waterfall", TITLE));
            lines.push(Line::raw(
                "Fill one column from an ordered list of steps, each an integration's output \
                 with a validator (email syntax, verified by Hunter, URL host, number range, \
                 not empty): the first valid answer wins and later steps are never called for \
                 that row. See the cost per row as a range before saving it in integrations.d/, \
                 so `leadgrid run -i NAME` runs it too.",
            ));
        }
        Some(Entry::Problem(i)) => {
            if let Some(problem) = picker.catalog.problems().get(*i) {
                lines.push(Line::styled("not loaded", PROBLEM));
                lines.push(Line::raw(
                    sanitize::for_display(&problem.path.display().to_string()).into_owned(),
                ));
                lines.push(Line::raw(""));
                lines.push(Line::raw(
                    sanitize::for_display(&problem.error).into_owned(),
                ));
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    "the other integrations are unaffected; fix the file and reopen the picker",
                    DIM,
                ));
            }
        }
        _ => {}
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The budget being typed, or the one set and what it means beside the estimate: it covers
/// the worst case, only the best case, or the run may stop before the end.
fn budget_line(picker: &Picker, cost: &crate::plan::estimate::Cost) -> Option<Line<'static>> {
    if let Some(input) = &picker.budget_input {
        return Some(Line::from(vec![
            Span::styled("budget $", TITLE),
            Span::raw(input.value().to_string()),
            Span::styled("  (Enter sets, empty for none, Esc keeps)", DIM),
        ]));
    }
    let budget = picker.budget?;
    let best = cost.usd.unwrap_or(0.0);
    let worst = cost.usd_max.unwrap_or(best);
    let verdict = if budget + 1e-9 >= worst {
        "covers the worst case".to_string()
    } else if budget + 1e-9 >= best {
        format!("covers the best case, not every step (${worst:.2}): may stop before the end")
    } else {
        format!(
            "less than the estimate: may stop after about {} of the rows, the rest left $ budget",
            share(budget, best)
        )
    };
    let style = if budget + 1e-9 >= worst {
        Style::new()
    } else {
        PROBLEM
    };
    Some(Line::from(vec![
        Span::styled(format!("budget ${budget:.2}: "), TITLE),
        Span::styled(verdict, style),
    ]))
}

/// `40%`: how much of `whole` a budget of `part` pays for.
fn share(part: f64, whole: f64) -> String {
    if whole <= 0.0 {
        return "all".to_string();
    }
    format!("{:.0}%", (part / whole * 100.0).clamp(0.0, 100.0))
}

/// `12,400`: a count with thousands separated.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
        OutputKind::Enum(_) => "choice",
    }
}

fn draw_mapping(ctx: &Context, picker: &Picker, frame: &mut Frame, area: Rect) {
    let Some(spec) = picker.spec() else { return };
    let mut lines = vec![
        Line::styled("input            ← from", TITLE),
        Line::raw(""),
    ];
    for (i, (input, source)) in spec.inputs.iter().zip(&picker.sources).enumerate() {
        let shown = match source {
            Source::Column(c) => ctx
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

fn draw_outputs(ctx: &Context, picker: &Picker, frame: &mut Frame, area: Rect) {
    let Some(integration) = picker.current() else {
        return;
    };
    let spec = integration.spec();
    let mut lines = vec![Line::styled("columns to add", TITLE)];
    for (i, (output, on)) in spec.outputs.iter().zip(&picker.outputs).enumerate() {
        let style = if i == picker.output_cursor {
            SELECTED
        } else {
            Style::new()
        };
        let exists = ctx.sheet.columns().iter().any(|c| c.name == output.name);
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
    lines.push(match (&picker.condition_input, &picker.condition) {
        (Some(input), _) => Line::from(vec![
            Span::styled("only run if: ", TITLE),
            Span::styled(format!("{}▏", input.value()), SELECTED),
        ]),
        (None, Some(c)) => Line::from(vec![
            Span::styled("only run if: ", TITLE),
            Span::raw(c.source.clone()),
        ]),
        (None, None) => Line::styled("only run if: every row (i sets a condition)", DIM),
    });
    let scope_rows = picker.scopes.count(picker.scope, ctx.sheet.row_count());
    // Until counted, every row in scope is assumed paid; a partial count (the first rows
    // of a large scope) is scaled to the whole scope.
    let counted = picker.cache_estimate.unwrap_or_default();
    let cost = counted.cost(integration.as_ref(), scope_rows);
    let exact = counted.complete;
    let upto = if matches!(picker.scope, Scope::EmptyOrFailed) && !exact {
        "up to "
    } else {
        ""
    };
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "{upto}{} · {upto}{} · {}{}",
            count(cost.rows, "row"),
            cost.calls_text(),
            cost.usd_text()
                .unwrap_or_else(|| "cost unknown (no price for the model)".to_string()),
            if cost.is_range() {
                " (first step answers – every step tried)"
            } else {
                ""
            }
        ),
        TITLE,
    ));
    if ctx.enrich.demo
        && let Some(usd) = cost.usd_max.filter(|usd| *usd > 0.0)
    {
        // The estimate is what real keys would cost, so it can be practised; nothing is paid.
        let real = cost.usd_text().unwrap_or_else(|| format!("${usd:.2}"));
        lines.push(Line::styled(
            format!(
                "demo: nothing is charged (real keys: {})",
                real.trim_start_matches("est. ")
            ),
            DEMO,
        ));
    }
    if let Some(line) = budget_line(picker, &cost) {
        lines.push(line);
    }
    if let Some(usage) = cost.usage {
        // Integrations billed by usage (AI columns) estimate each row from its own prompt.
        lines.push(Line::raw(format!(
            "~{} tokens in, ~{} out (from each row's prompt)",
            thousands(usage.input_tokens),
            thousands(usage.output_tokens)
        )));
    }
    if cost.unmet > 0 {
        lines.push(Line::raw(format!(
            "{}{} where the condition does not hold: skipped, not paid",
            if exact { "" } else { "~" },
            count(cost.unmet, "row"),
        )));
    }
    if cost.missing > 0 {
        let required: Vec<&str> = spec
            .inputs
            .iter()
            .filter(|i| i.required)
            .map(|i| i.name)
            .collect();
        lines.push(Line::raw(format!(
            "{}{} without {}: skipped, not paid",
            if exact { "" } else { "~" },
            count(cost.missing, "row"),
            required.join(" or ")
        )));
    }
    match picker.cache_estimate {
        Some(e) if e.checked > 0 && e.complete => lines.push(Line::raw(format!(
            "{} rows answered from the cache (free)",
            e.cached
        ))),
        Some(e) if e.checked > 0 => lines.push(Line::raw(format!(
            "~{} rows answered from the cache (free; {} of the first {} rows)",
            cost.cached, e.cached, e.rows
        ))),
        None if picker.estimate_generation > 0 => {
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

/// `: what it is`, or nothing when there is no description.
fn described(description: &str) -> String {
    if description.is_empty() {
        String::new()
    } else {
        format!(": {description}")
    }
}
