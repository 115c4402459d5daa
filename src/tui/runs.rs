//! The runs panel: one line per enrichment (inputs, counts, calls, latency, cost, status),
//! where a column is paused, cancelled, re-run or removed.

use super::command::{self, Command, Group, bar_cmd, code, k};
use super::component::{Component, Context, Draw, Outcome};
use super::enrich::InputSource;
use super::intent::{ConfirmKind, Intent, Popup, PromptKind};
use super::message::Message;
use super::popup::{DIM, SELECTED, TITLE, popup};
use super::text::format_eta;
use crate::engine::breaker::ProviderNotice;
use crate::providers::{ProviderId, Usage};
use crate::sanitize;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Something the user asked of the runs panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunsAction {
    Up,
    Down,
    Pause,
    Cancel,
    Rerun,
    RerunUnfinished,
    Budget,
    Condition,
    Remove,
    Close,
}

/// The runs panel's keys; any other key closes it too.
pub static COMMANDS: &[Command<RunsAction>] = &[
    bar_cmd(
        RunsAction::Up,
        &[code(KeyCode::Up), k('k')],
        Group::Runs,
        "previous column",
        "select",
    ),
    bar_cmd(
        RunsAction::Down,
        &[code(KeyCode::Down), k('j')],
        Group::Runs,
        "next column",
        "select",
    ),
    bar_cmd(
        RunsAction::Pause,
        &[k('p')],
        Group::Runs,
        "pause the column (queued cells wait) or resume it",
        "pause/resume",
    ),
    bar_cmd(
        RunsAction::Cancel,
        &[k('c')],
        Group::Runs,
        "cancel the column's queued and running cells (asks)",
        "cancel",
    ),
    bar_cmd(
        RunsAction::Rerun,
        &[k('r')],
        Group::Runs,
        "re-run the column",
        "re-run column",
    ),
    bar_cmd(
        RunsAction::RerunUnfinished,
        &[k('f')],
        Group::Runs,
        "re-run the column's unfinished cells (failed, cancelled or over budget)",
        "re-run unfinished",
    ),
    bar_cmd(
        RunsAction::Budget,
        &[k('b')],
        Group::Runs,
        "set or raise the column's budget in dollars (f then runs what it stopped)",
        "budget",
    ),
    bar_cmd(
        RunsAction::Condition,
        &[k('i')],
        Group::Runs,
        "only run if: set, change or clear the column's condition (r then re-runs it)",
        "only if",
    ),
    bar_cmd(
        RunsAction::Remove,
        &[k('d')],
        Group::Runs,
        "remove the column and its cells (u brings them back)",
        "remove column",
    ),
    bar_cmd(
        RunsAction::Close,
        &[code(KeyCode::Esc)],
        Group::Runs,
        "close (so does any other key)",
        "close",
    ),
];

/// The runs panel's state: which enrichment is highlighted.
pub struct RunsPanel {
    pub selected: usize,
}

impl Component for RunsPanel {
    fn handle_key(&mut self, key: KeyEvent, ctx: &Context) -> Outcome {
        let ci = self.selected;
        let intent = match command::find(COMMANDS, &key) {
            Some(RunsAction::Down) => {
                self.selected = (ci + 1).min(ctx.enrich.columns.len().saturating_sub(1));
                return Outcome::Consumed;
            }
            Some(RunsAction::Up) => {
                self.selected = ci.saturating_sub(1);
                return Outcome::Consumed;
            }
            Some(RunsAction::Pause) => Intent::TogglePause(ci),
            Some(RunsAction::Cancel) => {
                if ctx.enrich.is_column_running(ci) {
                    Intent::Open(Popup::Confirm(ConfirmKind::CancelColumn { ci }))
                } else {
                    Intent::Notify(Message::info("nothing of this column is queued or running"))
                }
            }
            Some(RunsAction::Rerun) => Intent::RerunColumn {
                ci,
                unfinished_only: false,
            },
            Some(RunsAction::RerunUnfinished) => Intent::RerunColumn {
                ci,
                unfinished_only: true,
            },
            Some(RunsAction::Budget) => match ctx.enrich.columns.get(ci) {
                Some(column) => Intent::Open(Popup::Prompt(
                    PromptKind::Budget { ci },
                    column
                        .budget_usd()
                        .map_or_else(String::new, |usd| format!("{usd:.2}")),
                )),
                None => Intent::Notify(Message::info("no enrichment column to budget")),
            },
            Some(RunsAction::Condition) => match ctx.enrich.columns.get(ci) {
                Some(column) => Intent::Open(Popup::Prompt(
                    PromptKind::Condition { ci },
                    column
                        .condition
                        .as_ref()
                        .map_or_else(String::new, |c| c.source.clone()),
                )),
                None => Intent::Notify(Message::info("no enrichment column to condition")),
            },
            Some(RunsAction::Remove) => {
                self.selected = ci.saturating_sub(1);
                Intent::RemoveEnrichment(ci)
            }
            Some(RunsAction::Close) | None => Intent::Close,
        };
        intent.into()
    }
}

impl Draw for RunsPanel {
    fn draw(&self, ctx: &Context, frame: &mut Frame, area: Rect) {
        draw_runs(ctx, frame, area, self.selected);
    }
}

/// The runs panel: one line per enrichment column.
fn draw_runs(ctx: &Context, frame: &mut Frame, area: Rect, selected: usize) {
    let rect = popup(
        area,
        area.width.saturating_sub(4),
        (ctx.enrich.columns.len() as u16 + 7).max(8),
    );
    frame.render_widget(Clear, rect);
    let header = Row::new([
        "integration",
        "inputs",
        "done",
        "no data",
        "failed",
        "skipped",
        "cancelled",
        "pending",
        "calls",
        "avg ms",
        "$ spent/budget",
        "status",
    ])
    .style(TITLE);
    let rows: Vec<Row> = ctx
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
                    InputSource::Column(id) => match ctx.sheet.column_index(*id) {
                        Some(col) => format!(
                            "{}←{}",
                            input.name,
                            sanitize::for_display(&ctx.sheet.columns()[col].display)
                        ),
                        None => format!("{}←(deleted column)", input.name),
                    },
                    InputSource::Constant(v) => {
                        format!("{}=\"{}\"", input.name, sanitize::for_display(v))
                    }
                    InputSource::Unmapped => format!("{}←?", input.name),
                })
                .collect();
            let n = c.counts;
            let finished_calls = c.attempts.max(1);
            let health = ctx.enrich.provider_health.get(&spec.provider);
            let status = if let Some(stop) = &c.stopped {
                format!("stopped: {stop}")
            } else if let Some(ProviderNotice::Paused { provider, .. }) = health {
                format!("{provider} failing: probing")
            } else if let Some(ProviderNotice::Down { provider, .. }) = health {
                format!("{provider} down: failing fast")
            } else if c.paused {
                "paused".to_string()
            } else if n.budget > 0 && n.pending() == 0 {
                format!("$ budget: {} left (b raises)", n.budget)
            } else if n.pending() > 0 {
                match c.rate.eta_secs(n.pending()) {
                    Some(eta) => format!("running, ETA {}", format_eta(eta)),
                    None => "running".to_string(),
                }
            } else {
                "idle".to_string()
            };
            let spend = c.spend();
            let tokens = if c.spent.has_tokens() {
                format!(
                    " · {}k tok",
                    (c.spent.input_tokens + c.spent.output_tokens).div_ceil(1000)
                )
            } else {
                String::new()
            };
            let row = Row::new(vec![
                spec.name.to_string(),
                inputs.join(" "),
                n.done.to_string(),
                n.no_data.to_string(),
                n.failed.to_string(),
                n.skipped.to_string(),
                n.cancelled.to_string(),
                n.pending().to_string(),
                format!("{} (+{} reused)", spend.calls, spend.reused),
                (c.latency_ms / finished_calls).to_string(),
                spent_text(spend.cost_usd, c.budget_usd(), &tokens),
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
        Constraint::Length(24),
        Constraint::Min(18),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Length(15),
        Constraint::Length(6),
        Constraint::Length(15),
        Constraint::Length(16),
    ];
    // The same totals as the status bar's, from the same figures.
    let total = ctx.enrich.spend();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Runs ")
        .title(
            Line::from(format!(
                " total: {} calls, {} reused (${:.2} saved), est. ${:.2} ",
                total.calls, total.reused, total.saved_usd, total.cost_usd
            ))
            .right_aligned(),
        )
        .title_bottom(format!(" {} ", command::bar(COMMANDS)));
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new("No enrichment columns yet: press a to add one.").block(block),
            rect,
        );
        return;
    }
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [table, providers] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Table::new(rows, widths).header(header), table);
    frame.render_widget(Paragraph::new(provider_line(ctx)), providers);
}

/// `$0.34 / $5.00 · 12k tok`: what a column spent, beside its budget when it has one.
fn spent_text(spent: f64, budget: Option<f64>, tokens: &str) -> String {
    match budget {
        Some(limit) => format!("${spent:.2} / ${limit:.2}{tokens}"),
        None => format!("{spent:.2}{tokens}"),
    }
}

/// `by provider: apollo $0.12 · hunter $0.05`: what the calls reported spending, summed over
/// every column by the provider they went to.
fn provider_line(ctx: &Context) -> Line<'static> {
    let mut by_provider = BTreeMap::<ProviderId, Usage>::new();
    for column in &ctx.enrich.columns {
        for (provider, usage) in &column.spent_by_provider {
            by_provider.entry(*provider).or_default().add(usage);
        }
    }
    let parts: Vec<String> = by_provider
        .iter()
        .map(|(provider, usage)| {
            let usd = usage
                .usd
                .map_or_else(|| "no price".to_string(), |usd| format!("${usd:.2}"));
            format!("{} {usd}", provider.name())
        })
        .collect();
    if parts.is_empty() {
        Line::styled("by provider: no call reported a cost yet", DIM)
    } else {
        Line::from(vec![
            Span::styled("by provider: ", DIM),
            Span::raw(parts.join(" · ")),
        ])
    }
}
