#![deny(clippy::unwrap_used, clippy::panic)]

use clap::Parser;
use leadgrid::cli::{Cli, Command};
use leadgrid::{commands, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match &cli.command {
        Some(Command::Run(args)) => run::main(args),
        Some(Command::Integrations(args)) => commands::integrations(args),
        Some(Command::DemoServer(args)) => commands::demo_server(args),
        Some(Command::Gen(args)) => commands::generate(args),
        Some(Command::Mcp(args)) => leadgrid::mcp::main(args),
        None => commands::open(&cli.open),
    };
    ExitCode::from(code)
}
