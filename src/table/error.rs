//! Errors of loading and saving a sheet, with messages that say what and where.

use std::io;
use std::path::{Path, PathBuf};

/// Why a CSV file could not be (fully) loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The file does not exist.
    #[error("not found: {}", path.display())]
    NotFound {
        /// The file asked for.
        path: PathBuf,
    },
    /// The file exists but may not be read.
    #[error("permission denied: {}", path.display())]
    PermissionDenied {
        /// The file asked for.
        path: PathBuf,
    },
    /// Any other I/O failure (kept as text so the error can be cloned and shown again).
    #[error("{}: {message}", path.display())]
    Io {
        /// The file being read.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// The bytes are not UTF-8 (and no other encoding was asked for).
    #[error(
        "{}: invalid UTF-8 at line {line}, byte offset {offset} (try --encoding latin1)",
        path.display()
    )]
    InvalidUtf8 {
        /// The file being read.
        path: PathBuf,
        /// 1-based line of the bad byte.
        line: u64,
        /// Byte offset of the bad byte from the start of the file.
        offset: u64,
    },
    /// A quoted field is still open at the end of the file.
    #[error("{}: unterminated quote starting at line {line}", path.display())]
    UnterminatedQuote {
        /// The file being read.
        path: PathBuf,
        /// 1-based line where the quote opens.
        line: u64,
    },
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
    Io {
        /// The file being saved.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// The file changed on disk since it was opened or last saved (another program or
    /// another leadgrid wrote it): saving now would overwrite that work.
    #[error("{} changed on disk since it was opened; overwrite it, save as another file, or cancel", path.display())]
    ChangedOnDisk {
        /// The file.
        path: PathBuf,
    },
    /// A value has a character the file's encoding cannot hold (1-based row and column).
    #[error("cannot encode {ch:?} as latin1 at row {row}, column {col}")]
    Unencodable {
        /// 1-based row; 0 is the header.
        row: usize,
        /// 1-based column.
        col: usize,
        /// The character that does not fit.
        ch: char,
    },
    /// The original file could not be read back while saving.
    #[error(transparent)]
    Load(#[from] LoadError),
}
