//! The MCP tools: discovery, file inspection and reading. Tool errors come back as
//! `isError` results whose text says what was wrong and what would work, so an agent can
//! correct itself.

use super::catalog::{self, IntegrationInfo};
use super::cells::CellReport;
use super::files::{self, FileInfo, RowsPage};
use super::paths::Roots;
use super::runs::{RunStatus, Runs, Status};
use crate::cli::{RunArgs, StoreArgs};
use crate::config::Config;
use crate::integrations::{Integration, registry};
use crate::run::default_output;
use crate::run::dry_run::DryRun;
use crate::session::Endpoints;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::model::{ProgressNotificationParam, RequestMetaObject};
use rmcp::{Peer, RoleServer};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Settings of one server.
#[derive(Clone)]
pub struct ServerSettings {
    /// Where files may be read and written.
    pub roots: Roots,
    /// Calls go to the built-in demo server (fictional data, no key, nothing charged).
    pub demo: bool,
    /// The settings runs use (in demo mode, pointed at the demo server).
    pub config: Config,
    /// The response cache and journal shared with the grid and `leadgrid run`.
    pub store: StoreArgs,
}

/// The leadgrid MCP server.
#[derive(Clone)]
pub struct LeadgridServer {
    settings: Arc<ServerSettings>,
    runs: Arc<Runs>,
    tool_router: ToolRouter<Self>,
}

/// Which rows and how: the parts of a run an agent chooses.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RunRequest {
    /// The input CSV file.
    pub path: String,
    /// Integrations to run, by name (see list_integrations).
    pub integrations: Vec<String>,
    /// Input name → the column feeding it, where the guess is not right (see inspect_file).
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
    /// Input name → one value for every row (e.g. a HeyReach sender id).
    #[serde(default)]
    pub constants: BTreeMap<String, String>,
    /// Only the first N rows in scope.
    pub first: Option<usize>,
    /// Only rows where this expression holds (e.g. `title ~ 'ceo' and linkedin_url is not empty`).
    #[serde(rename = "where")]
    pub condition: Option<String>,
    /// Only rows whose output columns are empty (new rows, and cells that failed before).
    #[serde(default)]
    pub only_empty_or_failed: bool,
    /// Where to write the result (default `<input>_enriched.csv` beside it).
    pub output: Option<String>,
    /// Spend at most this many US dollars (as `leadgrid run --max-cost`): no paid call starts
    /// once spent plus calls in flight would pass it; the cells left end as `budget` and a
    /// rerun with a bigger budget runs them. `estimate` says whether it covers the run.
    pub max_cost_usd: Option<f64>,
}

/// A run to start.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct EnrichArgs {
    /// What to run.
    #[serde(flatten)]
    pub run: RunRequest,
    /// Wait for the end and return the summary, with progress notifications (default true).
    /// With false, the run id comes back at once: follow it with run_status.
    pub wait: Option<bool>,
}

/// A re-run of unfinished cells.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RerunArgs {
    /// The same run as enrich was given.
    #[serde(flatten)]
    pub run: RunRequest,
    /// Only these 1-based data rows (default: every row). Finished cells (done, no data) come
    /// from the journal; failed and cancelled ones are asked again.
    #[serde(default)]
    pub rows: Vec<usize>,
    /// Wait for the end (default true).
    pub wait: Option<bool>,
}

/// Names a run.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RunIdArgs {
    /// The id enrich or rerun returned.
    pub run_id: String,
}

/// One cell of an enriched file.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct InspectCellArgs {
    /// The input file the run read.
    pub path: String,
    /// The output it wrote (default `<input>_enriched.csv`).
    pub output: Option<String>,
    /// The integration (column) of the cell.
    pub integration: String,
    /// 1-based data row.
    pub row: usize,
    /// The mapping the run was given, if any.
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
    /// The constants the run was given, if any.
    #[serde(default)]
    pub constants: BTreeMap<String, String>,
}

/// No arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NoArgs {}

/// Names one integration.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct IntegrationArgs {
    /// The integration's name, as `list_integrations` gives it.
    pub name: String,
}

/// Every integration.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Catalog {
    /// Built-in and user-defined integrations.
    pub integrations: Vec<IntegrationInfo>,
}

/// A file to inspect.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct InspectFileArgs {
    /// The CSV file (relative paths are under the server's first allowed directory).
    pub path: String,
    /// How many rows to include as a sample (default 5, at most 100).
    pub sample_rows: Option<usize>,
}

/// Rows to read.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReadRowsArgs {
    /// The CSV file.
    pub path: String,
    /// Keep only rows matching this expression (e.g. `follower_count > 1000 and title ~ 'ceo'`,
    /// `email is empty`), or containing this text in any cell. See docs/EXPRESSIONS.md.
    pub filter: Option<String>,
    /// Only these columns, in this order (default: all).
    #[serde(default)]
    pub columns: Vec<String>,
    /// Matching rows to skip first (default 0).
    pub offset: Option<usize>,
    /// At most this many rows (default 50, at most 1000).
    pub limit: Option<usize>,
}

impl LeadgridServer {
    /// A server with `settings`.
    pub fn new(settings: ServerSettings) -> LeadgridServer {
        LeadgridServer {
            settings: Arc::new(settings),
            runs: Arc::new(Runs::default()),
            tool_router: Self::tool_router(),
        }
    }

    /// The `leadgrid run` arguments for a request, with paths confined.
    fn run_args(&self, request: &RunRequest) -> Result<RunArgs, String> {
        let input = self
            .settings
            .roots
            .existing(&request.path)
            .map_err(|e| e.to_string())?;
        if request.integrations.is_empty() {
            return Err("give at least one integration (see list_integrations)".into());
        }
        let output = match &request.output {
            Some(out) => self.settings.roots.writable(out),
            None => self
                .settings
                .roots
                .writable(&default_output(&input).display().to_string()),
        }
        .map_err(|e| e.to_string())?;
        let mut args = RunArgs::new(input, request.integrations.clone());
        args.output = Some(output);
        args.map = request.mapping.clone().into_iter().collect();
        args.set = request.constants.clone().into_iter().collect();
        args.limit = request.first;
        args.condition = request.condition.clone();
        args.skip_existing = request.only_empty_or_failed;
        args.max_cost = match request.max_cost_usd {
            Some(usd) if !(usd.is_finite() && usd >= 0.0) => {
                return Err(format!(
                    "max_cost_usd must be a number of dollars ≥ 0, not {usd}"
                ));
            }
            other => other,
        };
        args.store = self.settings.store.clone();
        // The names the run would find: the catalog's, and a project file's beside the input
        // once the user trusted it (an agent never trusts one for them).
        let catalog =
            crate::run::catalog_for(&self.settings.config, &args).map_err(|e| e.to_string())?;
        crate::run::resolve(&catalog, &args.integrations).map_err(|e| e.to_string())?;
        Ok(args)
    }

    /// Starts `args` and, when asked to, waits for the end with progress notifications.
    async fn start(
        &self,
        args: RunArgs,
        wait: bool,
        meta: RequestMetaObject,
        client: Peer<RoleServer>,
    ) -> Result<Json<RunStatus>, String> {
        let output = args
            .output
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let (_, mut watch) = self
            .runs
            .start(self.settings.config.clone(), args, output)
            .map_err(|e| format!("cannot start the run: {e}"))?;
        if !wait {
            return Ok(Json(watch.borrow().clone()));
        }
        let token = meta.get_progress_token();
        loop {
            let now = watch.borrow_and_update().clone();
            if let Some(token) = &token {
                let p = &now.progress;
                let message = format!(
                    "{} of {} cells, {} failed{}",
                    p.finished,
                    p.cells,
                    p.failed,
                    if p.restored > 0 {
                        format!(", {} restored from an earlier run", p.restored)
                    } else {
                        String::new()
                    }
                );
                let _ = client
                    .notify_progress(
                        ProgressNotificationParam::new(token.clone(), p.finished as f64)
                            .with_total(p.cells as f64)
                            .with_message(message),
                    )
                    .await;
            }
            match now.status {
                Status::Running => {}
                Status::Failed => {
                    return Err(now.error.unwrap_or_else(|| "the run failed".into()));
                }
                Status::Finished => return Ok(Json(now)),
            }
            if watch.changed().await.is_err() {
                return Ok(Json(watch.borrow().clone()));
            }
        }
    }

    fn unknown_run(&self, id: &str) -> String {
        let ids = self.runs.ids();
        if ids.is_empty() {
            format!("no run `{id}`: no run was started yet")
        } else {
            format!("no run `{id}`; runs: {}", ids.join(", "))
        }
    }

    fn find(&self, name: &str) -> Result<Arc<dyn Integration>, String> {
        let all = registry();
        all.iter()
            .find(|i| i.spec().name == name.trim())
            .cloned()
            .ok_or_else(|| {
                let names: Vec<&str> = all.iter().map(|i| i.spec().name).collect();
                format!(
                    "unknown integration `{name}`; available: {}",
                    names.join(", ")
                )
            })
    }
}

/// Runs blocking file work off the protocol's tasks.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| format!("internal error: {e}"))?
}

#[tool_router]
impl LeadgridServer {
    /// Prices a run.
    #[tool(
        description = "Estimate a run without paying for anything: per integration, rows in scope, rows skipped for a missing input, rows the journal of an earlier identical run or the response cache answers (free), paid rows, calls and US dollars."
    )]
    async fn estimate(
        &self,
        Parameters(request): Parameters<RunRequest>,
    ) -> Result<Json<DryRun>, String> {
        let args = self.run_args(&request)?;
        let config = self.settings.config.clone();
        let plan = blocking(move || {
            crate::run::dry_run::dry_run_with(&config, &args).map_err(|e| e.to_string())
        })
        .await?;
        Ok(Json(plan))
    }

    /// Runs an enrichment.
    #[tool(
        description = "Enrich a CSV file: runs the integrations over the rows in scope and writes the input's columns plus the outputs (and <integration>_error columns where cells failed) to the output file. Cells answered before (journal, cache) are free. Streams progress notifications when the request has a progress token, and returns the summary: counts per state, calls made, cost saved, output path. With wait=false it returns the run id at once (see run_status, cancel_run); the run goes on either way."
    )]
    async fn enrich(
        &self,
        Parameters(args): Parameters<EnrichArgs>,
        meta: RequestMetaObject,
        client: Peer<RoleServer>,
    ) -> Result<Json<RunStatus>, String> {
        let run = self.run_args(&args.run)?;
        self.start(run, args.wait.unwrap_or(true), meta, client)
            .await
    }

    /// Re-runs unfinished cells.
    #[tool(
        description = "Re-run the failed and cancelled cells of an earlier enrich (same path, integrations and output), in every row or in the given rows; finished cells come back from the journal for free."
    )]
    async fn rerun(
        &self,
        Parameters(args): Parameters<RerunArgs>,
        meta: RequestMetaObject,
        client: Peer<RoleServer>,
    ) -> Result<Json<RunStatus>, String> {
        let mut run = self.run_args(&args.run)?;
        if !args.rows.is_empty() {
            run.rows = Some(args.rows);
        }
        self.start(run, args.wait.unwrap_or(true), meta, client)
            .await
    }

    /// Status of a run.
    #[tool(
        description = "Status of a run started by enrich or rerun: progress, and the summary once it finished."
    )]
    async fn run_status(
        &self,
        Parameters(args): Parameters<RunIdArgs>,
    ) -> Result<Json<RunStatus>, String> {
        self.runs
            .status(&args.run_id)
            .map(Json)
            .ok_or_else(|| self.unknown_run(&args.run_id))
    }

    /// Cancels a run.
    #[tool(
        description = "Cancel a run: calls in flight stop, and the partial result is written to its output."
    )]
    async fn cancel_run(
        &self,
        Parameters(args): Parameters<RunIdArgs>,
    ) -> Result<Json<RunStatus>, String> {
        self.runs
            .cancel(&args.run_id)
            .map(Json)
            .ok_or_else(|| self.unknown_run(&args.run_id))
    }

    /// One cell's story.
    #[tool(
        description = "Inspect one cell of an enriched file, from the run journal: its state, output values, error, and every call made (request parameters, attempts with status and timing, raw response). API keys never appear."
    )]
    async fn inspect_cell(
        &self,
        Parameters(args): Parameters<InspectCellArgs>,
    ) -> Result<Json<CellReport>, String> {
        let input = self
            .settings
            .roots
            .existing(&args.path)
            .map_err(|e| e.to_string())?;
        let output = match &args.output {
            Some(out) => self.settings.roots.writable(out),
            None => self
                .settings
                .roots
                .writable(&default_output(&input).display().to_string()),
        }
        .map_err(|e| e.to_string())?;
        let integration = self.find(&args.integration)?;
        let settings = self.settings.clone();
        let report = blocking(move || {
            super::cells::inspect(
                &settings.config,
                &settings.store,
                &input,
                &output,
                integration,
                args.row,
                &args.mapping,
                &args.constants,
            )
        })
        .await?;
        Ok(Json(report))
    }

    /// Lists every integration.
    #[tool(
        description = "List every enrichment integration (built-in and user-defined): inputs with the column names they are guessed from, outputs with types, provider, cost per row in USD, and whether it is ready to run (its API key is set)."
    )]
    async fn list_integrations(&self, _args: Parameters<NoArgs>) -> Json<Catalog> {
        let endpoints = Endpoints::from_config(&self.settings.config);
        Json(Catalog {
            integrations: registry()
                .iter()
                .map(|i| catalog::describe(i.as_ref(), &endpoints))
                .collect(),
        })
    }

    /// Describes one integration.
    #[tool(
        description = "Describe one integration: inputs, outputs with types, provider, cost, readiness."
    )]
    async fn describe_integration(
        &self,
        Parameters(args): Parameters<IntegrationArgs>,
    ) -> Result<Json<IntegrationInfo>, String> {
        let integration = self.find(&args.name)?;
        let endpoints = Endpoints::from_config(&self.settings.config);
        Ok(Json(catalog::describe(integration.as_ref(), &endpoints)))
    }

    /// Describes a CSV file.
    #[tool(
        description = "Inspect a CSV file: columns, row count, dialect, sample rows, reading notices, and for each integration whether its inputs can be mapped from the columns (with the guessed mapping)."
    )]
    async fn inspect_file(
        &self,
        Parameters(args): Parameters<InspectFileArgs>,
    ) -> Result<Json<FileInfo>, String> {
        let path = self
            .settings
            .roots
            .existing(&args.path)
            .map_err(|e| e.to_string())?;
        let sample = args.sample_rows.unwrap_or(5).min(100);
        let info =
            blocking(move || files::inspect(&path, sample, &registry()).map_err(|e| e.to_string()))
                .await?;
        Ok(Json(info))
    }

    /// Reads rows of a CSV file.
    #[tool(
        description = "Read rows of a CSV file, optionally filtered by an expression or text and limited to some columns; each row comes with its 1-based row number."
    )]
    async fn read_rows(
        &self,
        Parameters(args): Parameters<ReadRowsArgs>,
    ) -> Result<Json<RowsPage>, String> {
        let path = self
            .settings
            .roots
            .existing(&args.path)
            .map_err(|e| e.to_string())?;
        let limit = args.limit.unwrap_or(50).min(1000);
        let offset = args.offset.unwrap_or(0);
        let page = blocking(move || {
            files::read_rows(&path, args.filter.as_deref(), &args.columns, offset, limit)
                .map_err(|e| e.to_string())
        })
        .await?;
        Ok(Json(page))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for LeadgridServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("leadgrid", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "leadgrid enriches lead-list CSV files (LinkedIn profiles, posting activity, HeyReach engagement, AI research, emails) with the user's own API keys. Start with list_integrations and inspect_file; estimate before enrich (estimate makes no paid call); read_rows and inspect_cell show results.",
            )
    }
}
