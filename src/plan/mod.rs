//! One enrichment plan under both faces, the grid and `leadgrid run`: which column feeds each
//! input ([`mapping`]), which rows are in scope ([`rows`]), what each cell needs given the
//! journal of earlier runs and the user's choices ([`rules`]), what that will cost
//! ([`estimate`]), where failures are written ([`errors`]), and which plans wait for
//! which because they read each other's outputs ([`chain`]).
//!
//! The decisions are pure functions of a row's values, so the grid plans a sheet on a worker
//! from a snapshot, streaming batches to the engine ([`stream`]), while `leadgrid run` plans
//! each row as it reads the file; both make the same decision for the same row.

pub mod chain;
pub mod errors;
pub mod estimate;
pub mod mapping;
pub mod rows;
pub mod rules;
pub mod stream;

pub use chain::{Chain, Loop, Readiness};
pub use errors::ErrorSink;
pub use estimate::{Cost, Estimate};
pub use mapping::{Mapping, PlanError, Source};
pub use rows::{RowFilter, RowScope, Rows};
pub use rules::{Cell, Decision, Rules};
pub use stream::{Planned, Stream};

use crate::engine::{Job, JobKey};
use crate::integrations::{Fields, Integration};
use std::sync::Arc;

/// One integration wired to a table: where its inputs come from and which columns its
/// outputs fill.
#[derive(Clone)]
pub struct Plan {
    /// The integration.
    pub integration: Arc<dyn Integration>,
    /// Each input and where its value comes from.
    pub mapping: Mapping,
    /// Each output filled, by its name, and the index of its column.
    pub outputs: Vec<(&'static str, usize)>,
    /// Only rows this keeps run ("only run if"); the others are skipped, unpaid.
    pub condition: Option<Arc<dyn RowFilter>>,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("integration", &self.name())
            .field("mapping", &self.mapping)
            .field("outputs", &self.outputs)
            .field("condition", &self.condition.is_some())
            .finish()
    }
}

impl Plan {
    /// The integration's name.
    pub fn name(&self) -> &'static str {
        self.integration.spec().name
    }

    /// A row's values for the integration's inputs.
    pub fn inputs(&self, row: &[String]) -> Fields {
        self.mapping.inputs(row)
    }

    /// Whether every output column of the row has a value already.
    pub fn filled(&self, row: &[String]) -> bool {
        self.outputs
            .iter()
            .all(|&(_, col)| row.get(col).is_some_and(|v| !v.trim().is_empty()))
    }

    /// Whether a required input has no value: the engine skips such a cell, unpaid.
    pub fn lacks_input(&self, inputs: &Fields) -> bool {
        self.integration.missing(inputs).is_some()
    }

    /// The engine job for a cell of this plan.
    pub fn job(&self, key: JobKey, inputs: Fields, fresh: bool) -> Job {
        Job {
            key,
            integration: self.integration.clone(),
            inputs,
            fresh,
            budget: None,
        }
    }
}

/// What the plan layer's tests share: a sheet of leads and a plan over it.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Mapping, Plan, Source};
    use crate::table::{OpenOptions, Sheet};
    use std::fmt::Write as _;

    /// A sheet of `rows` leads (`url,headline`): row `i` has the URL `linkedin.com/in/p{i}`,
    /// except every tenth, which has none; even rows have a headline.
    pub(crate) fn leads(rows: usize) -> (tempfile::TempDir, Sheet) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("leads.csv");
        let mut text = String::from("url,headline\n");
        for i in 0..rows {
            let url = if i % 10 == 9 {
                String::new()
            } else {
                format!("linkedin.com/in/p{i}")
            };
            let headline = if i % 2 == 0 { "CEO" } else { "" };
            let _ = writeln!(text, "{url},{headline}");
        }
        std::fs::write(&path, text).expect("write");
        let sheet = Sheet::open(&path, &OpenOptions::default()).expect("open");
        sheet.wait_indexed();
        (dir, sheet)
    }

    /// `linkedin_profile` reading column 0 and filling `headline` (column 1).
    pub(crate) fn profile() -> Plan {
        Plan {
            integration: crate::integrations::find("linkedin_profile").expect("registered"),
            mapping: Mapping {
                inputs: vec![("linkedin_url", Some(Source::Column(0)))],
            },
            outputs: vec![("headline", 1)],
            condition: None,
        }
    }
}
