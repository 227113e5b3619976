//! LeaderNeverLoadSnapshot: the leader's state machine never loads a snapshot (Kafka's
//! `RaftEventSimulationTest.LeaderNeverLoadSnapshot`; KIP-630: only replicas behind the
//! leader's log start load snapshots).
//!
//! As in Kafka, "the leader's state machine" is the writable one: a node whose listener
//! was told it leads (`handleLeaderChange` naming itself, which the core fires only once
//! the new leader has replayed up to its epoch start). A restarted node that loads its
//! own snapshot while catching up to its epoch start is not yet writable.

use super::Ctx;
use crate::kraft::Snapshot;
use crate::sim::trace::InvariantId;
use crate::sim::types::SimTypes;

#[derive(Clone, Copy, Debug)]
pub struct LeaderNeverLoadSnapshot;

impl LeaderNeverLoadSnapshot {
    pub fn on_load(&self, writable: bool, snapshot: &Snapshot<SimTypes>, ctx: &mut Ctx) {
        if writable {
            ctx.fail(InvariantId::LeaderNeverLoadSnapshot, || {
                format!(
                    "the writable leader loaded snapshot {}",
                    snapshot.snapshot_id
                )
            });
        }
    }
}
