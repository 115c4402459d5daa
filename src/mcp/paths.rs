//! Where the MCP server may read and write: only under the directories given on its
//! command line (the current directory by default). An agent is a remote party as far as
//! the user's files are concerned; a path outside is refused with a clear error.

use std::path::{Component, Path, PathBuf};

/// Why a path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Outside every allowed directory (after resolving `..` and symlinks).
    #[error("{path} is outside the directories this server may use ({allowed})")]
    Outside {
        /// The path as given.
        path: String,
        /// The allowed directories.
        allowed: String,
    },
    /// The file or its directory does not exist.
    #[error("{path}: {detail}")]
    Missing {
        /// The path as given.
        path: String,
        /// What the system said.
        detail: String,
    },
}

/// The allowed directories, canonical.
#[derive(Debug, Clone)]
pub struct Roots {
    roots: Vec<PathBuf>,
}

impl Roots {
    /// Canonicalizes `dirs` (the current directory when empty).
    pub fn new(dirs: &[PathBuf]) -> std::io::Result<Roots> {
        let dirs = if dirs.is_empty() {
            vec![std::env::current_dir()?]
        } else {
            dirs.to_vec()
        };
        let roots = dirs
            .iter()
            .map(std::fs::canonicalize)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Roots { roots })
    }

    /// The allowed directories, for messages.
    pub fn describe(&self) -> String {
        self.roots
            .iter()
            .map(|r| r.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// An existing file to read, resolved (relative paths against the first root).
    pub fn existing(&self, path: &str) -> Result<PathBuf, PathError> {
        let joined = self.join(path);
        let resolved = std::fs::canonicalize(&joined).map_err(|e| PathError::Missing {
            path: path.to_owned(),
            detail: e.to_string(),
        })?;
        self.check(path, resolved)
    }

    /// A file to write (it may not exist yet; its directory must, inside a root).
    pub fn writable(&self, path: &str) -> Result<PathBuf, PathError> {
        let joined = self.join(path);
        if let Ok(existing) = std::fs::canonicalize(&joined) {
            return self.check(path, existing);
        }
        let name = joined
            .file_name()
            .filter(|n| {
                Path::new(n)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)))
            })
            .ok_or_else(|| PathError::Missing {
                path: path.to_owned(),
                detail: "not a file name".into(),
            })?
            .to_owned();
        let parent = joined.parent().unwrap_or(Path::new("."));
        let dir = std::fs::canonicalize(parent).map_err(|e| PathError::Missing {
            path: path.to_owned(),
            detail: format!("its directory: {e}"),
        })?;
        self.check(path, dir.join(name))
    }

    fn join(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        match self.roots.first() {
            Some(root) if p.is_relative() => root.join(p),
            _ => p.to_path_buf(),
        }
    }

    fn check(&self, given: &str, resolved: PathBuf) -> Result<PathBuf, PathError> {
        if self.roots.iter().any(|r| resolved.starts_with(r)) {
            Ok(resolved)
        } else {
            Err(PathError::Outside {
                path: given.to_owned(),
                allowed: self.describe(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_is_allowed_and_outside_refused() {
        let root = tempfile::tempdir().expect("root");
        let other = tempfile::tempdir().expect("other");
        std::fs::write(root.path().join("in.csv"), "a\n").expect("write");
        std::fs::write(other.path().join("secret.csv"), "a\n").expect("write");
        let roots = Roots::new(&[root.path().to_path_buf()]).expect("roots");
        assert!(roots.existing("in.csv").is_ok());
        assert!(roots.writable("out.csv").is_ok());
        let outside = other.path().join("secret.csv");
        let outside = outside.to_str().expect("utf-8");
        assert!(matches!(
            roots.existing(outside),
            Err(PathError::Outside { .. })
        ));
        assert!(matches!(
            roots.existing("../x/../../etc/passwd"),
            Err(PathError::Outside { .. }) | Err(PathError::Missing { .. })
        ));
        assert!(matches!(
            roots.writable(&format!("{}/new.csv", other.path().display())),
            Err(PathError::Outside { .. })
        ));
        // A symlink inside pointing outside is judged by where it points.
        std::os::unix::fs::symlink(
            other.path().join("secret.csv"),
            root.path().join("link.csv"),
        )
        .expect("symlink");
        assert!(matches!(
            roots.existing("link.csv"),
            Err(PathError::Outside { .. })
        ));
        assert!(roots.writable("..").is_err());
    }
}
