//! Questions and problems: yes/no confirmations (quit, cancel, paid refresh) and the box
//! for a problem that stops work (e.g. the file is not valid in its encoding).

use super::component::{Component, Context, Draw, Outcome};
use super::intent::{ConfirmKind, Intent, Popup, PromptKind};
use super::popup::message_box;
use super::text::count;
use crate::sanitize;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;

/// A yes/no question; the box lists its keys.
pub struct Confirm {
    pub kind: ConfirmKind,
}

impl Component for Confirm {
    fn handle_key(&mut self, key: KeyEvent, _ctx: &Context) -> Outcome {
        let kind = self.kind.clone();
        let intent = match (&kind, key.code) {
            (ConfirmKind::QuitUnsaved, KeyCode::Char('y' | 's')) => Intent::Confirmed(kind),
            (ConfirmKind::QuitUnsaved, KeyCode::Char('n' | 'd')) => Intent::QuitNow,
            (ConfirmKind::QuitUnsaved, _) => Intent::Declined(kind),
            (ConfirmKind::ChangedOnDisk { .. }, KeyCode::Char('o')) => Intent::Confirmed(kind),
            (ConfirmKind::ChangedOnDisk { path }, KeyCode::Char('w')) => Intent::Open(
                Popup::Prompt(PromptKind::SaveAs, path.display().to_string()),
            ),
            (ConfirmKind::ChangedOnDisk { .. }, _) => Intent::Declined(kind),
            (_, KeyCode::Char('y')) => Intent::Confirmed(kind),
            _ => Intent::Declined(kind),
        };
        intent.into()
    }
}

impl Draw for Confirm {
    fn draw(&self, ctx: &Context, frame: &mut Frame, area: Rect) {
        match &self.kind {
            ConfirmKind::CancelColumn { ci } => {
                let Some(column) = ctx.enrich.columns.get(*ci) else {
                    return;
                };
                let body = format!(
                    "Cancel the {} queued and running cells of {}?\nCancelled cells show ⊘ and can be re-run (F).\n\ny: cancel this column\nEsc: let it go on",
                    column.counts.pending(),
                    column.integration.spec().name
                );
                message_box(frame, area, " Cancel column ", &body, "y / Esc");
            }
            ConfirmKind::Refresh { ci, rows } => {
                let Some(spec) = ctx.enrich.columns.get(*ci).map(|c| c.integration.spec()) else {
                    return;
                };
                let body = format!(
                    "Ask {} again for {} of {}, not the cache?\nEach is paid for again: about ${:.2}.\n\ny: refresh them\nEsc: keep the answers",
                    spec.provider.name(),
                    count(rows.len(), "selected row"),
                    spec.name,
                    spec.cost_per_row_usd * rows.len() as f64
                );
                message_box(frame, area, " Refresh ", &body, "y / Esc");
            }
            ConfirmKind::TrustProject(state) => message_box(
                frame,
                area,
                " Trust leadgrid.toml? ",
                &super::trust::question(state),
                "y / Esc",
            ),
            ConfirmKind::QuitRunning => message_box(
                frame,
                area,
                " Enrichment running ",
                "Cells are still queued or running.\n\ny: cancel them and quit (finished cells are kept)\nEsc: keep working",
                "y / Esc",
            ),
            ConfirmKind::CancelRun => message_box(
                frame,
                area,
                " Cancel run ",
                "Cancel every queued and running cell?\nCancelled cells show ⊘ and can be re-run (F).\n\ny: cancel the run\nEsc: let it go on",
                "y / Esc",
            ),
            ConfirmKind::UndoRunning { ci, undo } => {
                let Some(column) = ctx.enrich.columns.get(*ci) else {
                    return;
                };
                let body = format!(
                    "{} takes out {}, which is still running ({} queued or running).\n\ny: stop the run and remove the column\nEsc: keep it running",
                    if *undo { "Undo" } else { "Redo" },
                    column.integration.spec().name,
                    count(column.counts.pending(), "cell")
                );
                message_box(frame, area, " Enrichment running ", &body, "y / Esc");
            }
            ConfirmKind::ContinueUnfinished { ci } => {
                let Some(column) = ctx.enrich.columns.get(*ci) else {
                    return;
                };
                let body = format!(
                    "{} is back with {} (⊘ cancelled when it was taken out, or ✗ failed).\n\ny: continue them\nEsc: leave them (F re-runs unfinished cells later)",
                    column.integration.spec().name,
                    count(column.counts.unfinished(), "unfinished cell")
                );
                message_box(frame, area, " Continue the run? ", &body, "y / Esc");
            }
            ConfirmKind::ChangedOnDisk { path } => {
                let body = format!(
                    "{} changed on disk since it was opened or last saved\n(another program, or another leadgrid, wrote it).\n\no: overwrite it with this sheet\nw: save as another file\nEsc: cancel (nothing is saved)",
                    sanitize::for_display(&path.display().to_string())
                );
                message_box(frame, area, " File changed on disk ", &body, "o / w / Esc");
            }
            ConfirmKind::QuitUnsaved => message_box(
                frame,
                area,
                " Unsaved changes ",
                "This sheet has changes that are not saved.\n\ny: save, then quit\nn: quit without saving\nEsc: keep working",
                "y / n / Esc",
            ),
        }
    }
}

/// A problem that stops normal work until the user quits.
pub struct Fatal {
    pub problem: String,
}

impl Component for Fatal {
    fn handle_key(&mut self, key: KeyEvent, _ctx: &Context) -> Outcome {
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc | KeyCode::Enter => Intent::QuitNow.into(),
            _ if ctrl_c => Intent::QuitNow.into(),
            _ => Outcome::Consumed,
        }
    }
}

impl Draw for Fatal {
    fn draw(&self, _ctx: &Context, frame: &mut Frame, area: Rect) {
        message_box(frame, area, " Problem ", &self.problem, "q: quit");
    }
}
