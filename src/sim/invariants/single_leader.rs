//! SingleLeader: at most one leader per epoch (Raft §5.2 "Election Safety"; Kafka's
//! `RaftEventSimulationTest.SingleLeader`, which reads every node's persisted election
//! state).
//!
//! Fed by every quorum-state write that names a leader and every transition to Leader:
//! the first leader seen for an epoch is remembered, any other one is a violation.

use super::Ctx;
use crate::kraft::{Epoch, NodeId};
use crate::sim::trace::InvariantId;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct SingleLeader {
    leaders: BTreeMap<Epoch, NodeId>,
}

impl SingleLeader {
    pub fn observe(&mut self, epoch: Epoch, leader: NodeId, ctx: &mut Ctx) {
        let known = *self.leaders.entry(epoch).or_insert(leader);
        if known != leader {
            ctx.fail(InvariantId::SingleLeader, || {
                format!("epoch {epoch} has two leaders: n{known} and n{leader}")
            });
        }
    }

    pub fn leader_of(&self, epoch: Epoch) -> Option<NodeId> {
        self.leaders.get(&epoch).copied()
    }
}
