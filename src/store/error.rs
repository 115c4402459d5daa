//! Typed store errors, with messages a user can act on.

use std::path::{Path, PathBuf};

/// Why the store could not be opened or could not do what was asked.
///
/// Details are kept as text so one failed group commit can be reported to every writer in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No per-user data directory could be determined (no home directory).
    #[error("no data directory for this user; set LEADGRID_STORE to the store file's path")]
    NoDataDir,
    /// The directory that should hold the store could not be created.
    #[error("cannot create the store directory {}: {detail}", path.display())]
    CreateDir { path: PathBuf, detail: String },
    /// The file is damaged or is not a SQLite database at all.
    #[error(
        "the store {} is corrupt or not a database ({detail}); move it away or set LEADGRID_STORE to another path",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
    /// A valid SQLite database that belongs to something else.
    #[error(
        "{} is a SQLite database but not a leadgrid store; set LEADGRID_STORE to another path",
        path.display()
    )]
    Foreign { path: PathBuf },
    /// Another process holds the database lock for longer than the busy timeout.
    #[error("the store {} is locked by another process (is another leadgrid running?)", path.display())]
    Locked { path: PathBuf },
    /// The file or its directory cannot be opened for writing.
    #[error("the store {} cannot be opened for writing: {detail}", path.display())]
    Unwritable { path: PathBuf, detail: String },
    /// The disk (or the database size limit) is full.
    #[error("the disk holding the store {} is full; results are kept in memory only", path.display())]
    DiskFull { path: PathBuf },
    /// The file was written by a newer leadgrid with a schema this build does not know.
    #[error(
        "the store {} has schema version {found}, newer than this leadgrid understands ({supported}); upgrade leadgrid",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// The input or output path that identifies a run could not be resolved.
    #[error("cannot resolve the run path {}: {detail}", path.display())]
    RunPath { path: PathBuf, detail: String },
    /// Any other SQLite failure.
    #[error("store error on {}: {detail}", path.display())]
    Sqlite { path: PathBuf, detail: String },
    /// A stored or given value could not be converted to or from JSON.
    #[error("store data is not valid JSON: {0}")]
    Json(String),
    /// The store thread has stopped (it only stops when every handle is dropped, or on a bug).
    #[error("the store thread has stopped")]
    Closed,
}

impl StoreError {
    /// Maps a SQLite error on the database at `path` to the variant a user can act on.
    pub(crate) fn from_sqlite(path: &Path, err: &rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        let detail = err.to_string();
        match err.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                StoreError::Corrupt { path, detail }
            }
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Locked { path }
            }
            Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
            Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
                StoreError::Unwritable { path, detail }
            }
            _ => StoreError::Sqlite { path, detail },
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        StoreError::Json(err.to_string())
    }
}
