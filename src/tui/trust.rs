//! Asking whether to trust the project file beside the sheet (`leadgrid.toml`): the question,
//! remembering the answer off the UI thread, and what to say afterwards.

use super::event::{AppEvent, WorkerResult, spawn_worker};
use super::message::Message;
use crate::integrations::user::Catalog;
use crate::integrations::user::project::ProjectState;
use std::sync::mpsc::Sender;

/// What the status bar says when the user does not trust the file.
pub const DECLINED: &str =
    "leadgrid.toml not used: its integrations stay out (asked again next time)";

/// The question: which integrations, sending the sheet's rows where.
pub fn question(state: &ProjectState) -> String {
    format!(
        "{}\ndefines integrations that send this sheet's rows to:\n{}\n\nTrust it only if you know where it came from; the answer is\nremembered until the file changes.\n\ny: trust it and add its integrations\nEsc: not now",
        state.project.path.display(),
        state.describe()
    )
}

/// Remembers the project file as trusted and loads its integrations into `catalog`, on a
/// worker; the catalog arrives as [`WorkerResult::ProjectTrusted`].
pub fn trust_in_background(catalog: Catalog, state: ProjectState, tx: Sender<AppEvent>) {
    spawn_worker("leadgrid-trust", move || {
        let catalog = catalog.with_project(Some(state.project), &state.store, true);
        let _ = tx.send(AppEvent::Worker(WorkerResult::ProjectTrusted(Box::new(
            catalog,
        ))));
    });
}

/// What the status bar says once the project file is trusted.
pub fn trusted_message(catalog: &Catalog) -> Message {
    let Some(project) = catalog.project() else {
        return Message::info("trusted");
    };
    let names: Vec<&str> = project
        .integrations
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| catalog.is_projects(n))
        .collect();
    let forgotten = catalog
        .warnings()
        .iter()
        .find(|w| w.path == project.project.path && w.name.is_none());
    match forgotten {
        Some(w) => Message::error(format!("leadgrid.toml {}", w.error)),
        None if names.is_empty() => Message::error(
            "leadgrid.toml trusted, but none of its integrations loaded (press a to see why)",
        ),
        None => Message::info(format!(
            "leadgrid.toml trusted: {} added to the picker",
            names.join(", ")
        )),
    }
}
