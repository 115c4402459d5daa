//! The journal's keys: the run identity and the row key (a hash of the row's mapped input
//! values). The response cache is keyed by [`crate::providers::RequestKey`].

use super::StoreError;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// A stable row key: FNV-1a-128 of the canonical JSON of the row's mapped input values, in hex.
///
/// Hashing the inputs (not the row number) means a finished cell is found again after rows are
/// sorted, inserted or deleted, or unrelated columns are edited; editing an input correctly
/// makes the old result not apply. Two rows with identical inputs share one entry, which is
/// right because the result is a function of the inputs. Values are hashed exactly as mapped
/// (no trimming), so any visible change to an input counts as a change.
pub fn input_hash(inputs: &BTreeMap<String, String>) -> String {
    // A BTreeMap serializes in key order, without whitespace: canonical as it is.
    let canonical = serde_json::to_string(inputs).unwrap_or_default();
    let hash = canonical
        .bytes()
        .fold(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d_u128, |h, b| {
            (h ^ u128::from(b)).wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b)
        });
    let mut hex = String::with_capacity(32);
    let _ = write!(hex, "{hash:032x}");
    hex
}

/// Which run a journal entry belongs to: the input CSV's canonical path (plus the output path
/// for `leadgrid run`), so reopening the same file finds its finished cells.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RunId(String);

impl RunId {
    /// The run for a sheet opened in the TUI.
    pub fn for_sheet(input: &Path) -> Result<RunId, StoreError> {
        Ok(RunId(canonical(input)?))
    }

    /// The run for `leadgrid run INPUT --output OUTPUT`; the output may not exist yet.
    pub fn for_headless(input: &Path, output: &Path) -> Result<RunId, StoreError> {
        Ok(RunId(format!(
            "{}\n{}",
            canonical(input)?,
            canonical(output)?
        )))
    }

    /// A run identified by an explicit string (tests and callers with their own identity).
    pub fn new(id: impl Into<String>) -> RunId {
        RunId(id.into())
    }

    /// The identity as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The canonical path of `path`, or of its parent joined with its file name when the file does
/// not exist yet.
fn canonical(path: &Path) -> Result<String, StoreError> {
    let err = |e: std::io::Error| StoreError::RunPath {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let resolved = match std::fs::canonicalize(path) {
        Ok(p) => p,
        Err(e) => {
            let name = path.file_name().ok_or_else(|| err(e))?;
            let parent = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(p) => p,
                None => Path::new("."),
            };
            std::fs::canonicalize(parent).map_err(err)?.join(name)
        }
    };
    Ok(resolved.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_hash_depends_on_values_only() {
        let row = |url: &str, name: &str| -> BTreeMap<String, String> {
            [
                ("linkedin_url".to_string(), url.to_string()),
                ("name".to_string(), name.to_string()),
            ]
            .into_iter()
            .collect()
        };
        let h = input_hash(&row("linkedin.com/in/a", "Ada"));
        assert_eq!(h.len(), 32);
        assert_eq!(h, input_hash(&row("linkedin.com/in/a", "Ada")));
        assert_ne!(h, input_hash(&row("linkedin.com/in/a", "Ada ")));
        assert_ne!(h, input_hash(&row("linkedin.com/in/b", "Ada")));
        // Field boundaries are unambiguous.
        assert_ne!(input_hash(&row("ab", "c")), input_hash(&row("a", "bc")));
        // Pinned (FNV-1a-128 of `{}`, checked independently): the hash must never change between
        // versions, or journals stop matching.
        assert_eq!(
            input_hash(&BTreeMap::new()),
            "0880955dd2ab1be95aa0733055c655b5"
        );
        let escaped = row("linkedin.com/in/a", "Ada \"Q\" \u{1}é");
        assert_eq!(input_hash(&escaped), "84734f50e4cad2b77e1c98de850320bc");
    }

    #[test]
    fn run_ids_use_canonical_paths() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("leads.csv");
        std::fs::write(&csv, "a\n1\n").unwrap();
        let via_dot = dir.path().join(".").join("leads.csv");
        assert_eq!(
            RunId::for_sheet(&csv).unwrap(),
            RunId::for_sheet(&via_dot).unwrap()
        );
        let out = dir.path().join("out.csv");
        let headless = RunId::for_headless(&csv, &out).unwrap();
        assert_ne!(headless, RunId::for_sheet(&csv).unwrap());
        assert!(headless.as_str().ends_with("out.csv"));
        assert!(RunId::for_sheet(&dir.path().join("missing-dir/x.csv")).is_err());
    }
}
