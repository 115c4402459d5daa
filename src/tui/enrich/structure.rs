//! The record of derived columns (enrichments, formulas) added and removed, kept against the
//! sheet's undo history.
//!
//! Each change is recorded with the sheet's undo depth right after the grouped column edit
//! that came with it; after every undo or redo, changes above the new depth are reverted and
//! undone changes at or below it are applied again.

/// What happened to an enrichment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Added,
    Removed,
}

struct Change<T> {
    /// The sheet's undo depth just after the change.
    depth: usize,
    kind: Kind,
    id: u32,
    /// The column's definition while it is out of the sheet.
    stash: Option<T>,
}

/// Changes that undo can revert (`done`) and redo can apply again (`undone`).
pub struct StructureHistory<T> {
    done: Vec<Change<T>>,
    undone: Vec<Change<T>>,
}

impl<T> Default for StructureHistory<T> {
    fn default() -> Self {
        StructureHistory {
            done: Vec::new(),
            undone: Vec::new(),
        }
    }
}

impl<T> StructureHistory<T> {
    /// Records enrichment `id` added (present now) or removed (`removed` holds it), when the
    /// sheet edit that came with it went from undo depth `before` to `after`.
    pub fn record(&mut self, before: usize, after: usize, id: u32, removed: Option<T>) {
        if after <= before {
            return; // no column was added or removed: nothing undo would find
        }
        let kind = if removed.is_some() {
            Kind::Removed
        } else {
            Kind::Added
        };
        self.undone.clear();
        self.done.push(Change {
            depth: after,
            kind,
            id,
            stash: removed,
        });
    }

    /// The enrichment the next undo (or redo, when `undo` is false) from undo depth `depth`
    /// takes out, if that step takes one out.
    pub fn takes_out(&self, depth: usize, undo: bool) -> Option<u32> {
        let (change, at, kind) = if undo {
            (self.done.last()?, depth, Kind::Added)
        } else {
            (self.undone.last()?, depth + 1, Kind::Removed)
        };
        (change.depth == at && change.kind == kind).then_some(change.id)
    }

    /// A new sheet edit since the last undo cut the sheet's redo steps off: ours go with them.
    pub fn cut_redo(&mut self) {
        self.undone.clear();
    }

    /// After an undo or redo brought the sheet to undo depth `depth`: for each change to
    /// revert or apply again, `set(id, stash, present)` puts the enrichment back (from the
    /// stash) or takes it out (into the stash). Returns whether anything changed.
    pub fn sync(&mut self, depth: usize, mut set: impl FnMut(u32, &mut Option<T>, bool)) -> bool {
        let mut changed = false;
        while self.done.last().is_some_and(|c| c.depth > depth) {
            let Some(mut change) = self.done.pop() else {
                break;
            };
            set(change.id, &mut change.stash, change.kind == Kind::Removed);
            self.undone.push(change);
            changed = true;
        }
        while self.undone.last().is_some_and(|c| c.depth <= depth) {
            let Some(mut change) = self.undone.pop() else {
                break;
            };
            set(change.id, &mut change.stash, change.kind == Kind::Added);
            self.done.push(change);
            changed = true;
        }
        changed
    }
}
