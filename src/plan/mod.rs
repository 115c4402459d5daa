//! One enrichment plan under both faces, the grid and `leadgrid run`: which column feeds each
//! input ([`mapping`]), which rows are in scope ([`rows`]), what each cell needs given the
//! journal of earlier runs and the user's choices ([`rules`]), what that will cost
//! ([`estimate`]), and where failures are written ([`errors`]).
//!
//! The decisions are pure functions of a row's values, so the grid plans a sheet on a worker
//! from a snapshot, streaming batches to the engine ([`stream`]), while `leadgrid run` plans
//! each row as it reads the file; both make the same decision for the same row.

pub mod errors;
pub mod estimate;
pub mod mapping;
pub mod rows;
pub mod rules;
pub mod stream;

pub use errors::ErrorSink;
pub use estimate::{Cost, Estimate};
pub use mapping::{Mapping, PlanError, Source};
pub use rows::{RowFilter, RowScope, Rows};
pub use rules::{Cell, Decision, Rules};
pub use stream::{Planned, Stream};

use crate::engine::{Job, JobKey};
use crate::integrations::{Fields, Integration, missing_inputs};
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
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("integration", &self.name())
            .field("mapping", &self.mapping)
            .field("outputs", &self.outputs)
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
        missing_inputs(self.integration.spec(), inputs).is_some()
    }

    /// The engine job for a cell of this plan.
    pub fn job(&self, key: JobKey, inputs: Fields, fresh: bool) -> Job {
        Job {
            key,
            integration: self.integration.clone(),
            inputs,
            fresh,
        }
    }
}
