//! Headless enrichment: `leadgrid run`.

pub mod csvio;
pub mod plan;
