//! The list as data in the grid: a column's frequency table (`#`) and the rows that repeat a
//! person (`U`). Both are counted on a worker over a snapshot of what the grid shows
//! (enrichment cells without a value count as empty), and shown in a panel.

pub mod duplicates;
pub mod frequency;

use crate::census::{DuplicateGroup, Duplicates, Frequency, FrequencyCounter};
use crate::table::{ColumnId, LoadError, RowId, Sheet, SheetSnapshot};
use crate::tui::enrich::Enrichments;
use crate::tui::event::{AppEvent, WorkerResult, spawn_worker};
use crate::tui::message::Message;
use crate::tui::mode::Mode;
use crate::tui::withheld::Withheld;
use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;

pub use duplicates::DuplicatesPanel;
pub use frequency::FrequencyPanel;

/// A finished count, for the panel that asked for it (by its `id`).
#[derive(Debug)]
pub enum Counted {
    /// A column's values.
    Frequency { id: u64, table: Frequency },
    /// Groups of rows sharing a key, as positions and ids; the first of each is kept.
    Duplicates {
        id: u64,
        groups: Vec<DuplicateGroup>,
        ids: Vec<Vec<RowId>>,
    },
    /// The file could not be read to the end.
    Failed { id: u64, why: String },
}

impl Counted {
    /// The panel it is for.
    pub fn id(&self) -> u64 {
        match self {
            Counted::Frequency { id, .. }
            | Counted::Duplicates { id, .. }
            | Counted::Failed { id, .. } => *id,
        }
    }
}

/// Tags each count, so a panel takes only its own.
fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Reads sheet column `index` of every row of `snapshot` as the grid shows it, handing each
/// value (with the row's position and id) to `add`.
fn scan_column(
    snapshot: &SheetSnapshot,
    index: usize,
    withheld: &Withheld,
    mut add: impl FnMut(usize, RowId, &str),
) -> Result<(), LoadError> {
    snapshot.for_rows(
        |rows| 0..rows,
        |pos, row, values| {
            let value = if withheld.hides(index, row) {
                ""
            } else {
                values.get(index).map_or("", String::as_str)
            };
            add(pos, row, value);
            ControlFlow::Continue(())
        },
    )
}

/// The frequency table of sheet column `index`, counted here and now (what the worker of
/// [`count_values`] does; for benchmarks).
pub fn frequency_of(
    snapshot: &SheetSnapshot,
    index: usize,
    withheld: &Withheld,
) -> Result<Frequency, LoadError> {
    let mut counter = FrequencyCounter::default();
    scan_column(snapshot, index, withheld, |pos, _, value| {
        counter.add(pos as u32, value)
    })?;
    Ok(counter.finish())
}

/// The groups of rows whose key in sheet column `index` repeats, as positions and ids,
/// found here and now (what the worker of [`find_duplicates`] does).
pub fn duplicates_of(
    snapshot: &SheetSnapshot,
    index: usize,
    withheld: &Withheld,
) -> Result<(Vec<DuplicateGroup>, Vec<Vec<RowId>>), LoadError> {
    let mut duplicates = Duplicates::default();
    let mut row_ids = Vec::new();
    scan_column(snapshot, index, withheld, |pos, row, value| {
        duplicates.add(pos, value);
        row_ids.push(row);
    })?;
    let groups = duplicates.finish();
    let ids = groups
        .iter()
        .map(|g| {
            g.rows
                .iter()
                .filter_map(|&p| row_ids.get(p).copied())
                .collect()
        })
        .collect();
    Ok((groups, ids))
}

/// Runs `count` over a snapshot of `sheet` on a worker and sends what it found, tagged with
/// the id it returns.
fn on_worker(
    sheet: &Sheet,
    col: ColumnId,
    withheld: Withheld,
    tx: &Sender<AppEvent>,
    count: impl FnOnce(u64, &SheetSnapshot, usize, &Withheld) -> Result<Counted, LoadError>
    + Send
    + 'static,
) -> u64 {
    let id = next_id();
    let snapshot = sheet.snapshot();
    let index = sheet.column_index(col);
    let tx = tx.clone();
    spawn_worker("leadgrid-census", move || {
        let counted = match index {
            None => Counted::Failed {
                id,
                why: "the column was deleted".to_string(),
            },
            Some(index) => {
                count(id, &snapshot, index, &withheld).unwrap_or_else(|e| Counted::Failed {
                    id,
                    why: format!("could not read the file ({e})"),
                })
            }
        };
        let _ = tx.send(AppEvent::Worker(WorkerResult::Counted(counted)));
    });
    id
}

/// Counts the values of column `col`; returns the id the result will carry.
pub fn count_values(
    sheet: &Sheet,
    col: ColumnId,
    withheld: Withheld,
    tx: &Sender<AppEvent>,
) -> u64 {
    on_worker(sheet, col, withheld, tx, |id, snapshot, index, withheld| {
        let table = frequency_of(snapshot, index, withheld)?;
        Ok(Counted::Frequency { id, table })
    })
}

/// Finds rows whose key in column `col` repeats; returns the id the result will carry.
pub fn find_duplicates(
    sheet: &Sheet,
    col: ColumnId,
    withheld: Withheld,
    tx: &Sender<AppEvent>,
) -> u64 {
    on_worker(sheet, col, withheld, tx, |id, snapshot, index, withheld| {
        let (groups, ids) = duplicates_of(snapshot, index, withheld)?;
        Ok(Counted::Duplicates { id, groups, ids })
    })
}

/// A count and its percentage of `total`, as the panels print them.
fn share(count: usize, total: usize) -> String {
    let percent = if total == 0 {
        0.0
    } else {
        count as f64 * 100.0 / total as f64
    };
    format!("{count} ({percent:.1}%)")
}

/// The frequency table of sheet column `col`, counting on a worker.
pub fn frequency(
    sheet: &Sheet,
    enrich: &Enrichments,
    col: usize,
    tx: &Sender<AppEvent>,
) -> Option<Mode> {
    let column = sheet.columns().get(col)?;
    let id = count_values(sheet, column.id, enrich.withheld(sheet), tx);
    Some(Mode::Frequency(FrequencyPanel::new(
        id,
        column.id,
        column.display.clone(),
    )))
}

/// The duplicates panel keyed by the default key column (a LinkedIn profile URL, else an
/// email; the cursor's column when the sheet has neither) or, `by_cursor`, by `cursor`'s.
pub fn duplicates(
    sheet: &Sheet,
    enrich: &Enrichments,
    by_cursor: bool,
    cursor: Option<usize>,
    tx: &Sender<AppEvent>,
) -> Result<Mode, Message> {
    let headers: Vec<String> = sheet.columns().iter().map(|c| c.name.clone()).collect();
    let col = if by_cursor {
        cursor
    } else {
        crate::census::default_key_column(&headers).or(cursor)
    };
    let column = col
        .and_then(|c| sheet.columns().get(c))
        .ok_or_else(|| Message::error("no column to look for duplicates in"))?;
    let id = find_duplicates(sheet, column.id, enrich.withheld(sheet), tx);
    Ok(Mode::Duplicates(DuplicatesPanel::new(
        id,
        column.id,
        column.display.clone(),
    )))
}

/// Hands a finished count to the panel waiting for it; returns the rows the grid should
/// mark as duplicates, when that is what it found.
pub fn counted(mode: &mut Mode, counted: Counted) -> Option<HashSet<RowId>> {
    match mode {
        Mode::Frequency(panel) => {
            panel.counted(counted);
            None
        }
        Mode::Duplicates(panel) => panel.counted(counted),
        _ => None,
    }
}
