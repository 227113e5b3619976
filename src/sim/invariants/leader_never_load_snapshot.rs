//! LeaderNeverLoadSnapshot: the leader's state machine never loads a snapshot (Kafka's
//! `RaftEventSimulationTest.LeaderNeverLoadSnapshot`; KIP-630: only followers behind
//! the leader's log start fetch snapshots).

use super::Ctx;
use crate::kraft::{Snapshot, StateKind};
use crate::sim::trace::InvariantId;
use crate::sim::types::SimTypes;

#[derive(Clone, Copy, Debug)]
pub struct LeaderNeverLoadSnapshot;

impl LeaderNeverLoadSnapshot {
    pub fn on_load(&self, state: StateKind, snapshot: &Snapshot<SimTypes>, ctx: &mut Ctx) {
        if state == StateKind::Leader {
            ctx.fail(InvariantId::LeaderNeverLoadSnapshot, || {
                format!("the leader loaded snapshot {}", snapshot.snapshot_id)
            });
        }
    }
}
