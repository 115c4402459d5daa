//! leadgrid: enrich lead-list CSVs in a fast terminal spreadsheet.
//!
//! The binary (`main.rs`) only parses arguments; everything else lives here so
//! that `tests/` and `benches/` drive the same code.
#![deny(clippy::unwrap_used, clippy::panic)]

pub mod cell;
pub mod census;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod engine;
pub mod expr;
pub mod integrations;
pub mod mcp;
pub mod plan;
pub mod providers;
pub mod resume;
pub mod run;
pub mod sanitize;
pub mod session;
pub mod store;
pub mod table;
pub mod tui;
