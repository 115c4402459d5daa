//! Formula columns: a named column whose every cell is an expression of the row, computed
//! locally on a worker over a snapshot and kept up to date as cells change (only the rows
//! whose inputs changed are computed again). The values live in the sheet like any other
//! cell, so they show, sort, filter, feed enrichments and are saved as values; the
//! definitions are saved with the store (see `tui::persist`) and adding or removing one is
//! one undo step. No keys and no drawing here.

pub mod compute;

use super::bound::Bound;
use super::enrich::{OnWrite, StructureHistory};
use super::event::{AppEvent, WorkerResult, spawn_worker};
use super::message::Message;
use super::withheld::Withheld;
use crate::expr::EvalCtx;
use crate::table::{Changes, ColumnId, RowId, Sheet};
use compute::{Computation, Finished};
use std::collections::HashSet;
use std::sync::mpsc::Sender;

/// One formula column.
#[derive(Debug, Clone)]
pub struct Formula {
    /// Its identity among the formulas.
    pub id: u32,
    /// The expression, bound to the columns it reads.
    pub bound: Bound,
    /// The column it fills.
    pub column: ColumnId,
    /// Rows the last computation could not compute, and why the first one failed.
    pub errors: usize,
    pub first_error: Option<String>,
}

/// Rows to compute: some, or every row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Dirty {
    Rows(HashSet<RowId>),
    All,
}

impl Dirty {
    fn merge(&mut self, other: Dirty) {
        match (&mut *self, other) {
            (Dirty::Rows(a), Dirty::Rows(b)) => a.extend(b),
            _ => *self = Dirty::All,
        }
    }
}

/// A formula's background work: one computation running, and at most one waiting (the
/// rows that changed meanwhile), so results are applied in the order they were asked for.
#[derive(Debug, Default)]
struct Work {
    running: Option<u64>,
    waiting: Option<Dirty>,
}

/// Every formula column of the sheet.
#[derive(Default)]
pub struct Formulas {
    pub list: Vec<Formula>,
    work: std::collections::HashMap<u32, Work>,
    history: StructureHistory<Formula>,
    next_id: u32,
    next_job: u64,
    /// Formulas were added, edited or removed since the definitions were last saved.
    definitions_changed: bool,
}

impl Formulas {
    /// The formula filling sheet column `col`.
    pub fn at_column(&self, sheet: &Sheet, col: usize) -> Option<usize> {
        let id = sheet.columns().get(col)?.id;
        self.list.iter().position(|f| f.column == id)
    }

    /// Whether any formula is being computed.
    pub fn is_busy(&self) -> bool {
        self.work.values().any(|w| w.running.is_some())
    }

    /// Whether the definitions changed since the last call (so they are saved again).
    pub fn take_definitions_changed(&mut self) -> bool {
        std::mem::take(&mut self.definitions_changed)
    }

    /// Adds formula `bound` as a new column `name` at `at` (one undo step) and computes it
    /// on a worker. Returns the column's index.
    pub fn add(
        &mut self,
        sheet: &mut Sheet,
        name: String,
        bound: Bound,
        at: usize,
        withheld: Withheld,
        tx: &Sender<AppEvent>,
    ) -> usize {
        let before = sheet.undo_depth();
        let col = sheet.insert_column(at, name);
        let column = sheet.columns()[col].id;
        self.bring_back(bound, column, (before, sheet.undo_depth()));
        self.compute(sheet, self.list.len() - 1, Dirty::All, withheld, tx);
        col
    }

    /// Adds formula `bound` filling existing column `column`, tied to the undo step that took
    /// the sheet from undo depth `steps.0` to `steps.1` (none when they are equal: a column
    /// restored from the file). [`Formulas::recompute_all`] computes it.
    pub fn bring_back(&mut self, bound: Bound, column: ColumnId, steps: (usize, usize)) {
        let id = self.next_id;
        self.next_id += 1;
        self.list.push(Formula {
            id,
            bound,
            column,
            errors: 0,
            first_error: None,
        });
        self.history.record(steps.0, steps.1, id, None);
        self.definitions_changed = true;
    }

    /// Computes every row of every formula again (e.g. once restored).
    pub fn recompute_all(&mut self, sheet: &Sheet, withheld: &Withheld, tx: &Sender<AppEvent>) {
        for fi in 0..self.list.len() {
            self.compute(sheet, fi, Dirty::All, withheld.clone(), tx);
        }
    }

    /// Gives formula `fi` a new expression and computes every row again. `steps` is the
    /// sheet's undo step that came with it (the rename, or [`Sheet::record_step`]): undoing it
    /// brings the old expression back, as a formula taken out and another put back.
    pub fn replace(
        &mut self,
        sheet: &Sheet,
        fi: usize,
        bound: Bound,
        steps: (usize, usize),
        withheld: Withheld,
        tx: &Sender<AppEvent>,
    ) {
        if fi >= self.list.len() {
            return;
        }
        let old = self.list.remove(fi);
        self.work.remove(&old.id);
        let column = old.column;
        self.history.record(steps.0, steps.1, old.id, Some(old));
        self.bring_back(bound, column, steps);
        self.compute(sheet, self.list.len() - 1, Dirty::All, withheld, tx);
    }

    /// Removes formula `fi` and deletes its column (one undo step brings both back).
    pub fn remove(&mut self, sheet: &mut Sheet, fi: usize) {
        if fi >= self.list.len() {
            return;
        }
        let formula = self.list.remove(fi);
        self.work.remove(&formula.id);
        let before = sheet.undo_depth();
        if let Some(col) = sheet.column_index(formula.column) {
            sheet.delete_column(col);
        }
        self.history
            .record(before, sheet.undo_depth(), formula.id, Some(formula));
        self.definitions_changed = true;
    }

    /// Call before the sheet undoes (redoes) a step: a new edit since the last undo cut the
    /// redo steps off, and the formulas' go with them.
    pub fn before_undo(&mut self, sheet: &Sheet) {
        if sheet.redo_depth() == 0 {
            self.history.cut_redo();
        }
    }

    /// After the sheet undid (redid) a step: formulas added or removed by it are taken out
    /// or brought back; ones brought back are computed again (their inputs may have
    /// changed while they were out).
    pub fn after_undo(&mut self, sheet: &Sheet, withheld: &Withheld, tx: &Sender<AppEvent>) {
        let (list, work) = (&mut self.list, &mut self.work);
        let mut back = Vec::new();
        let changed = self.history.sync(sheet.undo_depth(), |id, stash, present| {
            if present {
                list.extend(stash.take());
                back.push(id);
            } else if let Some(i) = list.iter().position(|f| f.id == id) {
                work.remove(&id);
                *stash = Some(list.remove(i));
            }
        });
        self.definitions_changed |= changed;
        for id in back {
            if let Some(fi) = self.list.iter().position(|f| f.id == id) {
                self.compute(sheet, fi, Dirty::All, withheld.clone(), tx);
            }
        }
    }

    /// Computes again, on workers, the rows of each formula whose inputs changed.
    /// `withheld` says which enrichment cells show a state, asked only when a formula must
    /// compute.
    pub fn changed(
        &mut self,
        sheet: &Sheet,
        changes: &Changes,
        withheld: impl FnOnce() -> Withheld,
        tx: &Sender<AppEvent>,
    ) {
        if changes.is_empty() {
            return;
        }
        let mut withheld = Some(withheld);
        let mut shown = Withheld::none();
        for fi in 0..self.list.len() {
            // Not its own column: what it writes there is the result, not a new input.
            let dirty = match changes.rows_in(&self.list[fi].bound.reads()) {
                None => Dirty::All,
                Some(rows) if rows.is_empty() => continue,
                Some(rows) => Dirty::Rows(rows),
            };
            if let Some(ask) = withheld.take() {
                shown = ask();
            }
            self.compute(sheet, fi, dirty, shown.clone(), tx);
        }
    }

    /// Computes `dirty` rows of formula `fi` on a worker, or queues them behind the
    /// computation already running.
    fn compute(
        &mut self,
        sheet: &Sheet,
        fi: usize,
        dirty: Dirty,
        withheld: Withheld,
        tx: &Sender<AppEvent>,
    ) {
        let Some(f) = self.list.get(fi) else {
            return;
        };
        let work = self.work.entry(f.id).or_default();
        if work.running.is_some() {
            match &mut work.waiting {
                Some(waiting) => waiting.merge(dirty),
                None => work.waiting = Some(dirty),
            }
            return;
        }
        let Some(output) = sheet.column_index(f.column) else {
            return;
        };
        self.next_job += 1;
        let job = self.next_job;
        work.running = Some(job);
        let computation = Computation {
            snapshot: sheet.snapshot(),
            program: f.bound.program.clone(),
            map: f.bound.map(sheet),
            withheld,
            output,
            rows: match dirty {
                Dirty::All => None,
                Dirty::Rows(rows) => Some(rows.into_iter().collect()),
            },
            today: EvalCtx::now(),
        };
        let (tx, formula) = (tx.clone(), f.id);
        spawn_worker("leadgrid-formula", move || {
            let result = computation.run().map_err(|e| e.to_string());
            // The snapshot is let go before the values are applied: writing them must not
            // copy the sheet's edits for a reader that is done.
            drop(computation);
            let _ = tx.send(AppEvent::Worker(WorkerResult::Formula(Finished {
                formula,
                job,
                result,
            })));
        });
    }

    /// A computation finished: its values go into the sheet, and the rows that changed
    /// meanwhile are computed next. Returns what to tell the user.
    pub fn computed(
        &mut self,
        sheet: &mut Sheet,
        finished: Finished,
        withheld: Withheld,
        tx: &Sender<AppEvent>,
        on_write: OnWrite,
    ) -> Option<Message> {
        let Finished {
            formula,
            job,
            result,
        } = finished;
        let fi = self.list.iter().position(|f| f.id == formula)?;
        let work = self.work.get_mut(&formula)?;
        if work.running != Some(job) {
            return None;
        }
        work.running = None;
        let waiting = work.waiting.take();
        let message = match result {
            Ok(computed) => {
                let f = &mut self.list[fi];
                if let Some(col) = sheet.column_index(f.column) {
                    // A sample is enough to size the column.
                    for (_, value) in computed.values.iter().take(256) {
                        on_write(f.column, value);
                    }
                    sheet.fill_untracked(col, computed.values);
                }
                let name = sheet
                    .column_index(f.column)
                    .map(|c| sheet.columns()[c].display.clone())
                    .unwrap_or_default();
                let first = computed.first_error.map(|(id, why)| {
                    let row = sheet.row_of(id).map_or(0, |r| r + 1);
                    format!("row {row}: {why}")
                });
                let news = computed.errors > 0 && first != f.first_error;
                f.errors = computed.errors;
                f.first_error = first;
                news.then(|| {
                    Message::error(format!(
                        "{name}: {} could not be computed ({})",
                        crate::tui::text::count(f.errors, "row"),
                        f.first_error.as_deref().unwrap_or_default()
                    ))
                })
            }
            Err(e) => Some(Message::error(format!("formula not computed: {e}"))),
        };
        if let Some(dirty) = waiting {
            self.compute(sheet, fi, dirty, withheld, tx);
        }
        message
    }
}
