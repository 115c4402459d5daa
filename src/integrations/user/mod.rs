//! Integrations defined in files: the AI columns leadgrid ships (`assets/integrations/`,
//! compiled in) and the user's own, one TOML file each in `<config dir>/integrations.d/`
//! (the directory of `$LEADGRID_CONFIG` when that is set). The format is in [`definition`].
//!
//! Files are read once, when a catalog is loaded. A broken file never stops the others: its
//! error is kept ([`Problem`]) and shown by `leadgrid integrations` and the picker.
//!
//! A project may bring its own integrations in a `leadgrid.toml` beside its CSV ([`project`]);
//! they load only once the user trusted that file.
//!
//! Specs are `&'static` for every integration, so a file's spec is leaked once: interned by its
//! content, so loading the same files again (another catalog, a reload after the picker saved
//! one) costs nothing more. A process holds a handful of these.

pub mod check;
pub mod definition;
pub mod project;

use super::ai::AiColumn;
use super::datagen_tool::DatagenTool;
use super::http::HttpColumn;
use super::http::def::HttpDef;
use super::waterfall::Waterfall;
use super::{InputSpec, Integration, IntegrationSpec, OutputKind, OutputSpec, builtin};
use crate::config::{Config, FileProvider, LlmConfig};
use crate::providers::ProviderId;
use crate::providers::price::PriceList;
use definition::{Definition, InputDef, KindDef, OutputDef, OutputType};
use project::{Project, ProjectState, TrustStore};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// The integration definitions leadgrid ships, as (file name, text).
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "web_research.toml",
        include_str!("../../../assets/integrations/web_research.toml"),
    ),
    (
        "find_ceo.toml",
        include_str!("../../../assets/integrations/find_ceo.toml"),
    ),
    (
        "work_email.toml",
        include_str!("../../../assets/integrations/work_email.toml"),
    ),
    (
        "ceo_email.toml",
        include_str!("../../../assets/integrations/ceo_email.toml"),
    ),
    (
        "company_linkedin.toml",
        include_str!("../../../assets/integrations/company_linkedin.toml"),
    ),
];

/// The folder of user integrations inside the config directory.
pub const FOLDER: &str = "integrations.d";

/// What building integrations from files needs from the config.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Defaults of AI columns.
    pub llm: LlmConfig,
    /// Prices, for estimates.
    pub prices: PriceList,
}

impl Settings {
    /// The settings `config` gives.
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            llm: config.llm.clone(),
            prices: config.prices(),
        }
    }
}

/// A file that could not be loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The file.
    pub path: PathBuf,
    /// The name it declares, when it got that far.
    pub name: Option<String>,
    /// What is wrong, in one line.
    pub error: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.error)
    }
}

/// Why a definition could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// There is no config directory to save into.
    #[error("no config directory: set LEADGRID_CONFIG")]
    NoDirectory,
    /// The definition is not valid.
    #[error(transparent)]
    Invalid(#[from] definition::DefinitionError),
    /// It does not build (e.g. its prompt reads an undeclared input).
    #[error("{0}")]
    Unusable(String),
    /// Its name is taken by an integration written in code.
    #[error("the name {0:?} is taken by a built-in integration")]
    Taken(String),
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Where a file-defined integration comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Compiled in (`assets/integrations/`).
    Shipped,
    /// The user's `integrations.d/`.
    User,
    /// A trusted project's `leadgrid.toml`.
    Project,
}

/// Every integration, with the problems of files that did not load.
#[derive(Clone)]
pub struct Catalog {
    integrations: Vec<Arc<dyn Integration>>,
    definitions: HashMap<&'static str, (Definition, Origin)>,
    problems: Vec<Problem>,
    /// What a reviewer should know about files that loaded (a literal secret, plain http).
    warnings: Vec<Problem>,
    dir: Option<PathBuf>,
    /// The project file beside the CSV, trusted or not.
    project: Option<ProjectState>,
    /// `None` only when no config could be read at all: then only code integrations load.
    settings: Option<Settings>,
}

impl Catalog {
    /// Built-ins, shipped definitions, then the `.toml` files of `dir` (in name order). A user
    /// file may replace a shipped definition of the same name, never a built-in in code.
    pub fn load(dir: Option<PathBuf>, settings: Settings) -> Catalog {
        let mut catalog = Catalog {
            integrations: builtin(),
            definitions: HashMap::new(),
            problems: Vec::new(),
            warnings: Vec::new(),
            dir,
            project: None,
            settings: Some(settings),
        };
        let mut files: Vec<PathBuf> = match &catalog.dir {
            Some(dir) => match std::fs::read_dir(dir) {
                Ok(entries) => entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                    .collect(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => {
                    catalog.problems.push(Problem {
                        path: dir.clone(),
                        name: None,
                        error: format!("cannot read the folder: {e}"),
                    });
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        files.sort();
        let mut texts: Vec<(PathBuf, String, Origin)> = SHIPPED
            .iter()
            .map(|(file, text)| {
                let path = Path::new("<built-in>").join(file);
                (path, text.to_string(), Origin::Shipped)
            })
            .collect();
        for path in files {
            match std::fs::read_to_string(&path) {
                Ok(text) => texts.push((path, text, Origin::User)),
                Err(e) => catalog.problems.push(Problem {
                    path,
                    name: None,
                    error: format!("cannot read it: {e}"),
                }),
            }
        }
        // Waterfalls last: their steps may be any other file's integration (a user's own
        // version of find_ceo included).
        let (waterfalls, others): (Vec<_>, Vec<_>) = texts
            .into_iter()
            .partition(|(_, text, _)| is_waterfall(text));
        for (path, text, origin) in others.into_iter().chain(waterfalls) {
            catalog.add(path, &text, origin);
        }
        catalog
    }

    /// The catalog of the user's config directory, with the config's settings.
    pub fn from_config(config: &Config) -> Catalog {
        Catalog::load(
            Config::dir().map(|d| d.join(FOLDER)),
            Settings::from_config(config),
        )
    }

    /// This process's catalog, loaded once from the user's config (the defaults if the file
    /// is broken; only the integrations written in code if even those cannot be read).
    pub fn current() -> &'static Catalog {
        static CURRENT: OnceLock<Catalog> = OnceLock::new();
        CURRENT.get_or_init(|| {
            match Config::load().or_else(|_| Config::from_sources(None, |_| None)) {
                Ok(config) => Catalog::from_config(&config),
                Err(e) => Catalog {
                    integrations: builtin(),
                    definitions: HashMap::new(),
                    problems: vec![Problem {
                        path: Config::default_path().unwrap_or_default(),
                        name: None,
                        error: e.to_string(),
                    }],
                    warnings: Vec::new(),
                    dir: None,
                    project: None,
                    settings: None,
                },
            }
        })
    }

    /// Every integration that loaded, in picker order.
    pub fn integrations(&self) -> &[Arc<dyn Integration>] {
        &self.integrations
    }

    /// The integration called `name`.
    pub fn find(&self, name: &str) -> Option<Arc<dyn Integration>> {
        self.integrations
            .iter()
            .find(|i| i.spec().name == name)
            .cloned()
    }

    /// The definition of a file-defined integration (shipped, the user's or a project's).
    pub fn definition(&self, name: &str) -> Option<&Definition> {
        self.definitions.get(name).map(|(d, _)| d)
    }

    /// Whether `name` comes from a file of the user's (not written in code, not shipped).
    pub fn is_users(&self, name: &str) -> bool {
        self.origin(name) == Some(Origin::User)
    }

    /// Whether `name` comes from the trusted project file beside the CSV.
    pub fn is_projects(&self, name: &str) -> bool {
        self.origin(name) == Some(Origin::Project)
    }

    fn origin(&self, name: &str) -> Option<Origin> {
        self.definitions.get(name).map(|(_, o)| *o)
    }

    /// Files that did not load.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Warnings about files that loaded (a literal secret, data sent unencrypted).
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// The project file beside the CSV, when there is one.
    pub fn project(&self) -> Option<&ProjectState> {
        self.project.as_ref()
    }

    /// This catalog with the project file beside `csv`: its integrations join when it is
    /// trusted (remembered in `trust`, or `trust_now`, which remembers it), else it is only
    /// described ([`ProjectState`]) so the user can be asked.
    pub fn with_project_beside(self, csv: &Path, trust: &TrustStore, trust_now: bool) -> Catalog {
        match Project::beside(csv) {
            Ok(project) => self.with_project(project, trust, trust_now),
            Err(problem) => {
                let mut catalog = self;
                catalog.problems.push(problem);
                catalog
            }
        }
    }

    /// This catalog with `project` (see [`Catalog::with_project_beside`]).
    pub fn with_project(
        mut self,
        project: Option<Project>,
        trust: &TrustStore,
        trust_now: bool,
    ) -> Catalog {
        let Some(project) = project else {
            self.project = None;
            return self;
        };
        let mut trusted = trust.is_trusted(&project);
        if trust_now && !trusted {
            if let Err(e) = trust.trust(&project) {
                self.warnings.push(Problem {
                    path: project.path.clone(),
                    name: None,
                    error: format!("trusted for this run only: {e}"),
                });
            }
            trusted = true;
        }
        self.attach(project, trusted, trust.clone());
        self
    }

    /// Describes `project` (trust remembered in `store`) and, when `trusted`, adds its
    /// integrations.
    fn attach(&mut self, project: Project, trusted: bool, store: TrustStore) {
        let (definitions, problems) = project.definitions();
        if trusted {
            self.problems.extend(problems);
            for def in &definitions {
                self.insert(project.path.clone(), def.clone(), Origin::Project);
            }
        }
        self.project = Some(ProjectState::new(project, trusted, &definitions, store));
    }

    /// Tells `config` what integration files say about their calls, for the session: the
    /// rate limits and timeouts of their own providers ([`Config::file_providers`]) and the
    /// price of one call ([`Config::file_prices`], priced by the caller and counted by budgets
    /// like any provider's). A project not trusted yet adds what only it declares: nothing
    /// calls it until it is trusted, and then the running session knows it.
    pub fn configure(&self, config: &mut Config) {
        let mut providers = BTreeMap::new();
        let mut prices = BTreeMap::new();
        for (def, _) in self.definitions.values() {
            declare(def, &mut providers, &mut prices);
        }
        if let Some(state) = self.project.as_ref().filter(|p| !p.trusted) {
            let (mut pending_providers, mut pending_prices) = (BTreeMap::new(), BTreeMap::new());
            for def in &state.project.definitions().0 {
                declare(def, &mut pending_providers, &mut pending_prices);
            }
            for (id, fact) in pending_providers {
                providers.entry(id).or_insert(fact);
            }
            for (key, usd) in pending_prices {
                prices.entry(key).or_insert(usd);
            }
        }
        config.file_providers = providers;
        config.file_prices = prices;
    }

    /// The folder user integrations are read from and saved to.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The settings integrations are built with (`None`: no config could be read).
    pub fn settings(&self) -> Option<&Settings> {
        self.settings.as_ref()
    }

    /// Builds a definition without adding it (a dry run in the picker, `integrations check`).
    pub fn build(&self, def: &Definition) -> Result<Arc<dyn Integration>, String> {
        let settings = self.settings.as_ref().ok_or(NO_CONFIG)?;
        match &def.kind {
            KindDef::Ai(ai) => Ok(Arc::new(AiColumn::new(def, ai, settings)?)),
            KindDef::Http(http) => Ok(Arc::new(HttpColumn::new(def, http)?)),
            KindDef::Datagen(datagen) => Ok(Arc::new(DatagenTool::new(def, datagen, settings)?)),
            KindDef::Waterfall(wf) => Ok(Arc::new(Waterfall::new(def, wf, settings, &|name| {
                self.find(name)
            })?)),
        }
    }

    /// Writes `def` to `<dir>/<name>.toml` (atomically, replacing an older version) and loads
    /// the folder again. Returns the file written.
    pub fn save(&mut self, def: &Definition) -> Result<PathBuf, SaveError> {
        def.check()?;
        if builtin().iter().any(|i| i.spec().name == def.name) {
            return Err(SaveError::Taken(def.name.clone()));
        }
        self.build(def).map_err(SaveError::Unusable)?;
        let dir = self.dir.clone().ok_or(SaveError::NoDirectory)?;
        let path = dir.join(format!("{}.toml", def.name));
        let text = def.to_toml()?;
        let write = |e| SaveError::Write {
            path: path.clone(),
            source: e,
        };
        std::fs::create_dir_all(&dir).map_err(write)?;
        let tmp = dir.join(format!(".{}.toml.tmp-{}", def.name, std::process::id()));
        std::fs::write(&tmp, text).map_err(write)?;
        std::fs::rename(&tmp, &path).map_err(write)?;
        if let Some(settings) = self.settings.clone() {
            let project = self.project.take();
            *self = Catalog::load(Some(dir), settings);
            if let Some(state) = project {
                self.attach(state.project, state.trusted, state.store);
            }
        }
        Ok(path)
    }

    /// Adds one file's integration, or its problem.
    fn add(&mut self, path: PathBuf, text: &str, origin: Origin) {
        match Definition::parse(text) {
            Ok(definition) => self.insert(path, definition, origin),
            Err(e) => {
                let name = text
                    .parse::<toml::Table>()
                    .ok()
                    .and_then(|t| t.get("name")?.as_str().map(str::to_string));
                self.problems.push(Problem {
                    path,
                    name,
                    error: e.to_string(),
                });
            }
        }
    }

    /// Adds a definition read from `path`, or its problem (a name already taken, a definition
    /// that does not build), and its warnings.
    fn insert(&mut self, path: PathBuf, definition: Definition, origin: Origin) {
        let problem = |error: String| Problem {
            path: path.clone(),
            name: Some(definition.name.clone()),
            error,
        };
        let existing = self
            .integrations
            .iter()
            .position(|i| i.spec().name == definition.name);
        // A user's file may replace a shipped definition (their own version of web_research),
        // once: a second file with the same name is a mistake.
        let replaceable = existing.filter(|_| {
            origin == Origin::User && self.origin(&definition.name) == Some(Origin::Shipped)
        });
        if existing.is_some() && replaceable.is_none() {
            let by = if builtin().iter().any(|i| i.spec().name == definition.name) {
                "a built-in integration"
            } else {
                "another file"
            };
            self.problems.push(problem(format!(
                "the name {:?} is already used by {by}",
                definition.name
            )));
            return;
        }
        match self.build(&definition) {
            Ok(integration) => {
                let name = integration.spec().name;
                match replaceable {
                    Some(at) => self.integrations[at] = integration,
                    None => self.integrations.push(integration),
                }
                for warning in definition.warnings() {
                    self.warnings.push(problem(warning));
                }
                self.definitions.insert(name, (definition, origin));
            }
            Err(e) => self.problems.push(problem(e)),
        }
    }
}

/// Whether a file's text declares `kind = "waterfall"`.
fn is_waterfall(text: &str) -> bool {
    text.parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("kind")?.as_str().map(|k| k == "waterfall"))
        .unwrap_or(false)
}

/// What one definition says about its calls: its own provider's limits (`http`), and the price
/// of one call by `provider.tool` (`http`, `datagen`, when the file gives a `cost`).
fn declare(
    def: &Definition,
    providers: &mut BTreeMap<ProviderId, FileProvider>,
    prices: &mut BTreeMap<String, f64>,
) {
    match &def.kind {
        KindDef::Http(http) => {
            let id = HttpDef::provider(def);
            providers.entry(id).or_default().merge(&FileProvider {
                rate_limit: http.rate_limit,
                timeout: http.timeout.map(std::time::Duration::from_secs),
                cost_per_call: def.cost.unwrap_or(0.0),
            });
            if let Some(usd) = def.cost {
                prices.insert(format!("{id}.{}", def.name), usd);
            }
        }
        KindDef::Datagen(datagen) => {
            if let Some(usd) = def.cost {
                let id = super::datagen_tool::DatagenDef::provider(def);
                prices.insert(format!("{id}.{}", datagen.tool.trim()), usd);
            }
        }
        KindDef::Ai(_) | KindDef::Waterfall(_) => {}
    }
}

/// Why nothing can be built without settings.
const NO_CONFIG: &str = "no config could be read, so integrations from files cannot be built";

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn leak_list(items: &[String]) -> &'static [&'static str] {
    Box::leak(
        items
            .iter()
            .map(|s| leak(s))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

/// Tool names of a file-defined integration, leaked once per distinct list.
pub(crate) fn intern_tools(tools: &[String]) -> &'static [&'static str] {
    static TOOLS: Mutex<Vec<&'static [&'static str]>> = Mutex::new(Vec::new());
    let mut known = TOOLS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(found) = known.iter().find(|t| t.iter().eq(tools.iter())) {
        return found;
    }
    let leaked = leak_list(tools);
    known.push(leaked);
    leaked
}

/// The spec of a file-defined integration: leaked once per distinct content (see the module
/// documentation), the same `&'static` for the same content afterwards.
pub(crate) fn intern_spec(
    def: &Definition,
    inputs: &[InputDef],
    provider: ProviderId,
    tools: &'static [&'static str],
    cost: f64,
) -> &'static IntegrationSpec {
    static SPECS: Mutex<Vec<(String, &'static IntegrationSpec)>> = Mutex::new(Vec::new());
    let key = format!(
        "{}\u{1f}{}\u{1f}{provider}\u{1f}{tools:?}\u{1f}{inputs:?}\u{1f}{:?}\u{1f}{}",
        def.name,
        def.description,
        def.outputs,
        cost.to_bits()
    );
    let mut specs = SPECS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, spec)) = specs.iter().find(|(k, _)| *k == key) {
        return spec;
    }
    let spec: &'static IntegrationSpec = Box::leak(Box::new(IntegrationSpec {
        name: leak(&def.name),
        description: leak(&def.description),
        provider,
        tools,
        inputs: Box::leak(
            inputs
                .iter()
                .map(|i| InputSpec {
                    name: leak(&i.name),
                    description: leak(&i.description),
                    guesses: leak_list(&i.guess),
                    required: i.required,
                    allows_constant: false,
                })
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        ),
        outputs: Box::leak(
            def.outputs
                .iter()
                .map(output_spec)
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        ),
        cost_per_row_usd: cost,
    }));
    specs.push((key, spec));
    spec
}

fn output_spec(o: &OutputDef) -> OutputSpec {
    OutputSpec {
        name: leak(&o.name),
        kind: match o.kind {
            OutputType::Text => OutputKind::Text,
            OutputType::Number => OutputKind::Number,
            OutputType::Integer => OutputKind::Integer,
            OutputType::Bool => OutputKind::Bool,
            OutputType::Date => OutputKind::Date,
            OutputType::Url => OutputKind::Url,
            OutputType::UrlList => OutputKind::UrlList,
            OutputType::Enum => OutputKind::Enum(leak_list(&o.choices)),
        },
        description: leak(&o.description),
    }
}

#[cfg(test)]
mod tests;
