//! Enrichments that read other enrichments' outputs (`hunter_email` ← `ceo_name` from
//! `find_ceo`): which plan feeds which, the order they run in, and whether a dependent cell
//! of a row can run, must wait for its source, or is skipped because the source ended
//! without an answer. The grid and `leadgrid run` both ask this, cell by cell.

use super::{Plan, Source};
use crate::cell::CellState;

/// Which plans read which other plans' outputs, by column.
#[derive(Debug, Clone, Default)]
pub struct Chain {
    /// Per plan, the plans whose output columns feed one of its inputs.
    sources: Vec<Vec<usize>>,
    /// Every plan, each after the plans that feed it.
    order: Vec<usize>,
}

/// Plans that feed each other: the plan indices along the loop, first and last the same.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("enrichments feed each other in a loop")]
pub struct Loop(pub Vec<usize>);

/// What a dependent cell of a row may do, given its sources' cells in that row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Every source is done (or not running for the row): read the row and run.
    Ready,
    /// This source plan's cell is still queued or running.
    Wait(usize),
    /// This source plan's cell ended without an answer: the dependent is skipped, unpaid.
    Skip(usize),
}

impl Chain {
    /// The feeds between `plans`; a loop among them is refused with its path.
    pub fn of(plans: &[Plan]) -> Result<Chain, Loop> {
        let sources: Vec<Vec<usize>> = plans
            .iter()
            .enumerate()
            .map(|(i, plan)| {
                let reads: Vec<usize> = plan
                    .mapping
                    .inputs
                    .iter()
                    .filter_map(|(_, s)| match s {
                        Some(Source::Column(c)) => Some(*c),
                        _ => None,
                    })
                    .collect();
                plans
                    .iter()
                    .enumerate()
                    .filter(|&(j, other)| {
                        // A plan filling a column it reads runs on the row as it was.
                        j != i && other.outputs.iter().any(|(_, c)| reads.contains(c))
                    })
                    .map(|(j, _)| j)
                    .collect()
            })
            .collect();
        let order = topological(&sources)?;
        Ok(Chain { sources, order })
    }

    /// Every plan, each after the plans that feed it (otherwise in the order given).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// The plans feeding plan `plan`.
    pub fn sources(&self, plan: usize) -> &[usize] {
        self.sources.get(plan).map_or(&[], Vec::as_slice)
    }

    /// Whether some plan reads another's output.
    pub fn is_chained(&self) -> bool {
        self.sources.iter().any(|s| !s.is_empty())
    }

    /// Whether plan `plan`'s cell in a row can run, given each source plan's cell in that row
    /// (`None`: not run for the row, so the row's value stands).
    pub fn readiness(
        &self,
        plan: usize,
        state_of: impl Fn(usize) -> Option<CellState>,
    ) -> Readiness {
        let mut wait = None;
        for &source in self.sources(plan) {
            match state_of(source) {
                None | Some(CellState::Done | CellState::Empty) => {}
                Some(s) if s.is_pending() => {
                    wait.get_or_insert(source);
                }
                Some(_) => return Readiness::Skip(source),
            }
        }
        wait.map_or(Readiness::Ready, Readiness::Wait)
    }
}

/// Plan indices, each after its sources (Kahn's algorithm, lowest index first among the
/// ready ones, so unchained plans keep their order).
fn topological(sources: &[Vec<usize>]) -> Result<Vec<usize>, Loop> {
    let n = sources.len();
    let mut left: Vec<usize> = sources.iter().map(Vec::len).collect();
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    while order.len() < n {
        let Some(next) = (0..n).find(|&i| !done[i] && left[i] == 0) else {
            return Err(Loop(cycle(sources, &done)));
        };
        done[next] = true;
        order.push(next);
        for (i, s) in sources.iter().enumerate() {
            left[i] -= s.iter().filter(|&&j| j == next).count();
        }
    }
    Ok(order)
}

/// A loop among the plans not yet ordered: from one of them, follow sources until a plan
/// repeats.
fn cycle(sources: &[Vec<usize>], done: &[bool]) -> Vec<usize> {
    let Some(mut at) = (0..sources.len()).find(|&i| !done[i]) else {
        return Vec::new();
    };
    let mut path = vec![at];
    loop {
        let Some(&next) = sources[at].iter().find(|&&j| !done[j]) else {
            return path;
        };
        if let Some(start) = path.iter().position(|&p| p == next) {
            let mut found = path.split_off(start);
            found.push(next);
            // Sources point upstream: read the loop in the direction values flow.
            found.reverse();
            return found;
        }
        path.push(next);
        at = next;
    }
}

/// The state a skipped dependent cell takes: it never ran, its source had no answer.
pub fn skipped_for(source: &str) -> CellState {
    CellState::Skipped(crate::cell::SkipReason::Source(source.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Mapping;

    fn plan(name: &str, reads: usize, fills: usize) -> Plan {
        Plan {
            integration: crate::integrations::find(name).expect("registered"),
            mapping: Mapping {
                inputs: vec![("in", Some(Source::Column(reads)))],
            },
            outputs: vec![("out", fills)],
            condition: None,
        }
    }

    #[test]
    fn a_dependent_runs_after_its_source_and_waits_or_skips_on_its_cell() {
        // b reads column 2, which a fills; a reads column 0.
        let plans = [
            plan("find_ceo", 2, 3),
            plan("linkedin_profile", 0, 2),
            plan("email_domain", 1, 4),
        ];
        let chain = Chain::of(&plans).expect("no loop");
        assert_eq!(chain.order(), [1, 0, 2]);
        assert_eq!(chain.sources(0), [1]);
        assert!(chain.sources(2).is_empty() && chain.is_chained());
        let ready = |state: Option<CellState>| chain.readiness(0, |_| state.clone());
        assert_eq!(ready(Some(CellState::Running)), Readiness::Wait(1));
        assert_eq!(ready(Some(CellState::Done)), Readiness::Ready);
        assert_eq!(ready(None), Readiness::Ready);
        for ended in [CellState::NoData, CellState::Failed, CellState::Budget] {
            assert_eq!(ready(Some(ended)), Readiness::Skip(1));
        }
    }

    #[test]
    fn a_loop_is_refused_with_its_path() {
        let plans = [
            plan("find_ceo", 5, 3),
            plan("linkedin_profile", 3, 4),
            plan("email_domain", 4, 5),
        ];
        let Err(Loop(path)) = Chain::of(&plans) else {
            panic!("a loop");
        };
        assert_eq!(path.len(), 4);
        assert_eq!(path.first(), path.last());
        // Values flow 0 → 1 → 2 → 0.
        let at = path.iter().position(|&p| p == 0).expect("0 in the loop");
        assert_eq!(path[at + 1], 1);
    }
}
