//! Planning a sheet off the UI thread: a worker reads the rows in scope from a snapshot,
//! decides every cell, and hands them on in batches, so the first cells reach the engine at
//! once and the UI thread only ever handles one batch at a time.

use super::{Cell, Decision, Plan, RowScope, Rows, Rules};
use crate::table::{LoadError, RowId, SheetSnapshot};
use std::ops::ControlFlow;
use tokio_util::sync::CancellationToken;

/// Cells handed on at once: one message to the UI and one submit to the engine each.
pub const BATCH: usize = 1024;

/// One planned cell.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The row, by identity (it may have moved by the time the batch arrives).
    pub row: RowId,
    /// Which of the stream's plans.
    pub plan: usize,
    /// Its inputs and what it needs.
    pub cell: Cell,
}

/// Plans for some rows of a sheet, decided on the thread that calls [`Stream::run`].
pub struct Stream {
    /// The sheet as it was when the plan was asked for.
    pub snapshot: SheetSnapshot,
    /// The plans, each deciding one cell per row in scope.
    pub plans: Vec<Plan>,
    /// The rows in scope.
    pub scope: RowScope,
    /// How cells are decided.
    pub rules: Rules,
    /// Stops the pass (the plans' enrichments were removed).
    pub cancel: CancellationToken,
}

impl Stream {
    /// Decides every cell in scope, handing each batch to `send` as it fills (cells left
    /// alone for being filled are not sent). Stops early when cancelled.
    pub fn run(&self, mut send: impl FnMut(Vec<Planned>)) -> Result<(), LoadError> {
        let mut batch = Vec::with_capacity(BATCH);
        let mut taken = 0;
        let mut plan_row = |_: usize, id: RowId, row: &[String]| {
            if self.cancel.is_cancelled() {
                return ControlFlow::Break(());
            }
            if self.scope.is_full(taken) {
                return ControlFlow::Break(());
            }
            let cells: Vec<Cell> = self
                .plans
                .iter()
                .map(|plan| self.rules.decide(plan, row))
                .collect();
            if super::rows::counts(&cells) {
                taken += 1;
            }
            for (i, cell) in cells.into_iter().enumerate() {
                if !matches!(cell.decision, Decision::Filled) {
                    batch.push(Planned {
                        row: id,
                        plan: i,
                        cell,
                    });
                }
            }
            if batch.len() >= BATCH {
                send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
            ControlFlow::Continue(())
        };
        match &self.scope.rows {
            Rows::All => self.snapshot.for_rows(|n| 0..n, &mut plan_row)?,
            Rows::Positions(order) => self
                .snapshot
                .for_rows(|_| order.iter().map(|&p| p as usize), &mut plan_row)?,
            Rows::Ids(ids) => {
                let mut positions = self.snapshot.positions_of(ids);
                positions.sort_unstable();
                self.snapshot.for_rows(|_| positions, &mut plan_row)?;
            }
        }
        if !batch.is_empty() {
            send(batch);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::testing::{leads, profile};
    use std::sync::Arc;

    fn stream(snapshot: SheetSnapshot, scope: RowScope, skip_filled: bool) -> Stream {
        Stream {
            snapshot,
            plans: vec![profile()],
            scope,
            rules: Rules {
                journal: None,
                skip_filled,
            },
            cancel: CancellationToken::new(),
        }
    }

    fn batches(stream: &Stream) -> Vec<Vec<Planned>> {
        let mut batches = Vec::new();
        stream.run(|b| batches.push(b)).expect("planned");
        batches
    }

    fn rows(batches: &[Vec<Planned>]) -> Vec<u64> {
        batches.iter().flatten().map(|p| p.row.as_u64()).collect()
    }

    #[test]
    fn every_row_is_planned_in_bounded_batches_and_filled_ones_left_alone() {
        let (_dir, sheet) = leads(3000);
        let all = batches(&stream(sheet.snapshot(), RowScope::all(), false));
        assert_eq!(all.len(), 3, "3000 cells in batches of {BATCH}");
        assert!(all.iter().all(|b| b.len() <= BATCH));
        assert_eq!(rows(&all), (0..3000).collect::<Vec<u64>>());
        let first = &all[0][1].cell;
        assert_eq!(first.inputs["linkedin_url"], "linkedin.com/in/p1");
        assert!(matches!(first.decision, Decision::Run));
        // Even rows have a headline: "only empty" plans the odd ones.
        let empty = batches(&stream(sheet.snapshot(), RowScope::all(), true));
        assert_eq!(
            rows(&empty),
            (0..3000).filter(|r| r % 2 == 1).collect::<Vec<u64>>()
        );
    }

    #[test]
    fn positions_keep_their_order_ids_go_in_table_order_and_the_limit_holds() {
        let (_dir, sheet) = leads(50);
        let positions = RowScope::rows(Rows::Positions(Arc::new(vec![7, 2, 40, 99])));
        let planned = batches(&stream(sheet.snapshot(), positions.limited(Some(3)), false));
        assert_eq!(
            rows(&planned),
            [7, 2, 40],
            "row 99 does not exist; 3 at most"
        );
        let ids = [30, 4, 12].map(|r| sheet.row_id(r).expect("row"));
        let by_id = RowScope::rows(Rows::Ids(Arc::new(ids.to_vec())));
        assert_eq!(
            rows(&batches(&stream(sheet.snapshot(), by_id, false))),
            [4, 12, 30]
        );
    }

    #[test]
    fn a_cancelled_stream_stops_reading() {
        let (_dir, sheet) = leads(10);
        let stream = stream(sheet.snapshot(), RowScope::all(), false);
        stream.cancel.cancel();
        assert!(batches(&stream).is_empty());
    }
}
