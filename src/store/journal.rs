//! The run journal: every finished cell of a run, and the run's enrichment column definitions.

use super::{RunId, StoreError};
use crate::cell::CellState;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;

/// One cell result as journaled: enough to restore the cell and its inspector view.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalEntry {
    /// The integration (column) that produced it.
    pub integration: String,
    /// The row key: [`super::input_hash`] of the row's mapped input values.
    pub input_hash: String,
    /// The cell's final state.
    pub state: CellState,
    /// Output values by output name (empty when the cell failed or had no data).
    pub fields: BTreeMap<String, String>,
    /// The error shown for a failed cell.
    pub error: Option<String>,
    /// The attempts and calls behind the result (JSON, as the engine records them).
    pub calls: serde_json::Value,
}

/// A journal entry already turned into column text, so serializing happens on the caller's
/// thread and the store thread only writes.
#[derive(Debug)]
pub(crate) struct JournalRow {
    run: String,
    integration: String,
    input_hash: String,
    state: String,
    fields: String,
    error: Option<String>,
    calls: String,
}

impl JournalRow {
    pub(crate) fn new(run: &RunId, entry: &JournalEntry) -> Result<JournalRow, StoreError> {
        Ok(JournalRow {
            run: run.as_str().to_string(),
            integration: entry.integration.clone(),
            input_hash: entry.input_hash.clone(),
            state: serde_json::to_string(&entry.state)?,
            fields: serde_json::to_string(&entry.fields)?,
            error: entry.error.clone(),
            calls: entry.calls.to_string(),
        })
    }
}

/// Inserts or replaces the entry for (run, integration, input hash).
pub(crate) fn put(conn: &Connection, row: &JournalRow, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO journal
             (run, integration, input_hash, state, fields, error, calls, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        row.run,
        row.integration,
        row.input_hash,
        row.state,
        row.fields,
        row.error,
        row.calls,
        now
    ])?;
    Ok(())
}

const SELECT: &str = "SELECT integration, input_hash, state, fields, error, calls FROM journal";
/// The same without the calls (requests and raw responses, most of an entry's size).
const SELECT_RESULTS: &str =
    "SELECT integration, input_hash, state, fields, error, 'null' FROM journal";

type RawEntry = (String, String, String, String, Option<String>, String);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn decode(
    (integration, input_hash, state, fields, error, calls): RawEntry,
) -> Result<JournalEntry, StoreError> {
    Ok(JournalEntry {
        integration,
        input_hash,
        state: serde_json::from_str(&state)?,
        fields: serde_json::from_str(&fields)?,
        error,
        calls: serde_json::from_str(&calls)?,
    })
}

/// Every entry of `run`, in (integration, input hash) order; without `with_calls` their
/// calls are left out (`null`).
pub(crate) fn load(
    conn: &Connection,
    run: &str,
    with_calls: bool,
) -> Result<Vec<Result<JournalEntry, StoreError>>, rusqlite::Error> {
    let select = if with_calls { SELECT } else { SELECT_RESULTS };
    let mut stmt = conn.prepare_cached(&format!(
        "{select} WHERE run = ?1 ORDER BY integration, input_hash"
    ))?;
    let rows = stmt.query_map(params![run], raw)?;
    rows.map(|r| r.map(decode)).collect()
}

/// The entry for one cell, if it was journaled.
pub(crate) fn lookup(
    conn: &Connection,
    run: &str,
    integration: &str,
    input_hash: &str,
) -> Result<Option<Result<JournalEntry, StoreError>>, rusqlite::Error> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE run = ?1 AND integration = ?2 AND input_hash = ?3"
    ))?
    .query_row(params![run, integration, input_hash], raw)
    .optional()
    .map(|r| r.map(decode))
}

/// Replaces the column definitions saved for `run`.
pub(crate) fn save_columns(
    conn: &Connection,
    run: &str,
    columns: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO run_columns (run, columns, updated_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![run, columns, now])?;
    Ok(())
}

/// The column definitions saved for `run`, as stored text.
pub(crate) fn load_columns(conn: &Connection, run: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT columns FROM run_columns WHERE run = ?1")?
        .query_row(params![run], |r| r.get(0))
        .optional()
}
