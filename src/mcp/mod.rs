//! `leadgrid mcp`: the enrichment engine as a Model Context Protocol server over stdio, so
//! any AI agent can discover, price, run and inspect enrichments on the user's machine.
//!
//! Nothing but protocol messages goes to stdout; messages for people go to stderr. Files
//! are confined to the directories given on the command line ([`paths::Roots`]).

pub mod catalog;
pub mod cells;
pub mod files;
pub mod paths;
pub mod runs;
pub mod server;

use crate::cli::McpArgs;
use crate::config::Config;
use crate::demo::{DemoHandle, DemoOptions};
use rmcp::ServiceExt;
use server::{LeadgridServer, ServerSettings};

/// Runs the server until the client disconnects; returns the exit code.
pub fn main(args: &McpArgs) -> u8 {
    let roots = match paths::Roots::new(&args.root) {
        Ok(roots) => roots,
        Err(e) => {
            eprintln!("leadgrid mcp: cannot use the allowed directories: {e}");
            return 1;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("leadgrid-mcp")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("leadgrid mcp: cannot start the async runtime: {e}");
            return 1;
        }
    };
    eprintln!(
        "leadgrid mcp: serving on stdio{}; files under {}",
        if args.demo {
            " (demo: fictional data, nothing charged)"
        } else {
            ""
        },
        roots.describe()
    );
    let mut config = match Config::load() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("leadgrid mcp: {e}");
            return 1;
        }
    };
    // One demo server for the server's life: every run talks to it, so what one run paid
    // for is cached for the next, as with a real provider.
    let _demo = if args.demo {
        match DemoHandle::start_background(DemoOptions::default()) {
            Ok(handle) => {
                config.point_at_demo(&handle.base_url(), None);
                Some(handle)
            }
            Err(e) => {
                eprintln!("leadgrid mcp: cannot start the demo server: {e}");
                return 1;
            }
        }
    } else {
        None
    };
    let server = LeadgridServer::new(ServerSettings {
        roots,
        demo: args.demo,
        config,
        store: args.store.clone(),
    });
    let served = runtime.block_on(async move {
        let running = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| e.to_string())?;
        running.waiting().await.map_err(|e| e.to_string())?;
        Ok::<(), String>(())
    });
    match served {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("leadgrid mcp: {e}");
            1
        }
    }
}
