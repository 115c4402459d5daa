//! A project's own integrations: `leadgrid.toml` beside a CSV, holding `[[integrations]]` in
//! the `integrations.d/` format. Opening a folder must never send its rows somewhere the user
//! did not choose, so the file is used only after the user trusted it: its SHA-256 is
//! remembered in the config directory (`trusted-projects.toml`, by path), and a changed file is
//! asked about again. Until then it is only described: which integrations, sending what where.

use super::Problem;
use super::definition::{Definition, KindDef};
use crate::config::Config;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The project file's name, beside the CSV.
pub const FILE: &str = "leadgrid.toml";

/// Where trusted project files are remembered, in the config directory.
pub const TRUST_FILE: &str = "trusted-projects.toml";

/// A project file as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The file, absolute.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// SHA-256 of its bytes, hex.
    pub hash: String,
}

impl Project {
    /// The project file beside `csv`, if there is one; a file that cannot be read is a problem.
    pub fn beside(csv: &Path) -> Result<Option<Project>, Problem> {
        let dir = match csv.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let path = dir.join(FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Problem {
                    path,
                    name: None,
                    error: format!("cannot read it: {e}"),
                });
            }
        };
        let path = std::path::absolute(&path).unwrap_or(path);
        Ok(Some(Project::from_bytes(path, &bytes)))
    }

    /// A project file at `path` with these contents.
    pub fn from_bytes(path: PathBuf, bytes: &[u8]) -> Project {
        Project {
            hash: format!("{:x}", Sha256::digest(bytes)),
            text: String::from_utf8_lossy(bytes).into_owned(),
            path,
        }
    }

    /// The integrations it defines, and the entries that are not valid.
    pub fn definitions(&self) -> (Vec<Definition>, Vec<Problem>) {
        let problem = |name: Option<String>, error: String| Problem {
            path: self.path.clone(),
            name,
            error,
        };
        let mut table: toml::Table = match self.text.parse() {
            Ok(t) => t,
            Err(e) => {
                let e: toml::de::Error = e;
                return (
                    Vec::new(),
                    vec![problem(None, e.message().trim().to_string())],
                );
            }
        };
        let mut problems: Vec<Problem> = table
            .keys()
            .filter(|k| *k != "integrations")
            .map(|k| {
                problem(
                    None,
                    format!("unknown key {k:?}: {FILE} holds [[integrations]] tables only"),
                )
            })
            .collect();
        let entries = match table.remove("integrations") {
            Some(toml::Value::Array(entries)) => entries,
            Some(_) => {
                problems.push(problem(
                    None,
                    "integrations must be [[integrations]] tables".into(),
                ));
                Vec::new()
            }
            None => Vec::new(),
        };
        let mut definitions = Vec::new();
        for entry in entries {
            let toml::Value::Table(entry) = entry else {
                problems.push(problem(
                    None,
                    "integrations must be [[integrations]] tables".into(),
                ));
                continue;
            };
            let name = entry
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_string);
            match Definition::from_table(entry) {
                Ok(def) => definitions.push(def),
                Err(e) => problems.push(problem(name, e.to_string())),
            }
        }
        (definitions, problems)
    }
}

/// A project file and whether it is trusted, with what trusting it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectState {
    /// The file.
    pub project: Project,
    /// Whether its integrations are used.
    pub trusted: bool,
    /// Each integration it defines, with where it sends rows.
    pub integrations: Vec<(String, String)>,
    /// Where trusting it is remembered.
    pub store: TrustStore,
}

impl ProjectState {
    /// The state of `project` (trust remembered in `store`), describing `definitions`.
    pub fn new(
        project: Project,
        trusted: bool,
        definitions: &[Definition],
        store: TrustStore,
    ) -> ProjectState {
        ProjectState {
            project,
            trusted,
            store,
            integrations: definitions
                .iter()
                .map(|d| (d.name.clone(), destination(d)))
                .collect(),
        }
    }

    /// Whether it defines `name`.
    pub fn defines(&self, name: &str) -> bool {
        self.integrations.iter().any(|(n, _)| n == name)
    }

    /// One line per integration: `company_size → api.example.com`.
    pub fn describe(&self) -> String {
        self.integrations
            .iter()
            .map(|(name, to)| format!("  {name} → {to}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Where an integration sends a row's values.
pub fn destination(def: &Definition) -> String {
    match &def.kind {
        KindDef::Http(http) => http.host().unwrap_or_else(|| http.url.clone()),
        KindDef::Datagen(d) => format!("DataGen (tool {})", d.tool.trim()),
        KindDef::Waterfall(wf) => {
            let steps: Vec<&str> = wf.steps.iter().map(|s| s.integration.trim()).collect();
            format!("its steps' providers ({})", steps.join(" → "))
        }
        KindDef::Ai(ai) => {
            let llm = ai.llm.map_or("the configured LLM", |l| match l {
                crate::config::LlmProvider::Anthropic => "Anthropic",
                crate::config::LlmProvider::Openai => "an OpenAI-compatible server",
            });
            if ai.research {
                format!("{llm}, after DataGen web research")
            } else {
                llm.to_string()
            }
        }
    }
}

/// Why trust could not be remembered.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// There is no config directory to remember it in.
    #[error("no config directory to remember it in: set LEADGRID_CONFIG")]
    NoDirectory,
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The project files the user trusted, by path, with the hash of what they trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustStore {
    file: Option<PathBuf>,
}

impl TrustStore {
    /// The store in the config directory (`$LEADGRID_CONFIG`'s, else the standard one).
    pub fn in_config_dir() -> TrustStore {
        TrustStore {
            file: Config::dir().map(|d| d.join(TRUST_FILE)),
        }
    }

    /// The store in `file`.
    pub fn at(file: PathBuf) -> TrustStore {
        TrustStore { file: Some(file) }
    }

    /// Whether `project`, as it is now, was trusted.
    pub fn is_trusted(&self, project: &Project) -> bool {
        self.read()
            .get(&key(&project.path))
            .is_some_and(|hash| *hash == project.hash)
    }

    /// Remembers `project` as it is now (replacing what was trusted at its path before).
    pub fn trust(&self, project: &Project) -> Result<(), TrustError> {
        let file = self.file.as_ref().ok_or(TrustError::NoDirectory)?;
        let mut trusted = self.read();
        trusted.insert(key(&project.path), project.hash.clone());
        let mut text = String::from(
            "# Project files (leadgrid.toml) you trusted: path = SHA-256 of the content you trusted.\n\
             # leadgrid asks again when a file changes. Delete a line to be asked again.\n",
        );
        for (path, hash) in &trusted {
            text.push_str(&format!(
                "{} = \"{hash}\"\n",
                toml::Value::String(path.clone())
            ));
        }
        let write = |source| TrustError::Write {
            path: file.clone(),
            source,
        };
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(write)?;
        }
        let tmp = file.with_extension(format!("toml.tmp-{}", std::process::id()));
        std::fs::write(&tmp, text).map_err(write)?;
        std::fs::rename(&tmp, file).map_err(write)
    }

    /// What is remembered; an unreadable file remembers nothing (so the user is asked again).
    fn read(&self) -> BTreeMap<String, String> {
        let Some(text) = self
            .file
            .as_ref()
            .and_then(|f| std::fs::read_to_string(f).ok())
        else {
            return BTreeMap::new();
        };
        text.parse::<toml::Table>()
            .map(|t| {
                t.into_iter()
                    .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// How a project file's path is remembered.
fn key(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str = r#"
[[integrations]]
name = "company_size"
kind = "http"
url = "https://api.example.com/v1/companies?domain={{domain}}"

[[integrations.outputs]]
name = "employees"
type = "integer"
path = "$.company.employees"

[[integrations]]
name = "broken"
kind = "http"
"#;

    #[test]
    fn a_project_file_is_read_entry_by_entry() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("leads.csv");
        assert_eq!(Project::beside(&csv).unwrap(), None);
        std::fs::write(dir.path().join(FILE), PROJECT).unwrap();
        let project = Project::beside(&csv).unwrap().unwrap();
        assert!(project.path.is_absolute());
        assert_eq!(project.hash.len(), 64);
        let (defs, problems) = project.definitions();
        assert_eq!(defs.len(), 1);
        assert_eq!(defs[0].name, "company_size");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].name.as_deref(), Some("broken"));
        let state = ProjectState::new(project, false, &defs, TrustStore { file: None });
        assert_eq!(state.describe(), "  company_size → api.example.com");
        let odd = Project::from_bytes(dir.path().join(FILE), b"rate = 1\n");
        assert!(
            odd.definitions().1[0]
                .error
                .contains("[[integrations]] tables only")
        );
    }

    #[test]
    fn trust_is_remembered_by_path_and_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = TrustStore::at(dir.path().join("config").join(TRUST_FILE));
        let project = Project::from_bytes(dir.path().join(FILE), PROJECT.as_bytes());
        assert!(!store.is_trusted(&project));
        store.trust(&project).unwrap();
        assert!(store.is_trusted(&project));
        let changed = Project::from_bytes(dir.path().join(FILE), b"# changed\n");
        assert!(
            !store.is_trusted(&changed),
            "a changed file is asked about again"
        );
        let elsewhere =
            Project::from_bytes(dir.path().join("other").join(FILE), PROJECT.as_bytes());
        assert!(!store.is_trusted(&elsewhere), "trust is per file");
        store.trust(&changed).unwrap();
        assert!(store.is_trusted(&changed) && !store.is_trusted(&project));
        let nowhere = TrustStore { file: None };
        assert!(matches!(
            nowhere.trust(&project),
            Err(TrustError::NoDirectory)
        ));
    }
}
