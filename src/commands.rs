//! The small subcommands: `integrations`, `demo-server`, `gen`, and opening a file.

use crate::cli::{
    CheckArgs, DemoServerArgs, GenArgs, IntegrationsArgs, IntegrationsCommand, OpenArgs,
};
use crate::config::Config;
use crate::demo::{DemoOptions, DemoServer};
use crate::integrations::Integration;
use crate::integrations::user::check::{Sample, check};
use crate::integrations::user::{Catalog, Problem};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// `leadgrid integrations [--json]`: built-ins, shipped and user files; files that did not
/// load are listed with their error (exit code 0 still: the others are usable).
pub fn integrations(args: &IntegrationsArgs) -> u8 {
    if let Some(IntegrationsCommand::Check(check)) = &args.command {
        return check_file(check);
    }
    let config = match Config::load() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("leadgrid integrations: {e}");
            return 1;
        }
    };
    let catalog = Catalog::from_config(&config);
    let specs = catalog.integrations();
    if args.json {
        match catalog_json(specs, &catalog) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("leadgrid integrations: {e}");
                return 1;
            }
        }
    } else {
        print!(
            "{}",
            catalog_text(specs, catalog.problems(), catalog.warnings())
        );
        if let Some(dir) = catalog.dir() {
            println!("your own integrations: {}/*.toml", dir.display());
        }
    }
    0
}

/// `leadgrid integrations check FILE`: the report on stdout; exit code 0 when the file is
/// valid, 1 when it is not (or cannot be read).
fn check_file(args: &CheckArgs) -> u8 {
    // The user's integrations (a waterfall's steps may be among them), with their settings,
    // else those leadgrid ships.
    let catalog = Catalog::current();
    let sample = Sample {
        csv: args.csv.clone(),
        row: args.row,
        set: args.set.clone(),
    };
    let report = check(&args.file, catalog, &sample, |name| {
        std::env::var(name).ok()
    });
    print!("{}", report.text);
    u8::from(!report.valid)
}

/// Integrations asked for that leadgrid does not offer, and why (also in the README).
pub const NOT_OFFERED: &[&str] = &[
    "clearbit_company: Clearbit's enrichment API is no longer offered to new users (HubSpot bought it; new access is Breeze Intelligence inside a HubSpot subscription). apollo_company (Apollo organization enrich) replaces it.",
];

/// Everything an agent needs to use the integrations, as pretty JSON.
pub fn catalog_json(
    integrations: &[Arc<dyn Integration>],
    catalog: &Catalog,
) -> serde_json::Result<String> {
    let listed: Vec<serde_json::Value> = integrations
        .iter()
        .map(|integration| {
            let spec = integration.spec();
            let mut value = serde_json::to_value(spec).unwrap_or_default();
            if let Some(range) = integration.cost_range() {
                value["cost_range"] = serde_json::to_value(range).unwrap_or_default();
            }
            if let Some(def) = catalog.definition(spec.name) {
                value["kind"] = serde_json::json!(def.kind_name());
                value["defined_in"] = serde_json::json!(if catalog.is_users(spec.name) {
                    "integrations.d"
                } else if catalog.is_projects(spec.name) {
                    "leadgrid.toml"
                } else {
                    "built-in file"
                });
            }
            value
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({
        "integrations": listed,
        "problems": catalog.problems(),
        "warnings": catalog.warnings(),
        "integrations_dir": catalog.dir(),
        "notes": NOT_OFFERED,
        "usage": "leadgrid run INPUT.csv --integrations a,b [--map input=Column] [--set input=value] [--json]",
    }))
}

/// The catalog for people.
pub fn catalog_text(
    integrations: &[Arc<dyn Integration>],
    problems: &[Problem],
    warnings: &[Problem],
) -> String {
    let mut out = String::new();
    let usd = crate::providers::format_usd;
    for integration in integrations {
        let spec = integration.spec();
        let per_row = match integration.cost_range() {
            // A one-step waterfall costs the same however it ends.
            Some(r) if usd(r.best.usd) == usd(r.worst.usd) => format!("{}/row", usd(r.best.usd)),
            Some(r) => format!(
                "{}–{}/row: first step – every step",
                usd(r.best.usd),
                usd(r.worst.usd)
            ),
            None => format!("{}/row", usd(spec.cost_per_row_usd)),
        };
        out.push_str(&format!(
            "{}  ({}, ~{per_row})\n  {}\n",
            spec.name,
            spec.provider.name(),
            spec.description
        ));
        for input in spec.inputs {
            let need = if input.required {
                "required"
            } else {
                "optional"
            };
            out.push_str(&format!(
                "  in  {} ({need}; guessed from: {})\n",
                input.name,
                input.guesses.join(", ")
            ));
        }
        let outputs: Vec<_> = spec
            .outputs
            .iter()
            .map(|o| match o.kind.choices() {
                [] => format!("{} ({})", o.name, o.kind.label()),
                choices => format!("{} (enum: {})", o.name, choices.join(" | ")),
            })
            .collect();
        out.push_str(&format!("  out {}\n\n", outputs.join(", ")));
    }
    for note in NOT_OFFERED {
        out.push_str(&format!("not offered: {note}\n"));
    }
    out.push('\n');
    for problem in problems {
        out.push_str(&format!("not loaded: {problem}\n"));
    }
    for warning in warnings {
        out.push_str(&format!("warning: {warning}\n"));
    }
    if !problems.is_empty() || !warnings.is_empty() {
        out.push('\n');
    }
    out
}

/// `leadgrid demo-server`: serves until Ctrl-C.
pub fn demo_server(args: &DemoServerArgs) -> u8 {
    let options = DemoOptions {
        latency: Duration::from_millis(args.latency_ms),
        jitter: Duration::from_millis(args.jitter_ms),
        fault_rate: args.fault_rate.clamp(0.0, 1.0),
        required_key: args.require_key.clone(),
        ..DemoOptions::default()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("leadgrid demo-server: cannot start the async runtime: {e}");
            return 1;
        }
    };
    runtime.block_on(async {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
        let server = match DemoServer::start(addr, options).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("leadgrid demo-server: cannot listen on {addr}: {e}");
                return 1;
            }
        };
        eprintln!(
            "demo server on {} — try: DATAGEN_BASE_URL={} DATAGEN_API_KEY=demo leadgrid run lead-list/sample.csv -i linkedin_profile\nCtrl-C to stop",
            server.base_url(),
            server.base_url()
        );
        // An error here means no signal handler could be installed: stop at once.
        let _ = tokio::signal::ctrl_c().await;
        let stats = server.stats_summary();
        eprintln!(
            "served {} requests (peak {} at once)",
            stats.requests, stats.peak_in_flight
        );
        server.shutdown().await;
        0
    })
}

/// `leadgrid gen`.
pub fn generate(args: &GenArgs) -> u8 {
    let Ok(rows) = usize::try_from(args.rows) else {
        eprintln!("leadgrid gen: too many rows for this machine");
        return 1;
    };
    match crate::table::generate(&args.out, rows, args.seed) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("leadgrid gen: cannot write {}: {e}", args.out.display());
            1
        }
    }
}

/// `leadgrid [FILE]`: the spreadsheet.
pub fn open(args: &OpenArgs) -> u8 {
    let opts = crate::tui::TuiOptions {
        file: args.file.clone(),
        open: crate::table::OpenOptions {
            delimiter: args.delimiter,
            encoding: args
                .encoding
                .map_or(crate::table::Encoding::Utf8, crate::cli::Encoding::table),
        },
        session: crate::session::SessionOptions {
            // A little latency so a new user sees cells stream in as they would live.
            demo: args.demo.then(|| DemoOptions {
                latency: Duration::from_millis(150),
                jitter: Duration::from_millis(350),
                ..DemoOptions::default()
            }),
            store: args.store.choice(),
            refresh: args.store.refresh,
            ..crate::session::SessionOptions::default()
        },
    };
    match crate::tui::run(opts) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("leadgrid: {e}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_lists_inputs_outputs_and_cost() {
        let catalog = Catalog::load(
            None,
            crate::integrations::user::Settings::from_config(
                &Config::from_sources(None, |_| None).expect("defaults"),
            ),
        );
        let specs = catalog.integrations();
        let json: serde_json::Value =
            serde_json::from_str(&catalog_json(specs, &catalog).expect("json")).expect("parse");
        let profile = json["integrations"]
            .as_array()
            .expect("array")
            .iter()
            .find(|i| i["name"] == "linkedin_profile")
            .expect("linkedin_profile listed");
        assert_eq!(profile["inputs"][0]["name"], "linkedin_url");
        assert_eq!(profile["inputs"][0]["required"], true);
        assert!(
            profile["outputs"]
                .as_array()
                .expect("outputs")
                .iter()
                .any(|o| o["name"] == "headline")
        );
        assert!(profile["cost_per_row_usd"].as_f64().expect("cost") > 0.0);
        let ceo = json["integrations"]
            .as_array()
            .expect("array")
            .iter()
            .find(|i| i["name"] == "find_ceo")
            .expect("find_ceo listed");
        assert_eq!(ceo["kind"], "ai");
        assert_eq!(ceo["outputs"][4]["kind"], "number");
        assert_eq!(json["problems"], serde_json::json!([]));
        let problem = Problem {
            path: "/x/integrations.d/bad.toml".into(),
            name: None,
            error: "unknown field `promt`".into(),
        };
        let work = json["integrations"]
            .as_array()
            .expect("array")
            .iter()
            .find(|i| i["name"] == "work_email")
            .expect("work_email listed");
        assert_eq!(work["kind"], "waterfall");
        assert!(
            work["cost_range"]["worst"]["usd"].as_f64()
                > work["cost_range"]["best"]["usd"].as_f64()
        );
        let text = catalog_text(specs, &[problem], &[]);
        assert!(text.contains("not offered: clearbit_company"), "{text}");
        assert!(text.contains("/row: first step – every step"), "{text}");
        assert!(text.contains("linkedin_profile") && text.contains("in  linkedin_url (required"));
        assert!(text.contains("follower_count (integer)"), "{text}");
        assert!(text.contains("sources (url_list)"), "{text}");
        assert!(
            text.contains("not loaded: /x/integrations.d/bad.toml: unknown field `promt`"),
            "{text}"
        );
    }
}
