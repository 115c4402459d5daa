//! `<integration>_error` columns: what a failed or cancelled cell says, written by the grid on
//! save and by `leadgrid run` in its output, so a saved CSV tells the same story whichever
//! face produced it.

use crate::cell::CellState;
use crate::engine::JobResult;
use crate::integrations::EnrichError;
use std::collections::BTreeMap;

/// The name of an integration's error column.
pub fn column_name(integration: &str) -> String {
    format!("{integration}_error")
}

/// What a finished cell writes in its error column: the failure's message, that (and why)
/// it was cancelled, or nothing when it has an answer (done, no data); `None` when it was
/// skipped by design (missing input, already filled), which leaves the column as it was.
pub fn message(result: &JobResult) -> Option<String> {
    cell_message(&result.state, result.error.as_ref())
}

/// [`message`] for a cell known by its state and error (the grid's cells).
pub fn cell_message(state: &CellState, error: Option<&EnrichError>) -> Option<String> {
    let why = error.map(|e| e.message.as_str()).filter(|m| !m.is_empty());
    match state {
        CellState::Done | CellState::NoData => Some(String::new()),
        CellState::Failed => Some(why.unwrap_or("failed").to_owned()),
        CellState::Cancelled => Some(match why {
            Some(why) => format!("cancelled: {why}"),
            None => "cancelled".to_owned(),
        }),
        CellState::Budget => Some(match why {
            Some(why) => format!("budget: {why}"),
            None => "budget: not run, it would have passed the budget".to_owned(),
        }),
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
    use crate::cell::SkipReason;
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
        let skipped = CellState::Skipped(SkipReason::AlreadyFilled);
        existing.report(0, &mut row, &result(skipped, None));
        assert_eq!(row[1], "HTTP 500", "a skipped cell leaves it");
        existing.report(0, &mut row, &result(CellState::Cancelled, None));
        assert_eq!(row[1], "cancelled", "a cancelled cell says so");

        let mut new = ErrorSink::new("q", &headers);
        new.report(3, &mut row, &result(CellState::NoData, None));
        new.report(
            4,
            &mut row,
            &result(CellState::Cancelled, Some("key refused")),
        );
        new.report(5, &mut row, &result(CellState::Failed, None));
        assert_eq!(
            new.new.into_iter().collect::<Vec<_>>(),
            [
                (4, "cancelled: key refused".to_string()),
                (5, "failed".to_string())
            ]
        );
    }
}
