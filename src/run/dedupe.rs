//! `leadgrid run --dedupe`: rows that repeat a person (the same normalised LinkedIn URL or
//! email, or key column) are paid for once. The first row with a key runs its cells; each
//! later row with that key takes the first one's answers instead of calling again (the
//! caller's memo forgets, and differently written keys are different requests).

use crate::census::Duplicates;
use crate::engine::{JobKey, JobResult};
use std::collections::{HashMap, HashSet};

/// Which rows follow which, and the answers they wait for.
#[derive(Debug, Default)]
pub struct Dedupe {
    /// Each later row of a group → the group's first row.
    leader: HashMap<usize, usize>,
    /// The first row of each group.
    leaders: HashSet<usize>,
    /// The leaders' cells that run or were restored (so they will have an answer), with
    /// the answer once it came: (leader, integration) → result.
    answers: HashMap<(usize, usize), Option<JobResult>>,
    /// Followers waiting for an answer: (leader, integration) → follower rows.
    waiting: HashMap<(usize, usize), Vec<usize>>,
    /// Follower cells answered by their leader.
    pub shared: usize,
}

/// What a follower's cell does.
pub enum Follow {
    /// Take this answer now.
    Answer(JobResult),
    /// Wait: its leader's answer is coming.
    Wait,
    /// Run itself (it has no leader, or the leader's cell did not run).
    Run,
}

impl Dedupe {
    /// Groups rows by their key (`keys` gives each row's key column value, in order).
    pub fn new<S: AsRef<str>>(keys: impl IntoIterator<Item = S>) -> Dedupe {
        let mut duplicates = Duplicates::default();
        for (row, key) in keys.into_iter().enumerate() {
            duplicates.add(row, key.as_ref());
        }
        let mut dedupe = Dedupe::default();
        for group in duplicates.finish() {
            let Some((&first, rest)) = group.rows.split_first() else {
                continue;
            };
            dedupe.leaders.insert(first);
            for &row in rest {
                dedupe.leader.insert(row, first);
            }
        }
        dedupe
    }

    /// Rows that repeat an earlier row's key.
    pub fn followers(&self) -> usize {
        self.leader.len()
    }

    /// Whether `row` leads a group.
    fn leads(&self, row: usize) -> bool {
        self.leaders.contains(&row)
    }

    /// Row `row`'s cell of integration `c` runs or was restored: its followers may wait for it.
    pub fn will_answer(&mut self, row: usize, c: usize) {
        if self.leads(row) {
            self.answers.entry((row, c)).or_insert(None);
        }
    }

    /// What follower `row`'s cell of integration `c` does.
    pub fn follow(&mut self, row: usize, c: usize) -> Follow {
        let Some(&leader) = self.leader.get(&row) else {
            return Follow::Run;
        };
        match self.answers.get(&(leader, c)) {
            None => Follow::Run,
            Some(None) => {
                self.waiting.entry((leader, c)).or_default().push(row);
                Follow::Wait
            }
            Some(Some(answer)) => {
                self.shared += 1;
                Follow::Answer(answer.for_row(row))
            }
        }
    }

    /// Row `row`'s cell of integration `c` finished with `result`: the followers waiting for
    /// it, each with its copy of the answer.
    pub fn answered(&mut self, row: usize, c: usize, result: &JobResult) -> Vec<JobResult> {
        let Some(slot) = self.answers.get_mut(&(row, c)) else {
            return Vec::new();
        };
        *slot = Some(result.clone());
        let waiting = self.waiting.remove(&(row, c)).unwrap_or_default();
        self.shared += waiting.len();
        waiting.into_iter().map(|r| result.for_row(r)).collect()
    }
}

impl JobResult {
    /// The same answer for another row: no calls of its own (nothing was paid for it).
    fn for_row(&self, row: usize) -> JobResult {
        JobResult {
            key: JobKey {
                row: row as u64,
                column: self.key.column,
            },
            calls: Vec::new(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::CellState;
    use crate::integrations::Fields;

    fn result(row: usize, value: &str) -> JobResult {
        let mut fields = Fields::new();
        fields.insert("headline".into(), value.into());
        JobResult {
            key: JobKey {
                row: row as u64,
                column: 0,
            },
            state: CellState::Done,
            fields,
            error: None,
            calls: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn followers_wait_for_their_leader_or_take_its_answer() {
        let keys = [
            "https://www.linkedin.com/in/ada/",
            "bram@x.example",
            "linkedin.com/in/Ada",
            "",
            "https://linkedin.com/in/ada",
        ];
        let mut d = Dedupe::new(keys);
        assert_eq!(d.followers(), 2);
        assert!(matches!(d.follow(1, 0), Follow::Run), "no leader");
        d.will_answer(0, 0);
        assert!(matches!(d.follow(2, 0), Follow::Wait));
        let answered = d.answered(0, 0, &result(0, "CEO"));
        assert_eq!(answered.len(), 1);
        assert_eq!(answered[0].key.row, 2);
        assert_eq!(
            answered[0].fields.get("headline").map(String::as_str),
            Some("CEO")
        );
        match d.follow(4, 0) {
            Follow::Answer(r) => assert_eq!(r.key.row, 4),
            _ => panic!("the answer is there"),
        }
        assert_eq!(d.shared, 2);
        // Another integration whose leader cell did not run: the follower runs itself.
        assert!(matches!(d.follow(2, 1), Follow::Run));
    }
}
