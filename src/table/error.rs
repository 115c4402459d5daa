//! Errors of loading and saving a sheet, with messages that say what and where.

use std::io;
use std::path::{Path, PathBuf};

/// Why a CSV file could not be (fully) loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The file does not exist.
    #[error("not found: {}", path.display())]
    NotFound { path: PathBuf },
    /// The file exists but may not be read.
    #[error("permission denied: {}", path.display())]
    PermissionDenied { path: PathBuf },
    /// Any other I/O failure (kept as text so the error can be cloned and shown again).
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    /// The bytes are not UTF-8 (and no other encoding was asked for).
    #[error(
        "{}: invalid UTF-8 at line {line}, byte offset {offset} (try --encoding latin1)",
        path.display()
    )]
    InvalidUtf8 {
        path: PathBuf,
        line: u64,
        offset: u64,
    },
    /// A quoted field is still open at the end of the file.
    #[error("{}: unterminated quote starting at line {line}", path.display())]
    UnterminatedQuote { path: PathBuf, line: u64 },
}

impl LoadError {
    /// Classifies an I/O error met while reading `path`.
    pub fn from_io(path: &Path, err: &io::Error) -> LoadError {
        let path = path.to_path_buf();
        match err.kind() {
            io::ErrorKind::NotFound => LoadError::NotFound { path },
            io::ErrorKind::PermissionDenied => LoadError::PermissionDenied { path },
            _ => LoadError::Io {
                path,
                message: err.to_string(),
            },
        }
    }
}

/// Why a save failed; the target file is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Creating, writing, syncing or renaming failed.
    #[error("cannot save {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// A value has a character the file's encoding cannot hold (1-based row and column).
    #[error("cannot encode {ch:?} as latin1 at row {row}, column {col}")]
    Unencodable { row: usize, col: usize, ch: char },
    /// The original file could not be read back while saving.
    #[error(transparent)]
    Load(#[from] LoadError),
}
