//! Where the store file lives: an explicit path, else `LEADGRID_STORE`, else the per-user data dir.
//!
//! One store per user (not one beside each CSV) so the response cache is shared by every
//! lead list: the same profile looked up from two files is paid for once.

use super::StoreError;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Environment variable that overrides the store's location.
pub const STORE_ENV: &str = "LEADGRID_STORE";

/// File name of the store inside the data directory.
pub const STORE_FILE: &str = "leadgrid.sqlite3";

/// The store path for this process: `explicit`, else `$LEADGRID_STORE`, else
/// `<data dir>/leadgrid.sqlite3` (e.g. `~/.local/share/leadgrid/leadgrid.sqlite3` on Linux).
pub fn store_path(explicit: Option<&Path>) -> Result<PathBuf, StoreError> {
    resolve(explicit, std::env::var_os(STORE_ENV), default_data_dir)
}

/// The per-user data directory from `directories`, if the platform has one.
fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "leadgrid", "leadgrid")
        .map(|d| d.data_dir().to_path_buf())
}

/// The precedence rule, with the environment and the platform passed in so it is testable.
fn resolve(
    explicit: Option<&Path>,
    env: Option<OsString>,
    data_dir: impl FnOnce() -> Option<PathBuf>,
) -> Result<PathBuf, StoreError> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    if let Some(path) = env.filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    data_dir()
        .map(|dir| dir.join(STORE_FILE))
        .ok_or(StoreError::NoDataDir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Option<PathBuf> {
        Some(PathBuf::from("/data/leadgrid"))
    }

    #[test]
    fn explicit_beats_env_beats_data_dir() {
        let explicit = Path::new("/x/mine.sqlite3");
        assert_eq!(
            resolve(Some(explicit), Some("/env.sqlite3".into()), data).unwrap(),
            explicit
        );
        assert_eq!(
            resolve(None, Some("/env.sqlite3".into()), data).unwrap(),
            Path::new("/env.sqlite3")
        );
        assert_eq!(
            resolve(None, None, data).unwrap(),
            Path::new("/data/leadgrid/leadgrid.sqlite3")
        );
    }

    #[test]
    fn empty_env_is_ignored_and_missing_data_dir_is_an_error() {
        assert_eq!(
            resolve(None, Some(OsString::new()), data).unwrap(),
            Path::new("/data/leadgrid/leadgrid.sqlite3")
        );
        assert_eq!(resolve(None, None, || None), Err(StoreError::NoDataDir));
    }
}
