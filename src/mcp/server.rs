//! The MCP tools: discovery, file inspection and reading. Tool errors come back as
//! `isError` results whose text says what was wrong and what would work, so an agent can
//! correct itself.

use super::catalog::{self, IntegrationInfo};
use super::files::{self, FileInfo, RowsPage};
use super::paths::Roots;
use crate::integrations::{Integration, registry};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Settings of one server.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Where files may be read and written.
    pub roots: Roots,
    /// Calls go to the built-in demo server (fictional data, no key, nothing charged).
    pub demo: bool,
}

/// The leadgrid MCP server.
#[derive(Clone)]
pub struct LeadgridServer {
    settings: Arc<ServerSettings>,
    tool_router: ToolRouter<Self>,
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
            tool_router: Self::tool_router(),
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
    /// Lists every integration.
    #[tool(
        description = "List every enrichment integration (built-in and user-defined): inputs with the column names they are guessed from, outputs with types, provider, cost per row in USD, and whether it is ready to run (its API key is set)."
    )]
    async fn list_integrations(&self, _args: Parameters<NoArgs>) -> Json<Catalog> {
        let demo = self.settings.demo;
        Json(Catalog {
            integrations: registry()
                .iter()
                .map(|i| catalog::describe(i.as_ref(), demo))
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
        Ok(Json(catalog::describe(
            integration.as_ref(),
            self.settings.demo,
        )))
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
