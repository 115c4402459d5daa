//! `<integration>_error` columns: where a failed cell's message is written, by the grid on
//! save and by `leadgrid run` in its output.

use crate::cell::{CellState, SkipReason};
use crate::engine::JobResult;
use std::collections::BTreeMap;

/// The name of an integration's error column.
pub fn column_name(integration: &str) -> String {
    format!("{integration}_error")
}

/// What a finished cell writes in its error column: the failure's message, or nothing when
/// it succeeded or had no data; `None` when it never ran (skipped, cancelled), which leaves
/// the column as it was. A cell cancelled with a reason was stopped by an authentication
/// failure, which counts as a failure.
pub fn message(result: &JobResult) -> Option<String> {
    match &result.state {
        CellState::Done | CellState::NoData => Some(String::new()),
        CellState::Failed | CellState::Skipped(SkipReason::Cancelled)
            if result.state == CellState::Failed || result.error.is_some() =>
        {
            Some(
                result
                    .error
                    .as_ref()
                    .map_or_else(|| "failed".to_owned(), |e| e.message.clone()),
            )
        }
        _ => None,
    }
}

/// Where a streamed table's failure messages go: an error column the table already has
/// (filled in place, cleared where the cell now succeeds), or a new one, added at the end
/// only if some cell failed (known only once every cell finished).
#[derive(Debug, Default)]
pub struct ErrorSink {
    /// The index of the existing error column.
    pub existing: Option<usize>,
    /// Messages for the new column, by row index.
    pub new: BTreeMap<usize, String>,
}

impl ErrorSink {
    /// The sink of integration `name` over a table with `headers`.
    pub fn new(name: &str, headers: &[String]) -> ErrorSink {
        let column = column_name(name);
        ErrorSink {
            existing: headers.iter().position(|h| *h == column),
            new: BTreeMap::new(),
        }
    }

    /// Records what row `r` (values `row`) says about `result`.
    pub fn report(&mut self, r: usize, row: &mut [String], result: &JobResult) {
        let Some(message) = message(result) else {
            return;
        };
        match self.existing {
            Some(column) => {
                if let Some(cell) = row.get_mut(column) {
                    *cell = message;
                }
            }
            None if !message.is_empty() => {
                self.new.insert(r, message);
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::JobKey;
    use crate::integrations::{EnrichError, Fields};
    use crate::providers::ErrorKind;

    fn result(state: CellState, error: Option<&str>) -> JobResult {
        JobResult {
            key: JobKey { row: 0, column: 0 },
            state,
            fields: Fields::new(),
            error: error.map(|m| EnrichError::new(ErrorKind::Auth, m)),
            calls: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn failures_fill_an_existing_column_in_place_or_a_new_one() {
        let headers: Vec<String> = vec!["a".into(), "p_error".into()];
        let mut existing = ErrorSink::new("p", &headers);
        let mut row = vec!["x".to_string(), "old failure".to_string()];
        existing.report(0, &mut row, &result(CellState::Done, None));
        assert_eq!(row[1], "", "a success clears the stale message");
        existing.report(0, &mut row, &result(CellState::Failed, Some("HTTP 500")));
        assert_eq!(row[1], "HTTP 500");
        let cancelled = CellState::Skipped(SkipReason::Cancelled);
        existing.report(0, &mut row, &result(cancelled.clone(), None));
        assert_eq!(row[1], "HTTP 500", "a cancelled cell leaves it");

        let mut new = ErrorSink::new("q", &headers);
        new.report(3, &mut row, &result(CellState::NoData, None));
        new.report(4, &mut row, &result(cancelled, Some("key refused")));
        assert_eq!(
            new.new.into_iter().collect::<Vec<_>>(),
            [(4, "key refused".to_string())]
        );
    }
}
