//! The view of the sheet: which rows show in which order (sort, filter), and background
//! scans (search, sort, filter) over a snapshot so the UI never waits.
//!
//! Scans see what the grid shows: an enrichment cell that is not done (no data, failed,
//! skipped, cancelled, queued, running) has no value ([`Withheld`]), so it never satisfies a
//! comparison and sorts last, with blank cells, whichever way the column is sorted. Sort and
//! filter name columns by [`ColumnId`], so inserting or moving columns leaves them on theirs.

use crate::expr::{self, EvalCtx, Program, RowValues, SortKey, contains_ci};
use crate::table::{ColumnId, RowId, Sheet, SheetSnapshot};
use crate::tui::event::{AppEvent, WorkerResult, spawn_worker};
use crate::tui::withheld::Shown;
pub use crate::tui::withheld::Withheld;
use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering as AtomicOrdering};
use std::sync::mpsc::Sender;

/// Which rows show, in which order.
#[derive(Default)]
pub struct View {
    pub sort: Option<SortSpec>,
    pub filter: Option<RowFilter>,
    /// Row positions in view order, when sorted or filtered.
    pub order: Option<Arc<Vec<u32>>>,
    /// The scan building the next order.
    pub pending: Option<Pending>,
    /// The last filter typed at `|`: the prompt opens with it, to edit.
    pub last_typed: Option<String>,
}

impl View {
    /// Number of rows in the view.
    pub fn len(&self, sheet: &Sheet) -> usize {
        match &self.order {
            Some(order) => order.len(),
            None => sheet.row_count(),
        }
    }

    /// Sheet row position of a view row.
    pub fn row_at(&self, sheet: &Sheet, view_row: usize) -> Option<usize> {
        match &self.order {
            Some(order) => order.get(view_row).map(|&p| p as usize),
            None => (view_row < sheet.row_count()).then_some(view_row),
        }
    }

    /// The view row showing sheet row `row`; `None` when the filter hides it.
    pub fn view_row_of(&self, row: usize) -> Option<usize> {
        match &self.order {
            Some(order) => order.iter().position(|&p| p as usize == row),
            None => Some(row),
        }
    }

    /// Recomputes the order in the background for the current sort and filter, seeing the
    /// cells in `withheld` as empty; the result arrives as [`WorkerResult::View`] tagged with
    /// `generation`.
    pub fn rebuild(
        &mut self,
        sheet: &Sheet,
        withheld: Withheld,
        tx: &Sender<AppEvent>,
        generation: u64,
    ) {
        if let Some(p) = self.pending.take() {
            p.progress.cancel();
        }
        if self.sort.is_none() && self.filter.is_none() {
            self.order = None;
            return;
        }
        let progress = Arc::new(Progress::default());
        let scan = self.scan(sheet, withheld);
        let tx = tx.clone();
        let worker_progress = progress.clone();
        spawn_worker("leadgrid-view", move || {
            if let Some(order) = scan.order(&worker_progress) {
                let _ = tx.send(AppEvent::Worker(WorkerResult::View { generation, order }));
            }
        });
        self.pending = Some(Pending {
            generation,
            what: if self.sort.is_some() {
                "sorting"
            } else {
                "filtering"
            },
            progress,
        });
    }

    /// The order for the current sort and filter, computed here and now (what the
    /// background scan computes; for benchmarks). `None` without a sort or filter.
    pub fn compute(&self, sheet: &Sheet, withheld: Withheld) -> Option<Vec<u32>> {
        if self.sort.is_none() && self.filter.is_none() {
            return None;
        }
        self.scan(sheet, withheld).order(&Progress::default())
    }

    fn scan(&self, sheet: &Sheet, withheld: Withheld) -> Scan {
        Scan {
            snapshot: sheet.snapshot(),
            sort: self
                .sort
                .and_then(|s| Some((sheet.column_index(s.col)?, s.descending))),
            filter: self.filter.as_ref().map(|f| f.for_scan(sheet)),
            withheld,
            today: EvalCtx::now(),
        }
    }

    /// Takes a finished scan's order when it is the latest asked for; returns whether it was.
    pub fn ready(&mut self, generation: u64, order: Vec<u32>) -> bool {
        if self
            .pending
            .as_ref()
            .is_none_or(|p| p.generation != generation)
        {
            return false;
        }
        self.pending = None;
        self.order = Some(Arc::new(order));
        true
    }

    /// Back to file order and every row; returns whether there was a sort or filter.
    pub fn clear(&mut self) -> bool {
        let had = self.sort.is_some() || self.filter.is_some();
        self.sort = None;
        self.filter = None;
        self.order = None;
        if let Some(p) = self.pending.take() {
            p.progress.cancel();
        }
        had
    }
}

/// A background scan in progress, identified by generation so stale results are dropped.
pub struct Pending {
    pub generation: u64,
    pub what: &'static str,
    pub progress: Arc<Progress>,
}

/// How rows are ordered: by one column, which follows its column wherever it moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSpec {
    pub col: ColumnId,
    pub descending: bool,
}

/// Which rows to keep.
#[derive(Debug, Clone)]
pub enum RowFilter {
    /// Typed at `|`, as the expression module read it. An expression's column indexes point
    /// into `columns`, the sheet's columns when it was bound, so it keeps reading the same
    /// columns after others are inserted, moved or deleted.
    Typed {
        filter: expr::Filter,
        columns: Vec<ColumnId>,
    },
    /// The rows listed, by id so they stay the same rows when others are inserted or
    /// deleted (rows with failed enrichment cells `!`, a value of the frequency table,
    /// duplicates); `label` says which.
    Rows {
        rows: Arc<HashSet<RowId>>,
        label: String,
    },
}

impl RowFilter {
    /// Reads what was typed at `|` against the sheet's columns.
    pub fn typed(text: &str, sheet: &Sheet) -> Result<RowFilter, expr::FilterError> {
        let headers: Vec<String> = sheet.columns().iter().map(|c| c.display.clone()).collect();
        Ok(RowFilter::Typed {
            filter: expr::parse_filter(text, &headers)?,
            columns: sheet.columns().iter().map(|c| c.id).collect(),
        })
    }

    /// What the status bar says while it is on: the expression as bound (`followers > 1000`
    /// shows as `follower_count > 1000`), the text searched for, or the row set.
    pub fn describe(&self) -> String {
        match self {
            RowFilter::Typed {
                filter: expr::Filter::Expr(program),
                ..
            } => program.to_string(),
            RowFilter::Typed {
                filter: expr::Filter::Text(text),
                ..
            } => format!("\"{text}\""),
            RowFilter::Rows { label, .. } => label.clone(),
        }
    }

    fn for_scan(&self, sheet: &Sheet) -> ScanFilter {
        match self {
            RowFilter::Typed {
                filter: expr::Filter::Text(text),
                ..
            } => ScanFilter::Text(text.clone()),
            RowFilter::Typed {
                filter: expr::Filter::Expr(program),
                columns,
            } => ScanFilter::Expr {
                program: program.clone(),
                map: columns.iter().map(|id| sheet.column_index(*id)).collect(),
            },
            RowFilter::Rows { rows, .. } => ScanFilter::Rows(rows.clone()),
        }
    }
}

/// A filter ready for a worker: columns as current indexes.
enum ScanFilter {
    Text(String),
    Expr {
        program: Program,
        map: Vec<Option<usize>>,
    },
    Rows(Arc<HashSet<RowId>>),
}

/// One background computation of the view order.
struct Scan {
    snapshot: SheetSnapshot,
    /// Column index and direction.
    sort: Option<(usize, bool)>,
    filter: Option<ScanFilter>,
    withheld: Withheld,
    today: EvalCtx,
}

impl Scan {
    /// Row positions kept, in view order; `None` if cancelled.
    fn order(&self, progress: &Progress) -> Option<Vec<u32>> {
        let snapshot = &self.snapshot;
        progress
            .total
            .store(snapshot.row_count(), AtomicOrdering::Relaxed);
        let identity: Vec<Option<usize>> = (0..snapshot.column_count()).map(Some).collect();
        let mut hidden = vec![false; snapshot.column_count()];
        let mut kept: Vec<(u32, Option<SortKey>)> = Vec::new();
        let scan = snapshot.for_each_row(|pos, cells| {
            if progress.is_cancelled() {
                return ControlFlow::Break(());
            }
            progress.scanned.store(pos + 1, AtomicOrdering::Relaxed);
            if !self.withheld.is_empty() {
                self.withheld.mark(snapshot.row_id(pos), &mut hidden);
            }
            let shown = |map| Shown {
                cells,
                hidden: &hidden,
                map,
            };
            let keep = match &self.filter {
                None => true,
                Some(ScanFilter::Rows(rows)) => {
                    snapshot.row_id(pos).is_some_and(|id| rows.contains(&id))
                }
                Some(ScanFilter::Text(needle)) => {
                    let row = shown(&identity);
                    (0..cells.len()).any(|c| row.cell(c).is_some_and(|v| contains_ci(v, needle)))
                }
                Some(ScanFilter::Expr { program, map }) => {
                    program.matches(&shown(map), &self.today)
                }
            };
            if keep {
                let key = self
                    .sort
                    .and_then(|(col, _)| SortKey::of(shown(&identity).cell(col)));
                kept.push((pos as u32, key));
            }
            ControlFlow::Continue(())
        });
        if scan.is_err() || progress.is_cancelled() {
            return None;
        }
        if let Some((_, descending)) = self.sort {
            // Positions are unique, so the tie-break keeps file order without a stable sort.
            kept.sort_unstable_by(|a, b| {
                SortKey::order(a.1.as_ref(), b.1.as_ref(), descending).then(a.0.cmp(&b.0))
            });
        }
        Some(kept.into_iter().map(|(p, _)| p).collect())
    }
}

/// Shared progress of a background scan; the UI reads it on each frame.
#[derive(Debug, Default)]
pub struct Progress {
    pub scanned: AtomicUsize,
    pub total: AtomicUsize,
    cancelled: AtomicBool,
}

impl Progress {
    /// Asks the scan to stop at the next row.
    pub fn cancel(&self) {
        self.cancelled.store(true, AtomicOrdering::Relaxed);
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(AtomicOrdering::Relaxed)
    }

    /// Fraction done, 0..=1.
    pub fn fraction(&self) -> f64 {
        let total = self.total.load(AtomicOrdering::Relaxed).max(1);
        self.scanned.load(AtomicOrdering::Relaxed) as f64 / total as f64
    }
}

/// Finds every cell containing `needle` (ignoring case), as (row position, column), in file
/// order; withheld cells show no value, so they are never hits.
pub fn search(
    snapshot: &SheetSnapshot,
    needle: &str,
    withheld: &Withheld,
    limit: usize,
    progress: &Progress,
) -> Option<Vec<(u32, u32)>> {
    progress
        .total
        .store(snapshot.row_count(), AtomicOrdering::Relaxed);
    let identity: Vec<Option<usize>> = (0..snapshot.column_count()).map(Some).collect();
    let mut hidden = vec![false; snapshot.column_count()];
    let mut hits = Vec::new();
    let scan = snapshot.for_each_row(|pos, cells| {
        if progress.is_cancelled() || hits.len() >= limit {
            return ControlFlow::Break(());
        }
        progress.scanned.store(pos + 1, AtomicOrdering::Relaxed);
        if !withheld.is_empty() {
            withheld.mark(snapshot.row_id(pos), &mut hidden);
        }
        let row = Shown {
            cells,
            hidden: &hidden,
            map: &identity,
        };
        for c in 0..cells.len() {
            if row.cell(c).is_some_and(|v| contains_ci(v, needle)) {
                hits.push((pos as u32, c as u32));
            }
        }
        ControlFlow::Continue(())
    });
    if scan.is_err() || progress.is_cancelled() {
        return None;
    }
    Some(hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::OpenOptions;
    use std::collections::HashSet;

    fn sheet(dir: &tempfile::TempDir) -> Sheet {
        let path = dir.path().join("leads.csv");
        std::fs::write(
            &path,
            "name,followers,email\nAda,\"48,210\",a@x.io\nBram,999,\nChiara,,c@x.io\nDev,2000,d@x.io\n",
        )
        .expect("write");
        let sheet = Sheet::open(&path, &OpenOptions::default()).expect("open");
        sheet.wait_indexed();
        sheet
    }

    fn order(
        sheet: &Sheet,
        sort: Option<(usize, bool)>,
        filter: Option<&str>,
        w: Withheld,
    ) -> Vec<u32> {
        let scan = Scan {
            snapshot: sheet.snapshot(),
            sort,
            filter: filter.map(|f| RowFilter::typed(f, sheet).expect("filter").for_scan(sheet)),
            withheld: w,
            today: EvalCtx::now(),
        };
        scan.order(&Progress::default()).expect("not cancelled")
    }

    #[test]
    fn empty_and_withheld_cells_never_match_and_sort_last_both_ways() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sheet = sheet(&dir);
        assert_eq!(
            order(&sheet, None, Some("followers > 1000"), Withheld::none()),
            [0, 3]
        );
        assert_eq!(
            order(&sheet, Some((1, false)), None, Withheld::none()),
            [1, 3, 0, 2]
        );
        assert_eq!(
            order(&sheet, Some((1, true)), None, Withheld::none()),
            [0, 3, 1, 2]
        );
        // Dev's followers cell is an enrichment cell that failed: it shows no value.
        let mut withheld = Withheld::none();
        let dev = sheet.row_id(3).expect("row");
        withheld.add(1, Arc::new(HashSet::from([dev])));
        assert_eq!(
            order(&sheet, None, Some("followers > 1000"), withheld.clone()),
            [0]
        );
        assert_eq!(
            order(&sheet, Some((1, true)), None, withheld.clone()),
            [0, 1, 2, 3]
        );
        assert_eq!(
            order(&sheet, None, Some("2000"), withheld.clone()),
            Vec::<u32>::new()
        );
        assert_eq!(
            order(&sheet, None, Some("followers is empty"), withheld),
            [2, 3]
        );
    }

    #[test]
    fn a_filter_keeps_reading_its_columns_after_others_are_inserted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut sheet = sheet(&dir);
        let filter =
            RowFilter::typed("followers > 1000 and email is not empty", &sheet).expect("filter");
        assert_eq!(filter.describe(), "followers > 1000 and email is not empty");
        sheet.insert_column(0, "notes".into());
        let scan = Scan {
            snapshot: sheet.snapshot(),
            sort: None,
            filter: Some(filter.for_scan(&sheet)),
            withheld: Withheld::none(),
            today: EvalCtx::now(),
        };
        assert_eq!(scan.order(&Progress::default()).expect("order"), [0, 3]);
    }

    #[test]
    fn search_skips_withheld_cells() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sheet = sheet(&dir);
        let snapshot = sheet.snapshot();
        let progress = Progress::default();
        let hits = search(&snapshot, "x.io", &Withheld::none(), 100, &progress).expect("hits");
        assert_eq!(hits, [(0, 2), (2, 2), (3, 2)]);
        let mut withheld = Withheld::none();
        withheld.add(2, Arc::new(HashSet::from([sheet.row_id(0).expect("row")])));
        let hits = search(&snapshot, "X.IO", &withheld, 100, &progress).expect("hits");
        assert_eq!(hits, [(2, 2), (3, 2)]);
    }
}
