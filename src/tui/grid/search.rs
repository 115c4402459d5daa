//! Searching every cell in the background, and stepping through the hits in view order.

use super::view::{self, Pending, Progress, Withheld};
use crate::table::Sheet;
use crate::tui::action::{Action, key_label};
use crate::tui::event::{AppEvent, WorkerResult, spawn_worker};
use crate::tui::message::Message;
use std::sync::Arc;
use std::sync::mpsc::Sender;

/// Most search hits kept; beyond that the search stops and says so.
const SEARCH_LIMIT: usize = 1_000_000;

/// What was searched for and where it was found.
pub struct Found {
    /// The search text, lower case.
    pub needle: String,
    /// (row position, column), in file order.
    pub hits: Vec<(u32, u32)>,
    pub done: bool,
}

/// The last search: its hits, and the scan still looking.
#[derive(Default)]
pub struct Search {
    pub found: Option<Found>,
    pub pending: Option<Pending>,
}

impl Search {
    /// Starts searching every cell the grid shows a value in for `needle`; the hits arrive
    /// as [`WorkerResult::Search`] tagged with `generation`. An empty needle ends the search.
    pub fn start(
        &mut self,
        needle: &str,
        sheet: &Sheet,
        withheld: Withheld,
        tx: &Sender<AppEvent>,
        generation: u64,
    ) {
        if let Some(p) = self.pending.take() {
            p.progress.cancel();
        }
        let needle = needle.trim().to_lowercase();
        if needle.is_empty() {
            self.found = None;
            return;
        }
        let progress = Arc::new(Progress::default());
        let snapshot = sheet.snapshot();
        let tx = tx.clone();
        let worker_progress = progress.clone();
        let worker_needle = needle.clone();
        spawn_worker("leadgrid-search", move || {
            let hits = view::search(
                &snapshot,
                &worker_needle,
                &withheld,
                SEARCH_LIMIT,
                &worker_progress,
            );
            if let Some(hits) = hits {
                let _ = tx.send(AppEvent::Worker(WorkerResult::Search { generation, hits }));
            }
        });
        self.found = Some(Found {
            needle,
            hits: Vec::new(),
            done: false,
        });
        self.pending = Some(Pending {
            generation,
            what: "searching",
            progress,
        });
    }

    /// Takes a finished scan's hits when it is the latest asked for; returns whether it was.
    pub fn ready(&mut self, generation: u64, hits: Vec<(u32, u32)>) -> bool {
        if self
            .pending
            .as_ref()
            .is_none_or(|p| p.generation != generation)
        {
            return false;
        }
        self.pending = None;
        if let Some(found) = &mut self.found {
            found.hits = hits;
            found.done = true;
        }
        true
    }

    /// Forgets the hits and stops the scan; returns whether there was a search.
    pub fn clear(&mut self) -> bool {
        if let Some(p) = self.pending.take() {
            p.progress.cancel();
        }
        self.found.take().is_some()
    }

    /// Whether sheet cell (row, col) is a hit of a finished search.
    pub fn is_hit(&self, row: usize, col: usize) -> bool {
        self.found
            .as_ref()
            .is_some_and(|s| s.done && s.hits.binary_search(&(row as u32, col as u32)).is_ok())
    }

    /// The next (or previous) hit from `here` in view order, wrapping around, as
    /// (view row, visible column), with a message saying which hit it is.
    pub fn step(
        &self,
        order: Option<&[u32]>,
        row_count: usize,
        visible: &[usize],
        here: (usize, usize),
        forward: bool,
    ) -> Result<((usize, usize), Message), Message> {
        let Some(search) = &self.found else {
            return Err(Message::info(format!(
                "no search: press {} to search",
                key_label(Action::Search)
            )));
        };
        if !search.done {
            return Err(Message::info("still searching…"));
        }
        // Hits as (view row, visible column index), in view order.
        let mut hits: Vec<(usize, usize)> = match order {
            None => search
                .hits
                .iter()
                .filter_map(|&(r, c)| {
                    Some((r as usize, visible.iter().position(|&v| v == c as usize)?))
                })
                .collect(),
            Some(order) => {
                let mut view_of = vec![u32::MAX; row_count];
                for (v, &p) in order.iter().enumerate() {
                    if let Some(slot) = view_of.get_mut(p as usize) {
                        *slot = v as u32;
                    }
                }
                search
                    .hits
                    .iter()
                    .filter_map(|&(r, c)| {
                        let v = *view_of.get(r as usize)?;
                        (v != u32::MAX).then_some(())?;
                        Some((v as usize, visible.iter().position(|&x| x == c as usize)?))
                    })
                    .collect()
            }
        };
        hits.sort_unstable();
        if hits.is_empty() {
            return Err(Message::error(format!("'{}' not found", search.needle)));
        }
        let target = if forward {
            hits.iter().find(|&&h| h > here).or(hits.first())
        } else {
            hits.iter().rev().find(|&&h| h < here).or(hits.last())
        };
        let Some(&target) = target else {
            return Err(Message::error(format!("'{}' not found", search.needle)));
        };
        let index = hits.iter().position(|&h| h == target).unwrap_or(0) + 1;
        Ok((
            target,
            Message::info(format!("match {index}/{}", hits.len())),
        ))
    }
}
