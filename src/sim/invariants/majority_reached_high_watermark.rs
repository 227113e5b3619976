//! MajorityReachedHighWatermark: a majority of voters have a log end offset at least
//! the leader's high watermark (Kafka's
//! `RaftEventSimulationTest.MajorityReachedHighWatermark`; Raft §5.3: an entry is
//! committed once stored on a majority). A stopped voter counts with what its disk
//! holds, so a crash that lost committed data shows up here.
//!
//! Checked when the leader's high watermark moves and when a voter's log end drops
//! (truncation, crash, disk loss): O(voters) then, nothing otherwise.

use super::Ctx;
use crate::kraft::Offset;
use crate::sim::trace::InvariantId;

#[derive(Clone, Debug)]
pub struct MajorityReachedHighWatermark {
    /// Log end offset per node; `None` for observers.
    leos: Vec<Option<Offset>>,
    majority: usize,
}

impl MajorityReachedHighWatermark {
    pub fn new(voters: &[bool]) -> Self {
        let n = voters.iter().filter(|v| **v).count();
        Self {
            leos: voters.iter().map(|v| v.then_some(0)).collect(),
            majority: n / 2 + 1,
        }
    }

    /// Record a voter's log end; returns whether it dropped.
    pub fn set_leo(&mut self, idx: usize, leo: Offset) -> bool {
        match &mut self.leos[idx] {
            Some(old) => {
                let dropped = leo < *old;
                *old = leo;
                dropped
            }
            None => false,
        }
    }

    pub fn check(&self, hw: Offset, ctx: &mut Ctx) {
        let reached = self.leos.iter().flatten().filter(|leo| **leo >= hw).count();
        if reached < self.majority {
            ctx.fail(InvariantId::MajorityReachedHighWatermark, || {
                let leos: Vec<String> = self
                    .leos
                    .iter()
                    .enumerate()
                    .filter_map(|(i, l)| l.map(|l| format!("n{}={l}", i + 1)))
                    .collect();
                format!(
                    "only {reached} voters have a log end ≥ the leader's high watermark {hw} (majority {}): {}",
                    self.majority,
                    leos.join(" ")
                )
            });
        }
    }
}
