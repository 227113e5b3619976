//! ConsistentCommittedData: every committed offset holds the same record on every node,
//! snapshots included (Kafka's `RaftEventSimulationTest.ConsistentCommittedData`, there
//! a validation at the end; Raft §5.4.3 "State Machine Safety").
//!
//! A global committed ledger of batches (base, end, epoch, prefix chain) grows from the
//! `Commit` actions of every node's state machine; each commit is either checked
//! against the ledger (same batch, same chain after it) or extends it. Each
//! `LoadSnapshot`'s chain must equal the ledger's chain at the snapshot's offset. Work
//! per batch: one binary search.

use super::Ctx;
use crate::kraft::{ChunkedVec, Epoch, Offset, Snapshot};
use crate::sim::trace::InvariantId;
use crate::sim::types::{SimBatch, SimTypes};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LedgerEntry {
    pub base: Offset,
    pub end: Offset,
    pub epoch: Epoch,
    pub chain: u64,
}

#[derive(Clone, Debug, Default)]
pub struct ConsistentCommittedData {
    /// Chunked: a world checkpoint shares all but the newest entries.
    ledger: ChunkedVec<LedgerEntry>,
}

impl ConsistentCommittedData {
    /// The end of what any node has committed.
    pub fn end_offset(&self) -> Offset {
        self.ledger.last().map_or(0, |e| e.end)
    }

    pub fn chain_at(&self, offset: Offset) -> Option<u64> {
        if offset == 0 {
            return Some(0);
        }
        let i = self.ledger.partition_point(|e| e.end < offset);
        self.ledger
            .get(i)
            .filter(|e| e.end == offset)
            .map(|e| e.chain)
    }

    pub fn on_commit(&mut self, batch: &SimBatch, before: u64, after: u64, ctx: &mut Ctx) {
        let end = self.end_offset();
        let base = batch.base_offset;
        if base < end {
            // Commits mostly land at or near the ledger's end: look there first.
            let n = self.ledger.len();
            let i = if n > 0 && self.ledger.get(n - 1).is_some_and(|e| e.base <= base) {
                n - 1
            } else {
                self.ledger.partition_point(|e| e.base < base)
            };
            match self.ledger.get(i) {
                Some(e) if e.base == base && e.end == batch.end_offset() && e.epoch == batch.epoch && e.chain == after => {}
                Some(e) if e.base == base => ctx.fail(InvariantId::ConsistentCommittedData, || {
                    format!(
                        "committed batch {base}..{} epoch {} (chain {after:016x}) differs from the committed {}..{} epoch {} (chain {:016x})",
                        batch.end_offset(),
                        batch.epoch,
                        e.base,
                        e.end,
                        e.epoch,
                        e.chain
                    )
                }),
                _ => ctx.fail(InvariantId::ConsistentCommittedData, || {
                    format!("committed batch at {base} does not start at a committed batch boundary")
                }),
            }
        } else if base == end {
            let expected = self.chain_at(end).unwrap_or(0);
            if before != expected {
                ctx.fail(InvariantId::ConsistentCommittedData, || {
                    format!("state machine at offset {base} has chain {before:016x}, the committed data {expected:016x}")
                });
            }
            self.ledger.push(LedgerEntry {
                base,
                end: batch.end_offset(),
                epoch: batch.epoch,
                chain: after,
            });
        } else {
            ctx.fail(InvariantId::ConsistentCommittedData, || {
                format!("committed batch at {base} leaves a gap after the committed end {end}")
            });
        }
    }

    pub fn on_load_snapshot(&mut self, snapshot: &Snapshot<SimTypes>, ctx: &mut Ctx) {
        let offset = snapshot.snapshot_id.offset;
        let chain = snapshot.data.chain_hash;
        match self.chain_at(offset) {
            Some(expected) if expected == chain => {}
            Some(expected) => ctx.fail(InvariantId::ConsistentCommittedData, || {
                format!(
                    "snapshot {} has chain {chain:016x}, the committed data {expected:016x}",
                    snapshot.snapshot_id
                )
            }),
            None => ctx.fail(InvariantId::ConsistentCommittedData, || {
                format!(
                    "snapshot {} does not end at a committed batch boundary (committed end {})",
                    snapshot.snapshot_id,
                    self.end_offset()
                )
            }),
        }
    }
}
