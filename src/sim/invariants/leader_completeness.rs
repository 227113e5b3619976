//! LeaderCompleteness: a newly elected leader's log holds every committed entry (Raft
//! §5.4.1 "Leader Completeness Property"; KIP-595 §Vote: a vote needs the candidate's
//! (last epoch, end offset) to be at least the voter's).
//!
//! At each election, the new leader's prefix chain at the global committed offset (the
//! end of the committed ledger) must equal the ledger's chain there. A leader whose log
//! starts past that offset holds it in a snapshot, which ConsistentCommittedData
//! checked when it was made or loaded.

use super::log_matching::LogMatching;
use super::{ConsistentCommittedData, Ctx};
use crate::kraft::ReplicatedLog;
use crate::sim::trace::InvariantId;
use crate::sim::types::SimTypes;

#[derive(Clone, Copy, Debug)]
pub struct LeaderCompleteness;

impl LeaderCompleteness {
    pub fn check(
        &self,
        logs: &LogMatching,
        committed: &ConsistentCommittedData,
        idx: usize,
        log: &ReplicatedLog<SimTypes>,
        ctx: &mut Ctx,
    ) {
        let committed_end = committed.end_offset();
        let mirror = logs.mirror(idx);
        if committed_end <= mirror.start_offset() {
            return;
        }
        let Some(expected) = committed.chain_at(committed_end) else {
            return;
        };
        match mirror.chain_at(committed_end) {
            Some(chain) if chain == expected => {}
            Some(chain) => ctx.fail(InvariantId::LeaderCompleteness, || {
                format!(
                    "the new leader's log differs from the committed data below offset {committed_end} (chain {chain:016x}, committed {expected:016x})"
                )
            }),
            None => ctx.fail(InvariantId::LeaderCompleteness, || {
                format!(
                    "the new leader's log (end offset {}) lacks committed data up to offset {committed_end}",
                    log.end_offset()
                )
            }),
        }
    }
}
