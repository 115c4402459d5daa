//! The `<integration>_error` column: what the grid's save and `leadgrid run` both write, so a
//! saved CSV tells the same story whichever face produced it.
//!
//! The column is added only when some cell of the integration has something to say; a column
//! of that name the file already has is filled in place, and cleared where the cell now has
//! an answer.

use crate::cell::CellState;
use crate::integrations::EnrichError;

/// The name of an integration's error column.
pub fn name(integration: &str) -> String {
    format!("{integration}_error")
}

/// What a finished cell's error column says: the failure, or that (and why) it was cancelled.
/// `None`: nothing (an answer, no data, or a skip by design), so the cell is cleared.
pub fn text(state: &CellState, error: Option<&EnrichError>) -> Option<String> {
    let message = error.map(|e| e.message.as_str()).filter(|m| !m.is_empty());
    match state {
        CellState::Failed => Some(message.unwrap_or("failed").to_owned()),
        CellState::Cancelled => Some(match message {
            Some(why) => format!("cancelled: {why}"),
            None => "cancelled".to_owned(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::SkipReason;
    use crate::providers::ErrorKind;

    #[test]
    fn failures_and_cancellations_are_written_answers_clear_the_cell() {
        let e = EnrichError::new(ErrorKind::Transient, "HTTP 500");
        assert_eq!(
            text(&CellState::Failed, Some(&e)).as_deref(),
            Some("HTTP 500")
        );
        assert_eq!(text(&CellState::Failed, None).as_deref(), Some("failed"));
        assert_eq!(
            text(&CellState::Cancelled, None).as_deref(),
            Some("cancelled")
        );
        let stop = EnrichError::new(ErrorKind::Auth, "not run: x stopped");
        assert_eq!(
            text(&CellState::Cancelled, Some(&stop)).as_deref(),
            Some("cancelled: not run: x stopped")
        );
        for state in [
            CellState::Done,
            CellState::NoData,
            CellState::Skipped(SkipReason::AlreadyFilled),
        ] {
            assert_eq!(text(&state, Some(&e)), None, "{state:?}");
        }
        assert_eq!(name("linkedin_profile"), "linkedin_profile_error");
    }
}
