//! The view of the sheet: which rows show in which order (sort, filter), and
//! background scans (search, sort, filter) over a snapshot so the UI never waits.

use crate::table::{Sheet, SheetSnapshot};
use crate::tui::event::{AppEvent, WorkerResult, spawn_worker};
use std::cmp::Ordering;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering as AtomicOrdering};
use std::sync::mpsc::Sender;

/// Which rows show, in which order.
#[derive(Default)]
pub struct View {
    pub sort: Option<SortSpec>,
    pub filter: Option<Filter>,
    /// Row positions in view order, when sorted or filtered.
    pub order: Option<Arc<Vec<u32>>>,
    /// The scan building the next order.
    pub pending: Option<Pending>,
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

    /// Recomputes the order in the background for the current sort and filter; the result
    /// arrives as [`WorkerResult::View`] tagged with `generation`.
    pub fn rebuild(&mut self, sheet: &Sheet, tx: &Sender<AppEvent>, generation: u64) {
        if let Some(p) = self.pending.take() {
            p.progress.cancel();
        }
        if self.sort.is_none() && self.filter.is_none() {
            self.order = None;
            return;
        }
        let progress = Arc::new(Progress::default());
        let snapshot = sheet.snapshot();
        let (sort, filter) = (self.sort, self.filter.clone());
        let tx = tx.clone();
        let worker_progress = progress.clone();
        spawn_worker("leadgrid-view", move || {
            if let Some(order) = build_order(&snapshot, sort, filter.as_ref(), &worker_progress) {
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

/// How rows are compared when sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSpec {
    pub col: usize,
    pub descending: bool,
}

/// Comparison in a filter condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Contains,
    NotContains,
    Lt,
    Gt,
    Empty,
    NotEmpty,
}

/// Which rows to keep.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Rows where any cell contains the text (case-insensitive).
    Text(String),
    /// Rows where one column satisfies a condition.
    Condition { col: usize, op: Op, value: String },
    /// Rows whose positions are listed (e.g. rows with failed enrichment cells), sorted.
    Rows(Arc<Vec<u32>>),
}

/// Error in a filter expression, shown in the status bar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterParseError {
    #[error("unknown column '{0}' (filter as `column op value`, ops: = != ~ !~ < > empty !empty)")]
    UnknownColumn(String),
}

impl Filter {
    /// Parses `column op value` when the first word names a column and an operator
    /// follows; anything else is a plain text filter.
    pub fn parse(text: &str, headers: &[String]) -> Result<Filter, FilterParseError> {
        let text = text.trim();
        const OPS: [(&str, Op); 8] = [
            ("!empty", Op::NotEmpty),
            ("empty", Op::Empty),
            ("!~", Op::NotContains),
            ("!=", Op::Ne),
            ("~", Op::Contains),
            ("=", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ];
        for (token, op) in OPS {
            let Some(at) = text.find(token) else { continue };
            let (lhs, rhs) = (text[..at].trim(), text[at + token.len()..].trim());
            if lhs.is_empty() {
                continue;
            }
            let wordy = token.ends_with("empty");
            if wordy && !rhs.is_empty() {
                continue;
            }
            let col = headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(lhs))
                .ok_or_else(|| FilterParseError::UnknownColumn(lhs.to_string()))?;
            return Ok(Filter::Condition {
                col,
                op,
                value: rhs.to_lowercase(),
            });
        }
        Ok(Filter::Text(text.to_lowercase()))
    }

    fn keeps(&self, pos: usize, cells: &[String]) -> bool {
        match self {
            Filter::Text(t) => cells.iter().any(|c| contains_ci(c, t)),
            Filter::Rows(rows) => rows.binary_search(&(pos as u32)).is_ok(),
            Filter::Condition { col, op, value } => {
                let cell = cells.get(*col).map(String::as_str).unwrap_or("");
                match op {
                    Op::Empty => cell.trim().is_empty(),
                    Op::NotEmpty => !cell.trim().is_empty(),
                    Op::Eq => cell.trim().eq_ignore_ascii_case(value),
                    Op::Ne => !cell.trim().eq_ignore_ascii_case(value),
                    Op::Contains => contains_ci(cell, value),
                    Op::NotContains => !contains_ci(cell, value),
                    Op::Lt => compare_values(cell, value) == Ordering::Less,
                    Op::Gt => compare_values(cell, value) == Ordering::Greater,
                }
            }
        }
    }
}

/// Case-insensitive substring test; `needle` must already be lower case.
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        return h
            .windows(n.len())
            .any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b));
    }
    hay.to_lowercase().contains(needle)
}

/// Numbers compare as numbers, everything else case-insensitively; empty sorts last.
pub fn compare_values(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.trim(), b.trim());
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    match (parse_number(a), parse_number(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => cmp_ci(a, b),
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let cleaned: String = s.chars().filter(|&c| c != ',' && c != '_').collect();
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn cmp_ci(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
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

/// Computes the view order (row positions) for a sort and/or filter. `None` if cancelled.
pub fn build_order(
    snapshot: &SheetSnapshot,
    sort: Option<SortSpec>,
    filter: Option<&Filter>,
    progress: &Progress,
) -> Option<Vec<u32>> {
    progress
        .total
        .store(snapshot.row_count(), AtomicOrdering::Relaxed);
    let mut kept: Vec<(u32, String)> = Vec::new();
    let scan = snapshot.for_each_row(|pos, cells| {
        if progress.is_cancelled() {
            return ControlFlow::Break(());
        }
        progress.scanned.store(pos + 1, AtomicOrdering::Relaxed);
        if filter.is_none_or(|f| f.keeps(pos, cells)) {
            let key = sort
                .and_then(|s| cells.get(s.col).cloned())
                .unwrap_or_default();
            kept.push((pos as u32, key));
        }
        ControlFlow::Continue(())
    });
    if scan.is_err() || progress.is_cancelled() {
        return None;
    }
    if let Some(s) = sort {
        kept.sort_by(|a, b| {
            let ord = compare_values(&a.1, &b.1);
            let ord = if s.descending { ord.reverse() } else { ord };
            ord.then(a.0.cmp(&b.0))
        });
    }
    Some(kept.into_iter().map(|(p, _)| p).collect())
}

/// Finds every cell containing `needle` (lower case), as (row position, column), in file order.
pub fn search(
    snapshot: &SheetSnapshot,
    needle: &str,
    limit: usize,
    progress: &Progress,
) -> Option<Vec<(u32, u32)>> {
    progress
        .total
        .store(snapshot.row_count(), AtomicOrdering::Relaxed);
    let mut hits = Vec::new();
    let scan = snapshot.for_each_row(|pos, cells| {
        if progress.is_cancelled() || hits.len() >= limit {
            return ControlFlow::Break(());
        }
        progress.scanned.store(pos + 1, AtomicOrdering::Relaxed);
        for (c, cell) in cells.iter().enumerate() {
            if contains_ci(cell, needle) {
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

    fn headers() -> Vec<String> {
        ["name", "followers", "email"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn numbers_sort_numerically_and_empty_last() {
        let mut v = vec!["10", "9", "", "100", "abc", "Abd"];
        v.sort_by(|a, b| compare_values(a, b));
        assert_eq!(v, vec!["9", "10", "100", "abc", "Abd", ""]);
    }

    #[test]
    fn parses_conditions_and_text() {
        let h = headers();
        assert_eq!(
            Filter::parse("followers > 1000", &h),
            Ok(Filter::Condition {
                col: 1,
                op: Op::Gt,
                value: "1000".into()
            })
        );
        assert_eq!(
            Filter::parse("email empty", &h),
            Ok(Filter::Condition {
                col: 2,
                op: Op::Empty,
                value: String::new()
            })
        );
        assert_eq!(
            Filter::parse("Name != Ada", &h),
            Ok(Filter::Condition {
                col: 0,
                op: Op::Ne,
                value: "ada".into()
            })
        );
        assert_eq!(Filter::parse("Acme", &h), Ok(Filter::Text("acme".into())));
        assert!(matches!(
            Filter::parse("nope = 3", &h),
            Err(FilterParseError::UnknownColumn(_))
        ));
    }

    #[test]
    fn conditions_keep_the_right_rows() {
        let row = |a: &str, b: &str| vec![a.to_string(), b.to_string(), String::new()];
        let f = Filter::parse("followers > 1000", &headers()).unwrap();
        assert!(f.keeps(0, &row("x", "48,210")));
        assert!(!f.keeps(0, &row("x", "999")));
        let f = Filter::parse("email empty", &headers()).unwrap();
        assert!(f.keeps(0, &row("x", "1")));
        let f = Filter::Text("ADA".to_lowercase());
        assert!(f.keeps(0, &row("Ada Quill", "1")));
    }

    #[test]
    fn contains_ignores_case_in_unicode() {
        assert!(contains_ci("Elin SØRBY", "sørby"));
        assert!(contains_ci("abc", ""));
        assert!(!contains_ci("ab", "abc"));
    }
}
