//! MonotonicEpoch: each node's persisted epoch never decreases and equals the epoch it
//! runs in (Kafka's `RaftEventSimulationTest.MonotonicEpoch`; Raft §5.1: terms increase
//! monotonically).
//!
//! Kept across crashes (the quorum-state file survives them); a wiped disk legitimately
//! breaks it, which is why disk-loss scenarios `relax MonotonicEpoch`, as Kafka's does.

use super::Ctx;
use crate::kraft::Epoch;
use crate::sim::trace::InvariantId;

#[derive(Clone, Debug)]
pub struct MonotonicEpoch {
    persisted: Vec<Epoch>,
}

impl MonotonicEpoch {
    pub fn new(nodes: usize) -> Self {
        Self {
            persisted: vec![0; nodes],
        }
    }

    pub fn on_persist(&mut self, idx: usize, epoch: Epoch, ctx: &mut Ctx) {
        let old = self.persisted[idx];
        if epoch < old {
            ctx.fail(InvariantId::MonotonicEpoch, || {
                format!("persisted epoch went from {old} down to {epoch}")
            });
        }
        self.persisted[idx] = epoch;
    }

    pub fn check_in_memory(&self, persisted: Epoch, in_memory: Epoch, ctx: &mut Ctx) {
        if persisted != in_memory {
            ctx.fail(InvariantId::MonotonicEpoch, || {
                format!("persisted epoch {persisted} differs from the in-memory epoch {in_memory}")
            });
        }
    }
}
