//! SnapshotAtLogStart: the log start offset is at most the earliest snapshot's end
//! offset, equal to it when above zero, and the log's epoch cache validates that
//! snapshot's id (Kafka's `RaftEventSimulationTest.SnapshotAtLogStart`; KIP-630).
//!
//! Checked when a node's snapshots or log start change, and at every start.

use super::Ctx;
use crate::kraft::{ReplicatedLog, ValidOffsetAndEpoch};
use crate::sim::trace::InvariantId;
use crate::sim::types::SimTypes;

#[derive(Clone, Copy, Debug)]
pub struct SnapshotAtLogStart;

impl SnapshotAtLogStart {
    pub fn check(&self, log: &ReplicatedLog<SimTypes>, ctx: &mut Ctx) {
        let start = log.log_start_offset();
        let Some(earliest) = log.earliest_snapshot_id() else {
            if start > 0 {
                ctx.fail(InvariantId::SnapshotAtLogStart, || {
                    format!("log start offset {start} with no snapshot")
                });
            }
            return;
        };
        if start > earliest.offset || (start > 0 && start != earliest.offset) {
            ctx.fail(InvariantId::SnapshotAtLogStart, || {
                format!("log start offset {start} does not match the earliest snapshot {earliest}")
            });
        }
        let valid = log.validate_offset_and_epoch(earliest.offset, earliest.epoch);
        if !matches!(valid, ValidOffsetAndEpoch::Valid(_)) {
            ctx.fail(InvariantId::SnapshotAtLogStart, || {
                format!("the log does not validate snapshot id {earliest}: {valid:?}")
            });
        }
    }
}
