//! What one cell (a row of one plan) needs: nothing (its outputs are filled and the user
//! asked to keep them), its journaled result from an earlier run, or a job for the engine.

use super::Plan;
use crate::integrations::Fields;
use crate::resume::{Journal, Restored};
use std::sync::Arc;

/// The user's choices and what earlier runs left, applied to every cell.
#[derive(Clone, Default)]
pub struct Rules {
    /// The journal of earlier runs of the same table: a settled cell (done, or a final "no
    /// data") is restored from it instead of paid again.
    pub journal: Option<Arc<Journal>>,
    /// Rows whose outputs all have values are left alone (`--skip-existing`, the picker's
    /// "only rows whose outputs are empty or failed").
    pub skip_filled: bool,
}

/// What a cell needs.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Nothing: the plan's run condition does not hold for the row (skipped, unpaid).
    Unmet,
    /// Nothing: every output is filled and `skip_filled` keeps them.
    Filled,
    /// Finished in an earlier run: its journaled result.
    Restore(Restored),
    /// A job for the engine (which skips it, unpaid, when a required input is empty).
    Run,
}

/// One planned cell: the row's input values and what it needs.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The row's values for the plan's inputs.
    pub inputs: Fields,
    /// What to do with it.
    pub decision: Decision,
}

impl Rules {
    /// Decides the cell of `plan` in a row (values in column order).
    pub fn decide(&self, plan: &Plan, row: &[String]) -> Cell {
        let inputs = plan.inputs(row);
        let decision = if plan.condition.as_ref().is_some_and(|c| !c.keeps(row)) {
            Decision::Unmet
        } else if self.skip_filled && plan.filled(row) {
            Decision::Filled
        } else {
            match self
                .journal
                .as_ref()
                .and_then(|j| j.lookup(&plan.integration.journal_name(), &inputs))
                .filter(Restored::is_settled)
            {
                Some(found) => Decision::Restore(found),
                None => Decision::Run,
            }
        };
        Cell { inputs, decision }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::CellState;
    use crate::engine::{JobKey, JobResult, ResultSink};
    use crate::plan::{Mapping, Source};
    use crate::resume::JournalSink;
    use crate::store::{RunId, Store, StoreConfig};

    fn profile() -> Plan {
        Plan {
            integration: crate::integrations::find("linkedin_profile").expect("registered"),
            mapping: Mapping {
                inputs: vec![("linkedin_url", Some(Source::Column(0)))],
            },
            outputs: vec![("headline", 1)],
            condition: None,
        }
    }

    fn row(url: &str, headline: &str) -> Vec<String> {
        vec![url.to_owned(), headline.to_owned()]
    }

    #[tokio::test]
    async fn filled_rows_are_kept_settled_cells_restored_and_the_rest_run() {
        let plan = profile();
        let store = Store::open_in_memory(StoreConfig::default()).expect("store");
        let run = RunId::new("t");
        let sink = JournalSink::new(store.clone(), run.clone());
        for (url, state) in [("done", CellState::Done), ("failed", CellState::Failed)] {
            let inputs = plan.inputs(&row(url, ""));
            let key = JobKey { row: 0, column: 0 };
            let result = JobResult {
                key,
                state,
                fields: Fields::from([("headline".into(), "CEO".into())]),
                error: None,
                calls: Vec::new(),
                notes: Vec::new(),
            };
            sink.record(&plan.job(key, inputs, false), &result).await;
        }
        let rules = Rules {
            journal: Some(Arc::new(Journal::load(&store, &run).expect("journal"))),
            skip_filled: true,
        };
        let decide = |url: &str, headline: &str| rules.decide(&plan, &row(url, headline)).decision;
        assert!(matches!(decide("done", "kept"), Decision::Filled));
        assert!(
            matches!(decide("done", " "), Decision::Restore(r) if r.fields["headline"] == "CEO")
        );
        // A journaled failure is paid again; so is a row never run.
        assert!(matches!(decide("failed", ""), Decision::Run));
        assert!(matches!(decide("new", ""), Decision::Run));
        let keep_all = Rules::default();
        assert!(matches!(
            keep_all.decide(&plan, &row("done", "kept")).decision,
            Decision::Run
        ));
    }
}
