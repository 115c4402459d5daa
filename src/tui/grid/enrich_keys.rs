//! The grid's enrichment commands: they act on the cell or rows under the cursor (re-run,
//! refresh, inspect) or move through failed cells.

use super::{Grid, RowFilter};
use crate::tui::action::{Action, key_label};
use crate::tui::component::{Context, Outcome};
use crate::tui::intent::{ConfirmKind, Intent, Popup};
use crate::tui::message::Message;
use std::sync::Arc;

impl Grid {
    /// The grid's enrichment commands: on the cell or rows under the cursor.
    pub(super) fn enrich_action(&mut self, action: Action, ctx: &Context) -> Outcome {
        let (sheet, enrich) = (ctx.sheet, ctx.enrich);
        if enrich.engine.is_none() {
            return Intent::Notify(Message::error(
                "enrichment is not available: its engine did not start",
            ))
            .into();
        }
        let at_cursor = self
            .current_col(sheet)
            .and_then(|c| enrich.at_column(sheet, c))
            .map(|(ci, _)| ci);
        let not_enrichment = || {
            Intent::Notify(Message::error(
                "not an enrichment cell: move to a column marked ✦",
            ))
        };
        let intent = match action {
            Action::AddEnrichment => Intent::Open(Popup::Picker(self.scopes(sheet))),
            Action::Inspect => {
                let cell = self.current_row(sheet).zip(self.current_col(sheet));
                match cell.and_then(|(r, c)| Some((enrich.cell_at(sheet, r, c)?, sheet.row_id(r)?)))
                {
                    Some(((column, _), row)) => Intent::Inspect {
                        column: column.id,
                        row,
                    },
                    None => not_enrichment(),
                }
            }
            Action::NextFailed | Action::PrevFailed => {
                return self.jump_to_failed(ctx, action == Action::NextFailed);
            }
            Action::FailedOnly => {
                let rows = enrich.failed_rows(sheet);
                if rows.is_empty() {
                    Intent::Notify(Message::info("no failed cells"))
                } else {
                    let filter = RowFilter::Rows {
                        rows: Arc::new(
                            rows.iter()
                                .filter_map(|&r| sheet.row_id(r as usize))
                                .collect(),
                        ),
                        label: "rows with failed cells".to_string(),
                    };
                    self.set_filter(filter, ctx);
                    return Outcome::Consumed;
                }
            }
            Action::RerunCell | Action::RerunRow => {
                let rows = self.rows_to_act_on(sheet);
                if rows.is_empty() {
                    return Outcome::Consumed;
                }
                let columns: Vec<usize> = match (action, at_cursor) {
                    (Action::RerunRow, _) => (0..enrich.columns.len()).collect(),
                    (_, Some(ci)) => vec![ci],
                    (_, None) => {
                        return Intent::Notify(Message::error(format!(
                            "not an enrichment cell ({} re-runs the whole row)",
                            key_label(Action::RerunRow)
                        )))
                        .into();
                    }
                };
                if columns.is_empty() {
                    Intent::Notify(Message::error("this sheet has no enrichment columns"))
                } else {
                    Intent::Rerun { columns, rows }
                }
            }
            Action::RefreshCell => match at_cursor {
                Some(ci) => {
                    let rows = self.rows_to_act_on(sheet);
                    if rows.len() > 1 {
                        Intent::Open(Popup::Confirm(ConfirmKind::Refresh { ci, rows }))
                    } else {
                        Intent::Refresh { ci, rows }
                    }
                }
                None => not_enrichment(),
            },
            Action::RerunColumn => match at_cursor {
                Some(ci) => Intent::RerunColumn {
                    ci,
                    unfinished_only: false,
                },
                None => Intent::Notify(Message::error("not an enrichment column")),
            },
            Action::RerunUnfinished => Intent::RerunUnfinished,
            Action::CancelRun if enrich.is_running() => {
                Intent::Open(Popup::Confirm(ConfirmKind::CancelRun))
            }
            Action::CancelRun => Intent::Notify(Message::info("nothing is running")),
            _ => Intent::Open(Popup::Runs { selected: 0 }),
        };
        intent.into()
    }

    /// Moves to the next or previous failed enrichment cell in view order.
    fn jump_to_failed(&mut self, ctx: &Context, forward: bool) -> Outcome {
        let (sheet, enrich) = (ctx.sheet, ctx.enrich);
        let columns: Vec<(usize, usize)> = self
            .visible_columns(sheet)
            .iter()
            .enumerate()
            .filter_map(|(vi, &c)| enrich.at_column(sheet, c).map(|(ci, _)| (vi, ci)))
            .collect();
        if columns.is_empty() || enrich.totals().failed == 0 {
            return Intent::Notify(Message::info("no failed cells")).into();
        }
        let here = (self.cursor_row, self.cursor_col);
        let is_failed = |v: usize, ci: usize| {
            self.row_at(sheet, v)
                .is_some_and(|r| enrich.is_failed(sheet, r, ci))
        };
        if let Some((r, c)) = next_failed(self.view_rows(sheet), here, forward, &columns, is_failed)
        {
            self.cursor_row = r;
            self.cursor_col = c;
        }
        Outcome::Consumed
    }
}

/// The next (or previous) failed cell from `here` (view row, visible column): later columns
/// of the same row first, then the following rows, wrapping around.
///
/// `columns` lists the enrichment columns on screen as (visible column, enrichment index);
/// `is_failed(view row, enrichment index)` says whether that cell failed.
fn next_failed(
    rows: usize,
    here: (usize, usize),
    forward: bool,
    columns: &[(usize, usize)],
    is_failed: impl Fn(usize, usize) -> bool,
) -> Option<(usize, usize)> {
    let in_row = |v: usize| {
        columns
            .iter()
            .filter(|&&(_, ci)| is_failed(v, ci))
            .map(|&(vi, _)| (v, vi))
            .collect::<Vec<_>>()
    };
    let pick = |hits: Vec<(usize, usize)>| {
        if forward {
            hits.first().copied()
        } else {
            hits.last().copied()
        }
    };
    let same_row: Vec<(usize, usize)> = in_row(here.0)
        .into_iter()
        .filter(|&(_, vi)| if forward { vi > here.1 } else { vi < here.1 })
        .collect();
    if let Some(hit) = pick(same_row) {
        return Some(hit);
    }
    let n = rows.max(1);
    (1..=rows).find_map(|step| {
        let v = if forward {
            (here.0 + step) % n
        } else {
            (here.0 + rows - step % n) % n
        };
        pick(in_row(v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_cells_are_found_forward_and_back_wrapping_around() {
        // Failed: view row 1 in enrichment 0 (visible column 4), row 3 in both.
        let failed = |v: usize, ci: usize| matches!((v, ci), (1, 0) | (3, 0) | (3, 1));
        let columns = [(4, 0), (6, 1)];
        assert_eq!(next_failed(5, (0, 0), true, &columns, failed), Some((1, 4)));
        assert_eq!(next_failed(5, (3, 4), true, &columns, failed), Some((3, 6)));
        assert_eq!(next_failed(5, (3, 6), true, &columns, failed), Some((1, 4)));
        assert_eq!(
            next_failed(5, (1, 4), false, &columns, failed),
            Some((3, 6))
        );
        assert_eq!(next_failed(5, (0, 0), true, &columns, |_, _| false), None);
    }
}
