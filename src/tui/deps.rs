//! Columns computed from columns: which column feeds which (a formula reads its inputs, an
//! enrichment's inputs feed its outputs), so a definition that would feed itself, directly
//! or through others, is refused with the path it would loop along.

use super::enrich::{Enrichments, InputSource};
use super::formula::Formulas;
use crate::table::{ColumnId, Sheet};
use std::collections::{HashMap, HashSet};

/// The feeds between columns.
#[derive(Debug, Default)]
pub struct Feeds {
    /// Per column, the columns computed from it.
    next: HashMap<ColumnId, Vec<ColumnId>>,
}

impl Feeds {
    /// The feeds of every formula and enrichment, less formula `skip` (being edited) and
    /// enrichment `skip_enrichment` (being remapped).
    pub fn of(
        formulas: &Formulas,
        enrich: &Enrichments,
        skip: Option<u32>,
        skip_enrichment: Option<u32>,
    ) -> Feeds {
        let mut feeds = Feeds::default();
        for f in formulas.list.iter().filter(|f| Some(f.id) != skip) {
            feeds.add(&f.bound.reads(), &[f.column]);
        }
        for c in enrich
            .columns
            .iter()
            .filter(|c| Some(c.id) != skip_enrichment)
        {
            let inputs: Vec<ColumnId> = c
                .sources
                .iter()
                .filter_map(|s| match s {
                    InputSource::Column(id) => Some(*id),
                    _ => None,
                })
                .collect();
            let outputs: Vec<ColumnId> = c.outputs.iter().map(|o| o.column).collect();
            feeds.add(&inputs, &outputs);
        }
        feeds
    }

    /// Records that `outputs` are computed from `inputs`.
    pub fn add(&mut self, inputs: &[ColumnId], outputs: &[ColumnId]) {
        for i in inputs {
            self.next.entry(*i).or_default().extend(outputs);
        }
    }

    /// The loop that computing `outputs` from `inputs` would close, as the columns along it
    /// (first and last the same), if it would.
    pub fn cycle(&self, inputs: &[ColumnId], outputs: &[ColumnId]) -> Option<Vec<ColumnId>> {
        let targets: HashSet<ColumnId> = inputs.iter().copied().collect();
        for &start in outputs {
            // Depth-first from the output, remembering how each column was reached.
            let mut from: HashMap<ColumnId, ColumnId> = HashMap::new();
            let mut stack = vec![start];
            let mut seen = HashSet::from([start]);
            while let Some(at) = stack.pop() {
                if targets.contains(&at) {
                    let mut path = vec![at];
                    let mut cur = at;
                    while let Some(&prev) = from.get(&cur) {
                        path.push(prev);
                        cur = prev;
                    }
                    path.reverse();
                    path.push(start);
                    return Some(path);
                }
                for &n in self.next.get(&at).into_iter().flatten() {
                    if seen.insert(n) {
                        from.insert(n, at);
                        stack.push(n);
                    }
                }
            }
        }
        None
    }
}

/// A loop of columns as the user reads it: `a → b → a`.
pub fn describe(sheet: &Sheet, path: &[ColumnId]) -> String {
    let names: Vec<String> = path
        .iter()
        .map(|id| {
            sheet
                .column_index(*id)
                .map_or_else(|| "?".into(), |c| sheet.columns()[c].display.clone())
        })
        .collect();
    names.join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loop_is_found_with_its_path() {
        let [a, b, c, d] = [1, 2, 3, 4].map(ColumnId::new);
        let mut feeds = Feeds::default();
        feeds.add(&[a], &[b]);
        feeds.add(&[b], &[c]);
        // c computed from... a? No loop: a feeds b feeds c.
        assert_eq!(feeds.cycle(&[a], &[d]), None);
        // a computed from c closes a → b → c → a.
        assert_eq!(feeds.cycle(&[c], &[a]), Some(vec![a, b, c, a]));
        // Reading its own column.
        assert_eq!(feeds.cycle(&[d], &[d]), Some(vec![d, d]));
    }
}
