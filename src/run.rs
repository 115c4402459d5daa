//! Headless enrichment: `leadgrid run`.
